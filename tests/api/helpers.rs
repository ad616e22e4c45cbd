//! The test harness: a real server on a random port with its own fresh database, and a real
//! `sahifa` process for what only a process can show (exit codes, logs, signals).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use sahifa::config::Settings;
use sahifa::startup::Application;
use serde_json::Value;
use tempfile::TempDir;

/// A server running inside the test's runtime.
pub struct TestApp {
    pub address: String,
    pub client: Client,
    pub db_path: PathBuf,
    _dir: TempDir,
}

/// Variables every test server gets; a test adds or overrides its own.
fn base_vars(db_path: &std::path::Path) -> HashMap<String, String> {
    HashMap::from([
        (
            "DATABASE_URL".to_owned(),
            format!("sqlite:{}", db_path.display()),
        ),
        ("SAHIFA_BIND".to_owned(), "127.0.0.1:0".to_owned()),
        ("SAHIFA_WORKERS".to_owned(), "1".to_owned()),
    ])
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts a server with extra environment variables (as the binary would read them).
pub async fn spawn_app_with(vars: &[(&str, &str)]) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let db_path = dir.path().join("sahifa.db");
    let mut env = base_vars(&db_path);
    for (k, v) in vars {
        env.insert((*k).to_owned(), (*v).to_owned());
    }
    let settings = Settings::from_lookup(|name| env.get(name).cloned()).expect("test settings");
    let app = Application::build(settings).await.expect("server starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    actix_web::rt::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        db_path,
        _dir: dir,
    }
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
    assert_eq!(body["title"], status.canonical_reason().unwrap(), "{body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    assert!(body["type"].is_string(), "{body}");
    body
}

/// A `sahifa` process started from the built binary, with its stderr captured.
pub struct Process {
    pub child: Child,
    pub lines: Arc<Mutex<Vec<String>>>,
    _dir: TempDir,
}

pub fn sahifa_command(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sahifa"));
    command
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env(
            "DATABASE_URL",
            format!("sqlite:{}", dir.join("sahifa.db").display()),
        )
        .env("SAHIFA_BIND", "127.0.0.1:0")
        .env("SAHIFA_WORKERS", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

impl Process {
    /// Starts `sahifa serve` with JSON logs and extra variables; a fresh directory holds its
    /// database unless `DATABASE_URL` is given.
    pub fn serve(vars: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self::serve_in(dir, vars)
    }

    pub fn serve_in(dir: TempDir, vars: &[(&str, &str)]) -> Self {
        let mut command = sahifa_command(dir.path());
        command.env("SAHIFA_LOG_FORMAT", "json");
        for (k, v) in vars {
            command.env(k, v);
        }
        let mut child = command.arg("serve").spawn().expect("sahifa starts");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Self {
            child,
            lines,
            _dir: dir,
        }
    }

    /// Waits for the "listening" log line and returns the base URL.
    pub fn wait_until_listening(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            let found = self.lines.lock().unwrap().iter().find_map(|line| {
                line.split("listening on http://")
                    .nth(1)
                    .map(|rest| rest.split('"').next().unwrap().to_owned())
            });
            if let Some(address) = found {
                return format!("http://{address}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("sahifa did not start: {:?}", self.lines.lock().unwrap());
    }

    pub fn log(&self) -> String {
        self.lines.lock().unwrap().join("\n")
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
