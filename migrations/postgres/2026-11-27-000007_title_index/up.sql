-- The title's words alone, for related articles: they look up each word of an article's
-- title among other titles. Matching `'word':A` against the whole-document index made
-- PostgreSQL recheck every document holding the word anywhere (reading its whole tsvector):
-- the related lists of 2,000 articles took two minutes. Title words carry weight A (see
-- src/search/index.rs), so the title is the A part of the document.
CREATE INDEX article_search_title ON article_search USING GIN (ts_filter(document, '{a}'));
