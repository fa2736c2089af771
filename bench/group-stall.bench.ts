/**
 * `npm run bench:group-stall [-- --setups a,b --rate 300 --members 3 --partitions 6 --settle-ms 3000 --observe-ms 60000]`:
 * how long a consumer group stops delivering when one of its members dies.
 *
 * Per setup (bench/group-stall/setups.ts): a fresh topic, a producer writing
 * `--rate` records/s spread evenly over the partitions (each value is its send
 * time), `--members` members in child processes. Once every partition delivers
 * with under a second of latency and every member holds partitions (KIP-848
 * groups spread their assignment over several heartbeats), and `--settle-ms`
 * more, member 0 is killed with SIGKILL (no leave, no
 * commit: a crash) and, where the setup says so, restarted. Measured from the
 * records sent after the kill:
 *
 * - survivors: the worst send → handle latency on the partitions the surviving
 *   members held (a stop-the-world rebalance shows here);
 * - orphaned: the worst latency on the killed member's partitions (how long
 *   until someone picks them up);
 * - silence: the longest stretch in which no member handled anything.
 *
 * Writes bench/results/group-stall-<timestamp>.json and .md. Needs Kafka
 * (`KAFKA_BROKERS`, default 127.0.0.1:9092).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { kafkaBrokersFromEnv } from '../runtime/kafka/kafkajs.ts';
import { createKafkajsProducer } from '../runtime/kafka/kafkajs-producer.ts';
import type { OutgoingRecord } from '../runtime/kafka/records.ts';
import { applyTopics } from '../runtime/topics/apply.ts';
import { SETUPS, type StallSetup } from './group-stall/setups.ts';
import { formatResults } from './harness/format-results.ts';
import { sleep } from './harness/resources.ts';

const { values } = parseArgs({
  options: {
    setups: { type: 'string' },
    rate: { type: 'string', default: '300' },
    members: { type: 'string', default: '3' },
    partitions: { type: 'string', default: '6' },
    'observe-ms': { type: 'string' },
    'settle-ms': { type: 'string', default: '3000' },
  },
});

const RATE = positive('rate', values.rate);
const MEMBERS = positive('members', values.members);
const PARTITIONS = positive('partitions', values.partitions);
const brokers = kafkaBrokersFromEnv();
const run = randomBytes(3).toString('hex');
const memberScript = fileURLToPath(new URL('./group-stall/member.ts', import.meta.url));

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${text}`);
  return n;
}

const chosen = values.setups
  ? values.setups.split(',').map((name) => {
      const setup = SETUPS.find((s) => s.name === name.trim());
      if (!setup)
        throw new Error(`--setups: unknown setup ${name}; known: ${SETUPS.map((s) => s.name).join(', ')}`);
      return setup;
    })
  : SETUPS;

interface Delivery {
  readonly member: number;
  readonly partition: number;
  readonly sentAt: number;
  readonly handledAt: number;
}

interface Member {
  readonly index: number;
  readonly child: ChildProcess;
  readonly joined: Promise<void>;
}

function startMember(
  index: number,
  setup: StallSetup,
  topic: string,
  group: string,
  sink: Delivery[],
): Member {
  const options = setup.member(index);
  const child = spawn(
    process.execPath,
    [memberScript, brokers.join(','), topic, group, JSON.stringify(options)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let rest = '';
  const joined = new Promise<void>((resolve, reject) => {
    child.once('exit', (code, signal) =>
      reject(new Error(`member ${index} exited (${code ?? signal}) before joining`)),
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('latin1')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'joined') {
          resolve();
          continue;
        }
        const [partition, sentAt, handledAt] = line.split(' ').map(Number);
        if (partition === undefined || sentAt === undefined || handledAt === undefined) continue;
        sink.push({ member: index, partition, sentAt, handledAt });
      }
    });
  });
  joined.catch(() => {});
  return { index, child, joined };
}

interface StallResult {
  readonly setup: string;
  readonly description: string;
  readonly killedPartitions: number[];
  readonly survivorsWorstLatencyMs: number;
  readonly orphanedWorstLatencyMs: number;
  readonly silenceMs: number;
  readonly recordsSentAfterKill: number;
  /** Sent after the kill and not handled by the end of the observation (counted in the worst latency as waiting until then). */
  readonly recordsNeverHandled: number;
}

