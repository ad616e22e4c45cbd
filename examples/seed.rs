//! Bulk loader for the load benchmark (`bench/`): a deterministic newsroom of N articles.
//!
//! ```sh
//! cargo run --release --example seed -- --database-url sqlite:bench/out/news.db --articles 10000
//! cargo run --release --example seed -- --database-url postgres://postgres@127.0.0.1:5432/sahifa_bench \
//!     --articles 2000 --create-database
//! ```
//!
//! On SQLite everything goes through the library's public functions (the same row inserts,
//! slugs, Markdown rendering, excerpts, reading times, tag and comment-counter maintenance as
//! the endpoints), in a few big write transactions. On PostgreSQL the articles, their tags
//! and comments are loaded with `COPY … FROM STDIN` instead (row inserts cost about 5 ms an
//! article there: over an hour for a million), giving the same rows, ids, counters and
//! sequences; `--row-inserts` takes the library's path there too (to compare):
//!
//! - users: an admin `bench@sahifa.test`, 50 accounts `reader{n}@sahifa.test` (for the login
//!   scenario) and a dozen bylines, all with the password `bench password 123` (hashed once);
//! - 14 sections (5 nested), about 300 tags;
//! - N articles (about 80 % Arabic, 20 % English) with multi-paragraph Markdown bodies built
//!   from a phrase bank, 1–4 tags each, published over the past two years (a few scheduled,
//!   drafts, in review, archived), about 3 approved comments each (some replies, a few pending).
//!
//! The search index is not in the database: `sahifa reindex` (or a server's first start)
//! builds it from what was seeded.
//!
//! The same `--seed` and `--articles` give the same content (dates are relative to `--now`,
//! by default today's midnight UTC). Text is generated on worker threads while the main
//! thread writes, so rendering and the database overlap.
//!
//! Helper modes for the harness (PostgreSQL only, they act on the database named in the URL,
//! through the server's `postgres` maintenance database): `--create-database` (drop if it
//! exists, create, then seed), `--drop-database` (drop and exit), `--clone-from NAME` (create
//! the database as a copy of NAME with `CREATE DATABASE … TEMPLATE` and exit).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use clap::Parser;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, RunQueryDsl};

use sahifa::articles::Status;
use sahifa::articles::model::{self as articles, NewArticle};
use sahifa::comments::model::{self as comments, CommentStatus, NewComment};
use sahifa::config::DatabaseUrl;
use sahifa::db::{DbConnection, Store, write_transaction};
use sahifa::sections::model::{self as sections, NewSection};
use sahifa::users::Role;
use sahifa::users::model::{self as users, NewUser};

const PASSWORD: &str = "bench password 123";
const ADMIN_EMAIL: &str = "bench@sahifa.test";
const READERS: usize = 50;

#[derive(Parser, Debug)]
#[command(about = "Loads a deterministic benchmark newsroom into a Sahifa database")]
struct Args {
    /// `sqlite:PATH` or `postgres://…`
    #[arg(long)]
    database_url: String,
    /// How many articles.
    #[arg(long, default_value_t = 10_000)]
    articles: usize,
    /// Seed of the content generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write a JSON manifest (search queries, login accounts, counts) here.
    #[arg(long)]
    manifest: Option<PathBuf>,
    /// Dates are relative to this instant (RFC 3339); default today 00:00 UTC.
    #[arg(long)]
    now: Option<String>,
    /// Articles per write transaction.
    #[arg(long, default_value_t = 5_000)]
    batch: usize,
    /// Text generator threads (default: available cores).
    #[arg(long)]
    threads: Option<usize>,
    /// PostgreSQL: drop the database if it exists and create it, then seed. SQLite: delete
    /// the file (and its -wal/-shm) first.
    #[arg(long)]
    create_database: bool,
    /// Drop the database and exit (PostgreSQL; deletes the file for SQLite).
    #[arg(long)]
    drop_database: bool,
    /// PostgreSQL: create the database as a copy of this one and exit.
    #[arg(long)]
    clone_from: Option<String>,
    /// Rows of the changes feed: one `created` per published article, then `updated` rows
    /// (over the published articles again and again) up to this many in all; 0 for the
    /// first kind only.
    #[arg(long, default_value_t = 0)]
    changes: usize,
    /// PostgreSQL: insert the articles, their tags and comments row by row through the
    /// library (as on SQLite) instead of loading them with `COPY … FROM STDIN`.
    #[arg(long)]
    row_inserts: bool,
}

fn main() {
    let args = Args::parse();
    if let Err(e) = run(args) {
        eprintln!("seed: error: {e}");
        std::process::exit(1);
    }
}

fn run(args: Args) -> Result<(), String> {
    let url = DatabaseUrl::parse(&args.database_url).map_err(|e| format!("--database-url: {e}"))?;
    if args.drop_database {
        return drop_database(&url);
    }
    if let Some(template) = &args.clone_from {
        return clone_database(&url, template);
    }
    if args.create_database {
        drop_database(&url)?;
        create_database(&url, None)?;
    }
    let now = match &args.now {
        Some(raw) => chrono::DateTime::parse_from_rfc3339(raw)
            .map_err(|e| format!("--now: {e}"))?
            .naive_utc(),
        None => chrono::Utc::now()
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .unwrap(),
    };
    let started = Instant::now();
    let (store, _) = Store::open(&url, 1, Duration::from_secs(60)).map_err(|e| e.to_string())?;
    let mut pooled = store.connection().map_err(|e| e.to_string())?;
    let conn: &mut DbConnection = &mut pooled;
    if let DbConnection::Sqlite(c) = conn {
        // A big page cache for this loading connection only (the server keeps its own
        // settings): at 100k articles the indexes outgrow SQLite's default 2 MiB.
        c.batch_execute("PRAGMA cache_size = -262144;")
            .map_err(|e| e.to_string())?;
    }

    let existing: i64 = write_transaction(conn, |c| {
        use sahifa::db::schema::articles::dsl::articles as table;
        diesel::QueryDsl::count(table).get_result(c)
    })
    .map_err(|e: diesel::result::Error| e.to_string())?;
    if existing > 0 {
        return Err(format!(
            "the database already has {existing} articles; seed only an empty one (use --create-database, or delete the file)"
        ));
    }

    // One argon2 hash shared by every account: hashing is deliberately slow, verifying the
    // same hash costs a login exactly as much as a distinct one would.
    let hash = sahifa::users::password::hash_blocking(PASSWORD);
    let t_hash = started.elapsed();

    let bank = Bank::new();
    let (author_ids, section_ids) = write_transaction(conn, |c| {
        let authors = insert_users(c, &hash, now)?;
        let sections = insert_sections(c, now)?;
        Ok::<_, diesel::result::Error>((authors, sections))
    })
    .map_err(|e| e.to_string())?;

    // Generators: worker w prepares articles w, w+W, w+2W, …; the writer takes them in index
    // order, so the result does not depend on the number of threads.
    let workers = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1);
    let n = args.articles;
    let seed = args.seed;
    let tag_names = bank.tags();
    let mut receivers = Vec::new();
    let mut handles = Vec::new();
    for w in 0..workers {
        let (tx, rx) = mpsc::sync_channel::<Prepared>(256);
        receivers.push(rx);
        let tags = tag_names.clone();
        handles.push(std::thread::spawn(move || {
            let bank = Bank::new();
            let mut i = w;
            while i < n {
                let prepared = prepare(&bank, &tags, seed, i, n, now);
                if tx.send(prepared).is_err() {
                    return;
                }
                i += workers;
            }
        }));
    }

    let t_load = Instant::now();
    let pg_url = match &url {
        DatabaseUrl::Postgres(raw) if !args.row_inserts => Some(raw.as_str()),
        _ => None,
    };
    let loaded = match pg_url {
        Some(raw) => copy_articles(
            conn,
            raw,
            &receivers,
            n,
            args.batch,
            &author_ids,
            &section_ids,
        ),
        None => insert_articles(conn, &receivers, n, args.batch, &author_ids, &section_ids),
    };
    // Stop the generators (they block on full channels) before reporting an error.
    drop(receivers);
    let counts = loaded?;
    for h in handles {
        let _ = h.join();
    }
    let t_articles = t_load.elapsed();
    let change_rows = seed_changes(conn, now, args.changes).map_err(|e| e.to_string())?;
    eprintln!("seed: {change_rows} rows of the changes feed");

    let t_finish = Instant::now();
    match conn {
        DbConnection::Sqlite(c) => {
            // Leave one self-contained file (the harness copies it).
            c.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);")
                .map_err(|e| e.to_string())?;
        }
        DbConnection::Postgres(c) => {
            // What autovacuum would have done a minute after such a load in production:
            // statistics for the planner and an up-to-date visibility map.
            c.batch_execute("VACUUM ANALYZE;")
                .map_err(|e| e.to_string())?;
        }
    }
    let t_finish = t_finish.elapsed();
    drop(pooled);

    let tags_used: i64 = {
        let mut pooled = store.connection().map_err(|e| e.to_string())?;
        diesel::QueryDsl::count(sahifa::db::schema::tags::table)
            .get_result(&mut *pooled)
            .map_err(|e| e.to_string())?
    };
    if let Some(path) = &args.manifest {
        let manifest = serde_json::json!({
            "articles": n,
            "seed": seed,
            "now": now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "store": match url { DatabaseUrl::Sqlite(_) => "sqlite", DatabaseUrl::Postgres(_) => "postgres" },
            "sections": section_ids.len(),
            "tags": tags_used,
            "comments_approved": counts.approved,
            "comments_total": counts.comments,
            "published": counts.published,
            "password": PASSWORD,
            "admin": ADMIN_EMAIL,
            "readers": (1..=READERS).map(|i| format!("reader{i}@sahifa.test")).collect::<Vec<_>>(),
            "queries": bank.queries(seed),
            "seconds": started.elapsed().as_secs_f64(),
        });
        std::fs::write(path, serde_json::to_string_pretty(&manifest).unwrap())
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    println!(
        "seeded {n} articles ({} published), {} comments ({} approved), {} sections, {} tags, {} users \
         in {:.1} s (hash {:.1} s, articles {:.1} s, finish {:.1} s)",
        counts.published,
        counts.comments,
        counts.approved,
        section_ids.len(),
        tags_used,
        author_ids.len() + READERS + 1,
        started.elapsed().as_secs_f64(),
        t_hash.as_secs_f64(),
        t_articles.as_secs_f64(),
        t_finish.as_secs_f64(),
    );
    Ok(())
}

