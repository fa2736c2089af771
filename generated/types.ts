// generated — do not edit. Source: the AsyncAPI contracts; regenerate with `npm run generate`.
// Payload and header types of every event, and per topic the union of its events.

/**
 * EnvelopeHeaders
 *
 * Kafka record headers of every domain event (CloudEvents 1.0 Kafka binding, binary content mode, plus W3C Trace Context). All header values are UTF-8 strings. The event type travels in `ce_type`, so a topic may carry several event types and a consumer dispatches on `ce_type`, never by sniffing payload fields. Other headers are allowed (brokers, tracing libraries and dead-letter publishing add their own, e.g. Spring Kafka's `kafka_dlt-*`), as long as they are strings.
 *
 * Shared by 15 event type(s); each event's `…Headers` type fixes `ce_type` (`TType`) and `ce_schemaversion` (`TVersion`).
 */
export interface EnvelopeHeaders<TType extends string = string, TVersion extends string = string> {
  /** CloudEvents specification version the envelope follows; always `1.0`. */
  ce_specversion: '1.0';
  /**
   * Unique id of this event occurrence, assigned once when the event is written to the outbox and kept on every redelivery and relay retry. Consumers deduplicate on it (idempotency key).
   *
   * @format uuid
   */
  ce_id: string;
  /**
   * Event type: the AsyncAPI message `name` (PascalCase, e.g. `UserRegistered`). Consumers dispatch on it.
   *
   * @pattern ^[A-Z][A-Za-z0-9]*$
   */
  ce_type: TType;
  /**
   * The publishing bounded context: the `id` of its AsyncAPI document (e.g. `urn:contract-events:chat:user`).
   *
   * @format uri-reference
   */
  ce_source: string;
  /**
   * When the event occurred (RFC 3339), the moment the business transaction committed it to the outbox.
   *
   * @format date-time
   */
  ce_time: string;
  /**
   * Major version of the payload schema, the message's `x-schema-version` written as decimal digits. A breaking payload change bumps it (and ships under a new major version of the contract); additive changes keep it.
   *
   * @pattern ^[0-9]+$
   */
  ce_schemaversion: TVersion;
  /**
   * The partition key of the record (the value the message's `x-partition-key` points at), written as a string; the same value as the Kafka record key. Optional: informative for routers and tooling that cannot read the Kafka key.
   *
   * @minLength 1
   */
  ce_subject?: string;
  /** Media type of the record value (CloudEvents `datacontenttype` in binary mode); always `application/json`. */
  'content-type': 'application/json';
  /**
   * W3C Trace Context `traceparent` of the operation that produced the event (version-traceid-parentid-flags), captured in the outbox row so the consumer's span continues the producer's trace.
   *
   * @pattern ^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$
   */
  traceparent: string;
  /** W3C Trace Context `tracestate` (vendor-specific trace data), present when the producer had one. */
  tracestate?: string;
  [key: string]: unknown;
}

/**
 * Chat room created
 *
 * A direct or group chat room was created.
 *
 * Published when a chat room is created. `user_1_id` is the creator and
 * the partition key. Subscribers: analytics (room creation statistics)
 * and notification (shows the new room to the other members in real
 * time).
 *
 * Topic `chat.events`, key `$message.payload#/user_1_id`, schema version 1, published by `chat`.
 */
export interface ChatRoomCreated {
  /**
   * Id of the new room.
   *
   * @minimum 1
   */
  room_id: number;
  /**
   * Id of the user who created the room; the partition key.
   *
   * @minimum 1
   */
  user_1_id: number;
  /**
   * Direct room: id of the other participant. Group room: id of the first member the creator invited.
   *
   * @minimum 1
   */
  user_2_id: number;
  /** `direct` for a one-to-one room (exactly two members), `group` for a room of two or more members with a name. */
  room_type: 'direct' | 'group';
  /**
   * Ids of every member of the room at creation, creator included (for a direct room exactly `user_1_id` and `user_2_id`).
   *
   * @minItems 2
   */
  member_ids: number[];
  /**
   * Name of a group room; null for a direct room.
   *
   * @minLength 1
   * @maxLength 100
   */
  room_name: string | null;
  /**
   * When the fact the event records happened (RFC 3339 date-time with a zone offset, UTC `Z` by convention); the seed's `timestamp` field.
   *
   * @format date-time
   */
  timestamp: Timestamp;
}

