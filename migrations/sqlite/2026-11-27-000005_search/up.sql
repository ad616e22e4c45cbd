-- The full-text index over articles. It holds the *analyzed* text (normalized and stemmed by
-- the application, see src/search/), never the original: FTS5's own tokenizer mishandles
-- Arabic marks and hamza forms. Marks (M*) are token characters so that scripts whose
-- vowel signs survive normalization (Devanagari, Thai …) are not split mid-word.
-- rowid = articles.id; every article is indexed, visibility is decided by the query.
CREATE VIRTUAL TABLE article_search USING fts5(
    title, excerpt, body, tags,
    tokenize = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
