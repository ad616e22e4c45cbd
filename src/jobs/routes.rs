//! `/api/v1/jobs`: the background jobs, for admins: what is queued, running, failing or dead,
//! and retrying the ones that gave up.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};

use super::dto::{Job, JobFilters};
use super::operations;
use crate::db::Store;
use crate::http::ApiError;
use crate::http::auth::AdminOnly;
use crate::http::cache::readers_unaffected;
use crate::http::conditional::{Audience, respond};
use crate::http::docs::*;
use crate::http::pagination::{PageParams, Paginated, respond_page};

/// Background jobs, soonest due first.
#[utoipa::path(
    tag = "jobs",
    operation_id = "listJobs",
    security(("bearer" = [])),
    params(JobFilters, PageParams),
    responses(
        (status = 200, description = "A page of jobs", body = Paginated<Job>,
            headers(("Link" = String, description = "RFC 8288 links: first, prev, next, last"),
                    ("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/jobs")]
pub async fn list_jobs(
    req: HttpRequest,
    _admin: AdminOnly,
    filters: web::Query<JobFilters>,
    params: web::Query<PageParams>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let page = params.into_inner().page()?;
    let filters = filters.into_inner();
    let jobs = store
        .run(move |c| operations::list(c, &filters, page))
        .await?;
    respond_page(&req, page, jobs, Audience::Private)
}

/// One background job.
#[utoipa::path(
    tag = "jobs",
    operation_id = "getJob",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Job id")),
    responses(
        (status = 200, description = "The job", body = Job, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
#[get("/jobs/{id:\\d+}")]
pub async fn get_job(
    req: HttpRequest,
    _admin: AdminOnly,
    id: web::Path<i64>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let job = store.run(move |c| operations::get(c, id)).await?;
    respond(&req, StatusCode::OK, &job, Audience::Private)
}

/// Retry a dead or failed job now, with all its attempts again.
#[utoipa::path(
    tag = "jobs",
    operation_id = "retryJob",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Job id")),
    responses(
        (status = 200, description = "Queued to run now", body = Job),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
#[post("/jobs/{id:\\d+}/retry")]
pub async fn retry_job(
    req: HttpRequest,
    _admin: AdminOnly,
    id: web::Path<i64>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let job = store
        .write(move |c| operations::retry(c, id, crate::time::now()))
        .await?;
    Ok(readers_unaffected(respond(
        &req,
        StatusCode::OK,
        &job,
        Audience::Private,
    )?))
}

/// Registers this slice's routes (each one lands in the OpenAPI document).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_jobs).service(get_job).service(retry_job);
}
