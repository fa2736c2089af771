-- Policy bundles, their registered revisions and their applications
-- (platform Policy module). Applied by services/shared/db.ts into the policy
-- service's own schema, after the runtime's migrations (its
-- domain_event_outbox and consumer_processed_events).

-- A bundle (a stable name such as `access-control`). Applications of one
-- bundle lock its row first, so they are serialized: application ids, applied
-- times and outbox rows of one bundle are in the same order.
CREATE TABLE bundles (
  bundle_id text PRIMARY KEY CHECK (bundle_id ~ '^[a-z0-9][a-z0-9._-]{0,127}$'),
  created_at timestamptz NOT NULL
);

-- A revision of a bundle: the policy repository commit it was built from.
-- Immutable once registered.
CREATE TABLE bundle_revisions (
  bundle_id text NOT NULL REFERENCES bundles (bundle_id),
  git_hash text NOT NULL CHECK (git_hash ~ '^[0-9a-f]{40}$'),
  description text,
  registered_at timestamptz NOT NULL,
  registered_by text NOT NULL,
  PRIMARY KEY (bundle_id, git_hash)
);

-- Every application of a revision (PolicyBundleApplied): enforced from
-- effective_at. In force at t, for a bundle: the application with the latest
-- effective_at <= t; of equal effective_at, the later applied (higher id).
-- Times have millisecond precision, as the events carry them.
CREATE TABLE bundle_applications (
  id bigserial PRIMARY KEY,
  bundle_id text NOT NULL,
  git_hash text NOT NULL,
  effective_at timestamptz NOT NULL,
  applied_at timestamptz NOT NULL,
  applied_by text NOT NULL,
  -- ce_id of the PolicyBundleApplied event written with this row.
  event_id uuid NOT NULL UNIQUE,
  FOREIGN KEY (bundle_id, git_hash) REFERENCES bundle_revisions (bundle_id, git_hash),
  CONSTRAINT bundle_applications_effective_after_applied CHECK (effective_at >= applied_at)
);

CREATE INDEX bundle_applications_timeline ON bundle_applications (bundle_id, effective_at DESC, id DESC);
CREATE INDEX bundle_applications_effective ON bundle_applications (effective_at);
