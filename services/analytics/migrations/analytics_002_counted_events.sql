-- Every event id counted, whatever consumer group counted it: a replay of the
-- topics into a fresh group id (a rebuilt consumer, a new deployment) finds
-- its events here and moves no counter. Rows older than the longest topic
-- retention (plus a day) can no longer be redelivered and are pruned.
CREATE TABLE counted_events (
  event_id text PRIMARY KEY,
  counted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX counted_events_counted_at ON counted_events (counted_at);
