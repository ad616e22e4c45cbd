//! `sahifa import wordpress`: a WXR export in, run again without duplicates, old links kept,
//! private data kept private, and a malformed file changing nothing.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestData, encode, json_of, sahifa_command, spawn_app_in};

const SITE: &str = "https://almufeed.example";

/// One post of the export.
struct Post<'a> {
    id: i64,
    title: &'a str,
    slug: &'a str,
    status: &'a str,
    date_gmt: &'a str,
    content: &'a str,
    extra: &'a str,
}

fn post(p: &Post<'_>) -> String {
    format!(
        r#"<item>
    <title>{title}</title>
    <link>{SITE}/{date}/{slug}/</link>
    <dc:creator><![CDATA[layla]]></dc:creator>
    <guid isPermaLink="false">{SITE}/?p={id}</guid>
    <content:encoded><![CDATA[{content}]]></content:encoded>
    <excerpt:encoded><![CDATA[]]></excerpt:encoded>
    <wp:post_id>{id}</wp:post_id>
    <wp:post_date><![CDATA[{date_gmt}]]></wp:post_date>
    <wp:post_date_gmt><![CDATA[{date_gmt}]]></wp:post_date_gmt>
    <wp:comment_status><![CDATA[open]]></wp:comment_status>
    <wp:post_name><![CDATA[{slug}]]></wp:post_name>
    <wp:status><![CDATA[{status}]]></wp:status>
    <wp:post_parent>0</wp:post_parent>
    <wp:menu_order>0</wp:menu_order>
    <wp:post_type><![CDATA[post]]></wp:post_type>
    <wp:post_password><![CDATA[]]></wp:post_password>
    <wp:is_sticky>0</wp:is_sticky>
    {extra}
  </item>"#,
        title = p.title,
        id = p.id,
        slug = p.slug,
        status = p.status,
        date_gmt = p.date_gmt,
        date = p.date_gmt[..10].replace('-', "/"),
        content = p.content,
        extra = p.extra,
    )
}

fn comment(id: i64, parent: i64, approved: &str, author: &str, text: &str) -> String {
    format!(
        r#"<wp:comment>
      <wp:comment_id>{id}</wp:comment_id>
      <wp:comment_author><![CDATA[{author}]]></wp:comment_author>
      <wp:comment_author_email><![CDATA[reader{id}@example.com]]></wp:comment_author_email>
      <wp:comment_author_url>https://reader{id}.example</wp:comment_author_url>
      <wp:comment_author_IP><![CDATA[192.0.2.{id}]]></wp:comment_author_IP>
      <wp:comment_date><![CDATA[2024-05-12 11:0{id}:00]]></wp:comment_date>
      <wp:comment_date_gmt><![CDATA[2024-05-12 11:0{id}:00]]></wp:comment_date_gmt>
      <wp:comment_content><![CDATA[{text}]]></wp:comment_content>
      <wp:comment_approved><![CDATA[{approved}]]></wp:comment_approved>
      <wp:comment_type><![CDATA[comment]]></wp:comment_type>
      <wp:comment_parent>{parent}</wp:comment_parent>
      <wp:comment_user_id>0</wp:comment_user_id>
    </wp:comment>"#
    )
}

