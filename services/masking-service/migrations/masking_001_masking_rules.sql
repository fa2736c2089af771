-- The masking rule in force per file type (FilePolicyUpdated), kept in
-- PostgreSQL so it survives restarts. Applied by services/shared/db.ts into
-- the masking schema, after the runtime's migrations (its
-- consumer_processed_events).
CREATE TABLE masking_rules (
  -- The lower-case file extension (the contract's fileType).
  file_type text PRIMARY KEY,
  -- A rule this service knows (rules.ts), or null: files of the type are not masked.
  masking_rule_id text,
  -- The update's occurredAt, then its event's ce_time: the later update wins.
  occurred_at timestamptz NOT NULL,
  event_time timestamptz NOT NULL,
  event_id text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
