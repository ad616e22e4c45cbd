//! The test harness: a real server on a random port with its own fresh database, and a real
//! `sahifa` process for what only a process can show (exit codes, logs, signals).
//!
//! The store under test is SQLite, or PostgreSQL when `SAHIFA_TEST_DATABASE_URL` names a
//! PostgreSQL server (`postgres://user@host/db`, a user allowed to create databases): every
//! test then gets its own fresh database there, dropped when the test ends
//! (`tests/common/postgres.rs`, shared with `tests/search_quality.rs`).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use sahifa::config::Settings;
use sahifa::startup::Application;
use serde_json::Value;
use tempfile::TempDir;

#[path = "../common/postgres.rs"]
mod postgres;

use postgres::PostgresDatabase;

pub const ADMIN_EMAIL: &str = "admin@sahifa.test";
pub const ADMIN_PASSWORD: &str = "admin password for tests";
/// Tests know the signing secret, so they can craft tokens of every kind.
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret!";

/// A server running inside the test's runtime, with an admin already logged in.
pub struct TestApp {
    pub address: String,
    pub client: Client,
    pub admin_token: String,
    pub data: Arc<TestData>,
}

/// Where a test's data lives: a temporary directory, and a fresh database in the store under
/// test (an SQLite file in that directory, or a new PostgreSQL database).
pub struct TestData {
    pub dir: TempDir,
    pub database_url: String,
    postgres: Option<PostgresDatabase>,
}

/// The PostgreSQL server the suite runs against, if any.
pub fn postgres_under_test() -> Option<String> {
    std::env::var("SAHIFA_TEST_DATABASE_URL")
        .ok()
        .filter(|url| url.starts_with("postgres://") || url.starts_with("postgresql://"))
}

impl TestData {
    pub fn new() -> Arc<Self> {
        let dir = tempfile::tempdir().expect("temp dir");
        let (database_url, postgres) = match postgres_under_test() {
            Some(server) => {
                let database = PostgresDatabase::create(&server);
                (database.url().to_owned(), Some(database))
            }
            None => (
                format!("sqlite:{}", dir.path().join("sahifa.db").display()),
                None,
            ),
        };
        Arc::new(Self {
            dir,
            database_url,
            postgres,
        })
    }

    /// An SQLite store whatever the store under test (for SQLite-only features: backups).
    pub fn sqlite() -> Arc<Self> {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = format!("sqlite:{}", dir.path().join("sahifa.db").display());
        Arc::new(Self {
            dir,
            database_url,
            postgres: None,
        })
    }

