// generated — do not edit. Source: the AsyncAPI contracts; regenerate with `npm run generate`.
// Who produces and who consumes what, as data.

/** The whole catalog: contexts, topics, events and consumer groups. */
export const catalog = {
  contexts: [
    {
      name: 'analytics',
      system: 'chat',
      source: 'urn:contract-events:chat:analytics',
      title: 'Chat — Analytics context',
      version: '1.0.0',
    },
    {
      name: 'auth',
      system: 'platform',
      source: 'urn:contract-events:platform:auth',
      title: 'Platform — Auth module (backend/auth)',
      version: '1.0.0',
    },
    {
      name: 'batch-app',
      system: 'platform',
      source: 'urn:contract-events:platform:batch-app',
      title: 'Platform — Batch application',
      version: '1.0.0',
    },
    {
      name: 'chat',
      system: 'chat',
      source: 'urn:contract-events:chat:chat',
      title: 'Chat — Chat context',
      version: '1.0.0',
    },
    {
      name: 'dw-gateway',
      system: 'platform',
      source: 'urn:contract-events:platform:dw-gateway',
      title: 'Platform — DW gateway',
      version: '1.0.0',
    },
    {
      name: 'dw-integration',
      system: 'platform',
      source: 'urn:contract-events:platform:dw-integration',
      title: 'Platform — DW integration module (backend/dw-integration)',
      version: '1.0.0',
    },
    {
      name: 'file',
      system: 'platform',
      source: 'urn:contract-events:platform:file',
      title: 'Platform — File module (backend/server/file)',
      version: '1.0.0',
    },
    {
      name: 'friend',
      system: 'chat',
      source: 'urn:contract-events:chat:friend',
      title: 'Chat — Friend context',
      version: '1.0.0',
    },
    {
      name: 'masking-service',
      system: 'platform',
      source: 'urn:contract-events:platform:masking-service',
      title: 'Platform — Masking service',
      version: '1.0.0',
    },
    {
      name: 'notification',
      system: 'chat',
      source: 'urn:contract-events:chat:notification',
      title: 'Chat — Notification context',
      version: '1.0.0',
    },
    {
      name: 'policy',
      system: 'platform',
      source: 'urn:contract-events:platform:policy',
      title: 'Platform — Policy module (backend/policy)',
      version: '1.0.0',
    },
    {
      name: 'policy-cache',
      system: 'platform',
      source: 'urn:contract-events:platform:policy-cache',
      title: 'Platform — Policy cache',
      version: '1.0.0',
    },
    {
      name: 'read-model-worker',
      system: 'platform',
      source: 'urn:contract-events:platform:read-model-worker',
      title: 'Platform — Read model worker',
      version: '1.0.0',
    },
    {
      name: 'search-indexer',
      system: 'chat',
      source: 'urn:contract-events:chat:search-indexer',
      title: 'Chat — Search indexer context',
      version: '1.0.0',
    },
    {
      name: 'server',
      system: 'platform',
      source: 'urn:contract-events:platform:server',
      title: 'Platform — Server read model (backend/server)',
      version: '1.0.0',
    },
    {
      name: 'user',
      system: 'chat',
      source: 'urn:contract-events:chat:user',
      title: 'Chat — User context',
      version: '1.0.0',
    },
  ],
  topics: [
    {
      name: 'chat.events',
      kind: 'event',
      partitions: 3,
      replicas: 3,
      owner: 'chat',
      events: [
        'ChatRoomCreated',
      ],
      producers: [
        'chat',
      ],
      consumerGroups: [
        'analytics-consumer-group',
        'notification-consumer-group',
      ],
      deadLetterTopic: 'chat.events.dlq',
    },
    {
      name: 'chat.events.dlq',
      kind: 'dead-letter',
      partitions: 3,
      replicas: 3,
      owner: 'chat',
      events: [],
      producers: [],
      consumerGroups: [],
      deadLetterFor: 'chat.events',
    },
    {
      name: 'domain.dw-batch-completed',
      kind: 'event',
      partitions: 3,
      replicas: 3,
      owner: 'dw-integration',
      events: [
        'DwBatchCompleted',
      ],
      producers: [
        'dw-integration',
      ],
      consumerGroups: [
        'batch-app',
        'read-model-worker',
      ],
      deadLetterTopic: 'domain.dw-batch-completed.dlq',
    },
    {
      name: 'domain.dw-batch-completed.dlq',
      kind: 'dead-letter',
      partitions: 3,
      replicas: 3,
      owner: 'dw-integration',
      events: [],
      producers: [],
      consumerGroups: [],
      deadLetterFor: 'domain.dw-batch-completed',
    },
    {
      name: 'domain.file-policy-updated',
      kind: 'event',
      partitions: 3,
      replicas: 3,
      owner: 'file',
      events: [
        'FilePolicyUpdated',
      ],
      producers: [
        'file',
      ],
      consumerGroups: [
        'masking-service',
      ],
      deadLetterTopic: 'domain.file-policy-updated.dlq',
    },
    {
      name: 'domain.file-policy-updated.dlq',
      kind: 'dead-letter',
      partitions: 3,
      replicas: 3,
      owner: 'file',
      events: [],
      producers: [],
      consumerGroups: [],
      deadLetterFor: 'domain.file-policy-updated',
    },
    {
      name: 'domain.permission-changed',
      kind: 'event',
      partitions: 6,
      replicas: 3,
      owner: 'auth',
      events: [
        'PermissionChanged',
      ],
      producers: [
        'auth',
      ],
      consumerGroups: [
        'policy-cache',
        'read-model-worker',
        'server',
      ],
      deadLetterTopic: 'domain.permission-changed.dlq',
    },
    {
      name: 'domain.permission-changed.dlq',
      kind: 'dead-letter',
      partitions: 6,
      replicas: 3,
      owner: 'auth',
      events: [],
      producers: [],
      consumerGroups: [],
      deadLetterFor: 'domain.permission-changed',
    },
    {
      name: 'domain.policy-bundle-applied',
      kind: 'event',
      partitions: 3,
      replicas: 3,
      owner: 'policy',
      events: [
        'PolicyBundleApplied',
      ],
      producers: [
        'policy',
      ],
      consumerGroups: [
        'dw-gateway',
        'read-model-worker',
        'server',
      ],
      deadLetterTopic: 'domain.policy-bundle-applied.dlq',
    },
    {
      name: 'domain.policy-bundle-applied.dlq',
      kind: 'dead-letter',
      partitions: 3,
      replicas: 3,
      owner: 'policy',
      events: [],
      producers: [],
      consumerGroups: [],
      deadLetterFor: 'domain.policy-bundle-applied',
    },
    {
      name: 'friend.events',
      kind: 'event',
      partitions: 3,
      replicas: 3,
      owner: 'friend',
      events: [
        'FriendRequestAccepted',
        'FriendRequestCancelled',
        'FriendRequestRejected',
        'FriendRequestSent',
      ],
      producers: [
        'friend',
      ],
      consumerGroups: [
        'analytics-consumer-group',
        'notification-consumer-group',
      ],
      deadLetterTopic: 'friend.events.dlq',
    },
    {
      name: 'friend.events.dlq',
      kind: 'dead-letter',
      partitions: 3,
      replicas: 3,
      owner: 'friend',
      events: [],
      producers: [],
      consumerGroups: [],
      deadLetterFor: 'friend.events',
    },
    {
      name: 'message.events',
      kind: 'event',
      partitions: 10,
      replicas: 3,
      owner: 'chat',
      events: [
        'MessageSent',
        'MessagesRead',
      ],
      producers: [
        'chat',
      ],
      consumerGroups: [
        'analytics-consumer-group',
        'notification-consumer-group',
        'search-indexer-group',
      ],
      deadLetterTopic: 'message.events.dlq',
    },
    {
      name: 'message.events.dlq',
      kind: 'dead-letter',
      partitions: 10,
      replicas: 3,
      owner: 'chat',
      events: [],
      producers: [],
      consumerGroups: [],
      deadLetterFor: 'message.events',
    },
    {
      name: 'notification.events',
      kind: 'event',
      partitions: 3,
      replicas: 3,
      owner: 'notification',
      events: [
        'NotificationSent',
      ],
      producers: [
        'notification',
      ],
      consumerGroups: [
        'analytics-consumer-group',
      ],
      deadLetterTopic: 'notification.events.dlq',
    },
    {
      name: 'notification.events.dlq',
      kind: 'dead-letter',
      partitions: 3,
      replicas: 3,
      owner: 'notification',
      events: [],
      producers: [],
      consumerGroups: [],
      deadLetterFor: 'notification.events',
    },
    {
      name: 'user.events',
      kind: 'event',
      partitions: 3,
      replicas: 3,
      owner: 'user',
      events: [
        'UserProfileUpdated',
        'UserRegistered',
      ],
      producers: [
        'user',
      ],
      consumerGroups: [
        'analytics-consumer-group',
        'chat-profile-cache-group',
        'friend-profile-cache-group',
        'notification-consumer-group',
      ],
      deadLetterTopic: 'user.events.dlq',
    },
    {
      name: 'user.events.dlq',
      kind: 'dead-letter',
      partitions: 3,
      replicas: 3,
      owner: 'user',
      events: [],
      producers: [],
      consumerGroups: [],
      deadLetterFor: 'user.events',
    },
    {
      name: 'user.online_status',
      kind: 'event',
      partitions: 6,
      replicas: 3,
      owner: 'user',
      events: [
        'UserOnlineStatusChanged',
      ],
      producers: [
        'user',
      ],
      consumerGroups: [
        'analytics-consumer-group',
        'notification-consumer-group',
      ],
      deadLetterTopic: 'user.online_status.dlq',
    },
    {
      name: 'user.online_status.dlq',
      kind: 'dead-letter',
      partitions: 6,
      replicas: 3,
      owner: 'user',
      events: [],
      producers: [],
      consumerGroups: [],
      deadLetterFor: 'user.online_status',
    },
  ],
  events: [
    {
      name: 'ChatRoomCreated',
      topic: 'chat.events',
      owner: 'chat',
      partitionKey: '$message.payload#/user_1_id',
      schemaVersion: 1,
    },
    {
      name: 'DwBatchCompleted',
      topic: 'domain.dw-batch-completed',
      owner: 'dw-integration',
      partitionKey: '$message.payload#/batchId',
      schemaVersion: 1,
    },
    {
      name: 'FilePolicyUpdated',
      topic: 'domain.file-policy-updated',
      owner: 'file',
      partitionKey: '$message.payload#/fileType',
      schemaVersion: 1,
    },
    {
      name: 'FriendRequestAccepted',
      topic: 'friend.events',
      owner: 'friend',
      partitionKey: '$message.payload#/requester_id',
      schemaVersion: 1,
    },
    {
      name: 'FriendRequestCancelled',
      topic: 'friend.events',
      owner: 'friend',
      partitionKey: '$message.payload#/requester_id',
      schemaVersion: 1,
    },
    {
      name: 'FriendRequestRejected',
      topic: 'friend.events',
      owner: 'friend',
      partitionKey: '$message.payload#/requester_id',
      schemaVersion: 1,
    },
    {
      name: 'FriendRequestSent',
      topic: 'friend.events',
      owner: 'friend',
      partitionKey: '$message.payload#/requester_id',
      schemaVersion: 1,
    },
    {
      name: 'MessageSent',
      topic: 'message.events',
      owner: 'chat',
      partitionKey: '$message.payload#/room_id',
      schemaVersion: 1,
    },
    {
      name: 'MessagesRead',
      topic: 'message.events',
      owner: 'chat',
      partitionKey: '$message.payload#/room_id',
      schemaVersion: 1,
    },
    {
      name: 'NotificationSent',
      topic: 'notification.events',
      owner: 'notification',
      partitionKey: '$message.payload#/user_id',
      schemaVersion: 1,
    },
    {
      name: 'PermissionChanged',
      topic: 'domain.permission-changed',
      owner: 'auth',
      partitionKey: '$message.payload#/userId',
      schemaVersion: 1,
    },
    {
      name: 'PolicyBundleApplied',
      topic: 'domain.policy-bundle-applied',
      owner: 'policy',
      partitionKey: '$message.payload#/bundleId',
      schemaVersion: 1,
    },
    {
      name: 'UserOnlineStatusChanged',
      topic: 'user.online_status',
      owner: 'user',
      partitionKey: '$message.payload#/user_id',
      schemaVersion: 1,
    },
    {
      name: 'UserProfileUpdated',
      topic: 'user.events',
      owner: 'user',
      partitionKey: '$message.payload#/user_id',
      schemaVersion: 1,
    },
    {
      name: 'UserRegistered',
      topic: 'user.events',
      owner: 'user',
      partitionKey: '$message.payload#/user_id',
      schemaVersion: 1,
    },
  ],
  consumerGroups: [
    {
      groupId: 'analytics-consumer-group',
      context: 'analytics',
      subscriptions: [
        {
          topic: 'chat.events',
          events: [
            'ChatRoomCreated',
          ],
          maxAttempts: 3,
        },
        {
          topic: 'friend.events',
          events: [
            'FriendRequestAccepted',
            'FriendRequestCancelled',
            'FriendRequestRejected',
            'FriendRequestSent',
          ],
          maxAttempts: 3,
        },
        {
          topic: 'message.events',
          events: [
            'MessageSent',
            'MessagesRead',
          ],
          maxAttempts: 3,
        },
        {
          topic: 'notification.events',
          events: [
            'NotificationSent',
          ],
          maxAttempts: 3,
        },
        {
          topic: 'user.events',
          events: [
            'UserProfileUpdated',
            'UserRegistered',
          ],
          maxAttempts: 3,
        },
        {
          topic: 'user.online_status',
          events: [
            'UserOnlineStatusChanged',
          ],
          maxAttempts: 3,
        },
      ],
    },
    {
      groupId: 'batch-app',
      context: 'batch-app',
      subscriptions: [
        {
          topic: 'domain.dw-batch-completed',
          events: [
            'DwBatchCompleted',
          ],
          maxAttempts: 3,
        },
      ],
    },
    {
      groupId: 'chat-profile-cache-group',
      context: 'chat',
      subscriptions: [
        {
          topic: 'user.events',
          events: [
            'UserProfileUpdated',
          ],
          maxAttempts: 3,
        },
      ],
    },
    {
      groupId: 'dw-gateway',
      context: 'dw-gateway',
      subscriptions: [
        {
          topic: 'domain.policy-bundle-applied',
          events: [
            'PolicyBundleApplied',
          ],
          maxAttempts: 3,
        },
      ],
    },
    {
      groupId: 'friend-profile-cache-group',
      context: 'friend',
      subscriptions: [
        {
          topic: 'user.events',
          events: [
            'UserProfileUpdated',
          ],
          maxAttempts: 3,
        },
      ],
    },
    {
      groupId: 'masking-service',
      context: 'masking-service',
      subscriptions: [
        {
          topic: 'domain.file-policy-updated',
          events: [
            'FilePolicyUpdated',
          ],
          maxAttempts: 3,
        },
      ],
    },
    {
      groupId: 'notification-consumer-group',
      context: 'notification',
      subscriptions: [
        {
          topic: 'chat.events',
          events: [
            'ChatRoomCreated',
          ],
          maxAttempts: 3,
        },
        {
          topic: 'friend.events',
          events: [
            'FriendRequestAccepted',
            'FriendRequestSent',
          ],
          maxAttempts: 3,
        },
        {
          topic: 'message.events',
          events: [
            'MessageSent',
            'MessagesRead',
          ],
          maxAttempts: 3,
        },
        {
          topic: 'user.events',
          events: [
            'UserRegistered',
          ],
          maxAttempts: 3,
        },
        {
          topic: 'user.online_status',
          events: [
            'UserOnlineStatusChanged',
          ],
          maxAttempts: 3,
        },
      ],
    },
    {
      groupId: 'policy-cache',
      context: 'policy-cache',
      subscriptions: [
        {
          topic: 'domain.permission-changed',
          events: [
            'PermissionChanged',
          ],
          maxAttempts: 3,
        },
      ],
    },
    {
      groupId: 'read-model-worker',
      context: 'read-model-worker',
      subscriptions: [
        {
          topic: 'domain.dw-batch-completed',
          events: [
            'DwBatchCompleted',
          ],
          maxAttempts: 3,
        },
        {
          topic: 'domain.permission-changed',
          events: [
            'PermissionChanged',
          ],
          maxAttempts: 3,
        },
        {
          topic: 'domain.policy-bundle-applied',
          events: [
            'PolicyBundleApplied',
          ],
          maxAttempts: 3,
        },
      ],
    },
    {
      groupId: 'search-indexer-group',
      context: 'search-indexer',
      subscriptions: [
        {
          topic: 'message.events',
          events: [
            'MessageSent',
          ],
          maxAttempts: 3,
        },
      ],
    },
    {
      groupId: 'server',
      context: 'server',
      subscriptions: [
        {
          topic: 'domain.permission-changed',
          events: [
            'PermissionChanged',
          ],
          maxAttempts: 3,
        },
        {
          topic: 'domain.policy-bundle-applied',
          events: [
            'PolicyBundleApplied',
          ],
          maxAttempts: 3,
        },
      ],
    },
  ],
} as const;
