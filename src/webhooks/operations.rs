//! The webhook logic: endpoints, fan-out of events to them, the delivery log and replays.

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::dto::{
    CreateEndpoint, Delivery, DeliveryDetail, DeliveryFilters, Endpoint, EndpointWithSecret,
    UpdateEndpoint,
};
use super::model::{self, DeliveryFilter, EndpointChanges, NewDelivery, NewEndpoint};
use super::{delivery, signing};
use crate::db::DbConnection;
use crate::http::ApiError;
use crate::http::conditional::IfMatch;
use crate::http::pagination::Page;

/// How long a rotated-out secret keeps signing.
const ROTATION_GRACE: chrono::Duration = chrono::Duration::hours(24);

/// Checks event patterns: each a known type, family (`article.*`) or `*`.
pub fn check_events(events: &[String]) -> Result<String, ApiError> {
    if let Some(unknown) = events.iter().find(|e| !crate::events::is_known_pattern(e)) {
        return Err(ApiError::invalid(
            "events",
            format!(
                "unknown event `{unknown}`; known: {}, a family like `article.*`, or `*`",
                crate::events::TYPES.join(", ")
            ),
        ));
    }
    let mut unique: Vec<&String> = Vec::new();
    for e in events {
        if !unique.contains(&e) {
            unique.push(e);
        }
    }
    Ok(serde_json::to_string(&unique).unwrap_or_else(|_| "[]".into()))
}

/// Creates an endpoint; its URL was admitted by the guard before the write.
pub fn create(
    c: &mut DbConnection,
    input: &CreateEndpoint,
    now: NaiveDateTime,
) -> Result<EndpointWithSecret, ApiError> {
    let events = check_events(&input.events)?;
    let secret = signing::new_secret();
    let row = model::insert_endpoint(
        c,
        &NewEndpoint {
            url: &input.url,
            events: &events,
            description: input.description.as_deref().unwrap_or_default(),
            active: input.active.unwrap_or(true),
            secret: &secret,
            created_at: now,
            updated_at: now,
        },
    )?;
    Ok(EndpointWithSecret {
        endpoint: Endpoint::from(&row),
        secret,
    })
}

pub fn list(c: &mut DbConnection, page: Page) -> QueryResult<(Vec<Endpoint>, u64)> {
    let (rows, total) = model::list_endpoints(c, page.offset(), page.limit())?;
    Ok((rows.iter().map(Endpoint::from).collect(), total as u64))
}

fn find(c: &mut DbConnection, id: i64) -> Result<model::EndpointRow, ApiError> {
    model::find_endpoint(c, id)?.ok_or_else(|| ApiError::not_found("webhook endpoint"))
}

pub fn get(c: &mut DbConnection, id: i64) -> Result<Endpoint, ApiError> {
    Ok(Endpoint::from(&find(c, id)?))
}

pub fn update(
    c: &mut DbConnection,
    id: i64,
    input: &UpdateEndpoint,
    if_match: &IfMatch,
    now: NaiveDateTime,
) -> Result<Endpoint, ApiError> {
    crate::db::lock_row(c, crate::db::Locked::WebhookEndpoints, id)?;
    let current = find(c, id)?;
    if_match.check_value(&Endpoint::from(&current))?;
    let events = input.events.as_deref().map(check_events).transpose()?;
    let reactivated = input.active == Some(true) && !current.active;
    let row = model::update_endpoint(
        c,
        id,
        &EndpointChanges {
            url: input.url.as_deref(),
            events: events.as_deref(),
            description: input.description.as_deref(),
            active: input.active,
            disabled_reason: reactivated.then_some(None),
            failing_since: reactivated.then_some(None),
            updated_at: Some(now),
            ..Default::default()
        },
    )?;
    Ok(Endpoint::from(&row))
}

pub fn delete(c: &mut DbConnection, id: i64, if_match: &IfMatch) -> Result<(), ApiError> {
    crate::db::lock_row(c, crate::db::Locked::WebhookEndpoints, id)?;
    let current = find(c, id)?;
    if_match.check_value(&Endpoint::from(&current))?;
    model::delete_endpoint(c, id)?;
    Ok(())
}

/// A new secret; the previous one keeps signing for [`ROTATION_GRACE`].
pub fn rotate_secret(
    c: &mut DbConnection,
    id: i64,
    now: NaiveDateTime,
) -> Result<EndpointWithSecret, ApiError> {
    let current = find(c, id)?;
    let secret = signing::new_secret();
    let row = model::update_endpoint(
        c,
        id,
        &EndpointChanges {
            secret: Some(&secret),
            previous_secret: Some(Some(&current.secret)),
            previous_until: Some(Some(now + ROTATION_GRACE)),
            updated_at: Some(now),
            ..Default::default()
        },
    )?;
    Ok(EndpointWithSecret {
        endpoint: Endpoint::from(&row),
        secret,
    })
}

