/**
 * One process whose memory bench/sections/memory.ts watches: a relay
 * publishing an outbox backlog, or a typed consumer draining a topic's
 * backlog. Started with `fork` and a JSON `MemoryChildTask` in argv[2]; sends
 * `{ done, ms }` over IPC once the backlog is through, then waits for the
 * parent's `exit` (so the parent reads its peak RSS while it still exists).
 */
import type { MemoryChildTask } from './memory.ts';

async function relayBacklog(task: Extract<MemoryChildTask, { role: 'relay' }>): Promise<number> {
  const { relayBacklog } = await import('./relay.ts');
  return relayBacklog(task.infra, task.relay, task.schema, task.events, 1, 0);
}

async function drainBacklog(task: Extract<MemoryChildTask, { role: 'consumer' }>): Promise<number> {
  const { consumeFixture, typedConsumer } = await import('./consume.ts');
  const started = performance.now();
  await typedConsumer(
    task.infra,
    consumeFixture(task.topic, task.partitions),
    task.schema,
    task.consume,
    'noop',
  );
  return performance.now() - started;
}

const task = JSON.parse(process.argv[2] ?? '{}') as MemoryChildTask;
try {
  const ms = task.role === 'relay' ? await relayBacklog(task) : await drainBacklog(task);
  process.send?.({ done: true, ms });
} catch (err) {
  process.send?.({ done: false, error: err instanceof Error ? err.message : String(err) });
}
process.on('message', (message) => {
  if (message === 'exit') process.exit(0);
});
