//! Keeping the index in step with the articles, in the same transaction as every write.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::Analyzer;
use crate::db::DbConnection;
use crate::db::schema::{article_search, article_tags, articles, tags};

/// The analyzed fields of one article.
struct Document {
    title: String,
    excerpt: String,
    body: String,
    tags: String,
}

fn document(conn: &mut DbConnection, id: i64, analyzer: Analyzer) -> QueryResult<Option<Document>> {
    let row: Option<(String, String, String)> = articles::table
        .find(id)
        .select((articles::title, articles::excerpt, articles::body))
        .first(conn)
        .optional()?;
    let Some((title, excerpt, body)) = row else {
        return Ok(None);
    };
    let tag_names: Vec<String> = article_tags::table
        .inner_join(tags::table)
        .filter(article_tags::article_id.eq(id))
        .select(tags::name)
        .load(conn)?;
    Ok(Some(Document {
        title: analyzer.document(&title),
        excerpt: analyzer.document(&excerpt),
        // The body is indexed as the reader sees it, not as Markdown syntax.
        body: analyzer.document(&crate::text::plain_text(&body)),
        tags: analyzer.document(&tag_names.join(" ")),
    }))
}

/// (Re)indexes one article and refreshes its related articles; removes it from the index
/// when it no longer exists.
pub fn index_article(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    index_with(conn, id, Analyzer::default())?;
    super::related::refresh(conn, id)
}

/// [`index_article`] with a chosen analysis (to measure what stemming brings).
pub fn index_with(conn: &mut DbConnection, id: i64, analyzer: Analyzer) -> QueryResult<()> {
    remove_article(conn, id)?;
    let Some(doc) = document(conn, id, analyzer)? else {
        return Ok(());
    };
    match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(
            "INSERT INTO article_search (rowid, title, excerpt, body, tags) VALUES (?, ?, ?, ?, ?)",
        )
        .bind::<BigInt, _>(id)
        .bind::<Text, _>(&doc.title)
        .bind::<Text, _>(&doc.excerpt)
        .bind::<Text, _>(&doc.body)
        .bind::<Text, _>(&doc.tags)
        .execute(c)?,
        DbConnection::Postgres(c) => diesel::sql_query(
            "INSERT INTO article_search (rowid, document) VALUES ($1, \
             setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'B') \
             || setweight(to_tsvector('simple', $4), 'C') || setweight(to_tsvector('simple', $5), 'D'))",
        )
        .bind::<BigInt, _>(id)
        .bind::<Text, _>(&doc.title)
        .bind::<Text, _>(&doc.tags)
        .bind::<Text, _>(&doc.excerpt)
        .bind::<Text, _>(&doc.body)
        .execute(c)?,
    };
    if let DbConnection::Postgres(c) = conn {
        // The title's words for related articles (see the migration creating title_terms);
        // the old ones went with the document row (ON DELETE CASCADE).
        diesel::sql_query(
            "INSERT INTO title_terms (term, article_id) \
             SELECT DISTINCT lexeme, $1 FROM unnest(to_tsvector('simple', $2))",
        )
        .bind::<BigInt, _>(id)
        .bind::<Text, _>(&doc.title)
        .execute(c)?;
    }
    Ok(())
}

pub fn remove_article(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::delete(article_search::table.filter(article_search::rowid.eq(id))).execute(conn)?;
    Ok(())
}

/// Rebuilds the whole index and every article's related articles (`sahifa reindex`); returns
/// how many articles were indexed.
pub fn reindex_all(conn: &mut DbConnection, analyzer: Analyzer) -> QueryResult<usize> {
    // Rewriting every document and list reads the whole index back and forth: with SQLite's
    // default 2 MiB page cache most of the time went into re-reading pages from the file.
    // A big cache for this run only; lowering it again at the end frees the pages.
    if let DbConnection::Sqlite(c) = conn {
        c.batch_execute("PRAGMA cache_size = -262144")?;
    }
    let indexed = rebuild(conn, analyzer);
    if let DbConnection::Sqlite(c) = conn {
        c.batch_execute("PRAGMA cache_size = -2000")?;
    }
    indexed
}

fn rebuild(conn: &mut DbConnection, analyzer: Analyzer) -> QueryResult<usize> {
    diesel::delete(article_search::table).execute(conn)?;
    let ids: Vec<i64> = articles::table
        .select(articles::id)
        .order(articles::id)
        .load(conn)?;
    for id in &ids {
        index_with(conn, *id, analyzer)?;
    }
    if let DbConnection::Sqlite(c) = conn {
        // Merge the many small segments a bulk insert leaves into one: every later query reads
        // each term's matches from one place (SQLite would merge them gradually on later writes).
        c.batch_execute("INSERT INTO article_search (article_search) VALUES ('optimize')")?;
    }
    if let DbConnection::Postgres(c) = conn {
        // Fresh statistics before the related lists query the index many times per article.
        // Even so, inside this transaction (the old rows deleted, the new ones not yet
        // vacuumed) the planner misjudged the fresh indexes and chose scans of whole tables
        // (one GIN lookup per title word: 3.5 ms instead of 0.4 at 1,000 articles, growing
        // with the archive). For this transaction only, scans are left to where no index helps.
        c.batch_execute(
            "ANALYZE article_search; ANALYZE articles; ANALYZE article_tags; \
             SET LOCAL enable_seqscan = off",
        )?;
    }
    super::related::refresh_all(conn)?;
    Ok(ids.len())
}

/// Articles missing from the index (a database from before the index existed, or restored
/// from elsewhere): checked at start, and fixed by a reindex.
pub fn unindexed_count(conn: &mut DbConnection) -> QueryResult<i64> {
    let articles: i64 = articles::table.count().get_result(conn)?;
    let indexed: i64 = article_search::table.count().get_result(conn)?;
    Ok(articles - indexed)
}
