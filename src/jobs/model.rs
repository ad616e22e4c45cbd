//! Job rows and the queries on them. Claiming differs by store: PostgreSQL instances claim
//! side by side with `FOR UPDATE SKIP LOCKED`; an SQLite file has one writer already.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};

use crate::db::schema::jobs;
use crate::db::{DbConnection, MultiBackend};

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Queued,
    Running,
    Dead,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Dead => "dead",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = jobs)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub unique_key: Option<String>,
    pub state: String,
    pub run_at: NaiveDateTime,
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: Option<String>,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A job to store.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    pub kind: &'a str,
    pub payload: &'a str,
    pub unique_key: Option<&'a str>,
    pub run_at: NaiveDateTime,
    pub max_attempts: i32,
    pub now: NaiveDateTime,
}

/// Stores a queued job; `None` when its `unique_key` already names a live job (queued or
/// running), which is then left as it is.
pub fn insert(conn: &mut DbConnection, job: &NewJob<'_>) -> QueryResult<Option<i64>> {
    // Written out per store: `ON CONFLICT DO NOTHING` without a target covers the partial
    // unique index on `unique_key`, and both stores return nothing when it applies.
    let sql = match conn {
        DbConnection::Sqlite(_) => {
            "INSERT INTO jobs (kind, payload, unique_key, state, run_at, attempts, max_attempts, \
             created_at, updated_at) VALUES (?, ?, ?, 'queued', ?, 0, ?, ?, ?) \
             ON CONFLICT DO NOTHING RETURNING id"
        }
        DbConnection::Postgres(_) => {
            "INSERT INTO jobs (kind, payload, unique_key, state, run_at, attempts, max_attempts, \
             created_at, updated_at) VALUES ($1, $2, $3, 'queued', $4, 0, $5, $6, $6) \
             ON CONFLICT DO NOTHING RETURNING id"
        }
    };
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let query = diesel::sql_query(sql)
        .bind::<Text, _>(job.kind)
        .bind::<Text, _>(job.payload)
        .bind::<Nullable<Text>, _>(job.unique_key)
        .bind::<Timestamp, _>(job.run_at)
        .bind::<Integer, _>(job.max_attempts)
        .bind::<Timestamp, _>(job.now);
    let ids: Vec<Id> = match conn {
        // SQLite numbers its parameters by position, so `now` is bound twice.
        DbConnection::Sqlite(c) => query.bind::<Timestamp, _>(job.now).load(c)?,
        DbConnection::Postgres(c) => query.load(c)?,
    };
    Ok(ids.first().map(|row| row.id))
}

/// Claims up to `limit` jobs that are due, or else whose lease has expired (the process
/// running them stopped), for `owner` until `lease_until`; each claim counts as an attempt.
///
/// The two are looked up apart, each in the order of its own index, so a claim costs the
/// same with a backlog of a million jobs as with one (a single query with `OR` sorted every
/// due job on each claim).
pub fn claim(
    conn: &mut DbConnection,
    owner: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<JobRow>> {
    let due = claim_where(
        conn,
        "state = 'queued' AND run_at <= {now} ORDER BY state, run_at",
        owner,
        now,
        lease_until,
        limit,
    )?;
    if !due.is_empty() {
        return Ok(due);
    }
    claim_where(
        conn,
        "state = 'running' AND lease_expires_at < {now} ORDER BY state, lease_expires_at",
        owner,
        now,
        lease_until,
        limit,
    )
}

/// Claims the first `limit` jobs matching `condition` (SQL with `{now}` standing for the
/// current time, ending in its order).
fn claim_where(
    conn: &mut DbConnection,
    condition: &str,
    owner: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<JobRow>> {
    match conn {
        DbConnection::Postgres(c) => diesel::sql_query(format!(
            "UPDATE jobs SET state = 'running', lease_owner = $1, lease_expires_at = $2, \
             attempts = attempts + 1, updated_at = $3 \
             WHERE id IN (SELECT id FROM jobs WHERE {} LIMIT $4 FOR UPDATE SKIP LOCKED) \
             RETURNING *",
            condition.replace("{now}", "$3")
        ))
        .bind::<Text, _>(owner)
        .bind::<Timestamp, _>(lease_until)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(c),
        DbConnection::Sqlite(c) => diesel::sql_query(format!(
            "UPDATE jobs SET state = 'running', lease_owner = ?1, lease_expires_at = ?2, \
             attempts = attempts + 1, updated_at = ?3 \
             WHERE id IN (SELECT id FROM jobs WHERE {} LIMIT ?4) \
             RETURNING *",
            condition.replace("{now}", "?3")
        ))
        .bind::<Text, _>(owner)
        .bind::<Timestamp, _>(lease_until)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(c),
    }
}

/// Whether any job is due or has an expired lease: a cheap read before a claim, which is a
/// write.
pub fn any_due(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        jobs::table.filter(
            jobs::state
                .eq(State::Queued.as_str())
                .and(jobs::run_at.le(now))
                .or(jobs::state
                    .eq(State::Running.as_str())
                    .and(jobs::lease_expires_at.lt(now))),
        ),
    ))
    .get_result(conn)
}

