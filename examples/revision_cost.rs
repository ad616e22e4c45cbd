//! What a revision costs an article update, and what the revisions of 1,000 edits take on
//! disk (issue 21: "a revision write costs an article update under 20 % extra").
//!
//!     cargo run --release --example revision_cost
//!     cargo run --release --example revision_cost -- 200          # fewer edits (a quick look)
//!
//!     psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE IF EXISTS revision_bench' \
//!         -c 'CREATE DATABASE revision_bench'
//!     DATABASE_URL='postgres://postgres@127.0.0.1:5432/revision_bench?sslmode=disable' \
//!         cargo run --release --example revision_cost
//!
//! The store is `DATABASE_URL`: by default a fresh SQLite file in a temporary directory
//! (deleted at the end). A PostgreSQL URL must name an **empty** database you may write to
//! (it is migrated here, and the run refuses a database that already has users); the example
//! neither creates nor drops it.
//!
//! What it does, in-process, on one connection (`write_transaction`, as the server's writes):
//!
//! 1. Migrates the store and creates an editor, a section and one published article whose
//!    body is 1,000 words of Arabic Markdown (realistic news paragraphs, repeated).
//! 2. **Phase 1 (storage)**: EDITS (default 1,000) edits of that article, each one
//!    `articles::operations::update` with a new body in its own write transaction, one word
//!    changed each time, at a different position (replaced by another word of the body with
//!    as many letters, so the body keeps its size). The body is rendered (`Derived::of`)
//!    before the clock starts, as the server renders it outside the transaction. The
//!    revisions table and the database are measured before and after: every revision row of
//!    this phase is an edit's.
//! 3. **Phase 2 (cost)**: EDITS more edits, interleaved one for one with a revision write
//!    alone (`revisions::operations::record_article` of the same article in its own write
//!    transaction), alternating which of the two goes first. Both are timed as the whole
//!    `write_transaction` call; the revision write is also timed as the call alone, inside its
//!    transaction (without BEGIN and COMMIT).
//!
//! The revision share is a **decomposition, not an A/B of two binaries**: an update already
//! includes its revision, so the update without it is estimated as median(update) −
//! median(revision), and the share is median(revision) / that. With the revision's own
//! transaction counted (BEGIN IMMEDIATE / COMMIT, a WAL flush on PostgreSQL) the share is an
//! upper estimate; with the call alone it is a lower one (its commit share is left out).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Text};
use sahifa::articles::Status;
use sahifa::articles::derived::Derived;
use sahifa::articles::dto::{CreateArticle, UpdateArticle};
use sahifa::articles::operations as articles;
use sahifa::auth::StaffUser;
use sahifa::config::DatabaseUrl;
use sahifa::db::{ConnectionManager, DbConnection, Store, write_transaction};
use sahifa::http::ApiError;
use sahifa::http::conditional::IfMatch;
use sahifa::revisions::operations as revisions;
use sahifa::sections::dto::CreateSection;
use sahifa::sections::operations as sections;
use sahifa::slugs::Reference;
use sahifa::users::Role;
use sahifa::users::operations::{self as users, NewAccount};

/// Words in the article's body.
const BODY_WORDS: usize = 1000;

