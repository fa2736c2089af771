// generated — do not edit. Source: the AsyncAPI contracts; regenerate with `npm run generate`.
// Topics and dead-letter topics with partitions, replication and configuration.

import type { TopicDefinition, TopicSpec } from '../runtime/contract/index.ts';
import {
  chatRoomCreatedEvent,
  dwBatchCompletedEvent,
  filePolicyUpdatedEvent,
  friendRequestAcceptedEvent,
  friendRequestCancelledEvent,
  friendRequestRejectedEvent,
  friendRequestSentEvent,
  messageSentEvent,
  messagesReadEvent,
  notificationSentEvent,
  permissionChangedEvent,
  policyBundleAppliedEvent,
  userOnlineStatusChangedEvent,
  userProfileUpdatedEvent,
  userRegisteredEvent,
} from './events.ts';
import type {
  ChatEventsEventMap,
  DwBatchCompletedEventMap,
  FilePolicyUpdatedEventMap,
  FriendEventsEventMap,
  MessageEventsEventMap,
  NotificationEventsEventMap,
  PermissionChangedEventMap,
  PolicyBundleAppliedEventMap,
  UserEventsEventMap,
  UserOnlineStatusEventMap,
} from './types.ts';

/**
 * `chat.events`: chat.events
 *
 * Chat room events. 3 partitions, replication factor 3, 7 days retention
 * (seed topic table). Partition key: the creator's user id (`user_1_id`),
 * so the rooms one user creates are consumed in order.
 *
 * Producers: chat. Consumer groups: analytics-consumer-group, notification-consumer-group.
 * Dead letters go to `chat.events.dlq`.
 */
export const chatEventsTopic: TopicDefinition<ChatEventsEventMap> = {
  name: 'chat.events',
  spec: {
    name: 'chat.events',
    kind: 'event',
    partitions: 3,
    replicas: 3,
    config: {
      'cleanup.policy': 'delete',
      'min.insync.replicas': '2',
      'retention.ms': '604800000',
    },
    deadLetterTopic: 'chat.events.dlq',
    description: 'chat.events',
  },
  events: {
    ChatRoomCreated: chatRoomCreatedEvent,
  },
};

/**
 * `chat.events.dlq`: chat.events.dlq
 *
 * Dead-letter topic of `chat.events`. A consumer group that fails a record
 * after its retry policy (3 attempts, common/retry.yaml), or cannot
 * deserialize or validate it, writes the original record here byte for
 * byte (key, value and headers), to the same partition number as the
 * source (3 partitions), adding `kafka_dlt-*` provenance headers and the
 * attempt count. Retention is 14 days, longer than the source's 7 days, so
 * operators can investigate and replay after the original has expired.
 */
export const chatEventsDlqTopic: TopicSpec = {
  name: 'chat.events.dlq',
  kind: 'dead-letter',
  partitions: 3,
  replicas: 3,
  config: {
    'cleanup.policy': 'delete',
    'min.insync.replicas': '2',
    'retention.ms': '1209600000',
  },
  deadLetterFor: 'chat.events',
  description: 'chat.events.dlq',
};

/**
 * `domain.dw-batch-completed`: domain.dw-batch-completed
 *
 * Completions of data-warehouse batches. 3 partitions, replication
 * factor 3, 7 days retention. Partition key: `batchId`, so the completion
 * of a failed run and of its rerun are consumed in order.
 *
 * Producers: dw-integration. Consumer groups: batch-app, read-model-worker.
 * Dead letters go to `domain.dw-batch-completed.dlq`.
 */
export const dwBatchCompletedTopic: TopicDefinition<DwBatchCompletedEventMap> = {
  name: 'domain.dw-batch-completed',
  spec: {
    name: 'domain.dw-batch-completed',
    kind: 'event',
    partitions: 3,
    replicas: 3,
    config: {
      'cleanup.policy': 'delete',
      'min.insync.replicas': '2',
      'retention.ms': '604800000',
    },
    deadLetterTopic: 'domain.dw-batch-completed.dlq',
    description: 'domain.dw-batch-completed',
  },
  events: {
    DwBatchCompleted: dwBatchCompletedEvent,
  },
};

