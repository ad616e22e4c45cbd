//! `sahifa copy --from URL --to URL`: moves a whole newsroom between stores (SQLite →
//! PostgreSQL when it outgrows one machine, or back), every row with its id, slug, hash and
//! timestamp intact.
//!
//! All or nothing: the target must be empty and is written in one transaction, so a failure
//! leaves it as it was. The source is read in one snapshot. At the end every table is
//! compared by row count and by a checksum of its rows in key order. The search index is not
//! in the database (each server keeps its own, `search`): a server on the target builds one
//! at its first start.

use std::fmt::Debug;

use diesel::prelude::*;
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};

use crate::db::schema::{
    api_keys, article_authors, article_corrections, article_media, article_previews, article_tags,
    article_translations, articles, audit_log, changes, comments, events, import_map,
    instance_settings, jobs, legacy_paths, media, menu_items, menus, pages, refresh_tokens,
    revisions, search_changes, sections, slug_redirects, tags, users, webhook_attempts,
    webhook_deliveries, webhook_endpoints,
};
use crate::db::{DbConnection, DbError, Store, read_snapshot, write_transaction};

/// Rows per read and per insert.
pub const BATCH: i64 = 1000;

/// The tables copied, in copy order: parents before children.
pub const COPIED: [&str; 30] = [
    "instance_settings",
    "users",
    "refresh_tokens",
    "sections",
    "media",
    "articles",
    "article_media",
    "tags",
    "article_tags",
    "slug_redirects",
    "comments",
    "jobs",
    "search_changes",
    "pages",
    "import_map",
    "legacy_paths",
    "changes",
    "events",
    "webhook_endpoints",
    "webhook_deliveries",
    "webhook_attempts",
    "article_authors",
    "article_corrections",
    "article_translations",
    "article_previews",
    "revisions",
    "api_keys",
    "audit_log",
    "menus",
    "menu_items",
];

/// The tables left out, and why. A name ending in `*` stands for every table it begins.
/// A test holds every table of both stores' schemas to one of the two lists, so a new table
/// cannot be silently left behind.
pub const EXCLUDED: [(&str, &str); 2] = [
    (
        "__diesel_schema_migrations",
        "each store records its own migrations",
    ),
    (
        "list_versions",
        "counters that only tell a server when to count a list again; a new store starts its own",
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("the target already holds a newsroom ({0}); copy only into an empty database")]
    TargetNotEmpty(String),
    #[error("verification failed for {table}: {detail}; the target was rolled back")]
    Mismatch { table: &'static str, detail: String },
    #[error(transparent)]
    Database(#[from] DbError),
}

impl From<diesel::result::Error> for CopyError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Database(e.into())
    }
}

/// Per-table counts of what was copied, in copy order.
#[derive(Debug, Default)]
pub struct CopyReport {
    pub tables: Vec<(&'static str, usize)>,
}

/// Declares, for one table, a full-row struct that can be read from and written to either
/// store, and the functions that copy and checksum it in primary-key order.
macro_rules! table_copier {
    ($name:ident, $table:ident, $key:expr, { $($field:ident : $ty:ty),* $(,)? }) => {
        mod $name {
            use super::*;

            #[derive(Debug, Queryable, Selectable, Insertable)]
            #[diesel(table_name = $table)]
            pub struct Row {
                $(pub $field: $ty,)*
            }

            pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
                $table::table.count().get_result(conn)
            }

            /// One batch, by offset in key order (the source is a frozen snapshot).
            pub fn batch(conn: &mut DbConnection, offset: i64) -> QueryResult<Vec<Row>> {
                $table::table
                    .order($key)
                    .offset(offset)
                    .limit(BATCH)
                    .select(Row::as_select())
                    .load(conn)
            }

            pub fn insert(conn: &mut DbConnection, rows: &[Row]) -> QueryResult<usize> {
                let mut written = 0;
                // Row by row: the multi-backend connection has no batch insert for SQLite.
                for row in rows {
                    written += diesel::insert_into($table::table).values(row).execute(conn)?;
                }
                Ok(written)
            }
        }
    };
}

