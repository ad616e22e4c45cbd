//! The search change log: one row per change to an article that search shows, written in the
//! same transaction as the change (`articles::operations`). Indexes apply it in order.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::db::DbConnection;
use crate::db::schema::search_changes;

/// How far an index has applied the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    /// Every row up to this `seq` is applied.
    pub seq: i64,
    /// PostgreSQL: every row written by a transaction older than this one is applied too,
    /// whatever its `seq` (a long transaction's rows become visible after rows with higher
    /// numbers). 0 on SQLite, which commits in `seq` order.
    pub xmin: i64,
}

/// Logs that `article_id` changed (created, edited, moved, published, deleted).
pub fn log(conn: &mut DbConnection, article_id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(search_changes::table)
        .values((
            search_changes::article_id.eq(article_id),
            search_changes::changed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// What an index has to apply after `from`: the articles that changed, and the checkpoint
/// it reaches once they are applied. At most `limit` rows are read in `seq` order; call again
/// while the checkpoint moves.
pub fn pending(
    conn: &mut DbConnection,
    from: Checkpoint,
    limit: i64,
) -> QueryResult<(Vec<i64>, Checkpoint)> {
    let rows: Vec<(i64, i64)> = search_changes::table
        .filter(search_changes::seq.gt(from.seq))
        .order(search_changes::seq.asc())
        .limit(limit)
        .select((search_changes::seq, search_changes::article_id))
        .load(conn)?;
    let mut reached = Checkpoint {
        seq: rows.last().map_or(from.seq, |(seq, _)| *seq),
        xmin: from.xmin,
    };
    let mut articles: Vec<i64> = rows.iter().map(|(_, id)| *id).collect();
    if let DbConnection::Postgres(pg) = conn {
        // Rows at or below the checkpoint written by transactions that ended since the last
        // look: they committed after rows with higher numbers were applied.
        #[derive(QueryableByName)]
        struct Late {
            #[diesel(sql_type = BigInt)]
            article_id: i64,
        }
        #[derive(QueryableByName)]
        struct Horizon {
            #[diesel(sql_type = BigInt)]
            xmin: i64,
        }
        let horizon = diesel::sql_query(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin",
        )
        .get_result::<Horizon>(pg)?
        .xmin;
        let late: Vec<Late> = diesel::sql_query(
            "SELECT article_id FROM search_changes \
             WHERE xid >= $1 AND xid < $2 AND seq <= $3",
        )
        .bind::<BigInt, _>(from.xmin)
        .bind::<BigInt, _>(horizon)
        .bind::<BigInt, _>(reached.seq)
        .load(pg)?;
        articles.extend(late.into_iter().map(|l| l.article_id));
        reached.xmin = horizon;
    }
    articles.sort_unstable();
    articles.dedup();
    Ok((articles, reached))
}

/// Where a new index starts: everything logged so far (it then indexes every article as it
/// is in the same snapshot of the database).
pub fn head(conn: &mut DbConnection) -> QueryResult<Checkpoint> {
    let seq: Option<i64> = search_changes::table
        .select(diesel::dsl::max(search_changes::seq))
        .first(conn)?;
    let xmin = match conn {
        DbConnection::Postgres(pg) => {
            #[derive(QueryableByName)]
            struct Horizon {
                #[diesel(sql_type = BigInt)]
                xmin: i64,
            }
            diesel::sql_query(
                "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin",
            )
            .get_result::<Horizon>(pg)?
            .xmin
        }
        DbConnection::Sqlite(_) => 0,
    };
    Ok(Checkpoint {
        seq: seq.unwrap_or(0),
        xmin,
    })
}

/// Whether an index at `at` can still catch up: the log still holds every row after it.
pub fn can_catch_up(conn: &mut DbConnection, at: Checkpoint) -> QueryResult<bool> {
    let oldest: Option<i64> = search_changes::table
        .select(diesel::dsl::min(search_changes::seq))
        .first(conn)?;
    Ok(oldest.is_none_or(|oldest| oldest <= at.seq + 1))
}

/// Deletes log rows older than `before`, keeping the newest row so that an index that has
/// applied everything can tell it is current.
pub fn prune(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    let newest: Option<i64> = search_changes::table
        .select(diesel::dsl::max(search_changes::seq))
        .first(conn)?;
    let Some(newest) = newest else {
        return Ok(0);
    };
    diesel::delete(
        search_changes::table
            .filter(search_changes::changed_at.lt(before))
            .filter(search_changes::seq.lt(newest)),
    )
    .execute(conn)
}
