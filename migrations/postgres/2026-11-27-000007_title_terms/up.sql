-- Each title's analyzed words, a row per (word, article), for related articles. They ask,
-- for each word of an article's title, "which are the newest articles whose titles hold it":
-- here a backward scan of the primary key, the way SQLite's FTS5 reads a posting list newest
-- first. A GIN index answers "which documents hold the word" only as an unordered bitmap: a
-- weighted query ('word':A) on the whole-document index rechecked every document holding the
-- word anywhere, and even an index of the titles alone fetched every title holding a frequent
-- word to keep 200 (computing the lists of 100,000 articles had not finished after 18 minutes).
CREATE TABLE title_terms (
    term       TEXT   NOT NULL,
    article_id BIGINT NOT NULL REFERENCES article_search (rowid) ON DELETE CASCADE,
    PRIMARY KEY (term, article_id)
);
-- Titles carry weight A in the document (see src/search/index.rs).
INSERT INTO title_terms (term, article_id)
SELECT DISTINCT t.lexeme, s.rowid
FROM article_search AS s, unnest(ts_filter(s.document, '{a}')) AS t;
