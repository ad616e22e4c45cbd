//! The media library's logic: upload, change, delete, read, list, usage, and the job that
//! makes renditions.
//!
//! An upload is judged and cleaned before anything is written: its bytes are sniffed, its
//! header's size judged, it is decoded (at most one decode per slot, [`MediaService`]), and
//! only re-encoded pixels are stored. Files go to the media store first and the row last, so
//! a failure never leaves a row without files; files without a row (a database failure
//! after the store wrote) are unreachable, since their folder is unguessable, and are shared
//! by the next equal upload.

use std::sync::Arc;

use chrono::NaiveDateTime;
use serde_json::json;

use super::dto::{
    Media, MediaQuery, MediaUse, MediaView, StoredRendition, StoredText, UpdateMedia, UploadFields,
    Urls, stored_renditions, translations,
};
use super::model::{self, Filter, MediaChanges, MediaRow, NewMedia};
use super::processing::{self, Encoded, Format, PixelLimits, Refusal};
use super::storage::{MediaStore, blob_key};
use crate::articles::workflow::Readable;
use crate::auth::StaffUser;
use crate::config::Settings;
use crate::db::{DbConnection, Store};
use crate::http::ApiError;
use crate::http::pagination::Page;
use crate::http::problem_types::ProblemType;
use crate::jobs::{self, Job, JobContext, Kind, Outcome};
use crate::users::Role;

/// The job that makes an item's renditions.
pub const RENDITIONS: &str = "media.renditions";
/// The job that deletes a folder of files no item uses any more.
pub const PURGE: &str = "media.purge";

/// Everything the media operations need besides the database.
pub struct MediaService {
    pub store: MediaStore,
    pub urls: Urls,
    /// Keys the folders' names (see [`blob_key`]); never shown.
    key: Vec<u8>,
    pub limits: PixelLimits,
    /// Images of at most this many pixels get their renditions during the upload; larger
    /// ones from a job, showing `processing` meanwhile.
    pub inline_pixels: u64,
    /// Decodes running at once (each may hold hundreds of megabytes).
    decodes: tokio::sync::Semaphore,
    /// The largest file accepted (`SAHIFA_MEDIA_MAX_BYTES`).
    pub max_bytes: usize,
    /// How upload bodies are read: the file's limit and a little for a form's other parts.
    pub body: crate::http::json::BodyRules,
    /// The server's read cache, told when a job changes what articles show.
    pub cache: std::sync::OnceLock<actix_web::web::Data<crate::http::cache::ResponseCache>>,
}

impl MediaService {
    pub fn new(store: MediaStore, urls: Urls, key: Vec<u8>, settings: &Settings) -> Self {
        let max_bytes = settings.media_max_bytes;
        Self {
            store,
            urls,
            key,
            limits: PixelLimits {
                max_pixels: settings.media_max_pixels,
            },
            inline_pixels: settings.media_inline_pixels,
            decodes: tokio::sync::Semaphore::new(settings.job_workers.max(1)),
            max_bytes,
            body: crate::http::json::BodyRules::new(
                max_bytes + 64 * 1024,
                settings.media_body_timeout,
                settings.slow_body_limit,
            ),
            cache: std::sync::OnceLock::new(),
        }
    }

    /// Runs a decoding task on a blocking thread, holding one decode slot.
    async fn decode<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let _slot = self.decodes.acquire().await.map_err(ApiError::internal)?;
        actix_web::rt::task::spawn_blocking(work)
            .await
            .map_err(ApiError::internal)
    }

    async fn put_all(&self, key: &str, files: Vec<Encoded>) -> Result<(), String> {
        for file in files {
            self.store.put(key, &file.name, file.bytes).await?;
        }
        Ok(())
    }
}

/// An upload as received.
pub struct Upload {
    pub bytes: Vec<u8>,
    pub filename: Option<String>,
    pub fields: UploadFields,
}