/**
 * `domain.dw-batch-completed.dlq`: domain.dw-batch-completed.dlq
 *
 * Dead-letter topic of `domain.dw-batch-completed` (the seed's
 * reprocessing rule: DLQ topic plus runbook). A consumer group that
 * fails a record after its retry policy (3 attempts,
 * common/retry.yaml), or cannot deserialize or validate it, writes
 * the original record here byte for byte (key, value and headers),
 * to the same partition number as the source (3 partitions, as
 * Spring's DeadLetterPublishingRecoverer does by default), with the
 * `kafka_dlt-*` provenance headers and the attempt count (`kafka_deliveryAttempt`) and the reason (`kafka_dlt-reason`), so a
 * Spring Kafka listener and a TypeScript consumer read each other's
 * dead letters. Retention is 14 days, longer than the source's 7
 * days, so operators can investigate and replay (runbook) after the
 * original has expired.
 */
export const dwBatchCompletedDlqTopic: TopicSpec = {
  name: 'domain.dw-batch-completed.dlq',
  kind: 'dead-letter',
  partitions: 3,
  replicas: 3,
  config: {
    'cleanup.policy': 'delete',
    'min.insync.replicas': '2',
    'retention.ms': '1209600000',
  },
  deadLetterFor: 'domain.dw-batch-completed',
  description: 'domain.dw-batch-completed.dlq',
};

/**
 * `domain.file-policy-updated`: domain.file-policy-updated
 *
 * Changes of the masking rule applied to a file type. 3 partitions,
 * replication factor 3, 7 days retention. Partition key: `fileType`, so
 * the updates of one file type's policy are consumed in order.
 *
 * Producers: file. Consumer groups: masking-service.
 * Dead letters go to `domain.file-policy-updated.dlq`.
 */
export const filePolicyUpdatedTopic: TopicDefinition<FilePolicyUpdatedEventMap> = {
  name: 'domain.file-policy-updated',
  spec: {
    name: 'domain.file-policy-updated',
    kind: 'event',
    partitions: 3,
    replicas: 3,
    config: {
      'cleanup.policy': 'delete',
      'min.insync.replicas': '2',
      'retention.ms': '604800000',
    },
    deadLetterTopic: 'domain.file-policy-updated.dlq',
    description: 'domain.file-policy-updated',
  },
  events: {
    FilePolicyUpdated: filePolicyUpdatedEvent,
  },
};

/**
 * `domain.file-policy-updated.dlq`: domain.file-policy-updated.dlq
 *
 * Dead-letter topic of `domain.file-policy-updated` (the seed's
 * reprocessing rule: DLQ topic plus runbook). A consumer group that
 * fails a record after its retry policy (3 attempts,
 * common/retry.yaml), or cannot deserialize or validate it, writes
 * the original record here byte for byte (key, value and headers),
 * to the same partition number as the source (3 partitions, as
 * Spring's DeadLetterPublishingRecoverer does by default), with the
 * `kafka_dlt-*` provenance headers and the attempt count (`kafka_deliveryAttempt`) and the reason (`kafka_dlt-reason`), so a
 * Spring Kafka listener and a TypeScript consumer read each other's
 * dead letters. Retention is 14 days, longer than the source's 7
 * days, so operators can investigate and replay (runbook) after the
 * original has expired.
 */
export const filePolicyUpdatedDlqTopic: TopicSpec = {
  name: 'domain.file-policy-updated.dlq',
  kind: 'dead-letter',
  partitions: 3,
  replicas: 3,
  config: {
    'cleanup.policy': 'delete',
    'min.insync.replicas': '2',
    'retention.ms': '1209600000',
  },
  deadLetterFor: 'domain.file-policy-updated',
  description: 'domain.file-policy-updated.dlq',
};

/**
 * `domain.permission-changed`: domain.permission-changed
 *
 * Changes of a user's feature/action permissions. 6 partitions,
 * replication factor 3, 7 days retention. Partition key: `userId`, so the
 * versions of one user's permissions are consumed in order.
 *
 * Producers: auth. Consumer groups: policy-cache, read-model-worker, server.
 * Dead letters go to `domain.permission-changed.dlq`.
 */