async function measure(setup: StallSetup): Promise<StallResult> {
  const topic = `bench.stall.${run}.${setup.name}`;
  const group = `bench-stall-${run}-${setup.name}`;
  await applyTopics(brokers, [
    { name: topic, kind: 'event', partitions: PARTITIONS, replicas: 1, config: {} },
  ]);
  const producer = createKafkajsProducer({ brokers, clientId: `bench-stall-${run}`, compression: 'none' });
  await producer.connect();

  let sent = 0;
  /** Every record sent: partition and send time. */
  const sentRecords: { partition: number; at: number }[] = [];
  let producing = true;
  const tickMs = 20;
  const perTick = Math.max(1, Math.round((RATE * tickMs) / 1000));
  const producing$ = (async () => {
    while (producing) {
      const at = Date.now();
      const records: OutgoingRecord[] = [];
      for (let i = 0; i < perTick; i++, sent++) {
        const partition = sent % PARTITIONS;
        records.push({ topic, partition, key: null, value: String(at), headers: {} });
        sentRecords.push({ partition, at });
      }
      await producer.send(records);
      await sleep(Math.max(0, tickMs - (Date.now() - at)));
    }
  })();

  const deliveries: Delivery[] = [];
  const members: Member[] = [];
  try {
    for (let i = 0; i < MEMBERS; i++) members.push(startMember(i, setup, topic, group, deliveries));
    await Promise.all(members.map((m) => m.joined));
    await waitSteady(deliveries, 120_000);
    await sleep(Number(values['settle-ms']));

    const killAt = Date.now();
    const victim = members[0]!;
    const killedPartitions = [
      ...new Set(
        deliveries.filter((d) => d.member === 0 && d.handledAt > killAt - 2_000).map((d) => d.partition),
      ),
    ].sort((a, b) => a - b);
    const owners = new Map<number, Set<number>>();
    for (const d of deliveries) {
      if (d.handledAt <= killAt - 2_000) continue;
      const set = owners.get(d.member) ?? new Set<number>();
      set.add(d.partition);
      owners.set(d.member, set);
    }
    console.error(
      `  partitions per member before the kill: ${[...owners].map(([m, ps]) => `${m}: ${[...ps].sort((a, b) => a - b).join(',')}`).join(' · ')}`,
    );
    victim.child.kill('SIGKILL');
    if (setup.restartAfterMs !== undefined) {
      await sleep(setup.restartAfterMs);
      members[0] = startMember(0, setup, topic, group, deliveries);
    }
    const observeMs =
      values['observe-ms'] !== undefined
        ? positive('observe-ms', values['observe-ms'])
        : setup.member(0).sessionTimeoutMs + 30_000;
    await sleep(Math.max(0, killAt + observeMs - Date.now()));
    producing = false;
    await producing$;
    await sleep(3_000);

    const after = deliveries.filter((d) => d.sentAt >= killAt);
    const worst = (keep: (d: Delivery) => boolean) =>
      after.filter(keep).reduce((max, d) => Math.max(max, d.handledAt - d.sentAt), 0);
    // A record never handled counts as waiting until the end of the observation.
    const handled = new Set(after.map((d) => `${d.partition}:${d.sentAt}`));
    const end = Date.now();
    const sentAfterKill = sentRecords.filter((r) => r.at >= killAt);
    const neverHandled = sentAfterKill.filter((r) => !handled.has(`${r.partition}:${r.at}`));
    const handledTimes = [killAt, ...after.map((d) => d.handledAt).sort((a, b) => a - b)];
    let silenceMs = 0;
    for (let i = 1; i < handledTimes.length; i++) {
      silenceMs = Math.max(silenceMs, handledTimes[i]! - handledTimes[i - 1]!);
    }
    return {
      setup: setup.name,
      description: setup.description,
      killedPartitions,
      survivorsWorstLatencyMs: worst((d) => !killedPartitions.includes(d.partition)),
      orphanedWorstLatencyMs: Math.max(
        worst((d) => killedPartitions.includes(d.partition)),
        ...neverHandled.map((r) => end - r.at),
      ),
      silenceMs,
      recordsSentAfterKill: sentAfterKill.length,
      recordsNeverHandled: neverHandled.length,
    };
  } finally {
    producing = false;
    await producing$.catch(() => {});
    for (const m of members) m.child.kill('SIGTERM');
    await producer.disconnect();
  }
}

/** Until every partition has delivered a record sent in the last second with under a second of latency. */
async function waitSteady(deliveries: readonly Delivery[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const now = Date.now();
    const fresh = new Set(
      deliveries
        .filter((d) => d.sentAt > now - 1_000 && d.handledAt - d.sentAt < 1_000)
        .map((d) => d.partition),
    );
    if (fresh.size === PARTITIONS) return;
    await sleep(200);
  }
  throw new Error(
    `group-stall: the group did not deliver from all ${PARTITIONS} partitions within ${timeoutMs} ms`,
  );
}

const results: StallResult[] = [];
for (const setup of chosen) {
  console.error(`group-stall: ${setup.name} …`);
  const result = await measure(setup);
  console.error(
    `  survivors ${result.survivorsWorstLatencyMs} ms · orphaned ${result.orphanedWorstLatencyMs} ms · silence ${result.silenceMs} ms`,
  );
  results.push(result);
}

const stamp = new Date()
  .toISOString()
  .replace(/[:]/g, '-')
  .replace(/\.\d+Z$/, 'Z');
const command = `npm run bench:group-stall -- ${process.argv.slice(2).join(' ')}`.trim();
const environment = {
  cores: availableParallelism(),
  node: process.version,
  brokers,
  rate: RATE,
  members: MEMBERS,
  partitions: PARTITIONS,
};
const dir = fileURLToPath(new URL('./results/', import.meta.url));
await mkdir(dir, { recursive: true });
await writeFile(
  `${dir}group-stall-${stamp}.json`,
  `${JSON.stringify({ command, environment, results }, null, 2)}\n`,
);
const table = [
  '| setup | killed partitions | survivors worst latency | orphaned worst latency | longest silence |',
  '| --- | --- | --- | --- | --- |',
  ...results.map(
    (r) =>
      `| ${r.setup}: ${r.description} | ${r.killedPartitions.join(', ')} | ${(r.survivorsWorstLatencyMs / 1000).toFixed(1)} s | ${(r.orphanedWorstLatencyMs / 1000).toFixed(1)} s | ${(r.silenceMs / 1000).toFixed(1)} s |`,
  ),
];
const md = [
  `# Consumer group stall after a member is killed (${stamp})`,
  '',
  `\`${command}\` · ${environment.cores} cores · Node ${environment.node} · ${MEMBERS} members · ${PARTITIONS} partitions · ${RATE} records/s`,
  '',
  ...table,
  '',
].join('\n');
await writeFile(`${dir}group-stall-${stamp}.md`, md);
await formatResults([`${dir}group-stall-${stamp}.json`, `${dir}group-stall-${stamp}.md`]);
console.log(md);
process.exit(0);
