//! `GET /api/v1/audit`: the audit trail, for admins. Read-only: no endpoint changes it.

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::dto::{AuditEntry, AuditFilters};
use super::operations;
use crate::db::Store;
use crate::http::ApiError;
use crate::http::auth::AdminOnly;
use crate::http::conditional::Audience;
use crate::http::docs::*;
use crate::http::pagination::{PageParams, Paginated, respond_page};

/// The audit trail, newest first: every staff write (who, which operation, on what, the names
/// of the fields set, from where, with which request id) and every security event (logins,
/// failed logins, refresh-token reuse). Entries hold names, never values or secrets.
#[utoipa::path(
    tag = "audit",
    operation_id = "listAuditEntries",
    security(("bearer" = [])),
    params(AuditFilters, PageParams),
    responses(
        (status = 200, description = "A page of entries", body = Paginated<AuditEntry>,
            headers(("Link" = String, description = "RFC 8288 links: first, prev, next, last"),
                    ("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 429, response = TooManyRequests),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/audit")]
pub async fn list_audit_entries(
    req: HttpRequest,
    _admin: AdminOnly,
    filters: web::Query<AuditFilters>,
    params: web::Query<PageParams>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let page = params.into_inner().page()?;
    let filters = filters.into_inner();
    let entries = store
        .run(move |c| operations::list(c, &filters, page))
        .await?;
    respond_page(&req, page, entries, Audience::Private)
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_audit_entries);
}