export const permissionChangedTopic: TopicDefinition<PermissionChangedEventMap> = {
  name: 'domain.permission-changed',
  spec: {
    name: 'domain.permission-changed',
    kind: 'event',
    partitions: 6,
    replicas: 3,
    config: {
      'cleanup.policy': 'delete',
      'min.insync.replicas': '2',
      'retention.ms': '604800000',
    },
    deadLetterTopic: 'domain.permission-changed.dlq',
    description: 'domain.permission-changed',
  },
  events: {
    PermissionChanged: permissionChangedEvent,
  },
};

/**
 * `domain.permission-changed.dlq`: domain.permission-changed.dlq
 *
 * Dead-letter topic of `domain.permission-changed` (the seed's
 * reprocessing rule: DLQ topic plus runbook). A consumer group that
 * fails a record after its retry policy (3 attempts,
 * common/retry.yaml), or cannot deserialize or validate it, writes
 * the original record here byte for byte (key, value and headers),
 * to the same partition number as the source (6 partitions, as
 * Spring's DeadLetterPublishingRecoverer does by default), with the
 * `kafka_dlt-*` provenance headers and the attempt count (`kafka_deliveryAttempt`) and the reason (`kafka_dlt-reason`), so a
 * Spring Kafka listener and a TypeScript consumer read each other's
 * dead letters. Retention is 14 days, longer than the source's 7
 * days, so operators can investigate and replay (runbook) after the
 * original has expired.
 */
export const permissionChangedDlqTopic: TopicSpec = {
  name: 'domain.permission-changed.dlq',
  kind: 'dead-letter',
  partitions: 6,
  replicas: 3,
  config: {
    'cleanup.policy': 'delete',
    'min.insync.replicas': '2',
    'retention.ms': '1209600000',
  },
  deadLetterFor: 'domain.permission-changed',
  description: 'domain.permission-changed.dlq',
};

/**
 * `domain.policy-bundle-applied`: domain.policy-bundle-applied
 *
 * Policy bundles applied to the platform. 3 partitions,
 * replication factor 3, 7 days retention. Partition key: `bundleId`, so
 * the successive revisions of one bundle are consumed in order.
 *
 * Producers: policy. Consumer groups: dw-gateway, read-model-worker, server.
 * Dead letters go to `domain.policy-bundle-applied.dlq`.
 */
export const policyBundleAppliedTopic: TopicDefinition<PolicyBundleAppliedEventMap> = {
  name: 'domain.policy-bundle-applied',
  spec: {
    name: 'domain.policy-bundle-applied',
    kind: 'event',
    partitions: 3,
    replicas: 3,
    config: {
      'cleanup.policy': 'delete',
      'min.insync.replicas': '2',
      'retention.ms': '604800000',
    },
    deadLetterTopic: 'domain.policy-bundle-applied.dlq',
    description: 'domain.policy-bundle-applied',
  },
  events: {
    PolicyBundleApplied: policyBundleAppliedEvent,
  },
};

/**
 * `domain.policy-bundle-applied.dlq`: domain.policy-bundle-applied.dlq
 *
 * Dead-letter topic of `domain.policy-bundle-applied` (the seed's
 * reprocessing rule: DLQ topic plus runbook). A consumer group that
 * fails a record after its retry policy (3 attempts,
 * common/retry.yaml), or cannot deserialize or validate it, writes
 * the original record here byte for byte (key, value and headers),
 * to the same partition number as the source (3 partitions, as
 * Spring's DeadLetterPublishingRecoverer does by default), with the
 * `kafka_dlt-*` provenance headers and the attempt count (`kafka_deliveryAttempt`) and the reason (`kafka_dlt-reason`), so a
 * Spring Kafka listener and a TypeScript consumer read each other's
 * dead letters. Retention is 14 days, longer than the source's 7
 * days, so operators can investigate and replay (runbook) after the
 * original has expired.
 */
