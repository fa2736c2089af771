-- What operators did with dead-letter records (npm run dlq -- replay | discard).
-- One row per dead-letter record, keyed by where it sits in its dead-letter topic, holding the
-- latest action; every action is also appended to dead_letter_ledger_history.
CREATE TABLE dead_letter_ledger (
  dlq_topic       text        NOT NULL,
  dlq_partition   integer     NOT NULL,
  dlq_offset      bigint      NOT NULL,
  -- replaying: written BEFORE the record is sent (the send may or may not have happened: a later
  --            replay sends it again, which the consumers' processed-event claims make harmless);
  -- replayed:  the original topic acknowledged it (acks=all);
  -- discarded: an operator decided it must never be replayed.
  action          text        NOT NULL CHECK (action IN ('replaying', 'replayed', 'discarded')),
  acted_at        timestamptz NOT NULL DEFAULT now(),
  operator        text        NOT NULL,
  reason          text,
  event_id        text,
  event_type      text,
  original_topic  text,
  consumer_group  text,
  -- how many times it was sent back (more than one only with --force or after a crash)
  replays         integer     NOT NULL DEFAULT 0,
  -- topic:partition:offset of the newest replayed copy
  replayed_to     text,
  PRIMARY KEY (dlq_topic, dlq_partition, dlq_offset)
);

CREATE TABLE dead_letter_ledger_history (
  id             bigserial   PRIMARY KEY,
  dlq_topic      text        NOT NULL,
  dlq_partition  integer     NOT NULL,
  dlq_offset     bigint      NOT NULL,
  action         text        NOT NULL,
  forced         boolean     NOT NULL DEFAULT false,
  acted_at       timestamptz NOT NULL DEFAULT now(),
  operator       text        NOT NULL,
  reason         text,
  replayed_to    text
);

CREATE INDEX dead_letter_ledger_history_record ON dead_letter_ledger_history (dlq_topic, dlq_partition, dlq_offset);
