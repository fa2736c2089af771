-- Accounts, profiles and presence of the chat product (User context).
-- Applied by services/shared/db.ts into the user service's own schema,
-- after the runtime's migrations (its domain_event_outbox).
CREATE TABLE users (
  id bigserial PRIMARY KEY,
  email text NOT NULL,
  username text NOT NULL,
  -- scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>; the salt is per user.
  password_hash text NOT NULL,
  display_name text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 100),
  profile_image_url text,
  status_message text NOT NULL DEFAULT '' CHECK (char_length(status_message) <= 200),
  is_online boolean NOT NULL DEFAULT false,
  last_seen_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Unique regardless of case: Alice@Example.com and alice@example.com are one address.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
