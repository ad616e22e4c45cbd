-- Instance-wide state that must survive restarts and be shared by every process on this
-- database (for example the generated JWT signing secret).
CREATE TABLE instance_settings (
    name       TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