table_copier!(instance_settings_rows, instance_settings, instance_settings::name.asc(), {
    name: String, value: String, updated_at: chrono::NaiveDateTime,
});
table_copier!(users_rows, users, users::id.asc(), {
    id: i64, email: String, display_name: String, role: String, active: bool,
    password_hash: String, token_version: i64, version: i64,
    created_at: chrono::NaiveDateTime, updated_at: chrono::NaiveDateTime,
});
table_copier!(refresh_token_rows, refresh_tokens, refresh_tokens::id.asc(), {
    id: i64, user_id: i64, family: String, token_hash: String,
    created_at: chrono::NaiveDateTime, expires_at: chrono::NaiveDateTime,
    used_at: Option<chrono::NaiveDateTime>, revoked_at: Option<chrono::NaiveDateTime>,
});
table_copier!(section_rows, sections, sections::id.asc(), {
    id: i64, name: String, slug: String, description: Option<String>, parent_id: Option<i64>,
    position: i32, version: i64, created_at: chrono::NaiveDateTime, updated_at: chrono::NaiveDateTime,
});
table_copier!(page_rows, pages, pages::id.asc(), {
    id: i64, title: String, slug: String, body: String, body_html: String, status: String,
    parent_id: Option<i64>, menu_order: i32, lang: String, meta_title: Option<String>,
    meta_description: Option<String>, published_at: Option<chrono::NaiveDateTime>, version: i64,
    created_at: chrono::NaiveDateTime, updated_at: chrono::NaiveDateTime, body_format: String,
});
table_copier!(import_map_rows, import_map, (import_map::source.asc(), import_map::kind.asc(), import_map::source_id.asc()), {
    source: String, kind: String, source_id: String, target_id: i64, checksum: String,
    created_at: chrono::NaiveDateTime, updated_at: chrono::NaiveDateTime,
});
table_copier!(legacy_path_rows, legacy_paths, legacy_paths::path.asc(), {
    path: String, resource: String, target_id: i64, created_at: chrono::NaiveDateTime,
});
table_copier!(article_rows, articles, articles::id.asc(), {
    id: i64, title: String, slug: String, excerpt: String, excerpt_is_custom: bool,
    body: String, body_html: String, status: String, section_id: i64, author_id: i64,
    featured_image_url: Option<String>, featured_image_alt: Option<String>,
    featured_image_caption: Option<String>, featured_media_id: Option<i64>, lang: String, meta_title: Option<String>,
    meta_description: Option<String>, reading_time_minutes: i32, comment_count: i64,
    comments_open: bool, published_at: Option<chrono::NaiveDateTime>, version: i64,
    created_at: chrono::NaiveDateTime, updated_at: chrono::NaiveDateTime, body_format: String,
    byline: Option<String>, source: Option<String>, source_url: Option<String>,
    content_updated_at: Option<chrono::NaiveDateTime>, breaking_until: Option<chrono::NaiveDateTime>,
    featured: bool, position: Option<i32>,
});
// The files themselves are not in the database: `--media-to` copies them afterwards
// (`media::transfer`); the folder names come with `instance_settings.media_key`.
table_copier!(media_rows, media, media::id.asc(), {
    id: i64, uploader_id: Option<i64>, filename: String, blob_key: String, format: String,
    byte_size: i64, width: i32, height: i32, status: String, alt: String,
    caption: Option<String>, credit: Option<String>, lang: String, focal_x: f64, focal_y: f64,
    translations: String, renditions: String, placeholder: Option<String>,
    dominant_color: Option<String>, version: i64,
    created_at: chrono::NaiveDateTime, updated_at: chrono::NaiveDateTime,
});
table_copier!(article_media_rows, article_media, (article_media::article_id.asc(), article_media::media_id.asc()), {
    article_id: i64, media_id: i64,
});
table_copier!(tag_rows, tags, tags::id.asc(), {
    id: i64, name: String, key: String, slug: String, created_at: chrono::NaiveDateTime,
});
table_copier!(article_tag_rows, article_tags, (article_tags::article_id.asc(), article_tags::tag_id.asc()), {
    article_id: i64, tag_id: i64, position: i32,
});
table_copier!(redirect_rows, slug_redirects, (slug_redirects::resource.asc(), slug_redirects::slug.asc()), {
    resource: String, slug: String, target_id: i64, created_at: chrono::NaiveDateTime,
});
table_copier!(job_rows, jobs, jobs::id.asc(), {
    id: i64, kind: String, payload: String, unique_key: Option<String>, state: String,
    run_at: chrono::NaiveDateTime, attempts: i32, max_attempts: i32, last_error: Option<String>,
    lease_owner: Option<String>, lease_expires_at: Option<chrono::NaiveDateTime>,
    created_at: chrono::NaiveDateTime, updated_at: chrono::NaiveDateTime,
});
// PostgreSQL's `xid` is not copied: the target's rows all belong to the copy's transaction.
table_copier!(search_change_rows, search_changes, search_changes::seq.asc(), {
    seq: i64, article_id: i64, changed_at: chrono::NaiveDateTime,
});
// The changes feed's history goes along (its cursors are signed with a key in
// `instance_settings`, which goes along too). PostgreSQL's `tx` is not copied: the target's
// rows all belong to the copy's transaction, in `seq` order.
table_copier!(change_rows, changes, changes::seq.asc(), {
    seq: i64, resource: String, resource_id: i64, action: String, slug: String,
    url: Option<String>, changed_at: chrono::NaiveDateTime,
});
// The outbox and the webhooks go along: queued delivery jobs (copied with `jobs`) name
// deliveries, and a stream resumes by event id. `events.id` keeps its order.
table_copier!(event_rows, events, events::id.asc(), {
    id: i64, event_type: String, payload: String, public: bool, section_id: Option<i64>,
    created_at: chrono::NaiveDateTime,
});
table_copier!(webhook_endpoint_rows, webhook_endpoints, webhook_endpoints::id.asc(), {
    id: i64, url: String, events: String, description: String, active: bool, secret: String,
    previous_secret: Option<String>, previous_until: Option<chrono::NaiveDateTime>,
    disabled_reason: Option<String>, failing_since: Option<chrono::NaiveDateTime>,
    created_at: chrono::NaiveDateTime, updated_at: chrono::NaiveDateTime,
});
table_copier!(webhook_delivery_rows, webhook_deliveries, webhook_deliveries::id.asc(), {
    id: i64, endpoint_id: i64, event_id: i64, event_type: String, state: String, attempts: i32,
    last_status: Option<i32>, last_latency_ms: Option<i32>, last_error: Option<String>,
    response_excerpt: Option<String>, created_at: chrono::NaiveDateTime,
    last_attempt_at: Option<chrono::NaiveDateTime>, next_attempt_at: Option<chrono::NaiveDateTime>,
    delivered_at: Option<chrono::NaiveDateTime>,
});
table_copier!(webhook_attempt_rows, webhook_attempts, webhook_attempts::id.asc(), {
    id: i64, delivery_id: i64, attempt: i32, attempted_at: chrono::NaiveDateTime,
    status: Option<i32>, latency_ms: i32, error: Option<String>, response_excerpt: Option<String>,
});
// The newsroom's record goes along: bylines, corrections, revisions, the audit trail, and
// API keys (their hashes: a key keeps working against the target), and revoked previews.
table_copier!(article_author_rows, article_authors, (article_authors::article_id.asc(), article_authors::user_id.asc()), {
    article_id: i64, user_id: i64, position: i32,
});
table_copier!(correction_rows, article_corrections, article_corrections::id.asc(), {
    id: i64, article_id: i64, note: String, editor_id: Option<i64>,
    created_at: chrono::NaiveDateTime,
});
table_copier!(translation_rows, article_translations, article_translations::article_id.asc(), {
    article_id: i64, original_id: i64,
});
table_copier!(preview_rows, article_previews, article_previews::article_id.asc(), {
    article_id: i64, revoked_before: chrono::NaiveDateTime,
});
table_copier!(revision_rows, revisions, revisions::id.asc(), {
    id: i64, resource_type: String, resource_id: i64, editor_id: Option<i64>, snapshot: String,
    created_at: chrono::NaiveDateTime,
});
table_copier!(api_key_rows, api_keys, api_keys::id.asc(), {
    id: i64, name: String, prefix: String, secret_hash: String, scopes: String, rate_limit: i32,
    created_by: i64, created_at: chrono::NaiveDateTime, expires_at: Option<chrono::NaiveDateTime>,
    last_used_at: Option<chrono::NaiveDateTime>, revoked_at: Option<chrono::NaiveDateTime>,
});
table_copier!(audit_rows, audit_log, audit_log::id.asc(), {
    id: i64, at: chrono::NaiveDateTime, actor_user_id: Option<i64>, actor_key_id: Option<i64>,
    action: String, resource_type: String, resource_id: Option<String>, fields: String,
    outcome: String, client_ip: Option<String>, request_id: Option<String>,
});
table_copier!(menu_rows, menus, menus::id.asc(), {
    id: i64, slug: String, name: String, version: i64, created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
});
table_copier!(menu_item_rows, menu_items, menu_items::id.asc(), {
    id: i64, menu_id: i64, parent_id: Option<i64>, position: i32, label: String,
    description: Option<String>, kind: String, target_id: Option<i64>, url: Option<String>,
});
table_copier!(comment_rows, comments, comments::id.asc(), {
    id: i64, article_id: i64, parent_id: Option<i64>, depth: i32, author_name: String,
    author_email: String, body: String, status: String, client_ip: Option<String>,
    version: i64, created_at: chrono::NaiveDateTime, updated_at: chrono::NaiveDateTime,
    author_url: Option<String>,
});

