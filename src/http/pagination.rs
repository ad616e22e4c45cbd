//! Pagination: the `page`/`per_page` query parameters, the `cursor` of lists that can be
//! continued from one (keyset pagination), the `{data, meta}` envelope, and the RFC 8288
//! `Link` header.

use actix_web::HttpRequest;
use actix_web::http::header::{self, HeaderValue};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::ApiError;

pub const DEFAULT_PER_PAGE: u32 = 20;
pub const MAX_PER_PAGE: u32 = 100;
/// Deep offsets cost a scan; beyond this, clients should narrow the query instead.
pub const MAX_PAGE: u32 = 10_000;

/// The page a client asks for.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 10000, default = 1)]
    pub page: Option<u32>,
    /// Items per page.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<u32>,
}

/// Where a list continues (keyset pagination), for lists that offer it.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CursorParams {
    /// Continues a list right after the last item of the page that gave out this cursor
    /// (`meta.next_cursor`, and the `Link` header's `next`), with the same filters and
    /// `sort`. Costs the same at any depth, and items added meanwhile never shift it (no
    /// repeats, no gaps). Not with `page`.
    #[param(max_length = 2048)]
    pub cursor: Option<String>,
}

impl CursorParams {
    /// The cursor, refused beside a `page` other than 1 (the two would contradict).
    pub fn checked(self, page: &PageParams) -> Result<Option<String>, ApiError> {
        if self.cursor.is_some() && page.page.is_some_and(|p| p != 1) {
            return Err(bad_query(
                "cursor",
                "cannot be combined with `page`: a cursor says where the page starts".into(),
            ));
        }
        Ok(self.cursor)
    }
}

/// A validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub page: u32,
    pub per_page: u32,
}

impl PageParams {
    /// Bounds-checks the parameters: a 400 names the offending one.
    pub fn page(self) -> Result<Page, ApiError> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(DEFAULT_PER_PAGE);
        if !(1..=MAX_PAGE).contains(&page) {
            return Err(bad_query(
                "page",
                format!("must be between 1 and {MAX_PAGE}"),
            ));
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(bad_query(
                "per_page",
                format!("must be between 1 and {MAX_PER_PAGE}"),
            ));
        }
        Ok(Page { page, per_page })
    }
}

/// A 400 for one bad query parameter, with the same `errors` map as a 422.
pub fn bad_query(field: &str, message: String) -> ApiError {
    match ApiError::invalid(field, message) {
        ApiError::Validation { errors, .. } => ApiError::BadQuery {
            detail: format!("invalid query parameter `{field}`"),
            errors,
        },
        other => other,
    }
}

impl Page {
    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    pub fn limit(self) -> i64 {
        i64::from(self.per_page)
    }

    /// The envelope's `meta` for a result of `total` items.
    pub fn meta(self, total: u64) -> PageMeta {
        PageMeta {
            page: Some(self.page),
            per_page: self.per_page,
            total,
            total_pages: total.div_ceil(u64::from(self.per_page)),
            total_is_estimate: false,
            suggestion: None,
            next_cursor: None,
        }
    }
}

/// Where a page sits in the whole result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PageMeta {
    /// The page's number; absent on a page asked for by `cursor`, whose number is not
    /// counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 1, minimum = 1)]
    pub page: Option<u32>,
    #[schema(example = 20, minimum = 1, maximum = 100)]
    pub per_page: u32,
    /// Items in the whole result.
    #[schema(example = 137)]
    pub total: u64,
    #[schema(example = 7)]
    pub total_pages: u64,
    /// Article searches only: present and `true` when 10,000 or more articles match. Matches
    /// are then not all counted: `total` is 10,000 (a lower bound), `total_pages` follows from
    /// it, and pages past it still hold results.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[schema(example = false)]
    pub total_is_estimate: bool,
    /// Article searches only: the query spelled as the archive spells it, when a word of
    /// `q` is found nowhere or is one edit away from a far more frequent word. Absent when
    /// nothing needs correcting. Words found nowhere were searched as corrected here.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "أسعار الذهب")]
    pub suggestion: Option<String>,
    /// Lists that can be continued from a cursor (articles without `q`): send it as `cursor`
    /// for the next page. Absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "MXxufDQyfDE3NjQ4NDE2MDAwMDAwMDA")]
    pub next_cursor: Option<String>,
}

/// A page of items with its position.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paginated<T> {
    pub data: Vec<T>,
    pub meta: PageMeta,
}

