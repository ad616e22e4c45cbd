//! `/api/v1/redirects`: where an old link's item lives now.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};

use super::dto::{Redirect, RedirectQuery};
use super::operations;
use crate::config::Settings;
use crate::db::Store;
use crate::http::ApiError;
use crate::http::auth::Caller;
use crate::http::conditional::respond;
use crate::http::docs::*;
use crate::http::pagination::bad_query;

/// Where an old path leads: the current place of an item an import brought in, from any of
/// the addresses it had on the old site (its permalink, `?p=ID`, category, tag and author
/// archives). A frontend or an edge worker answers 301 with it.
///
/// Items the caller may not read (unpublished work) answer 404, as paths never imported do.
#[utoipa::path(
    tag = "redirects",
    operation_id = "getRedirect",
    security((), ("bearer" = [])),
    params(RedirectQuery),
    responses(
        (status = 200, description = "Where the item lives now", body = Redirect,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/redirects")]
pub async fn get_redirect(
    req: HttpRequest,
    caller: Caller,
    query: web::Query<RedirectQuery>,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let raw = query.into_inner().path;
    if raw.trim().is_empty() || raw.chars().count() > operations::MAX_PATH_CHARS {
        return Err(bad_query(
            "path",
            format!(
                "must be a path or URL of 1 to {} characters",
                operations::MAX_PATH_CHARS
            ),
        ));
    }
    let viewer = caller.staff().cloned();
    let found = store
        .query(move |c| operations::resolve(c, &raw, viewer.as_ref(), crate::time::now()))
        .await?;
    let redirect = found.ok_or_else(|| ApiError::not_found("redirect"))?;
    respond(&req, StatusCode::OK, &redirect, caller.audience(&settings))
}

/// Registers this slice's routes (each one lands in the OpenAPI document).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_redirect);
}
