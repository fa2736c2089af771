/**
 * The typed view of a JSON Schema that the payload diff walks. It reproduces how the
 * registry loads a schema (everit's SchemaLoader for draft-04/06/07, json-sKema plus
 * Confluent's SchemaTranslator for 2019-09/2020-12), because the diff's answers depend
 * on that shape: one JSON object may hold several "schemas" at once —
 * `{"type": "string", "enum": [...]}` is an allOf of an enum and a string schema —
 * and a change that swaps one shape for another is a TYPE_CHANGED.
 *
 * Each JSON object becomes the list of what its keywords describe, in this order:
 * `enum`; `allOf`, `oneOf`, `anyOf`; `not`; `const`; the `type` (an anyOf when it
 * is an array of types), which takes the keywords of that type; then, for keywords
 * no `type` took, an array, object, number or string schema ("not requiring" that
 * type) and `if`/`then`/`else`. None gives the empty schema, one gives itself, more
 * give a synthetic allOf. `$id`, `title`, `description` and `default` go on the result.
 *
 * Nodes are created once per JSON object, and every `$ref` to one target gives the
 * same node, so a pair of nodes identifies a comparison (see diff-context.ts).
 */
import { resolveLocalRef } from './json-pointer.ts';

/** Which loader the registry would use: everit for draft-04/06/07, json-sKema for 2019-09/2020-12. */
export type Dialect = 'draft-04' | 'draft-07' | '2020-12';

/** The keywords the diff compares on any node, whatever its kind. */
export interface Metadata {
  readonly id?: string;
  readonly title?: string;
  readonly description?: string;
  readonly hasDefault: boolean;
  readonly defaultValue?: unknown;
  /** Kafka Connect's `connect.type`; two `bytes` schemas count as one type whatever their `type`. */
  readonly connectType?: unknown;
}

interface NodeBase {
  readonly meta: Metadata;
  /** The JSON the node was read from, and which part of it: together they tell duplicates apart. */
  readonly source: unknown;
  readonly part: string;
}

/** `{}`, or an object with no validating keyword. */
export interface EmptyNode extends NodeBase {
  readonly kind: 'empty';
}
/** The boolean schema `true` (a kind of empty schema). */
export interface TrueNode extends NodeBase {
  readonly kind: 'true';
}
/** The boolean schema `false`. */
export interface FalseNode extends NodeBase {
  readonly kind: 'false';
}
/** `type: string`, or string keywords without a type. `format` is loaded but never compared (as in the registry). */
export interface StringNode extends NodeBase {
  readonly kind: 'string';
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  /** Loaded for validating readers; the registry never compares it. */
  readonly format?: string;
}
/** `type: number` or `integer`, or numeric keywords without a type. */
export interface NumberNode extends NodeBase {
  readonly kind: 'number';
  readonly requiresInteger: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly multipleOf?: number;
}
/** `type: boolean`. */
export interface BooleanNode extends NodeBase {
  readonly kind: 'boolean';
}
/** `type: null`. */
export interface NullNode extends NodeBase {
  readonly kind: 'null';
}
/** One `patternProperties` entry. */
export interface PatternProperty {
  readonly pattern: string;
  readonly schema: SchemaNode;
}
/** `type: object`, or object keywords without a type. */
export interface ObjectNode extends NodeBase {
  readonly kind: 'object';
  readonly properties: ReadonlyMap<string, SchemaNode>;
  readonly required: ReadonlySet<string>;
  /** False for `additionalProperties: false`. */
  readonly permitsAdditionalProperties: boolean;
  /** The `additionalProperties` schema, when it is one. */
  readonly additionalPropertiesSchema?: SchemaNode;
  readonly patternProperties: readonly PatternProperty[];
  /** `dependencies` with a list of names, or `dependentRequired`. */
  readonly propertyDependencies: ReadonlyMap<string, ReadonlySet<string>>;
  /** `dependencies` with a schema, or `dependentSchemas`. */
  readonly schemaDependencies: ReadonlyMap<string, SchemaNode>;
  /** `unevaluatedProperties` (2019-09/2020-12 only, as in the registry). */
  readonly unevaluatedProperties?: SchemaNode;
  readonly minProperties?: number;
  readonly maxProperties?: number;
}
/** `type: array`, or array keywords without a type. */
export interface ArrayNode extends NodeBase {
  readonly kind: 'array';
  /** `items` as one schema for every item. */
  readonly allItemSchema?: SchemaNode;
  /** The tuple: `items` as an array (draft-07) or `prefixItems` (2020-12). */
  readonly itemSchemas?: readonly SchemaNode[];
  /** False when items past the tuple are forbidden. */
  readonly permitsAdditionalItems: boolean;
  /** The schema of items past the tuple: `additionalItems`, or 2020-12 `items` after `prefixItems`. */
  readonly additionalItemsSchema?: SchemaNode;
  /** `unevaluatedItems` (2019-09/2020-12 only). */
  readonly unevaluatedItems?: SchemaNode;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems: boolean;
  readonly minContains?: number;
  readonly maxContains?: number;
}
/** `enum`. */
export interface EnumNode extends NodeBase {
  readonly kind: 'enum';
  readonly values: readonly unknown[];
}
/** `const`. */
export interface ConstNode extends NodeBase {
  readonly kind: 'const';
  readonly value: unknown;
}
/** The combining keywords. */
export type Criterion = 'allOf' | 'anyOf' | 'oneOf';
/** `allOf`/`anyOf`/`oneOf`, an array of types (anyOf), or several schemas in one object (synthetic allOf). */
export interface CombinedNode extends NodeBase {
  readonly kind: 'combined';
  readonly criterion: Criterion;
  readonly subschemas: readonly SchemaNode[];
}
/** `not`. */
export interface NotNode extends NodeBase {
  readonly kind: 'not';
  readonly mustNotMatch: SchemaNode;
}
/** A local `$ref`; `target()` loads what it points at (once). */
export interface RefNode extends NodeBase {
  readonly kind: 'ref';
  readonly ref: string;
  readonly target: () => SchemaNode;
}
/** `if`/`then`/`else`: the registry compares nothing inside them. */
export interface ConditionalNode extends NodeBase {
  readonly kind: 'conditional';
}