// --- databases (helper modes) ---------------------------------------------------------------

/// The maintenance URL (`…/postgres`) and the database name of a PostgreSQL URL.
/// The changes feed as the API would have written it for this archive: `created` for every
/// published, due article in publication order, then `updated` rows up to `target`.
fn seed_changes(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    target: usize,
) -> diesel::QueryResult<usize> {
    use diesel::RunQueryDsl;
    use diesel::sql_types::{BigInt, Timestamp};
    let select = |action: &str| {
        format!(
            "INSERT INTO changes (resource, resource_id, action, slug, url, changed_at) \
             SELECT 'article', id, '{action}', slug, NULL, published_at FROM articles \
             WHERE status = 'published' AND published_at <= $1 ORDER BY published_at, id LIMIT $2"
        )
    };
    let mut written = write_transaction(conn, |c| {
        diesel::sql_query(select("created"))
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(i64::MAX)
            .execute(c)
    })?;
    while written > 0 && written < target {
        let more = write_transaction(conn, |c| {
            diesel::sql_query(select("updated"))
                .bind::<Timestamp, _>(now)
                .bind::<BigInt, _>((target - written) as i64)
                .execute(c)
        })?;
        if more == 0 {
            break;
        }
        written += more;
    }
    Ok(written)
}

fn pg_parts(url: &str) -> Result<(String, String), String> {
    let mut parsed = url::Url::parse(url).map_err(|e| format!("--database-url: {e}"))?;
    let name = parsed.path().trim_start_matches('/').to_owned();
    if name.is_empty() || name == "postgres" {
        return Err("the PostgreSQL URL must name a database of its own (not `postgres`)".into());
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("database name `{name}`: use letters, digits and _"));
    }
    parsed.set_path("/postgres");
    Ok((parsed.to_string(), name))
}

fn drop_database(url: &DatabaseUrl) -> Result<(), String> {
    match url {
        DatabaseUrl::Sqlite(path) => {
            for suffix in ["", "-wal", "-shm"] {
                let mut p = path.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(p));
            }
            Ok(())
        }
        DatabaseUrl::Postgres(raw) => {
            let (admin, name) = pg_parts(raw)?;
            let mut c = PgConnection::establish(&admin).map_err(|e| e.to_string())?;
            c.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .map_err(|e| format!("drop database {name}: {e}"))
        }
    }
}

fn create_database(url: &DatabaseUrl, template: Option<&str>) -> Result<(), String> {
    let DatabaseUrl::Postgres(raw) = url else {
        return Ok(());
    };
    let (admin, name) = pg_parts(raw)?;
    let mut c = PgConnection::establish(&admin).map_err(|e| e.to_string())?;
    let sql = match template {
        Some(t) => format!("CREATE DATABASE \"{name}\" TEMPLATE \"{t}\""),
        // The collation the README recommends, so titles sort as on SQLite.
        None => format!(
            "CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' \
             LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        ),
    };
    match c.batch_execute(&sql) {
        Ok(()) => Ok(()),
        Err(e) if template.is_none() => {
            eprintln!("seed: {e}; creating {name} with the server's default locale");
            c.batch_execute(&format!("CREATE DATABASE \"{name}\""))
                .map_err(|e| format!("create database {name}: {e}"))
        }
        Err(e) => Err(format!("create database {name}: {e}")),
    }
}

fn clone_database(url: &DatabaseUrl, template: &str) -> Result<(), String> {
    if !matches!(url, DatabaseUrl::Postgres(_)) {
        return Err("--clone-from is for PostgreSQL (copy the file for SQLite)".into());
    }
    if !template
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(format!(
            "--clone-from `{template}`: use letters, digits and _"
        ));
    }
    drop_database(url)?;
    create_database(url, Some(template))
}

// --- fixed rows -----------------------------------------------------------------------------

fn insert_users(
    c: &mut DbConnection,
    hash: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<Vec<i64>> {
    let mut add = |email: &str, name: &str, role: Role| {
        users::insert(
            c,
            &NewUser {
                email,
                display_name: name,
                role: role.as_str(),
                active: true,
                password_hash: hash,
                created_at: now,
                updated_at: now,
            },
        )
        .map(|u| u.id)
    };
    add(ADMIN_EMAIL, "Bench Admin", Role::Admin)?;
    let mut bylines = Vec::new();
    for (i, (name, role)) in BYLINES.iter().enumerate() {
        bylines.push(add(&format!("writer{}@sahifa.test", i + 1), name, *role)?);
    }
    for i in 1..=READERS {
        add(
            &format!("reader{i}@sahifa.test"),
            &format!("Reader {i}"),
            Role::Author,
        )?;
    }
    Ok(bylines)
}

const BYLINES: &[(&str, Role)] = &[
    ("غرفة الأخبار", Role::Editor),
    ("سارة المصري", Role::Editor),
    ("أحمد الخطيب", Role::Author),
    ("ليلى حداد", Role::Author),
    ("يوسف الراشد", Role::Author),
    ("مريم العمري", Role::Author),
    ("خالد منصور", Role::Author),
    ("نور الهاشمي", Role::Author),
    ("Emma Clarke", Role::Editor),
    ("David Okafor", Role::Author),
    ("Hannah Weiss", Role::Author),
    ("Omar Haddad", Role::Author),
];

/// Sections: (name, description, parent index, language domain).
const SECTIONS: &[(&str, &str, Option<usize>, Domain)] = &[
    (
        "العالم",
        "أخبار السياسة والعلاقات الدولية",
        None,
        Domain::Politics,
    ),
    (
        "الشرق الأوسط",
        "تغطية يومية لأخبار المنطقة",
        Some(0),
        Domain::Politics,
    ),
    ("أوروبا", "أخبار القارة الأوروبية", Some(0), Domain::Politics),
    (
        "الاقتصاد",
        "الأسواق والمصارف والمال والأعمال",
        None,
        Domain::Economy,
    ),
    ("البنوك", "أخبار القطاع المصرفي", Some(3), Domain::Economy),
    (
        "الأسواق",
        "البورصات والعملات والسلع",
        Some(3),
        Domain::Economy,
    ),
    ("الرياضة", "نتائج وتحليلات", None, Domain::Sports),
    (
        "كرة القدم",
        "الدوريات والبطولات والانتقالات",
        Some(6),
        Domain::Sports,
    ),
    ("تكنولوجيا", "جديد التقنية والعلوم", None, Domain::Tech),
    ("صحة", "معلومات صحية موثوقة", None, Domain::Health),
    (
        "ثقافة وفنون",
        "الكتب والسينما والمسرح والتراث",
        None,
        Domain::Culture,
    ),
    (
        "World",
        "International news in English",
        None,
        Domain::EnWorld,
    ),
    (
        "Business",
        "Markets, companies and the economy",
        None,
        Domain::EnBusiness,
    ),
    (
        "Technology",
        "Gadgets, software and the web",
        None,
        Domain::EnTech,
    ),
];

fn insert_sections(c: &mut DbConnection, now: NaiveDateTime) -> diesel::QueryResult<Vec<i64>> {
    let mut ids: Vec<i64> = Vec::new();
    for (i, (name, description, parent, _)) in SECTIONS.iter().enumerate() {
        let slug = sahifa::text::slugify(name);
        let row = sections::insert(
            c,
            &NewSection {
                name,
                slug: &slug,
                description: Some(description),
                parent_id: parent.map(|p| ids[p]),
                position: i as i32,
                created_at: now,
                updated_at: now,
            },
        )?;
        ids.push(row.id);
    }
    Ok(ids)
}

// --- articles -------------------------------------------------------------------------------

#[derive(Default)]
struct Counts {
    published: usize,
    comments: usize,
    approved: usize,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.published += o.published;
        self.comments += o.comments;
        self.approved += o.approved;
    }
}

struct PreparedComment {
    /// Index (within this article) of the comment replied to.
    reply_to: Option<usize>,
    author_name: String,
    author_email: String,
    body: String,
    status: CommentStatus,
    at: NaiveDateTime,
}

/// One article with everything derived, ready to insert.
struct Prepared {
    title: String,
    slug: String,
    excerpt: String,
    body: String,
    body_html: String,
    reading_time: i32,
    status: Status,
    section: usize,
    author: usize,
    image: Option<(String, String, Option<String>)>,
    lang: &'static str,
    comments_open: bool,
    published_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    tags: Vec<String>,
    comments: Vec<PreparedComment>,
}

