/**
 * Helpers of the fault tests: the relay CLI as a child process (so it can be
 * SIGKILLed like a crashed pod), writers that keep writing sequenced events,
 * and the per-key order and loss check of what arrived.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { eventExamples } from '../../generated/index.ts';
import type { TopicDefinition } from '../../runtime/contract/definitions.ts';
import { lockKeyOf, quoteIdent } from '../../runtime/db/migrate.ts';
import { OUTBOX_TABLE, writeToOutbox } from '../../runtime/outbox/write.ts';
import type { ReadRecord } from '../support/kafka-reader.ts';

const REPO = path.resolve(import.meta.dirname, '..', '..');
/** Node 24 from the `node` dev dependency (the relay CLI is TypeScript run by type stripping). */
const NODE = existsSync(path.join(REPO, 'node_modules', '.bin', 'node'))
  ? path.join(REPO, 'node_modules', '.bin', 'node')
  : process.execPath;

export interface RelayProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** The child's stderr (JSON log lines), for diagnostics. */
  readonly log: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startRelayProcess(
  name: string,
  env: { databaseUrl: string; brokers: readonly string[]; schema: string; extra?: Record<string, string> },
): RelayProcess {
  const child = spawn(NODE, [path.join(REPO, 'runtime', 'relay', 'cli.ts')], {
    cwd: REPO,
    env: {
      ...process.env,
      DATABASE_URL: env.databaseUrl,
      KAFKA_BROKERS: env.brokers.join(','),
      OUTBOX_SCHEMA: env.schema,
      RELAY_INSTANCE_ID: name,
      LOG_LEVEL: 'info',
      ...env.extra,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const log: string[] = [];
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    log.push(...chunk.split('\n').filter((l) => l.length > 0));
    if (log.length > 2000) log.splice(0, log.length - 2000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    name,
    child,
    log,
    exited,
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Lanes held per relay instance, read from pg_locks (the instance id is in `application_name`). */
export async function lanesByInstance(db: pg.Pool, schema: string): Promise<Map<string, number>> {
  const { rows } = await db.query<{ instance: string; lanes: number }>(
    `SELECT split_part(a.application_name, ' ', 2) AS instance, count(*)::int AS lanes
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
        AND l.classid = $1::int8::oid AND l.objid < 64
      GROUP BY 1`,
    [lockKeyOf(`${schema}.${OUTBOX_TABLE}`)],
  );
  return new Map(rows.map((r) => [r.instance, r.lanes]));
}

/** The lanes one relay instance holds, read from pg_locks (the instance id is in `application_name`). */
export async function lanesOf(db: pg.Pool, schema: string, instance: string): Promise<number[]> {
  const { rows } = await db.query<{ lane: number }>(
    `SELECT l.objid::int AS lane
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
        AND l.classid = $1::int8::oid AND l.objid < 64
        AND split_part(a.application_name, ' ', 2) = $2
      ORDER BY 1`,
    [lockKeyOf(`${schema}.${OUTBOX_TABLE}`), instance],
  );
  return rows.map((r) => r.lane);
}

/** Event ids of the unpublished rows in `lanes`. */
export async function unpublishedIn(
  db: pg.Pool,
  schema: string,
  lanes: readonly number[],
): Promise<string[]> {
  const { rows } = await db.query<{ event_id: string }>(
    `SELECT event_id::text FROM ${quoteIdent(schema)}.${OUTBOX_TABLE}
      WHERE published_at IS NULL AND lane = ANY($1::smallint[]) ORDER BY id`,
    [lanes],
  );
  return rows.map((r) => r.event_id);
}

export async function outboxCounts(
  db: pg.Pool,
  schema: string,
): Promise<{ total: number; unpublished: number }> {
  const { rows } = await db.query<{ total: number; unpublished: number }>(
    `SELECT count(*)::int AS total, (count(*) FILTER (WHERE published_at IS NULL))::int AS unpublished
       FROM ${quoteIdent(schema)}.${OUTBOX_TABLE}`,
  );
  return rows[0]!;
}

/**
 * Writers of sequenced events: each transaction bumps a room's counter (the
 * row lock serializes writers of one room) and writes that many MessageSent
 * events numbered in `content`.
 */
export class SequencedWriters {
  readonly ids = new Set<string>();
  readonly #db: pg.Pool;
  readonly #schema: string;
  readonly #topic: TopicDefinition;
  readonly #rooms: number;
  #stopped = false;
  transactions = 0;
  failedTransactions = 0;

  constructor(db: pg.Pool, schema: string, topic: TopicDefinition, rooms: number) {
    this.#db = db;
    this.#schema = schema;
    this.#topic = topic;
    this.#rooms = rooms;
  }

  async setUp(): Promise<void> {
    const s = quoteIdent(this.#schema);
    await this.#db.query(`CREATE TABLE ${s}.room_seq (room_id int PRIMARY KEY, seq int NOT NULL DEFAULT 0)`);
    await this.#db.query(`INSERT INTO ${s}.room_seq (room_id) SELECT generate_series(1, ${this.#rooms})`);
  }

  /** Writes `transactions` transactions of up to `perTransaction` events, or until `stop()`. */
  async run(transactions: number, perTransaction: number, pauseMs = 0): Promise<void> {
    const base = eventExamples.MessageSent[0]!.payload;
    const s = quoteIdent(this.#schema);
    for (let i = 0; i < transactions && !this.#stopped; i++) {
      const room = 1 + Math.floor(Math.random() * this.#rooms);
      const n = 1 + Math.floor(Math.random() * perTransaction);
      const client = await this.#db.connect();
      try {
        await client.query('BEGIN');
        const { rows } = await client.query(
          `UPDATE ${s}.room_seq SET seq = seq + $2 WHERE room_id = $1 RETURNING seq`,
          [room, n],
        );
        const last = rows[0].seq as number;
        const events = Array.from({ length: n }, (_, k) => ({
          type: 'MessageSent',
          payload: { ...base, message_id: randomUUID(), room_id: room, content: `seq ${last - n + 1 + k}` },
        }));
        const prepared = await writeToOutbox(client, this.#topic, events, { schema: this.#schema });
        await client.query('COMMIT');
        for (const p of prepared) this.ids.add(p.id);
        this.transactions++;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        this.failedTransactions++;
        throw err;
      } finally {
        client.release();
      }
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  stop(): void {
    this.#stopped = true;
  }

  /** The last sequence number written per room. */
  async lastSequences(): Promise<Map<number, number>> {
    const { rows } = await this.#db.query<{ room_id: number; seq: number }>(
      `SELECT room_id, seq FROM ${quoteIdent(this.#schema)}.room_seq`,
    );
    return new Map(rows.map((r) => [r.room_id, r.seq]));
  }
}

export interface DeliveryCheck {
  readonly written: number;
  readonly delivered: number;
  readonly missing: number;
  readonly duplicates: number;
  /** Rooms whose first copies did not arrive as 1, 2, 3, ... */
  readonly outOfOrder: string[];
}

/** Loss, duplicates and per-key order (of each event's first copy) of what was read. */
export function checkDelivery(
  written: ReadonlySet<string>,
  records: readonly ReadRecord[],
  lastSequences: ReadonlyMap<number, number>,
): DeliveryCheck {
  const seen = new Set<string>();
  const last = new Map<number, number>();
  const outOfOrder: string[] = [];
  let duplicates = 0;
  for (const record of records) {
    const id = record.headers.ce_id ?? '';
    if (!written.has(id)) continue;
    if (seen.has(id)) {
      duplicates++;
      continue;
    }
    seen.add(id);
    const payload = JSON.parse(record.value ?? '{}') as { room_id: number; content: string };
    const seq = Number(payload.content.split(' ')[1]);
    const expected = (last.get(payload.room_id) ?? 0) + 1;
    if (seq !== expected && outOfOrder.length < 20) {
      outOfOrder.push(`room ${payload.room_id}: ${seq} after ${expected - 1}`);
    }
    last.set(payload.room_id, Math.max(seq, last.get(payload.room_id) ?? 0));
  }
  for (const [room, seq] of lastSequences) {
    if ((last.get(room) ?? 0) !== seq && outOfOrder.length < 20) {
      outOfOrder.push(`room ${room}: last ${last.get(room) ?? 0}, written ${seq}`);
    }
  }
  return {
    written: written.size,
    delivered: seen.size,
    missing: written.size - seen.size,
    duplicates,
    outOfOrder,
  };
}

export async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