/** Kafka record headers of {@link ChatRoomCreated}: {@link EnvelopeHeaders} with `ce_type` "ChatRoomCreated" and `ce_schemaversion` "1". */
export type ChatRoomCreatedHeaders = EnvelopeHeaders<'ChatRoomCreated', '1'>;

/**
 * When the fact the event records happened (RFC 3339 date-time with a zone offset, UTC `Z` by convention); the seed's `timestamp` field.
 *
 * @format date-time
 */
export type Timestamp = string;

/**
 * DW batch completed
 *
 * A data-warehouse batch run ended.
 *
 * Published by backend/dw-integration when a batch run reaches a
 * terminal state. Subscribers: batch-app (next batch steps) and
 * read-model-worker (recomputes the read model of the covered
 * organizations).
 *
 * Topic `domain.dw-batch-completed`, key `$message.payload#/batchId`, schema version 1, published by `dw-integration`.
 */
export interface DwBatchCompleted {
  /**
   * Id of the batch, kept across reruns; the partition key.
   *
   * @minLength 1
   * @maxLength 128
   */
  batchId: string;
  /** The inclusive range of organization codes the batch covered (DW batches are split by organization range). `from` sorts before or equal to `to`. */
  orgRange: OrgRange;
  /** Outcome of the run: SUCCEEDED (every organization of the range loaded), PARTIALLY_SUCCEEDED (some failed), FAILED (none loaded). */
  status: 'SUCCEEDED' | 'PARTIALLY_SUCCEEDED' | 'FAILED';
  /**
   * When the fact the event records happened (RFC 3339 date-time with a zone offset, UTC `Z` by convention).
   *
   * @format date-time
   */
  occurredAt: OccurredAt;
}

/** Kafka record headers of {@link DwBatchCompleted}: {@link EnvelopeHeaders} with `ce_type` "DwBatchCompleted" and `ce_schemaversion` "1". */
export type DwBatchCompletedHeaders = EnvelopeHeaders<'DwBatchCompleted', '1'>;

/** The inclusive range of organization codes the batch covered (DW batches are split by organization range). `from` sorts before or equal to `to`. */
export interface OrgRange {
  /**
   * First organization code of the range (inclusive).
   *
   * @minLength 1
   * @maxLength 64
   */
  from: string;
  /**
   * Last organization code of the range (inclusive).
   *
   * @minLength 1
   * @maxLength 64
   */
  to: string;
}

/**
 * When the fact the event records happened (RFC 3339 date-time with a zone offset, UTC `Z` by convention).
 *
 * @format date-time
 */
export type OccurredAt = string;

/**
 * File policy updated
 *
 * The masking rule of a file type changed.
 *
 * Published by the server's file module when the masking rule assigned
 * to a file type changes. Subscriber: masking-service (applies the new
 * rule to files of that type from then on).
 *
 * Topic `domain.file-policy-updated`, key `$message.payload#/fileType`, schema version 1, published by `file`.
 */
export interface FilePolicyUpdated {
  /**
   * File type the policy applies to, as its lower-case extension (e.g. `xlsx`); the partition key.
   *
   * @pattern ^[a-z0-9][a-z0-9.+-]{0,31}$
   */
  fileType: string;
  /**
   * Id of the masking rule now applied to files of this type; null when they are no longer masked. One of the rules the masking service knows (`mask-email`, `mask-phone`, `mask-national-id`, `mask-pii`); kept a string rather than an enum, so that a new rule is not a breaking change for consumers validating the old list. A consumer that does not know the id cannot apply it and dead-letters the event at once (non-retriable).
   *
   * @minLength 1
   * @maxLength 128
   */
  maskingRuleId: string | null;
  /**
   * When the fact the event records happened (RFC 3339 date-time with a zone offset, UTC `Z` by convention).
   *
   * @format date-time
   */
  occurredAt: OccurredAt;
}