fn insert_article(
    c: &mut DbConnection,
    p: &Prepared,
    author_ids: &[i64],
    section_ids: &[i64],
    counts: &mut Counts,
) -> diesel::QueryResult<()> {
    let image = p.image.as_ref();
    let id = articles::insert(
        c,
        &NewArticle {
            title: &p.title,
            slug: &p.slug,
            excerpt: &p.excerpt,
            excerpt_is_custom: false,
            body: &p.body,
            body_html: &p.body_html,
            body_format: "markdown",
            status: p.status.as_str(),
            section_id: section_ids[p.section],
            author_id: author_ids[p.author],
            featured_image_url: image.map(|i| i.0.as_str()),
            featured_image_alt: image.map(|i| i.1.as_str()),
            featured_image_caption: image.and_then(|i| i.2.as_deref()),
            featured_media_id: None,
            lang: p.lang,
            meta_title: None,
            meta_description: None,
            reading_time_minutes: p.reading_time,
            comments_open: p.comments_open,
            published_at: p.published_at,
            created_at: p.created_at,
            updated_at: p.updated_at,
            byline: None,
            source: None,
            source_url: None,
            content_updated_at: Some(p.updated_at),
            breaking_until: None,
            featured: false,
            position: None,
        },
    )?;
    sahifa::tags::model::set_for_article(c, id, &p.tags, p.created_at)?;
    if p.status == Status::Published {
        counts.published += 1;
    }
    let mut inserted: Vec<(i64, i32)> = Vec::with_capacity(p.comments.len());
    for pc in &p.comments {
        let (parent_id, depth) = match pc.reply_to.map(|k| inserted[k]) {
            Some((pid, d)) if d < comments::MAX_DEPTH => (Some(pid), d + 1),
            _ => (None, 0),
        };
        let cid = comments::insert(
            c,
            &NewComment {
                article_id: id,
                parent_id,
                depth,
                author_name: &pc.author_name,
                author_email: &pc.author_email,
                body: &pc.body,
                status: pc.status.as_str(),
                client_ip: Some("192.0.2.10"),
                author_url: None,
                created_at: pc.at,
                updated_at: pc.at,
            },
        )?;
        inserted.push((cid, depth));
        counts.comments += 1;
        if pc.status == CommentStatus::Approved {
            counts.approved += 1;
        }
    }
    Ok(())
}

/// The articles through the library's row inserts, `batch` per write transaction (SQLite, and
/// PostgreSQL with `--row-inserts`).
fn insert_articles(
    conn: &mut DbConnection,
    receivers: &[mpsc::Receiver<Prepared>],
    n: usize,
    batch: usize,
    author_ids: &[i64],
    section_ids: &[i64],
) -> Result<Counts, String> {
    let t_load = Instant::now();
    let mut counts = Counts::default();
    let mut next = 0usize;
    while next < n {
        let end = (next + batch.max(1)).min(n);
        let batch_counts = write_transaction(conn, |c| {
            let mut counts = Counts::default();
            for i in next..end {
                let p = receivers[i % receivers.len()]
                    .recv()
                    .expect("a generator thread stopped early");
                insert_article(c, &p, author_ids, section_ids, &mut counts)?;
            }
            Ok::<_, diesel::result::Error>(counts)
        })
        .map_err(|e| e.to_string())?;
        counts.add(&batch_counts);
        next = end;
        eprintln!(
            "seed: {next}/{n} articles, {} comments ({:.1} s)",
            counts.comments,
            t_load.elapsed().as_secs_f64()
        );
    }
    Ok(counts)
}

// --- PostgreSQL: COPY -----------------------------------------------------------------------

/// One write transaction's rows in `COPY`'s text format.
#[derive(Default)]
struct CopyBatch {
    end: usize,
    articles: Vec<u8>,
    article_tags: Vec<u8>,
    comments: Vec<u8>,
}

/// The articles, their tags and comments into an empty PostgreSQL database with
/// `COPY … FROM STDIN`: the same rows, ids and counters as [`insert_articles`] writes there.
///
/// Ids are assigned here as the identity columns would have (the tables are empty: 1, 2, …
/// in index order), then the sequences are moved past them. Tags are created as the row
/// path creates them (in order of first use, with the first article's time), by the calling
/// thread and committed before the rows naming them are sent; a second connection, on its
/// own thread, runs the `COPY`s while the next batch is built. `comment_count` is written
/// with the article (the row path adds 1 per approved comment). Triggers fire as for row
/// inserts.
fn copy_articles(
    conn: &mut DbConnection,
    raw_url: &str,
    receivers: &[mpsc::Receiver<Prepared>],
    n: usize,
    batch: usize,
    author_ids: &[i64],
    section_ids: &[i64],
) -> Result<Counts, String> {
    use diesel::ExpressionMethods;
    use diesel::prelude::ExecuteCopyFromDsl;
    use sahifa::db::schema::{article_tags as at, articles as a, comments as cm, tags as tg};

    let (comments_before, tags): (i64, Vec<(String, i64)>) = write_transaction(conn, |c| {
        let comments_before = diesel::QueryDsl::count(cm::table).get_result(c)?;
        let tags = diesel::QueryDsl::select(tg::table, (tg::key, tg::id)).load(c)?;
        Ok::<_, diesel::result::Error>((comments_before, tags))
    })
    .map_err(|e| e.to_string())?;
    if comments_before > 0 {
        return Err(format!(
            "the database already has {comments_before} comments; seed only an empty one"
        ));
    }
    let mut tag_ids: std::collections::HashMap<String, i64> = tags.into_iter().collect();

    let mut writer_conn = PgConnection::establish(raw_url).map_err(|e| e.to_string())?;
    writer_conn
        .batch_execute("SET synchronous_commit = off")
        .map_err(|e| e.to_string())?;
    let (tx, rx) = mpsc::sync_channel::<CopyBatch>(1);
    let writer = std::thread::spawn(move || -> Result<(), String> {
        let c = &mut writer_conn;
        for b in rx {
            c.transaction(|c| {
                diesel::copy_from(a::table)
                    .from_raw_data(
                        (
                            a::id,
                            a::title,
                            a::slug,
                            a::excerpt,
                            a::excerpt_is_custom,
                            a::body,
                            a::body_html,
                            a::body_format,
                            a::status,
                            a::section_id,
                            a::author_id,
                            a::featured_image_url,
                            a::featured_image_alt,
                            a::featured_image_caption,
                            a::featured_media_id,
                            a::lang,
                            a::meta_title,
                            a::meta_description,
                            a::reading_time_minutes,
                            a::comment_count,
                            a::comments_open,
                            a::published_at,
                            a::created_at,
                            a::updated_at,
                            a::byline,
                            a::source,
                            a::source_url,
                            a::content_updated_at,
                            a::breaking_until,
                            a::featured,
                            a::position,
                        ),
                        |w| write_all(w, &b.articles),
                    )
                    .execute(c)?;
                diesel::copy_from(at::table)
                    .from_raw_data((at::article_id, at::tag_id, at::position), |w| {
                        write_all(w, &b.article_tags)
                    })
                    .execute(c)?;
                if !b.comments.is_empty() {
                    diesel::copy_from(cm::table)
                        .from_raw_data(
                            (
                                cm::id,
                                cm::article_id,
                                cm::parent_id,
                                cm::depth,
                                cm::author_name,
                                cm::author_email,
                                cm::body,
                                cm::status,
                                cm::client_ip,
                                cm::created_at,
                                cm::updated_at,
                                cm::author_url,
                            ),
                            |w| write_all(w, &b.comments),
                        )
                        .execute(c)?;
                }
                Ok::<_, diesel::result::Error>(())
            })
            .map_err(|e| format!("COPY of the articles up to {}: {e}", b.end))?;
        }
        Ok(())
    });

    let t_load = Instant::now();
    let mut counts = Counts::default();
    let mut next_comment_id = 1i64;
    let mut next = 0usize;
    let mut sent = Ok(());
    while next < n {
        let end = (next + batch.max(1)).min(n);
        let mut b = CopyBatch {
            end,
            ..CopyBatch::default()
        };
        let mut new_tags: Vec<(String, String, NaiveDateTime)> = Vec::new();
        for i in next..end {
            let p = receivers[i % receivers.len()]
                .recv()
                .expect("a generator thread stopped early");
            let id = i as i64 + 1;
            let mut tag_keys = Vec::with_capacity(p.tags.len());
            for name in &p.tags {
                let key = sahifa::tags::key(name);
                if !tag_ids.contains_key(&key) && !new_tags.iter().any(|t| t.0 == key) {
                    new_tags.push((key.clone(), name.clone(), p.created_at));
                }
                tag_keys.push(key);
            }
            write_article(&mut b, id, &p, author_ids, section_ids);
            for (position, key) in tag_keys.into_iter().enumerate() {
                // Filled in below, once the batch's new tags have their ids.
                b.article_tags
                    .extend_from_slice(format!("{id}\t{key}\t{position}\n").as_bytes());
            }
            write_comments(&mut b, id, &p, &mut next_comment_id, &mut counts);
            if p.status == Status::Published {
                counts.published += 1;
            }
        }
        if !new_tags.is_empty() {
            let created = write_transaction(conn, |c| {
                let mut created = Vec::with_capacity(new_tags.len());
                for (key, name, at) in &new_tags {
                    let slug = sahifa::slugs::usable(
                        sahifa::text::slugify(name),
                        sahifa::slugs::Resource::Article,
                    );
                    let id: i64 = diesel::insert_into(tg::table)
                        .values((
                            tg::name.eq(name),
                            tg::key.eq(key),
                            tg::slug.eq(&slug),
                            tg::created_at.eq(at),
                        ))
                        .returning(tg::id)
                        .get_result(c)?;
                    created.push((key.clone(), id));
                }
                Ok::<_, diesel::result::Error>(created)
            })
            .map_err(|e| format!("tags: {e}"))?;
            tag_ids.extend(created);
        }
        b.article_tags = resolve_tags(&b.article_tags, &tag_ids);
        next = end;
        if tx.send(b).is_err() {
            sent = Err(());
            break;
        }
        eprintln!(
            "seed: {next}/{n} articles, {} comments ({:.1} s)",
            counts.comments,
            t_load.elapsed().as_secs_f64()
        );
    }
    drop(tx);
    let written = writer
        .join()
        .map_err(|_| "the COPY thread panicked".to_owned())?;
    written?;
    if sent.is_err() {
        return Err("the COPY thread stopped early".into());
    }

    // The identity sequences where the row inserts would have left them.
    let mut setval = String::new();
    if n > 0 {
        let _ = write!(
            setval,
            "SELECT setval(pg_get_serial_sequence('articles', 'id'), {n});"
        );
    }
    if next_comment_id > 1 {
        let _ = write!(
            setval,
            "SELECT setval(pg_get_serial_sequence('comments', 'id'), {});",
            next_comment_id - 1
        );
    }
    if let DbConnection::Postgres(c) = conn {
        c.batch_execute(&setval).map_err(|e| e.to_string())?;
    }
    Ok(counts)
}