/// When the next queued job falls due, if any.
pub fn next_due(conn: &mut DbConnection) -> QueryResult<Option<NaiveDateTime>> {
    jobs::table
        .filter(jobs::state.eq(State::Queued.as_str()))
        .select(diesel::dsl::min(jobs::run_at))
        .first(conn)
}

/// Extends `owner`'s lease on a running job; false when the lease was lost.
pub fn renew(
    conn: &mut DbConnection,
    id: i64,
    owner: &str,
    lease_until: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        jobs::table
            .filter(jobs::id.eq(id))
            .filter(jobs::lease_owner.eq(owner)),
    )
    .set(jobs::lease_expires_at.eq(lease_until))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Removes a job `owner` finished; false when its lease was lost meanwhile (another runner
/// has it now, and will run it again).
pub fn finish(conn: &mut DbConnection, id: i64, owner: &str) -> QueryResult<bool> {
    let deleted = diesel::delete(
        jobs::table
            .filter(jobs::id.eq(id))
            .filter(jobs::lease_owner.eq(owner)),
    )
    .execute(conn)?;
    Ok(deleted == 1)
}

/// Records a failed attempt: the job waits until `retry_at`, or is dead when it has used
/// every attempt (`give_up`).
pub fn fail(
    conn: &mut DbConnection,
    id: i64,
    owner: &str,
    error: &str,
    retry_at: NaiveDateTime,
    give_up: bool,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let state = if give_up { State::Dead } else { State::Queued };
    let updated = diesel::update(
        jobs::table
            .filter(jobs::id.eq(id))
            .filter(jobs::lease_owner.eq(owner)),
    )
    .set((
        jobs::state.eq(state.as_str()),
        jobs::run_at.eq(retry_at),
        jobs::last_error.eq(error),
        jobs::lease_owner.eq(None::<String>),
        jobs::lease_expires_at.eq(None::<NaiveDateTime>),
        jobs::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<JobRow>> {
    jobs::table
        .find(id)
        .select(JobRow::as_select())
        .first(conn)
        .optional()
}

/// What an admin's list asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// Waiting for their time, no attempt made yet.
    Queued,
    Running,
    /// Waiting to be retried after a failed attempt.
    Failed,
    Dead,
    Every,
}

/// A page of jobs, soonest due first, and the total.
pub fn list(
    conn: &mut DbConnection,
    filter: Filter,
    kind: Option<&str>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<JobRow>, i64)> {
    let filtered = || {
        let mut query = jobs::table.into_boxed::<MultiBackend>();
        query = match filter {
            Filter::Queued => query
                .filter(jobs::state.eq(State::Queued.as_str()))
                .filter(jobs::attempts.eq(0)),
            Filter::Failed => query
                .filter(jobs::state.eq(State::Queued.as_str()))
                .filter(jobs::attempts.gt(0)),
            Filter::Running => query.filter(jobs::state.eq(State::Running.as_str())),
            Filter::Dead => query.filter(jobs::state.eq(State::Dead.as_str())),
            Filter::Every => query,
        };
        if let Some(kind) = kind {
            query = query.filter(jobs::kind.eq(kind.to_owned()));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((jobs::run_at.asc(), jobs::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(JobRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Queues a dead or failed job to run now, with all its attempts again.
pub fn requeue(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    let updated = diesel::update(
        jobs::table
            .filter(jobs::id.eq(id))
            .filter(jobs::state.ne(State::Running.as_str())),
    )
    .set((
        jobs::state.eq(State::Queued.as_str()),
        jobs::run_at.eq(now),
        jobs::attempts.eq(0),
        jobs::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// How many jobs there are (tests, the bench).
pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    jobs::table.count().get_result(conn)
}
