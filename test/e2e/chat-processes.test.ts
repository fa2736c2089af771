/**
 * The chat service and the search indexer as processes would run them
 * (`runService`): real listeners on ephemeral ports, configuration from the
 * environment, migrations at start, chat calling the user service and the
 * indexer calling chat over HTTP, and graceful shutdown.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { OutboxRelay } from '../../runtime/relay/relay.ts';
import { chatService } from '../../services/chat/definition.ts';
import { searchIndexerService } from '../../services/search-indexer/definition.ts';
import { type RunningService, runService } from '../../services/shared/server.ts';
import { userService } from '../../services/user/definition.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import { dropSchemas, eventually, fetchJson, runId, silent, startGroupAtEnd } from './support.ts';

const infra = useInfrastructure();
const run = runId();
const schemas = { user: `user_${run}`, chat: `chat_${run}`, search: `search_indexer_${run}` };
const chatGroup = `chat-profile-cache-group-e2e-${run}`;
const searchGroup = `search-indexer-group-e2e-${run}`;
const running: RunningService[] = [];
const producer = testKafkaClients(`e2e-${run}`).producer();
let relay: OutboxRelay | undefined;

const env = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
  PORT: '0',
  DATABASE_URL: infra.databaseUrl,
  KAFKA_BROKERS: infra.kafkaBrokers.join(','),
  REDIS_URL: infra.redisUrl,
  AUTH_SECRET: `secret-${run}`,
  ...extra,
});

const http = (port: number, method: string, path: string, body?: unknown, token?: string) =>
  fetchJson(`http://127.0.0.1:${port}`, method, path, { body, token });

afterAll(async () => {
  await relay?.stop();
  await producer.disconnect();
  for (const s of running) await s.stop();
  await dropSchemas(infra.databaseUrl, Object.values(schemas));
});

describe('runService: chat and search-indexer', () => {
  it('serves chat and search over HTTP, indexes through Kafka, and shuts down gracefully', async () => {
    const user = await runService({
      ...userService(),
      schema: schemas.user,
      env: env({}),
      logger: silent('user'),
    });
    running.push(user);
    await startGroupAtEnd(infra.kafkaBrokers, chatGroup, 'user.events');
    const chat = await runService({
      ...chatService(),
      schema: schemas.chat,
      env: env({ USER_SERVICE_URL: `http://127.0.0.1:${user.port}`, PROFILE_CACHE_GROUP_ID: chatGroup }),
      logger: silent('chat'),
    });
    running.push(chat);
    await startGroupAtEnd(infra.kafkaBrokers, searchGroup, 'message.events');
    const search = await runService({
      ...searchIndexerService(),
      schema: schemas.search,
      env: env({ CHAT_SERVICE_URL: `http://127.0.0.1:${chat.port}`, SEARCH_INDEXER_GROUP_ID: searchGroup }),
      logger: silent('search-indexer'),
    });
    running.push(search);
    await producer.connect();
    relay = new OutboxRelay({
      database: infra.databaseUrl,
      schema: schemas.chat,
      producer,
      retentionMs: 60_000,
      pollIntervalMs: 200,
    });
    await relay.start();

    for (const [port, group] of [
      [chat.port, chatGroup],
      [search.port, searchGroup],
    ] as const) {
      const ready = await eventually(
        () => http(port, 'GET', '/ready'),
        (r) => r.status === 200,
      );
      expect(ready).toMatchObject({ status: 200, body: { database: true, consumers: { [group]: 'ready' } } });
    }

    const tokens: string[] = [];
    const ids: number[] = [];
    for (const name of ['gina', 'hank']) {
      const reg = await http(user.port, 'POST', '/users', {
        email: `${name}-${run}@example.com`,
        username: `${name}_${run}`,
        password: `${name}-password`,
      });
      expect(reg.status).toBe(201);
      ids.push((reg.body.user as { id: number }).id);
      const login = await http(user.port, 'POST', '/sessions', {
        email: `${name}-${run}@example.com`,
        password: `${name}-password`,
      });
      tokens.push(String(login.body.token));
    }
    // Chat looks the other user up at the user service over HTTP (cache miss).
    const room = await http(chat.port, 'POST', '/rooms', { type: 'direct', user_id: ids[1] }, tokens[0]);
    expect(room).toMatchObject({ status: 201, body: { room: { room_type: 'direct' } } });
    const roomId = (room.body.room as { id: number }).id;
    const word = `lantern${run}`;
    const sent = await http(
      chat.port,
      'POST',
      `/rooms/${roomId}/messages`,
      { content: `bring the ${word} please`, message_type: 'text' },
      tokens[0],
    );
    expect(sent).toMatchObject({ status: 201, body: { message: { username: `gina_${run}` } } });

    // The indexer asks chat for hank's rooms over HTTP with hank's token.
    const found = await eventually(
      () => http(search.port, 'GET', `/search?q=${word}`, undefined, tokens[1]),
      (r) => (r.body.results as unknown[] | undefined)?.length === 1,
    );
    expect(found).toMatchObject({
      status: 200,
      body: { results: [{ message_id: (sent.body.message as { id: string }).id, room_id: roomId }] },
    });

    await relay.stop();
    relay = undefined;
    for (const s of running.reverse()) await s.stop();
    running.length = 0;
    await expect(fetch(`http://127.0.0.1:${chat.port}/health`)).rejects.toThrow();
    await expect(fetch(`http://127.0.0.1:${search.port}/health`)).rejects.toThrow();
  });
});
