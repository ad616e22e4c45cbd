//! Builds the server: opens the store, binds the listener, assembles the app (state,
//! middleware, route tree) for every worker.

use std::net::TcpListener;
use std::sync::Arc;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::http::{Method, header};
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use crate::articles::derived::RenderSlots;
use crate::auth::operations::LoginLimits;
use crate::auth::secret;
use crate::auth::tokens::TokenKeys;
use crate::comments::routes::CommentLimits;
use crate::config::{CorsOrigins, DatabaseUrl, MetricsAccess, Settings};
use crate::db::{OpenError, Store};
use crate::events::stream::Broadcaster;
use crate::http::ApiError;
use crate::http::cache::{self, ResponseCache, response_cache};
use crate::http::input::reject_control_characters;
use crate::http::json::BodyRules;
use crate::http::problem::problem_middleware;
use crate::http::problem_types;
use crate::http::rate_limit::KeyedLimiter;
use crate::http::routing::{RouteTable, fallback, head_as_get};
use crate::http::security_headers::security_headers;
use crate::jobs::{self, Runner, RunnerSettings, SystemClock};
use crate::media::dto::Urls;
use crate::media::operations::MediaService;
use crate::media::storage::MediaStore;
use crate::metrics::Metrics;
use crate::search::{self, Engine};
use crate::telemetry::{REQUEST_ID, request_context};
use crate::users::bootstrap::ensure_first_admin;
use crate::users::password;
use crate::{articles, openapi};

