-- Sections nest through parent_id; cycles are refused by the application.
CREATE TABLE sections (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    slug        TEXT NOT NULL UNIQUE,
    description TEXT,
    parent_id   BIGINT REFERENCES sections (id),
    position    INTEGER NOT NULL DEFAULT 0,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX sections_parent ON sections (parent_id);

CREATE TABLE articles (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    title                  TEXT NOT NULL,
    slug                   TEXT NOT NULL UNIQUE,
    -- The excerpt as served; derived from the body unless excerpt_is_custom.
    excerpt                TEXT NOT NULL,
    excerpt_is_custom      BOOLEAN NOT NULL DEFAULT FALSE,
    -- Markdown source, and its rendering (sanitized), computed once on write.
    body                   TEXT NOT NULL,
    body_html              TEXT NOT NULL,
    status                 TEXT NOT NULL CHECK (status IN ('draft', 'review', 'published', 'archived')),
    section_id             BIGINT NOT NULL REFERENCES sections (id),
    author_id              BIGINT NOT NULL REFERENCES users (id),
    featured_image_url     TEXT,
    featured_image_alt     TEXT,
    featured_image_caption TEXT,
    lang                   TEXT NOT NULL,
    meta_title             TEXT,
    meta_description       TEXT,
    reading_time_minutes   INTEGER NOT NULL,
    -- Approved comments, kept in step by the comment writes (never recounted on read).
    comment_count          BIGINT NOT NULL DEFAULT 0,
    comments_open          BOOLEAN NOT NULL DEFAULT TRUE,
    -- Visible to readers once status is 'published' and this instant has passed.
    published_at           TIMESTAMP,
    version                BIGINT NOT NULL DEFAULT 1,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL
);
CREATE INDEX articles_by_status_date ON articles (status, published_at DESC, id DESC);
CREATE INDEX articles_by_section ON articles (section_id, status, published_at DESC, id DESC);
CREATE INDEX articles_by_author ON articles (author_id, status, published_at DESC);

-- Tags are stored once and shared; `key` is the normalized form used for comparison
-- (so "الأمن" and "الامن" are one tag), `name` the form first written.
CREATE TABLE tags (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    key        TEXT NOT NULL UNIQUE,
    slug       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE article_tags (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag_id     BIGINT NOT NULL REFERENCES tags (id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_by_tag ON article_tags (tag_id, article_id);

-- Slugs a resource had before: requests for them are redirected (301) to the current one.
CREATE TABLE slug_redirects (
    resource   TEXT NOT NULL CHECK (resource IN ('article', 'section')),
    slug       TEXT NOT NULL,
    target_id  BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (resource, slug)
);