/// The export: an author, nested Arabic categories, a tag, posts in every status, a page
/// under another, an attachment used as a featured image, and a comment thread.
fn export(edited: bool) -> String {
    let summit = "%d9%82%d9%85%d8%a9-%d8%af%d9%88%d9%84%d9%8a%d8%a9";
    let politics = "%d8%b3%d9%8a%d8%a7%d8%b3%d8%a9";
    let news = "%d8%a3%d8%ae%d8%a8%d8%a7%d8%b1";
    let thread = [
        comment(1, 0, "1", "سارة", "تحليل ممتاز"),
        comment(3, 2, "1", "علي", "رد على الرد"),
        comment(2, 1, "1", "منى", "أتفق"),
        comment(
            4,
            0,
            if edited { "1" } else { "0" },
            "زائر",
            "بانتظار المراجعة",
        ),
        comment(5, 0, "spam", "spammer", "buy now"),
    ]
    .join("\n");
    let categories = format!(
        r#"<category domain="category" nicename="{politics}"><![CDATA[سياسة]]></category>
    <category domain="post_tag" nicename="gulf"><![CDATA[الخليج]]></category>
    <wp:postmeta><wp:meta_key><![CDATA[_thumbnail_id]]></wp:meta_key><wp:meta_value><![CDATA[40]]></wp:meta_value></wp:postmeta>
    <wp:postmeta><wp:meta_key><![CDATA[_yoast_wpseo_metadesc]]></wp:meta_key><wp:meta_value><![CDATA[قمة في الرياض]]></wp:meta_value></wp:postmeta>"#
    );
    let mut posts = vec![
        post(&Post {
            id: 10,
            title: if edited {
                "قمة دولية في الرياض (محدث)"
            } else {
                "قمة دولية في الرياض"
            },
            slug: summit,
            status: "publish",
            date_gmt: "2024-05-12 10:00:00",
            content: "افتتحت القمة اليوم.\n\nوحضرها القادة.\n[caption id=\"attachment_40\" width=\"300\"]<img src=\"https://almufeed.example/wp-content/uploads/2024/05/summit.jpg\" /> القادة في الرياض[/caption]\n[contact-form-7 id=\"3\"]",
            extra: &format!("{categories}\n{thread}"),
        }),
        post(&Post {
            id: 11,
            title: "مسودة عن الاقتصاد",
            slug: "",
            status: "draft",
            date_gmt: "0000-00-00 00:00:00",
            content: "<!-- wp:paragraph -->\n<p>نص المسودة</p>\n<!-- /wp:paragraph -->",
            extra: &format!(
                r#"<category domain="category" nicename="{news}"><![CDATA[أخبار]]></category>"#
            ),
        }),
        post(&Post {
            id: 12,
            title: "Scheduled in English",
            slug: "scheduled-in-english",
            status: "future",
            date_gmt: "2099-01-01 08:00:00",
            content: "Coming soon.",
            extra: "",
        }),
        post(&Post {
            id: 13,
            title: "خبر خاص",
            slug: "private-news",
            status: "private",
            date_gmt: "2024-01-01 08:00:00",
            content: "سري",
            // A tag and a byline seen on nothing published: readers must not learn of them.
            extra: r#"<category domain="post_tag" nicename="secret-topic"><![CDATA[موضوع سري]]></category>"#,
        })
        .replace("<![CDATA[layla]]></dc:creator>", "<![CDATA[omar]]></dc:creator>"),
        post(&Post {
            id: 14,
            title: "محذوف",
            slug: "deleted",
            status: "trash",
            date_gmt: "2024-01-01 08:00:00",
            content: "x",
            extra: "",
        }),
    ];
    if edited {
        posts.push(post(&Post {
            id: 15,
            title: "خبر جديد بعد التصدير الأول",
            slug: "new-after-first-export",
            status: "publish",
            date_gmt: "2024-06-01 09:00:00",
            content: "جديد",
            extra: &format!(
                r#"<category domain="category" nicename="{politics}"><![CDATA[سياسة]]></category>"#
            ),
        }));
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wfw="http://wellformedweb.org/CommentAPI/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>المفيد</title>
  <link>{SITE}</link>
  <language>ar</language>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>{SITE}</wp:base_site_url>
  <wp:base_blog_url>{SITE}</wp:base_blog_url>
  <wp:author><wp:author_id>2</wp:author_id><wp:author_login><![CDATA[layla]]></wp:author_login><wp:author_email><![CDATA[layla@almufeed.example]]></wp:author_email><wp:author_display_name><![CDATA[ليلى حسن]]></wp:author_display_name></wp:author>
  <wp:author><wp:author_id>3</wp:author_id><wp:author_login><![CDATA[omar]]></wp:author_login><wp:author_email><![CDATA[omar@almufeed.example]]></wp:author_email><wp:author_display_name><![CDATA[عمر]]></wp:author_display_name></wp:author>
  <wp:category><wp:term_id>3</wp:term_id><wp:category_nicename><![CDATA[{politics}]]></wp:category_nicename><wp:category_parent><![CDATA[{news}]]></wp:category_parent><wp:cat_name><![CDATA[سياسة]]></wp:cat_name></wp:category>
  <wp:category><wp:term_id>2</wp:term_id><wp:category_nicename><![CDATA[{news}]]></wp:category_nicename><wp:category_parent><![CDATA[]]></wp:category_parent><wp:cat_name><![CDATA[أخبار]]></wp:cat_name></wp:category>
  <wp:tag><wp:term_id>9</wp:term_id><wp:tag_slug><![CDATA[gulf]]></wp:tag_slug><wp:tag_name><![CDATA[الخليج]]></wp:tag_name></wp:tag>
  <wp:tag><wp:term_id>10</wp:term_id><wp:tag_slug><![CDATA[secret-topic]]></wp:tag_slug><wp:tag_name><![CDATA[موضوع سري]]></wp:tag_name></wp:tag>
  {posts}
  <item>
    <title>من نحن</title>
    <link>{SITE}/about/</link>
    <dc:creator><![CDATA[layla]]></dc:creator>
    <guid isPermaLink="false">{SITE}/?page_id=20</guid>
    <content:encoded><![CDATA[صحيفة مستقلة.]]></content:encoded>
    <wp:post_id>20</wp:post_id>
    <wp:post_date_gmt><![CDATA[2023-01-01 00:00:00]]></wp:post_date_gmt>
    <wp:post_name><![CDATA[about]]></wp:post_name>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_parent>0</wp:post_parent>
    <wp:menu_order>1</wp:menu_order>
    <wp:post_type><![CDATA[page]]></wp:post_type>
  </item>
  <item>
    <title>فريق التحرير</title>
    <link>{SITE}/about/team/</link>
    <wp:post_id>19</wp:post_id>
    <wp:post_date_gmt><![CDATA[2023-01-01 00:00:00]]></wp:post_date_gmt>
    <wp:post_name><![CDATA[team]]></wp:post_name>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_parent>20</wp:post_parent>
    <wp:menu_order>0</wp:menu_order>
    <wp:post_type><![CDATA[page]]></wp:post_type>
  </item>
  <item>
    <title>summit.jpg</title>
    <wp:post_id>40</wp:post_id>
    <wp:post_type><![CDATA[attachment]]></wp:post_type>
    <wp:status><![CDATA[inherit]]></wp:status>
    <wp:attachment_url><![CDATA[{SITE}/wp-content/uploads/2024/05/summit.jpg]]></wp:attachment_url>
    <wp:postmeta><wp:meta_key><![CDATA[_wp_attachment_image_alt]]></wp:meta_key><wp:meta_value><![CDATA[القادة]]></wp:meta_value></wp:postmeta>
  </item>
</channel>
</rss>"#,
        posts = posts.join("\n  ")
    )
}

