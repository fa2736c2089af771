-- Events without a Kafka key. A contract generated leniently may have no
-- partition key, and its publisher may pass none: such an event is sent with a
-- null record key (the client's partitioner spreads them; there is no order
-- per key to keep). The outbox stores it with key NULL:
-- - its lane comes from its event id instead (keyless rows spread over all lanes);
-- - the relay holds back nothing behind a keyless row in back-off, only the row itself.
-- Rewrites the table once (PostgreSQL before 17 cannot change a generated
-- column's expression in place); run it while the outbox is small.
ALTER TABLE domain_event_outbox ALTER COLUMN key DROP NOT NULL;

ALTER TABLE domain_event_outbox DROP COLUMN lane;

ALTER TABLE domain_event_outbox ADD COLUMN lane smallint NOT NULL GENERATED ALWAYS AS (
  (get_byte(decode(md5(topic || ' ' || coalesce(key, event_id::text)), 'hex'), 0) & 63)::smallint
) STORED;

-- Dropped with the column it indexed: the relay's claim, unpublished rows of its lanes in id order.
CREATE INDEX domain_event_outbox_unpublished ON domain_event_outbox (id, lane)
  WHERE published_at IS NULL;

COMMENT ON COLUMN domain_event_outbox.key IS
  'Kafka record key (the contract''s partition key); NULL for an event sent without one.';
