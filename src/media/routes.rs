//! `/api/v1/media`: the media library, for staff only; and `/media/{key}/{name}`, the files,
//! for anyone holding their unguessable URL.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use futures_util::StreamExt;

use super::dto::{
    DeleteParams, Media, MediaQuery, MediaUse, UpdateMedia, UploadFields, UploadForm,
};
use super::operations::{self, MediaService, Upload};
use crate::db::Store;
use crate::http::auth::AnyStaff;
use crate::http::cache::readers_unaffected;
use crate::http::conditional::{Audience, IfMatch, IfMatchHeader, created, respond};
use crate::http::docs::*;
use crate::http::json::{parse, read_body, validation_error};
use crate::http::pagination::{PageParams, Paginated, respond_page};
use crate::http::problem_types::ProblemType;
use crate::http::{ApiError, JsonBody};
use validator::Validate;

/// Upload an image: `multipart/form-data` with the file in a part named `file` (and the
/// text fields as parts), or the raw image as the body with its `Content-Type` and the text
/// fields as query parameters (`?filename=tokyo.jpg&alt=…`).
///
/// The type is judged from the bytes. The stored original is the image's pixels, oriented,
/// without any metadata (EXIF, GPS, XMP, IPTC). Small images come back `ready` with their
/// renditions; larger ones `processing` until a background job has made them.
#[utoipa::path(
    tag = "media",
    operation_id = "uploadMedia",
    security(("bearer" = [])),
    params(UploadFields),
    request_body(
        description = "The image, as a multipart form or raw bytes",
        content(
            (UploadForm = "multipart/form-data"),
            (Vec<u8> = "image/jpeg"),
            (Vec<u8> = "image/png"),
            (Vec<u8> = "image/webp"),
            (Vec<u8> = "image/gif"),
            (Vec<u8> = "application/octet-stream"),
        )
    ),
    responses(
        (status = 201, description = "Stored", body = Media,
            headers(("Location" = String), ("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/media")]
pub async fn upload_media(
    req: HttpRequest,
    staff: AnyStaff,
    query: web::Query<UploadFields>,
    payload: web::Payload,
    media: web::Data<MediaService>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let upload = read_upload(&req, query.into_inner(), payload, &media).await?;
    let service = media.into_inner();
    let item = operations::upload(&service, &store, &staff.0, upload, crate::time::now()).await?;
    created(&req, &item, &format!("/api/v1/media/{}", item.id)).map(readers_unaffected)
}

/// The media library, newest first: searched by alt, caption, credit and filename, filtered
/// by type, uploader and upload time.
#[utoipa::path(
    tag = "media",
    operation_id = "listMedia",
    security(("bearer" = [])),
    params(MediaQuery),
    responses(
        (status = 200, description = "A page of media", body = Paginated<Media>,
            headers(("Link" = String, description = "RFC 8288 links: first, prev, next, last"),
                    ("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/media")]
pub async fn list_media(
    req: HttpRequest,
    _staff: AnyStaff,
    query: web::Query<MediaQuery>,
    media: web::Data<MediaService>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageParams {
        page: query.page,
        per_page: query.per_page,
    }
    .page()?;
    let service = media.into_inner();
    let found = store
        .query(move |c| operations::list(c, &query, page, &service))
        .await?;
    respond_page(&req, page, found, Audience::Private)
}

/// One media item.
#[utoipa::path(
    tag = "media",
    operation_id = "getMedia",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The item's id")),
    responses(
        (status = 200, description = "The item", body = Media, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/media/{id}")]
pub async fn get_media(
    req: HttpRequest,
    _staff: AnyStaff,
    path: web::Path<i64>,
    media: web::Data<MediaService>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let service = media.into_inner();
    let item = store
        .query(move |c| operations::read(c, &service, id))
        .await?
        .ok_or_else(operations::not_found)?;
    respond(&req, StatusCode::OK, &item, Audience::Private)
}

/// Change an item's alt text, caption, credit, language, focal point (the crops are made
/// again) or translations. Authors change their own uploads; editors and admins all.
#[utoipa::path(
    tag = "media",
    operation_id = "updateMedia",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The item's id"), IfMatchHeader),
    request_body = UpdateMedia,
    responses(
        (status = 200, description = "Updated", body = Media, headers(("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[patch("/media/{id}")]
pub async fn update_media(
    req: HttpRequest,
    staff: AnyStaff,
    path: web::Path<i64>,
    if_match: IfMatch,
    body: JsonBody<UpdateMedia>,
    media: web::Data<MediaService>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let input = body.validated().await?;
    let service = media.into_inner();
    let item = store
        .write(move |c| {
            operations::update(
                c,
                &staff.0,
                id,
                input,
                &if_match,
                &service,
                crate::time::now(),
            )
        })
        .await?;
    respond(&req, StatusCode::OK, &item, Audience::Private)
}

/// Delete an item. Refused with 409 `media-in-use`, naming the articles, while articles use
/// it, unless `?force=true` (they lose it). Its files are deleted in the background once no
/// other item shares them.
#[utoipa::path(
    tag = "media",
    operation_id = "deleteMedia",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The item's id"), DeleteParams, IfMatchHeader),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
    )
)]
#[delete("/media/{id}")]
pub async fn delete_media(
    staff: AnyStaff,
    path: web::Path<i64>,
    params: web::Query<DeleteParams>,
    if_match: IfMatch,
    media: web::Data<MediaService>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let (id, force) = (path.into_inner(), params.force);
    let service = media.into_inner();
    store
        .write(move |c| {
            operations::delete(
                c,
                &staff.0,
                id,
                force,
                &if_match,
                &service,
                crate::time::now(),
            )
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The articles that use an item (featured or inline), those the caller may read.
#[utoipa::path(
    tag = "media",
    operation_id = "getMediaUsage",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The item's id")),
    responses(
        (status = 200, description = "The articles", body = Vec<MediaUse>),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/media/{id}/usage")]
pub async fn media_usage(
    req: HttpRequest,
    staff: AnyStaff,
    path: web::Path<i64>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let uses = store
        .query(move |c| operations::item_usage(c, &staff.0, id, crate::time::now()))
        .await?
        .ok_or_else(operations::not_found)?;
    respond(&req, StatusCode::OK, &uses, Audience::Private)
}

/// Reads an upload's body within the media size limit (and the body time limit) and takes
/// it apart: the file and the text fields.
async fn read_upload(
    req: &HttpRequest,
    query: UploadFields,
    payload: web::Payload,
    media: &MediaService,
) -> Result<Upload, ApiError> {
    let limit = media.max_bytes;
    let too_large = || {
        ApiError::Typed(
            ProblemType::UploadTooLarge,
            format!("the file is larger than the limit of {limit} bytes"),
        )
    };
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        });
    // A multipart body holds a little more than the file: its boundaries and text fields.
    let body_limit = if is_multipart {
        limit + 64 * 1024
    } else {
        limit
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > body_limit) {
        return Err(too_large());
    }
    let body = read_body(payload.into_inner(), &media.body)
        .await
        .map_err(|e| match e {
            ApiError::PayloadTooLarge { .. } => too_large(),
            other => other,
        })?;
    if body.len() > body_limit {
        return Err(too_large());
    }
    if !is_multipart {
        query.validate().map_err(validation_error)?;
        return Ok(Upload {
            bytes: body.to_vec(),
            filename: None,
            fields: query,
        });
    }
    let parts = read_parts(req, body).await?;
    if parts
        .file
        .as_ref()
        .is_some_and(|(bytes, _)| bytes.len() > limit)
    {
        return Err(too_large());
    }
    let Some((bytes, filename)) = parts.file else {
        return Err(ApiError::invalid(
            "file",
            "a multipart upload needs the image in a part named `file`",
        ));
    };
    // The text parts are read as a JSON object would be: the same rules on every field.
    let mut fields = serde_json::Map::new();
    for (name, value) in parts.text {
        let value = match name.as_str() {
            // A form cannot send null: an empty (or `null`) number or language is absent.
            "focal_x" | "focal_y" | "lang" if matches!(value.trim(), "" | "null") => continue,
            "focal_x" | "focal_y" => match value.trim().parse::<f64>() {
                Ok(number) if number.is_finite() => serde_json::json!(number),
                _ => return Err(ApiError::invalid(&name, "must be a number from 0 to 1")),
            },
            _ => serde_json::Value::String(value),
        };
        fields.insert(name, value);
    }
    let fields: UploadFields = parse(&serde_json::to_vec(&fields).map_err(ApiError::internal)?)?;
    fields.validate().map_err(validation_error)?;
    let fields = merge(query, fields);
    Ok(Upload {
        bytes,
        filename,
        fields,
    })
}

/// Query parameters give way to the form's parts.
fn merge(query: UploadFields, form: UploadFields) -> UploadFields {
    UploadFields {
        filename: form.filename.or(query.filename),
        alt: form.alt.or(query.alt),
        caption: form.caption.or(query.caption),
        credit: form.credit.or(query.credit),
        lang: form.lang.or(query.lang),
        focal_x: form.focal_x.or(query.focal_x),
        focal_y: form.focal_y.or(query.focal_y),
    }
}

struct Parts {
    file: Option<(Vec<u8>, Option<String>)>,
    text: Vec<(String, String)>,
}

/// The parts of a multipart body already read whole.
async fn read_parts(req: &HttpRequest, body: web::Bytes) -> Result<Parts, ApiError> {
    let malformed = |e: actix_multipart::MultipartError| {
        ApiError::malformed(format!("the multipart body cannot be read: {e}"))
    };
    let stream =
        futures_util::stream::once(async move { Ok::<_, actix_web::error::PayloadError>(body) });
    let mut multipart = actix_multipart::Multipart::new(req.headers(), stream);
    let mut parts = Parts {
        file: None,
        text: Vec::new(),
    };
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(malformed)?;
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            data.extend_from_slice(&chunk.map_err(malformed)?);
        }
        if name == "file" {
            if parts.file.is_some() {
                return Err(ApiError::invalid("file", "send one file per upload"));
            }
            parts.file = Some((data, filename));
        } else {
            let text = String::from_utf8(data)
                .map_err(|_| ApiError::invalid(&name, "must be UTF-8 text"))?;
            if parts.text.iter().any(|(n, _)| *n == name) {
                return Err(ApiError::malformed(format!(
                    "the part `{name}` is repeated"
                )));
            }
            parts.text.push((name, text));
        }
    }
    Ok(parts)
}

/// A file of the media store: strong ETag, cached for a year (a name's content never
/// changes), Range requests.
pub async fn serve_file(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    media: web::Data<MediaService>,
) -> Result<HttpResponse, ApiError> {
    let (key, name) = path.into_inner();
    let not_found = || ApiError::NoRoute("no such file".into());
    let key_ok = key.len() == 40 && key.bytes().all(|b| b.is_ascii_hexdigit());
    let name_ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
    if !key_ok || !name_ok {
        return Err(not_found());
    }
    let etag = format!("\"{key}-{name}\"");
    let content_type = match name.rsplit('.').next() {
        Some("jpg") => "image/jpeg",
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        Some("gif") => "image/gif",
        _ => "application/octet-stream",
    };
    let cache = "public, max-age=31536000, immutable";
    let none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag || t.trim() == "*")
        });
    if none_match {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, cache))
            .finish());
    }
    let range = req
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_range);
    let part = media
        .store
        .read(&key, &name, range.clone())
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(not_found)?;
    let mut response = match &range {
        Some(_) if part.range.is_empty() => {
            return Ok(HttpResponse::RangeNotSatisfiable()
                .insert_header((header::CONTENT_RANGE, format!("bytes */{}", part.total)))
                .insert_header((header::ETAG, etag))
                .finish());
        }
        Some(_) => {
            let mut r = HttpResponse::PartialContent();
            r.insert_header((
                header::CONTENT_RANGE,
                format!(
                    "bytes {}-{}/{}",
                    part.range.start,
                    part.range.end - 1,
                    part.total
                ),
            ));
            r
        }
        None => HttpResponse::Ok(),
    };
    Ok(response
        .content_type(content_type)
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .body(part.bytes))
}

/// One byte range (`bytes=0-99`, `bytes=100-`, `bytes=-500`); several ranges, or anything
/// else, are ignored and the whole file is sent, as RFC 9110 allows.
fn parse_range(header: &str) -> Option<object_store::GetRange> {
    let spec = header.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (start, end) = spec.split_once('-')?;
    let (start, end) = (start.trim(), end.trim());
    match (start.is_empty(), end.is_empty()) {
        (true, false) => Some(object_store::GetRange::Suffix(end.parse().ok()?)),
        (false, true) => Some(object_store::GetRange::Offset(start.parse().ok()?)),
        (false, false) => {
            let (s, e): (u64, u64) = (start.parse().ok()?, end.parse().ok()?);
            (s <= e).then(|| object_store::GetRange::Bounded(s..e.saturating_add(1)))
        }
        (true, true) => None,
    }
}

/// Registers this slice's documented routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_media)
        .service(upload_media)
        .service(get_media)
        .service(update_media)
        .service(delete_media)
        .service(media_usage);
}
