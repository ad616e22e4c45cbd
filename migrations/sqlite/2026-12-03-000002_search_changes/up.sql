-- The search index moves out of the database into tantivy (src/search/): the database stays
-- the source of truth, and every change to an article that search shows is logged here, in
-- the same transaction as the change. Each server's index applies the log in order and
-- records, in the index itself, the last `seq` it applied; one that was down (or is new)
-- catches up from there. Entries older than every index needs are pruned by a job.
CREATE TABLE search_changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id BIGINT NOT NULL,
    changed_at TIMESTAMP NOT NULL
);

-- The index that was kept in the database, and the related lists and title words computed
-- from it, are derived data the new index replaces.
DROP TABLE article_search;
DROP TABLE related_articles;
