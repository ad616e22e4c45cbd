//! What the job endpoints read and write.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{Filter, JobRow};
use crate::time::Timestamp;

/// Where a job is, as admins see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = JobState)]
pub enum State {
    /// Waiting for its time, no attempt made yet (`last_error` may tell why an admin
    /// retried it).
    Queued,
    /// Claimed by a worker, whose lease runs until `lease_expires_at`.
    Running,
    /// An attempt failed; it waits until `run_at` to be retried.
    Failed,
    /// Every attempt failed: kept until an admin retries it.
    Dead,
}

/// A background job.
#[derive(Debug, Serialize, ToSchema)]
pub struct Job {
    #[schema(example = 17)]
    pub id: i64,
    /// What the job does.
    #[schema(example = "maintenance.optimize")]
    pub kind: String,
    pub state: State,
    /// The job's input (never a secret).
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// When it runs next (queued, failed), or ran (running, dead).
    pub run_at: Timestamp,
    /// Attempts made so far.
    #[schema(example = 1)]
    pub attempts: i32,
    /// Attempts allowed before it is dead.
    #[schema(example = 8)]
    pub max_attempts: i32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Running only: until when its worker holds it. Past it, another worker runs it again.
    pub lease_expires_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<&JobRow> for Job {
    fn from(row: &JobRow) -> Self {
        let state = match row.state.as_str() {
            "running" => State::Running,
            "dead" => State::Dead,
            // Queued again after failing (a retried job starts again from no attempts).
            _ if row.attempts > 0 => State::Failed,
            _ => State::Queued,
        };
        Self {
            id: row.id,
            kind: row.kind.clone(),
            state,
            payload: serde_json::from_str(&row.payload).unwrap_or(serde_json::Value::Null),
            run_at: row.run_at.into(),
            attempts: row.attempts,
            max_attempts: row.max_attempts,
            last_error: row.last_error.clone(),
            lease_expires_at: row.lease_expires_at.map(Into::into),
            created_at: row.created_at.into(),
            updated_at: row.updated_at.into(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobFilters {
    /// Only jobs in this state (all of them when absent).
    #[param(inline)]
    pub state: Option<State>,
    /// Only jobs of this kind.
    #[param(example = "maintenance.optimize", max_length = 100)] // operations::MAX_KIND_CHARS
    pub kind: Option<String>,
}

impl From<Option<State>> for Filter {
    fn from(state: Option<State>) -> Self {
        match state {
            None => Self::Every,
            Some(State::Queued) => Self::Queued,
            Some(State::Running) => Self::Running,
            Some(State::Failed) => Self::Failed,
            Some(State::Dead) => Self::Dead,
        }
    }
}
