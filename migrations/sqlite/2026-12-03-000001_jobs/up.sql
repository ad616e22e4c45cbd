-- Durable background jobs (see src/jobs/): work that must happen outside a request and must
-- not be lost. A job is written in the same transaction as the change that causes it.
--
-- state: `queued` (waiting for run_at; `last_error` set when an attempt failed), `running`
-- (claimed by `lease_owner` until `lease_expires_at`; a lease that expires gives the job
-- back), `dead` (gave up after `max_attempts`; kept for an admin to read and retry). A job
-- that succeeds is deleted.
CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT NOT NULL,
    payload          TEXT NOT NULL,
    -- At most one live job per key (a periodic job, a job per resource).
    unique_key       TEXT,
    state            TEXT NOT NULL CHECK (state IN ('queued', 'running', 'dead')),
    run_at           TIMESTAMP NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL,
    last_error       TEXT,
    lease_owner      TEXT,
    lease_expires_at TIMESTAMP,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
-- What the runners poll: the due queued jobs and the expired leases, oldest first.
CREATE INDEX jobs_due ON jobs (state, run_at);
CREATE INDEX jobs_leases ON jobs (state, lease_expires_at);
CREATE UNIQUE INDEX jobs_unique_key ON jobs (unique_key) WHERE unique_key IS NOT NULL AND state <> 'dead';
