/**
 * The search indexer fed by the real chat service, against the real
 * PostgreSQL and Kafka: messages sent through chat's outbox are relayed to
 * message.events, indexed by search-indexer-group, and searched with the
 * caller's rooms taken from chat's `GET /rooms` (the caller's own token).
 * Results never leave the caller's rooms, and re-delivering the same
 * MessageSent events (published again with the generated publisher) changes
 * nothing in the index.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageEventsPublisher, topicSpecs } from '../../generated/index.ts';
import type { MessageSent } from '../../generated/types.ts';
import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { quoteIdent } from '../../runtime/db/migrate.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { createEventProducer } from '../../runtime/produce/event-producer.ts';
import { OutboxRelay } from '../../runtime/relay/relay.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import { type ChatService, createChatService } from '../../services/chat/service.ts';
import { httpRoomDirectory } from '../../services/search-indexer/rooms.ts';
import {
  createSearchIndexerService,
  type SearchIndexerService,
} from '../../services/search-indexer/service.ts';
import { issueToken } from '../../services/shared/auth.ts';
import { createServicePool, migrateService } from '../../services/shared/db.ts';
import type { UserDirectory } from '../../services/shared/profile-cache.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import {
  call,
  count,
  dropSchemas,
  eventually,
  outboxRows,
  runId,
  silent,
  startGroupAtEnd,
  TEST_SECRET,
} from './support.ts';

const infra = useInfrastructure();
const run = runId();
const chatSchema = `chat_${run}`;
const searchSchema = `search_indexer_${run}`;
const groupId = `search-indexer-group-e2e-${run}`;

const _kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: `e2e-search-${run}` });
const deadLetterProducer = testKafkaClients().producer();
const producer = testKafkaClients().producer();
const chatPool = createServicePool(infra.databaseUrl, chatSchema, 5);
const searchPool = createServicePool(infra.databaseUrl, searchSchema, 5);

/** Every user exists, named after the id: this file is about the index, not about users. */
const users: UserDirectory = {
  lookup: async (userId) => ({
    user_id: userId,
    display_name: `User ${userId}`,
    profile_image_url: null,
    status_message: '',
    profile_time: new Date(0).toISOString(),
  }),
};

let chat: ChatService;
let search: SearchIndexerService;
let relay: OutboxRelay;

// Random high ids, so nothing meets what other runs left on the shared topics.
const base = 1_000_000_000 + Math.floor(Math.random() * 8_000_000_000);
const ids = { alice: base, bob: base + 1, carol: base + 2, dave: base + 3 };
const tokens: Record<keyof typeof ids, string> = { alice: '', bob: '', carol: '', dave: '' };
const rooms = { direct: 0, project: 0 };

interface Hit {
  message_id: string;
  room_id: number;
  content: string;
}
const find = (who: keyof typeof ids, q: string, extra = '') =>
  call<{ results: Hit[] }>(search.service.app, 'GET', `/search?q=${encodeURIComponent(q)}${extra}`, {
    token: tokens[who],
  });
const indexed = `${quoteIdent(searchSchema)}.indexed_messages`;
const processed = `${quoteIdent(searchSchema)}.consumer_processed_events`;

async function send(who: keyof typeof ids, roomId: number, content: string, type = 'text'): Promise<string> {
  const res = await call<{ message: { id: string } }>(chat.service.app, 'POST', `/rooms/${roomId}/messages`, {
    token: tokens[who],
    body: { content, message_type: type },
  });
  expect(res.status).toBe(201);
  return res.body.message.id;
}

beforeAll(async () => {
  await migrateService(chatPool, {
    schema: chatSchema,
    dir: path.join(import.meta.dirname, '../../services/chat/migrations'),
  });
  await chatPool.query(`ALTER SEQUENCE ${quoteIdent(chatSchema)}.chat_rooms_id_seq RESTART WITH ${base}`);
  await migrateService(searchPool, {
    schema: searchSchema,
    dir: path.join(import.meta.dirname, '../../services/search-indexer/migrations'),
  });
  await applyTopics(infra.kafkaBrokers, topicSpecs);
  await startGroupAtEnd(infra.kafkaBrokers, groupId, 'message.events');
  await producer.connect();
  relay = new OutboxRelay({
    database: infra.databaseUrl,
    schema: chatSchema,
    producer,
    retentionMs: 60_000,
    pollIntervalMs: 200,
  });
  await relay.start();
  chat = createChatService({
    pool: chatPool,
    schema: chatSchema,
    logger: silent('chat'),
    authSecret: TEST_SECRET,
    users,
    defaultMetrics: false,
  });
  search = createSearchIndexerService({
    pool: searchPool,
    logger: silent('search-indexer'),
    authSecret: TEST_SECRET,
    rooms: httpRoomDirectory({
      baseUrl: 'http://chat.test',
      fetch: (input, init) => chat.service.app.request(input, init),
    }),
    consumers: createConsumerRuntime({ kafka: testKafkaClients(), pool: searchPool, deadLetterProducer }),
    consumerOptions: { groupId },
    defaultMetrics: false,
  });
  for (const who of Object.keys(ids) as (keyof typeof ids)[])
    tokens[who] = await issueToken(TEST_SECRET, ids[who]);
});