/// Realistic Arabic news prose, repeated (with a subheading between rounds) to make the body.
const PARAGRAPHS: &[&str] = &[
    "أعلنت وزارة الموارد المائية والري صباح اليوم عن خطة وطنية جديدة لمواجهة شح المياه في \
     المحافظات الجنوبية، بعد أن تراجع منسوب الأنهار إلى أدنى مستوى له منذ أكثر من عقدين. \
     وقال المتحدث الرسمي باسم الوزارة في مؤتمر صحفي عقده في العاصمة إن الخطة تتضمن إعادة \
     تأهيل شبكات الري القديمة، وبناء ثلاثة سدود صغيرة لتخزين مياه الأمطار، وتشجيع المزارعين \
     على استخدام أساليب الري بالتنقيط بدلا من الغمر.",
    "وأوضح المتحدث أن الحكومة رصدت مبلغا أوليا قدره مليار ونصف المليار دينار لتنفيذ المرحلة \
     الأولى من الخطة خلال العام المقبل، على أن تُستكمل المراحل اللاحقة بالتعاون مع البنك \
     الدولي وعدد من الصناديق العربية للتنمية. وأضاف أن فرقا فنية ستبدأ الأسبوع المقبل مسحا \
     ميدانيا لتحديد القرى الأكثر تضررا، وأن الأولوية ستكون لمياه الشرب قبل أي استخدام آخر.",
    "من جهتهم، رحب ممثلو الجمعيات الزراعية بالإعلان، لكنهم طالبوا بضمانات واضحة لتعويض صغار \
     المزارعين الذين خسروا محاصيلهم في الموسم الماضي. وقال رئيس اتحاد الفلاحين في تصريح \
     لوكالة الأنباء الرسمية إن كثيرا من الأسر باعت مواشيها لتسديد الديون، وإن أي تأخير في \
     صرف التعويضات سيدفع مزيدا من الشباب إلى الهجرة نحو المدن بحثا عن عمل.",
    "ويرى خبراء في الاقتصاد البيئي أن الأزمة الحالية ليست نتيجة موسم جاف واحد فحسب، بل حصيلة \
     سنوات من الهدر وسوء الإدارة وارتفاع درجات الحرارة. ودعا أستاذ الهندسة المائية في جامعة \
     بغداد إلى إنشاء هيئة مستقلة لإدارة الموارد المائية، وإلى تحديث التشريعات التي تنظم حفر \
     الآبار، مؤكدا أن المياه الجوفية تستنزف اليوم بوتيرة لا تسمح بتجددها.",
    "وفي سياق متصل، أعلنت هيئة الأرصاد الجوية أن المنطقة قد تشهد أمطارا متفرقة نهاية الشهر \
     الجاري، إلا أنها حذرت من أن الكميات المتوقعة لن تكون كافية لتعويض العجز المتراكم. ومن \
     المقرر أن يناقش مجلس النواب الخطة في جلسة خاصة يوم الأحد المقبل بحضور وزيري الموارد \
     المائية والزراعة.",
];

/// The subheadings between rounds of the paragraphs.
const HEADINGS: &[&str] = &["خلفية الأزمة", "ردود الفعل", "ما الذي ينتظر المزارعين"];

/// Punctuation kept in place when a word is replaced.
const TRAILING: &[char] = &['،', '.', ',', ':', '؛'];

/// The body as words, with the paragraph breaks and headings between them.
struct Body {
    words: Vec<String>,
    /// The distinct words of the body (without punctuation), by length in characters: an
    /// edit puts another word of the same length in place of one, so the body keeps its size
    /// (an Arabic letter is two bytes in UTF-8) and every snapshot is alike.
    vocabulary: std::collections::BTreeMap<usize, Vec<String>>,
    /// Before word `n`: a new paragraph, and maybe a subheading.
    breaks: Vec<(usize, Option<&'static str>)>,
}

impl Body {
    fn new() -> Self {
        let mut words = Vec::with_capacity(BODY_WORDS);
        let mut breaks = Vec::new();
        'rounds: for round in 0.. {
            for (n, paragraph) in PARAGRAPHS.iter().enumerate() {
                if words.len() == BODY_WORDS {
                    break 'rounds;
                }
                let heading = (round > 0 && n == 0).then(|| HEADINGS[(round - 1) % HEADINGS.len()]);
                breaks.push((words.len(), heading));
                for word in paragraph.split_whitespace() {
                    if words.len() == BODY_WORDS {
                        break;
                    }
                    words.push(word.to_owned());
                }
            }
        }
        // A paragraph cut short still ends a sentence.
        let last = words.last_mut().expect("words");
        if !last.ends_with('.') {
            *last = format!("{}.", last.trim_end_matches(TRAILING));
        }
        let mut vocabulary = std::collections::BTreeMap::<usize, Vec<String>>::new();
        for word in &words {
            let stem = word.trim_end_matches(TRAILING);
            let same = vocabulary.entry(stem.chars().count()).or_default();
            if !same.iter().any(|w| w == stem) {
                same.push(stem.to_owned());
            }
        }
        Self {
            words,
            breaks,
            vocabulary,
        }
    }

