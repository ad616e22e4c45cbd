-- Each article's related articles, computed when an article is written (src/search/related.rs)
-- so that reading them costs one lookup. `candidates` is a JSON array of [id, score] pairs,
-- best first, among articles that were published when it was computed; whether each is
-- visible now is checked when it is read.
CREATE TABLE related_articles (
    article_id BIGINT PRIMARY KEY NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    candidates TEXT NOT NULL
);
