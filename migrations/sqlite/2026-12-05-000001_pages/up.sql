-- Pages: what a news site has besides articles (من نحن, اتصل بنا, the editorial policy).
-- They nest through parent_id (cycles are refused by the application) and are ordered among
-- siblings by menu_order. Editors write them; readers see the published ones.
CREATE TABLE pages (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    title            TEXT NOT NULL,
    slug             TEXT NOT NULL UNIQUE,
    -- Markdown source, and its rendering (sanitized), computed once on write.
    body             TEXT NOT NULL,
    body_html        TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    parent_id        BIGINT REFERENCES pages (id),
    menu_order       INTEGER NOT NULL DEFAULT 0,
    lang             TEXT NOT NULL,
    meta_title       TEXT,
    meta_description TEXT,
    -- First set when the page is published; kept through later edits.
    published_at     TIMESTAMP,
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX pages_by_parent ON pages (parent_id, menu_order);
CREATE INDEX pages_by_status ON pages (status, menu_order);

-- Old page slugs redirect like those of articles and sections. SQLite cannot change a CHECK
-- constraint in place, so the table is rebuilt with its rows.
CREATE TABLE slug_redirects_new (
    resource   TEXT NOT NULL CHECK (resource IN ('article', 'section', 'page')),
    slug       TEXT NOT NULL,
    target_id  BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (resource, slug)
);
INSERT INTO slug_redirects_new SELECT resource, slug, target_id, created_at FROM slug_redirects;
DROP TABLE slug_redirects;
ALTER TABLE slug_redirects_new RENAME TO slug_redirects;
