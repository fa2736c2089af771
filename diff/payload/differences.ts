/**
 * The kinds of change the payload diff reports between two JSON Schemas, with the
 * names of Confluent Schema Registry's `Difference.Type` enum
 * (json-schema-provider/…/json/diff/Difference.java), so a finding here reads the
 * same as the registry's refusal.
 *
 * "Original" is the schema the data was written with and "update" the one that
 * reads it (see compatibility.ts for which version plays which part in each mode).
 */

/** One kind of change between an original and an update schema. */
export type DifferenceType =
  /** `$id` changed. */
  | 'ID_CHANGED'
  /** `description` changed. */
  | 'DESCRIPTION_CHANGED'
  /** `title` changed. */
  | 'TITLE_CHANGED'
  /** `default` changed, appeared or went away. */
  | 'DEFAULT_CHANGED'
  /** A subschema (e.g. `items`) absent from the original is present in the update. */
  | 'SCHEMA_ADDED'
  /** A subschema present in the original is absent from the update. */
  | 'SCHEMA_REMOVED'
  /** The update accepts more types: `integer` became `number`. */
  | 'TYPE_EXTENDED'
  /** The update accepts fewer types: `number` became `integer`. */
  | 'TYPE_NARROWED'
  /** The schema is of another kind altogether (string ↔ object, plain ↔ combined, …). */
  | 'TYPE_CHANGED'
  /** `maxLength` added. */
  | 'MAX_LENGTH_ADDED'
  /** `maxLength` removed. */
  | 'MAX_LENGTH_REMOVED'
  /** `maxLength` raised. */
  | 'MAX_LENGTH_INCREASED'
  /** `maxLength` lowered. */
  | 'MAX_LENGTH_DECREASED'
  /** `minLength` added. */
  | 'MIN_LENGTH_ADDED'
  /** `minLength` removed. */
  | 'MIN_LENGTH_REMOVED'
  /** `minLength` raised. */
  | 'MIN_LENGTH_INCREASED'
  /** `minLength` lowered. */
  | 'MIN_LENGTH_DECREASED'
  /** `pattern` added. */
  | 'PATTERN_ADDED'
  /** `pattern` removed. */
  | 'PATTERN_REMOVED'
  /** `pattern` changed to another expression. */
  | 'PATTERN_CHANGED'
  /** String `format` added (not Confluent's, which ignores `format`; reported only for validating readers). */
  | 'FORMAT_ADDED'
  /** String `format` removed (not Confluent's; validating readers only). */
  | 'FORMAT_REMOVED'
  /** String `format` changed (not Confluent's; validating readers only). */
  | 'FORMAT_CHANGED'
  /** `maximum` added. */
  | 'MAXIMUM_ADDED'
  /** `maximum` removed. */
  | 'MAXIMUM_REMOVED'
  /** `maximum` raised. */
  | 'MAXIMUM_INCREASED'
  /** `maximum` lowered. */
  | 'MAXIMUM_DECREASED'
  /** `minimum` added. */
  | 'MINIMUM_ADDED'
  /** `minimum` removed. */
  | 'MINIMUM_REMOVED'
  /** `minimum` raised. */
  | 'MINIMUM_INCREASED'
  /** `minimum` lowered. */
  | 'MINIMUM_DECREASED'
  /** `exclusiveMaximum` added. */
  | 'EXCLUSIVE_MAXIMUM_ADDED'
  /** `exclusiveMaximum` removed. */
  | 'EXCLUSIVE_MAXIMUM_REMOVED'
  /** `exclusiveMaximum` raised. */
  | 'EXCLUSIVE_MAXIMUM_INCREASED'
  /** `exclusiveMaximum` lowered. */
  | 'EXCLUSIVE_MAXIMUM_DECREASED'
  /** `exclusiveMinimum` added. */
  | 'EXCLUSIVE_MINIMUM_ADDED'
  /** `exclusiveMinimum` removed. */
  | 'EXCLUSIVE_MINIMUM_REMOVED'
  /** `exclusiveMinimum` raised. */
  | 'EXCLUSIVE_MINIMUM_INCREASED'
  /** `exclusiveMinimum` lowered. */
  | 'EXCLUSIVE_MINIMUM_DECREASED'
  /** `multipleOf` added. */
  | 'MULTIPLE_OF_ADDED'
  /** `multipleOf` removed. */
  | 'MULTIPLE_OF_REMOVED'
  /** The new `multipleOf` is a multiple of the old one (fewer values pass). */
  | 'MULTIPLE_OF_EXPANDED'
  /** The old `multipleOf` is a multiple of the new one (more values pass). */
  | 'MULTIPLE_OF_REDUCED'
  /** `multipleOf` changed to a value that neither divides nor is divided by the old one. */
  | 'MULTIPLE_OF_CHANGED'
  /** A property that both schemas declare became required. */
  | 'REQUIRED_ATTRIBUTE_ADDED'
  /** A property that both schemas declare became required, and it has a `default`. */
  | 'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED'
  /** A property that both schemas declare is no longer required. */
  | 'REQUIRED_ATTRIBUTE_REMOVED'
  /** `maxProperties` added. */
  | 'MAX_PROPERTIES_ADDED'
  /** `maxProperties` removed. */
  | 'MAX_PROPERTIES_REMOVED'
  /** `maxProperties` raised. */
  | 'MAX_PROPERTIES_INCREASED'
  /** `maxProperties` lowered. */
  | 'MAX_PROPERTIES_DECREASED'
  /** `minProperties` added. */
  | 'MIN_PROPERTIES_ADDED'
  /** `minProperties` removed. */
  | 'MIN_PROPERTIES_REMOVED'
  /** `minProperties` raised. */
  | 'MIN_PROPERTIES_INCREASED'
  /** `minProperties` lowered. */
  | 'MIN_PROPERTIES_DECREASED'
  /** Additional properties were forbidden (`additionalProperties: false`) and now are allowed. */
  | 'ADDITIONAL_PROPERTIES_ADDED'
  /** Additional properties were allowed and now are forbidden (`additionalProperties: false`). */
  | 'ADDITIONAL_PROPERTIES_REMOVED'
  /** The `additionalProperties` schema was dropped: any additional property is now allowed. */
  | 'ADDITIONAL_PROPERTIES_EXTENDED'
  /** An `additionalProperties` schema was added where any additional property was allowed. */
  | 'ADDITIONAL_PROPERTIES_NARROWED'
  /** A property-dependency list (`dependencies`/`dependentRequired`) was added. */
  | 'DEPENDENCY_ARRAY_ADDED'
  /** A property-dependency list was removed. */
  | 'DEPENDENCY_ARRAY_REMOVED'
  /** A property-dependency list gained names. */
  | 'DEPENDENCY_ARRAY_EXTENDED'
  /** A property-dependency list lost names. */
  | 'DEPENDENCY_ARRAY_NARROWED'
  /** A property-dependency list both gained and lost names. */
  | 'DEPENDENCY_ARRAY_CHANGED'
  /** A schema dependency (`dependencies`/`dependentSchemas`) was added. */
  | 'DEPENDENCY_SCHEMA_ADDED'
  /** A schema dependency was removed. */
  | 'DEPENDENCY_SCHEMA_REMOVED'
  /** Deprecated in Confluent and never reported; kept so the names match its enum. */
  | 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL'
  /** A required property without `default` was added to an object that allowed any other property. */
  | 'REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL'
  /** A required property with a `default` was added to an object that allowed any other property. */
  | 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL'
  /** An optional property was added to an object that allowed any other property. */
  | 'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL'
  /** A property with the empty schema (`{}`/`true`) was added to an object that allowed any other property. */
  | 'PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL'
  /** A required property without `default` was added to a closed or partially open object. */
  | 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL'
  /** A required property with a `default` was added to a closed or partially open object. */
  | 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL'
  /** An optional property was added to a closed or partially open object. */
  | 'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL'
  /** A property was removed and the update allows any other property. */
  | 'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL'
  /** A property declared `false` was removed from an object that forbids other properties. */
  | 'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL'
  /** A property was removed from an object that forbids other properties. */
  | 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL'
  /** A property was removed and the update's `patternProperties`/`additionalProperties` schema still accepts it. */
  | 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
  /** A property was removed and the update's `patternProperties`/`additionalProperties` schema does not accept it. */
  | 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
  /** A property was added that the original's `patternProperties`/`additionalProperties` schema already accepted. */
  | 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
  /** A property was added that the original's `patternProperties`/`additionalProperties` schema did not accept. */
  | 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
  /** Confluent's reserved-property metadata lost a name (not reported here: no metadata in payloads). */
  | 'RESERVED_PROPERTY_REMOVED'
  /** A property clashes with Confluent's reserved-property metadata (not reported here). */
  | 'RESERVED_PROPERTY_CONFLICTS_WITH_PROPERTY'
  /** Unevaluated properties were forbidden (`unevaluatedProperties: false`) and now are allowed. */
  | 'UNEVALUATED_PROPERTIES_ADDED'
  /** Unevaluated properties were allowed and now are forbidden. */
  | 'UNEVALUATED_PROPERTIES_REMOVED'
  /** The `unevaluatedProperties` schema was dropped or became `true`. */
  | 'UNEVALUATED_PROPERTIES_EXTENDED'
  /** An `unevaluatedProperties` schema was added where anything was allowed. */
  | 'UNEVALUATED_PROPERTIES_NARROWED'
  /** `maxItems` added. */
  | 'MAX_ITEMS_ADDED'
  /** `maxItems` removed. */
  | 'MAX_ITEMS_REMOVED'
  /** `maxItems` raised. */
  | 'MAX_ITEMS_INCREASED'
  /** `maxItems` lowered. */
  | 'MAX_ITEMS_DECREASED'
  /** `minItems` added. */
  | 'MIN_ITEMS_ADDED'
  /** `minItems` removed. */
  | 'MIN_ITEMS_REMOVED'
  /** `minItems` raised. */
  | 'MIN_ITEMS_INCREASED'
  /** `minItems` lowered. */
  | 'MIN_ITEMS_DECREASED'
  /** `maxContains` added. */
  | 'MAX_CONTAINS_ADDED'
  /** `maxContains` removed. */
  | 'MAX_CONTAINS_REMOVED'
  /** `maxContains` raised. */
  | 'MAX_CONTAINS_INCREASED'
  /** `maxContains` lowered. */
  | 'MAX_CONTAINS_DECREASED'
  /** `minContains` added. */
  | 'MIN_CONTAINS_ADDED'
  /** `minContains` removed. */
  | 'MIN_CONTAINS_REMOVED'
  /** `minContains` raised. */
  | 'MIN_CONTAINS_INCREASED'
  /** `minContains` lowered. */
  | 'MIN_CONTAINS_DECREASED'
  /** `uniqueItems: true` added. */
  | 'UNIQUE_ITEMS_ADDED'
  /** `uniqueItems: true` removed. */
  | 'UNIQUE_ITEMS_REMOVED'
  /** Items past the tuple were forbidden and now are allowed. */
  | 'ADDITIONAL_ITEMS_ADDED'
  /** Items past the tuple were allowed and now are forbidden. */
  | 'ADDITIONAL_ITEMS_REMOVED'
  /** The schema for items past the tuple was dropped: any such item is allowed. */
  | 'ADDITIONAL_ITEMS_EXTENDED'
  /** A schema for items past the tuple was added where any item was allowed. */
  | 'ADDITIONAL_ITEMS_NARROWED'
  /** Unevaluated items were forbidden (`unevaluatedItems: false`) and now are allowed. */
  | 'UNEVALUATED_ITEMS_ADDED'
  /** Unevaluated items were allowed and now are forbidden. */
  | 'UNEVALUATED_ITEMS_REMOVED'
  /** The `unevaluatedItems` schema was dropped or became `true`. */
  | 'UNEVALUATED_ITEMS_EXTENDED'
  /** An `unevaluatedItems` schema was added where anything was allowed. */
  | 'UNEVALUATED_ITEMS_NARROWED'
  /** A tuple position was added to an array that allowed any further item. */
  | 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL'
  /** A tuple position with the empty schema was added to an array that allowed any further item. */
  | 'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL'
  /** A tuple position was added to an array that forbade further items. */
  | 'ITEM_ADDED_TO_CLOSED_CONTENT_MODEL'
  /** A tuple position was removed and the update allows any further item. */
  | 'ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL'
  /** A tuple position declared `false` was removed from an array that forbids further items. */
  | 'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL'
  /** A tuple position was removed from an array that forbids further items. */
  | 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL'
  /** A tuple position was removed and the update's schema for further items still accepts it. */
  | 'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
  /** A tuple position was removed and the update's schema for further items does not accept it. */
  | 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
  /** A tuple position was added that the original's schema for further items already accepted. */
  | 'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
  /** A tuple position was added that the original's schema for further items did not accept. */
  | 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
  /** `enum` gained values. */
  | 'ENUM_ARRAY_EXTENDED'
  /** `enum` lost values. */
  | 'ENUM_ARRAY_NARROWED'
  /** `enum` both gained and lost values, or `const` changed. */
  | 'ENUM_ARRAY_CHANGED'
  /** `allOf`/`anyOf`/`oneOf` changed to a keyword that accepts at least as much (e.g. oneOf → anyOf). */
  | 'COMBINED_TYPE_EXTENDED'
  /** `allOf`/`anyOf`/`oneOf` changed to a keyword that may accept less (e.g. anyOf → oneOf). */
  | 'COMBINED_TYPE_CHANGED'
  /** An `allOf` gained subschemas. */
  | 'PRODUCT_TYPE_EXTENDED'
  /** An `allOf` lost subschemas, or a plain schema replaced an `allOf` that held it. */
  | 'PRODUCT_TYPE_NARROWED'
  /** An `anyOf`/`oneOf` gained branches, or one replaced a plain schema it holds. */
  | 'SUM_TYPE_EXTENDED'
  /** An `anyOf`/`oneOf` lost branches. */
  | 'SUM_TYPE_NARROWED'
  /** The subschemas of a combined schema could not all be paired with compatible ones. */
  | 'COMBINED_TYPE_SUBSCHEMAS_CHANGED'
  /** The schema under `not` now matches less, so the whole accepts less. */
  | 'NOT_TYPE_EXTENDED'
  /** The schema under `not` now matches at most as much, so the whole accepts at least as much. */
  | 'NOT_TYPE_NARROWED';

/**
 * One change found by the diff: its kind and where, as a JSON-pointer fragment into
 * the original schema's keywords in Confluent's form (`#/properties/id/maxLength`;
 * `#/` is the root). A `$ref` is transparent: the path goes on from where it is used.
 */
export interface Difference {
  readonly type: DifferenceType;
  readonly path: string;
}
