//! What the webhook endpoints read and write.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use utoipa::PartialSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::model::{AttemptRow, DeliveryRow, EndpointRow};
use crate::http::input::{line_opt, web_url};
use crate::time::Timestamp;

/// A webhook endpoint: where events are sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct Endpoint {
    #[schema(example = 3)]
    pub id: i64,
    #[schema(example = "https://hooks.example.com/sahifa", format = "uri")]
    pub url: String,
    /// Event types (`article.published`), families (`article.*`) or `*`.
    #[schema(value_type = Vec<EventPattern>, example = json!(["article.published", "cache.purge"]))]
    pub events: Vec<String>,
    #[schema(example = "إعادة بناء الموقع الثابت")]
    pub description: String,
    /// Whether events are sent. An endpoint that failed for
    /// `SAHIFA_WEBHOOKS_DISABLE_AFTER_SECS` is set inactive, with `disabled_reason`.
    pub active: bool,
    /// Why Sahifa disabled the endpoint; cleared when an admin sets it active again.
    pub disabled_reason: Option<String>,
    /// Since when every attempt has failed (null while it answers).
    pub failing_since: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<&EndpointRow> for Endpoint {
    fn from(row: &EndpointRow) -> Self {
        Self {
            id: row.id,
            url: row.url.clone(),
            events: row.patterns(),
            description: row.description.clone(),
            active: row.active,
            disabled_reason: row.disabled_reason.clone(),
            failing_since: row.failing_since.map(Into::into),
            created_at: row.created_at.into(),
            updated_at: row.updated_at.into(),
        }
    }
}

/// An endpoint with its signing secret: answered once, when it is created or its secret is
/// rotated.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointWithSecret {
    #[serde(flatten)]
    pub endpoint: Endpoint,
    /// The Standard Webhooks signing secret (`whsec_` and base64). Shown only now: store it.
    /// After a rotation the previous secret keeps signing too (a second `v1,` signature) for
    /// 24 hours.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEndpoint {
    /// http or https. Its host must not resolve to a private, loopback, link-local or
    /// metadata address (unless `SAHIFA_WEBHOOKS_ALLOW_PRIVATE=true`).
    #[serde(deserialize_with = "web_url::<_, 2000>")]
    #[schema(
        example = "https://hooks.example.com/sahifa",
        format = "uri",
        max_length = 2000
    )]
    pub url: String,
    /// Event types, families (`article.*`) or `*`; see the `webhooks` tag for the list.
    #[validate(length(min = 1, max = 50))]
    #[schema(value_type = Vec<EventPattern>, example = json!(["article.published", "cache.purge"]), min_items = 1, max_items = 50)]
    pub events: Vec<String>,
    #[serde(default, deserialize_with = "line_opt::<_, 500>")]
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// Default true.
    #[serde(default)]
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEndpoint {
    #[serde(default, deserialize_with = "web_url_opt")]
    #[schema(format = "uri", max_length = 2000)]
    pub url: Option<String>,
    #[validate(length(min = 1, max = 50))]
    #[schema(value_type = Option<Vec<EventPattern>>, min_items = 1, max_items = 50)]
    pub events: Option<Vec<String>>,
    #[serde(default, deserialize_with = "line_opt::<_, 500>")]
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// Setting an endpoint active again clears `disabled_reason` and `failing_since`.
    pub active: Option<bool>,
}

/// [`web_url`] for a PATCH field: null or absent leaves the URL as it is.
fn web_url_opt<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::de::IntoDeserializer;
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(raw) => web_url::<_, 2000>(raw.into_deserializer()).map(Some),
    }
}

/// Where a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = DeliveryState)]
pub enum State {
    /// Not yet sent, or failed and waiting for its next attempt.
    Pending,
    /// The endpoint answered 2xx.
    Succeeded,
    /// Given up: retried for `SAHIFA_WEBHOOKS_RETRY_FOR_SECS`, or its endpoint was disabled.
    /// It can be replayed.
    Failed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    fn parse(raw: &str) -> Self {
        match raw {
            "succeeded" => Self::Succeeded,
            "failed" => Self::Failed,
            _ => Self::Pending,
        }
    }
}

