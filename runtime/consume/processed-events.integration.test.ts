/** Claims on real PostgreSQL: the text[] literal the claim sends reads back as the ids given, whatever they hold. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useInfrastructure } from '../../test/support/context.ts';
import { migrate, quoteIdent } from '../db/migrate.ts';
import { beginAndClaim, textArray } from './processed-events.ts';

const infra = useInfrastructure();
const schema = `claims_it_${randomBytes(4).toString('hex')}`;
let client: pg.Client;

const awkward = [
  '3f1c2d4e-1234-4567-89ab-0123456789ab',
  'with "quotes"',
  'back\\slash',
  'comma, {braces}',
  'NULL',
  '',
  ' spaced ',
  'ünïcödé',
];

beforeAll(async () => {
  client = new pg.Client({ connectionString: infra.databaseUrl });
  await client.connect();
  await migrate(client, { schema });
  await client.query(`SET search_path = ${quoteIdent(schema)}`);
});

afterAll(async () => {
  await client?.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  await client?.end();
});

describe('claimEvents', () => {
  it('sends ids as a text[] literal PostgreSQL reads back exactly', async () => {
    for (const values of [awkward, awkward.slice(0, 1), ['plain-a', 'plain-b']]) {
      const { rows } = await client.query<{ a: string[] }>('SELECT $1::text[] AS a', [textArray(values)]);
      expect(rows[0]!.a).toEqual(values);
    }
  });

  it('opens the transaction and claims each id once: the ones claimed before are not returned', async () => {
    const db = client as unknown as pg.PoolClient;
    try {
      const first = await beginAndClaim(db, 'g', 't', 0, awkward.slice(0, 3), ['1', '2', '3']);
      expect([...first].sort()).toEqual(awkward.slice(0, 3).sort());
      const { rows: open } = await client.query<{ open: boolean }>(
        'SELECT now() = statement_timestamp() AS open',
      );
      expect(open[0]!.open).toBe(false); // in a transaction: now() is its start, not this statement's
      await client.query('COMMIT');
      const second = await beginAndClaim(db, "g'quoted", 't', 0, ['x'], ['9']);
      expect([...second]).toEqual(['x']);
      await client.query('COMMIT');
      const third = await beginAndClaim(
        db,
        'g',
        't',
        0,
        awkward,
        awkward.map((_, i) => String(10 + i)),
      );
      expect([...third].sort()).toEqual(awkward.slice(3).sort());
      const { rows } = await client.query<{ event_id: string; kafka_offset: string }>(
        "SELECT event_id, kafka_offset FROM consumer_processed_events WHERE group_id = 'g'",
      );
      const offsetOf = new Map(rows.map((r) => [r.event_id, r.kafka_offset]));
      expect(offsetOf.get('with "quotes"')).toBe('2');
      expect(offsetOf.get('comma, {braces}')).toBe('13');
      expect(offsetOf.size).toBe(awkward.length);
    } finally {
      await client.query('ROLLBACK');
    }
  });
});
