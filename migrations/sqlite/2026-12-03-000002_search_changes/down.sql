DROP TABLE search_changes;
CREATE VIRTUAL TABLE article_search USING fts5(
    title, excerpt, body, tags,
    tokenize = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TABLE related_articles (
    article_id BIGINT PRIMARY KEY NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    candidates TEXT NOT NULL
);