fn write_all(w: &mut dyn std::io::Write, data: &[u8]) -> diesel::QueryResult<()> {
    w.write_all(data)
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
}

/// `article_id \t key \t position` lines with each tag key replaced by its id.
fn resolve_tags(raw: &[u8], ids: &std::collections::HashMap<String, i64>) -> Vec<u8> {
    let text = std::str::from_utf8(raw).expect("built from strings");
    let mut out = Vec::with_capacity(raw.len());
    for line in text.lines() {
        let mut parts = line.splitn(3, '\t');
        let (article, key, position) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let _ = writeln!(Utf8Vec(&mut out), "{article}\t{}\t{position}", ids[key]);
    }
    out
}

/// `fmt::Write` over a byte buffer.
struct Utf8Vec<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Utf8Vec<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// One row of `COPY`'s text format: fields separated by tabs, `\N` for NULL, backslash
/// escapes for the backslash, tab, newline and carriage return.
struct Row<'a> {
    buf: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Row<'a> {
    fn new(buf: &'a mut Vec<u8>) -> Self {
        Row { buf, first: true }
    }

    fn sep(&mut self) {
        if !self.first {
            self.buf.push(b'\t');
        }
        self.first = false;
    }

    fn text(&mut self, s: &str) -> &mut Self {
        self.sep();
        for &b in s.as_bytes() {
            match b {
                b'\\' => self.buf.extend_from_slice(b"\\\\"),
                b'\t' => self.buf.extend_from_slice(b"\\t"),
                b'\n' => self.buf.extend_from_slice(b"\\n"),
                b'\r' => self.buf.extend_from_slice(b"\\r"),
                _ => self.buf.push(b),
            }
        }
        self
    }

    fn null(&mut self) -> &mut Self {
        self.sep();
        self.buf.extend_from_slice(b"\\N");
        self
    }

    fn opt_text(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.text(s),
            None => self.null(),
        }
    }

    fn int(&mut self, v: i64) -> &mut Self {
        self.sep();
        let _ = write!(Utf8Vec(self.buf), "{v}");
        self
    }

    fn opt_int(&mut self, v: Option<i64>) -> &mut Self {
        match v {
            Some(v) => self.int(v),
            None => self.null(),
        }
    }

    fn bool(&mut self, v: bool) -> &mut Self {
        self.sep();
        self.buf.push(if v { b't' } else { b'f' });
        self
    }

    /// Microseconds, truncated as Diesel's binary encoding truncates them.
    fn ts(&mut self, v: NaiveDateTime) -> &mut Self {
        self.sep();
        let _ = write!(Utf8Vec(self.buf), "{}", v.format("%Y-%m-%d %H:%M:%S%.6f"));
        self
    }

    fn opt_ts(&mut self, v: Option<NaiveDateTime>) -> &mut Self {
        match v {
            Some(v) => self.ts(v),
            None => self.null(),
        }
    }

    fn end(&mut self) {
        self.buf.push(b'\n');
    }
}

/// The `articles` row [`insert_article`] writes, with its final `comment_count`.
fn write_article(
    b: &mut CopyBatch,
    id: i64,
    p: &Prepared,
    author_ids: &[i64],
    section_ids: &[i64],
) {
    let image = p.image.as_ref();
    let approved = p
        .comments
        .iter()
        .filter(|c| c.status == CommentStatus::Approved)
        .count();
    Row::new(&mut b.articles)
        .int(id)
        .text(&p.title)
        .text(&p.slug)
        .text(&p.excerpt)
        .bool(false)
        .text(&p.body)
        .text(&p.body_html)
        .text("markdown")
        .text(p.status.as_str())
        .int(section_ids[p.section])
        .int(author_ids[p.author])
        .opt_text(image.map(|i| i.0.as_str()))
        .opt_text(image.map(|i| i.1.as_str()))
        .opt_text(image.and_then(|i| i.2.as_deref()))
        .opt_int(None)
        .text(p.lang)
        .opt_text(None)
        .opt_text(None)
        .int(p.reading_time.into())
        .int(approved as i64)
        .bool(p.comments_open)
        .opt_ts(p.published_at)
        .ts(p.created_at)
        .ts(p.updated_at)
        .opt_text(None)
        .opt_text(None)
        .opt_text(None)
        .opt_ts(Some(p.updated_at))
        .opt_ts(None)
        .bool(false)
        .opt_int(None)
        .end();
}

/// The `comments` rows [`insert_article`] writes, ids from `next_id`.
fn write_comments(
    b: &mut CopyBatch,
    article_id: i64,
    p: &Prepared,
    next_id: &mut i64,
    counts: &mut Counts,
) {
    let mut inserted: Vec<(i64, i32)> = Vec::with_capacity(p.comments.len());
    for pc in &p.comments {
        let (parent_id, depth) = match pc.reply_to.map(|k| inserted[k]) {
            Some((pid, d)) if d < comments::MAX_DEPTH => (Some(pid), d + 1),
            _ => (None, 0),
        };
        let cid = *next_id;
        *next_id += 1;
        Row::new(&mut b.comments)
            .int(cid)
            .int(article_id)
            .opt_int(parent_id)
            .int(depth.into())
            .text(&pc.author_name)
            .text(&pc.author_email)
            .text(&pc.body)
            .text(pc.status.as_str())
            .opt_text(Some("192.0.2.10"))
            .ts(pc.at)
            .ts(pc.at)
            .opt_text(None)
            .end();
        inserted.push((cid, depth));
        counts.comments += 1;
        if pc.status == CommentStatus::Approved {
            counts.approved += 1;
        }
    }
}

