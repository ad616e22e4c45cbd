-- What an import brought in: every item of a source (a WordPress site, named by its base
-- URL) with the Sahifa row it became and a checksum of what the source said, so that running
-- the import again updates what changed, adds what is new, and duplicates nothing.
CREATE TABLE import_map (
    source     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    source_id  TEXT NOT NULL,
    target_id  BIGINT NOT NULL,
    checksum   TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (source, kind, source_id)
);
CREATE INDEX import_map_by_target ON import_map (kind, target_id);

-- Old URLs (paths, percent-decoded, without a trailing slash) of imported items, so that a
-- frontend can answer 301 for links that search engines and readers still follow.
CREATE TABLE legacy_paths (
    path       TEXT PRIMARY KEY,
    resource   TEXT NOT NULL CHECK (resource IN ('article', 'page', 'section', 'tag', 'author')),
    target_id  BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX legacy_paths_by_target ON legacy_paths (resource, target_id);

-- Imported bodies are HTML (sanitized with the same allowlist as rendered Markdown), and
-- stay HTML when editors change them.
ALTER TABLE articles ADD COLUMN body_format TEXT NOT NULL DEFAULT 'markdown';
ALTER TABLE pages ADD COLUMN body_format TEXT NOT NULL DEFAULT 'markdown';

-- A commenter's website, as WordPress keeps it (staff endpoints only, like the email).
ALTER TABLE comments ADD COLUMN author_url TEXT;
