-- The DW gateway's audit of the queries it ran and the policy bundle revision
-- each ran under. Applied by services/shared/db.ts into the dw_gateway schema,
-- after the runtime's migrations (its consumer_processed_events). The schedule
-- of bundle revisions itself is held in memory (bundle-schedule.ts) and rebuilt
-- at start-up from the policy service.
CREATE TABLE dw_queries (
  query_id uuid PRIMARY KEY,
  -- The bundle governing the query, and the revision in force when it ran.
  bundle_id text NOT NULL,
  git_hash text NOT NULL CHECK (git_hash ~ '^[0-9a-f]{40}$'),
  effective_at timestamptz NOT NULL,
  dataset text NOT NULL,
  -- The caller (the token's subject).
  principal text NOT NULL,
  ran_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dw_queries_bundle ON dw_queries (bundle_id, ran_at);
