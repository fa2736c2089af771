-- Idempotent consumers: one row per event a consumer group has handled.
--
-- The consumer runtime inserts the row (ON CONFLICT DO NOTHING) in the same
-- transaction as the handler's own writes (HandlerContext.db) and commits both
-- together; a redelivered event finds its row and is skipped, so it has no
-- second effect. Rows for dead-lettered events are NOT written: a dead letter
-- replayed into the source topic must be handled.
--
-- Retention: a row only has to outlive every possible redelivery of its event
-- (the source topic's retention plus the longest consumer lag). The runtime's
-- pruneProcessedEvents(pool, { olderThanMs }) deletes older rows in batches;
-- by hand:
--   DELETE FROM consumer_processed_events WHERE processed_at < now() - interval '14 days';
CREATE TABLE IF NOT EXISTS consumer_processed_events (
  group_id        text        NOT NULL,
  event_id        text        NOT NULL,
  topic           text        NOT NULL,
  kafka_partition integer     NOT NULL,
  kafka_offset    bigint      NOT NULL,
  processed_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, event_id)
);

CREATE INDEX IF NOT EXISTS consumer_processed_events_processed_at
  ON consumer_processed_events (processed_at);
