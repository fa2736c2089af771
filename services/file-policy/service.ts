/**
 * The file-policy service (the platform server's file module,
 * `backend/server` file module, as its own app): the masking rule of each
 * file type, published as FilePolicyUpdated.
 *
 * - PUT    /file-types/:fileType/masking-rule  file-policy:write  { maskingRuleId }
 *          → 200 { filePolicy, changed }; a rule the masking service does not know is 400 listing the known ids
 * - DELETE /file-types/:fileType/masking-rule  file-policy:write  → 200 { filePolicy, changed } (maskingRuleId null)
 * - GET    /file-types/:fileType               platform:read → { filePolicy }
 * - GET    /file-types?after&limit             platform:read → { filePolicies, nextAfter } by file type
 * - GET    /masking-rules                      platform:read → { maskingRules: [{ id, masks, description }] }
 *
 * `filePolicy` is `{ fileType, maskingRuleId, updatedAt, updatedBy }`; a file
 * type never set has `maskingRuleId`, `updatedAt` and `updatedBy` null (not
 * masked) rather than 404: every file type has a policy, most the default.
 * Setting the rule a file type already has, or clearing an unset one,
 * changes nothing: 200 with `changed: false`, no event, nothing written.
 * Every change writes FilePolicyUpdated (the rule now in force, null when
 * cleared) into the schema's outbox in the same transaction, after locking
 * the file type's row, so the events of one file type (the partition key)
 * are in change order. Clearing is DELETE only; PUT needs a rule.
 */
import type pg from 'pg';
import { filePolicyUpdatedOutbox } from '../../generated/index.ts';
import type { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createOutboxWriter } from '../../runtime/outbox/write.ts';
import type { SchemaVersionPins } from '../../runtime/produce/schema-versions.ts';
import { createServiceApp, type ServiceApp } from '../shared/app.ts';
import { requirePrincipal } from '../shared/auth.ts';
import { withTransaction } from '../shared/db.ts';
import { HttpError } from '../shared/errors.ts';
import type { ServiceLogger } from '../shared/logger.ts';
import { noQuerySchema } from '../shared/schemas.ts';
import type { BuiltService } from '../shared/server.ts';
import { jsonBody, pathParams, queryParams } from '../shared/validate.ts';
import { isMaskingRuleId, MASKING_RULE_IDS, MASKING_RULES } from './masking-rules.ts';
import { fileTypeParamsSchema, listQuerySchema, maskingRuleSchema } from './schemas.ts';

export const READ_SCOPE = 'platform:read';
export const WRITE_SCOPE = 'file-policy:write';

export interface FilePolicyServiceOptions {
  readonly pool: pg.Pool;
  readonly schema: string;
  /** Events to publish in an earlier major version during a migration window (`EVENT_SCHEMA_VERSIONS`, ServiceConfig). */
  readonly schemaVersions?: SchemaVersionPins;
  readonly logger: ServiceLogger;
  readonly authSecret: string;
  readonly runtimeMetrics?: RuntimeMetrics;
  readonly defaultMetrics?: boolean;
}

export interface FilePolicyService extends BuiltService {
  readonly service: ServiceApp;
}

export interface FilePolicy {
  fileType: string;
  /** null: files of this type are not masked. */
  maskingRuleId: string | null;
  /** null for a file type never set. */
  updatedAt: string | null;
  updatedBy: string | null;
}

interface PolicyRow {
  file_type: string;
  masking_rule_id: string | null;
  updated_at: Date;
  updated_by: string;
}

const COLUMNS = 'file_type, masking_rule_id, updated_at, updated_by';
const NOW_MS = "date_trunc('milliseconds', clock_timestamp())";

const view = (r: PolicyRow): FilePolicy => ({
  fileType: r.file_type,
  maskingRuleId: r.masking_rule_id,
  updatedAt: r.updated_at.toISOString(),
  updatedBy: r.updated_by,
});

const unset = (fileType: string): FilePolicy => ({
  fileType,
  maskingRuleId: null,
  updatedAt: null,
  updatedBy: null,
});

type Queryable = Pick<pg.ClientBase, 'query'>;

/** The file type's row, locked until the transaction ends; undefined when it was never set. */
async function lockedPolicy(db: Queryable, fileType: string): Promise<PolicyRow | undefined> {
  const { rows } = await db.query<PolicyRow>(
    `SELECT ${COLUMNS} FROM file_type_policies WHERE file_type = $1 FOR UPDATE`,
    [fileType],
  );
  return rows[0];
}

