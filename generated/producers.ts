// generated — do not edit. Source: the AsyncAPI contracts; regenerate with `npm run generate`.
// Typed publishers, one per topic.

import type { EventProducer, PublishOptions, PublishReceipt } from '../runtime/contract/index.ts';
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

/** Publishes to `chat.events` (ChatRoomCreated); published by chat in the contracts. */
export interface ChatEventsPublisher {
  /**
   * Validates the payload, derives the key and the envelope headers from the contract, and publishes one event.
   *
   * @throws EventValidationError listing each failing schema path when the payload breaks the contract.
   */
  publish(event: ChatEventsEvent, options?: PublishOptions): Promise<PublishReceipt>;
  /** Publishes several events in one batch; all are validated before any is sent. */
  publishAll(events: readonly ChatEventsEvent[], options?: Omit<PublishOptions, 'id'>): Promise<PublishReceipt[]>;
}

/** The `chat.events` publisher on top of a producer. */
export function chatEventsPublisher(producer: EventProducer): ChatEventsPublisher {
  return producer.topic(chatEventsTopic);
}

/** Publishes to `domain.dw-batch-completed` (DwBatchCompleted); published by dw-integration in the contracts. */
export interface DwBatchCompletedPublisher {
  /**
   * Validates the payload, derives the key and the envelope headers from the contract, and publishes one event.
   *
   * @throws EventValidationError listing each failing schema path when the payload breaks the contract.
   */
  publish(event: DwBatchCompletedEvent, options?: PublishOptions): Promise<PublishReceipt>;
  /** Publishes several events in one batch; all are validated before any is sent. */
  publishAll(events: readonly DwBatchCompletedEvent[], options?: Omit<PublishOptions, 'id'>): Promise<PublishReceipt[]>;
}

/** The `domain.dw-batch-completed` publisher on top of a producer. */
export function dwBatchCompletedPublisher(producer: EventProducer): DwBatchCompletedPublisher {
  return producer.topic(dwBatchCompletedTopic);
}

/** Publishes to `domain.file-policy-updated` (FilePolicyUpdated); published by file in the contracts. */
export interface FilePolicyUpdatedPublisher {
  /**
   * Validates the payload, derives the key and the envelope headers from the contract, and publishes one event.
   *
   * @throws EventValidationError listing each failing schema path when the payload breaks the contract.
   */
  publish(event: FilePolicyUpdatedEvent, options?: PublishOptions): Promise<PublishReceipt>;
  /** Publishes several events in one batch; all are validated before any is sent. */
  publishAll(events: readonly FilePolicyUpdatedEvent[], options?: Omit<PublishOptions, 'id'>): Promise<PublishReceipt[]>;
}

/** The `domain.file-policy-updated` publisher on top of a producer. */
export function filePolicyUpdatedPublisher(producer: EventProducer): FilePolicyUpdatedPublisher {
  return producer.topic(filePolicyUpdatedTopic);
}

/** Publishes to `domain.permission-changed` (PermissionChanged); published by auth in the contracts. */
export interface PermissionChangedPublisher {
  /**
   * Validates the payload, derives the key and the envelope headers from the contract, and publishes one event.
   *
   * @throws EventValidationError listing each failing schema path when the payload breaks the contract.
   */
  publish(event: PermissionChangedEvent, options?: PublishOptions): Promise<PublishReceipt>;
  /** Publishes several events in one batch; all are validated before any is sent. */
  publishAll(events: readonly PermissionChangedEvent[], options?: Omit<PublishOptions, 'id'>): Promise<PublishReceipt[]>;
}

/** The `domain.permission-changed` publisher on top of a producer. */
export function permissionChangedPublisher(producer: EventProducer): PermissionChangedPublisher {
  return producer.topic(permissionChangedTopic);
}

/** Publishes to `domain.policy-bundle-applied` (PolicyBundleApplied); published by policy in the contracts. */
export interface PolicyBundleAppliedPublisher {
  /**
   * Validates the payload, derives the key and the envelope headers from the contract, and publishes one event.
   *
   * @throws EventValidationError listing each failing schema path when the payload breaks the contract.
   */
  publish(event: PolicyBundleAppliedEvent, options?: PublishOptions): Promise<PublishReceipt>;
  /** Publishes several events in one batch; all are validated before any is sent. */
  publishAll(events: readonly PolicyBundleAppliedEvent[], options?: Omit<PublishOptions, 'id'>): Promise<PublishReceipt[]>;
}