/// Builds article `i` of `n` from its own random stream.
fn prepare(
    bank: &Bank,
    tags: &[Vec<String>],
    seed: u64,
    i: usize,
    n: usize,
    now: NaiveDateTime,
) -> Prepared {
    let mut r = Rng::new(seed, i as u64);
    let english = r.chance(0.2);
    let section = if english {
        11 + r.below(3)
    } else {
        // Sections weighted like a news site: world and economy busiest.
        *r.pick(&[0, 0, 1, 1, 1, 2, 3, 3, 4, 5, 5, 6, 7, 7, 8, 8, 9, 10])
    };
    let domain = SECTIONS[section].3;
    let author = if english { 8 + r.below(4) } else { r.below(8) };

    // Spread over the last two years in index order (ids grow with time, as in a real
    // newsroom), with jitter.
    let span = 730.0 * 86_400.0;
    let base = now - chrono::Duration::seconds(span as i64)
        + chrono::Duration::seconds((span * (i as f64 + r.unit()) / n.max(1) as f64) as i64);
    let roll = r.unit();
    let (status, published_at) = if roll < 0.010 {
        (Status::Draft, None)
    } else if roll < 0.015 {
        (Status::Review, None)
    } else if roll < 0.020 {
        (Status::Archived, Some(base))
    } else if roll < 0.025 {
        // Scheduled: published, due within the next two weeks.
        (
            Status::Published,
            Some(now + chrono::Duration::minutes(30 + r.below(14 * 24 * 60) as i64)),
        )
    } else {
        (
            Status::Published,
            Some(base.min(now - chrono::Duration::minutes(5))),
        )
    };
    let created_at = published_at.unwrap_or(base).min(base)
        - chrono::Duration::minutes(20 + r.below(600) as i64);
    let updated_at =
        published_at.unwrap_or(created_at).min(now) + chrono::Duration::minutes(r.below(90) as i64);

    let (title, body) = if english {
        bank.english_article(&mut r, domain)
    } else {
        bank.arabic_article(&mut r, domain)
    };
    let mut slug_base: String = sahifa::text::slugify(&title).chars().take(64).collect();
    while slug_base.ends_with('-') {
        slug_base.pop();
    }
    if slug_base.is_empty() {
        slug_base.push_str("article");
    }
    let slug = format!("{slug_base}-{}", i + 1);
    let sahifa::articles::derived::Derived {
        body_html,
        excerpt,
        reading_time_minutes: reading_time,
        ..
    } = sahifa::articles::derived::Derived::of(&body).expect("generated bodies nest shallowly");

    // 1–4 distinct tags: mostly from the section's pool (popular ones more often), some
    // general ones (countries, events).
    let pool = &tags[domain as usize];
    let general = &tags[GENERAL_POOL];
    let want = 1 + r.below(4);
    let mut chosen: Vec<String> = Vec::with_capacity(want);
    let mut keys: Vec<String> = Vec::with_capacity(want);
    for _ in 0..want * 3 {
        if chosen.len() == want {
            break;
        }
        let name = if english || r.chance(0.7) {
            &pool[r.skewed(pool.len())]
        } else {
            &general[r.skewed(general.len())]
        };
        let key = sahifa::tags::key(name);
        if !keys.contains(&key) {
            keys.push(key);
            chosen.push(name.clone());
        }
    }

    let image = r.chance(0.6).then(|| {
        let year = published_at.unwrap_or(created_at).format("%Y");
        (
            format!("https://cdn.sahifa.test/images/{year}/{}.jpg", i + 1),
            if english {
                "Photo for the story".to_owned()
            } else {
                "صورة من موقع الحدث".to_owned()
            },
            r.chance(0.5).then(|| {
                if english {
                    "Photo: Sahifa".to_owned()
                } else {
                    "تصوير: صحيفة".to_owned()
                }
            }),
        )
    });

    let mut comments = Vec::new();
    let visible = status == Status::Published && published_at.is_some_and(|at| at <= now);
    let comments_open = !r.chance(0.05);
    if visible {
        // About 3 approved comments per article on average, skewed: many with none, a few
        // popular stories with dozens.
        let approved = ((-r.unit().max(1e-9).ln()) * 3.4).floor().min(60.0) as usize;
        let pending = usize::from(r.chance(0.1));
        let at0 = published_at.unwrap();
        for k in 0..approved + pending {
            let status = if k < approved {
                CommentStatus::Approved
            } else {
                CommentStatus::Pending
            };
            let reply_to =
                (k > 0 && status == CommentStatus::Approved && r.chance(0.25)).then(|| r.below(k));
            let reply_to = reply_to.filter(|&j| comments_approved(&comments, j));
            let (name, email) = bank.commenter(&mut r, english);
            let at = (at0 + chrono::Duration::minutes(5 + (k as i64) * (7 + r.below(120) as i64)))
                .min(now);
            comments.push(PreparedComment {
                reply_to,
                author_name: name,
                author_email: email,
                body: bank.comment(&mut r, english, domain),
                status,
                at,
            });
        }
    }

    Prepared {
        title,
        slug,
        excerpt,
        body,
        body_html,
        reading_time,
        status,
        section,
        author,
        image,
        lang: if english { "en" } else { "ar" },
        comments_open,
        published_at,
        created_at,
        updated_at,
        tags: chosen,
        comments,
    }
}

fn comments_approved(comments: &[PreparedComment], j: usize) -> bool {
    comments
        .get(j)
        .is_some_and(|c| c.status == CommentStatus::Approved)
}

// --- randomness -----------------------------------------------------------------------------

/// SplitMix64: tiny, fast, and the same on every platform and version.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Self {
        let mut r =
            Rng(seed.wrapping_mul(0xD1B5_4A32_D192_ED03)
                ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    /// An index in `0..n` skewed towards 0 (popular items first).
    fn skewed(&mut self, n: usize) -> usize {
        let u = self.unit();
        ((u * u * n as f64) as usize).min(n.saturating_sub(1))
    }
}

// --- the phrase bank ------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Domain {
    Politics = 0,
    Economy = 1,
    Sports = 2,
    Tech = 3,
    Health = 4,
    Culture = 5,
    EnWorld = 6,
    EnBusiness = 7,
    EnTech = 8,
}

const GENERAL_POOL: usize = 9;

struct Bank;

const AR_ACTORS: &[(&str, bool)] = &[
    ("وزير الخارجية", false),
    ("رئيس الوزراء", false),
    ("البنك المركزي", false),
    ("وزارة الصحة", true),
    ("المتحدث باسم الحكومة", false),
    ("محافظ البنك المركزي", false),
    ("مجلس الأمن الدولي", false),
    ("المفوضية الأوروبية", true),
    ("منظمة الصحة العالمية", true),
    ("اتحاد كرة القدم", false),
    ("شركة ناشئة محلية", true),
    ("هيئة الأسواق المالية", true),
    ("وزارة التعليم", true),
    ("نقابة الأطباء", true),
    ("رئيس البرلمان", false),
    ("وزير الاقتصاد", false),
    ("وزيرة الثقافة", true),
    ("مدرب المنتخب", false),
    ("الرئيس التنفيذي للشركة", false),
    ("وكالة الفضاء", true),
    ("إدارة الجامعة", true),
    ("مصادر دبلوماسية", true),
    ("الأمم المتحدة", true),
    ("صندوق النقد الدولي", false),
    ("هيئة الأرصاد الجوية", true),
    ("وزارة الطاقة", true),
    ("وزير النقل", false),
    ("المجلس البلدي", false),
    ("غرفة التجارة", true),
    ("الاتحاد الأفريقي", false),
    ("جامعة الدول العربية", true),
    ("وزارة الاتصالات", true),
    ("إدارة المستشفى", true),
];

const AR_SAY: &[(&str, &str)] = &[
    ("أعلن", "أعلنت"),
    ("أكد", "أكدت"),
    ("أوضح", "أوضحت"),
    ("ذكر", "ذكرت"),
    ("أفاد", "أفادت"),
    ("توقّع", "توقّعت"),
    ("اعتبر", "اعتبرت"),
    ("كشف", "كشفت"),
];

const AR_PRESENT: &[(&str, &str)] = &[
    ("يعلن", "تعلن"),
    ("يبحث", "تبحث"),
    ("يناقش", "تناقش"),
    ("يطلق", "تطلق"),
    ("يدرس", "تدرس"),
    ("يرفض", "ترفض"),
    ("يدعم", "تدعم"),
    ("يراجع", "تراجع"),
    ("يقرّ", "تقرّ"),
    ("يحذّر من", "تحذّر من"),
];

const AR_CITIES: &[&str] = &[
    "القاهرة",
    "الرياض",
    "دبي",
    "عمّان",
    "بيروت",
    "الرباط",
    "تونس",
    "الدوحة",
    "بغداد",
    "الجزائر",
    "الخرطوم",
    "مسقط",
    "الكويت",
    "المنامة",
    "طرابلس",
    "دمشق",
    "صنعاء",
    "نواكشوط",
    "جدة",
    "الإسكندرية",
    "أبوظبي",
    "مراكش",
    "وهران",
    "حلب",
    "الموصل",
    "أربيل",
    "صفاقس",
    "بنغازي",
    "إسطنبول",
    "باريس",
    "لندن",
    "برلين",
    "طوكيو",
    "واشنطن",
    "بكين",
    "موسكو",
    "نيودلهي",
    "جنيف",
    "بروكسل",
    "نيويورك",
];

const AR_COUNTRIES: &[&str] = &[
    "مصر",
    "السعودية",
    "الإمارات",
    "الأردن",
    "لبنان",
    "المغرب",
    "تونس",
    "قطر",
    "العراق",
    "الجزائر",
    "السودان",
    "سلطنة عمان",
    "الكويت",
    "البحرين",
    "ليبيا",
    "سوريا",
    "اليمن",
    "موريتانيا",
    "فلسطين",
    "تركيا",
    "فرنسا",
    "ألمانيا",
    "اليابان",
    "الصين",
    "الهند",
    "البرازيل",
    "روسيا",
    "الولايات المتحدة",
    "بريطانيا",
    "إيطاليا",
    "إسبانيا",
    "كندا",
];

const AR_WHEN: &[&str] = &[
    "يوم الأحد",
    "يوم الاثنين",
    "يوم الثلاثاء",
    "يوم الأربعاء",
    "يوم الخميس",
    "يوم الجمعة",
    "يوم السبت",
    "صباح اليوم",
    "مساء أمس",
    "الأسبوع الماضي",
    "في وقت سابق من هذا الشهر",
    "خلال مؤتمر صحفي",
    "في بيان رسمي",
    "في تصريحات للصحفيين",
];

const AR_FIRST: &[&str] = &[
    "محمد",
    "أحمد",
    "سارة",
    "فاطمة",
    "علي",
    "خالد",
    "ليلى",
    "يوسف",
    "مريم",
    "عمر",
    "نور",
    "حسن",
    "رانيا",
    "طارق",
    "هدى",
    "سامي",
    "ريم",
    "كريم",
    "دينا",
    "إبراهيم",
    "منى",
    "زياد",
    "لينا",
    "ماجد",
    "سلمى",
    "وليد",
    "هالة",
    "باسل",
    "جميلة",
    "نبيل",
];

const AR_LAST: &[&str] = &[
    "العلي",
    "الحسيني",
    "منصور",
    "الخطيب",
    "الشامي",
    "السعدي",
    "عبد الله",
    "الزهراني",
    "بن علي",
    "المصري",
    "القاسم",
    "الراشد",
    "حداد",
    "النجار",
    "العمري",
    "الهاشمي",
    "فرحات",
    "سليمان",
    "العتيبي",
    "البزاز",
];

const AR_ROLES: &[&str] = &[
    "المحلل الاقتصادي",
    "الخبير في شؤون الطاقة",
    "أستاذ العلوم السياسية",
    "المدير العام للمشروع",
    "الطبيب المختص",
    "الناقد الفني",
    "المدرب المساعد",
    "الباحث في مركز الدراسات",
    "الخبير المصرفي",
    "مهندس البرمجيات",
];

