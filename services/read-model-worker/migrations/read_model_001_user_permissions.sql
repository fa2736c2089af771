-- The read-model-worker's permission read model: each user's complete
-- feature/action set at the highest version seen (PermissionChanged). Applied
-- by services/shared/db.ts into the read_model schema, after the runtime's
-- migrations (its consumer_processed_events).
CREATE TABLE user_permissions (
  -- Identity provider ids; byte order (C collation) so paging by user_id is stable and index-ordered.
  user_id text COLLATE "C" PRIMARY KEY,
  -- Only ever raised: an event is applied only when its version is higher than this.
  version bigint NOT NULL CHECK (version >= 1),
  -- The event's permissions array as published: [{ feature, actions: [...] }].
  permissions jsonb NOT NULL CHECK (jsonb_typeof(permissions) = 'array'),
  -- The event's occurredAt, and the event (ce_id) that wrote this version.
  occurred_at timestamptz NOT NULL,
  event_id text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
