//! The media library: uploads (multipart and raw), what is refused and why, metadata that
//! never reaches readers, renditions, the file server, roles, articles that use media, and
//! the S3 store (against a real S3-compatible server when `SAHIFA_TEST_S3_ENDPOINT` is set).

use std::io::Cursor;
use std::time::Duration;

use image::{DynamicImage, ImageFormat, RgbImage};
use reqwest::{Method, StatusCode, multipart};
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_problem, assert_problem_type, json_of, spawn_app, spawn_app_with,
};

/// A photo-like image: gradients, so encoders have something to do.
fn picture(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x * 255 / width.max(1)) as u8,
            (y * 255 / height.max(1)) as u8,
            ((x + y) % 256) as u8,
        ])
    }))
}

fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    image.write_to(&mut Cursor::new(&mut out), format).unwrap();
    out
}

/// A JPEG carrying EXIF with a GPS position, a camera serial number, a copyright and an
/// orientation of 6 (rotate 90° clockwise to display), as a phone would write it.
pub(crate) fn jpeg_with_gps(width: u32, height: u32) -> Vec<u8> {
    use exif::experimental::Writer;
    use exif::{Field, In, Rational, Tag, Value as ExifValue};
    let rational = |n: u32| Rational { num: n, denom: 1 };
    let fields = [
        Field {
            tag: Tag::Orientation,
            ifd_num: In::PRIMARY,
            value: ExifValue::Short(vec![6]),
        },
        Field {
            tag: Tag::Copyright,
            ifd_num: In::PRIMARY,
            value: ExifValue::Ascii(vec![b"Agence Photo Test".to_vec()]),
        },
        Field {
            tag: Tag::BodySerialNumber,
            ifd_num: In::PRIMARY,
            value: ExifValue::Ascii(vec![b"SN-4815162342".to_vec()]),
        },
        Field {
            tag: Tag::GPSLatitudeRef,
            ifd_num: In::PRIMARY,
            value: ExifValue::Ascii(vec![b"N".to_vec()]),
        },
        Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: ExifValue::Rational(vec![rational(33), rational(53), rational(20)]),
        },
        Field {
            tag: Tag::GPSLongitudeRef,
            ifd_num: In::PRIMARY,
            value: ExifValue::Ascii(vec![b"E".to_vec()]),
        },
        Field {
            tag: Tag::GPSLongitude,
            ifd_num: In::PRIMARY,
            value: ExifValue::Rational(vec![rational(35), rational(30), rational(5)]),
        },
    ];
    let mut writer = Writer::new();
    for field in &fields {
        writer.push_field(field);
    }
    let mut tiff = Cursor::new(Vec::new());
    writer.write(&mut tiff, false).unwrap();
    let tiff = tiff.into_inner();
    let plain = encoded(&picture(width, height), ImageFormat::Jpeg);
    // APP1 "Exif\0\0" + TIFF, right after SOI.
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

/// Whether bytes hold an EXIF block with GPS, read by kamadak-exif (and by exiftool when it
/// is installed: an independent reader).
pub(crate) fn has_gps(bytes: &[u8]) -> bool {
    let by_exif = exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .map(|e| {
            e.fields()
                .any(|f| f.ifd_num == exif::In::PRIMARY && format!("{}", f.tag).starts_with("GPS"))
        })
        .unwrap_or(false);
    let by_exiftool = exiftool_gps(bytes);
    by_exif || by_exiftool.unwrap_or(false)
}

/// exiftool's verdict, `None` when it is not installed (CI installs it and requires it).
fn exiftool_gps(bytes: &[u8]) -> Option<bool> {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    let output = std::process::Command::new("exiftool")
        .args(["-j", "-G", "-a"])
        .arg(file.path())
        .output();
    match output {
        Ok(out) if out.status.success() || !out.stdout.is_empty() => {
            let text = String::from_utf8_lossy(&out.stdout);
            Some(text.contains("GPS") || text.contains("SerialNumber"))
        }
        _ => {
            assert!(
                std::env::var("CI").is_err(),
                "exiftool is needed in CI (Debian: libimage-exiftool-perl)"
            );
            None
        }
    }
}

