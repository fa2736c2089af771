/**
 * The masking service: masks the personal data in files the platform serves,
 * by the rule the file type's policy names.
 *
 * - POST /mask   scope platform:read; { fileType, text } (text ≤ 256 Ki characters)
 *       → { fileType, maskingRuleId, masked, counts: { email, phone, nationalId } }
 *       maskingRuleId null (no rule, or the rule was cleared): the text comes back unchanged
 * - GET /rules   scope platform:read → { rules: [{ fileType, maskingRuleId, occurredAt, updatedAt }] }
 *
 * Rules: `mask-email`, `mask-phone`, `mask-national-id`, `mask-pii` (rules.ts);
 * what each pattern finds and how it is masked: masking.ts.
 *
 * Consumer group `masking-service` (FilePolicyUpdated), written through
 * `context.db`: the latest update per file type wins (occurredAt, then
 * ce_time), a null rule clears it, the table survives restarts. An update
 * naming a rule this service does not know throws `UnknownMaskingRuleError`:
 * retried by the contract's policy, then dead-lettered, the file type's rule
 * unchanged.
 */
import type pg from 'pg';
import { createMaskingServiceGroup } from '../../generated/index.ts';
import type { ConsumerOptions, EventConsumerFactory } from '../../runtime/contract/events.ts';
import type { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { PLATFORM_READ } from '../policy-cache/check-route.ts';
import { createServiceApp, type ServiceApp } from '../shared/app.ts';
import { requirePrincipal } from '../shared/auth.ts';
import { startServiceConsumer } from '../shared/consumers.ts';
import type { ServiceLogger } from '../shared/logger.ts';
import type { BuiltService } from '../shared/server.ts';
import { jsonBody } from '../shared/validate.ts';
import { maskText } from './masking.ts';
import { allRules, applyFilePolicy, MASKING_RULES, ruleOf } from './rules.ts';
import { MAX_BODY_BYTES, maskRequestSchema } from './schemas.ts';

export const MASKING_SERVICE_GROUP = 'masking-service';

export interface MaskingServiceOptions {
  readonly pool: pg.Pool;
  readonly logger: ServiceLogger;
  readonly authSecret: string;
  /** Runs the `masking-service` consumer group when given. */
  readonly consumers?: EventConsumerFactory;
  readonly consumerOptions?: ConsumerOptions;
  readonly runtimeMetrics?: RuntimeMetrics;
  readonly defaultMetrics?: boolean;
}

export interface MaskingService extends BuiltService {
  readonly service: ServiceApp;
}

export function createMaskingService(options: MaskingServiceOptions): MaskingService {
  const { pool, logger } = options;
  const service = createServiceApp({
    name: 'masking-service',
    logger,
    pool,
    runtimeMetrics: options.runtimeMetrics,
    defaultMetrics: options.defaultMetrics,
    maxBodyBytes: MAX_BODY_BYTES,
  });
  const { app } = service;
  const auth = requirePrincipal(options.authSecret, PLATFORM_READ);

  app.post('/mask', auth, jsonBody(maskRequestSchema), async (c) => {
    const { fileType, text } = c.req.valid('json');
    const rule = await ruleOf(pool, fileType);
    const maskingRuleId = rule?.maskingRuleId ?? null;
    const kinds =
      maskingRuleId === null ? new Set<never>() : (MASKING_RULES[maskingRuleId] ?? new Set<never>());
    const { masked, counts } = maskText(text, kinds);
    return c.json({ fileType, maskingRuleId, masked, counts });
  });

  app.get('/rules', auth, async (c) => c.json({ rules: await allRules(pool) }));

  const consumer = startServiceConsumer(service, options, MASKING_SERVICE_GROUP, createMaskingServiceGroup, {
    filePolicyUpdated: {
      FilePolicyUpdated: async (event, { db }) => {
        await applyFilePolicy(db, event);
      },
    },
  });

  return {
    service,
    close: async () => {
      await consumer.stop();
    },
  };
}
