// generated — do not edit. Source: the AsyncAPI contracts; regenerate with `npm run generate`.
// The contracts' examples, typed: test data for every event.

import type { EventPayloadMap, EventType } from './types.ts';

/** One example of an event as the contract gives it. */
export interface EventExample<TPayload> {
  readonly name?: string;
  readonly summary?: string;
  readonly payload: TPayload;
}

/** The contracts' examples, per event type. */
export const eventExamples: { readonly [K in EventType]: readonly EventExample<EventPayloadMap[K]>[]; } = {
  ChatRoomCreated: [
    {
      name: 'directRoom',
      summary: 'Alice opens a direct room with Bob.',
      payload: {
        room_id: 501,
        user_1_id: 42,
        user_2_id: 7,
        room_type: 'direct',
        member_ids: [42, 7],
        room_name: null,
        timestamp: '2026-01-27T12:15:00Z',
      },
    },
    {
      name: 'groupRoom',
      summary: 'Alice creates a group room with Bob and Carol.',
      payload: {
        room_id: 502,
        user_1_id: 42,
        user_2_id: 7,
        room_type: 'group',
        member_ids: [42, 7, 11],
        room_name: 'Weekend hike',
        timestamp: '2026-01-27T12:40:00Z',
      },
    },
  ],
  DwBatchCompleted: [
    {
      name: 'nightlySucceeded',
      summary: 'The nightly batch for organizations 1000 to 1999 succeeded.',
      payload: {
        batchId: 'nightly-2026-01-27-a',
        orgRange: {
          from: '1000',
          to: '1999',
        },
        status: 'SUCCEEDED',
        occurredAt: '2026-01-27T03:12:45Z',
      },
    },
    {
      name: 'nightlyFailed',
      summary: 'The nightly batch for organizations 2000 to 2999 failed.',
      payload: {
        batchId: 'nightly-2026-01-27-b',
        orgRange: {
          from: '2000',
          to: '2999',
        },
        status: 'FAILED',
        occurredAt: '2026-01-27T03:20:10Z',
      },
    },
  ],
  FilePolicyUpdated: [
    {
      name: 'maskSpreadsheets',
      summary: 'Spreadsheets get the personal-data masking rule.',
      payload: {
        fileType: 'xlsx',
        maskingRuleId: 'mask-pii',
        occurredAt: '2026-01-27T10:00:00Z',
      },
    },
    {
      name: 'unmaskText',
      summary: 'Plain-text files are no longer masked.',
      payload: {
        fileType: 'txt',
        maskingRuleId: null,
        occurredAt: '2026-01-27T10:05:00Z',
      },
    },
  ],
  FriendRequestAccepted: [
    {
      name: 'bobAcceptsAlice',
      summary: 'Bob accepts Alice\'s request.',
      payload: {
        friendship_id: 1001,
        requester_id: 42,
        requester_name: 'Alice Kim',
        addressee_id: 7,
        addressee_name: 'Bob',
        timestamp: '2026-01-27T12:10:00Z',
      },
    },
  ],
  FriendRequestCancelled: [
    {
      name: 'aliceCancelsCarol',
      summary: 'Alice withdraws her request to Carol before Carol answers.',
      payload: {
        friendship_id: 1003,
        requester_id: 42,
        requester_name: 'Alice Kim',
        addressee_id: 11,
        addressee_name: 'Carol',
        timestamp: '2026-01-27T12:30:00Z',
      },
    },
  ],
  FriendRequestRejected: [
    {
      name: 'daveRejectsAlice',
      summary: 'Dave declines Alice\'s request.',
      payload: {
        friendship_id: 1002,
        requester_id: 42,
        requester_name: 'Alice Kim',
        addressee_id: 9,
        addressee_name: 'Dave',
        timestamp: '2026-01-27T12:20:00Z',
      },
    },
  ],
  FriendRequestSent: [
    {
      name: 'aliceAsksBob',
      summary: 'Alice sends Bob a friend request.',
      payload: {
        friendship_id: 1001,
        requester_id: 42,
        requester_name: 'Alice Kim',
        addressee_id: 7,
        addressee_name: 'Bob',
        timestamp: '2026-01-27T12:00:00Z',
      },
    },
  ],
  MessageSent: [
    {
      name: 'textMessage',
      summary: 'Alice says hello in the direct room with Bob.',
      payload: {
        message_id: '3f1c2a4e-8b7d-4c6e-9a10-2b3c4d5e6f70',
        room_id: 501,
        user_id: 42,
        username: 'alice',
        content: 'Hi Bob!',
        message_type: 'text',
        created_at: '2026-01-27T12:16:00Z',
      },
    },
    {
      name: 'imageMessage',
      summary: 'Bob answers with a picture.',
      payload: {
        message_id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
        room_id: 501,
        user_id: 7,
        username: 'bob',
        content: 'https://cdn.example.com/rooms/501/hello.jpg',
        message_type: 'image',
        created_at: '2026-01-27T12:17:00Z',
      },
    },
  ],
  MessagesRead: [
    {
      name: 'bobReadsAlice',
      summary: 'Bob reads Alice\'s message.',
      payload: {
        room_id: 501,
        user_id: 7,
        message_ids: ['3f1c2a4e-8b7d-4c6e-9a10-2b3c4d5e6f70'],
        timestamp: '2026-01-27T12:16:30Z',
      },
    },
  ],
  NotificationSent: [
    {
      name: 'friendRequestNotification',
      summary: 'Bob is told that Alice sent him a friend request.',
      payload: {
        notification_id: '6c1d3e5f-7a9b-4c2d-8e0f-1a2b3c4d5e6f',
        user_id: 7,
        notification_type: 'friend_request',
        title: 'Alice Kim sent you a friend request',
        content: {
          requester_id: 42,
          requester_name: 'Alice Kim',
        },
        timestamp: '2026-01-27T12:00:01Z',
      },
    },
    {
      name: 'welcomeNotification',
      summary: 'Alice gets the welcome notification.',
      payload: {
        notification_id: '0b9e8d7c-6a5f-4e3d-9c2b-1a0f9e8d7c6b',
        user_id: 42,
        notification_type: 'welcome',
        title: 'Welcome, alice!',
        content: {},
        timestamp: '2026-01-27T09:30:02Z',
      },
    },
  ],
  PermissionChanged: [
    {
      name: 'grantExport',
      summary: 'User u-1029 gains the export action on DW reports.',
      payload: {
        userId: 'u-1029',
        permissions: [
          {
            feature: 'dw.report',
            actions: ['read', 'export'],
          },
          {
            feature: 'file.download',
            actions: ['read'],
          },
        ],
        version: 17,
        occurredAt: '2026-01-27T08:00:00Z',
      },
    },
    {
      name: 'revokeAll',
      summary: 'User u-2044 leaves the company and loses every permission.',
      payload: {
        userId: 'u-2044',
        permissions: [],
        version: 5,
        occurredAt: '2026-01-27T18:00:00Z',
      },
    },
  ],
  PolicyBundleApplied: [
    {
      name: 'accessControlRevision',
      summary: 'The access-control bundle is applied, effective immediately.',
      payload: {
        bundleId: 'access-control',
        gitHash: '3b18e512dba79e4c8300dd08aeb37f8e728b8dad',
        effectiveAt: '2026-01-27T09:00:00Z',
        occurredAt: '2026-01-27T09:00:00Z',
      },
    },
    {
      name: 'scheduledMaskingRevision',
      summary: 'The dw-masking bundle is applied, effective at midnight.',
      payload: {
        bundleId: 'dw-masking',
        gitHash: '9fceb02d0ae598e95dc970b74767f19372d61af8',
        effectiveAt: '2026-01-28T00:00:00+09:00',
        occurredAt: '2026-01-27T17:45:00Z',
      },
    },
  ],
  UserOnlineStatusChanged: [
    {
      name: 'aliceLogsIn',
      summary: 'Alice logs in.',
      payload: {
        user_id: 42,
        is_online: true,
        timestamp: '2026-01-27T09:31:00Z',
      },
    },
    {
      name: 'aliceTimesOut',
      summary: 'Alice is marked offline after the inactivity timeout.',
      payload: {
        user_id: 42,
        is_online: false,
        timestamp: '2026-01-27T11:31:00Z',
      },
    },
  ],
  UserProfileUpdated: [
    {
      name: 'aliceNewPicture',
      summary: 'Alice sets a display name, a picture and a status.',
      payload: {
        user_id: 42,
        display_name: 'Alice Kim',
        profile_image_url: 'https://cdn.example.com/avatars/42.png',
        status_message: 'On holiday until Monday',
        timestamp: '2026-01-27T10:00:00Z',
      },
    },
    {
      name: 'bobRemovesPicture',
      summary: 'Bob removes his picture and clears his status.',
      payload: {
        user_id: 7,
        display_name: 'Bob',
        profile_image_url: null,
        status_message: '',
        timestamp: '2026-01-27T10:05:00Z',
      },
    },
  ],
  UserRegistered: [
    {
      name: 'aliceSignsUp',
      summary: 'Alice creates an account.',
      payload: {
        user_id: 42,
        email: 'alice@example.com',
        username: 'alice',
        display_name: 'alice',
        timestamp: '2026-01-27T09:30:00Z',
      },
    },
  ],
};
