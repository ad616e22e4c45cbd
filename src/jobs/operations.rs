//! What admins can do with jobs: look at them, and retry the ones that failed.

use super::dto::{Job, JobFilters};
use super::model;
use crate::db::DbConnection;
use crate::http::pagination::{Page, bad_query};
use crate::http::{ApiError, ProblemType};

/// Job kinds are short dotted names; a longer `kind` filter cannot match one.
pub const MAX_KIND_CHARS: usize = 100;

/// A page of jobs, soonest due first, with the total.
pub fn list(
    c: &mut DbConnection,
    filters: &JobFilters,
    page: Page,
) -> Result<(Vec<Job>, u64), ApiError> {
    if filters
        .kind
        .as_ref()
        .is_some_and(|kind| kind.chars().count() > MAX_KIND_CHARS)
    {
        return Err(bad_query(
            "kind",
            format!("at most {MAX_KIND_CHARS} characters"),
        ));
    }
    let (rows, total) = model::list(
        c,
        filters.state.into(),
        filters.kind.as_deref(),
        page.offset(),
        page.limit(),
    )?;
    Ok((rows.iter().map(Job::from).collect(), total as u64))
}

pub fn get(c: &mut DbConnection, id: i64) -> Result<Job, ApiError> {
    model::find(c, id)?
        .map(|row| Job::from(&row))
        .ok_or_else(|| ApiError::not_found("job"))
}

/// Queues a dead or failed job to run now, with all its attempts again; a running job
/// cannot be retried.
pub fn retry(c: &mut DbConnection, id: i64, now: chrono::NaiveDateTime) -> Result<Job, ApiError> {
    let current = get(c, id)?;
    if !model::requeue(c, id, now)? {
        return Err(ApiError::Conflict(
            ProblemType::JobRunning,
            format!("job {} is running; it cannot be retried now", current.id),
        ));
    }
    super::runner::wake_local_workers();
    get(c, id)
}
