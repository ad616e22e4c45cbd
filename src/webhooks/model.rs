//! The `webhook_endpoints`, `webhook_deliveries` and `webhook_attempts` tables.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{webhook_attempts, webhook_deliveries, webhook_endpoints};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints)]
pub struct EndpointRow {
    pub id: i64,
    pub url: String,
    /// A JSON array of event patterns.
    pub events: String,
    pub description: String,
    pub active: bool,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_until: Option<NaiveDateTime>,
    pub disabled_reason: Option<String>,
    pub failing_since: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl EndpointRow {
    pub fn patterns(&self) -> Vec<String> {
        serde_json::from_str(&self.events).unwrap_or_default()
    }
}

#[derive(Insertable)]
#[diesel(table_name = webhook_endpoints)]
pub struct NewEndpoint<'a> {
    pub url: &'a str,
    pub events: &'a str,
    pub description: &'a str,
    pub active: bool,
    pub secret: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = webhook_endpoints)]
pub struct EndpointChanges<'a> {
    pub url: Option<&'a str>,
    pub events: Option<&'a str>,
    pub description: Option<&'a str>,
    pub active: Option<bool>,
    pub secret: Option<&'a str>,
    pub previous_secret: Option<Option<&'a str>>,
    pub previous_until: Option<Option<NaiveDateTime>>,
    pub disabled_reason: Option<Option<&'a str>>,
    pub failing_since: Option<Option<NaiveDateTime>>,
    pub updated_at: Option<NaiveDateTime>,
}

pub fn insert_endpoint(conn: &mut DbConnection, new: &NewEndpoint<'_>) -> QueryResult<EndpointRow> {
    diesel::insert_into(webhook_endpoints::table)
        .values(new)
        .returning(webhook_endpoints::all_columns)
        .get_result(conn)
}

pub fn find_endpoint(conn: &mut DbConnection, id: i64) -> QueryResult<Option<EndpointRow>> {
    webhook_endpoints::table
        .find(id)
        .select(EndpointRow::as_select())
        .first(conn)
        .optional()
}

pub fn list_endpoints(
    conn: &mut DbConnection,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<EndpointRow>, i64)> {
    let total = webhook_endpoints::table.count().get_result(conn)?;
    let rows = webhook_endpoints::table
        .order(webhook_endpoints::id.asc())
        .offset(offset)
        .limit(limit)
        .select(EndpointRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// The endpoints events go to now.
pub fn active_endpoints(conn: &mut DbConnection) -> QueryResult<Vec<(i64, String)>> {
    webhook_endpoints::table
        .filter(webhook_endpoints::active.eq(true))
        .select((webhook_endpoints::id, webhook_endpoints::events))
        .load(conn)
}

pub fn update_endpoint(
    conn: &mut DbConnection,
    id: i64,
    changes: &EndpointChanges<'_>,
) -> QueryResult<EndpointRow> {
    diesel::update(webhook_endpoints::table.find(id))
        .set(changes)
        .returning(webhook_endpoints::all_columns)
        .get_result(conn)
}

pub fn delete_endpoint(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    // Explicit rather than relying on SQLite's foreign-key cascade being enabled.
    let deliveries = webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(id))
        .select(webhook_deliveries::id);
    diesel::delete(
        webhook_attempts::table.filter(webhook_attempts::delivery_id.eq_any(deliveries)),
    )
    .execute(conn)?;
    diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::endpoint_id.eq(id)))
        .execute(conn)?;
    diesel::delete(webhook_endpoints::table.find(id)).execute(conn)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: i64,
    pub endpoint_id: i64,
    pub event_id: i64,
    pub event_type: String,
    pub state: String,
    pub attempts: i32,
    pub last_status: Option<i32>,
    pub last_latency_ms: Option<i32>,
    pub last_error: Option<String>,
    pub response_excerpt: Option<String>,
    pub created_at: NaiveDateTime,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct NewDelivery<'a> {
    pub endpoint_id: i64,
    pub event_id: i64,
    pub event_type: &'a str,
    pub created_at: NaiveDateTime,
    pub next_attempt_at: Option<NaiveDateTime>,
}

pub fn insert_delivery(conn: &mut DbConnection, new: &NewDelivery<'_>) -> QueryResult<DeliveryRow> {
    diesel::insert_into(webhook_deliveries::table)
        .values(new)
        .returning(webhook_deliveries::all_columns)
        .get_result(conn)
}

