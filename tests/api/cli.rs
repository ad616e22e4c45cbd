//! The `sahifa` binary: start-up errors, subcommands, logs, signals.

use std::net::TcpListener;
use std::time::Duration;

use crate::helpers::{Process, TestData, sahifa_command};

/// Runs `sahifa ARGS` with `vars` to completion; returns (success, stdout, stderr).
fn run(args: &[&str], vars: &[(&str, &str)]) -> (bool, String, String) {
    run_in(&TestData::new(), args, vars)
}

fn run_in(data: &TestData, args: &[&str], vars: &[(&str, &str)]) -> (bool, String, String) {
    let mut command = sahifa_command(data);
    for (k, v) in vars {
        command.env(k, v);
    }
    let output = command.args(args).output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A start-up failure: non-zero exit, one line on stderr naming the variable, no panic.
fn assert_one_line_error(stderr: &str, var: &str) {
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one line: {stderr}");
    assert!(lines[0].starts_with(&format!("error: {var}")), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("backtrace"), "{stderr}");
}

#[test]
fn a_bad_setting_stops_the_process_with_one_line_naming_it() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_addr = taken.local_addr().unwrap().to_string();
    let file = tempfile::NamedTempFile::new().unwrap();
    let under_a_file = format!("sqlite:{}/sahifa.db", file.path().display());
    for (var, value) in [
        ("DATABASE_URL", "mysql://localhost/news"),
        ("DATABASE_URL", under_a_file.as_str()),
        ("SAHIFA_BIND", "not-an-address"),
        ("SAHIFA_BIND", taken_addr.as_str()),
        ("SAHIFA_LOG_FORMAT", "yaml"),
        ("RUST_LOG", "sahifa=[[["),
    ] {
        let (ok, _, stderr) = run(&["serve"], &[(var, value)]);
        assert!(!ok, "{var}={value} must fail");
        assert_one_line_error(&stderr, var);
    }
}

#[test]
fn help_lists_the_commands_and_the_environment() {
    let (ok, stdout, _) = run(&["--help"], &[]);
    assert!(ok);
    for word in ["serve", "migrate", "openapi", "DATABASE_URL", "SAHIFA_BIND"] {
        assert!(stdout.contains(word), "{word} in {stdout}");
    }
}

#[test]
fn openapi_prints_the_committed_document() {
    let (ok, stdout, _) = run(&["openapi"], &[]);
    assert!(ok);
    assert_eq!(stdout, include_str!("../../openapi/openapi.json"));
}

#[test]
fn migrate_creates_the_database_and_is_idempotent() {
    let data = TestData::new();
    let (ok, stdout, stderr) = run_in(&data, &["migrate"], &[]);
    assert!(ok, "{stderr}");
    assert!(stdout.starts_with("applied "), "{stdout}");
    assert!(!stdout.starts_with("applied 0 "), "{stdout}");
    if !data.is_postgres() {
        assert!(data.dir.path().join("sahifa.db").exists());
    }
    let (ok, stdout, _) = run_in(&data, &["migrate"], &[]);
    assert!(ok);
    assert!(stdout.starts_with("applied 0 migration(s)"), "{stdout}");
}

#[test]
fn a_database_from_a_newer_binary_is_refused() {
    let data = TestData::new();
    assert!(run_in(&data, &["migrate"], &[]).0);
    data.execute("INSERT INTO __diesel_schema_migrations (version) VALUES ('29991231000000')");
    for command in ["migrate", "serve"] {
        let (ok, _, stderr) = run_in(&data, &[command], &[]);
        assert!(!ok, "{command}");
        assert_one_line_error(&stderr, "DATABASE_URL");
        assert!(stderr.contains("newer"), "{stderr}");
        assert!(stderr.contains("29991231000000"), "{stderr}");
    }
}