    pub fn sqlite_path(&self) -> std::path::PathBuf {
        self.dir.path().join("sahifa.db")
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// Runs raw SQL on the store, behind the server's back (to break things on purpose).
    pub fn execute(&self, sql: &str) {
        use diesel::RunQueryDsl;
        let url = sahifa::config::DatabaseUrl::parse(&self.database_url).unwrap();
        let mut conn = sahifa::db::ConnectionManager::new(url)
            .connect_now()
            .unwrap();
        diesel::sql_query(sql).execute(&mut conn).unwrap();
    }

    /// Waits until servers have heard of the writes just made. PostgreSQL announces writes to
    /// every instance's cache asynchronously (the instance that wrote has already forgotten
    /// what they change; the announcement makes it forget again), so a test that wants a read
    /// to stay in memory fills it after the announcements have arrived. SQLite: nothing to
    /// wait for.
    pub async fn writes_heard(&self) {
        if self.is_postgres() {
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Runs one raw SQL statement that no server hears of: on PostgreSQL the triggers that
    /// announce changes to every instance's cache are skipped for it (as a superuser may),
    /// so a read that still shows the old data was answered from memory.
    pub fn execute_unannounced(&self, sql: &str) {
        if self.is_postgres() {
            self.execute(&format!(
                "DO $$ BEGIN SET LOCAL session_replication_role = replica; {sql}; END $$"
            ));
        } else {
            self.execute(sql);
        }
    }
}

/// A staff member created for a test, logged in.
#[derive(Debug, Clone)]
pub struct Staff {
    pub id: i64,
    pub email: String,
    pub password: String,
    pub token: String,
    pub refresh_token: String,
}

/// Variables every test server gets; a test adds or overrides its own. Each server gets a
/// search index directory of its own (two instances on one database keep one each).
fn base_vars(data: &TestData) -> HashMap<String, String> {
    static SERVERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = SERVERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let search_dir = data.dir.path().join(format!("search-{n}"));
    HashMap::from([
        ("DATABASE_URL".to_owned(), data.database_url.clone()),
        (
            "SAHIFA_SEARCH_DIR".to_owned(),
            search_dir.display().to_string(),
        ),
        ("SAHIFA_BIND".to_owned(), "127.0.0.1:0".to_owned()),
        // Instances of one test share their media, as instances of a newsroom would.
        (
            "SAHIFA_MEDIA_STORE".to_owned(),
            format!("file:{}", data.dir.path().join("media").display()),
        ),
        ("SAHIFA_WORKERS".to_owned(), "1".to_owned()),
        ("SAHIFA_ADMIN_EMAIL".to_owned(), ADMIN_EMAIL.to_owned()),
        (
            "SAHIFA_ADMIN_PASSWORD".to_owned(),
            ADMIN_PASSWORD.to_owned(),
        ),
        ("SAHIFA_JWT_SECRET".to_owned(), JWT_SECRET.to_owned()),
        // Tests log in often from one address; the limits get their own tests.
        ("SAHIFA_LOGIN_RATE_PER_IP".to_owned(), "100000".to_owned()),
        (
            "SAHIFA_LOGIN_RATE_PER_ACCOUNT".to_owned(),
            "100000".to_owned(),
        ),
    ])
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts a server with extra environment variables (as the binary would read them); a
/// variable set to "" is removed.
pub async fn spawn_app_with(vars: &[(&str, &str)]) -> TestApp {
    spawn_app_in(TestData::new(), vars).await
}

/// Starts a server on existing data (a second instance on the same data, a restart).
pub async fn spawn_app_in(data: Arc<TestData>, vars: &[(&str, &str)]) -> TestApp {
    let mut env = base_vars(&data);
    for (k, v) in vars {
        if v.is_empty() {
            env.remove(*k);
        } else {
            env.insert((*k).to_owned(), (*v).to_owned());
        }
    }
    let settings = Settings::from_lookup(|name| env.get(name).cloned()).expect("test settings");
    let app = Application::build(settings).await.expect("server starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    actix_web::rt::spawn(app.run_until_stopped());
    let mut test_app = TestApp {
        address,
        client: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        admin_token: String::new(),
        data,
    };
    if env.contains_key("SAHIFA_ADMIN_EMAIL") {
        let mut login = test_app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        // A test that starves the pool on purpose (one connection, a 10 ms wait) may find it
        // held by the upkeep jobs that run at start: the set-up login waits for them.
        for _ in 0..50 {
            if login.status() != StatusCode::SERVICE_UNAVAILABLE {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            login = test_app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        }
        assert_eq!(login.status(), StatusCode::OK, "the admin logs in");
        let body: Value = login.json().await.unwrap();
        test_app.admin_token = body["access_token"].as_str().unwrap().to_owned();
    }
    test_app
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path).send().await.unwrap()
    }

    /// A request with an optional bearer token and JSON body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let mut request = self.request(method, path);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.unwrap()
    }

    /// Sends one admin `PATCH` of `path` per body, all at once (no `If-Match`); their statuses.
    pub async fn patch_all_at_once(&self, path: &str, bodies: &[Value]) -> Vec<StatusCode> {
        let patches = bodies.iter().map(|body| async move {
            self.send(Method::PATCH, path, Some(&self.admin_token), Some(body))
                .await
                .status()
        });
        futures_util::future::join_all(patches).await
    }

    pub async fn get_as(&self, path: &str, token: &str) -> Response {
        self.send(Method::GET, path, Some(token), None).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        let body = serde_json::json!({"email": email, "password": password});
        self.send(Method::POST, "/api/v1/auth/login", None, Some(&body))
            .await
    }

    /// Creates a staff member with `role` (as the admin) and logs them in.
    pub async fn staff(&self, role: &str) -> Staff {
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let email = format!("{role}{n}@sahifa.test");
        let password = format!("password of {role} number {n}");
        let created = self
            .send(
                Method::POST,
                "/api/v1/users",
                Some(&self.admin_token),
                Some(&serde_json::json!({
                    "email": email, "display_name": format!("{role} {n}"),
                    "role": role, "password": password
                })),
            )
            .await;
        assert_eq!(created.status(), StatusCode::CREATED, "create {role}");
        let id = created.json::<Value>().await.unwrap()["id"]
            .as_i64()
            .unwrap();
        let login: Value = self.login(&email, &password).await.json().await.unwrap();
        Staff {
            id,
            email,
            password,
            token: login["access_token"].as_str().unwrap().to_owned(),
            refresh_token: login["refresh_token"].as_str().unwrap().to_owned(),
        }
    }
}

impl TestApp {
    /// Creates a section as the admin.
    pub async fn section(&self, name: &str, parent: Option<i64>) -> Value {
        let body = serde_json::json!({"name": name, "parent_id": parent});
        json_of(
            self.send(
                Method::POST,
                "/api/v1/sections",
                Some(&self.admin_token),
                Some(&body),
            )
            .await,
            StatusCode::CREATED,
        )
        .await
    }

    /// Creates an article as `token`'s user; fields in `extra` override the defaults.
    pub async fn article(&self, token: &str, section_id: i64, title: &str, extra: Value) -> Value {
        let mut body = serde_json::json!({
            "title": title,
            "body": "فقرة أولى من المقال. وفيها جملة ثانية.\n\nفقرة ثانية.",
            "section_id": section_id,
        });
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in extra {
                body.insert(k.clone(), v.clone());
            }
        }
        json_of(
            self.send(Method::POST, "/api/v1/articles", Some(token), Some(&body))
                .await,
            StatusCode::CREATED,
        )
        .await
    }

    /// A published article by the admin.
    pub async fn published(&self, section_id: i64, title: &str, extra: Value) -> Value {
        let mut extra = extra;
        extra["status"] = Value::from("published");
        let token = self.admin_token.clone();
        self.article(&token, section_id, title, extra).await
    }
}

/// Percent-encodes a path segment (UTF-8), as a browser would.
pub fn encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);

/// Asserts the status and returns the JSON body.
/// The ids of a list answer, in order.
pub fn ids(list: &Value) -> Vec<i64> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

pub async fn json_of(response: Response, status: StatusCode) -> Value {
    let actual = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(actual, status, "body: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Asserts that `response` is a problem document with `status`, and returns its body.
pub async fn assert_problem(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let body: Value = response.json().await.expect("a JSON body");
    assert_eq!(
        content_type.as_deref(),
        Some("application/problem+json"),
        "content type of {body}"
    );
    assert_eq!(body["status"], status.as_u16(), "{body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    // A documented type with its own title, or `about:blank` with the reason phrase.
    let kind = body["type"].as_str().expect("a type");
    match kind.strip_prefix("/problems/") {
        Some(slug) => {
            let problem = sahifa::http::ProblemType::from_slug(slug)
                .unwrap_or_else(|| panic!("an undocumented type: {body}"));
            assert_eq!(problem.status().as_u16(), status.as_u16(), "{body}");
            assert_eq!(body["title"], problem.title(), "{body}");
        }
        None => {
            assert_eq!(kind, "about:blank", "{body}");
            assert_eq!(body["title"], status.canonical_reason().unwrap(), "{body}");
        }
    }
    body
}

/// Asserts that `response` is a problem of the documented type `slug` (`slug-taken`), and
/// returns its body.
pub async fn assert_problem_type(response: Response, slug: &str) -> Value {
    let problem = sahifa::http::ProblemType::from_slug(slug).expect("a documented type");
    let status = StatusCode::from_u16(problem.status().as_u16()).unwrap();
    let body = assert_problem(response, status).await;
    assert_eq!(body["type"], format!("/problems/{slug}"), "{body}");
    body
}

/// A `sahifa` process started from the built binary, with its stderr captured.
pub struct Process {
    pub child: Child,
    pub lines: Arc<Mutex<Vec<String>>>,
    /// Set when the server's stderr ends: it has exited (or closed its logs).
    stderr_ended: Arc<std::sync::atomic::AtomicBool>,
    /// Held so the data outlives the process.
    _data: Arc<TestData>,
}

/// The binary under test: the one cargo built for the tests, or `SAHIFA_TEST_BINARY` (CI
/// points the crash test at the release build). A relative path is taken from the crate root,
/// since the server runs in its data directory.
pub fn sahifa_binary() -> std::path::PathBuf {
    match std::env::var_os("SAHIFA_TEST_BINARY") {
        Some(path) => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path),
        None => env!("CARGO_BIN_EXE_sahifa").into(),
    }
}

/// `sahifa` on `data`, with nothing from the test's own environment.
pub fn sahifa_command(data: &TestData) -> Command {
    let mut command = Command::new(sahifa_binary());
    command
        .current_dir(data.dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &data.database_url)
        .env("SAHIFA_BIND", "127.0.0.1:0")
        .env("SAHIFA_WORKERS", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

impl Process {
    /// Starts `sahifa serve` on fresh data with JSON logs and extra variables.
    pub fn serve(vars: &[(&str, &str)]) -> Self {
        Self::serve_on(TestData::new(), vars)
    }

    pub fn serve_on(data: Arc<TestData>, vars: &[(&str, &str)]) -> Self {
        let mut command = sahifa_command(&data);
        command.env("SAHIFA_LOG_FORMAT", "json");
        for (k, v) in vars {
            command.env(k, v);
        }
        let mut child = command.arg("serve").spawn().expect("sahifa starts");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        let stderr_ended = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let ended = stderr_ended.clone();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
            ended.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        Self {
            child,
            lines,
            stderr_ended,
            _data: data,
        }
    }

    /// Waits for the "listening" log line and returns the base URL.
    pub fn wait_until_listening(&self) -> String {
        // Generous: CI runs the suite two tests at a time on two cores.
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if self.stderr_ended.load(std::sync::atomic::Ordering::SeqCst) {
                panic!(
                    "sahifa {} ended its log before listening: {:?}",
                    self.child.id(),
                    self.lines.lock().unwrap()
                );
            }
            let found = self.lines.lock().unwrap().iter().find_map(|line| {
                line.split("listening on http://")
                    .nth(1)
                    .map(|rest| rest.split('"').next().unwrap().to_owned())
            });
            if let Some(address) = found {
                let base = format!("http://{address}");
                // Listening is not yet serving: wait until a request is answered, so signal
                // handlers are installed too.
                while Instant::now() < deadline {
                    let health =
                        std::net::TcpStream::connect(address.as_str()).and_then(|mut s| {
                            use std::io::{Read, Write};
                            s.write_all(b"GET /health HTTP/1.0\r\n\r\n")?;
                            let mut buf = String::new();
                            s.read_to_string(&mut buf)?;
                            Ok(buf)
                        });
                    if health.is_ok_and(|b| {
                        b.starts_with("HTTP/1.0 200") || b.starts_with("HTTP/1.1 200")
                    }) {
                        return base;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("sahifa did not start: {:?}", self.lines.lock().unwrap());
    }

    pub fn log(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    /// The process id, to signal it.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([format!("-{signal}"), self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit and returns its exit status.
    pub fn wait_exit(&mut self, within: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "sahifa did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first admin's access token from a server started as a [`Process`] at `base`.
pub async fn admin_token(client: &reqwest::Client, base: &str) -> String {
    let pair: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    pair["access_token"].as_str().unwrap().to_owned()
}
