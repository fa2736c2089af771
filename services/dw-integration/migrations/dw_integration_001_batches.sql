-- Data-warehouse batches and their runs (platform DW integration module).
-- Applied by services/shared/db.ts into the dw-integration service's own
-- schema, after the runtime's migrations (its domain_event_outbox and
-- consumer_processed_events).

-- A batch over an inclusive range of organization codes. Codes compare
-- byte-wise (COLLATE "C": code-point order of their UTF-8), whatever the
-- database's collation. `status` and `run` are those of the latest run, kept
-- here for the listing; every change of a batch locks this row first, so the
-- outbox rows of one batch are in run order.
CREATE TABLE batches (
  -- Listing order (newest first) and the cursor's position.
  seq bigserial UNIQUE,
  batch_id text PRIMARY KEY CHECK (char_length(batch_id) BETWEEN 1 AND 128),
  org_from text NOT NULL CHECK (char_length(org_from) BETWEEN 1 AND 64),
  org_to text NOT NULL CHECK (char_length(org_to) BETWEEN 1 AND 64),
  run integer NOT NULL CHECK (run >= 1),
  status text NOT NULL CHECK (status IN ('RUNNING', 'SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED')),
  created_at timestamptz NOT NULL,
  created_by text NOT NULL,
  CONSTRAINT batches_org_range CHECK (org_from COLLATE "C" <= org_to COLLATE "C")
);

CREATE INDEX batches_by_status ON batches (status, seq);

-- Every run of a batch: 1 when it is recorded, one more per rerun. A run ends
-- once, with DwBatchCompleted written in the same transaction (event_id is
-- its ce_id).
CREATE TABLE batch_runs (
  batch_id text NOT NULL REFERENCES batches (batch_id),
  run integer NOT NULL CHECK (run >= 1),
  status text NOT NULL CHECK (status IN ('RUNNING', 'SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED')),
  started_at timestamptz NOT NULL,
  started_by text NOT NULL,
  completed_at timestamptz,
  completed_by text,
  event_id uuid UNIQUE,
  PRIMARY KEY (batch_id, run),
  CONSTRAINT batch_runs_completion CHECK (
    (status = 'RUNNING') = (completed_at IS NULL)
    AND (completed_at IS NULL) = (event_id IS NULL)
  )
);

-- At most one run of a batch is running.
CREATE UNIQUE INDEX batch_runs_one_running ON batch_runs (batch_id) WHERE status = 'RUNNING';