async fn upload_form(app: &TestApp, token: &str, form: multipart::Form) -> reqwest::Response {
    app.request(Method::POST, "/api/v1/media")
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn upload_raw(
    app: &TestApp,
    token: &str,
    bytes: Vec<u8>,
    content_type: &str,
    query: &str,
) -> reqwest::Response {
    app.request(Method::POST, &format!("/api/v1/media{query}"))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await
        .unwrap()
}

fn file_part(bytes: Vec<u8>, name: &str) -> multipart::Part {
    multipart::Part::bytes(bytes).file_name(name.to_owned())
}

async fn fetch(app: &TestApp, url: &str) -> reqwest::Response {
    app.get(url).await
}

async fn media_count(app: &TestApp) -> i64 {
    let list = json_of(
        app.get_as("/api/v1/media", &app.admin_token).await,
        StatusCode::OK,
    )
    .await;
    list["meta"]["total"].as_i64().unwrap()
}

#[actix_web::test]
async fn a_phone_photo_loses_its_gps_keeps_its_credit_and_is_turned_upright() {
    let app = spawn_app().await;
    let original = jpeg_with_gps(1400, 700);
    assert!(has_gps(&original), "the test image carries GPS");
    let form = multipart::Form::new()
        .part("file", file_part(original, "IMG_0001.JPG"))
        .text("alt", "وزيرا الدفاع في طوكيو")
        .text("caption", "خلال المؤتمر الصحفي")
        .text("lang", "ar");
    let item = json_of(
        upload_form(&app, &app.admin_token, form).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(item["status"], "ready", "{item}");
    assert_eq!(item["format"], "jpeg");
    assert_eq!(item["filename"], "IMG_0001.JPG");
    // Orientation 6: a 1400 × 700 sensor image displays as 700 × 1400.
    assert_eq!(
        (item["width"].as_i64(), item["height"].as_i64()),
        (Some(700), Some(1400))
    );
    assert_eq!(
        item["credit"], "Agence Photo Test",
        "the embedded copyright becomes the credit"
    );
    assert!(item["placeholder"].as_str().is_some_and(|p| p.len() >= 6));
    assert!(
        item["dominant_color"]
            .as_str()
            .is_some_and(|c| c.starts_with('#'))
    );
    let renditions = item["renditions"].as_array().unwrap();
    let widths: Vec<(i64, &str)> = renditions
        .iter()
        .filter(|r| r["crop"].is_null())
        .map(|r| (r["width"].as_i64().unwrap(), r["format"].as_str().unwrap()))
        .collect();
    assert!(
        widths.contains(&(640, "webp")) && widths.contains(&(640, "jpeg")),
        "{widths:?}"
    );
    assert!(
        widths.iter().all(|(w, _)| *w <= 700),
        "never larger than the source: {widths:?}"
    );
    assert!(renditions.iter().any(|r| r["crop"] == "16x9"));
    // Every file a reader can fetch is free of GPS, serial numbers and any EXIF.
    let mut urls: Vec<String> = renditions
        .iter()
        .map(|r| r["url"].as_str().unwrap().to_owned())
        .collect();
    urls.push(item["original"]["url"].as_str().unwrap().to_owned());
    for url in urls {
        let response = fetch(&app, &url).await;
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        let bytes = response.bytes().await.unwrap();
        assert!(!has_gps(&bytes), "{url} carries GPS");
        assert!(
            !bytes.windows(4).any(|w| w == b"Exif"),
            "{url} carries an EXIF block"
        );
    }
}

#[actix_web::test]
async fn files_are_served_immutable_with_etags_and_ranges() {
    let app = spawn_app().await;
    let item = json_of(
        upload_raw(
            &app,
            &app.admin_token,
            encoded(&picture(400, 300), ImageFormat::Png),
            "image/png",
            "?filename=chart.png&alt=chart",
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let url = item["renditions"][0]["url"].as_str().unwrap().to_owned();
    let whole = fetch(&app, &url).await;
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(
        whole.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    let etag = whole.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"'), "a strong ETag: {etag}");
    let body = whole.bytes().await.unwrap();
    let part = app
        .request(Method::GET, &url)
        .header("range", "bytes=0-9")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 0-9/{}", body.len()).as_str()
    );
    assert_eq!(part.bytes().await.unwrap(), body.slice(0..10));
    let again = app
        .request(Method::GET, &url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let past = app
        .request(Method::GET, &url)
        .header("range", format!("bytes={}-", body.len() + 10))
        .send()
        .await
        .unwrap();
    assert_eq!(past.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    // A guessed name is not found.
    assert_eq!(
        fetch(&app, &format!("/media/{}/w640.webp", "0".repeat(40)))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // Equal uploads share their files.
    let twin = json_of(
        upload_raw(
            &app,
            &app.admin_token,
            encoded(&picture(400, 300), ImageFormat::Png),
            "image/png",
            "",
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(twin["renditions"][0]["url"], item["renditions"][0]["url"]);
}

#[actix_web::test]
async fn the_type_comes_from_the_bytes_not_the_name() {
    let app = spawn_app().await;
    let png = encoded(&picture(50, 40), ImageFormat::Png);
    let form = multipart::Form::new().part(
        "file",
        file_part(png, "photo.jpg").mime_str("image/jpeg").unwrap(),
    );
    let item = json_of(
        upload_form(&app, &app.admin_token, form).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(item["format"], "png");
    assert_eq!(item["mime_type"], "image/png");
    let gif = encoded(&picture(30, 30), ImageFormat::Gif);
    let item = json_of(
        upload_raw(&app, &app.admin_token, gif, "application/octet-stream", "").await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(item["format"], "gif");
}

/// A PNG whose header announces `width` × `height` but whose data is a 1 × 1 image: what a
/// decompression bomb looks like to a server that trusts headers.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut png = encoded(&picture(1, 1), ImageFormat::Png);
    // IHDR data starts at byte 16 (signature 8, length 4, type 4); its CRC follows 13 bytes.
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[actix_web::test]
async fn bad_uploads_get_a_problem_and_store_nothing() {
    let app = spawn_app_with(&[("SAHIFA_MEDIA_MAX_BYTES", "200000")]).await;
    let token = app.admin_token.clone();
    let mut truncated = encoded(&picture(300, 200), ImageFormat::Jpeg);
    truncated.truncate(truncated.len() * 2 / 3);
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>".to_vec();
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        (
            "a 1 x 60000 strip",
            png_claiming(1, 60_000),
            "image/png",
            "image-too-large",
        ),
        (
            "a 10000 x 10000 bomb",
            png_claiming(10_000, 10_000),
            "image/png",
            "image-too-large",
        ),
        ("a truncated JPEG", truncated, "image/jpeg", "invalid-image"),
        (
            "an SVG with a script",
            svg.clone(),
            "image/svg+xml",
            "unsupported-image",
        ),
        ("a zero-byte file", Vec::new(), "image/png", "invalid-image"),
        (
            "a file over the limit",
            vec![0xFF; 300_000],
            "image/jpeg",
            "upload-too-large",
        ),
    ];
    for (what, bytes, content_type, problem) in cases {
        // Raw, and as a form.
        let raw = upload_raw(&app, &token, bytes.clone(), content_type, "").await;
        let body = assert_problem_type(raw, problem).await;
        assert!(body["detail"].is_string(), "{what}: {body}");
        let form = multipart::Form::new().part("file", file_part(bytes, "upload"));
        assert_problem_type(upload_form(&app, &token, form).await, problem).await;
    }
    // A form without a file part.
    let form = multipart::Form::new().text("alt", "no file here");
    let body = assert_problem(
        upload_form(&app, &token, form).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(body["errors"]["file"].is_array(), "{body}");
    // A text field that breaks its rule, and an unknown part.
    let png = encoded(&picture(20, 20), ImageFormat::Png);
    let form = multipart::Form::new()
        .part("file", file_part(png.clone(), "a.png"))
        .text("focal_x", "2.5");
    assert_problem(
        upload_form(&app, &token, form).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let form = multipart::Form::new()
        .part("file", file_part(png, "a.png"))
        .text("owner", "someone");
    assert_problem(
        upload_form(&app, &token, form).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(media_count(&app).await, 0, "nothing was stored");
    let stored = std::fs::read_dir(app.data.dir.path().join("media"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(stored, 0, "no file was stored");
}

#[actix_web::test]
async fn large_images_are_processed_by_a_job() {
    let app = spawn_app_with(&[
        ("SAHIFA_MEDIA_INLINE_PIXELS", "1000"),
        ("SAHIFA_JOB_POLL_MS", "50"),
    ])
    .await;
    let item = json_of(
        upload_raw(
            &app,
            &app.admin_token,
            encoded(&picture(800, 500), ImageFormat::Jpeg),
            "image/jpeg",
            "",
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(item["status"], "processing");
    assert_eq!(item["renditions"], json!([]));
    let id = item["id"].as_i64().unwrap();
    let mut ready = Value::Null;
    for _ in 0..200 {
        ready = json_of(
            app.get_as(&format!("/api/v1/media/{id}"), &app.admin_token)
                .await,
            StatusCode::OK,
        )
        .await;
        if ready["status"] == "ready" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(ready["status"], "ready", "{ready}");
    let widths: Vec<i64> = ready["renditions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["crop"].is_null() && r["format"] == "webp")
        .map(|r| r["width"].as_i64().unwrap())
        .collect();
    assert_eq!(widths, [640, 320]);
}

#[actix_web::test]
async fn staff_only_and_authors_change_only_their_own() {
    let app = spawn_app().await;
    let png = || encoded(&picture(30, 20), ImageFormat::Png);
    let anonymous = app
        .request(Method::POST, "/api/v1/media")
        .header("content-type", "image/png")
        .body(png())
        .send()
        .await
        .unwrap();
    assert_problem_type(anonymous, "authentication-required").await;
    assert_problem_type(app.get("/api/v1/media").await, "authentication-required").await;
    let author = app.staff("author").await;
    let other = app.staff("author").await;
    let editor = app.staff("editor").await;
    let mine = json_of(
        upload_raw(&app, &author.token, png(), "image/png", "?alt=mine").await,
        StatusCode::CREATED,
    )
    .await;
    let id = mine["id"].as_i64().unwrap();
    assert_problem_type(
        app.get(&format!("/api/v1/media/{id}")).await,
        "authentication-required",
    )
    .await;
    let path = format!("/api/v1/media/{id}");
    let change = json!({"alt": "changed", "translations": [{"lang": "en", "alt": "in English"}]});
    let denied = app
        .send(Method::PATCH, &path, Some(&other.token), Some(&change))
        .await;
    assert_problem_type(denied, "workflow-forbidden").await;
    let denied = app
        .send(Method::DELETE, &path, Some(&other.token), None)
        .await;
    assert_problem_type(denied, "workflow-forbidden").await;
    let own = json_of(
        app.send(Method::PATCH, &path, Some(&author.token), Some(&change))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(own["alt"], "changed");
    assert_eq!(
        own["translations"],
        json!([{"lang": "en", "alt": "in English", "caption": null}])
    );
    let by_editor = json_of(
        app.send(
            Method::PATCH,
            &path,
            Some(&editor.token),
            Some(&json!({"credit": "AFP", "focal_point": {"x": 0.2, "y": 0.8}})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(by_editor["credit"], "AFP");
    assert_eq!(by_editor["focal_point"], json!({"x": 0.2, "y": 0.8}));
    let bad = app
        .send(
            Method::PATCH,
            &path,
            Some(&editor.token),
            Some(&json!({"focal_point": {"x": 3, "y": 0}})),
        )
        .await;
    assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    let bad = app
        .send(
            Method::PATCH,
            &path,
            Some(&editor.token),
            Some(&json!({"translations": {"not a tag!": {"alt": "x"}}})),
        )
        .await;
    assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    // Search and filters.
    let found = json_of(
        app.get_as("/api/v1/media?q=changed", &other.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["meta"]["total"], 1);
    let found = json_of(
        app.get_as("/api/v1/media?q=English", &other.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["meta"]["total"], 1, "translations are searched");
    let found = json_of(
        app.get_as(
            &format!("/api/v1/media?uploader={}", other.id),
            &other.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["meta"]["total"], 0);
    let found = json_of(
        app.get_as("/api/v1/media?type=jpeg", &other.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["meta"]["total"], 0);
    let gone = app
        .send(Method::DELETE, &path, Some(&author.token), None)
        .await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    assert_problem_type(app.get_as(&path, &author.token).await, "not-found").await;
}

#[actix_web::test]
async fn articles_show_their_media_and_a_used_item_is_not_deleted_by_accident() {
    let app = spawn_app().await;
    let section = app.section("صور", None).await;
    let section_id = section["id"].as_i64().unwrap();
    let item = json_of(
        upload_raw(
            &app,
            &app.admin_token,
            encoded(&picture(1000, 600), ImageFormat::Jpeg),
            "image/jpeg",
            "?alt=%D9%88%D8%B2%D9%8A%D8%B1&credit=Reuters&lang=ar",
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = item["id"].as_i64().unwrap();
    let media_path = format!("/api/v1/media/{id}");
    json_of(
        app.send(
            Method::PATCH,
            &media_path,
            Some(&app.admin_token),
            Some(&json!({"translations": [{"lang": "en", "alt": "The minister", "caption": "In Tokyo"}]})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let arabic = app
        .published(section_id, "مقال بصورة", json!({"featured_media_id": id}))
        .await;
    assert_eq!(arabic["featured_media"]["alt"], "وزير");
    assert_eq!(arabic["featured_media"]["credit"], "Reuters");
    let english = app
        .published(
            section_id,
            "An article with the photo",
            json!({"lang": "en", "body": format!("Text.\n\n![the minister](media:{id})\n"), "featured_media_id": id}),
        )
        .await;
    assert_eq!(english["featured_media"]["alt"], "The minister");
    assert_eq!(english["featured_media"]["caption"], "In Tokyo");
    assert!(
        english["featured_media"]["renditions"]
            .as_array()
            .is_some_and(|r| !r.is_empty()),
        "{english}"
    );
    let html = english["body_html"].as_str().unwrap();
    assert!(html.contains("<img") && html.contains("/media/"), "{html}");
    // Readers see it in public reads too.
    let public = app
        .get(&format!("/api/v1/articles/{}", english["id"]))
        .await;
    let public_etag = public.headers().get("etag").cloned();
    let public = json_of(public, StatusCode::OK).await;
    assert_eq!(public["featured_media"]["id"], id);
    // An unknown item is refused.
    let bad = app
        .send(
            Method::POST,
            "/api/v1/articles",
            Some(&app.admin_token),
            Some(&json!({"title": "x", "body": "![a](media:999999)", "section_id": section_id})),
        )
        .await;
    assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    let bad = app
        .send(
            Method::POST,
            "/api/v1/articles",
            Some(&app.admin_token),
            Some(&json!({"title": "x", "body": "y", "section_id": section_id, "featured_media_id": 999999})),
        )
        .await;
    assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    // Usage, and a delete refused while used.
    let usage = json_of(
        app.get_as(&format!("{media_path}/usage"), &app.admin_token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(usage.as_array().unwrap().len(), 2, "{usage}");
    let refused = app
        .send(Method::DELETE, &media_path, Some(&app.admin_token), None)
        .await;
    let problem = assert_problem_type(refused, "media-in-use").await;
    assert!(
        problem["detail"].as_str().unwrap().contains("مقال بصورة"),
        "{problem}"
    );
    let forced = app
        .send(
            Method::DELETE,
            &format!("{media_path}?force=true"),
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_eq!(forced.status(), StatusCode::NO_CONTENT);
    let after = json_of(
        app.get(&format!("/api/v1/articles/{}", arabic["id"])).await,
        StatusCode::OK,
    )
    .await;
    assert!(after["featured_media"].is_null(), "{after}");
    // The body that showed it inline no longer points at its (purged) files, to readers or
    // to staff, and its ETag changed with it.
    let english_path = format!("/api/v1/articles/{}", english["id"]);
    let reread = app.get(&english_path).await;
    assert_ne!(
        reread.headers().get("etag"),
        public_etag.as_ref(),
        "the article changed"
    );
    let reread = json_of(reread, StatusCode::OK).await;
    let html = reread["body_html"].as_str().unwrap();
    assert!(!html.contains("/media/"), "{html}");
    assert!(
        html.contains("the minister"),
        "the image keeps its alt text: {html}"
    );
    assert!(reread["featured_media"].is_null());
    // The external featured image by URL still works.
    let external = app
        .published(
            section_id,
            "صورة خارجية",
            json!({"featured_image": {"url": "https://cdn.example.com/a.jpg"}}),
        )
        .await;
    assert_eq!(
        external["featured_image"]["url"],
        "https://cdn.example.com/a.jpg"
    );
}

/// The S3 store against a real S3-compatible server (CI starts moto's server and sets
/// `SAHIFA_TEST_S3_ENDPOINT`).
#[actix_web::test]
async fn the_s3_store_uploads_serves_deletes_and_refuses_a_missing_bucket() {
    let Ok(endpoint) = std::env::var("SAHIFA_TEST_S3_ENDPOINT") else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the S3 test: set SAHIFA_TEST_S3_ENDPOINT"
        );
        eprintln!("skipped: SAHIFA_TEST_S3_ENDPOINT is not set");
        return;
    };
    let bucket = format!(
        "sahifa-{}",
        std::process::id() as u64 * 1000 + rand_suffix()
    );
    let client = reqwest::Client::new();
    let made = client
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap();
    assert!(
        made.status().is_success(),
        "bucket created: {}",
        made.status()
    );
    let vars = |bucket: &str| {
        vec![
            (
                "SAHIFA_MEDIA_STORE".to_owned(),
                format!("s3://{bucket}/newsroom"),
            ),
            ("AWS_ENDPOINT_URL".to_owned(), endpoint.clone()),
            ("AWS_ALLOW_HTTP".to_owned(), "true".to_owned()),
            ("AWS_REGION".to_owned(), "us-east-1".to_owned()),
            ("AWS_ACCESS_KEY_ID".to_owned(), "testing".to_owned()),
            ("AWS_SECRET_ACCESS_KEY".to_owned(), "testing".to_owned()),
            ("SAHIFA_JOB_POLL_MS".to_owned(), "50".to_owned()),
        ]
    };
    let owned = vars(&bucket);
    let borrowed: Vec<(&str, &str)> = owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let app = spawn_app_with(&borrowed).await;
    let item = json_of(
        upload_raw(
            &app,
            &app.admin_token,
            jpeg_with_gps(900, 600),
            "image/jpeg",
            "",
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let url = item["renditions"][0]["url"].as_str().unwrap().to_owned();
    let served = fetch(&app, &url).await;
    assert_eq!(served.status(), StatusCode::OK);
    assert!(!has_gps(&served.bytes().await.unwrap()));
    let key = url.split('/').nth(2).unwrap().to_owned();
    let listing = client
        .get(format!(
            "{endpoint}/{bucket}?list-type=2&prefix=newsroom/{key}/"
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        listing.contains("w320.webp") && listing.contains("original.jpg"),
        "{listing}"
    );
    let id = item["id"].as_i64().unwrap();
    let gone = app
        .send(
            Method::DELETE,
            &format!("/api/v1/media/{id}"),
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    let mut emptied = false;
    for _ in 0..100 {
        let listing = client
            .get(format!(
                "{endpoint}/{bucket}?list-type=2&prefix=newsroom/{key}/"
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if !listing.contains("<Key>") {
            emptied = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(emptied, "the files were deleted");
    // A missing bucket stops the server at start, naming the variable.
    let missing = vars("no-such-bucket-for-sahifa");
    let env: std::collections::HashMap<String, String> = missing.into_iter().collect();
    let dir = tempfile::tempdir().unwrap();
    let mut settings_env = env.clone();
    settings_env.insert(
        "DATABASE_URL".into(),
        format!("sqlite:{}", dir.path().join("missing.db").display()),
    );
    settings_env.insert(
        "SAHIFA_SEARCH_DIR".into(),
        dir.path().join("search").display().to_string(),
    );
    settings_env.insert("SAHIFA_BIND".into(), "127.0.0.1:0".into());
    let settings =
        sahifa::config::Settings::from_lookup(|name| settings_env.get(name).cloned()).unwrap();
    let started = sahifa::startup::Application::build(settings).await;
    let error = started
        .err()
        .expect("a missing bucket stops the start")
        .to_string();
    assert!(error.starts_with("SAHIFA_MEDIA_STORE"), "{error}");
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

#[actix_web::test]
async fn a_stale_if_match_changes_nothing() {
    let app = spawn_app().await;
    let item = json_of(
        upload_raw(
            &app,
            &app.admin_token,
            encoded(&picture(40, 30), ImageFormat::Png),
            "image/png",
            "?alt=first",
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let path = format!("/api/v1/media/{}", item["id"]);
    let read = app.get_as(&path, &app.admin_token).await;
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();
    let changed = app
        .request(Method::PATCH, &path)
        .bearer_auth(&app.admin_token)
        .header("if-match", &etag)
        .json(&json!({"alt": "second"}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    for method in [Method::PATCH, Method::DELETE] {
        let mut stale = app
            .request(method.clone(), &path)
            .bearer_auth(&app.admin_token)
            .header("if-match", &etag);
        if method == Method::PATCH {
            stale = stale.json(&json!({"alt": "third"}));
        }
        assert_problem_type(stale.send().await.unwrap(), "precondition-failed").await;
    }
    let now = json_of(app.get_as(&path, &app.admin_token).await, StatusCode::OK).await;
    assert_eq!(now["alt"], "second", "nothing changed");
    // Malformed bodies change nothing either.
    let malformed = app
        .request(Method::PATCH, &path)
        .bearer_auth(&app.admin_token)
        .header("content-type", "application/json")
        .body("{\"alt\": ")
        .send()
        .await
        .unwrap();
    assert_problem_type(malformed, "malformed-body").await;
    let unknown = app
        .send(
            Method::PATCH,
            &path,
            Some(&app.admin_token),
            Some(&json!({"owner": 3})),
        )
        .await;
    assert_problem(unknown, StatusCode::UNPROCESSABLE_ENTITY).await;
    let now = json_of(app.get_as(&path, &app.admin_token).await, StatusCode::OK).await;
    assert_eq!(now["alt"], "second", "nothing changed");
}

/// `sahifa copy --media-to`: the files move with the rows, every URL stays true on the new
/// store, a second run finds nothing left to copy, and (with an S3 server) a bucket receives
/// them.
#[actix_web::test]
async fn sahifa_copy_moves_the_files_to_another_store() {
    use crate::helpers::{TestData, spawn_app_in};
    let source = TestData::new();
    let app = spawn_app_in(source.clone(), &[]).await;
    let mut urls = Vec::new();
    for (width, height) in [(900, 600), (500, 500)] {
        let item = json_of(
            upload_raw(
                &app,
                &app.admin_token,
                jpeg_with_gps(width, height),
                "image/jpeg",
                "?alt=photo",
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        for rendition in item["renditions"].as_array().unwrap() {
            urls.push(rendition["url"].as_str().unwrap().to_owned());
        }
    }
    let mut originals = Vec::new();
    for url in &urls {
        let served = fetch(&app, url).await;
        assert_eq!(served.status(), StatusCode::OK, "{url}");
        originals.push(served.bytes().await.unwrap());
    }

    let target = TestData::new();
    let target_media = format!("file:{}", target.dir.path().join("media").display());
    // The same store as the source is refused; --media-from needs --media-to.
    let from_source = ["--from", source.database_url.as_str()];
    let (ok, _, stderr) = sahifa_copy(
        &source,
        &[&from_source[..], &["--media-to", "file:./media"]].concat(),
        &[],
    );
    assert!(!ok && stderr.contains("already there"), "{stderr}");
    let (ok, _, _) = sahifa_copy(
        &source,
        &[&from_source[..], &["--media-from", "file:x"]].concat(),
        &[],
    );
    assert!(!ok);

    // Run from the source's directory: its media store is the default `file:./media`.
    let to_target = [
        "--to",
        target.database_url.as_str(),
        "--media-to",
        &target_media,
    ];
    let (ok, stdout, stderr) =
        sahifa_copy(&source, &[&from_source[..], &to_target[..]].concat(), &[]);
    assert!(ok, "{stderr}{stdout}");
    assert!(stdout.contains("media: 2 upload(s)"), "{stdout}");
    let copied = spawn_app_in(target.clone(), &[]).await;
    for (url, original) in urls.iter().zip(&originals) {
        let served = fetch(&copied, url).await;
        assert_eq!(served.status(), StatusCode::OK, "{url}");
        assert_eq!(&served.bytes().await.unwrap(), original, "{url}");
    }
    // Running it again (files only) finds everything there already.
    let from_target = ["--from", target.database_url.as_str()];
    let (ok, stdout, stderr) = sahifa_copy(
        &source,
        &[&from_target[..], &["--media-to", &target_media]].concat(),
        &[],
    );
    assert!(ok, "{stderr}");
    assert!(stdout.contains(" 0 file(s) copied"), "{stdout}");

    // A folder the database names but the store lacks is reported, and the command fails.
    std::fs::remove_dir_all(target.dir.path().join("media")).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let other = format!("file:{}", elsewhere.path().display());
    let lacking = ["--media-from", target_media.as_str(), "--media-to", &other];
    let (ok, _, stderr) = sahifa_copy(&source, &[&from_target[..], &lacking[..]].concat(), &[]);
    assert!(
        !ok && stderr.contains("have no files in the source store"),
        "{stderr}"
    );

    let Ok(endpoint) = std::env::var("SAHIFA_TEST_S3_ENDPOINT") else {
        return;
    };
    let bucket = format!("sahifa-copy-{}", std::process::id());
    let client = reqwest::Client::new();
    let made = client
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap();
    assert!(made.status().is_success(), "bucket: {}", made.status());
    let bucket_url = format!("s3://{bucket}/moved");
    let aws = [
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ("AWS_ALLOW_HTTP", "true"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
    ];
    let (ok, _, stderr) = sahifa_copy(
        &source,
        &[&from_source[..], &["--media-to", &bucket_url]].concat(),
        &aws,
    );
    assert!(ok, "{stderr}");
    let listing = client
        .get(format!("{endpoint}/{bucket}?list-type=2&prefix=moved/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for url in &urls {
        let relative = url.trim_start_matches("/media/");
        assert!(
            listing.contains(&format!("<Key>moved/{relative}</Key>")),
            "{relative}: {listing}"
        );
    }
}

/// A JPEG as an agency sends it: the credit in IPTC (APP13) and XMP (APP1), no EXIF.
fn jpeg_with_agency_metadata(width: u32, height: u32, iptc_credit: Option<&str>) -> Vec<u8> {
    fn segment(out: &mut Vec<u8>, marker: u8, payload: &[u8]) {
        out.extend_from_slice(&[0xFF, marker]);
        out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(payload);
    }
    let plain = encoded(&picture(width, height), ImageFormat::Jpeg);
    let mut out = plain[..2].to_vec();
    let xmp = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:City="Beirut"><dc:rights><rdf:Alt><rdf:li xml:lang="x-default">© 2026 Reuters</rdf:li></rdf:Alt></dc:rights></rdf:Description></rdf:RDF></x:xmpmeta>"#;
    let mut app1 = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    app1.extend_from_slice(xmp.as_bytes());
    segment(&mut out, 0xE1, &app1);
    if let Some(credit) = iptc_credit {
        let mut iim = vec![0x1C, 1, 90, 0, 3, 0x1B, b'%', b'G'];
        for (number, value) in [(80u8, "Sami Haddad"), (110, credit)] {
            iim.extend_from_slice(&[0x1C, 2, number]);
            iim.extend_from_slice(&(value.len() as u16).to_be_bytes());
            iim.extend_from_slice(value.as_bytes());
        }
        if iim.len() % 2 == 1 {
            iim.push(0);
        }
        let mut app13 = b"Photoshop 3.0\08BIM\x04\x04\0\0".to_vec();
        app13.extend_from_slice(&(iim.len() as u32).to_be_bytes());
        app13.extend_from_slice(&iim);
        segment(&mut out, 0xED, &app13);
    }
    out.extend_from_slice(&plain[2..]);
    out
}

#[actix_web::test]
async fn an_agency_photo_keeps_its_iptc_or_xmp_credit_and_serves_neither_block() {
    let app = spawn_app().await;
    for (iptc, expected) in [
        (Some("رويترز / Reuters"), "رويترز / Reuters"),
        (None, "© 2026 Reuters"),
    ] {
        let original = jpeg_with_agency_metadata(800, 500, iptc);
        let item = json_of(
            upload_raw(&app, &app.admin_token, original, "image/jpeg", "?alt=x").await,
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(item["credit"], expected, "{item}");
        let mut urls: Vec<String> = item["renditions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["url"].as_str().unwrap().to_owned())
            .collect();
        urls.push(item["original"]["url"].as_str().unwrap().to_owned());
        for url in urls {
            let bytes = fetch(&app, &url).await.bytes().await.unwrap();
            for marker in [
                &b"Photoshop 3.0"[..],
                b"8BIM",
                b"xmpmeta",
                b"Reuters",
                b"Beirut",
            ] {
                assert!(
                    !bytes.windows(marker.len()).any(|w| w == marker),
                    "{url} carries {}",
                    String::from_utf8_lossy(marker)
                );
            }
        }
    }
    // A credit given with the upload wins over the embedded one.
    let given = json_of(
        upload_raw(
            &app,
            &app.admin_token,
            jpeg_with_agency_metadata(640, 400, Some("AFP")),
            "image/jpeg",
            "?alt=x&credit=Staff%20photographer",
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(given["credit"], "Staff photographer");
}

/// Runs `sahifa copy ARGS` from `data`'s directory: success, stdout, stderr.
fn sahifa_copy(
    data: &crate::helpers::TestData,
    args: &[&str],
    env: &[(&str, &str)],
) -> (bool, String, String) {
    let out = crate::helpers::sahifa_command(data)
        .arg("copy")
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
