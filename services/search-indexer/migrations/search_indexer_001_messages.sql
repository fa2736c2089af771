-- The message search index (Search indexer context), written by
-- search-indexer-group from MessageSent. Applied by services/shared/db.ts into
-- the indexer's own schema, after the runtime's migrations (its
-- consumer_processed_events). A message is immutable, so the index is an
-- insert keyed by message_id that a redelivery leaves untouched.
CREATE TABLE indexed_messages (
  message_id uuid PRIMARY KEY,
  room_id bigint NOT NULL,
  user_id bigint NOT NULL,
  username text NOT NULL,
  content text NOT NULL,
  message_type text NOT NULL CHECK (message_type IN ('text', 'image', 'file')),
  created_at timestamptz NOT NULL,
  indexed_at timestamptz NOT NULL DEFAULT now(),
  -- Only text is searched: the content of image and file messages is a URL.
  -- 'simple': no stemming or stop words, so it treats Korean and English alike.
  search tsvector GENERATED ALWAYS AS (
    CASE WHEN message_type = 'text' THEN to_tsvector('simple', content) ELSE ''::tsvector END
  ) STORED
);

CREATE INDEX indexed_messages_search ON indexed_messages USING gin (search);
CREATE INDEX indexed_messages_room ON indexed_messages (room_id, created_at DESC);
