//! `GET /api/v1/stream`: the live stream of public article events (Server-Sent Events).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use utoipa::IntoParams;

use super::stream::{BACKLOG_PAGE, Broadcaster, Streamed};
use crate::db::{DbConnection, Store};
use crate::http::ApiError;
use crate::http::auth::Caller;
use crate::http::docs::*;
use crate::http::problem_types::ProblemType;
use crate::slugs::Reference;

/// How often an idle stream sends a comment, so that proxies keep it open.
const HEARTBEAT: Duration = Duration::from_secs(15);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamParams {
    /// Only events of articles in this section (id or slug) and the sections below it.
    #[param(example = "العالم", max_length = 200)]
    pub section: Option<String>,
    /// Resume after this event (as the `Last-Event-ID` header does, for clients that cannot
    /// set headers).
    #[param(minimum = 0, example = 1201)]
    pub last_event_id: Option<i64>,
}

/// Live events about articles readers can see, as Server-Sent Events: `article.published`,
/// `article.updated`, `article.unpublished` and `article.deleted`.
///
/// Each event's `id` is its outbox id, `event` its type and `data` the same JSON a webhook
/// receives. A client that reconnects with `Last-Event-ID` (browsers do it by themselves)
/// first gets every event after that id, for as long as the outbox keeps events
/// (`SAHIFA_EVENTS_KEEP_DAYS`). A comment line is sent every 15 seconds. A client that falls
/// 256 events behind is disconnected; it resumes from its last id without a gap. Events
/// written through any instance sharing a PostgreSQL database reach every instance's
/// streams.
#[utoipa::path(
    tag = "events",
    operation_id = "streamEvents",
    security((), ("bearer" = [])),
    params(
        StreamParams,
        ("Last-Event-ID" = Option<String>, Header, description = "Resume after this event id"),
    ),
    responses(
        (status = 200, description = "An endless stream of events",
            content_type = "text/event-stream", body = String),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/stream")]
pub async fn stream_events(
    req: HttpRequest,
    // The stream is public, but a credential that is sent is checked: a bad, revoked or
    // out-of-scope one is refused rather than silently served as anonymous.
    _caller: Caller,
    params: web::Query<StreamParams>,
    store: web::Data<Store>,
    broadcaster: web::Data<Broadcaster>,
) -> Result<HttpResponse, ApiError> {
    let StreamParams {
        section,
        last_event_id,
    } = params.into_inner();
    let resume = match last_event_id {
        Some(id) => Some(id),
        None => last_event_id_header(&req)?,
    };
    let sections = match section {
        Some(section) => Some(
            store
                .run(move |c| section_filter(c, &Reference::parse(&section)))
                .await?,
        ),
        None => None,
    };
    let (receiver, live_from) = broadcaster.subscribe();
    let subscriber = Subscriber {
        store: store.into_inner(),
        broadcaster: broadcaster.into_inner(),
        receiver,
        sections,
        cursor: resume.unwrap_or(live_from),
        backlog: VecDeque::new(),
        catching_up: resume.is_some(),
        heartbeat: tokio::time::interval_at(tokio::time::Instant::now() + HEARTBEAT, HEARTBEAT),
        done: false,
    };
    subscriber.broadcaster.opened();
    let body = futures_util::stream::unfold(subscriber, |mut s| async move {
        s.next()
            .await
            .map(|bytes| (Ok::<_, actix_web::Error>(bytes), s))
    });
    let opening = futures_util::stream::once(async {
        Ok::<_, actix_web::Error>(web::Bytes::from_static(b"retry: 3000\n\n"))
    });
    use futures_util::StreamExt;
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        // Compression would hold events back in its buffer.
        .insert_header((
            header::CONTENT_ENCODING,
            HeaderValue::from_static("identity"),
        ))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(opening.chain(body)))
}

/// `Last-Event-ID`, when sent.
fn last_event_id_header(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get("last-event-id") else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .map(str::trim)
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|id| *id >= 0)
        .map(Some)
        .ok_or_else(|| {
            ApiError::BadRequest(
                ProblemType::InvalidHeader,
                "Last-Event-ID must be an event id: a whole number from 0".into(),
            )
        })
}

/// The sections a `?section=` stream shows: the section and those below it.
fn section_filter(c: &mut DbConnection, reference: &Reference) -> Result<Vec<i64>, ApiError> {
    use crate::sections::{model, tree};
    let row = crate::slugs::target::<model::SectionRow>(c, reference)?
        .ok_or_else(|| ApiError::not_found("section"))?;
    Ok(tree::with_descendants(&model::edges(c)?, row.id))
}

struct Subscriber {
    store: Arc<Store>,
    broadcaster: Arc<Broadcaster>,
    receiver: tokio::sync::broadcast::Receiver<Arc<Streamed>>,
    sections: Option<Vec<i64>>,
    /// The last event sent (or skipped): nothing at or before it is sent again.
    cursor: i64,
    backlog: VecDeque<Arc<Streamed>>,
    /// Reading the outbox after `Last-Event-ID` before following the broadcast.
    catching_up: bool,
    heartbeat: tokio::time::Interval,
    done: bool,
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.broadcaster.closed();
    }
}

impl Subscriber {
    /// The next bytes to send; `None` ends the stream.
    async fn next(&mut self) -> Option<web::Bytes> {
        loop {
            if self.done {
                return None;
            }
            if let Some(event) = self.backlog.pop_front() {
                if let Some(bytes) = self.accept(&event) {
                    return Some(bytes);
                }
                continue;
            }
            if self.catching_up {
                let after = self.cursor;
                let rows = self
                    .store
                    .query(move |c| super::model::public_after(c, after, BACKLOG_PAGE))
                    .await;
                let Ok(rows) = rows else {
                    self.done = true;
                    return Some(web::Bytes::from_static(
                        b": the outbox could not be read\n\n",
                    ));
                };
                self.catching_up = rows.len() as i64 == BACKLOG_PAGE;
                self.backlog
                    .extend(rows.iter().map(|row| Arc::new(Streamed::from(row))));
                continue;
            }
            tokio::select! {
                received = self.receiver.recv() => match received {
                    Ok(event) => {
                        if let Some(bytes) = self.accept(&event) {
                            return Some(bytes);
                        }
                    }
                    Err(RecvError::Lagged(_)) => {
                        self.done = true;
                        return Some(web::Bytes::from_static(
                            b": too far behind; reconnect with Last-Event-ID\n\n",
                        ));
                    }
                    Err(RecvError::Closed) => return None,
                },
                _ = self.heartbeat.tick() => return Some(web::Bytes::from_static(b": ping\n\n")),
            }
        }
    }

    /// The event as sent, if it is new and passes the filter.
    fn accept(&mut self, event: &Streamed) -> Option<web::Bytes> {
        if event.id <= self.cursor {
            return None;
        }
        self.cursor = event.id;
        if let Some(sections) = &self.sections
            && !event.section_id.is_some_and(|s| sections.contains(&s))
        {
            return None;
        }
        Some(web::Bytes::from(format!(
            "id: {}\nevent: {}\ndata: {}\n\n",
            event.id, event.event_type, event.data
        )))
    }
}

/// Registers this slice's routes (each one lands in the OpenAPI document).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(stream_events);
}
