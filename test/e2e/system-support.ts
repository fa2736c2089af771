/**
 * What the system tests share: free ports for a plan, the consumer groups'
 * topics from the catalog, and waiting until groups have committed up to the
 * end of every topic they read.
 */
import { createServer } from 'node:net';
import type { Admin } from 'kafkajs';
import { catalog } from '../../generated/index.ts';
import { portInUse } from '../../scripts/system.ts';

/** The contract's topics of a group, by the contract's group id. */
export const topicsOf = (contractGroup: string): string[] =>
  catalog.consumerGroups.find((g) => g.groupId === contractGroup)?.subscriptions.map((s) => s.topic) ?? [];
export const contractGroupOf = (groupId: string): string =>
  catalog.consumerGroups.map((g) => g.groupId).find((g) => groupId.startsWith(`${g}-`)) ?? groupId;

export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve) => {
          const s = createServer();
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const a = s.address();
    return typeof a === 'object' && a ? a.port : 0;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** The first of `n` consecutive free ports (the relays' metrics ports). */
export async function freeRange(n: number): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = !(await portInUse(base + i));
    if (ok) return base;
  }
}

/** Waits until every group has committed up to the end of every topic it reads. */
export async function caughtUp(
  admin: Admin,
  groupIds: readonly string[],
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let behind: string[] = [];
  while (Date.now() < deadline) {
    behind = [];
    for (const groupId of groupIds) {
      const topics = topicsOf(contractGroupOf(groupId));
      const committed = await admin.fetchOffsets({ groupId, topics });
      for (const topic of topics) {
        const ends = await admin.fetchTopicOffsets(topic);
        const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
        for (const end of ends) {
          const at = mine.find((p) => p.partition === end.partition)?.offset ?? '-1';
          const done = at === '-1' ? end.high === end.low : BigInt(at) >= BigInt(end.high);
          if (!done) behind.push(`${groupId} ${topic}/${end.partition} at ${at} of ${end.high}`);
        }
      }
    }
    if (behind.length === 0) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(
    `consumer groups still behind after ${timeoutMs / 1000} s: ${behind.slice(0, 5).join('; ')}`,
  );
}