#[actix_web::test]
async fn every_log_line_of_a_request_carries_its_id() {
    let server = Process::serve(&[("RUST_LOG", "debug")]);
    let base = server.wait_until_listening();
    let response = reqwest::Client::new()
        .get(format!("{base}/ready"))
        .header("x-request-id", "log-trace-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "log-trace-1");
    // The summary line is written after the response; give it a moment.
    std::thread::sleep(Duration::from_millis(200));
    let log = server.log();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter(|l| l.contains("log-trace-1"))
        .map(|l| serde_json::from_str(l).expect("JSON log lines"))
        .collect();
    assert!(!lines.is_empty(), "{log}");
    let finished = lines
        .iter()
        .find(|l| l["fields"]["message"] == "request finished")
        .expect("a summary line");
    assert_eq!(finished["span"]["request_id"], "log-trace-1");
    assert_eq!(finished["span"]["path"], "/ready");
    assert_eq!(finished["fields"]["status"], 200);
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let mut server = Process::serve(&[]);
    server.wait_until_listening();
    server.signal("TERM");
    let status = server.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "{status:?}: {}", server.log());
}

#[test]
fn sigterm_lets_an_in_flight_request_finish() {
    use std::io::{Read, Write};
    let mut server = Process::serve(&[("SAHIFA_SHUTDOWN_TIMEOUT", "10")]);
    let base = server.wait_until_listening();
    let address = base.trim_start_matches("http://").to_owned();
    let body = r#"{"email":"nobody@sahifa.test","password":"wrong password!!"}"#;
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{}",
        body.len(),
        &body[..10]
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    server.signal("TERM");
    std::thread::sleep(Duration::from_millis(500));
    assert!(server.child.try_wait().unwrap().is_none(), "still draining");
    stream.write_all(&body.as_bytes()[10..]).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 401"), "{response}");
    assert!(response.contains("application/problem+json"), "{response}");
    let status = server.wait_exit(Duration::from_secs(15));
    assert!(status.success(), "{status:?}");
    // New connections are refused once draining started.
    assert!(std::net::TcpStream::connect(&address).is_err());
}

#[actix_web::test]
async fn a_fresh_database_gets_an_admin_with_a_password_logged_once() {
    let data = TestData::new();
    let server = Process::serve_on(data.clone(), &[]);
    let base = server.wait_until_listening();
    let log = server.log();
    let line = log
        .lines()
        .find(|l| l.contains("generated password"))
        .unwrap_or_else(|| panic!("no password line: {log}"));
    let password = line
        .split("generated password ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let login = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "admin@localhost", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    drop(server);

    let again = Process::serve_on(data, &[]);
    again.wait_until_listening();
    assert!(!again.log().contains("generated password"), "only once");
}

#[test]
fn an_incomplete_or_weak_admin_configuration_is_refused() {
    for (vars, var) in [
        (
            vec![("SAHIFA_ADMIN_EMAIL", "a@b.test")],
            "SAHIFA_ADMIN_EMAIL and SAHIFA_ADMIN_PASSWORD",
        ),
        (
            vec![
                ("SAHIFA_ADMIN_EMAIL", "a@b.test"),
                ("SAHIFA_ADMIN_PASSWORD", "short"),
            ],
            "SAHIFA_ADMIN_PASSWORD",
        ),
        (
            vec![
                ("SAHIFA_ADMIN_EMAIL", "nope"),
                ("SAHIFA_ADMIN_PASSWORD", "long enough password"),
            ],
            "SAHIFA_ADMIN_EMAIL",
        ),
    ] {
        let (ok, _, stderr) = run(&["serve"], &vars);
        assert!(!ok);
        let last = stderr.lines().last().unwrap_or_default();
        assert!(last.starts_with(&format!("error: {var}")), "{stderr}");
    }
}

#[actix_web::test]
async fn users_create_reads_the_password_from_stdin() {
    use std::io::Write;
    let data = TestData::new();
    let create = |email: &str| {
        let mut child = sahifa_command(&data)
            .args([
                "users", "create", "--email", email, "--role", "editor", "--name", "Hala",
            ])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"an editor's password\n")
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let first = create("Hala@Newsroom.test");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("editor"));
    let second = create("hala@newsroom.test");
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("already exists"));

    let app = crate::helpers::spawn_app_in(
        data.clone(),
        &[("SAHIFA_ADMIN_EMAIL", ""), ("SAHIFA_ADMIN_PASSWORD", "")],
    )
    .await;
    let login = app
        .login("hala@newsroom.test", "an editor's password")
        .await;
    assert_eq!(login.status(), 200);
    let body: serde_json::Value = login.json().await.unwrap();
    assert_eq!(body["user"]["display_name"], "Hala");
    assert_eq!(body["user"]["role"], "editor");
}

