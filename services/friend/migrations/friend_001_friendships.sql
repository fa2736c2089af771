-- Friend requests and friendships (Friend context), and the friend service's
-- cache of user profiles. Applied by services/shared/db.ts into the friend
-- service's own schema, after the runtime's migrations (its
-- domain_event_outbox and consumer_processed_events).
CREATE TABLE friendships (
  id bigserial PRIMARY KEY,
  requester_id bigint NOT NULL,
  addressee_id bigint NOT NULL,
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'accepted', 'rejected', 'cancelled')),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- When the request was accepted, rejected or cancelled.
  responded_at timestamptz,
  CONSTRAINT friendships_not_self CHECK (requester_id <> addressee_id)
);

-- At most one live relation per pair of users, whichever way it was asked:
-- no second pending request (either direction) and no request between friends.
-- Rejected and cancelled requests do not count, so a user may ask again.
CREATE UNIQUE INDEX friendships_active_pair
  ON friendships (LEAST(requester_id, addressee_id), GREATEST(requester_id, addressee_id))
  WHERE status IN ('pending', 'accepted');

CREATE INDEX friendships_requester ON friendships (requester_id, status);
CREATE INDEX friendships_addressee ON friendships (addressee_id, status);

-- Profiles shown in friend lists: written by the friend-profile-cache-group
-- consumer (UserProfileUpdated) and by look-ups at the user service on a
-- cache miss. profile_time is the snapshot's own time (the event timestamp or
-- the user row's updated_at): an older snapshot never overwrites a newer one.
CREATE TABLE user_profiles (
  user_id bigint PRIMARY KEY,
  display_name text NOT NULL,
  profile_image_url text,
  status_message text NOT NULL DEFAULT '',
  profile_time timestamptz NOT NULL,
  cached_at timestamptz NOT NULL DEFAULT now()
);
