//! Sending one delivery: the `webhooks.deliver` job.
//!
//! Each attempt signs the event anew (a fresh `webhook-timestamp`), posts it with a timeout,
//! follows no redirect, reads at most [`EXCERPT_BYTES`] of the answer, and logs the attempt.
//! A 2xx is success. Otherwise the job fails and the runner retries it after its backoff,
//! until the delivery is older than `retry_for` (then it is `failed`, for an admin to replay)
//! or the endpoint has failed for `disable_after` (then the endpoint is disabled). Retries end
//! by age, not by count, so the job allows an unbounded number of attempts.

use std::time::Instant;

use chrono::NaiveDateTime;
use diesel::QueryResult;
use serde_json::json;

use super::model::{self, DeliveryOutcome, EndpointChanges, NewAttempt};
use super::{Settings, guard, signing};
use crate::db::{DbConnection, DbError};
use crate::jobs::{self, Backoff, Job, JobContext, Kind, Outcome};

pub const KIND: &str = "webhooks.deliver";

/// Attempts a delivery job may make: never the limit in practice (see the module's doc).
const MAX_ATTEMPTS: i32 = 1_000_000;

/// How much of an answer's body is read and kept.
const EXCERPT_BYTES: usize = 1024;

/// Queues the job that sends delivery `id`, in the caller's transaction.
pub fn enqueue(c: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    let mut job = Job::new(KIND, json!({ "delivery": id }), now);
    job.max_attempts = MAX_ATTEMPTS;
    jobs::enqueue(c, &job).map(|_| ())
}

/// The HTTP client deliveries use: no proxy (a proxy would bypass the address guard), no
/// redirects, the attempt's timeout, and the guarded resolver.
pub fn client(settings: &Settings) -> Result<reqwest::Client, String> {
    let builder = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .user_agent(concat!("Sahifa-Webhooks/", env!("CARGO_PKG_VERSION")));
    let builder = if settings.allow_private {
        builder
    } else {
        builder.dns_resolver(guard::GuardedResolver)
    };
    builder
        .build()
        .map_err(|e| format!("the webhook HTTP client: {e}"))
}

/// The job kind, with its client.
pub fn kind(settings: Settings, client: reqwest::Client) -> Kind {
    let backoff = (settings.backoff_base, settings.backoff_cap);
    Kind::new(KIND, move |ctx| {
        let settings = settings.clone();
        let client = client.clone();
        async move { deliver(ctx, &client, &settings).await }
    })
    .max_attempts(MAX_ATTEMPTS)
    .backoff(backoff.0, backoff.1)
}

/// What one attempt came to.
struct Answer {
    status: Option<i32>,
    excerpt: Option<String>,
    error: Option<String>,
}

impl Answer {
    fn succeeded(&self) -> bool {
        self.error.is_none()
    }
}

async fn deliver(ctx: JobContext, client: &reqwest::Client, settings: &Settings) -> Outcome {
    let id = ctx
        .payload
        .get("delivery")
        .and_then(serde_json::Value::as_i64)
        .ok_or("the payload names no delivery")?;
    let loaded = ctx
        .store
        .query(move |c| load(c, id))
        .await
        .map_err(|e| e.to_string())?;
    // Gone with its endpoint, or its event expired: nothing to send.
    let Some((delivery, endpoint, event)) = loaded else {
        return Ok(());
    };
    if delivery.state != "pending" {
        return Ok(());
    }
    if !endpoint.active {
        return ctx
            .store
            .write(move |c| {
                model::give_up(c, id, "the endpoint is not active").map_err(DbError::from)
            })
            .await
            .map_err(|e| e.to_string());
    }
    let now = chrono::Utc::now();
    let body = crate::events::envelope(&event).to_string();
    let message_id = crate::events::event_id(event.id);
    let timestamp = now.timestamp();
    let mut signatures = vec![signing::sign(
        &endpoint.secret,
        &message_id,
        timestamp,
        body.as_bytes(),
    )];
    if let (Some(previous), Some(until)) = (&endpoint.previous_secret, endpoint.previous_until)
        && until > now.naive_utc()
    {
        signatures.push(signing::sign(
            previous,
            &message_id,
            timestamp,
            body.as_bytes(),
        ));
    }
    let signature = signatures
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let started = Instant::now();
    let answer = send(
        client,
        &endpoint.url,
        settings.allow_private,
        [
            ("webhook-id", message_id),
            ("webhook-timestamp", timestamp.to_string()),
            ("webhook-signature", signature),
        ],
        body,
    )
    .await;
    let latency_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let succeeded = answer.succeeded();
    let error = answer.error.clone();
    let settings = settings.clone();
    let finished = ctx
        .store
        .write(move |c| {
            record(
                c,
                &delivery,
                &answer,
                latency_ms,
                crate::time::now(),
                &settings,
            )
            .map_err(DbError::from)
        })
        .await
        .map_err(|e| e.to_string())?;
    match (succeeded, finished) {
        (true, _) | (false, true) => Ok(()),
        (false, false) => Err(error.unwrap_or_else(|| "the delivery failed".into())),
    }
}

type Loaded = (
    model::DeliveryRow,
    model::EndpointRow,
    crate::events::model::EventRow,
);

