-- Every policy bundle application the read-model-worker saw
-- (PolicyBundleApplied). One row per application: the same bundle, revision,
-- effectiveAt and occurredAt again (a redelivery, a replay, a second publish
-- with another ce_id) is the same row.
CREATE TABLE bundle_applications (
  bundle_id text COLLATE "C" NOT NULL,
  git_hash text COLLATE "C" NOT NULL CHECK (git_hash ~ '^[0-9a-f]{40}$'),
  effective_at timestamptz NOT NULL,
  occurred_at timestamptz NOT NULL,
  -- The first event (ce_id) that carried it.
  event_id text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  -- Sorted as the subscribers decide what is in force: effective_at, then occurred_at, then git_hash.
  PRIMARY KEY (bundle_id, effective_at, occurred_at, git_hash)
);