/** Kafka record headers of {@link FilePolicyUpdated}: {@link EnvelopeHeaders} with `ce_type` "FilePolicyUpdated" and `ce_schemaversion` "1". */
export type FilePolicyUpdatedHeaders = EnvelopeHeaders<'FilePolicyUpdated', '1'>;

/**
 * Friend request accepted
 *
 * The addressee accepted a friend request; the two users are now friends.
 *
 * Published when the addressee accepts a pending request (actor: the
 * addressee). Subscribers: notification (tells the requester) and
 * analytics (friendship formation statistics).
 *
 * Topic `friend.events`, key `$message.payload#/requester_id`, schema version 1, published by `friend`.
 */
export interface FriendRequestAccepted {
  /**
   * Id of the friendship record, now accepted.
   *
   * @minimum 1
   */
  friendship_id: number;
  /**
   * Id of the user who sent the request; the partition key.
   *
   * @minimum 1
   */
  requester_id: number;
  /**
   * Display name of the requester when the request was accepted.
   *
   * @minLength 1
   * @maxLength 100
   */
  requester_name: string;
  /**
   * Id of the user who accepted the request (the actor).
   *
   * @minimum 1
   */
  addressee_id: number;
  /**
   * Display name of the addressee when the request was accepted.
   *
   * @minLength 1
   * @maxLength 100
   */
  addressee_name: string;
  /**
   * When the fact the event records happened (RFC 3339 date-time with a zone offset, UTC `Z` by convention); the seed's `timestamp` field.
   *
   * @format date-time
   */
  timestamp: Timestamp;
}

/** Kafka record headers of {@link FriendRequestAccepted}: {@link EnvelopeHeaders} with `ce_type` "FriendRequestAccepted" and `ce_schemaversion` "1". */
export type FriendRequestAcceptedHeaders = EnvelopeHeaders<'FriendRequestAccepted', '1'>;

/**
 * Friend request cancelled
 *
 * The requester withdrew a pending friend request.
 *
 * Published when the requester cancels a request that is still pending
 * (actor: the requester). Same structure as FriendRequestSent, no reason.
 * The seed names no subscriber besides analytics (friendship statistics).
 *
 * Topic `friend.events`, key `$message.payload#/requester_id`, schema version 1, published by `friend`.
 */
export interface FriendRequestCancelled {
  /**
   * Id of the friendship record, now cancelled.
   *
   * @minimum 1
   */
  friendship_id: number;
  /**
   * Id of the user who sent and then cancelled the request (the actor); the partition key.
   *
   * @minimum 1
   */
  requester_id: number;
  /**
   * Display name of the requester when the request was cancelled.
   *
   * @minLength 1
   * @maxLength 100
   */
  requester_name: string;
  /**
   * Id of the user the request had been sent to.
   *
   * @minimum 1
   */
  addressee_id: number;
  /**
   * Display name of the addressee when the request was cancelled.
   *
   * @minLength 1
   * @maxLength 100
   */
  addressee_name: string;
  /**
   * When the fact the event records happened (RFC 3339 date-time with a zone offset, UTC `Z` by convention); the seed's `timestamp` field.
   *
   * @format date-time
   */
  timestamp: Timestamp;
}

/** Kafka record headers of {@link FriendRequestCancelled}: {@link EnvelopeHeaders} with `ce_type` "FriendRequestCancelled" and `ce_schemaversion` "1". */
export type FriendRequestCancelledHeaders = EnvelopeHeaders<'FriendRequestCancelled', '1'>;

/**
 * Friend request rejected
 *
 * The addressee declined a friend request.
 *
 * Published when the addressee rejects a pending request (actor: the
 * addressee). Same structure as FriendRequestSent, no reason. The seed
 * names no subscriber besides analytics (friendship statistics); the
 * requester is deliberately not notified.
 *
 * Topic `friend.events`, key `$message.payload#/requester_id`, schema version 1, published by `friend`.
 */
