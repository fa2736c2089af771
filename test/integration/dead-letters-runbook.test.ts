/**
 * docs/runbook-dead-letters.md works as written: every `npm run dlq -- …` and `psql …` line of its
 * shell blocks runs through bash, in order, and exits 0, against dead letters this test writes
 * (a failing chat consumer group, a refused record, a platform dead letter without a reason as
 * Spring writes them). Only names are mapped onto this test's own: the topics
 * `user.events.dlq` / `domain.permission-changed.dlq`, the group `notification-consumer-group`,
 * the ledger schema `dead_letters`, and the placeholders `<partition>:<offset>`, `<offset>`,
 * `<event-id>`. The alert rules are checked against the metrics the runtime registers (names,
 * labels). Nothing is written to the contracts' own topics.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import { Histogram } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { eventExamples } from '../../generated/examples.ts';
import { permissionChangedTopic } from '../../generated/topics.ts';
import { type ConsumerRuntime, createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { int32, int64 } from '../../runtime/consume/dead-letter.ts';
import type { TopicDefinition } from '../../runtime/contract/definitions.ts';
import type { ReceivedEvent } from '../../runtime/contract/events.ts';
import type { KafkaProducerPort } from '../../runtime/kafka/producer-port.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { prepareEvent } from '../../runtime/produce/prepare-event.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import {
  connectProducer,
  createTopics,
  deleteTopics,
  dropSchema,
  prepareSchema,
  produce,
  readTopic,
  recordingLogger,
  registeredGroup,
  registeredRecord,
  runId,
  schemaPool,
  testKafka,
  topicEnd,
  userEventsTestTopic,
  waitFor,
} from './consumer-support.ts';

const RUNBOOK = path.join(import.meta.dirname, '..', '..', 'docs', 'runbook-dead-letters.md');
const infra = useInfrastructure();
const run = runId();
const schema = `dlq_runbook_it_${run}`;
const ledgerSchema = `dlq_runbook_ledger_it_${run}`;
const chatTopic = userEventsTestTopic(`it.runbook.${run}.user.events`, 3);
const platformTopic: TopicDefinition = {
  ...permissionChangedTopic,
  name: `it.runbook.${run}.domain.permission-changed`,
  spec: {
    ...permissionChangedTopic.spec,
    name: `it.runbook.${run}.domain.permission-changed`,
    replicas: 1,
    deadLetterTopic: `it.runbook.${run}.domain.permission-changed.dlq`,
  },
} as TopicDefinition;
const groupId = `it-runbook-notification-${run}`;

let kafka: Kafka;
let pool: pg.Pool;
let producer: Producer;
let deadLetterProducer: KafkaProducerPort;
let runtime: ConsumerRuntime;

/** The runbook's shell lines that run something, in order. */
async function runbookCommands(): Promise<string[]> {
  const text = await readFile(RUNBOOK, 'utf8');
  const lines: string[] = [];
  for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of block[1]!.split('\n')) {
      const trimmed = line.trim();
      if (trimmed.startsWith('npm run dlq -- ') || trimmed.startsWith('psql ')) lines.push(trimmed);
    }
  }
  return lines;
}