/// Copies every table from `source` to `target` (both already migrated to this version).
pub async fn copy(source: &Store, target: &Store) -> Result<CopyReport, CopyError> {
    let (source, target) = (source.clone(), target.clone());
    actix_web::rt::task::spawn_blocking(move || {
        let mut from = source.connection().map_err(DbError::from)?;
        let mut to = target.connection().map_err(DbError::from)?;
        copy_between(&mut from, &mut to)
    })
    .await
    .map_err(|_| CopyError::Database(crate::db::StoreError::TaskFailed.into()))?
}

/// The copy proper, on two open connections.
pub fn copy_between(
    source: &mut DbConnection,
    target: &mut DbConnection,
) -> Result<CopyReport, CopyError> {
    let populated =
        users_rows::count(target)? + article_rows::count(target)? + section_rows::count(target)?;
    if populated > 0 {
        return Err(CopyError::TargetNotEmpty(format!(
            "{populated} users, sections and articles"
        )));
    }
    read_snapshot(source, |source| {
        write_transaction(target, |target| copy_tables(source, target))
    })
}

fn copy_tables(
    source: &mut DbConnection,
    target: &mut DbConnection,
) -> Result<CopyReport, CopyError> {
    let total: i64 = [
        instance_settings_rows::count(source)?,
        users_rows::count(source)?,
        refresh_token_rows::count(source)?,
        section_rows::count(source)?,
        media_rows::count(source)?,
        article_rows::count(source)?,
        article_media_rows::count(source)?,
        tag_rows::count(source)?,
        article_tag_rows::count(source)?,
        redirect_rows::count(source)?,
        comment_rows::count(source)?,
        job_rows::count(source)?,
        search_change_rows::count(source)?,
        page_rows::count(source)?,
        import_map_rows::count(source)?,
        legacy_path_rows::count(source)?,
        change_rows::count(source)?,
    ]
    .iter()
    .sum();
    // Drawn on a terminal only; in CI and scripts it stays silent.
    let progress = ProgressBar::new(total as u64).with_style(
        ProgressStyle::with_template("{msg:>16} [{bar:40}] {pos}/{len} rows ({eta} left)")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    let mut report = CopyReport::default();
    macro_rules! copy_table {
        // A table whose rows may point at rows of the same table with higher keys (a
        // re-parented section): the links are copied after all rows exist.
        ($module:ident, $label:literal, parent: $table:ident) => {{
            let mut links = Vec::new();
            copy_table!($module, $label, |row: &mut $module::Row| {
                if let Some(parent) = row.parent_id.take() {
                    links.push((row.id, parent));
                }
            });
            for (id, parent) in links {
                diesel::update($table::table.find(id))
                    .set($table::parent_id.eq(Some(parent)))
                    .execute(target)?;
            }
            verify($label, source, target, $module::count, $module::batch)?;
        }};
        ($module:ident, $label:literal) => {{
            copy_table!($module, $label, |_: &mut $module::Row| {});
            verify($label, source, target, $module::count, $module::batch)?;
        }};
        ($module:ident, $label:literal, $prepare:expr) => {{
            progress.set_message($label);
            let mut prepare = $prepare;
            let mut offset = 0;
            loop {
                let mut rows = $module::batch(source, offset)?;
                if rows.is_empty() {
                    break;
                }
                offset += rows.len() as i64;
                progress.inc(rows.len() as u64);
                rows.iter_mut().for_each(&mut prepare);
                $module::insert(target, &rows)?;
            }
            report.tables.push(($label, offset as usize));
        }};
    }
    // Parents before children, so every foreign key points at a row already there.
    copy_table!(instance_settings_rows, "instance_settings");
    copy_table!(users_rows, "users");
    copy_table!(refresh_token_rows, "refresh_tokens");
    copy_table!(section_rows, "sections", parent: sections);
    copy_table!(media_rows, "media");
    copy_table!(article_rows, "articles");
    copy_table!(article_media_rows, "article_media");
    copy_table!(tag_rows, "tags");
    copy_table!(article_tag_rows, "article_tags");
    copy_table!(redirect_rows, "slug_redirects");
    copy_table!(comment_rows, "comments", parent: comments);
    // Queued work moves with the newsroom; a job running in the source's process runs again
    // in the target's once its lease expires.
    copy_table!(job_rows, "jobs");
    // The log goes along, so the target's history of changes is the source's: an index that
    // was built from the source at some point in it is still current, or can catch up.
    copy_table!(search_change_rows, "search_changes");
    copy_table!(page_rows, "pages", parent: pages);
    // What imports brought in goes along, so an import run again against the target
    // updates what it made rather than duplicating it.
    copy_table!(import_map_rows, "import_map");
    copy_table!(legacy_path_rows, "legacy_paths");
    copy_table!(change_rows, "changes");
    copy_table!(event_rows, "events");
    copy_table!(webhook_endpoint_rows, "webhook_endpoints");
    copy_table!(webhook_delivery_rows, "webhook_deliveries");
    copy_table!(webhook_attempt_rows, "webhook_attempts");
    copy_table!(article_author_rows, "article_authors");
    copy_table!(correction_rows, "article_corrections");
    copy_table!(translation_rows, "article_translations");
    copy_table!(preview_rows, "article_previews");
    copy_table!(revision_rows, "revisions");
    copy_table!(api_key_rows, "api_keys");
    copy_table!(audit_rows, "audit_log");
    copy_table!(menu_rows, "menus");
    copy_table!(menu_item_rows, "menu_items");
    progress.finish_and_clear();
    restart_id_sequences(target)?;
    Ok(report)
}

/// After inserting explicit ids, PostgreSQL's identity sequences must continue above them.
fn restart_id_sequences(target: &mut DbConnection) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    if let DbConnection::Postgres(c) = target {
        for (table, key) in [
            ("users", "id"),
            ("refresh_tokens", "id"),
            ("sections", "id"),
            ("media", "id"),
            ("articles", "id"),
            ("tags", "id"),
            ("comments", "id"),
            ("jobs", "id"),
            ("search_changes", "seq"),
            ("changes", "seq"),
            ("pages", "id"),
            ("events", "id"),
            ("webhook_endpoints", "id"),
            ("webhook_deliveries", "id"),
            ("webhook_attempts", "id"),
            ("article_corrections", "id"),
            ("revisions", "id"),
            ("api_keys", "id"),
            ("audit_log", "id"),
            ("menus", "id"),
            ("menu_items", "id"),
        ] {
            c.batch_execute(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', '{key}'), \
                 COALESCE((SELECT MAX({key}) FROM {table}), 0) + 1, false)"
            ))?;
        }
    }
    Ok(())
}