export interface FriendRequestRejected {
  /**
   * Id of the friendship record, now rejected.
   *
   * @minimum 1
   */
  friendship_id: number;
  /**
   * Id of the user who sent the request; the partition key.
   *
   * @minimum 1
   */
  requester_id: number;
  /**
   * Display name of the requester when the request was rejected.
   *
   * @minLength 1
   * @maxLength 100
   */
  requester_name: string;
  /**
   * Id of the user who rejected the request (the actor).
   *
   * @minimum 1
   */
  addressee_id: number;
  /**
   * Display name of the addressee when the request was rejected.
   *
   * @minLength 1
   * @maxLength 100
   */
  addressee_name: string;
  /**
   * When the fact the event records happened (RFC 3339 date-time with a zone offset, UTC `Z` by convention); the seed's `timestamp` field.
   *
   * @format date-time
   */
  timestamp: Timestamp;
}

/** Kafka record headers of {@link FriendRequestRejected}: {@link EnvelopeHeaders} with `ce_type` "FriendRequestRejected" and `ce_schemaversion` "1". */
export type FriendRequestRejectedHeaders = EnvelopeHeaders<'FriendRequestRejected', '1'>;

/**
 * Friend request sent
 *
 * A user asked another user to be friends.
 *
 * Published when a user sends a friend request (actor: the requester).
 * Subscribers: notification (notifies the addressee) and analytics.
 *
 * Topic `friend.events`, key `$message.payload#/requester_id`, schema version 1, published by `friend`.
 */
export interface FriendRequestSent {
  /**
   * Id of the friendship record the request created (pending).
   *
   * @minimum 1
   */
  friendship_id: number;
  /**
   * Id of the user who sent the request (the actor); the partition key.
   *
   * @minimum 1
   */
  requester_id: number;
  /**
   * Display name of the requester when the request was sent.
   *
   * @minLength 1
   * @maxLength 100
   */
  requester_name: string;
  /**
   * Id of the user the request was sent to.
   *
   * @minimum 1
   */
  addressee_id: number;
  /**
   * Display name of the addressee when the request was sent.
   *
   * @minLength 1
   * @maxLength 100
   */
  addressee_name: string;
  /**
   * When the fact the event records happened (RFC 3339 date-time with a zone offset, UTC `Z` by convention); the seed's `timestamp` field.
   *
   * @format date-time
   */
  timestamp: Timestamp;
}

/** Kafka record headers of {@link FriendRequestSent}: {@link EnvelopeHeaders} with `ce_type` "FriendRequestSent" and `ce_schemaversion` "1". */
export type FriendRequestSentHeaders = EnvelopeHeaders<'FriendRequestSent', '1'>;

/**
 * Message sent
 *
 * A user sent a message to a room.
 *
 * Published when the Chat service accepts a message. Subscribers:
 * notification (pushes it to the other members over SSE), analytics
 * (message statistics) and search-indexer (message search indexing).
 *
 * Topic `message.events`, key `$message.payload#/room_id`, schema version 1, published by `chat`.
 */
export interface MessageSent {
  /**
   * Id of the message (UUID), assigned by the Chat service.
   *
   * @format uuid
   */
  message_id: string;
  /**
   * Id of the room the message was sent to; the partition key.
   *
   * @minimum 1
   */
  room_id: number;
  /**
   * Id of the sender.
   *
   * @minimum 1
   */
  user_id: number;
  /**
   * Name of the sender as other users saw it when the message was sent: the sender's display name then (UserProfileUpdated / UserRegistered `display_name`, cut to 50 characters), or `user-<id>` when the Chat service could not look it up. Not the login name: the field keeps the seed's name.
   *
   * @minLength 1
   * @maxLength 50
   */
  username: string;
  /**
   * For `text`, the message body. For `image` and `file`, the URL of the uploaded object.
   *
   * @minLength 1
   * @maxLength 10000
   */
  content: string;
  /** Kind of message, which tells how to read `content`. */
  message_type: 'text' | 'image' | 'file';
  /**
   * When the Chat service accepted the message (RFC 3339).
   *
   * @format date-time
   */
  created_at: string;
}

/** Kafka record headers of {@link MessageSent}: {@link EnvelopeHeaders} with `ce_type` "MessageSent" and `ce_schemaversion` "1". */
export type MessageSentHeaders = EnvelopeHeaders<'MessageSent', '1'>;

