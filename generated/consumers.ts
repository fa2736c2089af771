// generated — do not edit. Source: the AsyncAPI contracts; regenerate with `npm run generate`.
// Typed consumers, one per consumer group.

import type {
  BatchEventHandler,
  ConsumerGroupDefinition,
  ConsumerOptions,
  EventConsumerFactory,
  EventHandler,
  RetryPolicy,
  RunningConsumer,
} from '../runtime/contract/index.ts';
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
  ChatRoomCreated,
  ChatRoomCreatedHeaders,
  DwBatchCompleted,
  DwBatchCompletedHeaders,
  FilePolicyUpdated,
  FilePolicyUpdatedHeaders,
  FriendRequestAccepted,
  FriendRequestAcceptedHeaders,
  FriendRequestCancelled,
  FriendRequestCancelledHeaders,
  FriendRequestRejected,
  FriendRequestRejectedHeaders,
  FriendRequestSent,
  FriendRequestSentHeaders,
  MessageSent,
  MessageSentHeaders,
  MessagesRead,
  MessagesReadHeaders,
  NotificationSent,
  NotificationSentHeaders,
  PermissionChanged,
  PermissionChangedHeaders,
  PolicyBundleApplied,
  PolicyBundleAppliedHeaders,
  UserOnlineStatusChanged,
  UserOnlineStatusChangedHeaders,
  UserProfileUpdated,
  UserProfileUpdatedHeaders,
  UserRegistered,
  UserRegisteredHeaders,
} from './types.ts';

/** The retry policy of every receive operation whose contract names none (or names these values): 3 attempts in all, backing off from 200 ms, × 2 each time, at most 5000 ms. */
export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 3,
  initialIntervalMs: 200,
  multiplier: 2,
  maxIntervalMs: 5000,
};

/** Handlers of consumer group `analytics-consumer-group` (context `analytics`): one per event type it subscribes to. */
export type AnalyticsConsumerGroupHandlers = {
  /** `chat.events`: 1 event type(s); retried 3 time(s) in all, then dead-lettered. */
  chatEvents: {
    ChatRoomCreated: EventHandler<'ChatRoomCreated', ChatRoomCreated, ChatRoomCreatedHeaders> | BatchEventHandler<'ChatRoomCreated', ChatRoomCreated, ChatRoomCreatedHeaders>;
  };
  /** `friend.events`: 4 event type(s); retried 3 time(s) in all, then dead-lettered. */
  friendEvents: {
    FriendRequestAccepted: EventHandler<'FriendRequestAccepted', FriendRequestAccepted, FriendRequestAcceptedHeaders> | BatchEventHandler<'FriendRequestAccepted', FriendRequestAccepted, FriendRequestAcceptedHeaders>;
    FriendRequestCancelled: EventHandler<'FriendRequestCancelled', FriendRequestCancelled, FriendRequestCancelledHeaders> | BatchEventHandler<'FriendRequestCancelled', FriendRequestCancelled, FriendRequestCancelledHeaders>;
    FriendRequestRejected: EventHandler<'FriendRequestRejected', FriendRequestRejected, FriendRequestRejectedHeaders> | BatchEventHandler<'FriendRequestRejected', FriendRequestRejected, FriendRequestRejectedHeaders>;
    FriendRequestSent: EventHandler<'FriendRequestSent', FriendRequestSent, FriendRequestSentHeaders> | BatchEventHandler<'FriendRequestSent', FriendRequestSent, FriendRequestSentHeaders>;
  };
  /** `message.events`: 2 event type(s); retried 3 time(s) in all, then dead-lettered. */
  messageEvents: {
    MessageSent: EventHandler<'MessageSent', MessageSent, MessageSentHeaders> | BatchEventHandler<'MessageSent', MessageSent, MessageSentHeaders>;
    MessagesRead: EventHandler<'MessagesRead', MessagesRead, MessagesReadHeaders> | BatchEventHandler<'MessagesRead', MessagesRead, MessagesReadHeaders>;
  };
  /** `notification.events`: 1 event type(s); retried 3 time(s) in all, then dead-lettered. */
  notificationEvents: {
    NotificationSent: EventHandler<'NotificationSent', NotificationSent, NotificationSentHeaders> | BatchEventHandler<'NotificationSent', NotificationSent, NotificationSentHeaders>;
  };
  /** `user.events`: 2 event type(s); retried 3 time(s) in all, then dead-lettered. */
  userEvents: {
    UserProfileUpdated: EventHandler<'UserProfileUpdated', UserProfileUpdated, UserProfileUpdatedHeaders> | BatchEventHandler<'UserProfileUpdated', UserProfileUpdated, UserProfileUpdatedHeaders>;
    UserRegistered: EventHandler<'UserRegistered', UserRegistered, UserRegisteredHeaders> | BatchEventHandler<'UserRegistered', UserRegistered, UserRegisteredHeaders>;
  };
  /** `user.online_status`: 1 event type(s); retried 3 time(s) in all, then dead-lettered. */
  userOnlineStatus: {
    UserOnlineStatusChanged: EventHandler<'UserOnlineStatusChanged', UserOnlineStatusChanged, UserOnlineStatusChangedHeaders> | BatchEventHandler<'UserOnlineStatusChanged', UserOnlineStatusChanged, UserOnlineStatusChangedHeaders>;
  };
};