fn load(c: &mut DbConnection, id: i64) -> QueryResult<Option<Loaded>> {
    let Some(delivery) = model::delivery(c, id)? else {
        return Ok(None);
    };
    let Some(endpoint) = model::find_endpoint(c, delivery.endpoint_id)? else {
        return Ok(None);
    };
    let Some(event) = crate::events::model::find(c, delivery.event_id)? else {
        return Ok(None);
    };
    Ok(Some((delivery, endpoint, event)))
}

async fn send(
    client: &reqwest::Client,
    url: &str,
    allow_private: bool,
    headers: [(&'static str, String); 3],
    body: String,
) -> Answer {
    let failure = |error: String| Answer {
        status: None,
        excerpt: None,
        error: Some(error),
    };
    let url = match url::Url::parse(url) {
        Ok(url) => url,
        Err(e) => return failure(format!("the URL cannot be parsed: {e}")),
    };
    if !allow_private && let Err(refusal) = guard::check_literal(&url) {
        return failure(refusal);
    }
    let mut request = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json");
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let mut response = match request.body(body).send().await {
        Ok(response) => response,
        Err(e) => return failure(describe(&e)),
    };
    let status = response.status();
    let mut excerpt = Vec::new();
    while excerpt.len() < EXCERPT_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = EXCERPT_BYTES - excerpt.len();
                excerpt.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    let excerpt = String::from_utf8_lossy(&excerpt).into_owned();
    let error = if status.is_success() {
        None
    } else if status.is_redirection() {
        Some(format!("answered {status}: redirects are not followed"))
    } else {
        Some(format!("answered {status}"))
    };
    Answer {
        status: Some(i32::from(status.as_u16())),
        excerpt: Some(excerpt),
        error,
    }
}

/// Why a request failed, from the error's chain, without its URL (which may hold a token).
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "timed out".into();
    }
    let mut text = if error.is_connect() {
        "could not connect".to_owned()
    } else {
        "the request failed".to_owned()
    };
    let mut source = std::error::Error::source(error);
    let mut seen = Vec::new();
    while let Some(cause) = source {
        let message = cause.to_string();
        if !seen.contains(&message) {
            text.push_str(": ");
            text.push_str(&message);
            seen.push(message);
        }
        source = cause.source();
    }
    text
}

/// Logs an attempt and what it means for the delivery and its endpoint; whether the
/// delivery is finished (succeeded, or given up).
fn record(
    c: &mut DbConnection,
    delivery: &model::DeliveryRow,
    answer: &Answer,
    latency_ms: i32,
    now: NaiveDateTime,
    settings: &Settings,
) -> QueryResult<bool> {
    let attempt = delivery.attempts + 1;
    model::insert_attempt(
        c,
        &NewAttempt {
            delivery_id: delivery.id,
            attempt,
            attempted_at: now,
            status: answer.status,
            latency_ms,
            error: answer.error.as_deref(),
            response_excerpt: answer.excerpt.as_deref(),
        },
    )?;
    let Some(endpoint) = model::find_endpoint(c, delivery.endpoint_id)? else {
        return Ok(true);
    };
    let mut finished = answer.succeeded();
    if answer.succeeded() {
        if endpoint.failing_since.is_some() {
            model::update_endpoint(
                c,
                endpoint.id,
                &EndpointChanges {
                    failing_since: Some(None),
                    ..Default::default()
                },
            )?;
        }
    } else {
        let failing_since = endpoint.failing_since.unwrap_or(now);
        let disable = endpoint.active && elapsed(failing_since, now) >= settings.disable_after;
        let reason = disable.then(|| {
            format!(
                "disabled at {}: every delivery has failed since {} (last: {})",
                crate::time::Timestamp::from(now).0.to_rfc3339(),
                crate::time::Timestamp::from(failing_since).0.to_rfc3339(),
                answer.error.as_deref().unwrap_or("failed")
            )
        });
        if endpoint.failing_since.is_none() || disable {
            model::update_endpoint(
                c,
                endpoint.id,
                &EndpointChanges {
                    failing_since: Some(Some(failing_since)),
                    active: disable.then_some(false),
                    disabled_reason: reason.as_deref().map(Some),
                    updated_at: disable.then_some(now),
                    ..Default::default()
                },
            )?;
            if disable {
                tracing::warn!(
                    endpoint = endpoint.id,
                    "webhook endpoint disabled after failing"
                );
            }
        }
        finished =
            disable || !endpoint.active || elapsed(delivery.created_at, now) >= settings.retry_for;
    }
    let backoff = Backoff {
        base: settings.backoff_base,
        cap: settings.backoff_cap,
    };
    let next = (!finished)
        .then(|| now + chrono::Duration::from_std(backoff.delay(attempt, 0.5)).unwrap_or_default());
    let state = match (answer.succeeded(), finished) {
        (true, _) => "succeeded",
        (false, true) => "failed",
        (false, false) => "pending",
    };
    model::record_outcome(
        c,
        delivery.id,
        &DeliveryOutcome {
            state,
            attempts: attempt,
            last_status: answer.status,
            last_latency_ms: Some(latency_ms),
            last_error: answer.error.as_deref(),
            response_excerpt: answer.excerpt.as_deref(),
            last_attempt_at: Some(now),
            next_attempt_at: next,
            delivered_at: answer.succeeded().then_some(now),
        },
    )?;
    Ok(finished)
}

fn elapsed(since: NaiveDateTime, now: NaiveDateTime) -> std::time::Duration {
    (now - since).to_std().unwrap_or_default()
}
