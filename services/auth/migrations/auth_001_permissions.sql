-- Users' feature/action permissions (platform Auth module). Applied by
-- services/shared/db.ts into the auth service's own schema, after the
-- runtime's migrations (its domain_event_outbox and consumer_processed_events).

-- One row per user whose permissions were ever changed: the version of the
-- user's permission set (PermissionChanged.version) and the row every change
-- of that user locks first (SELECT ... FOR UPDATE), so changes of one user are
-- serialized and their outbox rows are inserted in version order. A user
-- without a row has version 0 and no permission.
CREATE TABLE permission_sets (
  user_id text PRIMARY KEY CHECK (char_length(user_id) BETWEEN 1 AND 128),
  version bigint NOT NULL CHECK (version >= 0),
  -- When the last change was made (millisecond precision: the event's occurredAt) and by whom (principal subject).
  updated_at timestamptz,
  updated_by text
);

-- The current set: one row per (user, feature, action) granted.
CREATE TABLE permission_grants (
  user_id text NOT NULL REFERENCES permission_sets (user_id) ON DELETE CASCADE,
  feature text NOT NULL,
  action text NOT NULL,
  granted_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, feature, action)
);