/**
 * Messages read
 *
 * A user read messages in a room.
 *
 * Published when a user marks messages of a room as read. Subscribers:
 * notification (updates the senders' read status, optional per the seed)
 * and analytics.
 *
 * Topic `message.events`, key `$message.payload#/room_id`, schema version 1, published by `chat`.
 */
export interface MessagesRead {
  /**
   * Id of the room; the partition key.
   *
   * @minimum 1
   */
  room_id: number;
  /**
   * Id of the user who read the messages.
   *
   * @minimum 1
   */
  user_id: number;
  /**
   * Ids of the messages that became read, at least one.
   *
   * @minItems 1
   */
  message_ids: string[];
  /**
   * When the fact the event records happened (RFC 3339 date-time with a zone offset, UTC `Z` by convention); the seed's `timestamp` field.
   *
   * @format date-time
   */
  timestamp: Timestamp;
}

/** Kafka record headers of {@link MessagesRead}: {@link EnvelopeHeaders} with `ce_type` "MessagesRead" and `ce_schemaversion` "1". */
export type MessagesReadHeaders = EnvelopeHeaders<'MessagesRead', '1'>;

/**
 * Notification sent
 *
 * A notification was delivered to a user.
 *
 * Published each time the Notification service sends a notification to
 * one user. `content` is an open object by intent: its keys depend on
 * `notification_type`, new kinds of notification add keys without a
 * contract change, and the only subscriber (analytics, notification
 * statistics) stores it without interpreting it. Everything else in the
 * payload is closed.
 *
 * Topic `notification.events`, key `$message.payload#/user_id`, schema version 1, published by `notification`.
 */
export interface NotificationSent {
  /**
   * Id of the notification (UUID).
   *
   * @format uuid
   */
  notification_id: string;
  /**
   * Id of the recipient; the partition key.
   *
   * @minimum 1
   */
  user_id: number;
  /** What the notification is about: `welcome` (UserRegistered), `friend_request` (FriendRequestSent), `friend_request_accepted` (FriendRequestAccepted), `chat_room_created` (ChatRoomCreated), `new_message` (MessageSent). */
  notification_type: 'welcome' | 'friend_request' | 'friend_request_accepted' | 'chat_room_created' | 'new_message';
  /**
   * Human-readable headline shown to the user.
   *
   * @minLength 1
   * @maxLength 200
   */
  title: string;
  /** Type-specific data of a notification, as delivered to the client over SSE (for example the requester of a friend request, or the room and message of a new message). Open by intent: its shape depends on `notification_type`, new notification kinds add new keys, and the only subscriber (analytics) stores it as-is without interpreting it. Everything else in NotificationSent is closed. */
  content: NotificationContent;
  /**
   * When the fact the event records happened (RFC 3339 date-time with a zone offset, UTC `Z` by convention); the seed's `timestamp` field.
   *
   * @format date-time
   */
  timestamp: Timestamp;
}

/** Kafka record headers of {@link NotificationSent}: {@link EnvelopeHeaders} with `ce_type` "NotificationSent" and `ce_schemaversion` "1". */
export type NotificationSentHeaders = EnvelopeHeaders<'NotificationSent', '1'>;

/** Type-specific data of a notification, as delivered to the client over SSE (for example the requester of a friend request, or the room and message of a new message). Open by intent: its shape depends on `notification_type`, new notification kinds add new keys, and the only subscriber (analytics) stores it as-is without interpreting it. Everything else in NotificationSent is closed. */
export interface NotificationContent {
  [key: string]: unknown;
}

/**
 * Permission changed
 *
 * A user's feature/action permissions changed.
 *
 * Published by backend/auth when a user's permissions change (grant,
 * revoke, role change). Carries the complete permission set after the
 * change and its version. Subscribers: server (read model),
 * policy-cache (permission cache) and read-model-worker (phase 2: cache
 * invalidation and recomputation).
 *
 * Topic `domain.permission-changed`, key `$message.payload#/userId`, schema version 1, published by `auth`.
 */
