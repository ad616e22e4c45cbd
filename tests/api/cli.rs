//! The `sahifa` binary: start-up errors, subcommands, logs, signals.

use std::net::TcpListener;
use std::time::Duration;

use crate::helpers::{Process, sahifa_command};

/// Runs `sahifa ARGS` with `vars` to completion; returns (success, stdout, stderr).
fn run(args: &[&str], vars: &[(&str, &str)]) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    run_in(dir.path(), args, vars)
}

fn run_in(dir: &std::path::Path, args: &[&str], vars: &[(&str, &str)]) -> (bool, String, String) {
    let mut command = sahifa_command(dir);
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
    let dir = tempfile::tempdir().unwrap();
    let (ok, stdout, stderr) = run_in(dir.path(), &["migrate"], &[]);
    assert!(ok, "{stderr}");
    assert!(stdout.starts_with("applied "), "{stdout}");
    assert!(!stdout.starts_with("applied 0 "), "{stdout}");
    assert!(dir.path().join("sahifa.db").exists());
    let (ok, stdout, _) = run_in(dir.path(), &["migrate"], &[]);
    assert!(ok);
    assert!(stdout.starts_with("applied 0 migration(s)"), "{stdout}");
}

#[test]
fn a_database_from_a_newer_binary_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert!(run_in(dir.path(), &["migrate"], &[]).0);
    let db = dir.path().join("sahifa.db");
    {
        use diesel::{Connection, RunQueryDsl, sqlite::SqliteConnection};
        let mut conn = SqliteConnection::establish(db.to_str().unwrap()).unwrap();
        diesel::sql_query(
            "INSERT INTO __diesel_schema_migrations (version) VALUES ('29991231000000')",
        )
        .execute(&mut conn)
        .unwrap();
    }
    for command in ["migrate", "serve"] {
        let (ok, _, stderr) = run_in(dir.path(), &[command], &[]);
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