pub fn find_delivery(
    conn: &mut DbConnection,
    endpoint_id: i64,
    id: i64,
) -> QueryResult<Option<DeliveryRow>> {
    webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
        .filter(webhook_deliveries::id.eq(id))
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()
}

pub fn delivery(conn: &mut DbConnection, id: i64) -> QueryResult<Option<DeliveryRow>> {
    webhook_deliveries::table
        .find(id)
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()
}

/// What the delivery log of an endpoint is filtered by.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub state: Option<String>,
    pub event_type: Option<String>,
    pub since: Option<NaiveDateTime>,
}

/// An endpoint's deliveries, newest first, and how many match.
pub fn list_deliveries(
    conn: &mut DbConnection,
    endpoint_id: i64,
    filter: &DeliveryFilter,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<DeliveryRow>, i64)> {
    let query = || {
        let mut q = webhook_deliveries::table
            .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
            .into_boxed();
        if let Some(state) = &filter.state {
            q = q.filter(webhook_deliveries::state.eq(state.clone()));
        }
        if let Some(event_type) = &filter.event_type {
            q = q.filter(webhook_deliveries::event_type.eq(event_type.clone()));
        }
        if let Some(since) = filter.since {
            q = q.filter(webhook_deliveries::created_at.ge(since));
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let rows = query()
        .order(webhook_deliveries::id.desc())
        .offset(offset)
        .limit(limit)
        .select(DeliveryRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// The failed deliveries of an endpoint created at or after `since`, oldest first.
pub fn failed_since(
    conn: &mut DbConnection,
    endpoint_id: i64,
    since: NaiveDateTime,
) -> QueryResult<Vec<DeliveryRow>> {
    webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
        .filter(webhook_deliveries::state.eq("failed"))
        .filter(webhook_deliveries::created_at.ge(since))
        .order(webhook_deliveries::id.asc())
        .select(DeliveryRow::as_select())
        .load(conn)
}

/// Events written at or after `since` of which the endpoint has no delivery at all (it was
/// inactive when they were written), oldest first.
pub fn undelivered_since(
    conn: &mut DbConnection,
    endpoint_id: i64,
    since: NaiveDateTime,
) -> QueryResult<Vec<(i64, String)>> {
    use crate::db::schema::events;
    let delivered = webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
        .select(webhook_deliveries::event_id);
    events::table
        .filter(events::created_at.ge(since))
        .filter(events::id.ne_all(delivered))
        .order(events::id.asc())
        .select((events::id, events::event_type))
        .load(conn)
}

#[derive(AsChangeset)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryOutcome<'a> {
    pub state: &'a str,
    pub attempts: i32,
    pub last_status: Option<i32>,
    pub last_latency_ms: Option<i32>,
    pub last_error: Option<&'a str>,
    pub response_excerpt: Option<&'a str>,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
}

pub fn record_outcome(
    conn: &mut DbConnection,
    id: i64,
    outcome: &DeliveryOutcome<'_>,
) -> QueryResult<()> {
    diesel::update(webhook_deliveries::table.find(id))
        .set(outcome)
        .execute(conn)
        .map(|_| ())
}

/// Marks a delivery given up without an attempt (its endpoint was disabled).
pub fn give_up(conn: &mut DbConnection, id: i64, reason: &str) -> QueryResult<()> {
    diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::state.eq("failed"),
            webhook_deliveries::last_error.eq(reason),
            webhook_deliveries::next_attempt_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
        .map(|_| ())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_attempts)]
pub struct AttemptRow {
    pub id: i64,
    pub delivery_id: i64,
    pub attempt: i32,
    pub attempted_at: NaiveDateTime,
    pub status: Option<i32>,
    pub latency_ms: i32,
    pub error: Option<String>,
    pub response_excerpt: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = webhook_attempts)]
pub struct NewAttempt<'a> {
    pub delivery_id: i64,
    pub attempt: i32,
    pub attempted_at: NaiveDateTime,
    pub status: Option<i32>,
    pub latency_ms: i32,
    pub error: Option<&'a str>,
    pub response_excerpt: Option<&'a str>,
}

pub fn insert_attempt(conn: &mut DbConnection, new: &NewAttempt<'_>) -> QueryResult<()> {
    diesel::insert_into(webhook_attempts::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

pub fn attempts_of(conn: &mut DbConnection, delivery_id: i64) -> QueryResult<Vec<AttemptRow>> {
    webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq(delivery_id))
        .order(webhook_attempts::attempt.asc())
        .select(AttemptRow::as_select())
        .load(conn)
}