/// Same row count, and the same SHA-256 over every row in key order, on both sides.
fn verify<R: Debug>(
    table: &'static str,
    source: &mut DbConnection,
    target: &mut DbConnection,
    count: fn(&mut DbConnection) -> QueryResult<i64>,
    batch: impl Fn(&mut DbConnection, i64) -> QueryResult<Vec<R>>,
) -> Result<(), CopyError> {
    let (from, to) = (count(source)?, count(target)?);
    if from != to {
        return Err(CopyError::Mismatch {
            table,
            detail: format!("{from} rows in the source, {to} in the target"),
        });
    }
    let (a, b) = (checksum(source, &batch)?, checksum(target, &batch)?);
    if a != b {
        return Err(CopyError::Mismatch {
            table,
            detail: "the rows differ (checksums do not match)".into(),
        });
    }
    Ok(())
}

fn checksum<R: Debug>(
    conn: &mut DbConnection,
    batch: &impl Fn(&mut DbConnection, i64) -> QueryResult<Vec<R>>,
) -> QueryResult<String> {
    let mut hasher = Sha256::new();
    let mut offset = 0;
    loop {
        let rows = batch(conn, offset)?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            hasher.update(format!("{row:?}\n").as_bytes());
        }
        offset += rows.len() as i64;
    }
    Ok(format!("{:x}", hasher.finalize()))
}