export const policyBundleAppliedDlqTopic: TopicSpec = {
  name: 'domain.policy-bundle-applied.dlq',
  kind: 'dead-letter',
  partitions: 3,
  replicas: 3,
  config: {
    'cleanup.policy': 'delete',
    'min.insync.replicas': '2',
    'retention.ms': '1209600000',
  },
  deadLetterFor: 'domain.policy-bundle-applied',
  description: 'domain.policy-bundle-applied.dlq',
};

/**
 * `friend.events`: friend.events
 *
 * Friend request lifecycle events. 3 partitions, replication factor 3,
 * 7 days retention (seed topic table). Partition key: `requester_id` for
 * every event on this topic, so the lifecycle of one request (sent, then
 * accepted, rejected or cancelled) is consumed in order.
 *
 * Producers: friend. Consumer groups: analytics-consumer-group, notification-consumer-group.
 * Dead letters go to `friend.events.dlq`.
 */
export const friendEventsTopic: TopicDefinition<FriendEventsEventMap> = {
  name: 'friend.events',
  spec: {
    name: 'friend.events',
    kind: 'event',
    partitions: 3,
    replicas: 3,
    config: {
      'cleanup.policy': 'delete',
      'min.insync.replicas': '2',
      'retention.ms': '604800000',
    },
    deadLetterTopic: 'friend.events.dlq',
    description: 'friend.events',
  },
  events: {
    FriendRequestAccepted: friendRequestAcceptedEvent,
    FriendRequestCancelled: friendRequestCancelledEvent,
    FriendRequestRejected: friendRequestRejectedEvent,
    FriendRequestSent: friendRequestSentEvent,
  },
};

/**
 * `friend.events.dlq`: friend.events.dlq
 *
 * Dead-letter topic of `friend.events` (named in the seed). A consumer
 * group that fails a record after its retry policy (3 attempts,
 * common/retry.yaml), or cannot deserialize or validate it, writes the
 * original record here byte for byte (key, value and headers), to the same
 * partition number as the source (3 partitions), adding `kafka_dlt-*`
 * provenance headers and the attempt count (`kafka_deliveryAttempt`) and the reason (`kafka_dlt-reason`). Retention is 14 days, longer
 * than the source's 7 days, so operators can investigate and replay after
 * the original has expired.
 */
export const friendEventsDlqTopic: TopicSpec = {
  name: 'friend.events.dlq',
  kind: 'dead-letter',
  partitions: 3,
  replicas: 3,
  config: {
    'cleanup.policy': 'delete',
    'min.insync.replicas': '2',
    'retention.ms': '1209600000',
  },
  deadLetterFor: 'friend.events',
  description: 'friend.events.dlq',
};

/**
 * `message.events`: message.events
 *
 * Messages sent and read in chat rooms; high-throughput (hundreds to
 * thousands per second), hence 10 partitions. Replication factor 3, 7 days
 * retention (seed topic table). Partition key: `room_id`, so the messages
 * of one room, and the read receipts about them, stay in order.
 *
 * Producers: chat. Consumer groups: analytics-consumer-group, notification-consumer-group, search-indexer-group.
 * Dead letters go to `message.events.dlq`.
 */
export const messageEventsTopic: TopicDefinition<MessageEventsEventMap> = {
  name: 'message.events',
  spec: {
    name: 'message.events',
    kind: 'event',
    partitions: 10,
    replicas: 3,
    config: {
      'cleanup.policy': 'delete',
      'min.insync.replicas': '2',
      'retention.ms': '604800000',
    },
    deadLetterTopic: 'message.events.dlq',
    description: 'message.events',
  },
  events: {
    MessageSent: messageSentEvent,
    MessagesRead: messagesReadEvent,
  },
};

/**
 * `message.events.dlq`: message.events.dlq
 *
 * Dead-letter topic of `message.events` (named in the seed). A consumer
 * group that fails a record after its retry policy (3 attempts,
 * common/retry.yaml), or cannot deserialize or validate it, writes the
 * original record here byte for byte (key, value and headers), to the same
 * partition number as the source (10 partitions), adding `kafka_dlt-*`
 * provenance headers and the attempt count (`kafka_deliveryAttempt`) and the reason (`kafka_dlt-reason`). Retention is 14 days, longer
 * than the source's 7 days, so operators can investigate and replay after
 * the original has expired.
 */
