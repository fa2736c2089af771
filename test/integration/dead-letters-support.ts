/**
 * Pieces the dead-letter tests share. `createTopicsSettled` is consumer-support's `createTopics`
 * retried while a just-created topic is not yet in the broker's metadata: kafkajs' createTopics
 * with waitForLeaders gives up on UNKNOWN_TOPIC_OR_PARTITION (retriable) instead of waiting, which
 * a busy single KRaft broker answers now and then right after creating the topic. Creating is
 * idempotent (an existing topic is checked, not created again).
 */
import type { TopicDefinition } from '../../runtime/contract/definitions.ts';
import { createTopics } from './consumer-support.ts';

export async function createTopicsSettled(brokers: readonly string[], topic: TopicDefinition): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await createTopics(brokers, topic);
      return;
    } catch (error) {
      const text = `${error instanceof Error ? error.message : String(error)}`;
      if (attempt >= 10 || !text.includes('UNKNOWN_TOPIC_OR_PARTITION')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
