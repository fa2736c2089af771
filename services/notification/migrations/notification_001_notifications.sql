-- The notification service's own tables. Applied by services/shared/db.ts
-- into the notification schema, after the runtime's migrations (its
-- domain_event_outbox and consumer_processed_events).

-- Every notification sent to one user. id is derived from the source event id
-- and the recipient (uuid v5 style, notifications.ts), so a replay of the same
-- event, even into another consumer group id, cannot store it twice.
CREATE TABLE notifications (
  id uuid PRIMARY KEY,
  user_id bigint NOT NULL,
  notification_type text NOT NULL,
  title text NOT NULL,
  content jsonb NOT NULL,
  -- ce_id of the event the notification was made from.
  source_event_id text NOT NULL,
  -- The source event's own timestamp.
  created_at timestamptz NOT NULL,
  stored_at timestamptz NOT NULL DEFAULT now(),
  read_at timestamptz
);
CREATE INDEX notifications_by_user ON notifications (user_id, created_at DESC, id DESC);

-- Rooms as ChatRoomCreated announced them: MessageSent carries no member list,
-- so the members of a room are the member_ids of its ChatRoomCreated.
CREATE TABLE rooms (
  room_id bigint PRIMARY KEY,
  room_type text NOT NULL,
  room_name text,
  member_ids bigint[] NOT NULL,
  created_at timestamptz NOT NULL
);

-- Friendships as FriendRequestAccepted announced them, one row per direction:
-- the recipients of a user's presence broadcasts.
CREATE TABLE friends (
  user_id bigint NOT NULL,
  friend_id bigint NOT NULL,
  since timestamptz NOT NULL,
  PRIMARY KEY (user_id, friend_id)
);

-- Sender of each message seen in MessageSent: the recipients of read receipts
-- (MessagesRead names only message ids). Kept as long as messages can be read (any age).
CREATE TABLE message_senders (
  message_id text PRIMARY KEY,
  room_id bigint NOT NULL,
  sender_id bigint NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX message_senders_created ON message_senders (created_at);