    /// Changes the word at `position` to another word of the body with as many characters
    /// (the `n`th such, cyclically), keeping its punctuation.
    fn edit(&mut self, position: usize, n: usize) {
        let word = &mut self.words[position];
        let stem = word.trim_end_matches(TRAILING);
        let tail = word[stem.len()..].to_owned();
        let same = &self.vocabulary[&stem.chars().count()];
        let replacement = (0..same.len())
            .map(|k| &same[(n + k) % same.len()])
            .find(|r| *r != stem)
            // A word no other has the length of: the same word with its last letter doubled
            // (one character longer; rare).
            .map_or_else(
                || format!("{stem}{}", stem.chars().last().unwrap_or('ا')),
                Clone::clone,
            );
        *word = format!("{replacement}{tail}");
    }

    fn markdown(&self) -> String {
        let mut out = String::new();
        let mut breaks = self.breaks.iter().peekable();
        for (n, word) in self.words.iter().enumerate() {
            if let Some((_, heading)) = breaks.next_if(|(at, _)| *at == n) {
                if n > 0 {
                    out.push_str("\n\n");
                }
                if let Some(heading) = heading {
                    out.push_str("## ");
                    out.push_str(heading);
                    out.push_str("\n\n");
                }
            } else {
                out.push(' ');
            }
            out.push_str(word);
        }
        out.push('\n');
        out
    }
}

