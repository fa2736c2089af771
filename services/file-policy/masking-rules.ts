/**
 * The masking rules the masking service knows, by id: the only values the
 * file-policy service accepts as a file type's `maskingRuleId`. One list for
 * both sides of FilePolicyUpdated: the masking service imports it too
 * (`services/file-policy/masking-rules.ts`), so a rule the file module
 * accepts is always one the masking service can apply. Adding a rule means
 * implementing it in the masking service and adding it here, in one change.
 */

/** Kinds of personal data a rule masks. */
export type MaskedData = 'email' | 'phone' | 'national-id';

export const MASKING_RULES = {
  'mask-email': { masks: ['email'], description: 'e-mail addresses' },
  'mask-phone': { masks: ['phone'], description: 'telephone numbers' },
  'mask-national-id': { masks: ['national-id'], description: 'national identification numbers' },
  'mask-pii': {
    masks: ['email', 'phone', 'national-id'],
    description: 'all personal data: e-mail addresses, telephone numbers and national identification numbers',
  },
} as const satisfies Record<string, { readonly masks: readonly MaskedData[]; readonly description: string }>;

export type MaskingRuleId = keyof typeof MASKING_RULES;

/** The known ids, sorted. */
export const MASKING_RULE_IDS: readonly MaskingRuleId[] = (
  Object.keys(MASKING_RULES) as MaskingRuleId[]
).sort();

export function isMaskingRuleId(value: string): value is MaskingRuleId {
  return Object.hasOwn(MASKING_RULES, value);
}
