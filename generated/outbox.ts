// generated — do not edit. Source: the AsyncAPI contracts; regenerate with `npm run generate`.
// Typed transactional-outbox mappers, one per topic.

import type { ClientBase } from 'pg';
import type { OutboxReceipt, OutboxWriter, PublishOptions } from '../runtime/contract/index.ts';
import {
  chatEventsTopic,
  dwBatchCompletedTopic,
  filePolicyUpdatedTopic,
  friendEventsTopic,
  messageEventsTopic,
  notificationEventsTopic,
  permissionChangedTopic,
  policyBundleAppliedTopic,
  userEventsTopic,
  userOnlineStatusTopic,
} from './topics.ts';
import type {
  ChatEventsEvent,
  DwBatchCompletedEvent,
  FilePolicyUpdatedEvent,
  FriendEventsEvent,
  MessageEventsEvent,
  NotificationEventsEvent,
  PermissionChangedEvent,
  PolicyBundleAppliedEvent,
  UserEventsEvent,
  UserOnlineStatusEvent,
} from './types.ts';

/** Writes `chat.events` events (ChatRoomCreated) into the outbox; the relay publishes them after the transaction commits. */
export interface ChatEventsOutbox {
  /**
   * Validates the event and inserts it into `domain_event_outbox` through `db`, which must be inside the transaction that makes the business change.
   *
   * @throws EventValidationError listing each failing schema path; nothing is written.
   */
  write(db: ClientBase, event: ChatEventsEvent, options?: PublishOptions): Promise<OutboxReceipt>;
  /** Writes several events in one statement; all are validated before any is written. */
  writeAll(db: ClientBase, events: readonly ChatEventsEvent[], options?: Omit<PublishOptions, 'id'>): Promise<OutboxReceipt[]>;
}

/** The `chat.events` outbox mapper on top of the runtime's outbox writer. */
export function chatEventsOutbox(outbox: OutboxWriter): ChatEventsOutbox {
  return outbox.topic(chatEventsTopic);
}

/** Writes `domain.dw-batch-completed` events (DwBatchCompleted) into the outbox; the relay publishes them after the transaction commits. */
export interface DwBatchCompletedOutbox {
  /**
   * Validates the event and inserts it into `domain_event_outbox` through `db`, which must be inside the transaction that makes the business change.
   *
   * @throws EventValidationError listing each failing schema path; nothing is written.
   */
  write(db: ClientBase, event: DwBatchCompletedEvent, options?: PublishOptions): Promise<OutboxReceipt>;
  /** Writes several events in one statement; all are validated before any is written. */
  writeAll(db: ClientBase, events: readonly DwBatchCompletedEvent[], options?: Omit<PublishOptions, 'id'>): Promise<OutboxReceipt[]>;
}

/** The `domain.dw-batch-completed` outbox mapper on top of the runtime's outbox writer. */
export function dwBatchCompletedOutbox(outbox: OutboxWriter): DwBatchCompletedOutbox {
  return outbox.topic(dwBatchCompletedTopic);
}

/** Writes `domain.file-policy-updated` events (FilePolicyUpdated) into the outbox; the relay publishes them after the transaction commits. */
export interface FilePolicyUpdatedOutbox {
  /**
   * Validates the event and inserts it into `domain_event_outbox` through `db`, which must be inside the transaction that makes the business change.
   *
   * @throws EventValidationError listing each failing schema path; nothing is written.
   */
  write(db: ClientBase, event: FilePolicyUpdatedEvent, options?: PublishOptions): Promise<OutboxReceipt>;
  /** Writes several events in one statement; all are validated before any is written. */
  writeAll(db: ClientBase, events: readonly FilePolicyUpdatedEvent[], options?: Omit<PublishOptions, 'id'>): Promise<OutboxReceipt[]>;
}

/** The `domain.file-policy-updated` outbox mapper on top of the runtime's outbox writer. */
export function filePolicyUpdatedOutbox(outbox: OutboxWriter): FilePolicyUpdatedOutbox {
  return outbox.topic(filePolicyUpdatedTopic);
}

/** Writes `domain.permission-changed` events (PermissionChanged) into the outbox; the relay publishes them after the transaction commits. */
export interface PermissionChangedOutbox {
  /**
   * Validates the event and inserts it into `domain_event_outbox` through `db`, which must be inside the transaction that makes the business change.
   *
   * @throws EventValidationError listing each failing schema path; nothing is written.
   */
  write(db: ClientBase, event: PermissionChangedEvent, options?: PublishOptions): Promise<OutboxReceipt>;
  /** Writes several events in one statement; all are validated before any is written. */
  writeAll(db: ClientBase, events: readonly PermissionChangedEvent[], options?: Omit<PublishOptions, 'id'>): Promise<OutboxReceipt[]>;
}

/** The `domain.permission-changed` outbox mapper on top of the runtime's outbox writer. */
export function permissionChangedOutbox(outbox: OutboxWriter): PermissionChangedOutbox {
  return outbox.topic(permissionChangedTopic);
}

/** Writes `domain.policy-bundle-applied` events (PolicyBundleApplied) into the outbox; the relay publishes them after the transaction commits. */
export interface PolicyBundleAppliedOutbox {
  /**
   * Validates the event and inserts it into `domain_event_outbox` through `db`, which must be inside the transaction that makes the business change.
   *
   * @throws EventValidationError listing each failing schema path; nothing is written.
   */
  write(db: ClientBase, event: PolicyBundleAppliedEvent, options?: PublishOptions): Promise<OutboxReceipt>;
  /** Writes several events in one statement; all are validated before any is written. */
  writeAll(db: ClientBase, events: readonly PolicyBundleAppliedEvent[], options?: Omit<PublishOptions, 'id'>): Promise<OutboxReceipt[]>;
}