export const messageEventsDlqTopic: TopicSpec = {
  name: 'message.events.dlq',
  kind: 'dead-letter',
  partitions: 10,
  replicas: 3,
  config: {
    'cleanup.policy': 'delete',
    'min.insync.replicas': '2',
    'retention.ms': '1209600000',
  },
  deadLetterFor: 'message.events',
  description: 'message.events.dlq',
};

/**
 * `notification.events`: notification.events
 *
 * Notifications sent to users. 3 partitions, replication factor 3, 7 days
 * retention (seed topic table). Partition key: the recipient `user_id`, so
 * one user's notifications stay in order.
 *
 * Producers: notification. Consumer groups: analytics-consumer-group.
 * Dead letters go to `notification.events.dlq`.
 */
export const notificationEventsTopic: TopicDefinition<NotificationEventsEventMap> = {
  name: 'notification.events',
  spec: {
    name: 'notification.events',
    kind: 'event',
    partitions: 3,
    replicas: 3,
    config: {
      'cleanup.policy': 'delete',
      'min.insync.replicas': '2',
      'retention.ms': '604800000',
    },
    deadLetterTopic: 'notification.events.dlq',
    description: 'notification.events',
  },
  events: {
    NotificationSent: notificationSentEvent,
  },
};

/**
 * `notification.events.dlq`: notification.events.dlq
 *
 * Dead-letter topic of `notification.events`. A consumer group that fails
 * a record after its retry policy (3 attempts, common/retry.yaml), or
 * cannot deserialize or validate it, writes the original record here byte
 * for byte (key, value and headers), to the same partition number as the
 * source (3 partitions), adding `kafka_dlt-*` provenance headers and the
 * attempt count. Retention is 14 days, longer than the source's 7 days, so
 * operators can investigate and replay after the original has expired.
 */
export const notificationEventsDlqTopic: TopicSpec = {
  name: 'notification.events.dlq',
  kind: 'dead-letter',
  partitions: 3,
  replicas: 3,
  config: {
    'cleanup.policy': 'delete',
    'min.insync.replicas': '2',
    'retention.ms': '1209600000',
  },
  deadLetterFor: 'notification.events',
  description: 'notification.events.dlq',
};

/**
 * `user.events`: user.events
 *
 * Account lifecycle and profile events of the chat product. Partition key:
 * `user_id`, so the events of one user stay in order. 3 partitions,
 * replication factor 3, 7 days retention (seed topic table).
 *
 * Producers: user. Consumer groups: analytics-consumer-group, chat-profile-cache-group, friend-profile-cache-group, notification-consumer-group.
 * Dead letters go to `user.events.dlq`.
 */
export const userEventsTopic: TopicDefinition<UserEventsEventMap> = {
  name: 'user.events',
  spec: {
    name: 'user.events',
    kind: 'event',
    partitions: 3,
    replicas: 3,
    config: {
      'cleanup.policy': 'delete',
      'min.insync.replicas': '2',
      'retention.ms': '604800000',
    },
    deadLetterTopic: 'user.events.dlq',
    description: 'user.events',
  },
  events: {
    UserProfileUpdated: userProfileUpdatedEvent,
    UserRegistered: userRegisteredEvent,
  },
};

/**
 * `user.events.dlq`: user.events.dlq
 *
 * Dead-letter topic of `user.events`. A consumer group that fails a record
 * after its retry policy (3 attempts, common/retry.yaml), or cannot
 * deserialize or validate it, writes the original record here byte for
 * byte (key, value and headers), to the same partition number as the
 * source (3 partitions, as Spring's DeadLetterPublishingRecoverer expects),
 * adding `kafka_dlt-*` provenance headers and the attempt count (`kafka_deliveryAttempt`) and the reason (`kafka_dlt-reason`).
 * Retention is 14 days, longer than the source's 7 days, so operators can
 * investigate and replay after the original has expired.
 */
