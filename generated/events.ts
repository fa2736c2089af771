// generated — do not edit. Source: the AsyncAPI contracts; regenerate with `npm run generate`.
// One definition per event: where it goes, how it is keyed and validated.

import type { EventDefinition } from '../runtime/contract/index.ts';
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
import {
  validateChatRoomCreatedHeaders,
  validateChatRoomCreatedPayload,
  validateDwBatchCompletedHeaders,
  validateDwBatchCompletedPayload,
  validateFilePolicyUpdatedHeaders,
  validateFilePolicyUpdatedPayload,
  validateFriendRequestAcceptedHeaders,
  validateFriendRequestAcceptedPayload,
  validateFriendRequestCancelledHeaders,
  validateFriendRequestCancelledPayload,
  validateFriendRequestRejectedHeaders,
  validateFriendRequestRejectedPayload,
  validateFriendRequestSentHeaders,
  validateFriendRequestSentPayload,
  validateMessageSentHeaders,
  validateMessageSentPayload,
  validateMessagesReadHeaders,
  validateMessagesReadPayload,
  validateNotificationSentHeaders,
  validateNotificationSentPayload,
  validatePermissionChangedHeaders,
  validatePermissionChangedPayload,
  validatePolicyBundleAppliedHeaders,
  validatePolicyBundleAppliedPayload,
  validateUserOnlineStatusChangedHeaders,
  validateUserOnlineStatusChangedPayload,
  validateUserProfileUpdatedHeaders,
  validateUserProfileUpdatedPayload,
  validateUserRegisteredHeaders,
  validateUserRegisteredPayload,
} from './validators.js';

/** `ChatRoomCreated` on `chat.events`, keyed by `$message.payload#/user_1_id`. */
export const chatRoomCreatedEvent: EventDefinition<'ChatRoomCreated', ChatRoomCreated, ChatRoomCreatedHeaders> = {
  type: 'ChatRoomCreated',
  topic: 'chat.events',
  source: 'urn:contract-events:chat:chat',
  schemaVersion: 1,
  contentType: 'application/json',
  partitionKey: (payload) => String(payload.user_1_id),
  partitionKeyExpression: '$message.payload#/user_1_id',
  validatePayload: validateChatRoomCreatedPayload,
  validateHeaders: validateChatRoomCreatedHeaders,
};

/** `DwBatchCompleted` on `domain.dw-batch-completed`, keyed by `$message.payload#/batchId`. */
export const dwBatchCompletedEvent: EventDefinition<'DwBatchCompleted', DwBatchCompleted, DwBatchCompletedHeaders> = {
  type: 'DwBatchCompleted',
  topic: 'domain.dw-batch-completed',
  source: 'urn:contract-events:platform:dw-integration',
  schemaVersion: 1,
  contentType: 'application/json',
  partitionKey: (payload) => String(payload.batchId),
  partitionKeyExpression: '$message.payload#/batchId',
  validatePayload: validateDwBatchCompletedPayload,
  validateHeaders: validateDwBatchCompletedHeaders,
};

/** `FilePolicyUpdated` on `domain.file-policy-updated`, keyed by `$message.payload#/fileType`. */
export const filePolicyUpdatedEvent: EventDefinition<'FilePolicyUpdated', FilePolicyUpdated, FilePolicyUpdatedHeaders> = {
  type: 'FilePolicyUpdated',
  topic: 'domain.file-policy-updated',
  source: 'urn:contract-events:platform:file',
  schemaVersion: 1,
  contentType: 'application/json',
  partitionKey: (payload) => String(payload.fileType),
  partitionKeyExpression: '$message.payload#/fileType',
  validatePayload: validateFilePolicyUpdatedPayload,
  validateHeaders: validateFilePolicyUpdatedHeaders,
};

