//! Full-text search over articles, behind one small interface the article list uses.
//!
//! The application analyzes text itself — [`crate::text::normalize`] then the light Arabic
//! stemmer — identically for what it indexes and for queries, and the store only ever sees
//! analyzed terms: an FTS5 table on SQLite, a `tsvector` with the `simple` configuration on
//! PostgreSQL. User input never reaches either query language unescaped: queries are reduced
//! to terms made of letters and digits, and each term is then quoted as a string (FTS5) or a
//! lexeme (`to_tsquery`), so no operator can be smuggled in.
//!
//! Snippets are cut from the *original* text (with its tashkeel), not from the index.

pub mod analyzer;
mod index;
pub mod related;
pub mod snippet;

pub use analyzer::Analyzer;
pub use index::{index_article, reindex_all, remove_article, unindexed_count};

use diesel::BoxableExpression;
use diesel::dsl::sql;
use diesel::sql_types::{Bool, Double, Text};

use crate::db::{Backend, MultiBackend};

/// A search query, analyzed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// One group per word typed, holding the terms it stands for (usually one; two for a
    /// word whose leading و may be "and"). A group matches when any of its terms does.
    pub groups: Vec<Vec<String>>,
    /// Every group must match (a reader's search), or any (similar articles).
    pub require_all: bool,
    /// Match titles only (similar articles), not the whole text.
    pub titles_only: bool,
}

impl Query {
    /// `None` when nothing searchable is left (only punctuation, operators, marks).
    pub fn parse(raw: &str, analyzer: Analyzer) -> Option<Self> {
        let mut groups = analyzer.words(raw);
        groups.dedup();
        (!groups.is_empty()).then_some(Self {
            groups,
            require_all: true,
            titles_only: false,
        })
    }

    /// Matches articles whose titles contain any of `terms` (already analyzed).
    pub fn any_in_titles(terms: Vec<String>) -> Option<Self> {
        (!terms.is_empty()).then_some(Self {
            groups: terms.into_iter().map(|t| vec![t]).collect(),
            require_all: false,
            titles_only: true,
        })
    }

    /// Every term of every group.
    pub fn terms(&self) -> impl Iterator<Item = &str> {
        self.groups.iter().flatten().map(String::as_str)
    }

    /// FTS5 syntax: each term a quoted string (so nothing in it is an operator), the readings
    /// of a word ORed in parentheses, the words joined by AND (or OR).
    fn fts5(&self) -> String {
        let quote = |t: &String| format!("\"{}\"", t.replace('"', "\"\""));
        let expression = self.joined(
            quote,
            " OR ",
            if self.require_all { " AND " } else { " OR " },
        );
        if self.titles_only {
            format!("{{title}} : ({expression})")
        } else {
            expression
        }
    }

    /// The tsvector a query is matched against on PostgreSQL. Titles are the A-weighted part
    /// of the document and have an index of their own: a weighted query (`'word':A`) on the
    /// whole document would recheck every document holding the word anywhere.
    fn tsvector(&self) -> &'static str {
        if self.titles_only {
            "ts_filter(article_search.document, '{a}')"
        } else {
            "article_search.document"
        }
    }

    /// `to_tsquery` syntax, to match against [`Query::tsvector`]: each term a quoted lexeme
    /// (so nothing in it is an operator), joined by `&` or `|`.
    fn tsquery(&self) -> String {
        let quote = |t: &String| format!("'{}'", t.replace('\\', "\\\\").replace('\'', "''"));
        self.joined(quote, " | ", if self.require_all { " & " } else { " | " })
    }

    /// The groups, each quoted term by term, the readings of a word joined by `or`
    /// (in parentheses), the words by `and`.
    fn joined(&self, quote: impl Fn(&String) -> String, or: &str, and: &str) -> String {
        self.groups
            .iter()
            .map(|group| match group.as_slice() {
                [one] => quote(one),
                many => format!("({})", many.iter().map(&quote).collect::<Vec<_>>().join(or)),
            })
            .collect::<Vec<_>>()
            .join(and)
    }
}

/// The filter "this article matches `query`", for a query joined with `article_search`.
pub fn matches<QS>(
    backend: Backend,
    query: &Query,
) -> Box<dyn BoxableExpression<QS, MultiBackend, SqlType = Bool>> {
    match backend {
        Backend::Sqlite => {
            Box::new(sql::<Bool>("article_search MATCH ").bind::<Text, _>(query.fts5()))
        }
        Backend::Postgres => Box::new(
            sql::<Bool>(&format!("{} @@ to_tsquery('simple', ", query.tsvector()))
                .bind::<Text, _>(query.tsquery())
                .sql(")"),
        ),
    }
}

/// The filter "this article's id is among the matches of `query`", for a query over
/// `articles` alone (no join): the matching ids are computed once and probed.
pub fn matched_ids<QS>(
    backend: Backend,
    query: &Query,
) -> Box<dyn BoxableExpression<QS, MultiBackend, SqlType = Bool>> {
    match backend {
        Backend::Sqlite => Box::new(
            sql::<Bool>("articles.id IN (SELECT rowid FROM article_search WHERE article_search MATCH ")
                .bind::<Text, _>(query.fts5())
                .sql(")"),
        ),
        Backend::Postgres => Box::new(
            sql::<Bool>(&format!(
                "articles.id IN (SELECT rowid FROM article_search WHERE {} @@ to_tsquery('simple', ",
                query.tsvector()
            ))
            .bind::<Text, _>(query.tsquery())
            .sql("))"),
        ),
    }
}

/// Relevance, as a number where *smaller is better* on both stores (BM25 on SQLite, the
/// negated `ts_rank` on PostgreSQL). Titles weigh most, then tags, excerpt, body.
pub fn rank<QS>(
    backend: Backend,
    query: &Query,
) -> Box<dyn BoxableExpression<QS, MultiBackend, SqlType = Double>> {
    match backend {
        Backend::Sqlite => Box::new(sql::<Double>("bm25(article_search, 10.0, 3.0, 1.0, 5.0)")),
        Backend::Postgres => Box::new(
            sql::<Double>("-ts_rank(article_search.document, to_tsquery('simple', ")
                .bind::<Text, _>(query.tsquery())
                .sql("), 1)::float8"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_and_quotes_never_reach_the_index_syntax() {
        let q = Query::parse(r#"التعاون" OR NEAR(x) -y *"#, Analyzer::default()).unwrap();
        assert!(
            q.fts5()
                .split(" AND ")
                .all(|t| t.starts_with('"') && t.ends_with('"'))
        );
        assert!(!q.fts5().contains("NEAR("));
        let either = Query::parse("وزير الخارجية", Analyzer::default()).unwrap();
        assert_eq!(either.fts5(), r#"("وزير" OR "زير") AND "خارج""#);
        assert_eq!(either.tsquery(), "('وزير' | 'زير') & 'خارج'");
        assert_eq!(Query::parse("«؟»!!! ... ***", Analyzer::default()), None);
        assert_eq!(Query::parse("   ", Analyzer::default()), None);
    }

    #[test]
    fn queries_are_analyzed_like_the_index() {
        let typed = Query::parse("والتعاون الأَمْنِيّ", Analyzer::default()).unwrap();
        let plain = Query::parse("تعاون امني", Analyzer::default()).unwrap();
        assert_eq!(typed, plain);
    }
}
