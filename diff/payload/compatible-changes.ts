/**
 * Which differences leave a reader able to read the writer's data: Confluent's
 * `SchemaDiff.COMPATIBLE_CHANGES_STRICT` and `SchemaDiff.COMPATIBLE_CHANGES_LENIENT`
 * (json-schema-provider/…/json/diff/SchemaDiff.java), entry for entry.
 * Both the verdict and the diff itself use them: a oneOf branch only pairs with a
 * branch it is compatible with under the set in force.
 */
import type { DifferenceType } from './differences.ts';

const STRICT: readonly DifferenceType[] = [
  'ID_CHANGED',
  'DESCRIPTION_CHANGED',
  'TITLE_CHANGED',
  'DEFAULT_CHANGED',
  'SCHEMA_REMOVED',
  'TYPE_EXTENDED',

  'MAX_LENGTH_INCREASED',
  'MAX_LENGTH_REMOVED',
  'MIN_LENGTH_DECREASED',
  'MIN_LENGTH_REMOVED',
  'PATTERN_REMOVED',

  'MAXIMUM_INCREASED',
  'MAXIMUM_REMOVED',
  'MINIMUM_DECREASED',
  'MINIMUM_REMOVED',
  'EXCLUSIVE_MAXIMUM_INCREASED',
  'EXCLUSIVE_MAXIMUM_REMOVED',
  'EXCLUSIVE_MINIMUM_DECREASED',
  'EXCLUSIVE_MINIMUM_REMOVED',
  'MULTIPLE_OF_REDUCED',
  'MULTIPLE_OF_REMOVED',

  'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED',
  'REQUIRED_ATTRIBUTE_REMOVED',
  'DEPENDENCY_ARRAY_NARROWED',
  'DEPENDENCY_ARRAY_REMOVED',
  'DEPENDENCY_SCHEMA_REMOVED',
  'MAX_PROPERTIES_INCREASED',
  'MAX_PROPERTIES_REMOVED',
  'MIN_PROPERTIES_DECREASED',
  'MIN_PROPERTIES_REMOVED',
  'ADDITIONAL_PROPERTIES_ADDED',
  'ADDITIONAL_PROPERTIES_EXTENDED',
  'UNEVALUATED_PROPERTIES_ADDED',
  'UNEVALUATED_PROPERTIES_EXTENDED',
  'PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL',
  'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL',
  'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
  'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL',
  'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL',
  'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',

  'MAX_ITEMS_INCREASED',
  'MAX_ITEMS_REMOVED',
  'MIN_ITEMS_DECREASED',
  'MIN_ITEMS_REMOVED',
  'MAX_CONTAINS_INCREASED',
  'MAX_CONTAINS_REMOVED',
  'MIN_CONTAINS_DECREASED',
  'MIN_CONTAINS_REMOVED',
  'UNIQUE_ITEMS_REMOVED',
  'ADDITIONAL_ITEMS_ADDED',
  'ADDITIONAL_ITEMS_EXTENDED',
  'UNEVALUATED_ITEMS_ADDED',
  'UNEVALUATED_ITEMS_EXTENDED',
  'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL',
  'ITEM_ADDED_TO_CLOSED_CONTENT_MODEL',
  'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL',
  'ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL',
  'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',

  'ENUM_ARRAY_EXTENDED',

  'COMBINED_TYPE_EXTENDED',
  'PRODUCT_TYPE_NARROWED',
  'SUM_TYPE_EXTENDED',
  'NOT_TYPE_NARROWED',
];

/** What the lenient policy accepts on top of the strict set. */
const LENIENT_ONLY: readonly DifferenceType[] = [
  'ADDITIONAL_PROPERTIES_NARROWED',
  'ADDITIONAL_PROPERTIES_REMOVED',
  'UNEVALUATED_PROPERTIES_NARROWED',
  'UNEVALUATED_PROPERTIES_REMOVED',
  'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL',
  'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
  'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL',
  'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
  'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
];

/** Confluent's `COMPATIBLE_CHANGES_STRICT`: the registry's default policy. */
export const COMPATIBLE_CHANGES_STRICT: ReadonlySet<DifferenceType> = new Set(STRICT);

/** Confluent's `COMPATIBLE_CHANGES_LENIENT`: the strict set plus the open/closed content-model relaxations. */
export const COMPATIBLE_CHANGES_LENIENT: ReadonlySet<DifferenceType> = new Set([...STRICT, ...LENIENT_ONLY]);

/**
 * Who reads the data: `confluent`, the registry's model (a reader that ignores `format`
 * and fills in `default`s), or `validating`, a reader that validates every document as
 * it arrives, as the generated consumers (ajv with ajv-formats) and most JSON Schema
 * validators do: it checks `format`, and a `default` does not make a missing required
 * property present.
 */
export type Readers = 'confluent' | 'validating';

/** Compatible only for readers that fill in defaults before validating. */
const DEFAULT_FILLED: readonly DifferenceType[] = [
  'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED',
  'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL',
  'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL',
];

const VALIDATING_STRICT: ReadonlySet<DifferenceType> = validating(COMPATIBLE_CHANGES_STRICT);
const VALIDATING_LENIENT: ReadonlySet<DifferenceType> = validating(COMPATIBLE_CHANGES_LENIENT);

function validating(set: ReadonlySet<DifferenceType>): ReadonlySet<DifferenceType> {
  return new Set([...set].filter((t) => !DEFAULT_FILLED.includes(t)).concat('FORMAT_REMOVED'));
}

/** The set of compatible differences for the chosen policy and readers. */
export function compatibleChanges(
  lenient: boolean,
  readers: Readers = 'confluent',
): ReadonlySet<DifferenceType> {
  if (readers === 'validating') return lenient ? VALIDATING_LENIENT : VALIDATING_STRICT;
  return lenient ? COMPATIBLE_CHANGES_LENIENT : COMPATIBLE_CHANGES_STRICT;
}
