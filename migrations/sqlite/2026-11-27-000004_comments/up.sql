-- Readers' comments. The email and client address are kept for moderation only and never
-- leave the staff endpoints. Deleting an article deletes its comments.
CREATE TABLE comments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id   BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    -- A reply's parent, in the same article; replies are re-attached to the grandparent
    -- when their parent is deleted.
    parent_id    BIGINT REFERENCES comments (id),
    depth        INTEGER NOT NULL DEFAULT 0,
    author_name  TEXT NOT NULL,
    author_email TEXT NOT NULL,
    body         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'spam', 'trash')),
    client_ip    TEXT,
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX comments_by_article ON comments (article_id, status, created_at, id);
CREATE INDEX comments_by_status ON comments (status, created_at DESC, id DESC);
CREATE INDEX comments_by_parent ON comments (parent_id);
