//! `sahifa demo`: a small newsroom — sections, published Arabic and English articles, and
//! approved comments — so a newcomer sees real content right after the first start.
//!
//! The content lives in `demo/content.json` (embedded in the binary) and is loaded through
//! the same functions the endpoints use, so slugs, excerpts, rendering and counters are
//! exactly what the API would produce.

use std::collections::HashMap;

use serde::Deserialize;

use crate::articles::Status;
use crate::articles::dto::{CreateArticle, FeaturedImage};
use crate::comments::model::{self as comments, CommentStatus, NewComment};
use crate::db::{DbConnection, DbError, Store};
use crate::http::{ApiError, ProblemType};
use crate::sections::dto::CreateSection;
use crate::users::Role;
use crate::users::model as users;
use crate::users::operations::NewAccount;

const CONTENT: &str = include_str!("demo/content.json");

/// The byline of the demo articles: an inactive account, so nobody can log in as it.
const NEWSROOM_EMAIL: &str = "newsroom@demo.invalid";
const NEWSROOM_NAME: &str = "غرفة الأخبار";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Content {
    sections: Vec<DemoSection>,
    articles: Vec<DemoArticle>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoSection {
    key: String,
    name: String,
    description: String,
    #[serde(default)]
    parent: Option<String>,
    position: i32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoArticle {
    section: String,
    title: String,
    lang: String,
    tags: Vec<String>,
    body: String,
    #[serde(default)]
    featured_image: Option<FeaturedImage>,
    /// Negative: scheduled that many hours ahead.
    published_hours_ago: f64,
    #[serde(default)]
    comments: Vec<DemoComment>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoComment {
    author_name: String,
    author_email: String,
    body: String,
    #[serde(default)]
    replies: Vec<DemoComment>,
}

/// What was loaded.
#[derive(Debug, Default)]
pub struct Report {
    pub sections: usize,
    pub articles: usize,
    pub comments: usize,
}

/// Loads the demo newsroom into an empty database (one without articles), all or nothing.
pub async fn load(store: &Store) -> Result<Report, String> {
    let content: Content =
        serde_json::from_str(CONTENT).map_err(|e| format!("demo content: {e}"))?;
    // The newsroom's byline account never logs in: a random password nobody learns.
    let password = uuid::Uuid::new_v4().to_string();
    let mut account = NewAccount::new(NEWSROOM_EMAIL, Some(NEWSROOM_NAME), Role::Editor, &password)
        .map_err(|e| e.to_string())?;
    account.active = false;
    let hash = crate::users::password::hash(password)
        .await
        .map_err(|e| e.to_string())?;
    store
        .write(move |c| load_into(c, &content, &account, &hash))
        .await
        .map_err(|e: ApiError| match e {
            ApiError::Conflict(_, message) => message,
            other => format!("cannot load the demo: {other}"),
        })
}

fn load_into(
    c: &mut DbConnection,
    content: &Content,
    account: &NewAccount,
    password_hash: &str,
) -> Result<Report, ApiError> {
    let articles_present = crate::articles::model::any(
        c,
        &crate::articles::model::ListQuery {
            scope: crate::articles::model::Scope::Every,
            readable: crate::articles::workflow::Readable::Everything,
            section_ids: None,
            tag_id: None,
            author_id: None,
            lang: None,
            published_after: None,
            published_before: None,
            featured: None,
            breaking: None,
            sort: Default::default(),
            now: crate::time::now(),
        },
    )?;
    if articles_present {
        return Err(ApiError::Conflict(
            ProblemType::Conflict,
            "the database already has articles; the demo loads only into an empty newsroom".into(),
        ));
    }
    let now = crate::time::now();
    let author = match users::find_by_email(c, NEWSROOM_EMAIL)? {
        Some(user) => user.id,
        None => crate::users::operations::create(c, account, password_hash, now)?.id,
    };

    let mut report = Report::default();
    let mut section_ids: HashMap<&str, i64> = HashMap::new();
    for section in &content.sections {
        let parent_id = match &section.parent {
            Some(key) => Some(*section_ids.get(key.as_str()).ok_or_else(|| {
                ApiError::internal(format!("demo section {} before its parent", section.key))
            })?),
            None => None,
        };
        let row = crate::sections::operations::create(
            c,
            &CreateSection {
                name: section.name.clone(),
                slug: None,
                description: Some(section.description.clone()),
                parent_id,
                position: Some(section.position),
            },
            now,
        )?;
        section_ids.insert(&section.key, row.id);
        report.sections += 1;
    }

    for article in &content.articles {
        let section_id = *section_ids.get(article.section.as_str()).ok_or_else(|| {
            ApiError::internal(format!("unknown demo section {}", article.section))
        })?;
        let published_at =
            now - chrono::Duration::minutes((article.published_hours_ago * 60.0) as i64);
        let input = CreateArticle {
            title: article.title.clone(),
            slug: None,
            excerpt: None,
            body: article.body.clone(),
            body_format: None,
            status: Some(Status::Published),
            section_id,
            tags: Some(article.tags.clone()),
            featured_image: article.featured_image.clone(),
            featured_media_id: None,
            lang: Some(article.lang.clone()),
            meta_title: None,
            meta_description: None,
            comments_open: Some(true),
            published_at: Some(published_at.into()),
            authors: None,
            byline: None,
            source: None,
            source_url: None,
            breaking: None,
            breaking_until: None,
            featured: None,
            position: None,
            translation_of: None,
        };
        let derived = crate::articles::derived::Derived::of(&input.body)
            .map_err(|e| ApiError::invalid("body", e.to_string()))?;
        let id = crate::articles::operations::insert(c, author, &input, &derived, now)?;
        report.articles += 1;
        for comment in &article.comments {
            report.comments += insert_thread(c, id, None, 0, comment, published_at)?;
        }
    }
    Ok(report)
}

/// Inserts an approved comment and its replies; returns how many.
fn insert_thread(
    c: &mut DbConnection,
    article_id: i64,
    parent_id: Option<i64>,
    depth: i32,
    comment: &DemoComment,
    after: chrono::NaiveDateTime,
) -> Result<usize, DbError> {
    let at = after + chrono::Duration::minutes(17 * (depth as i64 + 1));
    let id = comments::insert(
        c,
        &NewComment {
            article_id,
            parent_id,
            depth,
            author_name: &comment.author_name,
            author_email: &comment.author_email,
            body: &comment.body,
            status: CommentStatus::Approved.as_str(),
            client_ip: None,
            author_url: None,
            created_at: at,
            updated_at: at,
        },
    )?;
    let mut count = 1;
    for reply in &comment.replies {
        count += insert_thread(c, article_id, Some(id), depth + 1, reply, at)?;
    }
    Ok(count)
}