#[actix_web::test]
async fn secrets_never_reach_the_logs() {
    let password = "a password that must stay secret";
    let server = Process::serve(&[
        ("RUST_LOG", "trace"),
        ("SAHIFA_ADMIN_EMAIL", "boss@sahifa.test"),
        ("SAHIFA_ADMIN_PASSWORD", password),
    ]);
    let base = server.wait_until_listening();
    let client = reqwest::Client::new();
    let pair: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "boss@sahifa.test", "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = pair["access_token"].as_str().unwrap();
    let refresh = pair["refresh_token"].as_str().unwrap();
    let me = client
        .get(format!("{base}/api/v1/auth/me"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let rotated: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/refresh"))
        .json(&serde_json::json!({"refresh_token": refresh}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    client
        .post(format!("{base}/api/v1/auth/logout"))
        .json(&serde_json::json!({"refresh_token": rotated["refresh_token"]}))
        .send()
        .await
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let log = server.log();
    assert!(log.contains("logged in"), "the log was captured: {log}");
    for secret in [
        password,
        access,
        refresh,
        rotated["access_token"].as_str().unwrap(),
        rotated["refresh_token"].as_str().unwrap(),
        "$argon2id$",
    ] {
        assert!(
            !log.contains(secret),
            "a secret leaked into the log: {secret}"
        );
    }
}

#[actix_web::test]
async fn demo_loads_a_newsroom_once_and_reindex_rebuilds_the_index() {
    let data = TestData::new();
    let admin = [
        ("SAHIFA_ADMIN_EMAIL", crate::helpers::ADMIN_EMAIL),
        ("SAHIFA_ADMIN_PASSWORD", crate::helpers::ADMIN_PASSWORD),
    ];
    let (ok, stdout, stderr) = run_in(&data, &["demo"], &admin);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("7 sections, 14 articles"), "{stdout}");
    let (ok, _, stderr) = run_in(&data, &["demo"], &admin);
    assert!(!ok, "only into an empty newsroom");
    assert!(stderr.contains("already has articles"), "{stderr}");
    let (ok, stdout, stderr) = run_in(&data, &["reindex"], &admin);
    assert!(ok, "{stderr}");
    assert!(
        stdout.starts_with("built a new search index of 14 articles"),
        "{stdout}"
    );

    let app = crate::helpers::spawn_app_in(data.clone(), &[]).await;
    let articles: serde_json::Value = app
        .get("/api/v1/articles?per_page=100")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        articles["meta"]["total"], 13,
        "one demo article is scheduled"
    );
    let langs: Vec<&str> = articles["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["lang"].as_str().unwrap())
        .collect();
    assert!(langs.contains(&"ar") && langs.contains(&"en"));
    let commented = articles["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["comment_count"].as_i64().unwrap() > 0)
        .unwrap();
    let comments: serde_json::Value = app
        .get(&format!("/api/v1/articles/{}/comments", commented["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(comments["meta"]["total"], commented["comment_count"]);
    let sections: serde_json::Value = app.get("/api/v1/sections").await.json().await.unwrap();
    assert_eq!(sections["meta"]["total"], 7);
    let found: serde_json::Value = app
        .get(&format!(
            "/api/v1/articles?q={}",
            crate::helpers::encode("اليابان")
        ))
        .await
        .json()
        .await
        .unwrap();
    assert!(found["meta"]["total"].as_i64().unwrap() >= 2, "{found}");
}