export interface PermissionChanged {
  /**
   * Id of the user whose permissions changed (identity provider id); the partition key.
   *
   * @minLength 1
   * @maxLength 128
   */
  userId: string;
  /** The feature/action set: every feature the user may use after the change, each with its allowed actions. Empty when the user has no permission left. Each feature appears at most once. */
  permissions: FeaturePermission[];
  /**
   * Version of this user's permission set; strictly increases with every change of the same user. Consumers ignore a version lower than or equal to the one they hold.
   *
   * @minimum 1
   */
  version: number;
  /**
   * When the fact the event records happened (RFC 3339 date-time with a zone offset, UTC `Z` by convention).
   *
   * @format date-time
   */
  occurredAt: OccurredAt;
}

/** Kafka record headers of {@link PermissionChanged}: {@link EnvelopeHeaders} with `ce_type` "PermissionChanged" and `ce_schemaversion` "1". */
export type PermissionChangedHeaders = EnvelopeHeaders<'PermissionChanged', '1'>;

/** One feature the user may use, with the actions allowed on it. */
export interface FeaturePermission {
  /**
   * Feature key (lower-case, dot/dash/underscore separated), e.g. `dw.report`.
   *
   * @pattern ^[a-z][a-z0-9]*([._-][a-z0-9]+)*$
   */
  feature: string;
  /**
   * Actions the user may perform on the feature, e.g. `read`, `export`. Unordered, without duplicates, at least one.
   *
   * @minItems 1
   */
  actions: string[];
}

/**
 * Policy bundle applied
 *
 * A revision of a policy bundle was applied.
 *
 * Published by backend/policy when a policy bundle revision is applied.
 * Subscribers: server (reloads policies), dw-gateway (enforces them on
 * data-warehouse access) and read-model-worker (phase 2: recomputes
 * what the policies affect).
 *
 * Topic `domain.policy-bundle-applied`, key `$message.payload#/bundleId`, schema version 1, published by `policy`.
 */
export interface PolicyBundleApplied {
  /**
   * Stable identity of the bundle (lower-case name); the partition key.
   *
   * @pattern ^[a-z0-9][a-z0-9._-]{0,127}$
   */
  bundleId: string;
  /**
   * Full Git commit hash (40 lower-case hex characters) of the policy repository revision the bundle was built from.
   *
   * @pattern ^[0-9a-f]{40}$
   */
  gitHash: string;
  /**
   * When consumers must start enforcing this revision (RFC 3339); equal to or later than occurredAt.
   *
   * @format date-time
   */
  effectiveAt: string;
  /**
   * When the fact the event records happened (RFC 3339 date-time with a zone offset, UTC `Z` by convention).
   *
   * @format date-time
   */
  occurredAt: OccurredAt;
}

/** Kafka record headers of {@link PolicyBundleApplied}: {@link EnvelopeHeaders} with `ce_type` "PolicyBundleApplied" and `ce_schemaversion` "1". */
export type PolicyBundleAppliedHeaders = EnvelopeHeaders<'PolicyBundleApplied', '1'>;

/**
 * User online status changed
 *
 * A user went online or offline.
 *
 * Published on login, logout and inactivity timeout (high frequency).
 * Subscribers: notification (broadcasts the status to the user's friends
 * over SSE) and analytics.
 *
 * Topic `user.online_status`, key `$message.payload#/user_id`, schema version 1, published by `user`.
 */
export interface UserOnlineStatusChanged {
  /**
   * Id of the user whose presence changed; the partition key.
   *
   * @minimum 1
   */
  user_id: number;
  /** True when the user is now online, false when now offline. */
  is_online: boolean;
  /**
   * When the fact the event records happened (RFC 3339 date-time with a zone offset, UTC `Z` by convention); the seed's `timestamp` field.
   *
   * @format date-time
   */
  timestamp: Timestamp;
}

/** Kafka record headers of {@link UserOnlineStatusChanged}: {@link EnvelopeHeaders} with `ce_type` "UserOnlineStatusChanged" and `ce_schemaversion` "1". */
export type UserOnlineStatusChangedHeaders = EnvelopeHeaders<'UserOnlineStatusChanged', '1'>;

