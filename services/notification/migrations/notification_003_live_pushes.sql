-- Presence and read-receipt events pushed live, by event id, whatever
-- consumer group pushed them: a replay into a fresh group pushes nothing a
-- second time. Such pushes are only made for events younger than five
-- minutes, so a row is pruned ten minutes after its push.
CREATE TABLE live_pushes (
  event_id text PRIMARY KEY,
  pushed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX live_pushes_pushed_at ON live_pushes (pushed_at);
