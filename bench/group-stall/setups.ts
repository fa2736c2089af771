/**
 * The group configurations the group-stall benchmark compares. Each names the
 * client, the failure detection settings and whether the killed member comes
 * back (as a supervisor such as systemd or Kubernetes restarts a process).
 */
export interface MemberOptions {
  readonly client: 'kafkajs' | 'platformatic';
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** KIP-848's consumer protocol (broker-side assignment, no stop-the-world rebalance) or the classic one. */
  readonly groupProtocol?: 'classic' | 'consumer';
  /** Static membership (KIP-345): the member's `group.instance.id`, kept across a restart. */
  readonly groupInstanceId?: string;
}

export interface StallSetup {
  readonly name: string;
  readonly description: string;
  /** Options per member (index 0 is the one killed). */
  readonly member: (index: number) => MemberOptions;
  /** Restart the killed member this long after the kill; never when absent. */
  readonly restartAfterMs?: number;
}

export const SETUPS: readonly StallSetup[] = [
  {
    name: 'kafkajs-classic-30s',
    description: 'kafkajs, classic protocol, 30 s session timeout (the runtime default until now)',
    member: () => ({ client: 'kafkajs', sessionTimeoutMs: 30_000, heartbeatIntervalMs: 3_000 }),
  },
  {
    name: 'kafkajs-classic-10s',
    description: 'kafkajs, classic protocol, 10 s session timeout, 1 s heartbeat',
    member: () => ({ client: 'kafkajs', sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000 }),
  },
  {
    name: 'platformatic-classic-30s',
    description: '@platformatic/kafka, classic protocol, 30 s session timeout',
    member: () => ({ client: 'platformatic', sessionTimeoutMs: 30_000, heartbeatIntervalMs: 3_000 }),
  },
  {
    name: 'platformatic-classic-10s',
    description: '@platformatic/kafka, classic protocol, 10 s session timeout, 1 s heartbeat',
    member: () => ({ client: 'platformatic', sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000 }),
  },
  {
    name: 'platformatic-static-restart',
    description:
      '@platformatic/kafka, static membership (group.instance.id), 30 s session timeout, the killed member restarted after 1 s',
    member: (index) => ({
      client: 'platformatic',
      sessionTimeoutMs: 30_000,
      heartbeatIntervalMs: 3_000,
      groupInstanceId: `member-${index}`,
    }),
    restartAfterMs: 1_000,
  },
  {
    name: 'platformatic-kip848',
    description: "@platformatic/kafka, KIP-848 consumer protocol (the broker's session timeout)",
    member: () => ({
      client: 'platformatic',
      sessionTimeoutMs: 45_000,
      heartbeatIntervalMs: 5_000,
      groupProtocol: 'consumer',
    }),
  },
];