fn refusal(error: Refusal) -> ApiError {
    match error {
        Refusal::Empty => ApiError::Typed(
            ProblemType::InvalidImage,
            "the file is empty (zero bytes)".into(),
        ),
        Refusal::Unsupported(detail) => ApiError::Typed(ProblemType::UnsupportedImage, detail),
        Refusal::TooManyPixels(detail) => ApiError::Typed(ProblemType::ImageTooLarge, detail),
        Refusal::Corrupt(detail) => ApiError::Typed(ProblemType::InvalidImage, detail),
    }
}

/// Stores an upload and its row; renditions now (small images) or by a job.
pub async fn upload(
    service: &Arc<MediaService>,
    db: &Store,
    uploader: &StaffUser,
    upload: Upload,
    now: NaiveDateTime,
) -> Result<Media, ApiError> {
    let Upload {
        bytes,
        filename,
        fields,
    } = upload;
    let key = blob_key(&service.key, &bytes);
    let byte_size = bytes.len() as i64;
    let (limits, inline_pixels) = (service.limits, service.inline_pixels);
    let focal = (fields.focal_x.unwrap_or(0.5), fields.focal_y.unwrap_or(0.5));
    let processed = service
        .decode(move || -> Result<_, ApiError> {
            let accepted = processing::accept(&bytes, limits).map_err(refusal)?;
            drop(bytes);
            let original = processing::original(&accepted.image, accepted.format)
                .map_err(ApiError::internal)?;
            let pixels = u64::from(original.width) * u64::from(original.height);
            let derived = if pixels <= inline_pixels {
                Some(
                    processing::derive(&accepted.image, accepted.format, focal)
                        .map_err(ApiError::internal)?,
                )
            } else {
                None
            };
            Ok((accepted.format, accepted.embedded_credit, original, derived))
        })
        .await??;
    let (format, embedded_credit, original, derived) = processed;
    let (width, height) = (original.width as i32, original.height as i32);
    let ready = derived.is_some();
    let mut files = vec![original];
    let (placeholder, color) = match derived {
        Some(derived) => {
            files.extend(derived.files);
            (derived.placeholder, Some(derived.dominant_color))
        }
        None => (None, None),
    };
    // The original is described with the renditions, so its size is known when shown.
    let renditions = describe(&files);
    service
        .put_all(&key, files)
        .await
        .map_err(ApiError::internal)?;
    let filename = filename
        .or(fields.filename.clone())
        .map(|n| clean_filename(&n))
        .unwrap_or_else(|| format!("upload.{}", format.extension()));
    let uploader_id = uploader.id;
    let lang = fields
        .lang
        .as_deref()
        .map(crate::text::canonical_language_tag)
        .unwrap_or_else(|| "ar".into());
    let urls = service.urls.clone();
    let row = db
        .write(move |c| {
            let row = model::insert(
                c,
                &NewMedia {
                    uploader_id: Some(uploader_id),
                    filename: &filename,
                    blob_key: &key,
                    format: format.name(),
                    byte_size,
                    width,
                    height,
                    status: if ready { "ready" } else { "processing" },
                    alt: fields.alt.as_deref().unwrap_or(""),
                    caption: fields.caption.as_deref(),
                    credit: fields.credit.as_deref().or(embedded_credit.as_deref()),
                    lang: &lang,
                    focal_x: focal.0,
                    focal_y: focal.1,
                    translations: "{}",
                    renditions: &renditions,
                    placeholder: placeholder.as_deref(),
                    dominant_color: color.as_deref(),
                    created_at: now,
                    updated_at: now,
                },
            )?;
            if !ready {
                enqueue_renditions(c, row.id, now)?;
            }
            announce(c, "media.created", &Media::new(&row, &urls), now)?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    Ok(view(service, &row))
}

/// An image an import brings in, cleaned like an upload (sniffed, judged, re-encoded without
/// its metadata) with its original in the media store; its row and renditions job are
/// written later, in the import's transaction ([`insert_prepared`]).
#[derive(Debug, Clone)]
pub struct Prepared {
    pub blob_key: String,
    pub format: Format,
    pub byte_size: i64,
    pub width: i32,
    pub height: i32,
    renditions: String,
    pub embedded_credit: Option<String>,
}

/// Cleans an imported file and, unless `dry_run`, stores its original. The refusal says why
/// a file cannot be a media item (too big, not an image, corrupt).
pub async fn prepare(
    service: &MediaService,
    bytes: Vec<u8>,
    dry_run: bool,
) -> Result<Prepared, String> {
    if bytes.len() > service.max_bytes {
        return Err(format!(
            "{} bytes, over SAHIFA_MEDIA_MAX_BYTES ({})",
            bytes.len(),
            service.max_bytes
        ));
    }
    let key = blob_key(&service.key, &bytes);
    let byte_size = bytes.len() as i64;
    let limits = service.limits;
    let (format, embedded_credit, original) = service
        .decode(move || -> Result<_, String> {
            let accepted = processing::accept(&bytes, limits).map_err(|e| e.to_string())?;
            let original = processing::original(&accepted.image, accepted.format)?;
            Ok((accepted.format, accepted.embedded_credit, original))
        })
        .await
        .map_err(|e| e.to_string())??;
    let (width, height) = (original.width as i32, original.height as i32);
    let renditions = describe(std::slice::from_ref(&original));
    if !dry_run {
        service.put_all(&key, vec![original]).await?;
    }
    Ok(Prepared {
        blob_key: key,
        format,
        byte_size,
        width,
        height,
        renditions,
        embedded_credit,
    })
}

/// What an import knows of a prepared image besides its pixels.
pub struct ImportedText<'a> {
    pub uploader_id: Option<i64>,
    pub filename: &'a str,
    pub alt: &'a str,
    pub caption: Option<&'a str>,
    pub credit: Option<&'a str>,
    pub lang: &'a str,
}

/// The row of a prepared image, its renditions made by a job; the item's id.
pub fn insert_prepared(
    c: &mut DbConnection,
    prepared: &Prepared,
    text: &ImportedText<'_>,
    now: NaiveDateTime,
) -> diesel::QueryResult<i64> {
    let row = model::insert(
        c,
        &NewMedia {
            uploader_id: text.uploader_id,
            filename: &clean_filename(text.filename),
            blob_key: &prepared.blob_key,
            format: prepared.format.name(),
            byte_size: prepared.byte_size,
            width: prepared.width,
            height: prepared.height,
            status: "processing",
            alt: text.alt,
            caption: text.caption,
            credit: text.credit.or(prepared.embedded_credit.as_deref()),
            lang: text.lang,
            focal_x: 0.5,
            focal_y: 0.5,
            translations: "{}",
            renditions: &prepared.renditions,
            placeholder: None,
            dominant_color: None,
            created_at: now,
            updated_at: now,
        },
    )?;
    enqueue_renditions(c, row.id, now)?;
    Ok(row.id)
}

fn enqueue_renditions(
    c: &mut DbConnection,
    id: i64,
    now: NaiveDateTime,
) -> diesel::QueryResult<()> {
    let key = format!("{RENDITIONS}:{id}");
    let mut job = Job::new(RENDITIONS, json!({ "id": id }), now);
    job.unique_key = Some(&key);
    jobs::enqueue(c, &job).map(|_| ())
}

/// The rows' description of encoded files.
fn describe(files: &[Encoded]) -> String {
    serde_json::to_string(&stored(files)).unwrap_or_else(|_| "[]".into())
}

fn stored(files: &[Encoded]) -> Vec<StoredRendition> {
    files
        .iter()
        .map(|f| StoredRendition {
            name: f.name.clone(),
            width: f.width,
            height: f.height,
            format: f.format.name().into(),
            bytes: f.bytes.len() as u64,
            crop: f.crop.map(str::to_owned),
        })
        .collect()
}

/// A name fit to show: its last path segment, without control characters.
fn clean_filename(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = last.chars().filter(|c| !c.is_control()).take(255).collect();
    if clean.trim().is_empty() {
        "upload".into()
    } else {
        clean.trim().into()
    }
}

/// One item, for staff.
pub fn get(c: &mut DbConnection, id: i64) -> Result<MediaRow, ApiError> {
    model::find(c, id)?.ok_or_else(not_found)
}

pub fn not_found() -> ApiError {
    ApiError::not_found("media item")
}

/// One item as staff see it; `None` when there is none.
pub fn read(
    c: &mut DbConnection,
    service: &MediaService,
    id: i64,
) -> diesel::QueryResult<Option<Media>> {
    Ok(model::find(c, id)?.map(|row| view(service, &row)))
}

pub fn view(service: &MediaService, row: &MediaRow) -> Media {
    Media::new(row, &service.urls)
}

/// Authors change their own uploads; editors and admins every one.
fn may_change(user: &StaffUser, row: &MediaRow) -> Result<(), ApiError> {
    if user.role.at_least(Role::Editor) || row.uploader_id == Some(user.id) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            ProblemType::WorkflowForbidden,
            "authors change and delete only the media they uploaded; ask an editor".into(),
        ))
    }
}