/**
 * User profile updated
 *
 * A user changed their profile.
 *
 * Published when a user edits their profile. Carries the full current
 * profile (a snapshot, not a diff) so caches overwrite their copy.
 * Subscribers: friend (friend-list profile cache), chat (room-list
 * profile cache) and analytics.
 *
 * Topic `user.events`, key `$message.payload#/user_id`, schema version 1, published by `user`.
 */
export interface UserProfileUpdated {
  /**
   * Id of the user whose profile changed; the partition key.
   *
   * @minimum 1
   */
  user_id: number;
  /**
   * Name shown to other users.
   *
   * @minLength 1
   * @maxLength 100
   */
  display_name: string;
  /**
   * URL of the profile picture; null when the user has none.
   *
   * @format uri
   */
  profile_image_url: string | null;
  /**
   * Free-text status line; empty when the user cleared it.
   *
   * @maxLength 200
   */
  status_message: string;
  /**
   * When the fact the event records happened (RFC 3339 date-time with a zone offset, UTC `Z` by convention); the seed's `timestamp` field.
   *
   * @format date-time
   */
  timestamp: Timestamp;
}

/** Kafka record headers of {@link UserProfileUpdated}: {@link EnvelopeHeaders} with `ce_type` "UserProfileUpdated" and `ce_schemaversion` "1". */
export type UserProfileUpdatedHeaders = EnvelopeHeaders<'UserProfileUpdated', '1'>;

/**
 * User registered
 *
 * A new account was created.
 *
 * Published when sign-up succeeds. Subscribers: notification (sends the
 * welcome notification) and analytics (new sign-up statistics).
 *
 * Topic `user.events`, key `$message.payload#/user_id`, schema version 1, published by `user`.
 */
export interface UserRegistered {
  /**
   * Id of the new user; the partition key.
   *
   * @minimum 1
   */
  user_id: number;
  /**
   * E-mail address the user registered with.
   *
   * @format email
   */
  email: string;
  /**
   * Unique login name chosen at sign-up.
   *
   * @minLength 1
   * @maxLength 50
   */
  username: string;
  /**
   * Name shown to other users; initially the username.
   *
   * @minLength 1
   * @maxLength 100
   */
  display_name: string;
  /**
   * When the fact the event records happened (RFC 3339 date-time with a zone offset, UTC `Z` by convention); the seed's `timestamp` field.
   *
   * @format date-time
   */
  timestamp: Timestamp;
}

/** Kafka record headers of {@link UserRegistered}: {@link EnvelopeHeaders} with `ce_type` "UserRegistered" and `ce_schemaversion` "1". */
export type UserRegisteredHeaders = EnvelopeHeaders<'UserRegistered', '1'>;

/** Every event carried by `chat.events`, discriminated by `type`. */
export type ChatEventsEvent =
  | { readonly type: 'ChatRoomCreated'; readonly payload: ChatRoomCreated; };

/** Event type → payload of `chat.events`. */
export type ChatEventsEventMap = {
  ChatRoomCreated: ChatRoomCreated;
};

/** Every event carried by `domain.dw-batch-completed`, discriminated by `type`. */
export type DwBatchCompletedEvent =
  | { readonly type: 'DwBatchCompleted'; readonly payload: DwBatchCompleted; };

/** Event type → payload of `domain.dw-batch-completed`. */
export type DwBatchCompletedEventMap = {
  DwBatchCompleted: DwBatchCompleted;
};

/** Every event carried by `domain.file-policy-updated`, discriminated by `type`. */
export type FilePolicyUpdatedEvent =
  | { readonly type: 'FilePolicyUpdated'; readonly payload: FilePolicyUpdated; };

/** Event type → payload of `domain.file-policy-updated`. */
export type FilePolicyUpdatedEventMap = {
  FilePolicyUpdated: FilePolicyUpdated;
};

/** Every event carried by `domain.permission-changed`, discriminated by `type`. */
export type PermissionChangedEvent =
  | { readonly type: 'PermissionChanged'; readonly payload: PermissionChanged; };

/** Event type → payload of `domain.permission-changed`. */
export type PermissionChangedEventMap = {
  PermissionChanged: PermissionChanged;
};