/** Consumer group `analytics-consumer-group` as the contracts define it. */
export const analyticsConsumerGroup: ConsumerGroupDefinition = {
  groupId: 'analytics-consumer-group',
  context: 'analytics',
  subscriptions: [
    {
      topic: chatEventsTopic,
      handlerKey: 'chatEvents',
      events: ['ChatRoomCreated'],
      retry: defaultRetryPolicy,
      deadLetterTopic: 'chat.events.dlq',
    },
    {
      topic: friendEventsTopic,
      handlerKey: 'friendEvents',
      events: [
        'FriendRequestAccepted',
        'FriendRequestCancelled',
        'FriendRequestRejected',
        'FriendRequestSent',
      ],
      retry: defaultRetryPolicy,
      deadLetterTopic: 'friend.events.dlq',
    },
    {
      topic: messageEventsTopic,
      handlerKey: 'messageEvents',
      events: ['MessageSent', 'MessagesRead'],
      retry: defaultRetryPolicy,
      deadLetterTopic: 'message.events.dlq',
    },
    {
      topic: notificationEventsTopic,
      handlerKey: 'notificationEvents',
      events: ['NotificationSent'],
      retry: defaultRetryPolicy,
      deadLetterTopic: 'notification.events.dlq',
    },
    {
      topic: userEventsTopic,
      handlerKey: 'userEvents',
      events: ['UserProfileUpdated', 'UserRegistered'],
      retry: defaultRetryPolicy,
      deadLetterTopic: 'user.events.dlq',
    },
    {
      topic: userOnlineStatusTopic,
      handlerKey: 'userOnlineStatus',
      events: ['UserOnlineStatusChanged'],
      retry: defaultRetryPolicy,
      deadLetterTopic: 'user.online_status.dlq',
    },
  ],
};

/** Starts consumer group `analytics-consumer-group` with one handler per event type. */
export function createAnalyticsConsumerGroup(runtime: EventConsumerFactory, handlers: AnalyticsConsumerGroupHandlers, options?: ConsumerOptions): RunningConsumer {
  return runtime.create(analyticsConsumerGroup, handlers, options);
}

/** Handlers of consumer group `batch-app` (context `batch-app`): one per event type it subscribes to. */
export type BatchAppGroupHandlers = {
  /** `domain.dw-batch-completed`: 1 event type(s); retried 3 time(s) in all, then dead-lettered. */
  dwBatchCompleted: {
    DwBatchCompleted: EventHandler<'DwBatchCompleted', DwBatchCompleted, DwBatchCompletedHeaders> | BatchEventHandler<'DwBatchCompleted', DwBatchCompleted, DwBatchCompletedHeaders>;
  };
};

/** Consumer group `batch-app` as the contracts define it. */
export const batchAppGroup: ConsumerGroupDefinition = {
  groupId: 'batch-app',
  context: 'batch-app',
  subscriptions: [
    {
      topic: dwBatchCompletedTopic,
      handlerKey: 'dwBatchCompleted',
      events: ['DwBatchCompleted'],
      retry: defaultRetryPolicy,
      deadLetterTopic: 'domain.dw-batch-completed.dlq',
    },
  ],
};