/// Per domain: the topics (tag candidates and the subject of sentences).
const AR_TOPICS: [&[&str]; 6] = [
    &[
        "الانتخابات",
        "البرلمان",
        "الدستور",
        "المفاوضات",
        "وقف إطلاق النار",
        "اللاجئين",
        "الأمن الإقليمي",
        "العلاقات الثنائية",
        "القمة العربية",
        "الدبلوماسية",
        "حقوق الإنسان",
        "الإصلاح السياسي",
        "الحكومة الجديدة",
        "المعارضة",
        "الاتفاق النووي",
        "الحدود",
        "المساعدات الإنسانية",
        "الهجرة",
        "عملية السلام",
        "الاستفتاء",
        "التحالف",
        "العقوبات",
        "الأحزاب",
        "الانتقال الديمقراطي",
        "الأمن الغذائي",
        "المياه",
        "تغير المناخ",
    ],
    &[
        "التضخم",
        "أسعار الفائدة",
        "الصادرات",
        "الاستثمار الأجنبي",
        "البورصة",
        "النفط",
        "الغاز الطبيعي",
        "الميزانية",
        "الديون",
        "البطالة",
        "العملات الرقمية",
        "سعر الصرف",
        "التجارة الإلكترونية",
        "القطاع المصرفي",
        "الضرائب",
        "السياحة",
        "العقارات",
        "الذهب",
        "الشركات الناشئة",
        "التمويل الإسلامي",
        "الأسواق الناشئة",
        "الدعم الحكومي",
        "سلاسل الإمداد",
        "الموانئ",
        "الزراعة",
        "الطاقة المتجددة",
        "القروض",
    ],
    &[
        "كرة القدم",
        "الدوري المحلي",
        "دوري أبطال آسيا",
        "كأس العالم",
        "المنتخب الوطني",
        "الانتقالات",
        "كرة السلة",
        "التنس",
        "ألعاب القوى",
        "السباحة",
        "الألعاب الأولمبية",
        "الملاعب",
        "التحكيم",
        "الإصابات",
        "كأس الأمم الأفريقية",
        "الدوري الإنجليزي",
        "الدوري الإسباني",
        "رياضة المرأة",
        "الماراثون",
        "الفورمولا 1",
        "كرة اليد",
        "دوري أبطال أوروبا",
    ],
    &[
        "الذكاء الاصطناعي",
        "الهواتف الذكية",
        "الأمن السيبراني",
        "الحوسبة السحابية",
        "شبكات الجيل الخامس",
        "التحول الرقمي",
        "البيانات الضخمة",
        "الروبوتات",
        "السيارات الكهربائية",
        "الطاقة الشمسية",
        "البرمجيات مفتوحة المصدر",
        "الألعاب الإلكترونية",
        "أشباه الموصلات",
        "الفضاء",
        "الأقمار الصناعية",
        "التطبيقات",
        "وسائل التواصل الاجتماعي",
        "الخصوصية",
        "الحوسبة الكمية",
        "الواقع الافتراضي",
        "الإنترنت",
        "المدن الذكية",
    ],
    &[
        "الإنفلونزا",
        "اللقاحات",
        "السكري",
        "أمراض القلب",
        "الصحة النفسية",
        "التغذية",
        "السمنة",
        "المستشفيات",
        "الأدوية",
        "السرطان",
        "التأمين الصحي",
        "اللياقة البدنية",
        "النوم",
        "صحة الأطفال",
        "الأوبئة",
        "التدخين",
        "ضغط الدم",
        "الطب عن بعد",
        "الأبحاث الطبية",
        "الإسعافات الأولية",
        "الكوليسترول",
        "صحة الفم والأسنان",
    ],
    &[
        "السينما",
        "المسرح",
        "معرض الكتاب",
        "الرواية",
        "الشعر",
        "الموسيقى",
        "التراث",
        "المتاحف",
        "الفن التشكيلي",
        "المهرجانات",
        "الترجمة",
        "الخط العربي",
        "العمارة",
        "الآثار",
        "الجوائز الأدبية",
        "الدراما التلفزيونية",
        "التصوير الفوتوغرافي",
        "الأزياء",
        "المطبخ العربي",
        "اللغة العربية",
        "الفنون الشعبية",
        "المخطوطات",
    ],
];

const AR_EVENTS: &[&str] = &[
    "كأس العالم",
    "الانتخابات البرلمانية",
    "قمة المناخ",
    "معرض الكتاب",
    "رمضان",
    "الألعاب الأولمبية",
    "الميزانية العامة",
    "مهرجان السينما",
    "القمة العربية",
    "كأس آسيا",
    "موسم الحج",
    "منتدى الاستثمار",
];

const AR_INDICATORS: &[&str] = &[
    "معدل التضخم",
    "حجم الصادرات",
    "عدد السياح",
    "الناتج المحلي الإجمالي",
    "مؤشر البورصة",
    "عدد المستخدمين",
    "الطلب على الطاقة",
    "معدل البطالة",
    "حجم الاستثمارات",
    "إنتاج النفط",
    "عدد الزوار",
    "حجم التبادل التجاري",
    "عدد الإصابات",
    "متوسط الأجور",
];

const AR_PROJECTS: &[&str] = &[
    "خطة جديدة",
    "برنامج وطني",
    "مبادرة مشتركة",
    "حزمة إجراءات",
    "استراتيجية طويلة المدى",
    "مشروع قانون",
    "صندوق دعم",
    "منصة رقمية",
    "حملة توعية",
    "اتفاقية تعاون",
];

const AR_SENTENCES: &[&str] = &[
    "وجاء ذلك خلال {event} عُقد في {city} بمشاركة {small} من المسؤولين والخبراء.",
    "ويأتي هذا في وقت يشهد فيه ملف {topic} اهتماماً متزايداً في {country}.",
    "وأشار التقرير إلى أن {indicator} ارتفع بنسبة {pct} مقارنة بالعام الماضي.",
    "وبحسب الأرقام الرسمية، تراجع {indicator} بنسبة {pct} خلال الربع الأخير.",
    "ومن المتوقع أن تُستأنف المباحثات بشأن {topic} في {city} الشهر المقبل.",
    "وسيستفيد من {project} أكثر من {num} شخص في {count_of} محافظات.",
    "ويرى مراقبون أن التعاون مع {country} في مجال {topic} قد يفتح آفاقاً جديدة.",
    "وكانت {country} قد أعلنت في وقت سابق عن {project} يتعلق بـ{topic}.",
    "ولم يصدر أي تعليق رسمي حتى الآن على هذه التطورات.",
    "ويبلغ إجمالي الكلفة المقدرة نحو {num} مليون دولار، وفق مصادر مطلعة.",
    "وتعمل الجهات المعنية على تقييم النتائج قبل نهاية العام الجاري.",
    "وتضمنت التوصيات تحسين التنسيق بين المؤسسات وتوسيع نطاق {topic}.",
    "وشهدت {city} خلال الأيام الماضية نقاشات واسعة حول {topic}.",
    "وتُظهر بيانات حديثة أن {num} شخص تابعوا {event} عبر الإنترنت.",
    "كما ناقش المشاركون سبل الاستفادة من التجارب الدولية في {topic}.",
    "ويُنتظر أن يصدر التقرير النهائي في {month} المقبل.",
    "وتواجه الخطة تحديات تتعلق بالتمويل والبنية التحتية.",
    "وأبدى عدد من المواطنين في {city} ارتياحهم لهذه الخطوة.",
];

const AR_QUOTES: &[&str] = &[
    "نحن أمام مرحلة جديدة تتطلب العمل المشترك",
    "الأرقام مشجعة لكنها لا تكفي وحدها",
    "هدفنا أن يشعر المواطن بالتحسن في حياته اليومية",
    "لا يمكن تحقيق ذلك من دون شراكة حقيقية مع القطاع الخاص",
    "الطريق ما زال طويلاً، لكننا بدأنا بالفعل",
    "هذه الخطوة تأخرت كثيراً",
    "نتائج هذا العام فاقت التوقعات",
];

const AR_MONTHS: &[&str] = &[
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
];

const AR_COMMENTS: &[&str] = &[
    "تحليل مفيد، شكراً لكم.",
    "أتفق مع ما جاء في المقال.",
    "هل من تفاصيل إضافية حول هذا الموضوع؟",
    "مقال رائع ومعلومات قيّمة.",
    "أرجو متابعة هذا الملف في الأيام المقبلة.",
    "لا أتفق مع هذا الرأي، فالأرقام تقول غير ذلك.",
    "شكراً للكاتب على هذا الجهد.",
    "الموضوع يستحق نقاشاً أوسع.",
    "متى سيبدأ تطبيق هذه الإجراءات؟",
    "تجربتي الشخصية تؤكد ذلك.",
    "نتمنى المزيد من التقارير المماثلة.",
    "ما رأي الخبراء في {topic}؟",
    "الوضع في {city} مختلف تماماً.",
    "كلام جميل لكن العبرة بالتنفيذ.",
    "أين المصدر لهذه الأرقام؟",
    "خبر مهم جداً لكل المهتمين بـ{topic}.",
];

