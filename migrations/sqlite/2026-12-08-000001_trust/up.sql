-- Newsroom trust (issue 21).

-- Scoped API keys for build servers and scripts. Only a SHA-256 hash of the secret is kept
-- (the secret holds 256 random bits, so a plain hash cannot be brute-forced); `prefix` is its
-- visible start, so a leaked key can be recognized. A key acts for its creator, never with
-- more than the creator's current role, and never beyond its `scopes` (space-separated).
-- Every request looks the key up, so a revocation holds on every instance at once.
CREATE TABLE api_keys (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL,
    prefix          TEXT NOT NULL,
    secret_hash     TEXT NOT NULL UNIQUE,
    scopes          TEXT NOT NULL,
    rate_limit      INTEGER NOT NULL,
    created_by      BIGINT NOT NULL REFERENCES users (id),
    created_at      TIMESTAMP NOT NULL,
    expires_at      TIMESTAMP,
    last_used_at    TIMESTAMP,
    revoked_at      TIMESTAMP
);

-- The audit trail: every staff write and every security event. Append-only: no API changes
-- or deletes a row; only the retention job prunes rows older than SAHIFA_AUDIT_KEEP_DAYS.
-- `fields` names the changed fields (space-separated), never their values.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at              TIMESTAMP NOT NULL,
    actor_user_id   BIGINT,
    actor_key_id    BIGINT,
    action          TEXT NOT NULL,
    resource_type   TEXT NOT NULL,
    resource_id     TEXT,
    fields          TEXT NOT NULL DEFAULT '',
    outcome         TEXT NOT NULL DEFAULT 'success',
    client_ip       TEXT,
    request_id      TEXT
);
CREATE INDEX audit_log_at ON audit_log (at, id);
CREATE INDEX audit_log_actor ON audit_log (actor_user_id, id);
CREATE INDEX audit_log_resource ON audit_log (resource_type, resource_id, id);

-- Revisions: every save of an article or page, as a JSON snapshot of its editable fields.
CREATE TABLE revisions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    resource_type   TEXT NOT NULL,
    resource_id     BIGINT NOT NULL,
    editor_id       BIGINT,
    snapshot        TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX revisions_resource ON revisions (resource_type, resource_id, id);

-- Draft previews: a preview token names its article and when it was issued; tokens issued
-- before `revoked_before` no longer open it.
CREATE TABLE article_previews (
    article_id      BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    revoked_before  TIMESTAMP NOT NULL
);

-- Bylines: the article's authors in order (the first is also `articles.author_id`).
CREATE TABLE article_authors (
    article_id      BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    user_id         BIGINT NOT NULL REFERENCES users (id),
    position        INTEGER NOT NULL,
    PRIMARY KEY (article_id, user_id)
);
CREATE INDEX article_authors_user ON article_authors (user_id);

-- Corrections: dated notes editors append to a published article.
CREATE TABLE article_corrections (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id      BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    note            TEXT NOT NULL,
    editor_id       BIGINT,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX article_corrections_article ON article_corrections (article_id, id);

ALTER TABLE articles ADD COLUMN byline TEXT;
ALTER TABLE articles ADD COLUMN source TEXT;
ALTER TABLE articles ADD COLUMN source_url TEXT;
-- Moves only when the text (title, excerpt, body) changes; `updated_at` moves on any save.
ALTER TABLE articles ADD COLUMN content_updated_at TIMESTAMP;
UPDATE articles SET content_updated_at = updated_at;

-- Front-page curation: breaking news until an expiry, and featured articles in homepage
-- slots (`position`, smallest first). Setting them is an editor's right.
ALTER TABLE articles ADD COLUMN breaking_until TIMESTAMP;
ALTER TABLE articles ADD COLUMN featured BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE articles ADD COLUMN position INTEGER;
CREATE INDEX articles_featured ON articles (featured, position);
CREATE INDEX articles_breaking ON articles (breaking_until);
-- Linked translations: an article names the article it translates (its group's first).
CREATE TABLE article_translations (
    article_id      BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    original_id     BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE
);
CREATE INDEX article_translations_original ON article_translations (original_id);

-- Menus: named, ordered lists of links, nested one level (`parent_id`). A link points at a
-- section, an article, a page or a tag (`target_id`), or an external `url`.
CREATE TABLE menus (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    slug            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE TABLE menu_items (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    menu_id         BIGINT NOT NULL REFERENCES menus (id) ON DELETE CASCADE,
    parent_id       BIGINT,
    position        INTEGER NOT NULL,
    label           TEXT NOT NULL,
    description     TEXT,
    kind            TEXT NOT NULL,
    target_id       BIGINT,
    url             TEXT
);
CREATE INDEX menu_items_menu ON menu_items (menu_id, position);
