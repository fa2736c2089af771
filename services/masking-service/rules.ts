/**
 * The masking rules the service knows, by the id a FilePolicyUpdated names,
 * and the file type → rule table it keeps (`masking_rules`).
 *
 * - `mask-email`, `mask-phone`, `mask-national-id`: one kind of personal data each;
 * - `mask-pii`: all three.
 * A rule id the service does not know can never be applied, however often the
 * event is retried: the handler throws `UnknownMaskingRuleError`, a
 * `NonRetriableError`, so the record goes to the dead-letter topic at once,
 * and the rule of the file type stays as it was.
 *
 * The table keeps the latest update per file type — by occurredAt, then the
 * event's ce_time — so a redelivery, a replay or an older update arriving late
 * changes nothing. A null rule is kept as a row too (files of the type are not
 * masked), so an older update cannot bring a cleared rule back.
 */
import type pg from 'pg';
import type { FilePolicyUpdated } from '../../generated/index.ts';
import { NonRetriableError } from '../../runtime/consume/errors.ts';
import { type MaskedData, MASKING_RULES as RULE_CATALOG } from '../file-policy/masking-rules.ts';
import type { PersonalDataKind } from './masking.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

const KIND: Readonly<Record<MaskedData, PersonalDataKind>> = {
  email: 'email',
  phone: 'phone',
  'national-id': 'nationalId',
};

/** What each rule masks: the one catalogue of rule ids (file-policy/masking-rules.ts), in this service's terms. */
export const MASKING_RULES: Readonly<Record<string, ReadonlySet<PersonalDataKind>>> = Object.fromEntries(
  Object.entries(RULE_CATALOG).map(([id, rule]) => [id, new Set(rule.masks.map((m) => KIND[m]))]),
);

/** Retrying cannot help: a non-retriable error, dead-lettered at once (reason `non-retriable`). */
export class UnknownMaskingRuleError extends NonRetriableError {
  readonly maskingRuleId: string;
  readonly fileType: string;
  constructor(maskingRuleId: string, fileType: string) {
    super(
      `masking-service: FilePolicyUpdated for file type ${JSON.stringify(fileType)} names the masking rule ` +
        `${JSON.stringify(maskingRuleId)}, which this service does not know (known: ${Object.keys(MASKING_RULES).join(', ')})`,
    );
    this.maskingRuleId = maskingRuleId;
    this.fileType = fileType;
  }
}

export function isKnownRule(id: string): boolean {
  return Object.hasOwn(MASKING_RULES, id);
}

/** Stores the update unless a later one is held; throws `UnknownMaskingRuleError` first for an unknown rule. */
export async function applyFilePolicy(
  db: Queryable,
  event: { readonly id: string; readonly time: string; readonly payload: FilePolicyUpdated },
): Promise<boolean> {
  const p = event.payload;
  if (p.maskingRuleId !== null && !isKnownRule(p.maskingRuleId)) {
    throw new UnknownMaskingRuleError(p.maskingRuleId, p.fileType);
  }
  const { rowCount } = await db.query(
    `INSERT INTO masking_rules (file_type, masking_rule_id, occurred_at, event_time, event_id, updated_at)
     VALUES ($1, $2, $3, $4, $5, clock_timestamp())
     ON CONFLICT (file_type) DO UPDATE SET
       masking_rule_id = EXCLUDED.masking_rule_id,
       occurred_at = EXCLUDED.occurred_at,
       event_time = EXCLUDED.event_time,
       event_id = EXCLUDED.event_id,
       updated_at = EXCLUDED.updated_at
     WHERE (masking_rules.occurred_at, masking_rules.event_time) < (EXCLUDED.occurred_at, EXCLUDED.event_time)`,
    [p.fileType, p.maskingRuleId, p.occurredAt, event.time, event.id],
  );
  return rowCount === 1;
}

export interface FileRuleView {
  readonly fileType: string;
  readonly maskingRuleId: string | null;
  readonly occurredAt: string;
  readonly updatedAt: string;
}

interface Row {
  file_type: string;
  masking_rule_id: string | null;
  occurred_at: Date;
  updated_at: Date;
}

const view = (r: Row): FileRuleView => ({
  fileType: r.file_type,
  maskingRuleId: r.masking_rule_id,
  occurredAt: r.occurred_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export async function ruleOf(db: Queryable, fileType: string): Promise<FileRuleView | undefined> {
  const { rows } = await db.query<Row>(
    'SELECT file_type, masking_rule_id, occurred_at, updated_at FROM masking_rules WHERE file_type = $1',
    [fileType],
  );
  return rows[0] ? view(rows[0]) : undefined;
}

export async function allRules(db: Queryable): Promise<FileRuleView[]> {
  const { rows } = await db.query<Row>(
    'SELECT file_type, masking_rule_id, occurred_at, updated_at FROM masking_rules ORDER BY file_type',
  );
  return rows.map(view);
}