/// Changes an item's text or focal point. A new focal point remakes the crops (by a job).
pub fn update(
    c: &mut DbConnection,
    user: &StaffUser,
    id: i64,
    input: UpdateMedia,
    if_match: &crate::http::conditional::IfMatch,
    service: &MediaService,
    now: NaiveDateTime,
) -> Result<Media, ApiError> {
    crate::db::lock_row(c, crate::db::Locked::Media, id)?;
    let row = get(c, id)?;
    may_change(user, &row)?;
    if_match.check_value(&view(service, &row))?;
    let mut changes = MediaChanges {
        alt: input.alt,
        caption: input.caption,
        credit: input.credit,
        lang: input
            .lang
            .as_deref()
            .map(crate::text::canonical_language_tag),
        ..Default::default()
    };
    let refocused = input
        .focal_point
        .filter(|p| (p.x, p.y) != (row.focal_x, row.focal_y));
    if let Some(point) = refocused {
        changes.focal_x = Some(point.x);
        changes.focal_y = Some(point.y);
        changes.status = Some("processing".into());
    }
    if let Some(update) = input.translations {
        let mut all = translations(&row);
        for translation in update {
            let tag = crate::text::canonical_language_tag(&translation.lang);
            if translation.alt.is_none() && translation.caption.is_none() {
                all.remove(&tag);
            } else {
                all.insert(
                    tag,
                    StoredText {
                        alt: translation.alt,
                        caption: translation.caption,
                    },
                );
            }
        }
        changes.translations = Some(serde_json::to_string(&all).map_err(ApiError::internal)?);
    }
    let updated = model::update(c, id, row.version, &changes, now)?.ok_or_else(|| {
        ApiError::Conflict(
            ProblemType::EditConflict,
            "the item changed meanwhile; read it again".into(),
        )
    })?;
    if refocused.is_some() {
        enqueue_renditions(c, id, now)?;
    }
    let media = view(service, &updated);
    announce(c, "media.updated", &media, now)?;
    Ok(media)
}