/** Every event carried by `domain.policy-bundle-applied`, discriminated by `type`. */
export type PolicyBundleAppliedEvent =
  | { readonly type: 'PolicyBundleApplied'; readonly payload: PolicyBundleApplied; };

/** Event type → payload of `domain.policy-bundle-applied`. */
export type PolicyBundleAppliedEventMap = {
  PolicyBundleApplied: PolicyBundleApplied;
};

/** Every event carried by `friend.events`, discriminated by `type`. */
export type FriendEventsEvent =
  | { readonly type: 'FriendRequestAccepted'; readonly payload: FriendRequestAccepted; }
  | { readonly type: 'FriendRequestCancelled'; readonly payload: FriendRequestCancelled; }
  | { readonly type: 'FriendRequestRejected'; readonly payload: FriendRequestRejected; }
  | { readonly type: 'FriendRequestSent'; readonly payload: FriendRequestSent; };

/** Event type → payload of `friend.events`. */
export type FriendEventsEventMap = {
  FriendRequestAccepted: FriendRequestAccepted;
  FriendRequestCancelled: FriendRequestCancelled;
  FriendRequestRejected: FriendRequestRejected;
  FriendRequestSent: FriendRequestSent;
};

/** Every event carried by `message.events`, discriminated by `type`. */
export type MessageEventsEvent =
  | { readonly type: 'MessageSent'; readonly payload: MessageSent; }
  | { readonly type: 'MessagesRead'; readonly payload: MessagesRead; };

/** Event type → payload of `message.events`. */
export type MessageEventsEventMap = {
  MessageSent: MessageSent;
  MessagesRead: MessagesRead;
};

/** Every event carried by `notification.events`, discriminated by `type`. */
export type NotificationEventsEvent =
  | { readonly type: 'NotificationSent'; readonly payload: NotificationSent; };

/** Event type → payload of `notification.events`. */
export type NotificationEventsEventMap = {
  NotificationSent: NotificationSent;
};

/** Every event carried by `user.events`, discriminated by `type`. */
export type UserEventsEvent =
  | { readonly type: 'UserProfileUpdated'; readonly payload: UserProfileUpdated; }
  | { readonly type: 'UserRegistered'; readonly payload: UserRegistered; };

/** Event type → payload of `user.events`. */
export type UserEventsEventMap = {
  UserProfileUpdated: UserProfileUpdated;
  UserRegistered: UserRegistered;
};

/** Every event carried by `user.online_status`, discriminated by `type`. */
export type UserOnlineStatusEvent =
  | { readonly type: 'UserOnlineStatusChanged'; readonly payload: UserOnlineStatusChanged; };

/** Event type → payload of `user.online_status`. */
export type UserOnlineStatusEventMap = {
  UserOnlineStatusChanged: UserOnlineStatusChanged;
};

/** Every event type in the contracts. */
export type EventType = 'ChatRoomCreated' | 'DwBatchCompleted' | 'FilePolicyUpdated' | 'FriendRequestAccepted' | 'FriendRequestCancelled' | 'FriendRequestRejected' | 'FriendRequestSent' | 'MessageSent' | 'MessagesRead' | 'NotificationSent' | 'PermissionChanged' | 'PolicyBundleApplied' | 'UserOnlineStatusChanged' | 'UserProfileUpdated' | 'UserRegistered';

/** Event type → payload, for every event in the contracts. */
export type EventPayloadMap = {
  ChatRoomCreated: ChatRoomCreated;
  DwBatchCompleted: DwBatchCompleted;
  FilePolicyUpdated: FilePolicyUpdated;
  FriendRequestAccepted: FriendRequestAccepted;
  FriendRequestCancelled: FriendRequestCancelled;
  FriendRequestRejected: FriendRequestRejected;
  FriendRequestSent: FriendRequestSent;
  MessageSent: MessageSent;
  MessagesRead: MessagesRead;
  NotificationSent: NotificationSent;
  PermissionChanged: PermissionChanged;
  PolicyBundleApplied: PolicyBundleApplied;
  UserOnlineStatusChanged: UserOnlineStatusChanged;
  UserProfileUpdated: UserProfileUpdated;
  UserRegistered: UserRegistered;
};
