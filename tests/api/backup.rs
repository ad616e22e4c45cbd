//! `sahifa backup` and `sahifa restore` on the SQLite store.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Process, TestData, json_of, sahifa_command, spawn_app_in,
};

fn sahifa(data: &TestData, args: &[&str]) -> (bool, String) {
    let output = sahifa_command(data).args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[actix_web::test]
async fn a_backup_taken_during_writes_restores_to_a_server_with_the_same_content() {
    let source = TestData::sqlite();
    let app = spawn_app_in(source.clone(), &[]).await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    for n in 0..5 {
        app.published(section, &format!("قبل النسخ {n}"), json!({}))
            .await;
    }
    let backup_file = source.dir.path().join("backup.db");
    let backup = {
        let source = source.clone();
        let file = backup_file.clone();
        actix_web::rt::task::spawn_blocking(move || {
            // Give the writer below a head start, so the copy runs while it writes.
            std::thread::sleep(std::time::Duration::from_millis(50));
            sahifa(&source, &["backup", file.to_str().unwrap()])
        })
    };
    for n in 0..30 {
        app.published(
            section,
            &format!("أثناء النسخ {n}"),
            json!({"tags": ["نسخ"]}),
        )
        .await;
    }
    let (ok, out) = backup.await.unwrap();
    assert!(ok, "{out}");
    assert!(
        out.contains("backed up to") && out.contains("verified"),
        "{out}"
    );

    let restored = TestData::sqlite();
    let (ok, out) = sahifa(&restored, &["restore", backup_file.to_str().unwrap()]);
    assert!(ok, "{out}");
    let copy = spawn_app_in(restored, &[]).await;
    let listed = json_of(
        copy.get("/api/v1/articles?per_page=100").await,
        StatusCode::OK,
    )
    .await;
    let total = listed["meta"]["total"].as_i64().unwrap();
    assert!((5..=35).contains(&total), "a consistent snapshot: {total}");
    // Every article in the backup is exactly the source's, comments and tags included.
    for article in listed["data"].as_array().unwrap() {
        let path = format!("/api/v1/articles/{}", article["id"]);
        let original: Value = json_of(app.get(&path).await, StatusCode::OK).await;
        let restored: Value = json_of(copy.get(&path).await, StatusCode::OK).await;
        assert_eq!(original, restored);
    }
    // The restored server works: logins, writes, search.
    let article = copy.published(section, "بعد الاستعادة", json!({})).await;
    assert!(article["id"].as_i64().unwrap() > total);
    let found = json_of(
        copy.get(&format!(
            "/api/v1/articles?q={}",
            crate::helpers::encode("الاستعادة")
        ))
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["meta"]["total"], 1);
}

#[actix_web::test]
async fn a_restore_refuses_a_database_in_use_a_bad_backup_and_an_existing_backup_file() {
    let data = TestData::sqlite();
    let app = spawn_app_in(data.clone(), &[]).await;
    app.section("العالم", None).await;
    let file = data.dir.path().join("backup.db");
    assert!(sahifa(&data, &["backup", file.to_str().unwrap()]).0);
    let (ok, out) = sahifa(&data, &["backup", file.to_str().unwrap()]);
    assert!(!ok && out.contains("already exists"), "{out}");

    let (ok, out) = sahifa(&data, &["restore", file.to_str().unwrap()]);
    assert!(!ok, "{out}");
    assert!(out.contains("in use"), "{out}");

    let garbage = data.dir.path().join("garbage.db");
    std::fs::write(&garbage, b"this is not a database at all, not even close").unwrap();
    let elsewhere = TestData::sqlite();
    let (ok, out) = sahifa(&elsewhere, &["restore", garbage.to_str().unwrap()]);
    assert!(!ok && out.contains("not a usable Sahifa backup"), "{out}");
    assert!(!elsewhere.sqlite_path().exists(), "nothing was written");
    let (ok, out) = sahifa(&elsewhere, &["restore", "/no/such/backup.db"]);
    assert!(!ok && out.contains("no such file"), "{out}");
}

#[actix_web::test]
async fn a_restore_replaces_the_data_and_drops_the_old_write_ahead_log() {
    let data = TestData::sqlite();
    let file = data.dir.path().join("backup.db");
    let admin = [
        ("SAHIFA_ADMIN_EMAIL", ADMIN_EMAIL),
        ("SAHIFA_ADMIN_PASSWORD", ADMIN_PASSWORD),
    ];
    let client = reqwest::Client::new();
    let mut server = Process::serve_on(data.clone(), &admin);
    let base = server.wait_until_listening();
    let login: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap();
    let add = |name: &'static str| {
        client
            .post(format!("{base}/api/v1/sections"))
            .bearer_auth(token)
            .json(&json!({"name": name}))
            .send()
    };
    assert_eq!(add("قبل").await.unwrap().status(), StatusCode::CREATED);
    assert!(sahifa(&data, &["backup", file.to_str().unwrap()]).0);
    assert_eq!(add("بعد").await.unwrap().status(), StatusCode::CREATED);
    // The second section is in the write-ahead log, not yet in the database file.
    assert!(data.dir.path().join("sahifa.db-wal").exists());
    server.child.kill().unwrap();
    server.wait_exit(std::time::Duration::from_secs(10));

    let (ok, out) = sahifa(&data, &["restore", file.to_str().unwrap()]);
    assert!(ok, "{out}");
    let app = spawn_app_in(data.clone(), &[]).await;
    let sections = json_of(app.get("/api/v1/sections").await, StatusCode::OK).await;
    assert_eq!(sections["meta"]["total"], 1);
    assert_eq!(sections["data"][0]["name"], "قبل");
}

#[test]
fn postgresql_backups_are_pg_dump() {
    let data = TestData::sqlite();
    let output = sahifa_command(&data)
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .args(["backup", "x.db"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("pg_dump"));
}