/// A media event, with the purge of what shows the item (its articles carry `media-{id}`).
fn announce(
    c: &mut DbConnection,
    event_type: &str,
    media: &Media,
    now: NaiveDateTime,
) -> diesel::QueryResult<()> {
    crate::events::emit_with_purge(
        c,
        &crate::events::Event {
            event_type,
            data: serde_json::to_value(media).unwrap_or_default(),
            section_id: None,
        },
        &crate::events::keys::media_purge(media.id),
        now,
    )
}

/// Deletes an item: refused with 409 while articles use it, unless `force` (they lose it).
/// Its files go by a job, once no other item shares them.
pub fn delete(
    c: &mut DbConnection,
    user: &StaffUser,
    id: i64,
    force: bool,
    if_match: &crate::http::conditional::IfMatch,
    service: &MediaService,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    crate::db::lock_row(c, crate::db::Locked::Media, id)?;
    let row = get(c, id)?;
    may_change(user, &row)?;
    if_match.check_value(&view(service, &row))?;
    let users = usage(c, user, id, now)?;
    if !users.is_empty() && !force {
        let named: Vec<String> = users
            .iter()
            .map(|u| format!("#{} «{}»", u.id, u.title))
            .collect();
        return Err(ApiError::Conflict(
            ProblemType::MediaInUse,
            format!(
                "the item is used by {}; remove it from them first, or delete with \
                 ?force=true",
                named.join(", ")
            ),
        ));
    }
    if !force && !model::usage(c, id)?.is_empty() {
        // Used by articles this caller may not read: say no more than that it is in use.
        return Err(ApiError::Conflict(
            ProblemType::MediaInUse,
            "the item is used by articles; ask an editor, or delete with ?force=true".into(),
        ));
    }
    crate::articles::operations::forget_media(c, id, now)?;
    announce(c, "media.deleted", &view(service, &row), now)?;
    model::delete(c, id)?;
    if model::count_with_blob(c, &row.blob_key)? == 0 {
        jobs::enqueue(
            c,
            &Job::new(PURGE, json!({ "blob_key": row.blob_key }), now),
        )?;
    }
    Ok(())
}