/// One event sent to one endpoint, with its last attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    #[schema(example = 41)]
    pub id: i64,
    pub endpoint_id: i64,
    /// The event's id, as `webhook-id` and the body's `id` (the same on every attempt and
    /// replay).
    #[schema(example = "evt_1201")]
    pub event_id: String,
    #[schema(example = "article.published")]
    pub event_type: String,
    pub state: State,
    /// Attempts made.
    pub attempts: i32,
    /// The HTTP status of the last attempt (null: no answer).
    pub last_status: Option<i32>,
    pub last_latency_ms: Option<i32>,
    /// Why the last attempt failed (a timeout, a refused address, a status).
    pub last_error: Option<String>,
    /// The first 1 KiB of the last answer's body, as text.
    pub response_excerpt: Option<String>,
    pub created_at: Timestamp,
    pub last_attempt_at: Option<Timestamp>,
    /// When the next attempt is due, approximately (the retry delay has a random part).
    pub next_attempt_at: Option<Timestamp>,
    pub delivered_at: Option<Timestamp>,
}

impl From<&DeliveryRow> for Delivery {
    fn from(row: &DeliveryRow) -> Self {
        Self {
            id: row.id,
            endpoint_id: row.endpoint_id,
            event_id: crate::events::event_id(row.event_id),
            event_type: row.event_type.clone(),
            state: State::parse(&row.state),
            attempts: row.attempts,
            last_status: row.last_status,
            last_latency_ms: row.last_latency_ms,
            last_error: row.last_error.clone(),
            response_excerpt: row.response_excerpt.clone(),
            created_at: row.created_at.into(),
            last_attempt_at: row.last_attempt_at.map(Into::into),
            next_attempt_at: row.next_attempt_at.map(Into::into),
            delivered_at: row.delivered_at.map(Into::into),
        }
    }
}

/// One attempt of a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct Attempt {
    #[schema(example = 1)]
    pub attempt: i32,
    pub attempted_at: Timestamp,
    /// null when no answer came (refused, timed out).
    pub status: Option<i32>,
    pub latency_ms: i32,
    pub error: Option<String>,
    pub response_excerpt: Option<String>,
}

impl From<&AttemptRow> for Attempt {
    fn from(row: &AttemptRow) -> Self {
        Self {
            attempt: row.attempt,
            attempted_at: row.attempted_at.into(),
            status: row.status,
            latency_ms: row.latency_ms,
            error: row.error.clone(),
            response_excerpt: row.response_excerpt.clone(),
        }
    }
}

/// A delivery with every attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDetail {
    #[serde(flatten)]
    pub delivery: Delivery,
    pub attempts_log: Vec<Attempt>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryFilters {
    /// Only deliveries in this state.
    #[param(inline)]
    pub state: Option<State>,
    /// Only deliveries of this event type.
    #[param(inline, value_type = Option<EventType>, example = "article.published")]
    pub event: Option<String>,
    /// Only deliveries created at or after this time.
    #[param(value_type = Option<String>, format = DateTime)]
    pub since: Option<Timestamp>,
}

/// Replaying what failed.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayFailed {
    /// Every failed delivery created at or after this time is sent again.
    pub since: Timestamp,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Replayed {
    /// How many deliveries were queued again.
    #[schema(example = 12)]
    pub replayed: usize,
}

/// An event a webhook subscribes to: a type, a family (`article.*`) or `*`.
pub struct EventPattern;

impl PartialSchema for EventPattern {
    fn schema() -> RefOr<Schema> {
        let mut names: Vec<String> = vec!["*".to_owned()];
        for name in crate::events::TYPES {
            let family = format!("{}.*", name.split('.').next().unwrap_or_default());
            if !names.contains(&family) {
                names.push(family);
            }
            names.push((*name).to_owned());
        }
        RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some(
                    "An event type, a family of them (`article.*`) or every event (`*`).",
                ))
                .enum_values(Some(names))
                .build(),
        ))
    }
}

impl utoipa::ToSchema for EventPattern {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("EventPattern")
    }
}

/// One event type, as a delivery names it.
pub struct EventType;

impl PartialSchema for EventType {
    fn schema() -> RefOr<Schema> {
        RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(crate::events::TYPES.iter().copied()))
                .build(),
        ))
    }
}

impl utoipa::ToSchema for EventType {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("EventType")
    }
}
