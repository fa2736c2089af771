/**
 * The payload diff: every difference between an original JSON Schema (the one the
 * data was written with) and an update (the one it is read with), with Confluent
 * Schema Registry's rules — a port of `SchemaDiff.compare` and the per-type diffs in
 * json-schema-provider/…/json/diff/. Pure: no I/O; local `$ref`s (`#/…`, `#/$defs/…`,
 * `#/definitions/…`) are resolved inside each schema, and `$ref` cycles end.
 */
import { compareArrays } from './array-diff.ts';
import { compareCombined } from './combined-diff.ts';
import { compatibleChanges, type Readers } from './compatible-changes.ts';
import { DiffContext, type PairDifferences, PairMap } from './diff-context.ts';
import type { Difference } from './differences.ts';
import { compareConsts, compareEnums } from './enum-diff.ts';
import { jsonEqual } from './json-value.ts';
import { compareNots } from './not-diff.ts';
import { compareNumbers } from './number-diff.ts';
import { compareObjects } from './object-diff.ts';
import { type Dialect, dialectOf, loadSchema, type SchemaNode } from './schema-model.ts';
import { compareStrings } from './string-diff.ts';

/** How to compare. */
export interface CompareOptions {
  /**
   * Use Confluent's lenient set of compatible changes. It matters inside the diff too:
   * a oneOf branch only pairs with one it is compatible with. Default false (strict).
   */
  readonly lenient?: boolean;
  /** The dialect of both schemas; by default each one's `$schema` (draft-07 when absent). */
  readonly dialect?: Dialect;
  /**
   * `confluent` (default): the registry's rules exactly. `validating`: readers that validate
   * `format` and apply no `default`s (the generated consumers): `format` is compared too, and
   * a property made required with a default is incompatible.
   */
  readonly readers?: Readers;
}

/**
 * The differences between `original` and `update` (plain JSON Schema values), each
 * with its path in Confluent's JSON-pointer form. Throws InvalidSchemaError for a
 * value that is not a schema or a `$ref` that does not resolve inside its schema.
 */
export function compareSchemas(
  original: unknown,
  update: unknown,
  options: CompareOptions = {},
): Difference[] {
  const readers = options.readers ?? 'confluent';
  const compatible = compatibleChanges(options.lenient ?? false, readers);
  const originalNode = loadSchema(original, options.dialect ?? dialectOf(original));
  const updateNode = loadSchema(update, options.dialect ?? dialectOf(update));
  // A $ref cycle is first assumed compatible where it closes; when that assumption was
  // used, run again with the pairs found incompatible fed back, until nothing changes
  // (Confluent's fixed point, which keeps a memoized "compatible" from hiding a change).
  let seed = new PairMap<PairDifferences>();
  for (;;) {
    const ctx = DiffContext.start(compatible, comparePair, seed, readers === 'validating');
    ctx.compare(originalNode, updateNode);
    const incompatible = ctx.incompatiblePairs();
    if (!ctx.usedOptimism() || sameKeys(incompatible, seed)) return [...ctx.differences()];
    seed = incompatible;
  }
}

function sameKeys(a: PairMap<PairDifferences>, b: PairMap<PairDifferences>): boolean {
  if (a.size !== b.size) return false;
  for (const [original, update] of a.entries()) if (!b.get(original, update)) return false;
  return true;
}

const isCombined = (node: SchemaNode) => node.kind === 'combined';

/** Confluent's `compareTypes`: two resolved nodes, at the root of `ctx`. */
function comparePair(ctx: DiffContext, original: SchemaNode, update: SchemaNode): void {
  if (compareAcrossCombination(ctx, original, update)) return;
  if (original.kind !== update.kind) {
    // A reader of anything (`{}`/`true`) reads all; nothing was written with `false`.
    if (original.kind === 'false' || update.kind === 'empty' || update.kind === 'true') return;
    // Kafka Connect's decimals: two `connect.type: bytes` schemas are one type.
    if (original.meta.connectType === 'bytes' && update.meta.connectType === 'bytes') return;
    ctx.add('TYPE_CHANGED');
    return;
  }
  if (original.meta.id !== update.meta.id) ctx.add('ID_CHANGED');
  if (original.meta.title !== update.meta.title) ctx.add('TITLE_CHANGED');
  if (original.meta.description !== update.meta.description) ctx.add('DESCRIPTION_CHANGED');
  if (
    original.meta.hasDefault !== update.meta.hasDefault ||
    !jsonEqual(original.meta.defaultValue, update.meta.defaultValue)
  )
    ctx.add('DEFAULT_CHANGED');
  compareSameKind(ctx, original, update);
}

/**
 * A plain schema against a combined one: it may stand for a one-branch combination,
 * a branch of an anyOf/oneOf update (SUM_TYPE_EXTENDED) or a member of an allOf
 * original (PRODUCT_TYPE_NARROWED). True when that settled the pair.
 */
function compareAcrossCombination(ctx: DiffContext, original: SchemaNode, update: SchemaNode): boolean {
  const tryWith = (o: SchemaNode, u: SchemaNode, extra?: 'SUM_TYPE_EXTENDED' | 'PRODUCT_TYPE_NARROWED') => {
    const inner = ctx.sub();
    inner.compare(o, u);
    if (!inner.isCompatible()) return false;
    ctx.addAll(inner.differences());
    if (extra) ctx.add(extra);
    return true;
  };
  if (!isCombined(original) && update.kind === 'combined') {
    const [only] = update.subschemas;
    if (update.subschemas.length === 1 && only) return tryWith(original, only);
    if (update.criterion !== 'allOf')
      return update.subschemas.some((branch) => tryWith(original, branch, 'SUM_TYPE_EXTENDED'));
  } else if (original.kind === 'combined' && !isCombined(update)) {
    const [only] = original.subschemas;
    if (original.subschemas.length === 1 && only) return tryWith(only, update);
    if (original.criterion === 'allOf')
      return original.subschemas.some((member) => tryWith(member, update, 'PRODUCT_TYPE_NARROWED'));
  }
  return false;
}

function compareSameKind(ctx: DiffContext, original: SchemaNode, update: SchemaNode): void {
  switch (original.kind) {
    case 'string':
      if (update.kind === 'string') compareStrings(ctx, original, update);
      return;
    case 'number':
      if (update.kind === 'number') compareNumbers(ctx, original, update);
      return;
    case 'const':
      if (update.kind === 'const') compareConsts(ctx, original, update);
      return;
    case 'enum':
      if (update.kind === 'enum') compareEnums(ctx, original, update);
      return;
    case 'combined':
      if (update.kind === 'combined') compareCombined(ctx, original, update);
      return;
    case 'not':
      if (update.kind === 'not') compareNots(ctx, original, update);
      return;
    case 'object':
      if (update.kind === 'object') compareObjects(ctx, original, update);
      return;
    case 'array':
      if (update.kind === 'array') compareArrays(ctx, original, update);
      return;
    default:
      // empty, true, false, boolean, null, conditional: nothing more to compare.
      return;
  }
}
