//! `/api/v1/changes`: the incremental changes feed for static-site builds.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};

use super::cursor::{CursorKey, KEY_NAME, KeyCell};
use super::dto::{ChangesPage, ChangesParams};
use super::operations;
use crate::auth::secret;
use crate::config::Settings;
use crate::db::{DbError, Store};
use crate::http::ApiError;
use crate::http::auth::Caller;
use crate::http::conditional::{Audience, respond};
use crate::http::docs::*;

/// What readers can see that changed — articles, sections, pages and tags created, updated,
/// unpublished or deleted (tombstones) — in commit order, after a cursor.
///
/// A static build keeps `meta.next_cursor` and asks for what changed since; it never misses
/// a change made while it paged (on PostgreSQL a change appears once every transaction that
/// began before it has ended). Drafts and other unpublished work never appear; a scheduled
/// article appears when it falls due.
#[utoipa::path(
    tag = "syndication",
    operation_id = "listChanges",
    security((), ("bearer" = [])),
    params(ChangesParams),
    responses(
        (status = 200, description = "Changes after the cursor", body = ChangesPage,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/changes")]
pub async fn list_changes(
    req: HttpRequest,
    caller: Caller,
    params: web::Query<ChangesParams>,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
    key: web::Data<KeyCell>,
) -> Result<HttpResponse, ApiError> {
    let key = key.0.get_or_try_init(|| cursor_key(&store)).await?.clone();
    let ChangesParams { since, limit } = params.into_inner();
    let page = store
        .query(move |c| Ok(operations::list(c, &key, since.as_deref(), limit)))
        .await??;
    let audience = if page.complete {
        caller.audience(&settings)
    } else {
        Audience::Private
    };
    respond(&req, StatusCode::OK, &page, audience).map(|response| {
        crate::events::keys::tag(
            response,
            &crate::events::keys::Keys::of(&[crate::events::keys::CHANGES]),
        )
    })
}

/// The database's cursor key, made on first use.
async fn cursor_key(store: &Store) -> Result<CursorKey, ApiError> {
    if let Some(key) = store.query(|c| secret::load(c, KEY_NAME)).await? {
        return Ok(CursorKey(key));
    }
    let key = store
        .write(|c| secret::load_or_create_named(c, KEY_NAME).map_err(DbError::from))
        .await?;
    Ok(CursorKey(key))
}

/// Registers this slice's routes (each one lands in the OpenAPI document).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_changes);
}
