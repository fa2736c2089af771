/**
 * Which side is right, for each disagreement bench/registry-compare.ts finds
 * between our engine and the registry: grouped into classes, each with the pairs
 * (fixture row names, or `confluent <group> #<index>: …`) and modes it covers.
 * Reasoned from JSON Schema semantics — can a reader with schema X validate every
 * document valid under the writer's schema Y? — and from Confluent's documented
 * rules (its SchemaDiff, which our engine ports).
 */

export type Right = 'ours' | 'registry' | 'neither' | 'either';

export interface Judgement {
  /** A short name for the kind of disagreement. */
  readonly class: string;
  readonly right: Right;
  /** One line: why. */
  readonly why: string;
}

interface Entry extends Judgement {
  readonly pairs: readonly string[];
  /** The modes it covers; all when absent. */
  readonly modes?: readonly string[];
}

const EMPTY_SCHEMA = 'a property whose schema accepts anything added';
const DEFAULT_REQUIRED = 'made required with a default';
const FORMAT = 'string `format` added or changed';
const PATTERN_COVERS = 'property covered by `patternProperties`';
const PATTERN_IGNORED = 'property not covered by `patternProperties` (Apicurio: compatible)';
const PATTERN_AND_NAME = 'property both named and matched by a pattern';
const TO_SUM = 'plain schema to a `oneOf`/`anyOf` holding it';
const KEYWORD_ALONE = 'combining keyword changed: Apicurio stops at the keyword';
const KEYWORD_WIDENED = 'keyword widened to `anyOf` while a branch was lost';
const DUPLICATE = 'duplicate `allOf` member';
const NOT = '`not` narrowed';
const FALSE_PROPERTY = '`false` property removed from a closed object';
const UNREADABLE = 'Apicurio cannot read the schema';

