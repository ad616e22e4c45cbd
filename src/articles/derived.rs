//! What Sahifa derives from an article's body — its HTML, its excerpt, its reading time —
//! computed in one place, before the write.
//!
//! Rendering and sanitizing cost time proportional to the body (and, without the nesting
//! limit, to its square). Done inside the write transaction it would hold the database's
//! writer (on SQLite, every write and login of the server) while it runs; so it runs before
//! the write, on a blocking thread, bounded in time and in how many run at once.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::http::ApiError;
use crate::text::{self, markdown};

/// The longest a body may take to render before it is refused. A 200,000-character article
/// renders in a few milliseconds; the nesting limit keeps every accepted body far below this.
pub const RENDER_BUDGET: Duration = Duration::from_secs(2);

/// How many bodies a server renders at once (shared by its workers, as app data): one fewer
/// than there are cores, at least one, so a burst of huge bodies always leaves a core to
/// readers, logins and the writer.
pub struct RenderSlots(Arc<Semaphore>);

impl Default for RenderSlots {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self(Arc::new(Semaphore::new(cores.saturating_sub(1).max(1))))
    }
}

/// What a body is written in. Markdown is the default; `html` is what imports bring (a
/// WordPress post's HTML), kept as HTML so that editors go on editing it as such. Both are
/// sanitized with the same allowlist.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum BodyFormat {
    #[default]
    Markdown,
    Html,
}

impl BodyFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Markdown => "markdown",
            Self::Html => "html",
        }
    }

    /// The format a stored column names (anything unknown reads as Markdown, the default).
    pub fn parse(raw: &str) -> Self {
        if raw == "html" {
            Self::Html
        } else {
            Self::Markdown
        }
    }
}

/// The derived fields of one body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    /// Rendered and sanitized: safe to insert into a page as is.
    pub body_html: String,
    /// Whole sentences from the start of the body (used when no excerpt is given).
    pub excerpt: String,
    pub reading_time_minutes: i32,
    /// The media items shown inline (`![alt](media:ID)`).
    pub media_ids: Vec<i64>,
}

/// Where inline media images point, by item id (see `media::operations::inline_sources`).
pub type ImageSources = HashMap<i64, String>;

impl Derived {
    /// Derives everything from a Markdown `body` on the calling thread (the seeder, the
    /// demo, tests).
    pub fn of(body: &str) -> Result<Self, markdown::TooDeep> {
        Self::with_images(body, &ImageSources::new())
    }

    /// [`Derived::of`] for a body in `format` (imports).
    pub fn of_format(body: &str, format: BodyFormat) -> Result<Self, markdown::TooDeep> {
        match format {
            BodyFormat::Markdown => Self::of(body),
            BodyFormat::Html => Self::of_html(body),
        }
    }

    fn with_images(body: &str, images: &ImageSources) -> Result<Self, markdown::TooDeep> {
        Ok(Self {
            body_html: markdown::render_with_images(body, images)?,
            excerpt: text::excerpt(body, text::EXCERPT_CHARS),
            reading_time_minutes: text::reading_time_minutes(body) as i32,
            media_ids: markdown::media_references(body),
        })
    }

    /// An HTML body is sanitized, not rendered; the excerpt and reading time come from its
    /// text (the Markdown reader passes HTML through as markup, which the plain-text walk
    /// drops). Media library images are Markdown syntax, so an HTML body shows none.
    fn of_html(body: &str) -> Result<Self, markdown::TooDeep> {
        Ok(Self {
            body_html: markdown::sanitize(body)?,
            excerpt: text::excerpt(body, text::EXCERPT_CHARS),
            reading_time_minutes: text::reading_time_minutes(body) as i32,
            media_ids: Vec::new(),
        })
    }

    /// [`Derived::of_request_body`], with the body's inline media images looked up first (a
    /// reference to no item is a 422 on `body`).
    pub async fn of_request(
        body: String,
        format: BodyFormat,
        store: &crate::db::Store,
        slots: &RenderSlots,
    ) -> Result<Self, ApiError> {
        if format == BodyFormat::Html {
            return Self::of_request_body(body, format, ImageSources::new(), slots).await;
        }
        let ids = markdown::media_references(&body);
        let images = if ids.is_empty() {
            ImageSources::new()
        } else {
            let wanted = ids.clone();
            store
                .query(move |c| crate::media::operations::inline_sources(c, &wanted))
                .await?
        };
        if let Some(missing) = ids.iter().find(|id| !images.contains_key(id)) {
            return Err(ApiError::invalid(
                "body",
                format!("the image `media:{missing}` names no media item"),
            ));
        }
        Self::of_request_body(body, format, images, slots).await
    }

    /// Derives everything from `body` off the async workers, within [`RENDER_BUDGET`]: a 422
    /// on `body` when it nests too deeply or takes too long, a 503 when renders of other
    /// bodies keep every slot busy for as long.
    pub async fn of_request_body(
        body: String,
        format: BodyFormat,
        images: ImageSources,
        slots: &RenderSlots,
    ) -> Result<Self, ApiError> {
        use actix_web::rt::time::timeout;
        let permit = timeout(RENDER_BUDGET, slots.0.clone().acquire_owned())
            .await
            .map_err(|_| ApiError::Unavailable {
                retry_after_secs: 1,
            })?
            .map_err(|_| ApiError::internal("the render slots are closed"))?;
        let render = actix_web::rt::task::spawn_blocking(move || {
            // The slot is held until the render ends, even when the request has stopped
            // waiting for it: the budget bounds the answer, the slots bound the CPU.
            let _permit = permit;
            match format {
                BodyFormat::Markdown => Self::with_images(&body, &images),
                BodyFormat::Html => Self::of_html(&body),
            }
        });
        match timeout(RENDER_BUDGET, render).await {
            Ok(Ok(derived)) => derived.map_err(|deep| ApiError::invalid("body", deep.to_string())),
            Ok(Err(panicked)) => Err(ApiError::internal(panicked)),
            Err(_) => Err(ApiError::invalid(
                "body",
                format!(
                    "takes longer than {} s to render; simplify its structure",
                    RENDER_BUDGET.as_secs()
                ),
            )),
        }
    }
}
