//! `GET /metrics`: Prometheus text exposition of what operators watch — requests by route and
//! status, their latency, the connection pool, the database's size, and the process itself
//! (memory, open files, CPU).
//!
//! Off unless configured (`SAHIFA_METRICS=public`, or `token` with `SAHIFA_METRICS_TOKEN`,
//! which then must be sent as a bearer token).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use crate::config::{DatabaseUrl, MetricsAccess, Settings};
use crate::db::{Backend, Store};
use crate::http::ApiError;

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool: IntGaugeVec,
    database_bytes: IntGauge,
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new_custom(Some("sahifa".into()), None).expect("a valid prefix");
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests answered, by route and status",
            ),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time from receiving a request to having its response, by route",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
            &["method", "route"],
        )
        .expect("valid metric");
        let pool = IntGaugeVec::new(
            Opts::new(
                "db_pool_connections",
                "Database connections in the pool, by state",
            ),
            &["state"],
        )
        .expect("valid metric");
        let database_bytes =
            IntGauge::new("database_size_bytes", "Size of the database (with its WAL)")
                .expect("valid metric");
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(pool.clone()),
            Box::new(database_bytes.clone()),
            Box::new(prometheus::process_collector::ProcessCollector::for_self()),
        ] {
            registry
                .register(collector)
                .expect("each metric registered once");
        }
        Self {
            registry,
            requests,
            latency,
            pool,
            database_bytes,
        }
    }

    /// Records one answered request. `route` is the matched route pattern
    /// (`/api/v1/articles/{id}`), never the raw path, so the label set stays small.
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[method, route])
            .observe(seconds);
    }

    async fn render(&self, store: &Store, settings: &Settings) -> String {
        let (connections, idle) = store.pool_state();
        self.pool.with_label_values(&["idle"]).set(i64::from(idle));
        self.pool
            .with_label_values(&["in_use"])
            .set(i64::from(connections.saturating_sub(idle)));
        if let Some(bytes) = database_size(store, &settings.database_url).await {
            self.database_bytes.set(bytes);
        }
        let mut out = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

async fn database_size(store: &Store, url: &DatabaseUrl) -> Option<i64> {
    match (store.backend(), url) {
        (Backend::Sqlite, DatabaseUrl::Sqlite(path)) => {
            let size = |p: std::path::PathBuf| std::fs::metadata(p).map_or(0, |m| m.len());
            let mut wal = path.as_os_str().to_owned();
            wal.push("-wal");
            Some((size(path.clone()) + size(wal.into())) as i64)
        }
        _ => {
            #[derive(diesel::QueryableByName)]
            struct Size {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                bytes: i64,
            }
            store
                .query(|c| {
                    use diesel::RunQueryDsl;
                    diesel::sql_query("SELECT pg_database_size(current_database()) AS bytes")
                        .get_result::<Size>(c)
                })
                .await
                .ok()
                .map(|s| s.bytes)
        }
    }
}

/// The `/metrics` endpoint (registered only when metrics are on).
pub async fn metrics(
    req: HttpRequest,
    metrics: web::Data<Metrics>,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    if let MetricsAccess::Token(token) = &settings.metrics {
        let presented = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !constant_time_eq(presented.as_bytes(), token.expose().as_bytes()) {
            return Err(ApiError::invalid_token("/metrics needs its bearer token"));
        }
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(metrics.render(&store, &settings).await))
}

/// Compares without revealing, through timing, how much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