/** `FriendRequestAccepted` on `friend.events`, keyed by `$message.payload#/requester_id`. */
export const friendRequestAcceptedEvent: EventDefinition<'FriendRequestAccepted', FriendRequestAccepted, FriendRequestAcceptedHeaders> = {
  type: 'FriendRequestAccepted',
  topic: 'friend.events',
  source: 'urn:contract-events:chat:friend',
  schemaVersion: 1,
  contentType: 'application/json',
  partitionKey: (payload) => String(payload.requester_id),
  partitionKeyExpression: '$message.payload#/requester_id',
  validatePayload: validateFriendRequestAcceptedPayload,
  validateHeaders: validateFriendRequestAcceptedHeaders,
};

/** `FriendRequestCancelled` on `friend.events`, keyed by `$message.payload#/requester_id`. */
export const friendRequestCancelledEvent: EventDefinition<'FriendRequestCancelled', FriendRequestCancelled, FriendRequestCancelledHeaders> = {
  type: 'FriendRequestCancelled',
  topic: 'friend.events',
  source: 'urn:contract-events:chat:friend',
  schemaVersion: 1,
  contentType: 'application/json',
  partitionKey: (payload) => String(payload.requester_id),
  partitionKeyExpression: '$message.payload#/requester_id',
  validatePayload: validateFriendRequestCancelledPayload,
  validateHeaders: validateFriendRequestCancelledHeaders,
};

/** `FriendRequestRejected` on `friend.events`, keyed by `$message.payload#/requester_id`. */
export const friendRequestRejectedEvent: EventDefinition<'FriendRequestRejected', FriendRequestRejected, FriendRequestRejectedHeaders> = {
  type: 'FriendRequestRejected',
  topic: 'friend.events',
  source: 'urn:contract-events:chat:friend',
  schemaVersion: 1,
  contentType: 'application/json',
  partitionKey: (payload) => String(payload.requester_id),
  partitionKeyExpression: '$message.payload#/requester_id',
  validatePayload: validateFriendRequestRejectedPayload,
  validateHeaders: validateFriendRequestRejectedHeaders,
};

/** `FriendRequestSent` on `friend.events`, keyed by `$message.payload#/requester_id`. */
export const friendRequestSentEvent: EventDefinition<'FriendRequestSent', FriendRequestSent, FriendRequestSentHeaders> = {
  type: 'FriendRequestSent',
  topic: 'friend.events',
  source: 'urn:contract-events:chat:friend',
  schemaVersion: 1,
  contentType: 'application/json',
  partitionKey: (payload) => String(payload.requester_id),
  partitionKeyExpression: '$message.payload#/requester_id',
  validatePayload: validateFriendRequestSentPayload,
  validateHeaders: validateFriendRequestSentHeaders,
};

/** `MessageSent` on `message.events`, keyed by `$message.payload#/room_id`. */
export const messageSentEvent: EventDefinition<'MessageSent', MessageSent, MessageSentHeaders> = {
  type: 'MessageSent',
  topic: 'message.events',
  source: 'urn:contract-events:chat:chat',
  schemaVersion: 1,
  contentType: 'application/json',
  partitionKey: (payload) => String(payload.room_id),
  partitionKeyExpression: '$message.payload#/room_id',
  validatePayload: validateMessageSentPayload,
  validateHeaders: validateMessageSentHeaders,
};

/** `MessagesRead` on `message.events`, keyed by `$message.payload#/room_id`. */
export const messagesReadEvent: EventDefinition<'MessagesRead', MessagesRead, MessagesReadHeaders> = {
  type: 'MessagesRead',
  topic: 'message.events',
  source: 'urn:contract-events:chat:chat',
  schemaVersion: 1,
  contentType: 'application/json',
  partitionKey: (payload) => String(payload.room_id),
  partitionKeyExpression: '$message.payload#/room_id',
  validatePayload: validateMessagesReadPayload,
  validateHeaders: validateMessagesReadHeaders,
};

