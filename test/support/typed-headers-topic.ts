/**
 * A topic definition, written by hand the way the generator writes one, whose
 * event declares typed application headers beside the envelope: a required
 * integer, an optional boolean, number, enum string and JSON object. For the
 * runtime's unit tests (prepareEvent, decide); the generator's own output is
 * proved on the broker in test/integration/application-headers.test.ts.
 */
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { EventDefinition, TopicDefinition } from '../../runtime/contract/definitions.ts';

export const typedHeadersSchema = {
  type: 'object',
  required: ['ce_id', 'retryCount'],
  properties: {
    ce_id: { type: 'string', format: 'uuid' },
    retryCount: { type: 'integer', minimum: 0 },
    urgent: { type: 'boolean' },
    ratio: { type: 'number' },
    priority: { type: 'string', enum: ['low', 'high'] },
    meta: {
      type: 'object',
      additionalProperties: false,
      required: ['origin'],
      properties: { origin: { type: 'string' }, hops: { type: 'array', items: { type: 'integer' } } },
    },
  },
  additionalProperties: { type: 'string' },
} as const;

export interface Job {
  readonly jobId: string;
}

export interface JobHeaders {
  ce_id: string;
  retryCount: number;
  urgent?: boolean;
  ratio?: number;
  priority?: 'low' | 'high';
  meta?: { origin: string; hops?: number[] };
  [key: string]: unknown;
}

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats.default(ajv);

export const jobQueuedEvent: EventDefinition<'JobQueued', Job, JobHeaders> = {
  type: 'JobQueued',
  topic: 'jobs.events',
  source: 'urn:test:jobs',
  schemaVersion: 1,
  contentType: 'application/json',
  partitionKey: (payload) => payload.jobId,
  partitionKeyExpression: '$message.payload#/jobId',
  validatePayload: ajv.compile<Job>({
    type: 'object',
    additionalProperties: false,
    required: ['jobId'],
    properties: { jobId: { type: 'string' } },
  }),
  validateHeaders: ajv.compile<JobHeaders>(typedHeadersSchema),
  headerFields: { meta: 'json', ratio: 'number', retryCount: 'integer', urgent: 'boolean' },
  requiredHeaders: ['retryCount'],
};

export const jobsTopic: TopicDefinition<{ JobQueued: Job }> = {
  name: 'jobs.events',
  spec: { name: 'jobs.events', kind: 'event', partitions: 1, replicas: 1, config: {} },
  events: { JobQueued: jobQueuedEvent as EventDefinition<'JobQueued', Job, unknown> },
};