/** A loaded schema. */
export type SchemaNode =
  | EmptyNode
  | TrueNode
  | FalseNode
  | StringNode
  | NumberNode
  | BooleanNode
  | NullNode
  | ObjectNode
  | ArrayNode
  | EnumNode
  | ConstNode
  | CombinedNode
  | NotNode
  | RefNode
  | ConditionalNode;

/** The schema JSON cannot be loaded: not an object or boolean, an unknown `type`, a `$ref` to nowhere. */
export class InvalidSchemaError extends Error {
  override name = 'InvalidSchemaError';
}

const NO_METADATA: Metadata = { hasDefault: false };

const STRING_KEYWORDS = ['minLength', 'maxLength', 'pattern', 'format'];
const NUMBER_KEYWORDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'];
const CONDITIONAL_KEYWORDS = ['if', 'then', 'else'];

interface Keywords {
  readonly string: readonly string[];
  readonly array: readonly string[];
  readonly object: readonly string[];
}

const KEYWORDS: Record<Dialect, Keywords> = {
  'draft-04': {
    string: STRING_KEYWORDS,
    array: ['items', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems'],
    object: [
      'properties',
      'required',
      'minProperties',
      'maxProperties',
      'dependencies',
      'patternProperties',
      'additionalProperties',
    ],
  },
  'draft-07': {
    string: STRING_KEYWORDS,
    array: ['items', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems', 'contains'],
    object: [
      'properties',
      'required',
      'minProperties',
      'maxProperties',
      'dependencies',
      'patternProperties',
      'additionalProperties',
      'propertyNames',
    ],
  },
  // The translator ignores `format`, so it does not make a string schema here.
  '2020-12': {
    string: ['minLength', 'maxLength', 'pattern'],
    array: ['prefixItems', 'items', 'minItems', 'maxItems', 'uniqueItems', 'contains', 'unevaluatedItems'],
    object: [
      'properties',
      'required',
      'minProperties',
      'maxProperties',
      'dependentRequired',
      'dependentSchemas',
      'patternProperties',
      'additionalProperties',
      'propertyNames',
      'unevaluatedProperties',
    ],
  },
};

/** The dialect a schema declares with `$schema` (draft-07 when it declares none, as in the registry). */
export function dialectOf(schema: unknown): Dialect {
  const declared = isRecord(schema) && typeof schema.$schema === 'string' ? schema.$schema : '';
  if (declared.includes('2020-12') || declared.includes('2019-09')) return '2020-12';
  if (declared.includes('draft-04')) return 'draft-04';
  return 'draft-07';
}

/** Loads `root` (a whole schema document) into nodes; local `$ref`s are resolved inside it. */
export function loadSchema(root: unknown, dialect: Dialect = dialectOf(root)): SchemaNode {
  return new SchemaLoader(root, dialect).loadRoot();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function numberAt(raw: Record<string, unknown>, key: string): number | undefined {
  const value = raw[key];
  return typeof value === 'number' ? value : undefined;
}

class SchemaLoader {
  private readonly root: unknown;
  private readonly dialect: Dialect;
  private readonly keywords: Keywords;
  /** Ref targets already loaded, by the JSON object they were read from. */
  private readonly targets = new Map<object, SchemaNode>();
  /** The JSON objects being loaded, to refuse a value that contains itself. */
  private readonly loading = new Set<object>();

  constructor(root: unknown, dialect: Dialect) {
    this.root = root;
    this.dialect = dialect;
    this.keywords = KEYWORDS[dialect];
  }

  /** The root is loaded apart from `$ref: '#'` targets, as everit does (a cycle through it unrolls once more). */
  loadRoot(): SchemaNode {
    return this.load(this.root, '#');
  }

  private loadTarget(raw: unknown, at: string): SchemaNode {
    if (!isRecord(raw)) return this.load(raw, at);
    const known = this.targets.get(raw);
    if (known) return known;
    const node = this.load(raw, at);
    this.targets.set(raw, node);
    return node;
  }

  private load(raw: unknown, at: string): SchemaNode {
    if (raw === true) return { kind: 'true', meta: NO_METADATA, source: raw, part: 'true' };
    if (raw === false) return { kind: 'false', meta: NO_METADATA, source: raw, part: 'false' };
    if (!isRecord(raw)) throw new InvalidSchemaError(`${at}: a schema must be an object or a boolean`);
    if (this.loading.has(raw))
      throw new InvalidSchemaError(`${at}: the JSON value contains itself (use a $ref)`);
    this.loading.add(raw);
    let parts: SchemaNode[];
    try {
      parts = this.extractParts(raw, at, new Set<string>());
    } finally {
      this.loading.delete(raw);
    }
    const meta = this.metadata(raw);
    if (parts.length === 0) return { kind: 'empty', meta, source: raw, part: 'empty' };
    if (parts.length === 1) return { ...parts[0]!, meta };
    return { kind: 'combined', criterion: 'allOf', subschemas: parts, meta, source: raw, part: 'synthetic' };
  }

  private extractParts(raw: Record<string, unknown>, at: string, consumed: Set<string>): SchemaNode[] {
    const parts: SchemaNode[] = [];
    if (typeof raw.$ref === 'string') {
      parts.push(this.reference(raw, raw.$ref, at));
      // Before 2019-09 a $ref hides the keywords beside it.
      if (this.dialect !== '2020-12') return parts;
    }
    const base = { meta: NO_METADATA, source: raw };
    if (Array.isArray(raw.enum)) parts.push({ ...base, kind: 'enum', part: 'enum', values: raw.enum });
    for (const criterion of ['allOf', 'oneOf', 'anyOf'] as const) {
      const list = raw[criterion];
      if (!Array.isArray(list)) continue;
      const subschemas = list.map((sub, i) => this.load(sub, `${at}/${criterion}/${i}`));
      parts.push({ ...base, kind: 'combined', part: criterion, criterion, subschemas });
    }
    if ('not' in raw)
      parts.push({ ...base, kind: 'not', part: 'not', mustNotMatch: this.load(raw.not, `${at}/not`) });
    if (this.dialect !== 'draft-04' && 'const' in raw)
      parts.push({ ...base, kind: 'const', part: 'const', value: raw.const });
    if (typeof raw.type === 'string') {
      parts.push(this.typed(raw, raw.type, at, consumed));
    } else if (Array.isArray(raw.type)) {
      const subschemas = raw.type.map((type) => this.typed(raw, String(type), at, consumed));
      parts.push({ ...base, kind: 'combined', part: 'type', criterion: 'anyOf', subschemas });
    }
    const unconsumed = (keys: readonly string[]) => keys.some((key) => key in raw && !consumed.has(key));
    if (unconsumed(this.keywords.array)) parts.push(this.array(raw, at));
    if (unconsumed(this.keywords.object)) parts.push(this.object(raw, at));
    if (unconsumed(NUMBER_KEYWORDS)) parts.push(this.number(raw, false));
    if (unconsumed(this.keywords.string)) parts.push(this.string(raw));
    if (this.dialect !== 'draft-04' && CONDITIONAL_KEYWORDS.some((key) => key in raw))
      parts.push({ ...base, kind: 'conditional', part: 'conditional' });
    return parts;
  }

  private typed(raw: Record<string, unknown>, type: string, at: string, consumed: Set<string>): SchemaNode {
    const consume = (keys: readonly string[]) => {
      for (const key of keys) consumed.add(key);
    };
    const base = { meta: NO_METADATA, source: raw, part: `type:${type}` };
    switch (type) {
      case 'string':
        consume(this.keywords.string);
        return { ...this.string(raw), part: base.part };
      case 'integer':
      case 'number':
        consume(NUMBER_KEYWORDS);
        return { ...this.number(raw, type === 'integer'), part: base.part };
      case 'array':
        consume(this.keywords.array);
        return { ...this.array(raw, at), part: base.part };
      case 'object':
        consume(this.keywords.object);
        return { ...this.object(raw, at), part: base.part };
      case 'boolean':
        return { ...base, kind: 'boolean' };
      case 'null':
        return { ...base, kind: 'null' };
      default:
        throw new InvalidSchemaError(`${at}/type: unknown type ${JSON.stringify(type)}`);
    }
  }

  private reference(raw: Record<string, unknown>, ref: string, at: string): RefNode {
    let target: SchemaNode | undefined;
    return {
      kind: 'ref',
      ref,
      meta: NO_METADATA,
      source: raw,
      part: 'ref',
      target: () => {
        if (target) return target;
        const value = resolveLocalRef(this.root, ref);
        if (value === undefined)
          throw new InvalidSchemaError(
            `${at}/$ref: ${JSON.stringify(ref)} does not resolve inside the schema`,
          );
        target = this.loadTarget(value, ref);
        return target;
      },
    };
  }

  private metadata(raw: Record<string, unknown>): Metadata {
    // The 2020-12 translation drops `$id` (the registry reports no ID_CHANGED there).
    const idKeyword = this.dialect === 'draft-04' ? 'id' : this.dialect === 'draft-07' ? '$id' : undefined;
    const id = idKeyword === undefined ? undefined : raw[idKeyword];
    return {
      id: typeof id === 'string' ? id : undefined,
      title: typeof raw.title === 'string' ? raw.title : undefined,
      description: typeof raw.description === 'string' ? raw.description : undefined,
      hasDefault: 'default' in raw,
      defaultValue: raw.default,
      connectType: raw['connect.type'],
    };
  }

  private string(raw: Record<string, unknown>): StringNode {
    return {
      kind: 'string',
      meta: NO_METADATA,
      source: raw,
      part: 'string',
      minLength: numberAt(raw, 'minLength'),
      maxLength: numberAt(raw, 'maxLength'),
      pattern: typeof raw.pattern === 'string' ? raw.pattern : undefined,
      format: typeof raw.format === 'string' ? raw.format : undefined,
    };
  }

  private number(raw: Record<string, unknown>, requiresInteger: boolean): NumberNode {
    return {
      kind: 'number',
      meta: NO_METADATA,
      source: raw,
      part: 'number',
      requiresInteger,
      minimum: numberAt(raw, 'minimum'),
      maximum: numberAt(raw, 'maximum'),
      // Draft-04's boolean forms set no limit of their own, so they compare as absent.
      exclusiveMinimum: numberAt(raw, 'exclusiveMinimum'),
      exclusiveMaximum: numberAt(raw, 'exclusiveMaximum'),
      multipleOf: numberAt(raw, 'multipleOf'),
    };
  }

  private object(raw: Record<string, unknown>, at: string): ObjectNode {
    const properties = new Map<string, SchemaNode>();
    const idKeyword = this.dialect === 'draft-04' ? 'id' : '$id';
    if (isRecord(raw.properties)) {
      for (const [key, value] of Object.entries(raw.properties)) {
        // everit skips a property named like the id keyword unless its value is an object.
        if (key !== idKeyword || isRecord(value))
          properties.set(key, this.load(value, `${at}/properties/${key}`));
      }
    }
    const required = new Set(Array.isArray(raw.required) ? raw.required.map(String) : []);
    const additional = raw.additionalProperties;
    const patternProperties = isRecord(raw.patternProperties)
      ? Object.entries(raw.patternProperties).map(([pattern, schema]) => ({
          pattern,
          schema: this.load(schema, `${at}/patternProperties/${pattern}`),
        }))
      : [];
    const propertyDependencies = new Map<string, ReadonlySet<string>>();
    const schemaDependencies = new Map<string, SchemaNode>();
    const dependencyEntries = (key: string) => (isRecord(raw[key]) ? Object.entries(raw[key]) : []);
    if (this.dialect === '2020-12') {
      for (const [name, names] of dependencyEntries('dependentRequired'))
        propertyDependencies.set(name, new Set(Array.isArray(names) ? names.map(String) : []));
      for (const [name, schema] of dependencyEntries('dependentSchemas'))
        schemaDependencies.set(name, this.load(schema, `${at}/dependentSchemas/${name}`));
    } else {
      for (const [name, dependency] of dependencyEntries('dependencies')) {
        if (Array.isArray(dependency)) propertyDependencies.set(name, new Set(dependency.map(String)));
        else schemaDependencies.set(name, this.load(dependency, `${at}/dependencies/${name}`));
      }
    }
    return {
      kind: 'object',
      meta: NO_METADATA,
      source: raw,
      part: 'object',
      properties,
      required,
      permitsAdditionalProperties: additional !== false,
      additionalPropertiesSchema: isRecord(additional)
        ? this.load(additional, `${at}/additionalProperties`)
        : undefined,
      patternProperties,
      propertyDependencies,
      schemaDependencies,
      unevaluatedProperties:
        this.dialect === '2020-12' && 'unevaluatedProperties' in raw
          ? this.load(raw.unevaluatedProperties, `${at}/unevaluatedProperties`)
          : undefined,
      minProperties: numberAt(raw, 'minProperties'),
      maxProperties: numberAt(raw, 'maxProperties'),
    };
  }

  private array(raw: Record<string, unknown>, at: string): ArrayNode {
    const base = {
      kind: 'array',
      meta: NO_METADATA,
      source: raw,
      part: 'array',
      minItems: numberAt(raw, 'minItems'),
      maxItems: numberAt(raw, 'maxItems'),
      uniqueItems: raw.uniqueItems === true,
    } as const;
    const items = raw.items;
    if (this.dialect === '2020-12') {
      const prefix = Array.isArray(raw.prefixItems) ? raw.prefixItems : [];
      const itemsSchema = isRecord(items) ? this.load(items, `${at}/items`) : undefined;
      const hasContains = 'contains' in raw;
      return {
        ...base,
        itemSchemas:
          prefix.length > 0 ? prefix.map((item, i) => this.load(item, `${at}/prefixItems/${i}`)) : undefined,
        allItemSchema: prefix.length === 0 ? itemsSchema : undefined,
        permitsAdditionalItems: items !== false,
        additionalItemsSchema: prefix.length > 0 ? itemsSchema : undefined,
        unevaluatedItems:
          'unevaluatedItems' in raw ? this.load(raw.unevaluatedItems, `${at}/unevaluatedItems`) : undefined,
        // json-sKema gives `contains` a minContains of 1 when none is written.
        minContains: hasContains ? (numberAt(raw, 'minContains') ?? 1) : undefined,
        maxContains: hasContains ? numberAt(raw, 'maxContains') : undefined,
      };
    }
    const additional = raw.additionalItems;
    return {
      ...base,
      allItemSchema:
        items !== undefined && !Array.isArray(items) ? this.load(items, `${at}/items`) : undefined,
      itemSchemas: Array.isArray(items)
        ? items.map((item, i) => this.load(item, `${at}/items/${i}`))
        : undefined,
      permitsAdditionalItems: additional !== false,
      additionalItemsSchema: isRecord(additional)
        ? this.load(additional, `${at}/additionalItems`)
        : undefined,
      minContains: numberAt(raw, 'minContains'),
      maxContains: numberAt(raw, 'maxContains'),
    };
  }
}
