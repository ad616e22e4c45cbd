DROP TABLE search_changes;
DROP FUNCTION sahifa_announce_search_change();
CREATE TABLE article_search (
    rowid    BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    document TSVECTOR NOT NULL
);
CREATE INDEX article_search_document ON article_search USING GIN (document);
CREATE TABLE related_articles (
    article_id BIGINT PRIMARY KEY NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    candidates TEXT NOT NULL
);
CREATE TABLE title_terms (
    term       TEXT   NOT NULL,
    article_id BIGINT NOT NULL REFERENCES article_search (rowid) ON DELETE CASCADE,
    PRIMARY KEY (term, article_id)
);
