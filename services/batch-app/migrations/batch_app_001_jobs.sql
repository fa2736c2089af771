-- The batch application's follow-up jobs and failed runs (DwBatchCompleted).
-- Applied by services/shared/db.ts into the batch_app schema, after the
-- runtime's migrations (its consumer_processed_events).
--
-- A batch run is identified by (batch_id, run_occurred_at): a rerun keeps the
-- batchId and has a later occurredAt, so it is another run; the same run
-- delivered again — the same event (suppressed by the idempotency claim), a
-- replay into another group, or the run published twice under another ce_id —
-- meets the unique key and adds nothing.
CREATE TABLE batch_jobs (
  id bigserial PRIMARY KEY,
  batch_id text NOT NULL,
  run_occurred_at timestamptz NOT NULL,
  -- full-follow-up: the dependent steps over the whole range (SUCCEEDED);
  -- partial-retry: rerun the organizations of the range that failed (PARTIALLY_SUCCEEDED).
  kind text NOT NULL CHECK (kind IN ('full-follow-up', 'partial-retry')),
  -- Written as scheduled; the job runner moves it on.
  status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'running', 'succeeded', 'failed')),
  org_from text NOT NULL,
  org_to text NOT NULL,
  -- The event (ce_id) that scheduled it.
  source_event_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT batch_jobs_one_per_run UNIQUE (batch_id, run_occurred_at)
);
CREATE INDEX batch_jobs_status ON batch_jobs (status, id);

-- Runs that FAILED: nothing follows them; an operator (or a rerun) picks them up.
CREATE TABLE failed_batches (
  id bigserial PRIMARY KEY,
  batch_id text NOT NULL,
  run_occurred_at timestamptz NOT NULL,
  org_from text NOT NULL,
  org_to text NOT NULL,
  source_event_id text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT failed_batches_one_per_run UNIQUE (batch_id, run_occurred_at)
);