/// The `Link` header for `meta`: `first`, `prev`, `next`, `last`, as references relative to
/// the request (so they never depend on a `Host` header a proxy may have rewritten). `next`
/// continues from `meta.next_cursor` when the list gave one out. A page asked for by cursor
/// has no number, so it links `first` and `next` only; `last` is left out when it lies
/// beyond the deepest page a number can ask for.
pub fn link_header(req: &HttpRequest, meta: &PageMeta) -> Option<HeaderValue> {
    let last = meta.total_pages.max(1);
    let mut links = vec![(page_url(req, "page=1"), "first")];
    if let Some(page) = meta.page.map(u64::from) {
        if page > 1 {
            links.push((
                page_url(req, &format!("page={}", (page - 1).min(last))),
                "prev",
            ));
        }
        if meta.next_cursor.is_none() && page < last {
            links.push((page_url(req, &format!("page={}", page + 1)), "next"));
        }
    }
    if let Some(cursor) = &meta.next_cursor {
        links.push((page_url(req, &format!("cursor={cursor}")), "next"));
    }
    if meta.page.is_some() && last <= u64::from(MAX_PAGE) {
        links.push((page_url(req, &format!("page={last}")), "last"));
    }
    let value = links
        .into_iter()
        .map(|(url, rel)| format!("<{url}>; rel=\"{rel}\""))
        .collect::<Vec<_>>()
        .join(", ");
    HeaderValue::from_str(&value).ok()
}

/// The request's path and query with `position` (a `page=` or a `cursor=`) in place of the
/// position it had, other parameters kept as sent.
fn page_url(req: &HttpRequest, position: &str) -> String {
    let mut pairs: Vec<String> = req
        .query_string()
        .split('&')
        .filter(|p| {
            let name = p.split('=').next().unwrap_or_default();
            !p.is_empty() && name != "page" && name != "cursor"
        })
        .map(str::to_owned)
        .collect();
    pairs.push(position.to_owned());
    format!("{}?{}", req.path(), pairs.join("&"))
}

/// A page of a list: the `{data, meta}` body with its ETag and cache policy (or a 304), and
/// the `Link` header.
pub fn respond_page<T: Serialize>(
    req: &HttpRequest,
    page: Page,
    (data, total): (Vec<T>, u64),
    audience: super::conditional::Audience,
) -> Result<actix_web::HttpResponse, ApiError> {
    respond_page_with(req, data, page.meta(total), audience)
}

/// [`respond_page`] with a `meta` of the caller's making.
pub fn respond_page_with<T: Serialize>(
    req: &HttpRequest,
    data: Vec<T>,
    meta: PageMeta,
    audience: super::conditional::Audience,
) -> Result<actix_web::HttpResponse, ApiError> {
    let response = super::conditional::respond(
        req,
        actix_web::http::StatusCode::OK,
        &Paginated {
            data,
            meta: meta.clone(),
        },
        audience,
    )?;
    Ok(with_links(response, req, &meta))
}

/// Adds the `Link` header to a list response.
pub fn with_links(
    mut response: actix_web::HttpResponse,
    req: &HttpRequest,
    meta: &PageMeta,
) -> actix_web::HttpResponse {
    if let Some(value) = link_header(req, meta) {
        response.headers_mut().insert(header::LINK, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn pages_are_bounded() {
        let p = |page, per_page| PageParams { page, per_page }.page();
        assert_eq!(
            p(None, None).unwrap(),
            Page {
                page: 1,
                per_page: 20
            }
        );
        assert!(p(Some(0), None).is_err());
        assert!(p(None, Some(0)).is_err());
        assert!(p(None, Some(101)).is_err());
        assert!(p(Some(MAX_PAGE + 1), None).is_err());
        assert_eq!(p(Some(3), Some(10)).unwrap().offset(), 20);
    }

    #[test]
    fn meta_counts_pages_rounding_up() {
        let page = Page {
            page: 1,
            per_page: 20,
        };
        assert_eq!(page.meta(137).total_pages, 7);
        assert_eq!(page.meta(0).total_pages, 0);
        assert_eq!(page.meta(20).total_pages, 1);
    }

    #[test]
    fn links_keep_other_parameters_and_name_each_relation() {
        let req = TestRequest::get()
            .uri("/api/v1/articles?tag=%D8%A7&page=2&per_page=10")
            .to_http_request();
        let meta = Page {
            page: 2,
            per_page: 10,
        }
        .meta(35);
        let link = link_header(&req, &meta).unwrap();
        assert_eq!(
            link.to_str().unwrap(),
            "</api/v1/articles?tag=%D8%A7&per_page=10&page=1>; rel=\"first\", \
             </api/v1/articles?tag=%D8%A7&per_page=10&page=1>; rel=\"prev\", \
             </api/v1/articles?tag=%D8%A7&per_page=10&page=3>; rel=\"next\", \
             </api/v1/articles?tag=%D8%A7&per_page=10&page=4>; rel=\"last\""
        );
    }
}