/** Starts consumer group `batch-app` with one handler per event type. */
export function createBatchAppGroup(runtime: EventConsumerFactory, handlers: BatchAppGroupHandlers, options?: ConsumerOptions): RunningConsumer {
  return runtime.create(batchAppGroup, handlers, options);
}

/** Handlers of consumer group `chat-profile-cache-group` (context `chat`): one per event type it subscribes to. */
export type ChatProfileCacheGroupHandlers = {
  /** `user.events`: 1 event type(s); retried 3 time(s) in all, then dead-lettered. */
  userEvents: {
    UserProfileUpdated: EventHandler<'UserProfileUpdated', UserProfileUpdated, UserProfileUpdatedHeaders> | BatchEventHandler<'UserProfileUpdated', UserProfileUpdated, UserProfileUpdatedHeaders>;
  };
};

/** Consumer group `chat-profile-cache-group` as the contracts define it. */
export const chatProfileCacheGroup: ConsumerGroupDefinition = {
  groupId: 'chat-profile-cache-group',
  context: 'chat',
  subscriptions: [
    {
      topic: userEventsTopic,
      handlerKey: 'userEvents',
      events: ['UserProfileUpdated'],
      retry: defaultRetryPolicy,
      deadLetterTopic: 'user.events.dlq',
    },
  ],
};

/** Starts consumer group `chat-profile-cache-group` with one handler per event type. */
export function createChatProfileCacheGroup(runtime: EventConsumerFactory, handlers: ChatProfileCacheGroupHandlers, options?: ConsumerOptions): RunningConsumer {
  return runtime.create(chatProfileCacheGroup, handlers, options);
}

/** Handlers of consumer group `dw-gateway` (context `dw-gateway`): one per event type it subscribes to. */
export type DwGatewayGroupHandlers = {
  /** `domain.policy-bundle-applied`: 1 event type(s); retried 3 time(s) in all, then dead-lettered. */
  policyBundleApplied: {
    PolicyBundleApplied: EventHandler<'PolicyBundleApplied', PolicyBundleApplied, PolicyBundleAppliedHeaders> | BatchEventHandler<'PolicyBundleApplied', PolicyBundleApplied, PolicyBundleAppliedHeaders>;
  };
};

/** Consumer group `dw-gateway` as the contracts define it. */
export const dwGatewayGroup: ConsumerGroupDefinition = {
  groupId: 'dw-gateway',
  context: 'dw-gateway',
  subscriptions: [
    {
      topic: policyBundleAppliedTopic,
      handlerKey: 'policyBundleApplied',
      events: ['PolicyBundleApplied'],
      retry: defaultRetryPolicy,
      deadLetterTopic: 'domain.policy-bundle-applied.dlq',
    },
  ],
};

/** Starts consumer group `dw-gateway` with one handler per event type. */
export function createDwGatewayGroup(runtime: EventConsumerFactory, handlers: DwGatewayGroupHandlers, options?: ConsumerOptions): RunningConsumer {
  return runtime.create(dwGatewayGroup, handlers, options);
}

/** Handlers of consumer group `friend-profile-cache-group` (context `friend`): one per event type it subscribes to. */
export type FriendProfileCacheGroupHandlers = {
  /** `user.events`: 1 event type(s); retried 3 time(s) in all, then dead-lettered. */
  userEvents: {
    UserProfileUpdated: EventHandler<'UserProfileUpdated', UserProfileUpdated, UserProfileUpdatedHeaders> | BatchEventHandler<'UserProfileUpdated', UserProfileUpdated, UserProfileUpdatedHeaders>;
  };
};

/** Consumer group `friend-profile-cache-group` as the contracts define it. */
export const friendProfileCacheGroup: ConsumerGroupDefinition = {
  groupId: 'friend-profile-cache-group',
  context: 'friend',
  subscriptions: [
    {
      topic: userEventsTopic,
      handlerKey: 'userEvents',
      events: ['UserProfileUpdated'],
      retry: defaultRetryPolicy,
      deadLetterTopic: 'user.events.dlq',
    },
  ],
};

/** Starts consumer group `friend-profile-cache-group` with one handler per event type. */
export function createFriendProfileCacheGroup(runtime: EventConsumerFactory, handlers: FriendProfileCacheGroupHandlers, options?: ConsumerOptions): RunningConsumer {
  return runtime.create(friendProfileCacheGroup, handlers, options);
}