fn import(data: &TestData, xml: &str, args: &[&str]) -> std::process::Output {
    let file = data.dir.path().join(format!("export-{}.xml", xml.len()));
    std::fs::write(&file, xml).unwrap();
    sahifa_command(data)
        .args(["import", "wordpress"])
        .arg(&file)
        .args(args)
        .output()
        .unwrap()
}

fn report_of(data: &TestData, xml: &str) -> Value {
    let report = data.dir.path().join("report.json");
    let out = import(data, xml, &["--report", report.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap()
}

/// Everything an editor can see, for comparing two states of the newsroom.
async fn everything(app: &TestApp) -> Vec<Value> {
    let mut views = Vec::new();
    for path in [
        "/api/v1/articles?status=any&per_page=100",
        "/api/v1/sections?per_page=100",
        "/api/v1/tags?per_page=100",
        "/api/v1/users?per_page=100",
        "/api/v1/comments?per_page=100&status=pending",
        "/api/v1/comments?per_page=100&status=approved",
        "/api/v1/comments?per_page=100&status=spam",
        "/api/v1/pages?status=any&per_page=100",
    ] {
        let response = app.get_as(path, &app.admin_token).await;
        views.push(json_of(response, StatusCode::OK).await);
    }
    views
}

#[actix_web::test]
async fn a_wordpress_export_comes_in_whole_and_a_second_run_changes_nothing() {
    let data = TestData::new();
    // The server creates the admin, then stops being needed for the import.
    let app = spawn_app_in(data.clone(), &[]).await;
    let report = report_of(&data, &export(false));
    assert_eq!(report["source"], SITE);
    assert_eq!(report["counts"]["posts"]["imported"], 4, "{report}");
    assert_eq!(report["counts"]["posts"]["skipped"], 1, "trash: {report}");
    assert_eq!(report["counts"]["pages"]["imported"], 2, "{report}");
    // Two categories, and the section of the posts filed under none.
    assert_eq!(report["counts"]["categories"]["imported"], 3, "{report}");
    assert_eq!(report["counts"]["tags"]["imported"], 2, "{report}");
    assert_eq!(report["counts"]["comments"]["imported"], 5, "{report}");
    assert_eq!(report["private_as_drafts"], json!([13]));
    assert_eq!(report["shortcodes_left"]["contact-form-7"], 1);

    // Sections keep their nesting and Arabic slugs.
    let sections = json_of(app.get("/api/v1/sections").await, StatusCode::OK).await;
    let by_slug = |slug: &str| {
        sections["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["slug"] == slug)
            .cloned()
            .unwrap_or_else(|| panic!("no section {slug}: {sections}"))
    };
    assert_eq!(by_slug("سياسة")["parent_id"], by_slug("أخبار")["id"]);

    // The published post: decoded slug, HTML body with paragraphs and the caption figure,
    // its featured image, SEO description, and the approved part of the thread.
    let article = json_of(
        app.get(&format!("/api/v1/articles/{}", encode("قمة-دولية")))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(article["title"], "قمة دولية في الرياض");
    assert_eq!(article["body_format"], "html");
    assert_eq!(article["published_at"], "2024-05-12T10:00:00Z");
    assert_eq!(article["section"]["slug"], "سياسة");
    assert_eq!(article["tags"][0], "الخليج");
    assert_eq!(article["meta_description"], "قمة في الرياض");
    assert_eq!(article["comment_count"], 3);
    assert_eq!(
        article["featured_image"]["url"],
        format!("{SITE}/wp-content/uploads/2024/05/summit.jpg")
    );
    let html = article["body_html"].as_str().unwrap();
    assert!(html.contains("<p>افتتحت القمة اليوم.</p>"), "{html}");
    assert!(
        html.contains("<figure") && html.contains("القادة في الرياض"),
        "{html}"
    );
    assert!(!html.contains("[caption"), "{html}");
    let comments = json_of(
        app.get(&format!("/api/v1/articles/{}/comments", article["id"]))
            .await,
        StatusCode::OK,
    )
    .await;
    let public = comments.to_string();
    assert_eq!(comments["data"].as_array().unwrap().len(), 3, "{comments}");
    assert!(
        !public.contains("@example.com") && !public.contains("192.0.2"),
        "{public}"
    );
    let reply = comments["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["body"] == "رد على الرد")
        .unwrap();
    let middle = comments["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["body"] == "أتفق")
        .unwrap();
    assert_eq!(reply["parent_id"], middle["id"], "threads are kept");

    // Drafts, scheduled and private posts stay unpublished.
    for hidden in ["scheduled-in-english", "private-news"] {
        let response = app.get(&format!("/api/v1/articles/{hidden}")).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{hidden}");
    }
    let all = json_of(
        app.get_as("/api/v1/articles?status=any&per_page=100", &app.admin_token)
            .await,
        StatusCode::OK,
    )
    .await;
    let status_of = |title: &str| {
        all["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["title"] == title)
            .map(|a| a["status"].clone())
    };
    assert_eq!(status_of("مسودة عن الاقتصاد"), Some(json!("draft")));
    assert_eq!(status_of("خبر خاص"), Some(json!("draft")));
    assert_eq!(status_of("Scheduled in English"), Some(json!("published")));
    assert_eq!(status_of("محذوف"), None);

    // The author came in inactive, without a password, email kept for staff only.
    let users = json_of(
        app.get_as("/api/v1/users?per_page=100", &app.admin_token)
            .await,
        StatusCode::OK,
    )
    .await;
    let layla = users["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["display_name"] == "ليلى حسن")
        .cloned()
        .unwrap();
    assert_eq!(layla["active"], false);
    assert_eq!(layla["role"], "author");
    assert!(!article.to_string().contains("layla@"));
    let login = app.login("layla@almufeed.example", "").await;
    assert_eq!(login.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let login = app
        .login("layla@almufeed.example", "any password at all")
        .await;
    assert_eq!(login.status(), StatusCode::UNAUTHORIZED);

    // Pages, with their parent.
    let team = json_of(app.get("/api/v1/pages/team").await, StatusCode::OK).await;
    let about = json_of(app.get("/api/v1/pages/about").await, StatusCode::OK).await;
    assert_eq!(team["parent_id"], about["id"]);

    // Old links lead to where the items are now; unpublished ones lead nowhere.
    for (old, api_url) in [
        (
            format!(
                "/2024/05/12/{}/",
                "%d9%82%d9%85%d8%a9-%d8%af%d9%88%d9%84%d9%8a%d8%a9"
            ),
            format!("/api/v1/articles/{}", encode("قمة-دولية")),
        ),
        (
            "/?p=10".to_owned(),
            format!("/api/v1/articles/{}", encode("قمة-دولية")),
        ),
        ("/about/team/".to_owned(), "/api/v1/pages/team".to_owned()),
        (
            format!("{SITE}/category/أخبار/سياسة/"),
            format!("/api/v1/sections/{}", encode("سياسة")),
        ),
        (
            "/tag/gulf".to_owned(),
            format!("/api/v1/articles?tag={}", encode("الخليج")),
        ),
    ] {
        let answer = json_of(
            app.get(&format!("/api/v1/redirects?path={}", encode(&old)))
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(answer["api_url"], api_url, "{old}: {answer}");
    }
    for hidden in [
        "/?p=13",
        "/?p=12",
        "/2099/01/01/scheduled-in-english/",
        "/tag/secret-topic",
        "/author/omar",
        "/never/imported",
    ] {
        let response = app
            .get(&format!("/api/v1/redirects?path={}", encode(hidden)))
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{hidden}");
    }
    let scheduled = app
        .get_as(
            &format!("/api/v1/redirects?path={}", encode("/?p=12")),
            &app.admin_token,
        )
        .await;
    assert_eq!(scheduled.status(), StatusCode::OK, "staff see their own");
    for (path, resource) in [("/tag/secret-topic", "tag"), ("/author/omar", "author")] {
        let seen = json_of(
            app.get_as(
                &format!("/api/v1/redirects?path={}", encode(path)),
                &app.admin_token,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(seen["resource"], resource, "editors see it: {seen}");
    }
    let layla = json_of(
        app.get(&format!(
            "/api/v1/redirects?path={}",
            encode("/author/layla")
        ))
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        layla["resource"], "author",
        "a byline on published work: {layla}"
    );

    // The same export again: everything unchanged, nothing written.
    let before = everything(&app).await;
    let again = report_of(&data, &export(false));
    for kind in [
        "posts",
        "pages",
        "comments",
        "categories",
        "authors",
        "tags",
    ] {
        assert_eq!(again["counts"][kind]["imported"], 0, "{kind}: {again}");
        assert_eq!(again["counts"][kind]["updated"], 0, "{kind}: {again}");
    }
    assert_eq!(everything(&app).await, before);

    // A newer export: the edited post is updated, the new one added, the approved comment
    // counted; still no duplicates.
    let newer = report_of(&data, &export(true));
    assert_eq!(newer["counts"]["posts"]["updated"], 1, "{newer}");
    assert_eq!(newer["counts"]["posts"]["imported"], 1, "{newer}");
    assert_eq!(newer["counts"]["comments"]["updated"], 1, "{newer}");
    let article = json_of(
        app.get(&format!("/api/v1/articles/{}", article["id"]))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(article["title"], "قمة دولية في الرياض (محدث)");
    assert_eq!(article["slug"], "قمة-دولية");
    assert_eq!(article["comment_count"], 4);
    let all = json_of(
        app.get_as("/api/v1/articles?status=any&per_page=100", &app.admin_token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(all["meta"]["total"], 5);
}

#[actix_web::test]
async fn a_malformed_export_or_a_dry_run_writes_nothing() {
    let data = TestData::new();
    let app = spawn_app_in(data.clone(), &[]).await;
    let before = everything(&app).await;

    let good = export(false);
    // Cut in the middle of the posts: the first items are complete, so this proves that
    // nothing already read is kept.
    let cut = &good[..good.find("<title>من نحن</title>").unwrap()];
    let broken = good.replace(
        "<wp:post_id>11</wp:post_id>",
        "<wp:post_id>11</wp:post_idx>",
    );
    for (xml, expected) in [
        (cut.to_owned(), "line"),
        (broken, "line"),
        ("<feed/>".to_owned(), "not a WordPress export"),
    ] {
        let out = import(&data, &xml, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert!(stderr.contains("column") || expected != "line", "{stderr}");
    }
    assert_eq!(everything(&app).await, before);

    let out = import(&data, &good, &["--dry-run"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("would import") && stdout.contains("4 imported"),
        "{stdout}"
    );
    assert_eq!(everything(&app).await, before);

    // Editors keep editing an imported body as HTML.
    import(&data, &good, &[]);
    let id = json_of(
        app.get(&format!("/api/v1/articles/{}", encode("قمة-دولية")))
            .await,
        StatusCode::OK,
    )
    .await["id"]
        .clone();
    let edited = json_of(
        app.send(
            Method::PATCH,
            &format!("/api/v1/articles/{id}"),
            Some(&app.admin_token),
            Some(&json!({"body": "<p>نص <em>جديد</em></p><script>alert(1)</script>"})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(edited["body_format"], "html");
    assert_eq!(edited["body_html"], "<p>نص <em>جديد</em></p>");

    // An unknown format is refused and changes nothing; switching the format alone
    // re-reads the same body in the new one.
    let path = format!("/api/v1/articles/{id}");
    let refused = app
        .send(
            Method::PATCH,
            &path,
            Some(&app.admin_token),
            Some(&json!({"body_format": "rtf"})),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let unchanged = json_of(app.get_as(&path, &app.admin_token).await, StatusCode::OK).await;
    assert_eq!(unchanged["body_format"], "html");
    assert_eq!(unchanged["body_html"], edited["body_html"]);
    let markdown = json_of(
        app.send(
            Method::PATCH,
            &path,
            Some(&app.admin_token),
            Some(&json!({"body_format": "markdown"})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(markdown["body_format"], "markdown");
    assert_eq!(markdown["body"], unchanged["body"]);
    assert!(
        !markdown["body_html"].as_str().unwrap().contains("<script"),
        "{markdown}"
    );

    // A missing, empty or overlong path is a bad query, not a lookup.
    for query in [
        String::new(),
        "?path=".to_owned(),
        "?path=%20".to_owned(),
        format!("?path=/{}", "a".repeat(2000)),
    ] {
        let response = app.get(&format!("/api/v1/redirects{query}")).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query:.20}");
    }
}

#[actix_web::test]
async fn a_post_nested_too_deeply_is_skipped_not_the_whole_export() {
    let data = TestData::new();
    let app = spawn_app_in(data.clone(), &[]).await;
    let deep = format!("{}نص{}", "<div>".repeat(200), "</div>".repeat(200));
    let xml = export(false).replace("Coming soon.", &deep);
    let report = report_of(&data, &xml);
    assert_eq!(report["counts"]["posts"]["imported"], 3, "{report}");
    assert_eq!(report["counts"]["posts"]["skipped"], 2, "{report}");
    let skipped = report["skipped"].to_string();
    assert!(
        skipped.contains("\"12\"") && skipped.contains("deep"),
        "{report}"
    );
    let article = app
        .get(&format!("/api/v1/articles/{}", encode("قمة-دولية")))
        .await;
    assert_eq!(article.status(), StatusCode::OK, "the rest came in");
}

#[actix_web::test]
async fn attachments_from_the_media_dir_become_media_without_their_gps() {
    let data = TestData::new();
    let app = spawn_app_in(data.clone(), &[("SAHIFA_JOB_POLL_MS", "50")]).await;
    let uploads = data.dir.path().join("uploads");
    std::fs::create_dir_all(uploads.join("2024/05")).unwrap();
    std::fs::write(
        uploads.join("2024/05/summit.jpg"),
        crate::media::jpeg_with_gps(640, 400),
    )
    .unwrap();
    std::fs::write(uploads.join("2024/05/notes.jpg"), "not a picture").unwrap();
    // A second attachment whose file is no image, and a third whose file is missing: both
    // keep their URLs, each skipped with its reason.
    let extra = ["notes", "gone"]
        .iter()
        .zip([41, 42])
        .map(|(name, id)| {
            format!(
                r#"<item><title>{name}</title><wp:post_id>{id}</wp:post_id>
    <wp:post_type><![CDATA[attachment]]></wp:post_type><wp:status><![CDATA[inherit]]></wp:status>
    <wp:attachment_url><![CDATA[{SITE}/wp-content/uploads/2024/05/{name}.jpg]]></wp:attachment_url></item>"#
            )
        })
        .collect::<String>();
    let xml = export(false).replace("</channel>", &format!("{extra}</channel>"));
    let media_dir = uploads.to_str().unwrap();

    // A dry run reads and judges the files but stores nothing.
    let out = import(&data, &xml, &["--media-dir", media_dir, "--dry-run"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !data.dir.path().join("media").exists()
            || std::fs::read_dir(data.dir.path().join("media"))
                .unwrap()
                .next()
                .is_none()
    );

    let report = {
        let file = data.dir.path().join("media-report.json");
        let out = import(
            &data,
            &xml,
            &["--media-dir", media_dir, "--report", file.to_str().unwrap()],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&std::fs::read(file).unwrap()).unwrap()
    };
    assert_eq!(report["counts"]["media"]["imported"], 1, "{report}");
    assert_eq!(report["attachments_kept_as_urls"], 2, "{report}");
    let skipped: Vec<&Value> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "media")
        .collect();
    assert_eq!(skipped.len(), 2, "{report}");

    let article = json_of(
        app.get(&format!("/api/v1/articles/{}", encode("قمة-دولية")))
            .await,
        StatusCode::OK,
    )
    .await;
    let media_id = article["featured_media"]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("featured media: {article}"));
    assert_eq!(article["featured_media"]["alt"], "القادة");
    assert!(article["featured_image"].is_null(), "{article}");
    let html = article["body_html"].as_str().unwrap();
    assert!(
        !html.contains("wp-content/uploads") && html.contains("/original.jpg"),
        "the body's image moved to the media store: {html}"
    );

    // Renditions come from the server's job runner; no file served keeps the GPS.
    let mut item = Value::Null;
    for _ in 0..200 {
        item = json_of(
            app.get_as(&format!("/api/v1/media/{media_id}"), &app.admin_token)
                .await,
            StatusCode::OK,
        )
        .await;
        if item["status"] == "ready" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(item["status"], "ready", "{item}");
    assert_eq!(
        item["credit"], "Agence Photo Test",
        "the embedded copyright: {item}"
    );
    let original = html
        .split("src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let mut urls = vec![original];
    urls.extend(
        item["renditions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["url"].as_str().unwrap().to_owned()),
    );
    for url in urls {
        let response = app.get(&url).await;
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        let bytes = response.bytes().await.unwrap();
        assert!(!crate::media::has_gps(&bytes), "{url} keeps the GPS");
    }

    // Again: the item is unchanged and not duplicated.
    let before = everything(&app).await;
    let out = import(&data, &xml, &["--media-dir", media_dir]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("media") && stdout.contains("0 imported, 0 updated, 1 unchanged"),
        "{stdout}"
    );
    assert_eq!(everything(&app).await, before);
    let listed = json_of(
        app.get_as("/api/v1/media", &app.admin_token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["meta"]["total"], 1, "{listed}");

    // Bad --media-dir: a clear error, nothing written.
    let out = import(&data, &xml, &["--media-dir", "/no/such/dir"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--media-dir"));
}