const EN_TOPICS: [&[&str]; 3] = [
    &[
        "elections",
        "parliament",
        "diplomacy",
        "ceasefire",
        "refugees",
        "climate change",
        "trade talks",
        "sanctions",
        "human rights",
        "migration",
        "security",
        "United Nations",
        "European Union",
        "summit",
        "peace talks",
        "energy crisis",
        "water scarcity",
        "food security",
        "public health",
        "education reform",
    ],
    &[
        "inflation",
        "interest rates",
        "exports",
        "foreign investment",
        "stock market",
        "oil",
        "natural gas",
        "budget",
        "debt",
        "unemployment",
        "cryptocurrency",
        "exchange rates",
        "e-commerce",
        "banking",
        "taxes",
        "tourism",
        "real estate",
        "gold",
        "startups",
        "supply chains",
    ],
    &[
        "artificial intelligence",
        "smartphones",
        "cybersecurity",
        "cloud computing",
        "5G",
        "open source",
        "Rust",
        "semiconductors",
        "electric vehicles",
        "solar power",
        "space",
        "satellites",
        "social media",
        "privacy",
        "quantum computing",
        "virtual reality",
        "robotics",
        "web browsers",
        "databases",
        "video games",
    ],
];

const EN_ACTORS: &[&str] = &[
    "The foreign minister",
    "The prime minister",
    "The central bank",
    "The health ministry",
    "A government spokesperson",
    "The European Commission",
    "The World Health Organization",
    "A local startup",
    "The market regulator",
    "The finance minister",
    "The company's chief executive",
    "Analysts",
    "The United Nations",
    "The IMF",
    "Researchers at the university",
    "City officials",
];

const EN_SAY: &[&str] = &[
    "announced",
    "said",
    "confirmed",
    "warned",
    "estimated",
    "reported",
    "argued",
    "revealed",
];

const EN_CITIES: &[&str] = &[
    "London",
    "Paris",
    "Berlin",
    "Tokyo",
    "Washington",
    "Beijing",
    "Cairo",
    "Dubai",
    "Riyadh",
    "Amman",
    "Beirut",
    "Geneva",
    "Brussels",
    "New York",
    "Toronto",
    "Madrid",
    "Rome",
    "Istanbul",
    "Nairobi",
    "Singapore",
    "Seoul",
    "Mumbai",
    "São Paulo",
    "Sydney",
];

const EN_SENTENCES: &[&str] = &[
    "The announcement came during a meeting in {city} attended by {small} officials and experts.",
    "It comes at a time of growing interest in {topic} across the region.",
    "According to the report, the figure rose by {pct} compared with last year.",
    "Official data show a decline of {pct} in the last quarter.",
    "Talks on {topic} are expected to resume in {city} next month.",
    "More than {num} people are expected to benefit from the programme.",
    "Observers say closer cooperation on {topic} could open new opportunities.",
    "There was no official comment on the latest developments.",
    "The total cost is estimated at around {num} million dollars, sources said.",
    "Critics argue that the plan does not go far enough on {topic}.",
    "The final report is due in {month}.",
    "Several residents of {city} welcomed the decision.",
    "The **new rules** take effect at the start of next year.",
    "Funding and infrastructure remain the main challenges.",
    "Industry groups have asked for more time to adapt to changes in {topic}.",
    "Similar efforts in {city} produced mixed results.",
];

const EN_QUOTES: &[&str] = &[
    "We are entering a new phase that requires working together",
    "The numbers are encouraging, but they are not enough on their own",
    "This step is long overdue",
    "Our goal is that people feel the difference in their daily lives",
    "The road is still long, but we have started",
];

const EN_FIRST: &[&str] = &[
    "James", "Maria", "Chen", "Aisha", "Lucas", "Sofia", "Daniel", "Priya", "Noah", "Elena",
    "Samuel", "Yuki", "Grace", "Ahmed", "Olivia", "Mateo", "Fatima", "Liam", "Zara", "Ethan",
];

const EN_LAST: &[&str] = &[
    "Smith", "Garcia", "Wang", "Khan", "Müller", "Rossi", "Okafor", "Nguyen", "Johnson", "Silva",
    "Tanaka", "Brown", "Haddad", "Novak", "Kim", "Martin",
];

const EN_COMMENTS: &[&str] = &[
    "Great summary, thanks.",
    "I disagree with the conclusion.",
    "Any source for these numbers?",
    "Very helpful, thank you.",
    "Looking forward to a follow-up on {topic}.",
    "This matches what I have seen in {city}.",
    "Interesting read.",
    "The headline is a bit misleading.",
    "Well researched article.",
    "How will this affect small businesses?",
];

const EN_MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn arabic_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32('٠' as u32 + (c as u32 - '0' as u32)).unwrap(),
            '.' => '٫',
            '%' => '٪',
            other => other,
        })
        .collect()
}

/// Adds tashkeel to some letters of a word (what careful typists and religious texts do).
fn vowelled(word: &str, r: &mut Rng) -> String {
    const MARKS: &[char] = &['\u{064E}', '\u{064E}', '\u{064F}', '\u{0650}', '\u{0652}'];
    let mut out = String::with_capacity(word.len() * 2);
    for ch in word.chars() {
        out.push(ch);
        if ('\u{0621}'..='\u{064A}').contains(&ch) && r.chance(0.3) {
            out.push(*r.pick(MARKS));
        }
    }
    out
}

/// Stretches a word with tatweel (headline style).
fn stretched(word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 {
        return word.to_owned();
    }
    let mid = chars.len() / 2;
    let mut out: String = chars[..mid].iter().collect();
    out.push_str("ـــ");
    out.extend(&chars[mid..]);
    out
}

impl Bank {
    fn new() -> Self {
        Bank
    }

    /// Tag pools: one per domain (0..=8) and a general one (countries, cities, events).
    fn tags(&self) -> Vec<Vec<String>> {
        let mut pools: Vec<Vec<String>> = Vec::new();
        for topics in AR_TOPICS {
            pools.push(topics.iter().map(|s| s.to_string()).collect());
        }
        for topics in EN_TOPICS {
            pools.push(topics.iter().map(|s| s.to_string()).collect());
        }
        let mut general: Vec<String> = AR_COUNTRIES.iter().map(|s| s.to_string()).collect();
        general.extend(AR_CITIES.iter().take(24).map(|s| s.to_string()));
        for year in [2024, 2025, 2026] {
            general.extend(AR_EVENTS.iter().map(|e| format!("{e} {year}")));
        }
        pools.push(general);
        pools
    }

    fn number(&self, r: &mut Rng, arabic: bool) -> String {
        let n = match r.below(4) {
            0 => r.range(2, 99),
            1 => r.range(100, 999),
            2 => r.range(1_000, 99_999),
            _ => r.range(100_000, 5_000_000),
        };
        let s = n.to_string();
        if arabic && r.chance(0.5) {
            arabic_digits(&s)
        } else {
            s
        }
    }

    fn percent(&self, r: &mut Rng, arabic: bool) -> String {
        let s = format!("{}.{}%", r.range(1, 30), r.below(10));
        if arabic && r.chance(0.6) {
            arabic_digits(&s)
        } else {
            s
        }
    }

    fn fill(&self, r: &mut Rng, template: &str, topics: &[&str], arabic: bool) -> String {
        let mut out = String::with_capacity(template.len() + 64);
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let end = start + rest[start..].find('}').expect("closed placeholder");
            let key = &rest[start + 1..end];
            let value = match (key, arabic) {
                ("topic", _) => r.pick(topics).to_string(),
                ("city", true) => r.pick(AR_CITIES).to_string(),
                ("city", false) => r.pick(EN_CITIES).to_string(),
                ("country", _) => r.pick(AR_COUNTRIES).to_string(),
                ("num", a) => self.number(r, a),
                ("pct", a) => self.percent(r, a),
                ("count_of", _) => r.range(3, 10).to_string(),
                ("small", a) => {
                    let s = r.range(12, 480).to_string();
                    if a && r.chance(0.5) {
                        arabic_digits(&s)
                    } else {
                        s
                    }
                }
                ("indicator", _) => r.pick(AR_INDICATORS).to_string(),
                ("project", _) => r.pick(AR_PROJECTS).to_string(),
                ("event", _) => r.pick(AR_EVENTS).to_string(),
                ("month", true) => r.pick(AR_MONTHS).to_string(),
                ("month", false) => r.pick(EN_MONTHS).to_string(),
                (other, _) => other.to_string(),
            };
            out.push_str(&value);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }

    fn ar_person(&self, r: &mut Rng) -> String {
        format!("{} {}", r.pick(AR_FIRST), r.pick(AR_LAST))
    }

