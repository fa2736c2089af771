/**
 * `npm run dlq -- <list|show|replay|discard> …`: what is in the dead-letter topics, why each
 * record failed, replaying records to their original topic once, discarding them for good.
 *
 *   npm run dlq -- list [topic…] [--json]
 *   npm run dlq -- show <dlq-topic> <partition>:<offset> | --event-id <id> [--json]
 *   npm run dlq -- replay <dlq-topic> <selection> [--force] [--dry-run] [--note "<why>"] [--by <name>] [--json]
 *   npm run dlq -- discard <dlq-topic> <selection> --reason "<why>" [--force] [--dry-run] [--by <name>] [--json]
 *
 *   selection: --partition p [--from o] [--to o] | --event-id id | --reason r | --group g | --all
 *              (criteria combine; --reason none: dead letters without a reason; in discard, where
 *              --reason is why, the dead letters' reason is --dlt-reason r)
 *
 * Kafka from KAFKA_BROKERS (default 127.0.0.1:9092), the ledger in DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test), schema DLQ_LEDGER_SCHEMA or --ledger-schema (default
 * dead_letters). Exit codes: 0 done, 1 a failure of Kafka or PostgreSQL (or a replay that did not
 * finish), 2 bad input.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { redactUrl } from '../../infra/check.ts';
import '../../infra/cli/quiet-warnings.ts';
import { DEFAULT_DATABASE_URL } from '../db/migrate.ts';
import { createKafkaClients } from '../kafka/client.ts';
import { createKafka, kafkaBrokersFromEnv } from '../kafka/kafkajs.ts';
import type { KafkaProducerPort } from '../kafka/producer-port.ts';
import {
  type DeadLetterTool,
  discardDeadLetters,
  listDeadLetters,
  replayDeadLetters,
  showDeadLetter,
} from './dead-letters.ts';
import { UsageError } from './errors.ts';
import { formatAction, formatList, formatShow } from './format.ts';
import { DEFAULT_LEDGER_SCHEMA, Ledger } from './ledger.ts';
import { parsePosition, parseSelection } from './selection.ts';
import { deadLetterTopic, declaredDeadLetterTopics } from './topics.ts';

export const USAGE = `usage: npm run dlq -- <command> …

  list [dlq-topic…]                          record counts per reason, exception and consumer group
  show <dlq-topic> <partition>:<offset>      one record, headers decoded, payload
  show <dlq-topic> --event-id <id>           the records carrying an event id
  replay <dlq-topic> <selection>             send records back to their original topic, once
         [--force] [--dry-run] [--note "<why>"] [--by <name>]
  discard <dlq-topic> <selection> --reason "<why>" [--force] [--dry-run] [--by <name>]

  selection: --partition p [--from o] [--to o] | --event-id id | --reason r | --group g | --all
             (replay: --reason r is the dead letters' kafka_dlt-reason; discard: say --dlt-reason r,
             since --reason is why you discard; --reason none: dead letters without one)
  every command: --json (machine-readable), --ledger-schema <schema> (default ${DEFAULT_LEDGER_SCHEMA})

Kafka: KAFKA_BROKERS (default 127.0.0.1:9092); ledger: DATABASE_URL. Exit 2 on bad input, 1 on failure.`;

export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const OPTIONS = {
  json: { type: 'boolean' },
  partition: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  'event-id': { type: 'string' },
  reason: { type: 'string' },
  'dlt-reason': { type: 'string' },
  note: { type: 'string' },
  group: { type: 'string' },
  all: { type: 'boolean' },
  force: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  by: { type: 'string' },
  'ledger-schema': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** Options a command does not take are bad input, not silently ignored. */
const ALLOWED: Record<string, readonly (keyof typeof OPTIONS)[]> = {
  list: ['json', 'ledger-schema', 'help'],
  show: ['json', 'event-id', 'ledger-schema', 'help'],
  replay: [
    'json',
    'partition',
    'from',
    'to',
    'event-id',
    'reason',
    'dlt-reason',
    'note',
    'group',
    'all',
    'force',
    'dry-run',
    'by',
    'ledger-schema',
    'help',
  ],
  discard: [
    'json',
    'partition',
    'from',
    'to',
    'event-id',
    'reason',
    'dlt-reason',
    'group',
    'all',
    'force',
    'dry-run',
    'by',
    'ledger-schema',
    'help',
  ],
};

function parse(argv: readonly string[]): { command: string; positionals: string[]; values: Values } {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const [command, ...positionals] = parsed.positionals;
  if (parsed.values.help && command === undefined)
    return { command: 'help', positionals, values: parsed.values };
  if (command === undefined) throw new UsageError('no command given');
  const allowed = ALLOWED[command];
  if (!allowed) throw new UsageError(`unknown command ${command}`);
  for (const [name, value] of Object.entries(parsed.values)) {
    if (value !== undefined && !allowed.includes(name as keyof typeof OPTIONS)) {
      throw new UsageError(`${command} takes no --${name}`);
    }
  }
  return { command, positionals, values: parsed.values };
}