export const userEventsDlqTopic: TopicSpec = {
  name: 'user.events.dlq',
  kind: 'dead-letter',
  partitions: 3,
  replicas: 3,
  config: {
    'cleanup.policy': 'delete',
    'min.insync.replicas': '2',
    'retention.ms': '1209600000',
  },
  deadLetterFor: 'user.events',
  description: 'user.events.dlq',
};

/**
 * `user.online_status`: user.online_status
 *
 * Presence changes (login, logout, inactivity timeout). High-frequency
 * (hundreds to thousands per second), hence 6 partitions; a presence fact
 * is worthless after minutes, hence 1 hour retention. Replication factor 3.
 * Partition key: `user_id`, so one user's online/offline transitions stay
 * in order and the last one wins.
 *
 * Producers: user. Consumer groups: analytics-consumer-group, notification-consumer-group.
 * Dead letters go to `user.online_status.dlq`.
 */
export const userOnlineStatusTopic: TopicDefinition<UserOnlineStatusEventMap> = {
  name: 'user.online_status',
  spec: {
    name: 'user.online_status',
    kind: 'event',
    partitions: 6,
    replicas: 3,
    config: {
      'cleanup.policy': 'delete',
      'min.insync.replicas': '2',
      'retention.ms': '3600000',
    },
    deadLetterTopic: 'user.online_status.dlq',
    description: 'user.online_status',
  },
  events: {
    UserOnlineStatusChanged: userOnlineStatusChangedEvent,
  },
};

/**
 * `user.online_status.dlq`: user.online_status.dlq
 *
 * Dead-letter topic of `user.online_status`. A consumer group that fails a
 * record after its retry policy (3 attempts, common/retry.yaml), or cannot
 * deserialize or validate it, writes the original record here byte for
 * byte, to the same partition number as the source (6 partitions), adding
 * `kafka_dlt-*` provenance headers and the attempt count (`kafka_deliveryAttempt`) and the reason (`kafka_dlt-reason`). Retention is 14
 * days, far longer than the source's 1 hour, so operators can investigate
 * (a dead presence event is rarely worth replaying, but the reason it
 * failed is).
 */
export const userOnlineStatusDlqTopic: TopicSpec = {
  name: 'user.online_status.dlq',
  kind: 'dead-letter',
  partitions: 6,
  replicas: 3,
  config: {
    'cleanup.policy': 'delete',
    'min.insync.replicas': '2',
    'retention.ms': '1209600000',
  },
  deadLetterFor: 'user.online_status',
  description: 'user.online_status.dlq',
};

/** Every topic and dead-letter topic the contracts define, sorted by name: what `applyTopics` creates. */
export const topicSpecs: readonly TopicSpec[] = [
  chatEventsTopic.spec,
  chatEventsDlqTopic,
  dwBatchCompletedTopic.spec,
  dwBatchCompletedDlqTopic,
  filePolicyUpdatedTopic.spec,
  filePolicyUpdatedDlqTopic,
  permissionChangedTopic.spec,
  permissionChangedDlqTopic,
  policyBundleAppliedTopic.spec,
  policyBundleAppliedDlqTopic,
  friendEventsTopic.spec,
  friendEventsDlqTopic,
  messageEventsTopic.spec,
  messageEventsDlqTopic,
  notificationEventsTopic.spec,
  notificationEventsDlqTopic,
  userEventsTopic.spec,
  userEventsDlqTopic,
  userOnlineStatusTopic.spec,
  userOnlineStatusDlqTopic,
];

/** Every topic that carries events, by name: for tools that work on all of them (replays, round trips). */
export const eventTopics: Readonly<Record<string, TopicDefinition>> = {
  'chat.events': chatEventsTopic,
  'domain.dw-batch-completed': dwBatchCompletedTopic,
  'domain.file-policy-updated': filePolicyUpdatedTopic,
  'domain.permission-changed': permissionChangedTopic,
  'domain.policy-bundle-applied': policyBundleAppliedTopic,
  'friend.events': friendEventsTopic,
  'message.events': messageEventsTopic,
  'notification.events': notificationEventsTopic,
  'user.events': userEventsTopic,
  'user.online_status': userOnlineStatusTopic,
};