const ENTRIES: readonly Entry[] = [
  {
    class: EMPTY_SCHEMA,
    right: 'ours',
    pairs: ['property with the empty schema added to an open content model'],
    why:
      '`extra: {}` accepts whatever old data held under that name, so nothing old is refused; ours is ' +
      'Confluent’s PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL, Apicurio counts any added property as narrowing',
  },
  {
    class: DEFAULT_REQUIRED,
    right: 'registry',
    pairs: ['existing property made required with a default'],
    why:
      '`default` is an annotation that no validator fills in, so an old document without `name` fails the new `required`; ' +
      'ours follows Confluent’s documented REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED, an Avro-style rule that is arguably wrong ' +
      'for JSON Schema (safe only for readers that apply defaults before validating)',
  },
  {
    class: FORMAT,
    right: 'registry',
    pairs: ['format added to a string (not compared)'],
    why:
      'old strings need not be emails; a reader that asserts `format` (everit, which both registries’ serdes validate with, ' +
      'does by default) refuses them. Ours follows Confluent, whose SchemaDiff ignores `format`: arguably wrong, though draft-07 leaves assertion optional',
  },
  {
    class: FORMAT,
    right: 'registry',
    pairs: ['format changed on a string (not compared)'],
    why:
      '`date-time` and `date` accept disjoint strings, so with `format` asserted neither side reads the other’s data; ' +
      'ours follows Confluent, which ignores `format` (arguably wrong)',
  },
  {
    class: PATTERN_COVERS,
    right: 'ours',
    pairs: ['property added that patternProperties covers'],
    why:
      'the old reader’s `^x-` pattern gives `x-trace` the same string schema, so it reads the new data; ours is Confluent’s ' +
      'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, Apicurio compares named properties without the patterns',
  },
  {
    class: PATTERN_COVERS,
    right: 'ours',
    modes: ['BACKWARD'],
    pairs: ['confluent draft-07 #12: Detect property removed from partially open content model 1'],
    why:
      'the new reader’s `^I_` pattern reads `I_123` as a number, which every old integer is; this is Confluent’s own ' +
      'example (compatible), Apicurio counts the added pattern and the removed property as narrowing',
  },
  {
    class: PATTERN_IGNORED,
    right: 'ours',
    pairs: ['property added that patternProperties does not cover'],
    why:
      'old data may hold `"x-count": "a"` (a string by the `^x-` pattern) and the new reader wants an integer there: ' +
      'incompatible, as Confluent says (PROPERTY_ADDED_NOT_COVERED_…); Apicurio never compares a property with the pattern, a false “compatible”',
  },
  {
    class: PATTERN_IGNORED,
    right: 'ours',
    modes: ['FORWARD'],
    pairs: ['confluent draft-07 #12: Detect property removed from partially open content model 1'],
    why:
      'new data may hold `S_x` keys or `"I_123": 1.5`, both refused by the old closed reader; incompatible (ours, as ' +
      'Confluent’s rules give it), Apicurio’s “compatible” ignores the patterns',
  },
  {
    class: PATTERN_AND_NAME,
    right: 'registry',
    pairs: ['property added that patternProperties does not cover, other properties allowed'],
    why:
      'in the writer `x-count` must be an integer and (by `^x-`) a string at once, so it never occurs and the old reader reads ' +
      'all new data; Confluent’s rule (ours) compares the named property with the pattern alone, arguably wrong; Apicurio is right by accident',
  },
  {
    class: TO_SUM,
    right: 'ours',
    pairs: [
      'plain schema became a oneOf that holds it',
      'confluent draft-07 #27: Detect change to optional oneOf schema',
      'confluent draft-07-combined #19: Detect compatible change from non-combined to oneOf schema',
    ],
    why:
      'every old value matches exactly one branch (the branches’ types are disjoint), so the new reader accepts it; ours is ' +
      'Confluent’s SUM_TYPE_EXTENDED (which assumes disjoint `oneOf` branches), Apicurio calls it a type change',
  },
  {
    class: TO_SUM,
    right: 'ours',
    pairs: ['null branch removed from a oneOf'],
    why:
      'the old `oneOf [null, string]` reader reads every new string through exactly one branch; ours is Confluent’s ' +
      'SUM_TYPE_EXTENDED, Apicurio calls it a type change',
  },
  {
    class: KEYWORD_ALONE,
    right: 'ours',
    pairs: [
      'confluent draft-07-combined #14: Detect compatible change from anyOf to allOf schema',
      'confluent draft-07-combined #15: Detect compatible change from oneOf to allOf schema',
      'confluent draft-07-combined #20: Detect compatible change from non-combined to allOf schema',
    ],
    why:
      'with a single member `allOf`, `anyOf` and `oneOf` validate exactly like that member, so the schemas are equal; ' +
      'ours is Confluent’s COMBINED_TYPE_EXTENDED, Apicurio judges the keyword alone and never looks at the branches',
  },
  {
    class: KEYWORD_ALONE,
    right: 'ours',
    pairs: [
      'confluent draft-07-combined #10: Detect compatible change from anyOf to oneOf schema with more properties',
      'confluent draft-07-combined #12: Detect compatible change from allOf to oneOf schema with more properties',
    ],
    modes: ['BACKWARD'],
    why:
      'every old value (one type) matches exactly one of the new disjoint branches; Confluent’s own example says compatible, ' +
      'Apicurio judges the keyword alone',
  },
  {
    class: KEYWORD_ALONE,
    right: 'ours',
    pairs: [
      'confluent draft-07-combined #13: Detect compatible change from allOf to oneOf schema with fewer properties',
    ],
    why:
      'the old `allOf [number, string]` accepts no value at all, so any reader reads its data; Confluent’s own example says ' +
      'compatible, Apicurio judges the keyword alone',
  },
  {
    class: KEYWORD_ALONE,
    right: 'ours',
    modes: ['FORWARD'],
    pairs: [
      'confluent draft-07 #15: Detect changes to validation criteria in composed schema type',
      'confluent draft-07-combined #7: Detect incompatible change from oneOf to anyOf schema with fewer properties',
    ],
    why:
      'the new data are strings, which the old `oneOf` reader takes through its one string branch (its branches are ' +
      'disjoint); ours is Confluent’s rules read the other way, Apicurio judges the keyword alone',
  },
  {
    class: KEYWORD_ALONE,
    right: 'ours',
    modes: ['FORWARD'],
    pairs: ['confluent draft-07-combined #17: Detect incompatible change from oneOf to allOf schema'],
    why:
      'the new `allOf [number, string]` accepts no value, so the old reader has nothing to refuse; Confluent’s rules ' +
      'read the other way say compatible, Apicurio judges the keyword alone',
  },
  {
    class: KEYWORD_WIDENED,
    right: 'ours',
    modes: ['BACKWARD'],
    pairs: [
      'confluent draft-07-combined #7: Detect incompatible change from oneOf to anyOf schema with fewer properties',
    ],
    why:
      'old numbers meet a reader that only takes strings: incompatible, as Confluent’s example says (SUM_TYPE_NARROWED); ' +
      'Apicurio sees `oneOf`→`anyOf` as widening and stops there, a false “compatible”',
  },
  {
    class: KEYWORD_WIDENED,
    right: 'ours',
    modes: ['FORWARD'],
    pairs: [
      'confluent draft-07-combined #10: Detect compatible change from anyOf to oneOf schema with more properties',
    ],
    why:
      'new data may be numbers, which the old `anyOf [string]` reader refuses (ours: SUM_TYPE_NARROWED); Apicurio ' +
      'sees `oneOf`→`anyOf` as widening and stops there, a false “compatible”',
  },
  {
    class: DUPLICATE,
    right: 'ours',
    pairs: ['confluent draft-07-combined #1: Detect combined schema with duplicates in update'],
    why:
      '`allOf [string, string]` validates exactly like `allOf [string]`; Confluent’s example finds no change, Apicurio ' +
      'counts members (“all of size increased”)',
  },
  {
    class: NOT,
    right: 'ours',
    pairs: ['not narrowed'],
    why:
      'old data is neither string nor integer, so it is not a string either and the new `not {string}` reader accepts it; ' +
      'ours is Confluent’s NOT_TYPE_NARROWED',
  },
  {
    class: FALSE_PROPERTY,
    right: 'ours',
    pairs: ['confluent draft-07 #24: Detect removing false from closed content model'],
    why:
      '`foo: false` in a closed object forbids `foo` just as leaving it out does, so the schemas are equal; Confluent’s ' +
      'example says compatible (PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL)',
  },
  {
    class: UNREADABLE,
    right: 'ours',
    pairs: ['#/$defs ref to a schema kept under definitions'],
    why:
      'Apicurio answers HTTP 500 “key [$defs] not found”: it does not fall back from `#/$defs/X` to `definitions` as ' +
      'Confluent does, so it gives no verdict; ours follows Confluent',
  },
  {
    class: UNREADABLE,
    right: 'ours',
    pairs: [
      '2020-12: unevaluatedProperties: false added',
      '2020-12: prefixItems item added to a closed tuple',
      '2020-12: format added to an integer (ignored there)',
      '2020-12: dependentRequired narrowed',
    ],
    why:
      'Apicurio 3.3.3’s checker (everit, drafts 4–7) answers HTTP 500 “could not determine version” for a 2020-12 ' +
      '`$schema`, so it gives no verdict; Confluent reads 2020-12 and ours follows it',
  },
];

/** The judgement for one disagreement, when there is one. */
export function judgementFor(pair: string, mode: string): Judgement | undefined {
  const entry = ENTRIES.find(
    (e) => e.pairs.includes(pair) && (e.modes === undefined || e.modes.includes(mode)),
  );
  return entry === undefined ? undefined : { class: entry.class, right: entry.right, why: entry.why };
}