/** `NotificationSent` on `notification.events`, keyed by `$message.payload#/user_id`. */
export const notificationSentEvent: EventDefinition<'NotificationSent', NotificationSent, NotificationSentHeaders> = {
  type: 'NotificationSent',
  topic: 'notification.events',
  source: 'urn:contract-events:chat:notification',
  schemaVersion: 1,
  contentType: 'application/json',
  partitionKey: (payload) => String(payload.user_id),
  partitionKeyExpression: '$message.payload#/user_id',
  validatePayload: validateNotificationSentPayload,
  validateHeaders: validateNotificationSentHeaders,
};

/** `PermissionChanged` on `domain.permission-changed`, keyed by `$message.payload#/userId`. */
export const permissionChangedEvent: EventDefinition<'PermissionChanged', PermissionChanged, PermissionChangedHeaders> = {
  type: 'PermissionChanged',
  topic: 'domain.permission-changed',
  source: 'urn:contract-events:platform:auth',
  schemaVersion: 1,
  contentType: 'application/json',
  partitionKey: (payload) => String(payload.userId),
  partitionKeyExpression: '$message.payload#/userId',
  validatePayload: validatePermissionChangedPayload,
  validateHeaders: validatePermissionChangedHeaders,
};

/** `PolicyBundleApplied` on `domain.policy-bundle-applied`, keyed by `$message.payload#/bundleId`. */
export const policyBundleAppliedEvent: EventDefinition<'PolicyBundleApplied', PolicyBundleApplied, PolicyBundleAppliedHeaders> = {
  type: 'PolicyBundleApplied',
  topic: 'domain.policy-bundle-applied',
  source: 'urn:contract-events:platform:policy',
  schemaVersion: 1,
  contentType: 'application/json',
  partitionKey: (payload) => String(payload.bundleId),
  partitionKeyExpression: '$message.payload#/bundleId',
  validatePayload: validatePolicyBundleAppliedPayload,
  validateHeaders: validatePolicyBundleAppliedHeaders,
};

/** `UserOnlineStatusChanged` on `user.online_status`, keyed by `$message.payload#/user_id`. */
export const userOnlineStatusChangedEvent: EventDefinition<'UserOnlineStatusChanged', UserOnlineStatusChanged, UserOnlineStatusChangedHeaders> = {
  type: 'UserOnlineStatusChanged',
  topic: 'user.online_status',
  source: 'urn:contract-events:chat:user',
  schemaVersion: 1,
  contentType: 'application/json',
  partitionKey: (payload) => String(payload.user_id),
  partitionKeyExpression: '$message.payload#/user_id',
  validatePayload: validateUserOnlineStatusChangedPayload,
  validateHeaders: validateUserOnlineStatusChangedHeaders,
};

/** `UserProfileUpdated` on `user.events`, keyed by `$message.payload#/user_id`. */
export const userProfileUpdatedEvent: EventDefinition<'UserProfileUpdated', UserProfileUpdated, UserProfileUpdatedHeaders> = {
  type: 'UserProfileUpdated',
  topic: 'user.events',
  source: 'urn:contract-events:chat:user',
  schemaVersion: 1,
  contentType: 'application/json',
  partitionKey: (payload) => String(payload.user_id),
  partitionKeyExpression: '$message.payload#/user_id',
  validatePayload: validateUserProfileUpdatedPayload,
  validateHeaders: validateUserProfileUpdatedHeaders,
};

/** `UserRegistered` on `user.events`, keyed by `$message.payload#/user_id`. */
export const userRegisteredEvent: EventDefinition<'UserRegistered', UserRegistered, UserRegisteredHeaders> = {
  type: 'UserRegistered',
  topic: 'user.events',
  source: 'urn:contract-events:chat:user',
  schemaVersion: 1,
  contentType: 'application/json',
  partitionKey: (payload) => String(payload.user_id),
  partitionKeyExpression: '$message.payload#/user_id',
  validatePayload: validateUserRegisteredPayload,
  validateHeaders: validateUserRegisteredHeaders,
};