/// The articles that use an item, those the caller may read; `None` when there is no such
/// item.
pub fn item_usage(
    c: &mut DbConnection,
    user: &StaffUser,
    id: i64,
    now: NaiveDateTime,
) -> diesel::QueryResult<Option<Vec<MediaUse>>> {
    if model::find(c, id)?.is_none() {
        return Ok(None);
    }
    usage(c, user, id, now).map(Some)
}

fn usage(
    c: &mut DbConnection,
    user: &StaffUser,
    id: i64,
    now: NaiveDateTime,
) -> diesel::QueryResult<Vec<MediaUse>> {
    let ids = model::usage(c, id)?;
    let readable = Readable::for_viewer(Some(user));
    let rows = crate::articles::model::summary_rows(c, &ids)?;
    let featured = model::featuring(c, id)?;
    Ok(rows
        .into_iter()
        .filter(|r| readable.allows(r, now))
        .map(|r| MediaUse {
            featured: featured.contains(&r.id),
            id: r.id,
            title: r.title,
            slug: r.slug,
            status: crate::articles::Status::parse(&r.status)
                .unwrap_or(crate::articles::Status::Draft),
        })
        .collect())
}

/// A page of items, newest first, and how many there are.
pub fn list(
    c: &mut DbConnection,
    query: &MediaQuery,
    page: Page,
    service: &MediaService,
) -> diesel::QueryResult<(Vec<Media>, u64)> {
    let filter = Filter {
        words: query
            .q
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .take(8)
            .map(str::to_owned)
            .collect(),
        format: query.format.map(|f| f.name().to_owned()),
        uploader_id: query.uploader,
        from: query.from.map(|t| t.naive()),
        to: query.to.map(|t| t.naive()),
    };
    let (rows, total) = model::list(c, &filter, page.offset(), page.limit())?;
    Ok((
        rows.iter().map(|r| view(service, r)).collect(),
        total as u64,
    ))
}

/// The media of articles, by id, as they show it in `lang`.
pub fn views(
    c: &mut DbConnection,
    wanted: &[(i64, String)],
) -> diesel::QueryResult<std::collections::HashMap<(i64, String), MediaView>> {
    let ids: Vec<i64> = wanted.iter().map(|(id, _)| *id).collect();
    let rows = model::find_many(c, &ids)?;
    let urls = Urls::public();
    let mut out = std::collections::HashMap::new();
    for (id, lang) in wanted {
        if let Some(row) = rows.iter().find(|r| r.id == *id) {
            out.insert((*id, lang.clone()), MediaView::new(row, &urls, lang));
        }
    }
    Ok(out)
}

/// Where each inline image of a body points (`![alt](media:ID)`): the rendition of about
/// 960 pixels in the source's format. Items that do not exist are left out.
pub fn inline_sources(
    c: &mut DbConnection,
    ids: &[i64],
) -> diesel::QueryResult<std::collections::HashMap<i64, String>> {
    let rows = model::find_many(c, ids)?;
    let urls = Urls::public();
    let mut out = std::collections::HashMap::new();
    for row in &rows {
        let format = Format::parse(&row.format).unwrap_or(Format::Jpeg);
        let width = processing::WIDTHS
            .into_iter()
            .filter(|w| *w <= 960 && *w <= row.width as u32)
            .max()
            .unwrap_or(row.width as u32);
        out.insert(
            row.id,
            urls.file(&row.blob_key, &format!("w{width}.{}", format.extension())),
        );
    }
    Ok(out)
}

