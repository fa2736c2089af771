-- MessageSent events for a room whose ChatRoomCreated has not been handled
-- yet (the two come on different topics, with no order between them): parked
-- here with their event id, and turned into notifications when the room's
-- ChatRoomCreated arrives, so no message notification is lost to the race.
CREATE TABLE pending_room_messages (
  event_id text PRIMARY KEY,
  room_id bigint NOT NULL,
  -- The MessageSent payload as received.
  payload jsonb NOT NULL,
  parked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pending_room_messages_room ON pending_room_messages (room_id);
