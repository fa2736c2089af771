-- Chat rooms, their members, messages and read receipts (Chat context), and
-- the chat service's cache of user profiles. Applied by services/shared/db.ts
-- into the chat service's own schema, after the runtime's migrations (its
-- domain_event_outbox and consumer_processed_events).
CREATE TABLE chat_rooms (
  id bigserial PRIMARY KEY,
  room_type text NOT NULL CHECK (room_type IN ('direct', 'group')),
  -- Group rooms only; null for direct rooms.
  name text CHECK (name IS NULL OR char_length(name) BETWEEN 1 AND 100),
  created_by bigint NOT NULL,
  -- Direct rooms only: the pair, smaller id first, so one pair has one direct room.
  direct_low bigint,
  direct_high bigint,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT chat_rooms_shape CHECK (
    (room_type = 'direct' AND name IS NULL AND direct_low < direct_high)
    OR (room_type = 'group' AND name IS NOT NULL AND direct_low IS NULL AND direct_high IS NULL)
  )
);

-- At most one direct room per pair of users, whoever created it.
CREATE UNIQUE INDEX chat_rooms_direct_pair ON chat_rooms (direct_low, direct_high)
  WHERE room_type = 'direct';

CREATE TABLE room_members (
  room_id bigint NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
  user_id bigint NOT NULL,
  joined_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (room_id, user_id)
);
CREATE INDEX room_members_user ON room_members (user_id, room_id);

-- seq orders a room's messages (cursor pagination); id is the public UUID.
CREATE TABLE messages (
  id uuid PRIMARY KEY,
  seq bigserial NOT NULL UNIQUE,
  room_id bigint NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
  user_id bigint NOT NULL,
  username text NOT NULL,
  content text NOT NULL CHECK (char_length(content) BETWEEN 1 AND 10000),
  message_type text NOT NULL CHECK (message_type IN ('text', 'image', 'file')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_room_seq ON messages (room_id, seq DESC);

-- Who read which message; a message is read once per user.
CREATE TABLE message_reads (
  message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  user_id bigint NOT NULL,
  read_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (message_id, user_id)
);

-- Profiles shown in room lists and the sender names of MessageSent: written
-- by chat-profile-cache-group (UserProfileUpdated) and by look-ups at the
-- user service on a cache miss. An older snapshot never overwrites a newer one.
CREATE TABLE user_profiles (
  user_id bigint PRIMARY KEY,
  display_name text NOT NULL,
  profile_image_url text,
  status_message text NOT NULL DEFAULT '',
  profile_time timestamptz NOT NULL,
  cached_at timestamptz NOT NULL DEFAULT now()
);
