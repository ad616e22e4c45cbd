//! Logging in, tokens of every bad kind, refresh rotation, revocation, rate limits.

use std::time::Instant;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, JWT_SECRET, assert_problem, json_of, spawn_app, spawn_app_in,
    spawn_app_with,
};

#[actix_web::test]
async fn logging_in_returns_a_bearer_pair_and_the_user_without_secrets() {
    let app = spawn_app().await;
    let response = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(response.headers()["cache-control"], "private, no-store");
    let body = json_of(response, StatusCode::OK).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["refresh_token"].as_str().unwrap().len(), 43);
    assert_eq!(body["user"]["email"], ADMIN_EMAIL);
    assert_eq!(body["user"]["role"], "admin");
    let text = body.to_string();
    assert!(!text.contains("password"), "{text}");
    assert!(!text.contains("argon2"), "{text}");

    let me = app
        .get_as("/api/v1/auth/me", body["access_token"].as_str().unwrap())
        .await;
    let me = json_of(me, StatusCode::OK).await;
    assert_eq!(me["email"], ADMIN_EMAIL);
}

#[actix_web::test]
async fn emails_are_case_insensitive_at_login() {
    let app = spawn_app().await;
    let response = app.login("  ADMIN@Sahifa.Test ", ADMIN_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[actix_web::test]
async fn a_wrong_email_and_a_wrong_password_are_indistinguishable() {
    let app = spawn_app().await;
    let wrong_password = app.login(ADMIN_EMAIL, "not the password at all").await;
    assert!(
        wrong_password.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let a = assert_problem(wrong_password, StatusCode::UNAUTHORIZED).await;
    let b = assert_problem(
        app.login("nobody@sahifa.test", "not the password at all")
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(a, b, "same body for both");
}

#[actix_web::test]
async fn an_unknown_email_costs_as_much_time_as_a_wrong_password() {
    let app = spawn_app().await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        app.login(ADMIN_EMAIL, "wrong password, long enough").await;
        known.push(t.elapsed());
        let t = Instant::now();
        app.login("ghost@sahifa.test", "wrong password, long enough")
            .await;
        unknown.push(t.elapsed());
    }
    known.sort();
    unknown.sort();
    let (k, u) = (known[3].as_secs_f64(), unknown[3].as_secs_f64());
    // Without the decoy hash an unknown email answers in a few percent of the time; the
    // margin absorbs the noise of other tests running on the same cores.
    assert!(
        u > k * 0.3,
        "unknown email {u:.4}s vs wrong password {k:.4}s"
    );
}

#[actix_web::test]
async fn deactivated_users_cannot_log_in() {
    let app = spawn_app().await;
    let author = app.staff("author").await;
    let patch = app
        .send(
            Method::PATCH,
            &format!("/api/v1/users/{}", author.id),
            Some(&app.admin_token),
            Some(&json!({"active": false})),
        )
        .await;
    assert_eq!(patch.status(), StatusCode::OK);
    assert_problem(
        app.login(&author.email, &author.password).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[actix_web::test]
async fn login_bodies_that_are_not_right_get_precise_problems() {
    let app = spawn_app_with(&[("SAHIFA_MAX_BODY_BYTES", "4096")]).await;
    let post = |body: &'static str, content_type: &'static str| {
        app.request(Method::POST, "/api/v1/auth/login")
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    assert_problem(
        post("{\"email\": ", "application/json").await.unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_problem(
        post("", "application/json").await.unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_problem(
        post("[1, 2]", "application/json").await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_problem(
        post("{\"email\":\"a@b.c\",\"password\":\"x\"}", "text/plain")
            .await
            .unwrap(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;
    assert_problem(
        app.request(Method::POST, "/api/v1/auth/login")
            .body("{}")
            .send()
            .await
            .unwrap(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;

    let unknown = assert_problem(
        post(
            r#"{"email":"a@b.c","password":"x","remember":true}"#,
            "application/json",
        )
        .await
        .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        unknown["errors"]["remember"][0]
            .as_str()
            .unwrap()
            .contains("unknown field"),
        "{unknown}"
    );

    let missing = assert_problem(
        post(r#"{"email":"a@b.c"}"#, "application/json")
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(missing["errors"]["password"].is_array(), "{missing}");

    let wrong_type = assert_problem(
        post(r#"{"email":42,"password":"x"}"#, "application/json")
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(wrong_type["errors"]["email"].is_array(), "{wrong_type}");

    let empty = assert_problem(
        post(r#"{"email":"   ","password":""}"#, "application/json")
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        empty["errors"]["email"].is_array() && empty["errors"]["password"].is_array(),
        "{empty}"
    );

    // A huge password is refused before anything hashes it.
    let huge = json!({"email": ADMIN_EMAIL, "password": "p".repeat(3000)});
    assert_problem(
        app.send(Method::POST, "/api/v1/auth/login", None, Some(&huge))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let too_big = json!({"email": ADMIN_EMAIL, "password": "p".repeat(5000)});
    assert_problem(
        app.send(Method::POST, "/api/v1/auth/login", None, Some(&too_big))
            .await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
}

fn craft(claims: &Value, secret: &[u8], algorithm: Algorithm) -> String {
    jsonwebtoken::encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

#[actix_web::test]
async fn every_kind_of_bad_token_is_a_401_with_www_authenticate() {
    let app = spawn_app().await;
    let now = chrono::Utc::now().timestamp();
    let claims = |exp: i64| json!({"sub": "1", "role": "admin", "iat": now - 10, "exp": exp, "jti": "x", "ver": 1});
    let b64 = |v: &Value| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let alg_none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&claims(now + 600))
    );
    let valid_for_reference = craft(&claims(now + 600), JWT_SECRET.as_bytes(), Algorithm::HS256);
    assert_eq!(
        app.get_as("/api/v1/auth/me", &valid_for_reference)
            .await
            .status(),
        StatusCode::OK,
        "the crafted reference token is valid"
    );
    let cases = [
        ("alg none", format!("Bearer {alg_none}")),
        (
            "other secret",
            format!(
                "Bearer {}",
                craft(
                    &claims(now + 600),
                    b"another secret entirely, 32 bytes",
                    Algorithm::HS256
                )
            ),
        ),
        (
            "other algorithm",
            format!(
                "Bearer {}",
                craft(&claims(now + 600), JWT_SECRET.as_bytes(), Algorithm::HS512)
            ),
        ),
        (
            "expired",
            format!(
                "Bearer {}",
                craft(&claims(now - 3600), JWT_SECRET.as_bytes(), Algorithm::HS256)
            ),
        ),
        (
            "unknown user",
            format!(
                "Bearer {}",
                craft(
                    &json!({"sub": "999", "role": "admin", "iat": now, "exp": now + 600, "jti": "x", "ver": 1}),
                    JWT_SECRET.as_bytes(),
                    Algorithm::HS256
                )
            ),
        ),
        (
            "wrong role claim",
            format!(
                "Bearer {}",
                craft(
                    &json!({"sub": "1", "role": "author", "iat": now, "exp": now + 600, "jti": "x", "ver": 1}),
                    JWT_SECRET.as_bytes(),
                    Algorithm::HS256
                )
            ),
        ),
        ("garbage", "Bearer not-a-jwt".to_owned()),
        ("empty bearer", "Bearer ".to_owned()),
        ("basic scheme", "Basic YWRtaW46YWRtaW4=".to_owned()),
        ("no scheme", valid_for_reference.clone()),
    ];
    for (name, header) in cases {
        let response = app
            .request(Method::GET, "/api/v1/auth/me")
            .header("authorization", header)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{name}");
        assert!(
            response.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer"),
            "{name}"
        );
        assert_problem(response, StatusCode::UNAUTHORIZED).await;
    }
    assert_problem(app.get("/api/v1/auth/me").await, StatusCode::UNAUTHORIZED).await;
}

async fn refresh(app: &crate::helpers::TestApp, token: &str) -> reqwest::Response {
    app.send(
        Method::POST,
        "/api/v1/auth/refresh",
        None,
        Some(&json!({"refresh_token": token})),
    )
    .await
}

#[actix_web::test]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_the_whole_login() {
    let app = spawn_app().await;
    let author = app.staff("author").await;
    let first = json_of(refresh(&app, &author.refresh_token).await, StatusCode::OK).await;
    let second_token = first["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second_token, author.refresh_token);
    assert_eq!(
        app.get_as("/api/v1/auth/me", first["access_token"].as_str().unwrap())
            .await
            .status(),
        StatusCode::OK
    );

    // The first token again: a replay. The whole family dies, including the successor.
    let replay = assert_problem(
        refresh(&app, &author.refresh_token).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(
        replay["detail"].as_str().unwrap().contains("revoked"),
        "{replay}"
    );
    assert_problem(refresh(&app, &second_token).await, StatusCode::UNAUTHORIZED).await;

    // Another login of the same user is a different family and keeps working.
    let other: Value = app
        .login(&author.email, &author.password)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        refresh(&app, other["refresh_token"].as_str().unwrap())
            .await
            .status(),
        StatusCode::OK
    );
}

#[actix_web::test]
async fn unknown_or_malformed_refresh_tokens_are_refused() {
    let app = spawn_app().await;
    assert_problem(
        refresh(&app, "made-up-token").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_problem(
        app.send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(&json!({"refresh_token": ""})),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_problem(
        app.send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(&json!({"token": "x"})),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}

#[actix_web::test]
async fn logout_revokes_the_session_and_reveals_nothing() {
    let app = spawn_app().await;
    let editor = app.staff("editor").await;
    let body = json!({"refresh_token": editor.refresh_token});
    let out = app
        .send(Method::POST, "/api/v1/auth/logout", None, Some(&body))
        .await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_problem(
        refresh(&app, &editor.refresh_token).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let unknown = json!({"refresh_token": "never-issued"});
    let out = app
        .send(Method::POST, "/api/v1/auth/logout", None, Some(&unknown))
        .await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_problem(
        app.send(Method::POST, "/api/v1/auth/logout", None, Some(&json!({})))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}

#[actix_web::test]
async fn deactivation_role_change_and_password_reset_end_sessions_on_the_next_request() {
    let app = spawn_app().await;
    for change in [
        json!({"active": false}),
        json!({"role": "editor"}),
        json!({"password": "a brand new password"}),
    ] {
        let author = app.staff("author").await;
        assert_eq!(
            app.get_as("/api/v1/auth/me", &author.token).await.status(),
            StatusCode::OK
        );
        let patch = app
            .send(
                Method::PATCH,
                &format!("/api/v1/users/{}", author.id),
                Some(&app.admin_token),
                Some(&change),
            )
            .await;
        assert_eq!(patch.status(), StatusCode::OK, "{change}");
        assert_problem(
            app.get_as("/api/v1/auth/me", &author.token).await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
        assert_problem(
            refresh(&app, &author.refresh_token).await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }
}

#[actix_web::test]
async fn a_user_changes_their_own_password_with_the_current_one() {
    let app = spawn_app().await;
    let author = app.staff("author").await;
    let wrong =
        json!({"current_password": "not my password", "new_password": "my new long password"});
    let refused = assert_problem(
        app.send(
            Method::POST,
            "/api/v1/auth/password",
            Some(&author.token),
            Some(&wrong),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        refused["errors"]["current_password"].is_array(),
        "{refused}"
    );
    let short = json!({"current_password": author.password, "new_password": "short"});
    let refused = assert_problem(
        app.send(
            Method::POST,
            "/api/v1/auth/password",
            Some(&author.token),
            Some(&short),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(refused["errors"]["new_password"].is_array(), "{refused}");
    // Nothing changed: the old password still works.
    assert_eq!(
        app.login(&author.email, &author.password).await.status(),
        StatusCode::OK
    );

    let good = json!({"current_password": author.password, "new_password": "my new long password"});
    let pair = json_of(
        app.send(
            Method::POST,
            "/api/v1/auth/password",
            Some(&author.token),
            Some(&good),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        app.get_as("/api/v1/auth/me", pair["access_token"].as_str().unwrap())
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get_as("/api/v1/auth/me", &author.token).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        refresh(&app, &author.refresh_token).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(&author.email, &author.password).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(&author.email, "my new long password")
            .await
            .status(),
        StatusCode::OK
    );
    assert_problem(
        app.send(Method::POST, "/api/v1/auth/password", None, Some(&good))
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[actix_web::test]
async fn a_user_renames_themselves_with_lost_update_protection() {
    let app = spawn_app().await;
    let author = app.staff("author").await;
    let me = app.get_as("/api/v1/auth/me", &author.token).await;
    let etag = me.headers()["etag"].to_str().unwrap().to_owned();
    let not_modified = app
        .request(Method::GET, "/api/v1/auth/me")
        .bearer_auth(&author.token)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(not_modified.status(), StatusCode::NOT_MODIFIED);

    let rename = |name: &str, tag: &str| {
        app.request(Method::PATCH, "/api/v1/auth/me")
            .bearer_auth(&author.token)
            .header("if-match", tag.to_owned())
            .json(&json!({"display_name": name}))
            .send()
    };
    let renamed = json_of(rename("  سارة  ", &etag).await.unwrap(), StatusCode::OK).await;
    assert_eq!(renamed["display_name"], "سارة");
    // The old ETag is stale now: 412, and the name stays.
    assert_problem(
        rename("Other", &etag).await.unwrap(),
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    let me = json_of(
        app.get_as("/api/v1/auth/me", &author.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(me["display_name"], "سارة");

    for bad in [
        json!({"display_name": ""}),
        json!({"display_name": "x".repeat(101)}),
        json!({"role": "admin"}),
        json!({"email": "me@x.y"}),
    ] {
        assert_problem(
            app.send(
                Method::PATCH,
                "/api/v1/auth/me",
                Some(&author.token),
                Some(&bad),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let me_after = json_of(
        app.get_as("/api/v1/auth/me", &author.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(me_after, me, "bad input changed nothing");
}

#[actix_web::test]
async fn logins_are_rate_limited_per_account() {
    let app = spawn_app_with(&[("SAHIFA_LOGIN_RATE_PER_ACCOUNT", "3")]).await;
    // spawn_app already logged the admin in once.
    for _ in 0..2 {
        assert_eq!(
            app.login(ADMIN_EMAIL, "wrong password!!").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_problem(limited, StatusCode::TOO_MANY_REQUESTS).await;
    // Other accounts are not affected.
    assert_eq!(
        app.login("someone@else.test", "wrong password!!")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[actix_web::test]
async fn logins_are_rate_limited_per_client_address() {
    let app = spawn_app_with(&[("SAHIFA_LOGIN_RATE_PER_IP", "3")]).await;
    for n in 0..2 {
        let status = app
            .login(&format!("user{n}@x.test"), "wrong password!!")
            .await
            .status();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let limited = app.login("user9@x.test", "wrong password!!").await;
    assert!(limited.headers().contains_key("retry-after"));
    assert_problem(limited, StatusCode::TOO_MANY_REQUESTS).await;
}

#[actix_web::test]
async fn a_trusted_proxy_header_decides_the_client_address_only_when_configured() {
    let app = spawn_app_with(&[
        ("SAHIFA_LOGIN_RATE_PER_IP", "1"),
        ("SAHIFA_CLIENT_IP_HEADER", "X-Forwarded-For"),
    ])
    .await;
    let login_from = |ip: &'static str| {
        app.request(Method::POST, "/api/v1/auth/login")
            .header("x-forwarded-for", format!("6.6.6.6, {ip}"))
            .json(&json!({"email": "x@y.test", "password": "wrong password!!"}))
            .send()
    };
    assert_eq!(
        login_from("10.0.0.1").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_from("10.0.0.1").await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // The address the proxy appended (the last one) is the client, not the spoofable first.
    assert_eq!(
        login_from("10.0.0.2").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

#[actix_web::test]
async fn the_generated_token_secret_survives_a_restart() {
    let first = spawn_app_with(&[("SAHIFA_JWT_SECRET", "")]).await;
    let token = first.admin_token.clone();
    assert_eq!(
        first.get_as("/api/v1/auth/me", &token).await.status(),
        StatusCode::OK
    );
    let second = spawn_app_in(first.data.clone(), &[("SAHIFA_JWT_SECRET", "")]).await;
    assert_eq!(
        second.get_as("/api/v1/auth/me", &token).await.status(),
        StatusCode::OK
    );
    // And it is not the test secret: a token signed with that is refused.
    let now = chrono::Utc::now().timestamp();
    let forged = craft(
        &json!({"sub": "1", "role": "admin", "iat": now, "exp": now + 600, "jti": "x", "ver": 1}),
        JWT_SECRET.as_bytes(),
        Algorithm::HS256,
    );
    assert_eq!(
        second.get_as("/api/v1/auth/me", &forged).await.status(),
        StatusCode::UNAUTHORIZED
    );
}