    fn arabic_article(&self, r: &mut Rng, domain: Domain) -> (String, String) {
        let topics = AR_TOPICS[domain as usize];
        let topic = *r.pick(topics);
        let (actor, fem) = *r.pick(AR_ACTORS);
        let (pm, pf) = *r.pick(AR_PRESENT);
        let place = *r.pick(AR_CITIES);
        let mut title = match r.below(6) {
            0 => format!(
                "{actor} {} {} بشأن {topic} في {place}",
                if fem { pf } else { pm },
                r.pick(AR_PROJECTS)
            ),
            1 => format!(
                "{topic} في {place}: {} يتجاوز التوقعات",
                r.pick(AR_INDICATORS)
            ),
            2 => format!("هل يتغير مشهد {topic} في {}؟", r.pick(AR_COUNTRIES)),
            3 => format!(
                "{} و{} تبحثان التعاون في {topic}",
                r.pick(AR_COUNTRIES),
                r.pick(AR_COUNTRIES)
            ),
            4 => format!(
                "ارتفاع {} بنسبة {} في {}",
                r.pick(AR_INDICATORS),
                self.percent(r, true),
                r.pick(AR_COUNTRIES)
            ),
            _ => format!(
                "{}: {} {} {topic}",
                self.ar_person(r),
                if r.chance(0.5) {
                    "هذه رؤيتي لمستقبل"
                } else {
                    "ما يجري في ملف"
                },
                ""
            ),
        };
        title = title.split_whitespace().collect::<Vec<_>>().join(" ");
        // A few headlines written with tashkeel or tatweel, as newsrooms do.
        if r.chance(0.04) {
            title = title
                .split(' ')
                .map(|w| vowelled(w, r))
                .collect::<Vec<_>>()
                .join(" ");
        } else if r.chance(0.03) {
            let words: Vec<&str> = title.split(' ').collect();
            let k = r.below(words.len());
            title = words
                .iter()
                .enumerate()
                .map(|(j, w)| {
                    if j == k {
                        stretched(w)
                    } else {
                        (*w).to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ");
        }

        let mut body = String::with_capacity(3000);
        let (sm, sf) = *r.pick(AR_SAY);
        let _ = write!(
            body,
            "{} **{actor}** {}{}، أن العمل على {} سيشمل {topic} و{}، مشيراً إلى أنه بدأ منذ {} أشهر.",
            if fem { sf } else { sm },
            r.pick(AR_WHEN),
            if r.chance(0.5) {
                format!(" في {place}")
            } else {
                String::new()
            },
            r.pick(AR_PROJECTS),
            r.pick(topics),
            {
                let m = r.range(2, 9).to_string();
                if r.chance(0.5) { arabic_digits(&m) } else { m }
            },
        );
        body.push(' ');
        body.push_str(&{
            let t = r.pick_str(AR_SENTENCES);
            self.fill(r, t, topics, true)
        });
        let paragraphs = r.range(4, 9);
        let heading_at = r.chance(0.3).then(|| r.range(1, paragraphs));
        let quote_at = r.chance(0.5).then(|| r.range(1, paragraphs));
        let list_at = r.chance(0.2).then(|| r.range(1, paragraphs));
        for p in 1..=paragraphs {
            body.push_str("\n\n");
            if heading_at == Some(p) {
                let _ = write!(body, "## {} {}\n\n", r.pick(AR_PROJECTS), r.pick(topics));
            }
            if quote_at == Some(p) {
                let _ = write!(
                    body,
                    "وقال {}، {}، إن «{}».\n\n",
                    self.ar_person(r),
                    r.pick(AR_ROLES),
                    r.pick(AR_QUOTES)
                );
            }
            if list_at == Some(p) {
                body.push_str("وتشمل أبرز النقاط:\n\n");
                for _ in 0..3 {
                    let _ = writeln!(
                        body,
                        "- {}: {}",
                        r.pick(topics),
                        self.fill(r, "{num} مستفيد في {city}", topics, true)
                    );
                }
                body.push('\n');
            }
            let sentences = r.range(2, 5);
            for s in 0..sentences {
                if s > 0 {
                    body.push(' ');
                }
                let mut sentence = {
                    let t = r.pick_str(AR_SENTENCES);
                    self.fill(r, t, topics, true)
                };
                if r.chance(0.03) {
                    sentence = sentence
                        .split(' ')
                        .map(|w| vowelled(w, r))
                        .collect::<Vec<_>>()
                        .join(" ");
                }
                body.push_str(&sentence);
            }
            if r.chance(0.08) {
                let _ = write!(
                    body,
                    " [اقرأ المزيد عن {}](https://example.com/topics/{})",
                    r.pick(topics),
                    r.below(1000)
                );
            }
        }
        (title, body)
    }

    fn english_article(&self, r: &mut Rng, domain: Domain) -> (String, String) {
        let topics = EN_TOPICS[domain as usize - Domain::EnWorld as usize];
        let topic = *r.pick(topics);
        let city = *r.pick(EN_CITIES);
        let title = match r.below(5) {
            0 => format!(
                "{} unveils new plan on {topic}",
                r.pick(&[
                    "Government",
                    "Central bank",
                    "Regulator",
                    "City council",
                    "Industry group"
                ])
            ),
            1 => format!("What the latest figures on {topic} mean for {city}"),
            2 => format!("{city} talks on {topic} end without agreement"),
            3 => format!("Why {topic} matters more than ever"),
            _ => format!(
                "{} {} on {topic}: {}",
                r.pick(EN_FIRST),
                r.pick(EN_LAST),
                r.pick(&[
                    "a closer look",
                    "the questions that remain",
                    "five things to know"
                ])
            ),
        };
        let mut body = String::with_capacity(2500);
        let _ = write!(
            body,
            "{} {} on {} in {city} that a new programme on **{topic}** would start within {} months.",
            r.pick(EN_ACTORS),
            r.pick(EN_SAY),
            r.pick(&[
                "Monday",
                "Tuesday",
                "Wednesday",
                "Thursday",
                "Friday",
                "Saturday",
                "Sunday"
            ]),
            r.range(2, 12),
        );
        body.push(' ');
        body.push_str(&{
            let t = r.pick_str(EN_SENTENCES);
            self.fill(r, t, topics, false)
        });
        let paragraphs = r.range(4, 9);
        let heading_at = r.chance(0.3).then(|| r.range(1, paragraphs));
        let quote_at = r.chance(0.5).then(|| r.range(1, paragraphs));
        for p in 1..=paragraphs {
            body.push_str("\n\n");
            if heading_at == Some(p) {
                let _ = write!(body, "## The outlook for {}\n\n", r.pick(topics));
            }
            if quote_at == Some(p) {
                let _ = write!(
                    body,
                    "> \"{}\", said {} {}.\n\n",
                    r.pick(EN_QUOTES),
                    r.pick(EN_FIRST),
                    r.pick(EN_LAST)
                );
            }
            for s in 0..r.range(2, 5) {
                if s > 0 {
                    body.push(' ');
                }
                let sentence = {
                    let t = r.pick_str(EN_SENTENCES);
                    self.fill(r, t, topics, false)
                };
                body.push_str(&sentence);
            }
        }
        (title, body)
    }

    fn commenter(&self, r: &mut Rng, english: bool) -> (String, String) {
        let n = r.below(100_000);
        if english {
            (
                format!("{} {}", r.pick(EN_FIRST), r.pick(EN_LAST)),
                format!("reader{n}@example.com"),
            )
        } else {
            (r.pick(AR_FIRST).to_string(), format!("qari{n}@example.org"))
        }
    }

    fn comment(&self, r: &mut Rng, english: bool, domain: Domain) -> String {
        let k = r.range(1, 3);
        let mut out = String::new();
        for i in 0..k {
            if i > 0 {
                out.push(if r.chance(0.3) { '\n' } else { ' ' });
            }
            if english {
                let topics = EN_TOPICS[(domain as usize)
                    .saturating_sub(Domain::EnWorld as usize)
                    .min(2)];
                out.push_str(&{
                    let t = r.pick_str(EN_COMMENTS);
                    self.fill(r, t, topics, false)
                });
            } else {
                let topics = AR_TOPICS[(domain as usize).min(5)];
                out.push_str(&{
                    let t = r.pick_str(AR_COMMENTS);
                    self.fill(r, t, topics, true)
                });
            }
        }
        out
    }

    /// Search queries the harness rotates over: frequent and rare words, phrases, names,
    /// the spellings readers type (no hamza, no ال, with tashkeel), English terms.
    fn queries(&self, seed: u64) -> Vec<String> {
        let mut r = Rng::new(seed, u64::MAX);
        let mut out: Vec<String> = Vec::new();
        for topics in AR_TOPICS {
            for t in topics.iter().take(6) {
                out.push(t.to_string());
            }
        }
        for t in ["الاقتصاد", "التعاون", "الحكومة", "المحافظات", "الخبراء"]
        {
            out.push(t.to_owned());
        }
        // Reader spellings: without the article, hamza folded, with tashkeel.
        for t in [
            "انتخابات",
            "اسعار الفائدة",
            "الاستثمار الاجنبي",
            "ذكاء اصطناعي",
            "الأَمْنُ الإِقْلِيمِيُّ",
            "لقاحات",
            "تعاون امني",
        ] {
            out.push(t.to_owned());
        }
        for _ in 0..12 {
            out.push(format!("{} {}", r.pick(AR_FIRST), r.pick(AR_LAST)));
        }
        for _ in 0..8 {
            let d = r.below(6);
            out.push(format!("{} {}", r.pick(AR_CITIES), r.pick(AR_TOPICS[d])));
        }
        for topics in EN_TOPICS {
            for t in topics.iter().take(5) {
                out.push(t.to_string());
            }
        }
        out.push("new rules".to_owned());
        out.push("London inflation".to_owned());
        // 40 multi-word ranked queries (issue 16's budget): words of two topics and a
        // place, so that few articles hold them all and ranking decides.
        for _ in 0..30 {
            let (a, b) = (r.below(AR_TOPICS.len()), r.below(AR_TOPICS.len()));
            out.push(format!(
                "{} {} {}",
                r.pick(AR_TOPICS[a]),
                r.pick(AR_TOPICS[b]),
                r.pick(AR_CITIES)
            ));
        }
        for _ in 0..10 {
            let (a, b) = (r.below(EN_TOPICS.len()), r.below(EN_TOPICS.len()));
            out.push(format!("{} {}", r.pick(EN_TOPICS[a]), r.pick(EN_TOPICS[b])));
        }
        out
    }
}

trait PickStr {
    fn pick_str<'a>(&mut self, xs: &'a [&'a str]) -> &'a str;
}

impl PickStr for Rng {
    fn pick_str<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}