/// Queues event `event_id` for every active endpoint subscribed to `event_type`, in the
/// transaction that wrote the event.
pub fn fan_out(
    c: &mut DbConnection,
    event_id: i64,
    event_type: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    for (endpoint_id, events) in model::active_endpoints(c)? {
        let patterns: Vec<String> = serde_json::from_str(&events).unwrap_or_default();
        if crate::events::subscribed(&patterns, event_type) {
            queue(c, endpoint_id, event_id, event_type, now)?;
        }
    }
    Ok(())
}

/// A new delivery and the job that sends it.
fn queue(
    c: &mut DbConnection,
    endpoint_id: i64,
    event_id: i64,
    event_type: &str,
    now: NaiveDateTime,
) -> QueryResult<model::DeliveryRow> {
    let row = model::insert_delivery(
        c,
        &NewDelivery {
            endpoint_id,
            event_id,
            event_type,
            created_at: now,
            next_attempt_at: Some(now),
        },
    )?;
    delivery::enqueue(c, row.id, now)?;
    Ok(row)
}

pub fn list_deliveries(
    c: &mut DbConnection,
    endpoint_id: i64,
    filters: &DeliveryFilters,
    page: Page,
) -> Result<(Vec<Delivery>, u64), ApiError> {
    find(c, endpoint_id)?;
    if let Some(event) = &filters.event
        && !crate::events::TYPES.contains(&event.as_str())
    {
        return Err(crate::http::pagination::bad_query(
            "event",
            format!("unknown event type `{event}`"),
        ));
    }
    let filter = DeliveryFilter {
        state: filters.state.map(|s| s.as_str().to_owned()),
        event_type: filters.event.clone(),
        since: filters.since.map(|t| t.naive()),
    };
    let (rows, total) =
        model::list_deliveries(c, endpoint_id, &filter, page.offset(), page.limit())?;
    Ok((rows.iter().map(Delivery::from).collect(), total as u64))
}

pub fn get_delivery(
    c: &mut DbConnection,
    endpoint_id: i64,
    id: i64,
) -> Result<DeliveryDetail, ApiError> {
    find(c, endpoint_id)?;
    let row =
        model::find_delivery(c, endpoint_id, id)?.ok_or_else(|| ApiError::not_found("delivery"))?;
    let attempts = model::attempts_of(c, id)?;
    Ok(DeliveryDetail {
        delivery: Delivery::from(&row),
        attempts_log: attempts.iter().map(Into::into).collect(),
    })
}

/// Sends a delivery's event again, as a new delivery (same event id, for the receiver to
/// recognize it).
pub fn replay(
    c: &mut DbConnection,
    endpoint_id: i64,
    id: i64,
    now: NaiveDateTime,
) -> Result<Delivery, ApiError> {
    find(c, endpoint_id)?;
    let original =
        model::find_delivery(c, endpoint_id, id)?.ok_or_else(|| ApiError::not_found("delivery"))?;
    ensure_event(c, original.event_id)?;
    let row = queue(c, endpoint_id, original.event_id, &original.event_type, now)?;
    Ok(Delivery::from(&row))
}

/// Sends again every failed delivery created at or after `since`, and every event since then
/// the endpoint subscribes to but never got because it was inactive (disabled, or switched
/// off), oldest first.
pub fn replay_failed(
    c: &mut DbConnection,
    endpoint_id: i64,
    since: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    let endpoint = find(c, endpoint_id)?;
    let mut events: Vec<(i64, String)> = Vec::new();
    for original in model::failed_since(c, endpoint_id, since)? {
        if crate::events::model::find(c, original.event_id)?.is_some() {
            events.push((original.event_id, original.event_type));
        }
    }
    let patterns = endpoint.patterns();
    let from = since.max(endpoint.created_at);
    for (event_id, event_type) in model::undelivered_since(c, endpoint_id, from)? {
        if crate::events::subscribed(&patterns, &event_type) {
            events.push((event_id, event_type));
        }
    }
    events.sort_unstable();
    events.dedup();
    for (event_id, event_type) in &events {
        queue(c, endpoint_id, *event_id, event_type, now)?;
    }
    Ok(events.len())
}

fn ensure_event(c: &mut DbConnection, event_id: i64) -> Result<(), ApiError> {
    match crate::events::model::find(c, event_id)? {
        Some(_) => Ok(()),
        None => Err(ApiError::Typed(
            crate::http::problem_types::ProblemType::EventExpired,
            "the event is older than SAHIFA_EVENTS_KEEP_DAYS and no longer kept".into(),
        )),
    }
}