afterAll(async () => {
  await search?.close();
  await relay?.stop();
  await producer.disconnect();
  await deadLetterProducer.disconnect();
  await chatPool.end();
  await searchPool.end();
  await dropSchemas(infra.databaseUrl, [chatSchema, searchSchema]);
});

const sent: Record<string, string> = {};

describe('search indexer', () => {
  it('is ready once search-indexer-group has joined', async () => {
    const ready = await eventually(
      () => call(search.service.app, 'GET', '/ready'),
      (r) => r.status === 200,
    );
    expect(ready).toMatchObject({ status: 200, body: { consumers: { [groupId]: 'ready' } } });
  });

  it('indexes MessageSent relayed from the chat outbox through Kafka', async () => {
    const direct = await call<{ room: { id: number } }>(chat.service.app, 'POST', '/rooms', {
      token: tokens.alice,
      body: { type: 'direct', user_id: ids.bob },
    });
    const project = await call<{ room: { id: number } }>(chat.service.app, 'POST', '/rooms', {
      token: tokens.bob,
      body: { type: 'group', name: 'Project', member_ids: [ids.carol] },
    });
    rooms.direct = direct.body.room.id;
    rooms.project = project.body.room.id;
    sent.muddy = await send('alice', rooms.direct, 'The hiking trail is muddy today');
    sent.boots = await send('bob', rooms.direct, 'Bring boots for the trail!');
    sent.budget = await send('carol', rooms.project, 'Trail budget spreadsheet is ready');
    sent.photo = await send('bob', rooms.project, 'https://cdn.example.com/trail.jpg', 'image');
    sent.korean = await send('carol', rooms.project, '등산 계획 공유합니다');

    const n = await eventually(
      () => count(searchPool, indexed),
      (v) => v === 5,
    );
    expect(n).toBe(5);
  });

  it("returns matches only from the caller's rooms", async () => {
    const alice = await find('alice', 'trail');
    expect(alice.status).toBe(200);
    expect(alice.body.results.map((r) => r.message_id).sort()).toEqual([sent.muddy, sent.boots].sort());
    const carol = await find('carol', 'trail');
    expect(carol.body.results.map((r) => r.message_id)).toEqual([sent.budget]);
    const bob = await find('bob', 'trail');
    // The image's URL is not searchable text.
    expect(bob.body.results.map((r) => r.message_id).sort()).toEqual(
      [sent.muddy, sent.boots, sent.budget].sort(),
    );
    expect(await find('dave', 'trail')).toMatchObject({ status: 200, body: { results: [] } });
    expect((await find('carol', '등산')).body.results.map((r) => r.message_id)).toEqual([sent.korean]);
    expect((await find('alice', '등산')).body.results).toEqual([]);
    // Web-search syntax: a phrase, and a word excluded.
    expect((await find('bob', '"hiking trail"')).body.results.map((r) => r.message_id)).toEqual([sent.muddy]);
    expect((await find('bob', 'trail -boots -budget')).body.results.map((r) => r.message_id)).toEqual([
      sent.muddy,
    ]);
    // One room of the caller's; another's room is 403.
    expect(
      (await find('bob', 'trail', `&room_id=${rooms.project}`)).body.results.map((r) => r.message_id),
    ).toEqual([sent.budget]);
    expect(await find('alice', 'trail', `&room_id=${rooms.project}`)).toMatchObject({
      status: 403,
      body: { error: 'forbidden' },
    });
  });

  it('requires a token and a valid query', async () => {
    expect(await call(search.service.app, 'GET', '/search?q=trail')).toMatchObject({ status: 401 });
    for (const url of [
      '/search',
      '/search?q=',
      '/search?q=%20%20',
      '/search?q=a&limit=0',
      '/search?q=a&room_id=x',
    ]) {
      expect(await call(search.service.app, 'GET', url, { token: tokens.alice }), url).toMatchObject({
        status: 400,
        body: { error: 'validation' },
      });
    }
  });

  it('re-delivering the same MessageSent events changes nothing', async () => {
    const before = await searchPool.query(`SELECT * FROM ${indexed} ORDER BY message_id`);
    const handled = await count(searchPool, processed);
    const payloads = (await outboxRows(chatPool, chatSchema))
      .filter((e) => e.event_type === 'MessageSent')
      .map((e) => e.payload as unknown as MessageSent);
    expect(payloads).toHaveLength(5);
    // New event ids: the group's processed-event record cannot tell them apart, only the upsert on message_id.
    const publisher = messageEventsPublisher(createEventProducer({ producer }));
    await publisher.publishAll(payloads.map((payload) => ({ type: 'MessageSent' as const, payload })));
    expect(
      await eventually(
        () => count(searchPool, processed),
        (v) => v === handled + 5,
      ),
    ).toBe(handled + 5);
    const after = await searchPool.query(`SELECT * FROM ${indexed} ORDER BY message_id`);
    expect(after.rows).toEqual(before.rows);
    expect((await find('bob', 'trail')).body.results).toHaveLength(3);
  });
});
