//! Revisions under `/api/v1/articles/{id}/revisions` and `/api/v1/pages/{id}/revisions`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};

use super::dto::{DiffParams, Revision, RevisionDiff};
use super::operations::{self, Kind};
use crate::articles::derived::{Derived, RenderSlots};
use crate::articles::dto::{Article, UpdateArticle};
use crate::db::Store;
use crate::http::ApiError;
use crate::http::auth::{AnyStaff, EditorOrAdmin};
use crate::http::conditional::{Audience, IfMatch, IfMatchHeader, respond};
use crate::http::docs::*;
use crate::http::pagination::{PageParams, Paginated, respond_page};
use crate::pages::dto::{Page, UpdatePage};
use crate::slugs::Reference;

/// The article's revisions, newest first: one per save, with its editor and time.
/// Authors see those of their own articles; editors and admins see all.
#[utoipa::path(
    tag = "articles",
    operation_id = "listArticleRevisions",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The article's id or slug"), PageParams),
    responses(
        (status = 200, description = "A page of revisions", body = Paginated<Revision>,
            headers(("Link" = String, description = "RFC 8288 links: first, prev, next, last"),
                    ("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/articles/{id}/revisions")]
pub async fn list_article_revisions(
    req: HttpRequest,
    staff: AnyStaff,
    path: web::Path<String>,
    params: web::Query<PageParams>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let reference = Reference::parse(&path.into_inner());
    let page = params.into_inner().page()?;
    let revisions = store
        .run(move |c| {
            operations::list(
                c,
                &staff.0,
                Kind::Article,
                &reference,
                page,
                crate::time::now(),
            )
        })
        .await?;
    respond_page(&req, page, revisions, Audience::Private)
}

/// One revision of the article, with every editable field as it was.
#[utoipa::path(
    tag = "articles",
    operation_id = "getArticleRevision",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The article's id or slug"),
        ("revision" = i64, Path, description = "Revision id"),
    ),
    responses(
        (status = 200, description = "The revision", body = Revision, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/articles/{id}/revisions/{revision:\\d+}")]
pub async fn get_article_revision(
    req: HttpRequest,
    staff: AnyStaff,
    path: web::Path<(String, i64)>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let (id, revision) = path.into_inner();
    let reference = Reference::parse(&id);
    let revision = store
        .run(move |c| {
            operations::get(
                c,
                &staff.0,
                Kind::Article,
                &reference,
                revision,
                crate::time::now(),
            )
        })
        .await?;
    respond(&req, StatusCode::OK, &revision, Audience::Private)
}

/// What changed between two revisions of the article: the names of the fields that differ,
/// and the title and body word by word (`equal`, `insert`, `delete`, and `tashkeel` for words
/// whose only change is their Arabic diacritics).
#[utoipa::path(
    tag = "articles",
    operation_id = "compareArticleRevisions",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The article's id or slug"), DiffParams),
    responses(
        (status = 200, description = "The differences", body = RevisionDiff, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/articles/{id}/revisions/diff")]
pub async fn compare_article_revisions(
    req: HttpRequest,
    staff: AnyStaff,
    path: web::Path<String>,
    params: web::Query<DiffParams>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let reference = Reference::parse(&path.into_inner());
    let DiffParams { from, to } = params.into_inner();
    let diff = store
        .run(move |c| {
            operations::compare(
                c,
                &staff.0,
                Kind::Article,
                &reference,
                (from, to),
                crate::time::now(),
            )
        })
        .await?;
    respond(&req, StatusCode::OK, &diff, Audience::Private)
}

/// The page's revisions, newest first: one per save, with its editor and time.
#[utoipa::path(
    tag = "pages",
    operation_id = "listPageRevisions",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The page's id or slug"), PageParams),
    responses(
        (status = 200, description = "A page of revisions", body = Paginated<Revision>,
            headers(("Link" = String, description = "RFC 8288 links: first, prev, next, last"),
                    ("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/pages/{id}/revisions")]
pub async fn list_page_revisions(
    req: HttpRequest,
    staff: EditorOrAdmin,
    path: web::Path<String>,
    params: web::Query<PageParams>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let reference = Reference::parse(&path.into_inner());
    let page = params.into_inner().page()?;
    let revisions = store
        .run(move |c| {
            operations::list(
                c,
                &staff.0,
                Kind::Page,
                &reference,
                page,
                crate::time::now(),
            )
        })
        .await?;
    respond_page(&req, page, revisions, Audience::Private)
}

/// One revision of the page, with every editable field as it was.
#[utoipa::path(
    tag = "pages",
    operation_id = "getPageRevision",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The page's id or slug"),
        ("revision" = i64, Path, description = "Revision id"),
    ),
    responses(
        (status = 200, description = "The revision", body = Revision, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/pages/{id}/revisions/{revision:\\d+}")]
pub async fn get_page_revision(
    req: HttpRequest,
    staff: EditorOrAdmin,
    path: web::Path<(String, i64)>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let (id, revision) = path.into_inner();
    let reference = Reference::parse(&id);
    let revision = store
        .run(move |c| {
            operations::get(
                c,
                &staff.0,
                Kind::Page,
                &reference,
                revision,
                crate::time::now(),
            )
        })
        .await?;
    respond(&req, StatusCode::OK, &revision, Audience::Private)
}

/// What changed between two revisions of the page: the names of the fields that differ,
/// and the title and body word by word (`equal`, `insert`, `delete`, and `tashkeel` for words
/// whose only change is their Arabic diacritics).
#[utoipa::path(
    tag = "pages",
    operation_id = "comparePageRevisions",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The page's id or slug"), DiffParams),
    responses(
        (status = 200, description = "The differences", body = RevisionDiff, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/pages/{id}/revisions/diff")]
pub async fn compare_page_revisions(
    req: HttpRequest,
    staff: EditorOrAdmin,
    path: web::Path<String>,
    params: web::Query<DiffParams>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let reference = Reference::parse(&path.into_inner());
    let DiffParams { from, to } = params.into_inner();
    let diff = store
        .run(move |c| {
            operations::compare(
                c,
                &staff.0,
                Kind::Page,
                &reference,
                (from, to),
                crate::time::now(),
            )
        })
        .await?;
    respond(&req, StatusCode::OK, &diff, Audience::Private)
}

/// Restore a revision of the article: its fields are saved again as an edit (same role rules,
/// `If-Match` against the article as it is now), which stores a new revision. The slug, status
/// and publication time stay as they are now.
#[utoipa::path(
    tag = "articles",
    operation_id = "restoreArticleRevision",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The article's id or slug"),
        ("revision" = i64, Path, description = "Revision id"),
        IfMatchHeader,
    ),
    responses(
        (status = 200, description = "The article as restored", body = Article, headers(("ETag" = String))),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/articles/{id}/revisions/{revision:\\d+}/restore")]
pub async fn restore_article_revision(
    req: HttpRequest,
    staff: AnyStaff,
    path: web::Path<(String, i64)>,
    if_match: IfMatch,
    store: web::Data<Store>,
    slots: web::Data<RenderSlots>,
) -> Result<HttpResponse, ApiError> {
    let (id, revision) = path.into_inner();
    let reference = Reference::parse(&id);
    let input: UpdateArticle = {
        let (staff, reference) = (staff.0.clone(), reference.clone());
        store
            .run(move |c| {
                operations::restoring(
                    c,
                    &staff,
                    Kind::Article,
                    &reference,
                    revision,
                    crate::time::now(),
                )
            })
            .await?
    };
    let derived = match (&input.body, input.body_format) {
        (Some(body), Some(format)) => {
            Some(Derived::of_request(body.clone(), format, &store, &slots).await?)
        }
        _ => None,
    };
    let article = store
        .write(move |c| {
            crate::articles::operations::update(
                c,
                &staff.0,
                &reference,
                &input,
                derived.as_ref(),
                &if_match,
                crate::time::now(),
            )
        })
        .await?;
    respond(&req, StatusCode::OK, &article, Audience::Private)
}

/// Restore a revision of the page: its fields are saved again as an edit (`If-Match` against
/// the page as it is now), which stores a new revision. The slug and status stay as they are.
#[utoipa::path(
    tag = "pages",
    operation_id = "restorePageRevision",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The page's id or slug"),
        ("revision" = i64, Path, description = "Revision id"),
        IfMatchHeader,
    ),
    responses(
        (status = 200, description = "The page as restored", body = Page, headers(("ETag" = String))),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/pages/{id}/revisions/{revision:\\d+}/restore")]
pub async fn restore_page_revision(
    req: HttpRequest,
    staff: EditorOrAdmin,
    path: web::Path<(String, i64)>,
    if_match: IfMatch,
    store: web::Data<Store>,
    slots: web::Data<RenderSlots>,
) -> Result<HttpResponse, ApiError> {
    let (id, revision) = path.into_inner();
    let reference = Reference::parse(&id);
    let input: UpdatePage = {
        let (staff, reference) = (staff.0.clone(), reference.clone());
        store
            .run(move |c| {
                operations::restoring(
                    c,
                    &staff,
                    Kind::Page,
                    &reference,
                    revision,
                    crate::time::now(),
                )
            })
            .await?
    };
    let body_html = match &input.body {
        Some(body) => Some(crate::pages::operations::render(body.clone(), &slots).await?),
        None => None,
    };
    let page = store
        .write(move |c| {
            crate::pages::operations::update(
                c,
                &staff.0,
                &reference,
                input,
                body_html,
                &if_match,
                crate::time::now(),
            )
        })
        .await?;
    respond(&req, StatusCode::OK, &page, Audience::Private)
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_article_revisions)
        .service(compare_article_revisions)
        .service(get_article_revision)
        .service(restore_article_revision)
        .service(list_page_revisions)
        .service(compare_page_revisions)
        .service(get_page_revision)
        .service(restore_page_revision);
}
