//! The audit trail's wire types.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::AuditRow;
use crate::time::Timestamp;

/// One entry of the audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    #[schema(example = 812)]
    pub id: i64,
    /// When it happened.
    pub at: Timestamp,
    /// The staff member who acted (for an API key, the key's creator); `null` for a failed
    /// login to an unknown account.
    #[schema(example = 1)]
    pub actor_user_id: Option<i64>,
    /// The API key the request was made with, if any.
    #[schema(example = json!(null))]
    pub actor_key_id: Option<i64>,
    /// The operation (its `operationId` in this document, e.g. `updateArticle`), or a security
    /// event: `login.succeeded`, `login.failed`, `refresh_token.reused`.
    #[schema(example = "updateArticle")]
    pub action: String,
    /// The kind of resource: `articles`, `users`, `api-keys`, `auth`…
    #[schema(example = "articles")]
    pub resource_type: String,
    /// The resource's id, when the path names one.
    #[schema(example = "42")]
    pub resource_id: Option<String>,
    /// The names of the fields the request set; never their values.
    #[schema(example = json!(["title", "body"]))]
    pub fields: Vec<String>,
    /// `success` or `failure`.
    #[schema(example = "success")]
    pub outcome: String,
    /// The client's address.
    #[schema(example = "203.0.113.7")]
    pub client_ip: Option<String>,
    /// The request's `X-Request-Id`.
    #[schema(example = "4b1c3f0e-8a52-4d7e-9c1e-3f6f2f0b7a11")]
    pub request_id: Option<String>,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> Self {
        Self {
            id: row.id,
            at: row.at.into(),
            actor_user_id: row.actor_user_id,
            actor_key_id: row.actor_key_id,
            action: row.action,
            resource_type: row.resource_type,
            resource_id: row.resource_id,
            fields: row.fields.split_whitespace().map(str::to_owned).collect(),
            outcome: row.outcome,
            client_ip: row.client_ip,
            request_id: row.request_id,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilters {
    /// Only what this staff member did.
    pub actor: Option<i64>,
    /// Only what was done with this API key.
    pub key: Option<i64>,
    /// Only entries on this kind of resource (`articles`, `users`, `api-keys`, `auth`…).
    pub resource_type: Option<String>,
    /// Only entries on this resource id (with `resource_type`).
    pub resource_id: Option<String>,
    /// Only this action (`updateArticle`, `login.failed`…).
    pub action: Option<String>,
    /// Only entries at or after this time.
    #[param(value_type = Option<String>, format = DateTime)]
    pub since: Option<Timestamp>,
    /// Only entries before this time.
    #[param(value_type = Option<String>, format = DateTime)]
    pub until: Option<Timestamp>,
}