#[derive(diesel::QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(diesel::QueryableByName)]
struct TableSize {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The bytes each table takes with its indexes (SQLite: `dbstat`, pages of the table and
/// its indexes; PostgreSQL: `pg_total_relation_size`).
fn tables(c: &mut DbConnection) -> Vec<(String, i64)> {
    let answer = match c {
        DbConnection::Sqlite(c) => diesel::sql_query(
            "SELECT COALESCE(m.tbl_name, d.name) AS name, SUM(d.pgsize) AS n FROM dbstat d \
             LEFT JOIN sqlite_schema m ON m.name = d.name GROUP BY 1",
        )
        .load::<TableSize>(c),
        DbConnection::Postgres(c) => diesel::sql_query(
            "SELECT relname::TEXT AS name, pg_total_relation_size(oid) AS n FROM pg_class \
             WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace",
        )
        .load::<TableSize>(c),
    };
    answer
        .map(|rows| rows.into_iter().map(|r| (r.name, r.n)).collect())
        .unwrap_or_default()
}

/// A number one SQL statement answers (a column named `n`), on the connection's store.
fn number(c: &mut DbConnection, sqlite: &str, postgres: &str) -> Option<i64> {
    let answer = match c {
        DbConnection::Sqlite(c) => diesel::sql_query(sqlite).get_result::<Number>(c),
        DbConnection::Postgres(c) => diesel::sql_query(postgres).get_result::<Number>(c),
    };
    answer.map(|row| row.n).ok()
}

/// What the store holds at one moment.
struct Storage {
    /// Revision rows of the article.
    rows: i64,
    /// Their snapshots' bytes (UTF-8), as stored text.
    snapshot_bytes: i64,
    /// PostgreSQL: their snapshots as stored (`pg_column_size`, after TOAST compression).
    snapshot_stored: Option<i64>,
    /// The revisions table with its indexes (and TOAST): `dbstat` on SQLite,
    /// `pg_total_relation_size` on PostgreSQL.
    table: Option<i64>,
    /// The whole database: `page_count × page_size` on SQLite (WAL included: the size the
    /// file has once checkpointed), `pg_database_size` on PostgreSQL.
    database: Option<i64>,
    /// SQLite: pages on the free list (inside `database`, reusable).
    free: Option<i64>,
    /// SQLite: the database file and its `-wal` file on disk, as they are.
    files: Option<(u64, u64)>,
    /// Every table with its indexes, in bytes.
    tables: Vec<(String, i64)>,
}

fn storage(c: &mut DbConnection, article: i64, path: Option<&PathBuf>) -> Storage {
    let of_article =
        format!("FROM revisions WHERE resource_type = 'article' AND resource_id = {article}");
    let rows = number(
        c,
        &format!("SELECT COUNT(*) AS n {of_article}"),
        &format!("SELECT COUNT(*) AS n {of_article}"),
    )
    .expect("count revisions");
    let snapshot_bytes = number(
        c,
        &format!("SELECT COALESCE(SUM(LENGTH(CAST(snapshot AS BLOB))), 0) AS n {of_article}"),
        &format!("SELECT COALESCE(SUM(OCTET_LENGTH(snapshot)), 0)::BIGINT AS n {of_article}"),
    )
    .expect("snapshot bytes");
    let snapshot_stored = match c {
        DbConnection::Sqlite(_) => None,
        DbConnection::Postgres(_) => number(
            c,
            "",
            &format!("SELECT COALESCE(SUM(pg_column_size(snapshot)), 0)::BIGINT AS n {of_article}"),
        ),
    };
    let table = number(
        c,
        "SELECT COALESCE(SUM(pgsize), 0) AS n FROM dbstat \
         WHERE name IN ('revisions', 'revisions_resource')",
        "SELECT pg_total_relation_size('revisions') AS n",
    );
    let database = number(
        c,
        "SELECT (SELECT page_count FROM pragma_page_count()) * \
         (SELECT page_size FROM pragma_page_size()) AS n",
        "SELECT pg_database_size(current_database()) AS n",
    );
    let free = match c {
        DbConnection::Sqlite(_) => number(
            c,
            "SELECT freelist_count AS n FROM pragma_freelist_count()",
            "",
        ),
        DbConnection::Postgres(_) => None,
    };
    let files = path.map(|path| {
        let size = |p: PathBuf| std::fs::metadata(p).map_or(0, |m| m.len());
        let mut wal = path.clone().into_os_string();
        wal.push("-wal");
        (size(path.clone()), size(PathBuf::from(wal)))
    });
    let tables = tables(c);
    Storage {
        tables,
        rows,
        snapshot_bytes,
        snapshot_stored,
        table,
        database,
        free,
        files,
    }
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The nearest-rank percentile `p` (0–100) of `samples`.
fn percentile(samples: &[Duration], p: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    millis(sorted[rank.min(sorted.len()) - 1])
}

fn median(samples: &[Duration]) -> f64 {
    percentile(samples, 50.0)
}

/// `1234567` → `1,234,567`.
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (k, d) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    if n < 0 { format!("−{out}") } else { out }
}

fn bytes(n: i64) -> String {
    if n.abs() >= 1 << 20 {
        format!(
            "{} B ({:.2} MiB)",
            grouped(n),
            n as f64 / f64::from(1 << 20)
        )
    } else if n.abs() >= 1 << 10 {
        format!("{} B ({:.1} KiB)", grouped(n), n as f64 / 1024.0)
    } else {
        format!("{} B", grouped(n))
    }
}

/// A growth over `edits` edits: the total, and per 1,000 edits and per edit.
fn growth(total: i64, edits: usize) -> String {
    let per_edit = total as f64 / edits as f64;
    if edits == 1000 {
        format!(
            "{} per 1,000 edits; {} B per edit",
            bytes(total),
            grouped(per_edit.round() as i64)
        )
    } else {
        format!(
            "{} over {edits} edits = {} per 1,000 edits; {} B per edit",
            bytes(total),
            bytes((per_edit * 1000.0).round() as i64),
            grouped(per_edit.round() as i64)
        )
    }
}

fn main() {
    let edits: usize = std::env::args()
        .nth(1)
        .map_or(1000, |n| n.parse().expect("EDITS: a number of edits"));
    assert!(edits > 0, "EDITS: at least one edit");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let raw = std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| format!("sqlite:{}", dir.path().join("revisions.db").display()));
    let url = DatabaseUrl::parse(&raw).expect("DATABASE_URL");
    let path = match &url {
        DatabaseUrl::Sqlite(path) => Some(path.clone()),
        DatabaseUrl::Postgres(_) => None,
    };
    let (store, _report) =
        Store::open(&url, 2, Duration::from_secs(5)).expect("open and migrate the database");
    drop(store);
    let mut conn = ConnectionManager::new(url.clone())
        .connect_now()
        .expect("connect to the database");
    let users_before = number(
        &mut conn,
        "SELECT COUNT(*) AS n FROM users",
        "SELECT COUNT(*) AS n FROM users",
    )
    .expect("count users");
    assert!(
        users_before == 0,
        "{} is not empty ({users_before} users): point DATABASE_URL at an empty database",
        url.redacted()
    );

    let mut body = Body::new();
    let first = body.markdown();
    let body_words = body.words.len();
    let headings = body.breaks.iter().filter(|(_, h)| h.is_some()).count();
    let created = sahifa::time::now();
    let (editor, article) =
        write_transaction(&mut conn, |c| -> Result<(StaffUser, i64), ApiError> {
            let desk = NewAccount::new(
                "desk@sahifa.test",
                Some("مكتب التحرير"),
                Role::Editor,
                "not a password anyone uses",
            )?;
            let user = users::create(c, &desk, "not-a-password-hash", created)?;
            let section = sections::create(
                c,
                &CreateSection {
                    name: "محليات".into(),
                    slug: Some("local".into()),
                    description: None,
                    parent_id: None,
                    position: Some(0),
                },
                created,
            )?;
            let input = CreateArticle {
                title: "خطة وطنية لمواجهة شح المياه في المحافظات الجنوبية".into(),
                slug: Some("water-plan".into()),
                body: first.clone(),
                status: Some(Status::Published),
                section_id: section.id,
                tags: Some(vec!["المياه".into(), "الزراعة".into()]),
                lang: Some("ar".into()),
                comments_open: Some(true),
                ..Default::default()
            };
            let derived = Derived::of(&first).expect("the body nests shallowly");
            let id = articles::insert(c, user.id, &input, &derived, created)?;
            let editor = StaffUser {
                id: user.id,
                role: Role::Editor,
                display_name: "مكتب التحرير".into(),
                key_id: None,
            };
            Ok((editor, id))
        })
        .expect("create the editor, the section and the article");
    let reference = Reference::Id(article);

    // One edit: a word changed at a position no other edit of the run uses (7919 is prime, so
    // k ↦ 7919·k mod 1,000 visits every word once per 1,000 edits), rendered, then timed.
    let mut edit = |conn: &mut DbConnection, k: usize| -> Duration {
        body.edit((k * 7919) % BODY_WORDS, k);
        let markdown = body.markdown();
        let derived = Derived::of(&markdown).expect("the body nests shallowly");
        let input = UpdateArticle {
            body: Some(markdown),
            ..Default::default()
        };
        let started = Instant::now();
        write_transaction(conn, |c| {
            articles::update(
                c,
                &editor,
                &reference,
                &input,
                Some(&derived),
                &IfMatch::Absent,
                sahifa::time::now(),
            )
        })
        .expect("update the article");
        started.elapsed()
    };
    // A revision written alone: the whole transaction, and the call inside it.
    let record = |conn: &mut DbConnection| -> (Duration, Duration) {
        let started = Instant::now();
        let call = write_transaction(conn, |c| -> Result<Duration, ApiError> {
            let called = Instant::now();
            revisions::record_article(c, article, Some(editor.id), sahifa::time::now())?;
            Ok(called.elapsed())
        })
        .expect("record a revision");
        (started.elapsed(), call)
    };

    // Phase 1: the edits alone, for the storage they take.
    let before = storage(&mut conn, article, path.as_ref());
    let mut alone = Vec::with_capacity(edits);
    for k in 0..edits {
        alone.push(edit(&mut conn, k));
    }
    let after = storage(&mut conn, article, path.as_ref());

    // Phase 2: edits interleaved with revision writes alone.
    let mut updates = Vec::with_capacity(edits);
    let mut records = Vec::with_capacity(edits);
    let mut calls = Vec::with_capacity(edits);
    for k in 0..edits {
        let update_first = k.is_multiple_of(2);
        if update_first {
            updates.push(edit(&mut conn, edits + k));
        }
        let (whole, call) = record(&mut conn);
        records.push(whole);
        calls.push(call);
        if !update_first {
            updates.push(edit(&mut conn, edits + k));
        }
    }

    let update = median(&updates);
    let revision = median(&records);
    let call = median(&calls);
    let share = revision / (update - revision) * 100.0;
    let lower = call / (update - call) * 100.0;
    let final_body = body.markdown();
    let store = match &url {
        DatabaseUrl::Sqlite(_) => "SQLite (WAL, synchronous = NORMAL)".to_owned(),
        DatabaseUrl::Postgres(_) => "PostgreSQL".to_owned(),
    };

    println!(
        "# Revision cost: {store}, {} edits of a {}-word article\n",
        grouped(edits as i64),
        grouped(body_words as i64)
    );
    println!("| figure | value |");
    println!("| --- | --- |");
    println!(
        "| the body | {} words of Arabic Markdown in {} paragraphs and {headings} subheadings, {} ({} characters) |",
        grouped(body_words as i64),
        body.breaks.len(),
        bytes(first.len() as i64),
        grouped(first.chars().count() as i64)
    );
    println!(
        "| update, whole write transaction (phase 2, interleaved): median / p90 | {update:.3} / {:.3} ms |",
        percentile(&updates, 90.0)
    );
    println!(
        "| update, whole write transaction (phase 1, alone): median / p90 | {:.3} / {:.3} ms |",
        median(&alone),
        percentile(&alone, 90.0)
    );
    println!(
        "| revision write alone, whole write transaction: median / p90 | {revision:.3} / {:.3} ms |",
        percentile(&records, 90.0)
    );
    println!(
        "| revision write alone, the call without BEGIN/COMMIT: median / p90 | {call:.3} / {:.3} ms |",
        percentile(&calls, 90.0)
    );
    println!(
        "| **revision share** = median(revision) / (median(update) − median(revision)) | **{share:.1} %** (budget < 20 %) |"
    );
    println!(
        "| the same with the call alone (its commit left out): a lower estimate | {lower:.1} % |"
    );
    println!(
        "| revisions of the article: before phase 1 → after | {} → {} ({} per edit) |",
        grouped(before.rows),
        grouped(after.rows),
        (after.rows - before.rows) as f64 / edits as f64
    );
    println!(
        "| snapshots, logical (bytes of UTF-8 text), phase 1 | {} |",
        growth(after.snapshot_bytes - before.snapshot_bytes, edits)
    );
    if let (Some(b), Some(a)) = (before.snapshot_stored, after.snapshot_stored) {
        println!(
            "| snapshots as stored (`pg_column_size`, TOAST-compressed), phase 1 | {} |",
            growth(a - b, edits)
        );
    }
    if let (Some(b), Some(a)) = (before.table, after.table) {
        let how = match &url {
            DatabaseUrl::Sqlite(_) => "`dbstat`: table + index pages",
            DatabaseUrl::Postgres(_) => "`pg_total_relation_size`: heap + TOAST + indexes",
        };
        println!(
            "| the revisions table, physical ({how}), phase 1: {} → {} | {} |",
            bytes(b),
            bytes(a),
            growth(a - b, edits)
        );
    }
    if let (Some(b), Some(a)) = (before.database, after.database) {
        let how = match &url {
            DatabaseUrl::Sqlite(_) => "`page_count × page_size`, WAL included, no VACUUM",
            DatabaseUrl::Postgres(_) => "`pg_database_size`, no VACUUM",
        };
        println!(
            "| the whole database ({how}), phase 1: {} → {} | {} (articles, logs and revisions) |",
            bytes(b),
            bytes(a),
            growth(a - b, edits)
        );
    }
    if let (Some(b), Some(a)) = (before.free, after.free) {
        println!("| SQLite free-list pages, before → after phase 1 | {b} → {a} |");
    }
    if let (Some((db_b, wal_b)), Some((db_a, wal_a))) = (before.files, after.files) {
        println!(
            "| SQLite files on disk, before → after phase 1: database; `-wal` | {} → {}; {} → {} |",
            bytes(db_b as i64),
            bytes(db_a as i64),
            bytes(wal_b as i64),
            bytes(wal_a as i64)
        );
    }
    let mut grown: Vec<(String, i64)> = after
        .tables
        .iter()
        .map(|(name, a)| {
            let b = before
                .tables
                .iter()
                .find(|(n, _)| n == name)
                .map_or(0, |t| t.1);
            (name.clone(), a - b)
        })
        .filter(|(_, g)| *g != 0)
        .collect();
    grown.sort_by_key(|(_, g)| -g);
    if !grown.is_empty() {
        let list: Vec<String> = grown
            .iter()
            .map(|(name, g)| {
                format!(
                    "{name} {}",
                    grouped((*g as f64 / edits as f64).round() as i64)
                )
            })
            .collect();
        println!(
            "| what grew in phase 1, per edit, in bytes (each table with its indexes) | {} |",
            list.join("; ")
        );
    }
    println!(
        "\nThe share is a decomposition (an update includes its revision; the update without it is \
         estimated as the difference of medians), not an A/B of two binaries. The body after the \
         run: {}.",
        bytes(final_body.len() as i64)
    );
}
