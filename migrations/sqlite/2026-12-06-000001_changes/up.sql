-- The changes feed (GET /api/v1/changes) for static-site builds: what readers can see that
-- changed, written in the same transaction as the change. Unlike `search_changes` it is
-- never pruned: a build may come back after months. `url` is where the item was at the time
-- (a tombstone's page to remove). On SQLite one writer commits in `seq` order; `tx` is 0.
CREATE TABLE changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    resource    TEXT NOT NULL,
    resource_id BIGINT NOT NULL,
    action      TEXT NOT NULL,
    slug        TEXT NOT NULL,
    url         TEXT,
    changed_at  TIMESTAMP NOT NULL,
    tx          BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX changes_order ON changes (tx, seq);
-- The last entry of an item decides whether readers see it (created/updated) or not.
CREATE INDEX changes_by_item ON changes (resource, resource_id, seq);

-- What readers already see is where a first build starts: sections, published articles (in
-- publication order) and published pages, as created. (Their URLs are filled as they change.)
INSERT INTO changes (resource, resource_id, action, slug, url, changed_at)
SELECT 'section', id, 'created', slug, NULL, created_at FROM sections ORDER BY id;
INSERT INTO changes (resource, resource_id, action, slug, url, changed_at)
SELECT 'article', id, 'created', slug, NULL, published_at FROM articles
WHERE status = 'published' AND published_at <= CURRENT_TIMESTAMP ORDER BY published_at, id;
INSERT INTO changes (resource, resource_id, action, slug, url, changed_at)
SELECT 'page', id, 'created', slug, NULL, COALESCE(published_at, created_at) FROM pages
WHERE status = 'published' ORDER BY id;
