//! Reading the trail, and recording the security events that change nothing else.

use super::context;
use super::dto::{AuditEntry, AuditFilters};
use super::model::{self, Filter, NewEntry};
use crate::db::{DbConnection, Store};
use crate::http::ApiError;
use crate::http::pagination::Page;

/// A page of entries, newest first.
pub fn list(
    c: &mut DbConnection,
    filters: &AuditFilters,
    page: Page,
) -> Result<(Vec<AuditEntry>, u64), ApiError> {
    let filter = Filter {
        actor_user_id: filters.actor,
        actor_key_id: filters.key,
        resource_type: filters.resource_type.clone(),
        resource_id: filters.resource_id.clone(),
        action: filters.action.clone(),
        since: filters.since.map(|t| t.naive()),
        until: filters.until.map(|t| t.naive()),
    };
    let (rows, total) = model::list(c, &filter, page.offset(), page.limit())?;
    Ok((
        rows.into_iter().map(AuditEntry::from).collect(),
        total as u64,
    ))
}

/// A security event (`login.failed`, `refresh_token.reused`…) with the current request's
/// origin. Its own small write: the event is worth keeping even when the request fails. A
/// failure to record it is logged and does not change the answer.
pub async fn security(store: &Store, action: &str, user_id: Option<i64>, succeeded: bool) {
    let origin = context::origin();
    let entry = NewEntry {
        at: crate::time::now(),
        actor_user_id: user_id,
        actor_key_id: None,
        action: action.to_owned(),
        resource_type: "auth".into(),
        resource_id: user_id.map(|id| id.to_string()),
        fields: String::new(),
        outcome: if succeeded { "success" } else { "failure" }.into(),
        client_ip: origin.client_ip,
        request_id: origin.request_id,
    };
    let written = store
        .write(move |c| model::insert(c, &entry).map_err(crate::db::DbError::from))
        .await;
    if let Err(error) = written {
        tracing::error!(%error, action, "could not record a security event");
    }
}

/// The retention job: deletes entries older than `keep`, hourly. The only deletion there is.
pub fn prune_kind(keep: std::time::Duration) -> crate::jobs::Kind {
    crate::jobs::Kind::new("maintenance.prune_audit", move |ctx| async move {
        let before = crate::time::now() - chrono::Duration::from_std(keep).unwrap_or_default();
        let deleted = ctx
            .store
            .write(move |c| model::prune(c, before).map_err(crate::db::DbError::from))
            .await
            .map_err(|e| e.to_string())?;
        if deleted > 0 {
            tracing::info!(deleted, "pruned the audit trail");
        }
        Ok(())
    })
    .every(std::time::Duration::from_secs(3600))
}