/** Handlers of consumer group `masking-service` (context `masking-service`): one per event type it subscribes to. */
export type MaskingServiceGroupHandlers = {
  /** `domain.file-policy-updated`: 1 event type(s); retried 3 time(s) in all, then dead-lettered. */
  filePolicyUpdated: {
    FilePolicyUpdated: EventHandler<'FilePolicyUpdated', FilePolicyUpdated, FilePolicyUpdatedHeaders> | BatchEventHandler<'FilePolicyUpdated', FilePolicyUpdated, FilePolicyUpdatedHeaders>;
  };
};

/** Consumer group `masking-service` as the contracts define it. */
export const maskingServiceGroup: ConsumerGroupDefinition = {
  groupId: 'masking-service',
  context: 'masking-service',
  subscriptions: [
    {
      topic: filePolicyUpdatedTopic,
      handlerKey: 'filePolicyUpdated',
      events: ['FilePolicyUpdated'],
      retry: defaultRetryPolicy,
      deadLetterTopic: 'domain.file-policy-updated.dlq',
    },
  ],
};

/** Starts consumer group `masking-service` with one handler per event type. */
export function createMaskingServiceGroup(runtime: EventConsumerFactory, handlers: MaskingServiceGroupHandlers, options?: ConsumerOptions): RunningConsumer {
  return runtime.create(maskingServiceGroup, handlers, options);
}

/** Handlers of consumer group `notification-consumer-group` (context `notification`): one per event type it subscribes to. */
export type NotificationConsumerGroupHandlers = {
  /** `chat.events`: 1 event type(s); retried 3 time(s) in all, then dead-lettered. */
  chatEvents: {
    ChatRoomCreated: EventHandler<'ChatRoomCreated', ChatRoomCreated, ChatRoomCreatedHeaders> | BatchEventHandler<'ChatRoomCreated', ChatRoomCreated, ChatRoomCreatedHeaders>;
  };
  /** `friend.events`: 2 event type(s); retried 3 time(s) in all, then dead-lettered. */
  friendEvents: {
    FriendRequestAccepted: EventHandler<'FriendRequestAccepted', FriendRequestAccepted, FriendRequestAcceptedHeaders> | BatchEventHandler<'FriendRequestAccepted', FriendRequestAccepted, FriendRequestAcceptedHeaders>;
    FriendRequestSent: EventHandler<'FriendRequestSent', FriendRequestSent, FriendRequestSentHeaders> | BatchEventHandler<'FriendRequestSent', FriendRequestSent, FriendRequestSentHeaders>;
  };
  /** `message.events`: 2 event type(s); retried 3 time(s) in all, then dead-lettered. */
  messageEvents: {
    MessageSent: EventHandler<'MessageSent', MessageSent, MessageSentHeaders> | BatchEventHandler<'MessageSent', MessageSent, MessageSentHeaders>;
    MessagesRead: EventHandler<'MessagesRead', MessagesRead, MessagesReadHeaders> | BatchEventHandler<'MessagesRead', MessagesRead, MessagesReadHeaders>;
  };
  /** `user.events`: 1 event type(s); retried 3 time(s) in all, then dead-lettered. */
  userEvents: {
    UserRegistered: EventHandler<'UserRegistered', UserRegistered, UserRegisteredHeaders> | BatchEventHandler<'UserRegistered', UserRegistered, UserRegisteredHeaders>;
  };
  /** `user.online_status`: 1 event type(s); retried 3 time(s) in all, then dead-lettered. */
  userOnlineStatus: {
    UserOnlineStatusChanged: EventHandler<'UserOnlineStatusChanged', UserOnlineStatusChanged, UserOnlineStatusChangedHeaders> | BatchEventHandler<'UserOnlineStatusChanged', UserOnlineStatusChanged, UserOnlineStatusChangedHeaders>;
  };
};

