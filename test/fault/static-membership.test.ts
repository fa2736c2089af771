/**
 * Static membership on @platformatic/kafka (whatever KAFKA_CLIENT says: kafkajs has none). A
 * static member is killed with SIGKILL, so it never leaves the group; a new process with the
 * same instance id takes its partition back at once, while the session timeout (45 s) has not
 * run out, and the other member keeps its own partition: no rebalance moved anything. Without
 * static membership the new process would be a new member whose join waits for the dead one's
 * session to expire.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { createPlatformaticConsumer } from '../../runtime/kafka/platformatic-consumer.ts';
import { allowOtherClientPorts } from '../support/client-guard.ts';
import { useInfrastructure } from '../support/context.ts';
import { eventually } from '../support/eventually.ts';
import { createTopic, deleteTopics, runId } from '../support/outbox-fixtures.ts';

allowOtherClientPorts('@platformatic/kafka features tested whatever client the run chose');

const CHILD = path.join(import.meta.dirname, 'static-member-child.ts');
const infra = useInfrastructure();
const brokers = infra.kafkaBrokers;
const run = runId();
const topic = `static-membership-${run}`;
const groupId = `static-membership-${run}`;
const children: ChildProcess[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

interface Child {
  readonly process: ChildProcess;
  readonly lines: Record<string, unknown>[];
  partitions(): Set<number>;
  values(): string[];
}

function startChild(): Child {
  const child = spawn(process.execPath, [CHILD], {
    env: {
      ...process.env,
      KAFKA_BROKERS: brokers.join(','),
      CHILD_GROUP: groupId,
      CHILD_INSTANCE: `member-a-${run}`,
      CHILD_TOPIC: topic,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a line of ours
    }
  });
  const batches = () => lines.filter((l) => typeof l.partition === 'number');
  return {
    process: child,
    lines,
    partitions: () => new Set(batches().map((l) => l.partition as number)),
    values: () => batches().flatMap((l) => l.values as string[]),
  };
}

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

describe('a static member killed and restarted with its instance id', () => {
  it('gets its partition back before its session times out, and the other member keeps its own', async () => {
    await createTopic(brokers, topic, 2);
    cleanups.push(() => deleteTopics(brokers, [topic]));
    const kafka = createKafka({ brokers, clientId: `static-membership-${run}` });
    const producer = kafka.producer();
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    let sent = 0;
    const probe = async () => {
      sent++;
      await producer.send({
        topic,
        messages: [0, 1].map((partition) => ({ partition, value: `probe-${sent}-${partition}` })),
      });
    };

    const a = startChild();
    await eventually(() => a.lines.some((l) => l.joined), Boolean, 60_000, 'member a joined');
    const bPartitions = new Set<number>();
    const bValues: string[] = [];
    const b = createPlatformaticConsumer({
      brokers,
      groupId,
      sessionTimeoutMs: 45_000,
      heartbeatIntervalMs: 1_000,
      maxWaitTimeMs: 300,
    });
    cleanups.push(() => b.stop());
    await b.start([topic], async (batch, scope) => {
      bPartitions.add(batch.partition);
      for (const r of batch.records) {
        bValues.push(r.value!.toString());
        scope.acknowledge(r.offset);
      }
    });
    // Once the group has settled, each member handles the probe records of one partition.
    const splitProbe = () => {
      for (let k = sent; k >= 1; k--) {
        const ofA = a.values().filter((v) => v.startsWith(`probe-${k}-`));
        const ofB = bValues.filter((v) => v.startsWith(`probe-${k}-`));
        if (ofA.length === 1 && ofB.length === 1) return ofA[0];
      }
      return undefined;
    };
    const settled = await eventually(
      async () => {
        await probe();
        return splitProbe();
      },
      (probeOfA) => probeOfA !== undefined,
      90_000,
      'one partition each',
      1_000,
    );
    const partitionOfA = Number(settled!.split('-').at(-1));
    const partitionOfB = 1 - partitionOfA;
    const bPartitionsBefore = new Set(bPartitions);

    a.process.kill('SIGKILL');
    await new Promise((resolve) => a.process.once('exit', resolve));
    const bBefore = bValues.length;
    const again = startChild();
    // Well inside the 45 s session timeout: only a static member's rejoin can be this quick.
    await eventually(
      async () => {
        await probe();
        return again.partitions();
      },
      (partitions) => partitions.has(partitionOfA),
      25_000,
      'the restarted member handling its partition again',
      1_000,
    );
    expect([...again.partitions()]).toEqual([partitionOfA]);
    const bSince = bValues.slice(bBefore);
    expect(bSince.length).toBeGreaterThan(0);
    expect(bSince.every((v) => v.endsWith(`-${partitionOfB}`))).toBe(true);
    expect([...bPartitionsBefore]).toEqual([partitionOfB]);
    expect([...bPartitions]).toEqual([partitionOfB]);
  }, 240_000);
});
