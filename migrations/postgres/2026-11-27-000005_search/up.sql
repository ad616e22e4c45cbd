-- The full-text index over articles: a tsvector of the text analyzed by the application
-- (normalized and stemmed, see src/search/) with the `simple` configuration, weighted
-- title A, tags B, excerpt C, body D. rowid = articles.id, named as SQLite's FTS5 rowid so
-- both stores share one query shape.
CREATE TABLE article_search (
    rowid    BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    document TSVECTOR NOT NULL
);
CREATE INDEX article_search_document ON article_search USING GIN (document);