/** Consumer group `notification-consumer-group` as the contracts define it. */
export const notificationConsumerGroup: ConsumerGroupDefinition = {
  groupId: 'notification-consumer-group',
  context: 'notification',
  subscriptions: [
    {
      topic: chatEventsTopic,
      handlerKey: 'chatEvents',
      events: ['ChatRoomCreated'],
      retry: defaultRetryPolicy,
      deadLetterTopic: 'chat.events.dlq',
    },
    {
      topic: friendEventsTopic,
      handlerKey: 'friendEvents',
      events: ['FriendRequestAccepted', 'FriendRequestSent'],
      retry: defaultRetryPolicy,
      deadLetterTopic: 'friend.events.dlq',
    },
    {
      topic: messageEventsTopic,
      handlerKey: 'messageEvents',
      events: ['MessageSent', 'MessagesRead'],
      retry: defaultRetryPolicy,
      deadLetterTopic: 'message.events.dlq',
    },
    {
      topic: userEventsTopic,
      handlerKey: 'userEvents',
      events: ['UserRegistered'],
      retry: defaultRetryPolicy,
      deadLetterTopic: 'user.events.dlq',
    },
    {
      topic: userOnlineStatusTopic,
      handlerKey: 'userOnlineStatus',
      events: ['UserOnlineStatusChanged'],
      retry: defaultRetryPolicy,
      deadLetterTopic: 'user.online_status.dlq',
    },
  ],
};

/** Starts consumer group `notification-consumer-group` with one handler per event type. */
export function createNotificationConsumerGroup(runtime: EventConsumerFactory, handlers: NotificationConsumerGroupHandlers, options?: ConsumerOptions): RunningConsumer {
  return runtime.create(notificationConsumerGroup, handlers, options);
}

/** Handlers of consumer group `policy-cache` (context `policy-cache`): one per event type it subscribes to. */
export type PolicyCacheGroupHandlers = {
  /** `domain.permission-changed`: 1 event type(s); retried 3 time(s) in all, then dead-lettered. */
  permissionChanged: {
    PermissionChanged: EventHandler<'PermissionChanged', PermissionChanged, PermissionChangedHeaders> | BatchEventHandler<'PermissionChanged', PermissionChanged, PermissionChangedHeaders>;
  };
};

/** Consumer group `policy-cache` as the contracts define it. */
export const policyCacheGroup: ConsumerGroupDefinition = {
  groupId: 'policy-cache',
  context: 'policy-cache',
  subscriptions: [
    {
      topic: permissionChangedTopic,
      handlerKey: 'permissionChanged',
      events: ['PermissionChanged'],
      retry: defaultRetryPolicy,
      deadLetterTopic: 'domain.permission-changed.dlq',
    },
  ],
};

/** Starts consumer group `policy-cache` with one handler per event type. */
export function createPolicyCacheGroup(runtime: EventConsumerFactory, handlers: PolicyCacheGroupHandlers, options?: ConsumerOptions): RunningConsumer {
  return runtime.create(policyCacheGroup, handlers, options);
}

/** Handlers of consumer group `read-model-worker` (context `read-model-worker`): one per event type it subscribes to. */
export type ReadModelWorkerGroupHandlers = {
  /** `domain.dw-batch-completed`: 1 event type(s); retried 3 time(s) in all, then dead-lettered. */
  dwBatchCompleted: {
    DwBatchCompleted: EventHandler<'DwBatchCompleted', DwBatchCompleted, DwBatchCompletedHeaders> | BatchEventHandler<'DwBatchCompleted', DwBatchCompleted, DwBatchCompletedHeaders>;
  };
  /** `domain.permission-changed`: 1 event type(s); retried 3 time(s) in all, then dead-lettered. */
  permissionChanged: {
    PermissionChanged: EventHandler<'PermissionChanged', PermissionChanged, PermissionChangedHeaders> | BatchEventHandler<'PermissionChanged', PermissionChanged, PermissionChangedHeaders>;
  };
  /** `domain.policy-bundle-applied`: 1 event type(s); retried 3 time(s) in all, then dead-lettered. */
  policyBundleApplied: {
    PolicyBundleApplied: EventHandler<'PolicyBundleApplied', PolicyBundleApplied, PolicyBundleAppliedHeaders> | BatchEventHandler<'PolicyBundleApplied', PolicyBundleApplied, PolicyBundleAppliedHeaders>;
  };
};

