-- The batch-status read model: the latest run of each DW batch
-- (DwBatchCompleted). A rerun keeps its batchId; the run with the later
-- (occurred_at, event_time) wins, an older run arriving later changes nothing.
CREATE TABLE batch_status (
  batch_id text COLLATE "C" PRIMARY KEY,
  -- The inclusive organization-code range, compared as strings in byte order.
  org_from text COLLATE "C" NOT NULL,
  org_to text COLLATE "C" NOT NULL,
  status text NOT NULL CHECK (status IN ('SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED')),
  -- The run's occurredAt, then the event's ce_time: the order of runs.
  occurred_at timestamptz NOT NULL,
  event_time timestamptz NOT NULL,
  event_id text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX batch_status_status ON batch_status (status, batch_id);