/** The `domain.policy-bundle-applied` publisher on top of a producer. */
export function policyBundleAppliedPublisher(producer: EventProducer): PolicyBundleAppliedPublisher {
  return producer.topic(policyBundleAppliedTopic);
}

/** Publishes to `friend.events` (FriendRequestAccepted, FriendRequestCancelled, FriendRequestRejected, FriendRequestSent); published by friend in the contracts. */
export interface FriendEventsPublisher {
  /**
   * Validates the payload, derives the key and the envelope headers from the contract, and publishes one event.
   *
   * @throws EventValidationError listing each failing schema path when the payload breaks the contract.
   */
  publish(event: FriendEventsEvent, options?: PublishOptions): Promise<PublishReceipt>;
  /** Publishes several events in one batch; all are validated before any is sent. */
  publishAll(events: readonly FriendEventsEvent[], options?: Omit<PublishOptions, 'id'>): Promise<PublishReceipt[]>;
}

/** The `friend.events` publisher on top of a producer. */
export function friendEventsPublisher(producer: EventProducer): FriendEventsPublisher {
  return producer.topic(friendEventsTopic);
}

/** Publishes to `message.events` (MessageSent, MessagesRead); published by chat in the contracts. */
export interface MessageEventsPublisher {
  /**
   * Validates the payload, derives the key and the envelope headers from the contract, and publishes one event.
   *
   * @throws EventValidationError listing each failing schema path when the payload breaks the contract.
   */
  publish(event: MessageEventsEvent, options?: PublishOptions): Promise<PublishReceipt>;
  /** Publishes several events in one batch; all are validated before any is sent. */
  publishAll(events: readonly MessageEventsEvent[], options?: Omit<PublishOptions, 'id'>): Promise<PublishReceipt[]>;
}

/** The `message.events` publisher on top of a producer. */
export function messageEventsPublisher(producer: EventProducer): MessageEventsPublisher {
  return producer.topic(messageEventsTopic);
}

/** Publishes to `notification.events` (NotificationSent); published by notification in the contracts. */
export interface NotificationEventsPublisher {
  /**
   * Validates the payload, derives the key and the envelope headers from the contract, and publishes one event.
   *
   * @throws EventValidationError listing each failing schema path when the payload breaks the contract.
   */
  publish(event: NotificationEventsEvent, options?: PublishOptions): Promise<PublishReceipt>;
  /** Publishes several events in one batch; all are validated before any is sent. */
  publishAll(events: readonly NotificationEventsEvent[], options?: Omit<PublishOptions, 'id'>): Promise<PublishReceipt[]>;
}

/** The `notification.events` publisher on top of a producer. */
export function notificationEventsPublisher(producer: EventProducer): NotificationEventsPublisher {
  return producer.topic(notificationEventsTopic);
}

/** Publishes to `user.events` (UserProfileUpdated, UserRegistered); published by user in the contracts. */
export interface UserEventsPublisher {
  /**
   * Validates the payload, derives the key and the envelope headers from the contract, and publishes one event.
   *
   * @throws EventValidationError listing each failing schema path when the payload breaks the contract.
   */
  publish(event: UserEventsEvent, options?: PublishOptions): Promise<PublishReceipt>;
  /** Publishes several events in one batch; all are validated before any is sent. */
  publishAll(events: readonly UserEventsEvent[], options?: Omit<PublishOptions, 'id'>): Promise<PublishReceipt[]>;
}

/** The `user.events` publisher on top of a producer. */
export function userEventsPublisher(producer: EventProducer): UserEventsPublisher {
  return producer.topic(userEventsTopic);
}

/** Publishes to `user.online_status` (UserOnlineStatusChanged); published by user in the contracts. */
export interface UserOnlineStatusPublisher {
  /**
   * Validates the payload, derives the key and the envelope headers from the contract, and publishes one event.
   *
   * @throws EventValidationError listing each failing schema path when the payload breaks the contract.
   */
  publish(event: UserOnlineStatusEvent, options?: PublishOptions): Promise<PublishReceipt>;
  /** Publishes several events in one batch; all are validated before any is sent. */
  publishAll(events: readonly UserOnlineStatusEvent[], options?: Omit<PublishOptions, 'id'>): Promise<PublishReceipt[]>;
}

/** The `user.online_status` publisher on top of a producer. */
export function userOnlineStatusPublisher(producer: EventProducer): UserOnlineStatusPublisher {
  return producer.topic(userOnlineStatusTopic);
}