export function createFilePolicyService(options: FilePolicyServiceOptions): FilePolicyService {
  const { pool, logger } = options;
  const service = createServiceApp({
    name: 'file-policy',
    logger,
    pool,
    runtimeMetrics: options.runtimeMetrics,
    defaultMetrics: options.defaultMetrics,
  });
  const { app } = service;
  const policyEvents = filePolicyUpdatedOutbox(
    createOutboxWriter({ schema: options.schema, schemaVersions: options.schemaVersions }),
  );
  const read = requirePrincipal(options.authSecret, READ_SCOPE);
  const write = requirePrincipal(options.authSecret, WRITE_SCOPE);

  /** Sets (a rule) or clears (null) the file type's rule in one transaction with its event; or nothing, when it is already so. */
  function change(fileType: string, rule: string | null, by: string) {
    return withTransaction(pool, async (db): Promise<{ filePolicy: FilePolicy; changed: boolean }> => {
      let current = await lockedPolicy(db, fileType);
      let stored: PolicyRow | undefined;
      if (!current && rule !== null) {
        const inserted = await db.query<PolicyRow>(
          `INSERT INTO file_type_policies (file_type, masking_rule_id, updated_at, updated_by)
           VALUES ($1, $2, ${NOW_MS}, $3)
           ON CONFLICT (file_type) DO NOTHING
           RETURNING ${COLUMNS}`,
          [fileType, rule, by],
        );
        stored = inserted.rows[0];
        // Lost to a concurrent first set of the same type (ON CONFLICT waited for it): lock its row.
        if (!stored) current = await lockedPolicy(db, fileType);
      }
      if (!stored) {
        if ((current?.masking_rule_id ?? null) === rule) {
          return { filePolicy: current ? view(current) : unset(fileType), changed: false };
        }
        const updated = await db.query<PolicyRow>(
          `UPDATE file_type_policies SET masking_rule_id = $2, updated_at = ${NOW_MS}, updated_by = $3
            WHERE file_type = $1 RETURNING ${COLUMNS}`,
          [fileType, rule, by],
        );
        stored = updated.rows[0]!;
      }
      await policyEvents.write(
        db,
        {
          type: 'FilePolicyUpdated',
          payload: { fileType, maskingRuleId: rule, occurredAt: stored.updated_at.toISOString() },
        },
        { time: stored.updated_at },
      );
      return { filePolicy: view(stored), changed: true };
    });
  }

  app.put(
    '/file-types/:fileType/masking-rule',
    write,
    pathParams(fileTypeParamsSchema),
    jsonBody(maskingRuleSchema),
    async (c) => {
      const { fileType } = c.req.valid('param');
      const { maskingRuleId } = c.req.valid('json');
      if (!isMaskingRuleId(maskingRuleId)) {
        throw new HttpError(400, 'validation', {
          fields: [
            {
              path: '/body/maskingRuleId',
              message: `is not a masking rule the masking service knows; known: ${MASKING_RULE_IDS.join(', ')}`,
            },
          ],
          knownMaskingRuleIds: MASKING_RULE_IDS,
        });
      }
      return c.json(await change(fileType, maskingRuleId, c.get('principal').subject));
    },
  );

  app.delete('/file-types/:fileType/masking-rule', write, pathParams(fileTypeParamsSchema), async (c) => {
    const { fileType } = c.req.valid('param');
    return c.json(await change(fileType, null, c.get('principal').subject));
  });

  app.get(
    '/file-types/:fileType',
    read,
    pathParams(fileTypeParamsSchema),
    queryParams(noQuerySchema),
    async (c) => {
      const { fileType } = c.req.valid('param');
      const { rows } = await pool.query<PolicyRow>(
        `SELECT ${COLUMNS} FROM file_type_policies WHERE file_type = $1`,
        [fileType],
      );
      return c.json({ filePolicy: rows[0] ? view(rows[0]) : unset(fileType) });
    },
  );

  app.get('/file-types', read, queryParams(listQuerySchema), async (c) => {
    const query = c.req.valid('query');
    // file_type is ASCII (its CHECK): COLLATE "C" is the order of the pattern's characters everywhere.
    const { rows } = await pool.query<PolicyRow>(
      `SELECT ${COLUMNS} FROM file_type_policies
        WHERE $1::text IS NULL OR file_type COLLATE "C" > $1
        ORDER BY file_type COLLATE "C" LIMIT $2`,
      [query.after ?? null, query.limit + 1],
    );
    const page = rows.slice(0, query.limit);
    return c.json({
      filePolicies: page.map(view),
      nextAfter: rows.length > query.limit ? (page.at(-1)?.file_type ?? null) : null,
    });
  });

  app.get('/masking-rules', read, queryParams(noQuerySchema), (c) =>
    c.json({ maskingRules: MASKING_RULE_IDS.map((id) => ({ id, ...MASKING_RULES[id] })) }),
  );

  return { service, close: async () => {} };
}