/// The job kinds of the media library.
pub fn kinds(registry: jobs::Registry, service: Arc<MediaService>) -> jobs::Registry {
    let renditions = service.clone();
    registry
        .with(Kind::new(RENDITIONS, move |ctx| {
            make_renditions(ctx, renditions.clone())
        }))
        .with(Kind::new(PURGE, move |ctx| purge(ctx, service.clone())))
}

/// Makes an item's renditions from its stored original. Idempotent: the same original makes
/// the same files under the same names.
async fn make_renditions(ctx: JobContext, service: Arc<MediaService>) -> Outcome {
    let id = ctx.payload["id"].as_i64().ok_or("payload without id")?;
    let row = ctx
        .store
        .query(move |c| model::find(c, id))
        .await
        .map_err(|e| e.to_string())?;
    let Some(row) = row else { return Ok(()) };
    if row.status != "processing" {
        return Ok(());
    }
    let format = Format::parse(&row.format).ok_or("unknown format")?;
    let name = format!("original.{}", format.extension());
    let Some(original) = service.store.get(&row.blob_key, &name).await? else {
        return set_status(&service, &ctx.store, id, "failed", None).await;
    };
    let (limits, focal) = (service.limits, (row.focal_x, row.focal_y));
    let derived = service
        .decode(move || {
            let accepted = processing::accept(&original, limits).map_err(|e| e.to_string())?;
            processing::derive(&accepted.image, format, focal)
        })
        .await
        .map_err(|e| e.to_string())?;
    let derived = match derived {
        Ok(derived) => derived,
        Err(error) => {
            tracing::warn!(media = id, %error, "renditions failed");
            return set_status(&service, &ctx.store, id, "failed", None).await;
        }
    };
    let mut described = stored_renditions(&row)
        .into_iter()
        .filter(|r| r.name == name)
        .collect::<Vec<_>>();
    described.extend(stored(&derived.files));
    let description = serde_json::to_string(&described).map_err(|e| e.to_string())?;
    let (placeholder, color) = (derived.placeholder.clone(), derived.dominant_color.clone());
    service.put_all(&row.blob_key, derived.files).await?;
    set_status(
        &service,
        &ctx.store,
        id,
        "ready",
        Some((description, placeholder, color)),
    )
    .await
}

async fn set_status(
    service: &MediaService,
    store: &Store,
    id: i64,
    status: &'static str,
    made: Option<(String, Option<String>, String)>,
) -> Outcome {
    let outcome = store
        .write(move |c| {
            let Some(row) = model::find(c, id)? else {
                return Ok(());
            };
            let mut changes = MediaChanges {
                status: Some(status.into()),
                ..Default::default()
            };
            if let Some((renditions, placeholder, color)) = made {
                changes.renditions = Some(renditions);
                changes.placeholder = Some(placeholder);
                changes.dominant_color = Some(Some(color));
            }
            model::update(c, id, row.version, &changes, crate::time::now())?;
            Ok::<_, ApiError>(())
        })
        .await
        .map_err(|e| e.to_string());
    // Articles showing the item now show its renditions.
    if let Some(cache) = service.cache.get() {
        cache.invalidate(store).await;
    }
    outcome
}

/// Deletes a folder once no item uses it.
async fn purge(ctx: JobContext, service: Arc<MediaService>) -> Outcome {
    let key = ctx.payload["blob_key"]
        .as_str()
        .ok_or("payload without blob_key")?
        .to_owned();
    let counted = key.clone();
    let users = ctx
        .store
        .query(move |c| model::count_with_blob(c, &counted))
        .await
        .map_err(|e| e.to_string())?;
    if users > 0 {
        return Ok(());
    }
    service.store.delete_folder(&key).await.map(|_| ())
}
