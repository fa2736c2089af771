// generated — do not edit. Source: the AsyncAPI contracts; regenerate with `npm run generate`.
// Standalone ajv validators, compiled from the contracts at generate time.

import type { ValidateFunction } from 'ajv';
import type {
  ChatRoomCreated,
  ChatRoomCreatedHeaders,
  DwBatchCompleted,
  DwBatchCompletedHeaders,
  EnvelopeHeaders,
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

/** Validates the headers of `ChatRoomCreated` (against {@link EnvelopeHeaders}; `ce_type` and `ce_schemaversion` are checked by the runtime, which dispatches on the one and compares the other); on failure `errors` lists each failing schema path. */
export declare const validateChatRoomCreatedHeaders: ValidateFunction<ChatRoomCreatedHeaders>;

/** Validates the payload of `ChatRoomCreated`; on failure `errors` lists each failing schema path. */
export declare const validateChatRoomCreatedPayload: ValidateFunction<ChatRoomCreated>;

/** Validates the headers of `DwBatchCompleted` (against {@link EnvelopeHeaders}; `ce_type` and `ce_schemaversion` are checked by the runtime, which dispatches on the one and compares the other); on failure `errors` lists each failing schema path. */
export declare const validateDwBatchCompletedHeaders: ValidateFunction<DwBatchCompletedHeaders>;

/** Validates the payload of `DwBatchCompleted`; on failure `errors` lists each failing schema path. */
export declare const validateDwBatchCompletedPayload: ValidateFunction<DwBatchCompleted>;

/** Validates Kafka record headers against {@link EnvelopeHeaders}, for 15 event type(s); on failure `errors` lists each failing schema path. */
export declare const validateEnvelopeHeaders: ValidateFunction<EnvelopeHeaders>;

/** Validates the headers of `FilePolicyUpdated` (against {@link EnvelopeHeaders}; `ce_type` and `ce_schemaversion` are checked by the runtime, which dispatches on the one and compares the other); on failure `errors` lists each failing schema path. */
export declare const validateFilePolicyUpdatedHeaders: ValidateFunction<FilePolicyUpdatedHeaders>;

/** Validates the payload of `FilePolicyUpdated`; on failure `errors` lists each failing schema path. */
export declare const validateFilePolicyUpdatedPayload: ValidateFunction<FilePolicyUpdated>;

/** Validates the headers of `FriendRequestAccepted` (against {@link EnvelopeHeaders}; `ce_type` and `ce_schemaversion` are checked by the runtime, which dispatches on the one and compares the other); on failure `errors` lists each failing schema path. */
export declare const validateFriendRequestAcceptedHeaders: ValidateFunction<FriendRequestAcceptedHeaders>;

/** Validates the payload of `FriendRequestAccepted`; on failure `errors` lists each failing schema path. */
export declare const validateFriendRequestAcceptedPayload: ValidateFunction<FriendRequestAccepted>;

/** Validates the headers of `FriendRequestCancelled` (against {@link EnvelopeHeaders}; `ce_type` and `ce_schemaversion` are checked by the runtime, which dispatches on the one and compares the other); on failure `errors` lists each failing schema path. */
export declare const validateFriendRequestCancelledHeaders: ValidateFunction<FriendRequestCancelledHeaders>;

/** Validates the payload of `FriendRequestCancelled`; on failure `errors` lists each failing schema path. */
export declare const validateFriendRequestCancelledPayload: ValidateFunction<FriendRequestCancelled>;

/** Validates the headers of `FriendRequestRejected` (against {@link EnvelopeHeaders}; `ce_type` and `ce_schemaversion` are checked by the runtime, which dispatches on the one and compares the other); on failure `errors` lists each failing schema path. */
export declare const validateFriendRequestRejectedHeaders: ValidateFunction<FriendRequestRejectedHeaders>;

/** Validates the payload of `FriendRequestRejected`; on failure `errors` lists each failing schema path. */
export declare const validateFriendRequestRejectedPayload: ValidateFunction<FriendRequestRejected>;

/** Validates the headers of `FriendRequestSent` (against {@link EnvelopeHeaders}; `ce_type` and `ce_schemaversion` are checked by the runtime, which dispatches on the one and compares the other); on failure `errors` lists each failing schema path. */
export declare const validateFriendRequestSentHeaders: ValidateFunction<FriendRequestSentHeaders>;

/** Validates the payload of `FriendRequestSent`; on failure `errors` lists each failing schema path. */
export declare const validateFriendRequestSentPayload: ValidateFunction<FriendRequestSent>;

/** Validates the headers of `MessageSent` (against {@link EnvelopeHeaders}; `ce_type` and `ce_schemaversion` are checked by the runtime, which dispatches on the one and compares the other); on failure `errors` lists each failing schema path. */
export declare const validateMessageSentHeaders: ValidateFunction<MessageSentHeaders>;

/** Validates the payload of `MessageSent`; on failure `errors` lists each failing schema path. */
export declare const validateMessageSentPayload: ValidateFunction<MessageSent>;

/** Validates the headers of `MessagesRead` (against {@link EnvelopeHeaders}; `ce_type` and `ce_schemaversion` are checked by the runtime, which dispatches on the one and compares the other); on failure `errors` lists each failing schema path. */
export declare const validateMessagesReadHeaders: ValidateFunction<MessagesReadHeaders>;

/** Validates the payload of `MessagesRead`; on failure `errors` lists each failing schema path. */
export declare const validateMessagesReadPayload: ValidateFunction<MessagesRead>;

/** Validates the headers of `NotificationSent` (against {@link EnvelopeHeaders}; `ce_type` and `ce_schemaversion` are checked by the runtime, which dispatches on the one and compares the other); on failure `errors` lists each failing schema path. */
export declare const validateNotificationSentHeaders: ValidateFunction<NotificationSentHeaders>;

/** Validates the payload of `NotificationSent`; on failure `errors` lists each failing schema path. */
export declare const validateNotificationSentPayload: ValidateFunction<NotificationSent>;

/** Validates the headers of `PermissionChanged` (against {@link EnvelopeHeaders}; `ce_type` and `ce_schemaversion` are checked by the runtime, which dispatches on the one and compares the other); on failure `errors` lists each failing schema path. */
export declare const validatePermissionChangedHeaders: ValidateFunction<PermissionChangedHeaders>;

/** Validates the payload of `PermissionChanged`; on failure `errors` lists each failing schema path. */
export declare const validatePermissionChangedPayload: ValidateFunction<PermissionChanged>;

/** Validates the headers of `PolicyBundleApplied` (against {@link EnvelopeHeaders}; `ce_type` and `ce_schemaversion` are checked by the runtime, which dispatches on the one and compares the other); on failure `errors` lists each failing schema path. */
export declare const validatePolicyBundleAppliedHeaders: ValidateFunction<PolicyBundleAppliedHeaders>;

/** Validates the payload of `PolicyBundleApplied`; on failure `errors` lists each failing schema path. */
export declare const validatePolicyBundleAppliedPayload: ValidateFunction<PolicyBundleApplied>;

/** Validates the headers of `UserOnlineStatusChanged` (against {@link EnvelopeHeaders}; `ce_type` and `ce_schemaversion` are checked by the runtime, which dispatches on the one and compares the other); on failure `errors` lists each failing schema path. */
export declare const validateUserOnlineStatusChangedHeaders: ValidateFunction<UserOnlineStatusChangedHeaders>;

/** Validates the payload of `UserOnlineStatusChanged`; on failure `errors` lists each failing schema path. */
export declare const validateUserOnlineStatusChangedPayload: ValidateFunction<UserOnlineStatusChanged>;

/** Validates the headers of `UserProfileUpdated` (against {@link EnvelopeHeaders}; `ce_type` and `ce_schemaversion` are checked by the runtime, which dispatches on the one and compares the other); on failure `errors` lists each failing schema path. */
export declare const validateUserProfileUpdatedHeaders: ValidateFunction<UserProfileUpdatedHeaders>;

/** Validates the payload of `UserProfileUpdated`; on failure `errors` lists each failing schema path. */
export declare const validateUserProfileUpdatedPayload: ValidateFunction<UserProfileUpdated>;

/** Validates the headers of `UserRegistered` (against {@link EnvelopeHeaders}; `ce_type` and `ce_schemaversion` are checked by the runtime, which dispatches on the one and compares the other); on failure `errors` lists each failing schema path. */
export declare const validateUserRegisteredHeaders: ValidateFunction<UserRegisteredHeaders>;

/** Validates the payload of `UserRegistered`; on failure `errors` lists each failing schema path. */
export declare const validateUserRegisteredPayload: ValidateFunction<UserRegistered>;