function bash(line: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', line], {
      env: {
        ...process.env,
        KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        DATABASE_URL: infra.databaseUrl,
        DLQ_LEDGER_SCHEMA: ledgerSchema,
        USER: 'runbook-test',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

type Registered = ReceivedEvent<'UserRegistered', { user_id: number }, Record<string, string>>;

beforeAll(async () => {
  kafka = testKafka(infra.kafkaBrokers, `dlq-runbook-it-${run}`);
  await prepareSchema(infra.databaseUrl, schema);
  pool = schemaPool(infra.databaseUrl, schema);
  producer = await connectProducer(kafka);
  deadLetterProducer = testKafkaClients().producer({ compression: 'none' });
  await createTopics(infra.kafkaBrokers, chatTopic);
  await createTopics(infra.kafkaBrokers, platformTopic);

  // Chat: a group whose handler fails every attempt, and a record of a type the contract lacks.
  const failing = [registeredRecord(6001, { partition: 0 }), registeredRecord(6002, { partition: 0 })];
  const base = registeredRecord(6003, { partition: 1 });
  await produce(producer, chatTopic.name, [
    ...failing,
    { ...base, headers: { ...base.headers, ce_id: randomUUID(), ce_type: 'UserDeleted' } },
  ]);
  runtime = createConsumerRuntime({
    kafka: testKafkaClients(),
    pool,
    deadLetterProducer,
    metrics: new RuntimeMetrics(),
    logger: recordingLogger(),
  });
  const consumer = runtime.create(
    registeredGroup(groupId, chatTopic),
    {
      userEvents: {
        UserRegistered: async (event: Registered) => {
          if (event.payload.user_id < 6003)
            throw new TypeError(`profile store rejected ${event.payload.user_id}`);
        },
      },
    },
    { groupId },
  );
  await consumer.ready;
  await waitFor(
    'three chat dead letters',
    async () => (await topicEnd(kafka, `${chatTopic.name}.dlq`)) === 3n || undefined,
    60_000,
  );
  await consumer.stop();

  // Platform: a dead letter as a Spring service writes it (no kafka_dlt-reason), group `server`.
  const example = eventExamples.PermissionChanged[0]!.payload;
  const prepared = prepareEvent(permissionChangedTopic, { type: 'PermissionChanged', payload: example });
  await producer.send({
    topic: `${platformTopic.name}.dlq`,
    acks: -1,
    messages: [
      {
        partition: 0,
        key: prepared.key,
        value: prepared.value,
        headers: {
          ...prepared.headers,
          'kafka_dlt-exception-fqcn': 'org.springframework.kafka.listener.ListenerExecutionFailedException',
          'kafka_dlt-exception-cause-fqcn': 'java.lang.IllegalStateException',
          'kafka_dlt-exception-message': 'Listener failed; permission cache unavailable',
          'kafka_dlt-exception-stacktrace':
            'org.springframework.kafka.listener.ListenerExecutionFailedException: Listener failed',
          'kafka_dlt-original-topic': platformTopic.name,
          'kafka_dlt-original-partition': int32(0),
          'kafka_dlt-original-offset': int64('0'),
          'kafka_dlt-original-timestamp': int64(String(Date.now())),
          'kafka_dlt-original-timestamp-type': 'CreateTime',
          'kafka_dlt-original-consumer-group': 'server',
        },
      },
    ],
  });
}, 180_000);

afterAll(async () => {
  await runtime?.stopAll();
  await producer?.disconnect();
  await deadLetterProducer?.disconnect();
  await pool?.end();
  await deleteTopics(kafka, [
    chatTopic.name,
    `${chatTopic.name}.dlq`,
    platformTopic.name,
    `${platformTopic.name}.dlq`,
  ]);
  await dropSchema(infra.databaseUrl, schema);
  await dropSchema(infra.databaseUrl, ledgerSchema);
});

describe('docs/runbook-dead-letters.md', () => {
  it('every command runs as written and exits 0', async () => {
    const letters = await readTopic(kafka, `${chatTopic.name}.dlq`);
    const failed = letters.find((l) => l.headers['kafka_dlt-reason']?.toString() === 'handler-failed')!;
    const names: [RegExp, string][] = [
      [/\bdomain\.permission-changed\.dlq\b/g, `${platformTopic.name}.dlq`],
      [/\buser\.events\.dlq\b/g, `${chatTopic.name}.dlq`],
      [/\bnotification-consumer-group\b/g, groupId],
      [/\bdead_letters\./g, `${ledgerSchema}.`],
      [/<partition>:<offset>/g, `${failed.partition}:${failed.offset}`],
      [/<offset>/g, failed.offset],
      [/<event-id>/g, failed.headers.ce_id!.toString()],
    ];
    const commands = await runbookCommands();
    const subcommands = new Set(commands.filter((c) => c.startsWith('npm')).map((c) => c.split(/\s+/)[4]));
    expect([...subcommands].sort()).toEqual(['discard', 'list', 'replay', 'show']);
    expect(commands.filter((c) => c.startsWith('psql'))).toHaveLength(2);

    const outputs: string[] = [];
    for (const command of commands) {
      const line = names.reduce((text, [pattern, value]) => text.replace(pattern, value), command);
      const result = await bash(line);
      expect(result.code, `${command}\n${result.err}`).toBe(0);
      expect(result.out.trim(), command).not.toBe('');
      outputs.push(`$ ${command}\n${result.out}`);
    }
    const all = outputs.join('\n');
    if (process.env.DLQ_RUNBOOK_PRINT === '1') console.log(all);
    // What the runbook says the commands show.
    expect(all).toMatch(/handler-failed\s+HandlerFailedError ← TypeError/);
    expect(all).toMatch(/unknown-type\s+UnknownEventTypeError/);
    expect(all).toMatch(
      /\(none\)\s+org\.springframework\.kafka\.listener\.ListenerExecutionFailedException ← java\.lang\.IllegalStateException\s+server/,
    );
    expect(all).toContain('profile store fixed in 1.4.2');
    expect(all).toMatch(/replayed\s+\|[^|\n]+\|\s+runbook-test/); // the psql ledger query
    console.log(`[runbook] ${commands.length} commands ran as written (names mapped onto the test's topics)`);
  }, 300_000);

  it('the alert rules use metrics and labels the runtime registers', async () => {
    const text = await readFile(RUNBOOK, 'utf8');
    const yamlBlock = /```yaml\n([\s\S]*?)```/.exec(text)?.[1];
    expect(yamlBlock).toBeDefined();
    const rules = (
      parse(yamlBlock!) as { groups: { rules: { alert: string; expr: string }[] }[] }
    ).groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThanOrEqual(5);
    const labelsOf = new Map<string, Set<string>>();
    for (const metric of new RuntimeMetrics().registry.getMetricsAsArray()) {
      // prom-client's Metric type does not expose these two fields, which every metric has.
      const { name, labelNames } = metric as unknown as { name: string; labelNames: readonly string[] };
      labelsOf.set(name, new Set(labelNames));
      if (metric instanceof Histogram) labelsOf.set(`${name}_bucket`, new Set([...labelNames, 'le']));
    }
    for (const rule of rules) {
      const used = [...rule.expr.matchAll(/\b([a-z_]+_(?:total|lag|seconds|bucket|backlog))\b/g)].map(
        (m) => m[1]!,
      );
      expect(used.length, rule.alert).toBeGreaterThan(0);
      for (const metric of used) {
        expect(labelsOf.has(metric), `${rule.alert}: ${metric} is not a runtime metric`).toBe(true);
      }
      const labels = [
        ...[...rule.expr.matchAll(/by \(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((l) => l.trim())),
        ...[...rule.expr.matchAll(/\{([a-z_]+)=~?"/g)].map((m) => m[1]!),
      ];
      for (const label of labels) {
        expect(
          used.some((metric) => labelsOf.get(metric)!.has(label)),
          `${rule.alert}: no metric of it has a label ${label}`,
        ).toBe(true);
      }
    }
  });
});
