-- Per-file-type file policies of the server's file module: the masking rule
-- applied when a file of that type is served. Applied by
-- services/shared/db.ts into the file-policy service's own schema, after the
-- runtime's migrations (its domain_event_outbox and consumer_processed_events).

-- One row per file type whose rule was ever set (a cleared rule keeps its
-- row, masking_rule_id null: when and by whom it was cleared). Every change
-- locks the row first, so the outbox rows of one file type are in change
-- order. Which rule ids are valid is the service's (masking-rules.ts), not
-- the table's: the list changes with the masking service.
CREATE TABLE file_type_policies (
  file_type text PRIMARY KEY CHECK (file_type ~ '^[a-z0-9][a-z0-9.+-]{0,31}$'),
  masking_rule_id text CHECK (char_length(masking_rule_id) BETWEEN 1 AND 128),
  updated_at timestamptz NOT NULL,
  updated_by text NOT NULL
);

-- The listing's order (byte-wise, whatever the database's collation).
CREATE INDEX file_type_policies_listing ON file_type_policies ((file_type COLLATE "C"));