/** Consumer group `read-model-worker` as the contracts define it. */
export const readModelWorkerGroup: ConsumerGroupDefinition = {
  groupId: 'read-model-worker',
  context: 'read-model-worker',
  subscriptions: [
    {
      topic: dwBatchCompletedTopic,
      handlerKey: 'dwBatchCompleted',
      events: ['DwBatchCompleted'],
      retry: defaultRetryPolicy,
      deadLetterTopic: 'domain.dw-batch-completed.dlq',
    },
    {
      topic: permissionChangedTopic,
      handlerKey: 'permissionChanged',
      events: ['PermissionChanged'],
      retry: defaultRetryPolicy,
      deadLetterTopic: 'domain.permission-changed.dlq',
    },
    {
      topic: policyBundleAppliedTopic,
      handlerKey: 'policyBundleApplied',
      events: ['PolicyBundleApplied'],
      retry: defaultRetryPolicy,
      deadLetterTopic: 'domain.policy-bundle-applied.dlq',
    },
  ],
};

/** Starts consumer group `read-model-worker` with one handler per event type. */
export function createReadModelWorkerGroup(runtime: EventConsumerFactory, handlers: ReadModelWorkerGroupHandlers, options?: ConsumerOptions): RunningConsumer {
  return runtime.create(readModelWorkerGroup, handlers, options);
}

/** Handlers of consumer group `search-indexer-group` (context `search-indexer`): one per event type it subscribes to. */
export type SearchIndexerGroupHandlers = {
  /** `message.events`: 1 event type(s); retried 3 time(s) in all, then dead-lettered. */
  messageEvents: {
    MessageSent: EventHandler<'MessageSent', MessageSent, MessageSentHeaders> | BatchEventHandler<'MessageSent', MessageSent, MessageSentHeaders>;
  };
};

/** Consumer group `search-indexer-group` as the contracts define it. */
export const searchIndexerGroup: ConsumerGroupDefinition = {
  groupId: 'search-indexer-group',
  context: 'search-indexer',
  subscriptions: [
    {
      topic: messageEventsTopic,
      handlerKey: 'messageEvents',
      events: ['MessageSent'],
      retry: defaultRetryPolicy,
      deadLetterTopic: 'message.events.dlq',
    },
  ],
};

/** Starts consumer group `search-indexer-group` with one handler per event type. */
export function createSearchIndexerGroup(runtime: EventConsumerFactory, handlers: SearchIndexerGroupHandlers, options?: ConsumerOptions): RunningConsumer {
  return runtime.create(searchIndexerGroup, handlers, options);
}

/** Handlers of consumer group `server` (context `server`): one per event type it subscribes to. */
export type ServerGroupHandlers = {
  /** `domain.permission-changed`: 1 event type(s); retried 3 time(s) in all, then dead-lettered. */
  permissionChanged: {
    PermissionChanged: EventHandler<'PermissionChanged', PermissionChanged, PermissionChangedHeaders> | BatchEventHandler<'PermissionChanged', PermissionChanged, PermissionChangedHeaders>;
  };
  /** `domain.policy-bundle-applied`: 1 event type(s); retried 3 time(s) in all, then dead-lettered. */
  policyBundleApplied: {
    PolicyBundleApplied: EventHandler<'PolicyBundleApplied', PolicyBundleApplied, PolicyBundleAppliedHeaders> | BatchEventHandler<'PolicyBundleApplied', PolicyBundleApplied, PolicyBundleAppliedHeaders>;
  };
};

/** Consumer group `server` as the contracts define it. */
export const serverGroup: ConsumerGroupDefinition = {
  groupId: 'server',
  context: 'server',
  subscriptions: [
    {
      topic: permissionChangedTopic,
      handlerKey: 'permissionChanged',
      events: ['PermissionChanged'],
      retry: defaultRetryPolicy,
      deadLetterTopic: 'domain.permission-changed.dlq',
    },
    {
      topic: policyBundleAppliedTopic,
      handlerKey: 'policyBundleApplied',
      events: ['PolicyBundleApplied'],
      retry: defaultRetryPolicy,
      deadLetterTopic: 'domain.policy-bundle-applied.dlq',
    },
  ],
};

/** Starts consumer group `server` with one handler per event type. */
export function createServerGroup(runtime: EventConsumerFactory, handlers: ServerGroupHandlers, options?: ConsumerOptions): RunningConsumer {
  return runtime.create(serverGroup, handlers, options);
}
