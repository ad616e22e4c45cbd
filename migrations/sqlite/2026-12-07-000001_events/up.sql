-- The outbox (issue 20): every event leaving Sahifa (webhooks, the live stream), written in
-- the transaction of the change that causes it, so a committed change always has its events
-- and a rolled-back one has none. Ids increase in commit order (SQLite has one writer), which
-- is what lets a stream resume from `Last-Event-ID` without a gap. `public` marks what the
-- live stream may show; `section_id` is its filter. Kept SAHIFA_EVENTS_KEEP_DAYS days.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_type  TEXT NOT NULL,
    payload     TEXT NOT NULL,
    public      BOOLEAN NOT NULL DEFAULT FALSE,
    section_id  BIGINT,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX events_public ON events (public, id);
CREATE INDEX events_created ON events (created_at);

-- Webhook endpoints: where events go. `secret` is the Standard Webhooks signing key
-- (base64); `previous_secret` keeps signing until `previous_until` after a rotation, so a
-- receiver can switch without losing a delivery. `failing_since` is when the current run
-- of failures began (NULL while the endpoint answers).
CREATE TABLE webhook_endpoints (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    url             TEXT NOT NULL,
    events          TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    secret          TEXT NOT NULL,
    previous_secret TEXT,
    previous_until  TIMESTAMP,
    disabled_reason TEXT,
    failing_since   TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

-- One event to one endpoint: written with the event (so nothing is lost) and sent by a job.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id     BIGINT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        BIGINT NOT NULL,
    event_type      TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_status     INTEGER,
    last_latency_ms INTEGER,
    last_error      TEXT,
    response_excerpt TEXT,
    created_at      TIMESTAMP NOT NULL,
    last_attempt_at TIMESTAMP,
    next_attempt_at TIMESTAMP,
    delivered_at    TIMESTAMP
);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, id);

-- Every attempt of a delivery: what the receiver answered, and how fast.
CREATE TABLE webhook_attempts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id      BIGINT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt          INTEGER NOT NULL,
    attempted_at     TIMESTAMP NOT NULL,
    status           INTEGER,
    latency_ms       INTEGER NOT NULL,
    error            TEXT,
    response_excerpt TEXT
);
CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (delivery_id, attempt);
