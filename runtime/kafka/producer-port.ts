import type { OutgoingRecord, RecordMetadata } from './records.ts';

/**
 * The one thing the runtime needs from a Kafka producer: send a batch of
 * records durably (idempotent producer, acks=all) and say where each landed,
 * in the order given. Records with the same topic and key keep their order.
 * A rejected promise means none of the batch may be assumed written; callers
 * retry the whole batch (the idempotent producer and the event id make that safe).
 */
export interface KafkaProducerPort {
  connect(): Promise<void>;
  send(records: readonly OutgoingRecord[]): Promise<RecordMetadata[]>;
  disconnect(): Promise<void>;
}
