-- The transactional outbox. A service inserts its domain events here in the
-- same transaction as its business change (runtime/outbox); the relay
-- (runtime/relay) publishes them to Kafka after commit, or Debezium's outbox
-- event router reads the inserts from the WAL instead (docs/debezium-outbox.md).
--
-- Applied by runtime/db/migrate.ts with search_path set to the target schema:
-- names here are unqualified on purpose.

CREATE TABLE domain_event_outbox (
  -- Publication order. Per Kafka key the relay publishes rows in id order,
  -- which is commit order whenever writes of one key are serialized (they are
  -- when they change the same aggregate row).
  id bigserial PRIMARY KEY,
  -- CloudEvents ce_id: idempotency key downstream; unique, so a retried write
  -- of the same event fails instead of publishing it twice.
  event_id uuid NOT NULL UNIQUE,
  -- Kafka topic (the contract's channel address), record key (the contract's
  -- partition key) and event type (ce_type).
  topic text NOT NULL,
  key text NOT NULL,
  event_type text NOT NULL,
  -- Every record header as a JSON object of strings (CloudEvents binary mode, traceparent, ...).
  headers jsonb NOT NULL,
  -- The record value: the validated payload.
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Null until the relay has Kafka's acknowledgement; published rows are
  -- deleted after the relay's retention.
  published_at timestamptz,
  -- Failed publish attempts, the last failure, and when the relay may try
  -- again. A row in back-off holds back the later rows of its key (order per
  -- key), never other keys.
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  next_attempt_at timestamptz,
  -- Relay lane, 0..63: the first byte of md5(topic || ' ' || key), mod 64.
  -- One key is always in one lane, and a lane is published by one relay
  -- instance at a time, so several instances keep order per key.
  lane smallint NOT NULL GENERATED ALWAYS AS (
    (get_byte(decode(md5(topic || ' ' || key), 'hex'), 0) & 63)::smallint
  ) STORED,
  -- The envelope headers as columns, for Debezium's outbox event router,
  -- which can place columns as headers but cannot expand a JSON object
  -- (ce_id, ce_type and ce_subject are event_id, event_type and key).
  ce_specversion text GENERATED ALWAYS AS (headers ->> 'ce_specversion') STORED,
  ce_source text GENERATED ALWAYS AS (headers ->> 'ce_source') STORED,
  ce_time text GENERATED ALWAYS AS (headers ->> 'ce_time') STORED,
  ce_schemaversion text GENERATED ALWAYS AS (headers ->> 'ce_schemaversion') STORED,
  content_type text GENERATED ALWAYS AS (headers ->> 'content-type') STORED,
  traceparent text GENERATED ALWAYS AS (headers ->> 'traceparent') STORED,
  tracestate text GENERATED ALWAYS AS (headers ->> 'tracestate') STORED,
  CONSTRAINT domain_event_outbox_headers_object CHECK (jsonb_typeof(headers) = 'object'),
  CONSTRAINT domain_event_outbox_attempts_positive CHECK (attempts >= 0)
);

COMMENT ON TABLE domain_event_outbox IS
  'Transactional outbox of domain events: written with the business change, published to Kafka by the relay (or Debezium).';

-- The relay's claim: unpublished rows of its lanes in id order (lane is an
-- index condition, so rows of other lanes cost no heap visit).
CREATE INDEX domain_event_outbox_unpublished ON domain_event_outbox (id, lane)
  WHERE published_at IS NULL;

-- Keys held back by a row in back-off (normally empty).
CREATE INDEX domain_event_outbox_backoff ON domain_event_outbox (topic, key, id)
  WHERE published_at IS NULL AND next_attempt_at IS NOT NULL;

-- Retention: published rows, oldest first.
CREATE INDEX domain_event_outbox_published ON domain_event_outbox (published_at)
  WHERE published_at IS NOT NULL;

-- Wake the relay at commit: one notification per inserting statement (and
-- PostgreSQL folds equal notifications of one transaction into one). The
-- payload names the schema, so relays of other schemas ignore it.
CREATE FUNCTION domain_event_outbox_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('domain_event_outbox', TG_TABLE_SCHEMA);
  RETURN NULL;
END
$$;

CREATE TRIGGER domain_event_outbox_notify
  AFTER INSERT ON domain_event_outbox
  FOR EACH STATEMENT EXECUTE FUNCTION domain_event_outbox_notify();