/** The `domain.policy-bundle-applied` outbox mapper on top of the runtime's outbox writer. */
export function policyBundleAppliedOutbox(outbox: OutboxWriter): PolicyBundleAppliedOutbox {
  return outbox.topic(policyBundleAppliedTopic);
}

/** Writes `friend.events` events (FriendRequestAccepted, FriendRequestCancelled, FriendRequestRejected, FriendRequestSent) into the outbox; the relay publishes them after the transaction commits. */
export interface FriendEventsOutbox {
  /**
   * Validates the event and inserts it into `domain_event_outbox` through `db`, which must be inside the transaction that makes the business change.
   *
   * @throws EventValidationError listing each failing schema path; nothing is written.
   */
  write(db: ClientBase, event: FriendEventsEvent, options?: PublishOptions): Promise<OutboxReceipt>;
  /** Writes several events in one statement; all are validated before any is written. */
  writeAll(db: ClientBase, events: readonly FriendEventsEvent[], options?: Omit<PublishOptions, 'id'>): Promise<OutboxReceipt[]>;
}

/** The `friend.events` outbox mapper on top of the runtime's outbox writer. */
export function friendEventsOutbox(outbox: OutboxWriter): FriendEventsOutbox {
  return outbox.topic(friendEventsTopic);
}

/** Writes `message.events` events (MessageSent, MessagesRead) into the outbox; the relay publishes them after the transaction commits. */
export interface MessageEventsOutbox {
  /**
   * Validates the event and inserts it into `domain_event_outbox` through `db`, which must be inside the transaction that makes the business change.
   *
   * @throws EventValidationError listing each failing schema path; nothing is written.
   */
  write(db: ClientBase, event: MessageEventsEvent, options?: PublishOptions): Promise<OutboxReceipt>;
  /** Writes several events in one statement; all are validated before any is written. */
  writeAll(db: ClientBase, events: readonly MessageEventsEvent[], options?: Omit<PublishOptions, 'id'>): Promise<OutboxReceipt[]>;
}

/** The `message.events` outbox mapper on top of the runtime's outbox writer. */
export function messageEventsOutbox(outbox: OutboxWriter): MessageEventsOutbox {
  return outbox.topic(messageEventsTopic);
}

/** Writes `notification.events` events (NotificationSent) into the outbox; the relay publishes them after the transaction commits. */
export interface NotificationEventsOutbox {
  /**
   * Validates the event and inserts it into `domain_event_outbox` through `db`, which must be inside the transaction that makes the business change.
   *
   * @throws EventValidationError listing each failing schema path; nothing is written.
   */
  write(db: ClientBase, event: NotificationEventsEvent, options?: PublishOptions): Promise<OutboxReceipt>;
  /** Writes several events in one statement; all are validated before any is written. */
  writeAll(db: ClientBase, events: readonly NotificationEventsEvent[], options?: Omit<PublishOptions, 'id'>): Promise<OutboxReceipt[]>;
}

/** The `notification.events` outbox mapper on top of the runtime's outbox writer. */
export function notificationEventsOutbox(outbox: OutboxWriter): NotificationEventsOutbox {
  return outbox.topic(notificationEventsTopic);
}

/** Writes `user.events` events (UserProfileUpdated, UserRegistered) into the outbox; the relay publishes them after the transaction commits. */
export interface UserEventsOutbox {
  /**
   * Validates the event and inserts it into `domain_event_outbox` through `db`, which must be inside the transaction that makes the business change.
   *
   * @throws EventValidationError listing each failing schema path; nothing is written.
   */
  write(db: ClientBase, event: UserEventsEvent, options?: PublishOptions): Promise<OutboxReceipt>;
  /** Writes several events in one statement; all are validated before any is written. */
  writeAll(db: ClientBase, events: readonly UserEventsEvent[], options?: Omit<PublishOptions, 'id'>): Promise<OutboxReceipt[]>;
}

/** The `user.events` outbox mapper on top of the runtime's outbox writer. */
export function userEventsOutbox(outbox: OutboxWriter): UserEventsOutbox {
  return outbox.topic(userEventsTopic);
}

/** Writes `user.online_status` events (UserOnlineStatusChanged) into the outbox; the relay publishes them after the transaction commits. */
export interface UserOnlineStatusOutbox {
  /**
   * Validates the event and inserts it into `domain_event_outbox` through `db`, which must be inside the transaction that makes the business change.
   *
   * @throws EventValidationError listing each failing schema path; nothing is written.
   */
  write(db: ClientBase, event: UserOnlineStatusEvent, options?: PublishOptions): Promise<OutboxReceipt>;
  /** Writes several events in one statement; all are validated before any is written. */
  writeAll(db: ClientBase, events: readonly UserOnlineStatusEvent[], options?: Omit<PublishOptions, 'id'>): Promise<OutboxReceipt[]>;
}

/** The `user.online_status` outbox mapper on top of the runtime's outbox writer. */
export function userOnlineStatusOutbox(outbox: OutboxWriter): UserOnlineStatusOutbox {
  return outbox.topic(userOnlineStatusTopic);
}
