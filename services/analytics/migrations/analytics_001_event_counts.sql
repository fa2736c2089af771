-- The analytics service's counters. Applied by services/shared/db.ts into the
-- analytics schema, after the runtime's migrations (its
-- consumer_processed_events, which makes each increment happen once per event
-- id: the increment commits with the processed-event record).
CREATE TABLE event_counts (
  event_type text NOT NULL,
  -- UTC day of the event's ce_time (when it happened, not when it was counted).
  day date NOT NULL,
  count bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (day, event_type)
);