function selectionOf(values: Values, command: 'replay' | 'discard') {
  if (command === 'replay' && values.reason !== undefined && values['dlt-reason'] !== undefined) {
    throw new UsageError('--reason and --dlt-reason both select by kafka_dlt-reason: give one');
  }
  // For replay, --reason is the dead letters' reason; for discard it is why they are discarded.
  const reason = values['dlt-reason'] ?? (command === 'replay' ? values.reason : undefined);
  return parseSelection({
    ...(values.partition !== undefined ? { partition: values.partition } : {}),
    ...(values.from !== undefined ? { from: values.from } : {}),
    ...(values.to !== undefined ? { to: values.to } : {}),
    ...(values['event-id'] !== undefined ? { eventId: values['event-id'] } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(values.group !== undefined ? { group: values.group } : {}),
    ...(values.all ? { all: true } : {}),
  });
}

function oneTopic(command: string, positionals: readonly string[], extra = 0): string {
  const [topic] = positionals;
  if (topic === undefined) throw new UsageError(`${command} needs a dead-letter topic`);
  if (positionals.length > 1 + extra) throw new UsageError(`unexpected argument ${positionals[1 + extra]}`);
  return deadLetterTopic(topic).name;
}

/** Runs one command; resolves with the exit code. Never throws. */
export async function runDlqCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  io: CliIo = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) },
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`dlq: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  const { command, positionals, values } = parsed;
  if (command === 'help' || values.help) {
    io.out(USAGE);
    return 0;
  }
  const json = values.json ?? false;
  const print = (data: unknown, text: () => string) =>
    io.out(
      json ? JSON.stringify(data, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v), 2) : text(),
    );

  const brokers = kafkaBrokersFromEnv(env);
  const databaseUrl = env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const schema = values['ledger-schema'] ?? (env.DLQ_LEDGER_SCHEMA || DEFAULT_LEDGER_SCHEMA);
  const operator = values.by ?? (env.USER || env.LOGNAME || 'unknown');
  let pool: pg.Pool | undefined;
  let producer: KafkaProducerPort | undefined;
  try {
    // Bad input is refused before anything connects.
    let act: (tool: DeadLetterTool) => Promise<number>;
    switch (command) {
      case 'list': {
        const topics =
          positionals.length > 0 ? positionals.map((t) => deadLetterTopic(t)) : declaredDeadLetterTopics();
        act = async (tool) => {
          const summaries = await listDeadLetters(tool, topics, { requireExisting: positionals.length > 0 });
          print({ topics: summaries }, () => formatList(summaries));
          return 0;
        };
        break;
      }
      case 'show': {
        const eventId = values['event-id'];
        const topic = oneTopic('show', positionals, eventId === undefined ? 1 : 0);
        const target =
          eventId !== undefined
            ? { eventId }
            : positionals[1] !== undefined
              ? parsePosition(positionals[1])
              : undefined;
        if (!target) throw new UsageError('show needs <partition>:<offset> or --event-id <id>');
        act = async (tool) => {
          const letters = await showDeadLetter(tool, topic, target);
          print({ records: letters.map((l) => ({ ...l.view, ledger: l.ledger ?? null })) }, () =>
            formatShow(letters),
          );
          return 0;
        };
        break;
      }
      case 'replay':
      case 'discard': {
        const topic = oneTopic(command, positionals);
        const selection = selectionOf(values, command);
        const common = {
          operator,
          ...(command === 'replay' && values.note !== undefined ? { reason: values.note } : {}),
          force: values.force ?? false,
          dryRun: values['dry-run'] ?? false,
        };
        if (command === 'discard' && (values.reason === undefined || values.reason.trim() === '')) {
          throw new UsageError('discard needs --reason "<why these records are never to be replayed>"');
        }
        act = async (tool) => {
          const report =
            command === 'replay'
              ? await replayDeadLetters(tool, topic, selection, common)
              : await discardDeadLetters(tool, topic, selection, { ...common, reason: values.reason! });
          print(report, () => formatAction(report));
          return report.error ? 1 : 0;
        };
        break;
      }
      default:
        throw new UsageError(`unknown command ${command}`);
    }

    const kafka = createKafka({ brokers, clientId: 'dlq-tool' });
    pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
    if (command === 'replay' && !values['dry-run']) {
      producer = createKafkaClients({ brokers, clientId: 'dlq-tool-replay' }).producer();
    }
    return await act({ kafka, ledger: new Ledger(pool, schema), ...(producer ? { producer } : {}) });
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`dlq: ${error.message}`);
      return 2;
    }
    io.err(`dlq ${command} failed: ${describeFailure(error, brokers, databaseUrl)}`);
    if (env.DLQ_DEBUG === '1' && error instanceof Error && error.stack) io.err(error.stack);
    return 1;
  } finally {
    await producer?.disconnect().catch(() => {});
    await pool?.end().catch(() => {});
  }
}

function describeFailure(error: unknown, brokers: readonly string[], databaseUrl: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : '';
  if (name.startsWith('KafkaJS')) return `Kafka at ${brokers.join(',')}: ${message}`;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (/^[0-9A-Z]{5}$/.test(code) || code.startsWith('E'))) {
    return `PostgreSQL at ${redactUrl(databaseUrl)}: ${message}`;
  }
  return message;
}

if (import.meta.main) {
  process.exitCode = await runDlqCli(process.argv.slice(2));
}