/// Why the server could not start. Each names the setting to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("DATABASE_URL: {0}")]
    Database(#[from] OpenError),
    #[error("{0}")]
    Bootstrap(#[from] crate::users::bootstrap::BootstrapError),
    #[error("DATABASE_URL: cannot read or store the token secret: {0}")]
    Secret(String),
    #[error("SAHIFA_SEARCH_DIR: cannot open, build or update the search index: {0}")]
    Search(String),
    #[error("SAHIFA_MEDIA_STORE: {0}")]
    Media(String),
    #[error("DATABASE_URL: cannot start the job runner: {0}")]
    Jobs(String),
    #[error("SAHIFA_BIND: cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
}

/// A server bound to its port, not yet running.
pub struct Application {
    port: u16,
    server: Server,
    jobs: Option<Runner>,
    shutdown_timeout: std::time::Duration,
}

impl Application {
    /// Opens and migrates the store, then binds `settings.bind` (port 0 picks a free port).
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        // Bind first: a taken port should fail before anything touches the database.
        let addr = settings.bind;
        let bind_error = |source| StartupError::Bind { addr, source };
        let listener = TcpListener::bind(settings.bind).map_err(bind_error)?;
        let port = listener.local_addr().map_err(bind_error)?.port();
        let (store, report) = Store::open(
            &settings.database_url,
            settings.db_pool_size,
            settings.db_acquire_timeout,
        )?;
        let store = store.for_site(settings.site.clone());
        tracing::info!(
            database = %settings.database_url.redacted(),
            applied = ?report.applied,
            schema_version = report.current.as_deref().unwrap_or("none"),
            "database ready"
        );
        // The pool fills in the background; start-up waits for it rather than failing the
        // way a request would after the (possibly very short) acquire timeout.
        let starting = store.patient();
        let search = open_search(&starting, &settings).await?;
        let keys = token_keys(&starting, &settings).await?;
        ensure_first_admin(
            &starting,
            settings.admin_email.as_deref(),
            settings.admin_password.as_ref(),
        )
        .await?;
        // The decoy hash makes unknown-email logins as slow as wrong passwords; compute it
        // now rather than during the first login.
        actix_web::rt::task::spawn_blocking(password::warm_up)
            .await
            .map_err(|e| StartupError::Secret(e.to_string()))?;
        let cache = response_cache_for(&starting, &settings).await;
        let media = open_media(&starting, &settings).await?;
        if let Some(cache) = &cache {
            let _ = media.cache.set(cache.clone());
        }
        let jobs = start_jobs(&store, &settings, &media).await?;
        let events = Broadcaster::start(store.clone(), &settings.database_url)
            .await
            .map_err(|e| StartupError::Jobs(format!("the live stream: {e}")))?;
        let shutdown_timeout = settings.shutdown_timeout;
        let server = serve(
            listener, store, search, keys, cache, media, events, settings,
        )
        .map_err(bind_error)?;
        Ok(Self {
            port,
            server,
            jobs,
            shutdown_timeout,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT/SIGTERM; in-flight requests are given the shutdown timeout to
    /// finish before the process exits. The job runner stops claiming at the signal, and
    /// running jobs are given the shutdown timeout too.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        if let Some(jobs) = self.jobs {
            jobs.stop(self.shutdown_timeout).await;
        }
        served
    }
}

/// The job runner, with the kinds this server knows; none when `SAHIFA_JOB_WORKERS=0`.
async fn start_jobs(
    store: &Store,
    settings: &Settings,
    media: &Arc<MediaService>,
) -> Result<Option<Runner>, StartupError> {
    if settings.job_workers == 0 {
        return Ok(None);
    }
    let registry = crate::maintenance::kinds(jobs::Registry::new());
    let registry = crate::media::operations::kinds(registry, media.clone());
    let registry = crate::changes::log::kinds(registry);
    let client =
        crate::webhooks::delivery::client(&settings.webhooks).map_err(StartupError::Jobs)?;
    let registry = registry
        .with(crate::webhooks::delivery::kind(
            settings.webhooks.clone(),
            client,
        ))
        .with(crate::events::prune_kind(settings.events_keep));
    let registry = match settings.revisions_keep {
        0 => registry,
        keep => registry.with(crate::revisions::operations::prune_kind(keep)),
    };
    let registry = match settings.audit_keep {
        Some(keep) => registry.with(crate::audit::operations::prune_kind(keep)),
        None => registry,
    };
    let runner = Runner::start(
        store.clone(),
        registry,
        RunnerSettings::new(settings.job_workers, settings.job_poll, settings.job_lease),
        Arc::new(SystemClock),
    )
    .await
    .map_err(|e| StartupError::Jobs(e.to_string()))?;
    // Claiming stops at the signal, while the server still finishes its requests.
    let stopping = runner.clone();
    actix_web::rt::spawn(async move {
        use actix_web::rt::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        stopping.stop_claiming();
    });
    Ok(Some(runner))
}

/// The in-process response cache, when the configuration and the store call for one.
async fn response_cache_for(
    store: &Store,
    settings: &Settings,
) -> Option<web::Data<ResponseCache>> {
    if !settings.response_cache {
        return None;
    }
    let capacity = settings.response_cache_bytes;
    let find_next_change = articles::model::next_publication;
    let cache = match &settings.database_url {
        // One process owns an SQLite file: it sees every write itself.
        DatabaseUrl::Sqlite(_) => web::Data::new(ResponseCache::new(capacity, find_next_change)),
        // Several instances may share a PostgreSQL database: this one must also hear theirs.
        DatabaseUrl::Postgres(url) => {
            let cache = web::Data::new(ResponseCache::shared(capacity, find_next_change));
            cache::listen(url.clone(), &cache).await;
            cache
        }
    };
    cache.invalidate(store).await;
    tracing::info!(
        megabytes = capacity / (1024 * 1024),
        "caching anonymous read responses in memory"
    );
    Some(cache)
}

/// The search index of this process, opened (or built) and brought up to date with the
/// store, then kept current in the background.
async fn open_search(store: &Store, settings: &Settings) -> Result<Arc<Engine>, StartupError> {
    let dir = settings.search_dir.clone();
    let opening = store.clone();
    let engine = actix_web::rt::task::spawn_blocking(move || {
        let mut conn = opening.connection().map_err(|e| e.to_string())?;
        Engine::open(&dir, &mut conn).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| StartupError::Search(e.to_string()))?
    .map_err(StartupError::Search)?;
    let engine = Arc::new(engine);
    search::applier::start(&engine, &settings.database_url).await;
    Ok(engine)
}

/// The media store, checked at start (a missing bucket stops the server here), and what the
/// media operations need.
pub async fn open_media(
    store: &Store,
    settings: &Settings,
) -> Result<Arc<MediaService>, StartupError> {
    let files = MediaStore::open(&settings.media_store, &settings.media_s3)
        .await
        .map_err(StartupError::Media)?;
    let key = store
        .write(|conn| {
            secret::load_or_create_named(conn, "media_key")
                .map_err(|e| StartupError::Secret(e.to_string()))
        })
        .await?;
    let urls = Urls {
        base: settings
            .media_public_url
            .clone()
            .unwrap_or_else(|| "/media".into()),
    };
    Urls::make_public(&urls.base);
    Ok(Arc::new(MediaService::new(files, urls, key, settings)))
}

/// The configured token secret, or the one kept in the database (created on first start).
async fn token_keys(store: &Store, settings: &Settings) -> Result<TokenKeys, StartupError> {
    let secret = match &settings.jwt_secret {
        Some(secret) => secret.expose().as_bytes().to_vec(),
        None => {
            store
                .write(|conn| {
                    secret::load_or_create(conn).map_err(|e| StartupError::Secret(e.to_string()))
                })
                .await?
        }
    };
    Ok(TokenKeys::new(&secret, settings.access_token_ttl))
}

impl From<crate::db::StoreError> for StartupError {
    fn from(error: crate::db::StoreError) -> Self {
        Self::Secret(error.to_string())
    }
}

impl From<diesel::result::Error> for StartupError {
    fn from(error: diesel::result::Error) -> Self {
        Self::Secret(error.to_string())
    }
}

/// State shared by every worker, built once.
#[derive(Clone)]
struct Shared {
    store: web::Data<Store>,
    search: web::Data<Engine>,
    settings: web::Data<Settings>,
    routes: web::Data<RouteTable>,
    document: web::Data<DocumentJson>,
    keys: web::Data<TokenKeys>,
    response_cache: Option<web::Data<ResponseCache>>,
    metrics: Option<web::Data<Metrics>>,
    login_limits: web::Data<LoginLimits>,
    comment_limits: web::Data<CommentLimits>,
    body_rules: web::Data<BodyRules>,
    render_slots: web::Data<RenderSlots>,
    media: web::Data<MediaService>,
    cursor_key: web::Data<crate::changes::cursor::KeyCell>,
    events: web::Data<crate::events::stream::Broadcaster>,
    key_limits: web::Data<crate::api_keys::KeyLimits>,
    actions: web::Data<crate::audit::context::Actions>,
    list_totals: web::Data<crate::articles::totals::ListTotals>,
}

/// The OpenAPI document, serialized once, byte-identical to `openapi/openapi.json`.
pub struct DocumentJson(pub Arc<str>);

// Each argument is one piece of the shared state, built by `Application::build` in turn.
#[allow(clippy::too_many_arguments)]
fn serve(
    listener: TcpListener,
    store: Store,
    search: Arc<Engine>,
    keys: TokenKeys,
    response_cache: Option<web::Data<ResponseCache>>,
    media: Arc<MediaService>,
    events: Arc<Broadcaster>,
    settings: Settings,
) -> std::io::Result<Server> {
    let document = crate::routes::document();
    let shared = Shared {
        store: web::Data::new(store),
        search: web::Data::from(search),
        routes: web::Data::new(RouteTable::new(
            &document,
            &[
                ("/openapi.json", &["GET"]),
                ("/docs", &["GET"]),
                ("/docs/{_:.*}", &["GET"]),
                ("/problems/", &["GET"]),
                ("/problems/{slug}", &["GET"]),
                ("/media/{key}/{name}", &["GET"]),
            ],
        )),
        actions: web::Data::new(crate::audit::context::Actions::new(&document)),
        key_limits: web::Data::new(crate::api_keys::KeyLimits::default()),
        list_totals: web::Data::new(crate::articles::totals::ListTotals::default()),
        document: web::Data::new(DocumentJson(openapi::to_json(&document).into())),
        settings: web::Data::new(settings.clone()),
        keys: web::Data::new(keys),
        response_cache,
        metrics: (settings.metrics != MetricsAccess::Off).then(|| web::Data::new(Metrics::new())),
        login_limits: web::Data::new(LoginLimits {
            per_ip: KeyedLimiter::per_minute(settings.login_rate_per_ip),
            per_account: KeyedLimiter::per_minute(settings.login_rate_per_account),
        }),
        comment_limits: web::Data::new(CommentLimits(KeyedLimiter::per_minute(
            settings.comment_rate_per_ip,
        ))),
        cursor_key: web::Data::new(Default::default()),
        events: web::Data::from(events),
        body_rules: web::Data::new(BodyRules::new(
            settings.max_body_bytes,
            settings.body_timeout,
            settings.slow_body_limit,
        )),
        render_slots: web::Data::new(RenderSlots::default()),
        media: web::Data::from(media),
    };
    let server = HttpServer::new(move || app(shared.clone()))
        .workers(settings.workers)
        // Database work runs on each worker's blocking pool; threads beyond the connection
        // pool would only wait for a connection, each holding its own stack and allocator
        // arena (tokio's default allows 512 per worker).
        .worker_max_blocking_threads(settings.db_pool_size as usize + 2)
        .client_request_timeout(settings.request_timeout)
        .client_disconnect_timeout(std::time::Duration::from_secs(1))
        .shutdown_timeout(settings.shutdown_timeout.as_secs())
        .listen(listener)?
        .run();
    Ok(server)
}

/// One worker's app: state, extractor configuration, routes, middleware.
fn app(
    shared: Shared,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let cors = cors(&shared.settings);
    let (app, _) = crate::routes::routed_app();
    let app = match shared.response_cache {
        Some(cache) => app.app_data(cache),
        None => app,
    };
    let app = match shared.metrics {
        Some(metrics) => app
            .app_data(metrics)
            .route("/metrics", web::get().to(crate::metrics::metrics)),
        None => app,
    };
    app.app_data(shared.store)
        .app_data(shared.search)
        .app_data(shared.body_rules)
        .app_data(shared.render_slots)
        .app_data(shared.media)
        .app_data(shared.settings)
        .app_data(shared.routes)
        .app_data(shared.document)
        .app_data(shared.keys)
        .app_data(shared.login_limits)
        .app_data(shared.comment_limits)
        .app_data(shared.cursor_key)
        .app_data(shared.events)
        .app_data(shared.key_limits)
        .app_data(shared.actions)
        .app_data(shared.list_totals)
        .app_data(web::QueryConfig::default().error_handler(|error, _| {
            crate::http::pagination::bad_query("query", format!("invalid query string: {error}"))
                .into()
        }))
        .app_data(web::PathConfig::default().error_handler(|error, _| {
            ApiError::NotFound(format!("no resource at this path: {error}")).into()
        }))
        .route("/openapi.json", web::get().to(openapi_json))
        .route("/problems/", web::get().to(problem_types::serve_page))
        .route("/problems/{slug}", web::get().to(problem_types::serve_page))
        .route(
            "/media/{key}/{name}",
            web::get().to(crate::media::routes::serve_file),
        )
        .route(
            "/docs",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header((header::LOCATION, "/docs/"))
                    .finish()
            }),
        )
        .service(SwaggerUi::new("/docs/{_:.*}").config(SwaggerConfig::from("/openapi.json")))
        .default_service(web::to(fallback))
        // Outermost last: the request id wraps everything, so even refusals carry it. The
        // response cache is innermost: it stores what the handlers produce, and CORS and
        // compression are applied to each answer, cached or not.
        .wrap(from_fn(crate::audit::context::middleware))
        .wrap(from_fn(response_cache))
        .wrap(from_fn(reject_control_characters))
        .wrap(cors)
        .wrap(from_fn(problem_middleware))
        .wrap(from_fn(head_as_get))
        .wrap(Compress::default())
        .wrap(from_fn(security_headers))
        .wrap(from_fn(request_context))
}

async fn openapi_json(document: web::Data<DocumentJson>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(document.0.to_string())
}

fn cors(settings: &Settings) -> Cors {
    let base = Cors::default()
        .allowed_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            REQUEST_ID,
        ])
        .expose_headers([
            header::ETAG,
            header::LINK,
            header::LOCATION,
            header::RETRY_AFTER,
            header::WWW_AUTHENTICATE,
            REQUEST_ID,
        ])
        .max_age(3600);
    match &settings.cors_origins {
        CorsOrigins::Any => base.allow_any_origin(),
        CorsOrigins::List(origins) => origins
            .iter()
            .fold(base, |cors, origin| cors.allowed_origin(origin)),
    }
}
