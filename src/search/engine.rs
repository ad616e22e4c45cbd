//! The search index of this process: a tantivy index in a directory of its own, derived from
//! the store and kept in step with it through the change log ([`changes`]).
//!
//! The directory (`SAHIFA_SEARCH_DIR`) holds one slot per running process (`slot-0`,
//! `slot-1` …): a process claims the first slot no other process holds (a file lock held for
//! its lifetime), so instances started side by side with the same settings each keep their
//! own index, and a restarted one finds its index again. A slot holds generations (`gen-1`,
//! `gen-2` …) and a file `CURRENT` naming the one in use. Each commit of a generation records, in tantivy's commit payload, the schema version,
//! the database it was built from and the checkpoint of the log it reached; so after a crash
//! (committed to the store, not yet to the index) the index catches up from there at start.
//! A generation of another version or database, or one behind a pruned log, is rebuilt.
//!
//! A rebuild (`sahifa reindex`, or at start) writes a new generation beside the one in use,
//! then points `CURRENT` at it (an atomic rename). A running server notices and swaps the
//! new generation in between two searches; the old one is deleted.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use diesel::prelude::*;
use tantivy::schema::{IndexRecordOption, Term};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocSet, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TERMINATED};

use super::analysis::{self, Stems, Surfaces};
use super::changes::{self, Checkpoint};
use super::fields::{self, Fields};
use super::source;
use super::suggest;
use crate::db::DbConnection;
use crate::db::schema::instance_settings;

/// Why the index could not be opened, built or updated.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index: reading the store: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("search index directory: {0}")]
    Io(#[from] std::io::Error),
}

/// Articles read and indexed per step of a build, and changes applied per commit.
const BATCH: i64 = 500;

/// Memory the writer of a generation in use may fill before it flushes a segment (tantivy's
/// minimum): updates are small and frequent.
const UPDATE_MEMORY: usize = 15_000_000;

/// Memory for a full build, shared by its threads: more makes fewer, larger segments.
const BUILD_MEMORY: usize = 96_000_000;

/// The search index: the generation in use, and how far it has applied the log.
pub struct Engine {
    /// This process's slot.
    dir: PathBuf,
    /// Holds the slot's lock for as long as the engine lives.
    _claim: std::fs::File,
    database_id: String,
    current: RwLock<Arc<Generation>>,
    /// Held while changes are applied or a generation is swapped in: one writer at a time.
    applying: Mutex<()>,
    /// Wakes the background applier (another instance wrote: `search::applier`).
    pub(super) wake: tokio::sync::Notify,
}

/// One generation of the index, open for searching and writing.
pub struct Generation {
    name: String,
    pub fields: Fields,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    checkpoint: Mutex<Checkpoint>,
    /// Words' neighbours in this generation's vocabulary, for spelling suggestions.
    pub neighbours: suggest::Neighbours,
}

/// What a commit records beside the index.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Payload {
    version: u32,
    database: String,
    checkpoint: Checkpoint,
}

impl Engine {
    /// Opens the index in a free slot of `root` for the store behind `conn`, building it when
    /// there is none usable, and brings it up to date with the log.
    pub fn open(root: &Path, conn: &mut DbConnection) -> Result<Self, SearchError> {
        let (dir, claim) = claim_slot(root)?;
        let dir = dir.as_path();
        let database_id = database_id(conn)?;
        let usable = match current_name(dir)? {
            Some(name) => match Generation::open(dir, &name)? {
                Some(generation) => match generation.unusable(conn, &database_id)? {
                    None => Some(generation),
                    Some(reason) => {
                        tracing::warn!(generation = %name, reason, "rebuilding the search index");
                        None
                    }
                },
                None => None,
            },
            None => None,
        };
        let generation = match usable {
            Some(generation) => generation,
            None => {
                let name = build(dir, conn, &database_id)?;
                Generation::open(dir, &name)?.ok_or_else(|| {
                    std::io::Error::other(format!("the new generation {name} cannot be opened"))
                })?
            }
        };
        remove_other_generations(dir, &generation.name);
        let engine = Self {
            dir: dir.to_owned(),
            _claim: claim,
            database_id,
            current: RwLock::new(Arc::new(generation)),
            applying: Mutex::new(()),
            wake: tokio::sync::Notify::new(),
        };
        let caught_up = engine.apply(conn)?;
        if caught_up > 0 {
            tracing::info!(
                articles = caught_up,
                "search index caught up with the store"
            );
        }
        Ok(engine)
    }

    /// The generation in use.
    pub fn current(&self) -> Arc<Generation> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// A searcher over everything applied so far.
    pub fn searcher(&self) -> (Searcher, Fields) {
        let generation = self.current();
        (generation.searcher(), generation.fields)
    }

    /// How far the index has applied the log.
    pub fn checkpoint(&self) -> Checkpoint {
        self.current().checkpoint()
    }

    /// Applies what the log holds beyond the checkpoint; returns how many articles changed.
    pub fn apply(&self, conn: &mut DbConnection) -> Result<usize, SearchError> {
        let _one_writer = self.applying.lock().unwrap_or_else(|e| e.into_inner());
        let generation = self.current();
        let mut applied = 0;
        loop {
            let from = generation.checkpoint();
            let (ids, reached) = changes::pending(conn, from, BATCH)?;
            if ids.is_empty() {
                // Nothing to write; the checkpoint may still move (PostgreSQL's horizon). It is
                // committed with the next change: a restart before then re-reads a few rows.
                generation.set_checkpoint(reached);
                return Ok(applied);
            }
            let articles = source::articles(conn, &ids)?;
            // The log may name a change the index already holds (PostgreSQL's late commits
            // are looked at twice): rewriting it would only churn the index.
            let indexed = generation.indexed_versions(&ids)?;
            let current: HashMap<i64, i64> = articles.iter().map(|a| (a.id, a.version)).collect();
            let stale: Vec<i64> = ids
                .iter()
                .copied()
                .filter(|id| indexed.get(id) != current.get(id))
                .collect();
            if !stale.is_empty() {
                let articles: Vec<_> = articles
                    .into_iter()
                    .filter(|a| stale.contains(&a.id))
                    .collect();
                generation.replace(&stale, &articles, &self.payload(reached))?;
                applied += stale.len();
            }
            generation.set_checkpoint(reached);
        }
    }

    /// Applies the log first when it holds changes the index has not seen (a write just
    /// committed, here or by another instance), so that a search right after a write finds it.
    pub fn catch_up(&self, conn: &mut DbConnection) -> Result<(), SearchError> {
        let newest: Option<i64> = crate::db::schema::search_changes::table
            .select(diesel::dsl::max(crate::db::schema::search_changes::seq))
            .first(conn)?;
        if newest.is_some_and(|newest| newest > self.checkpoint().seq) {
            self.apply(conn)?;
        }
        Ok(())
    }

    /// Swaps in the generation `CURRENT` names, when a rebuild (`sahifa reindex`) has made a
    /// new one; then it catches up, and the old one is deleted.
    pub fn follow_rebuild(&self, conn: &mut DbConnection) -> Result<(), SearchError> {
        let Some(name) = current_name(&self.dir)? else {
            return Ok(());
        };
        if name == self.current().name {
            return Ok(());
        }
        let Some(generation) = Generation::open(&self.dir, &name)? else {
            return Ok(());
        };
        if let Some(reason) = generation.unusable(conn, &self.database_id)? {
            tracing::warn!(generation = %name, reason, "not switching to the rebuilt search index");
            return Ok(());
        }
        {
            let _one_writer = self.applying.lock().unwrap_or_else(|e| e.into_inner());
            *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(generation);
        }
        self.apply(conn)?;
        remove_other_generations(&self.dir, &name);
        tracing::info!(generation = %name, "switched to the rebuilt search index");
        Ok(())
    }

    fn payload(&self, checkpoint: Checkpoint) -> String {
        payload(&self.database_id, checkpoint)
    }
}

impl Generation {
    /// A searcher over everything this generation has applied.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Opens `dir/name`; `None` when it holds no committed index.
    fn open(dir: &Path, name: &str) -> Result<Option<Self>, SearchError> {
        let path = dir.join(name);
        if !path.join("meta.json").exists() {
            return Ok(None);
        }
        let index = Index::open_in_dir(&path)?;
        register_tokenizers(&index);
        let fields = match Fields::of(&index.schema()) {
            Some(fields) => fields,
            None => return Ok(None),
        };
        let checkpoint = read_payload(&index)?
            .map(|p| p.checkpoint)
            .unwrap_or_default();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer = index.writer_with_num_threads(1, UPDATE_MEMORY)?;
        Ok(Some(Self {
            name: name.to_owned(),
            fields,
            reader,
            writer: Mutex::new(writer),
            checkpoint: Mutex::new(checkpoint),
            neighbours: suggest::Neighbours::default(),
        }))
    }

    /// Why this generation cannot serve the store behind `conn` (`None`: it can).
    fn unusable(
        &self,
        conn: &mut DbConnection,
        database_id: &str,
    ) -> Result<Option<&'static str>, SearchError> {
        let index = self.reader.searcher().index().clone();
        let Some(payload) = read_payload(&index)? else {
            return Ok(Some("it records no checkpoint"));
        };
        if payload.version != fields::VERSION {
            return Ok(Some("it was built by another version of Sahifa"));
        }
        if payload.database != database_id {
            return Ok(Some("it was built from another database"));
        }
        if !changes::can_catch_up(conn, payload.checkpoint)? {
            return Ok(Some("the change log no longer reaches back to it"));
        }
        Ok(None)
    }

    /// The version each of `ids` has in the index (absent: not indexed).
    fn indexed_versions(&self, ids: &[i64]) -> Result<HashMap<i64, i64>, SearchError> {
        let searcher = self.reader.searcher();
        let mut versions = HashMap::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(self.fields.id)?;
            let column = segment.fast_fields().i64(fields::column::VERSION)?;
            let alive = segment.alive_bitset();
            for id in ids {
                let term = Term::from_field_u64(self.fields.id, *id as u64);
                let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic)?
                else {
                    continue;
                };
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    if alive.is_none_or(|a| a.is_alive(doc))
                        && let Some(version) = column.first(doc)
                    {
                        versions.insert(*id, version);
                    }
                    doc = postings.advance();
                }
            }
        }
        Ok(versions)
    }

    fn checkpoint(&self) -> Checkpoint {
        *self.checkpoint.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set_checkpoint(&self, checkpoint: Checkpoint) {
        *self.checkpoint.lock().unwrap_or_else(|e| e.into_inner()) = checkpoint;
    }

    /// Replaces the documents of `ids` by `articles` (those of them that still exist) and
    /// commits with `payload`; searches see the change once it returns.
    fn replace(
        &self,
        ids: &[i64],
        articles: &[fields::Article],
        payload: &str,
    ) -> Result<(), SearchError> {
        let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        for id in ids {
            writer.delete_term(Term::from_field_u64(self.fields.id, *id as u64));
        }
        for article in articles {
            writer.add_document(self.fields.document(article))?;
        }
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(payload);
        commit.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }
}

/// Builds a new generation from the store behind `conn`, beside any other, and makes it the
/// one `CURRENT` names; returns its name. Searches of a running server keep using the old one
/// until it notices ([`Engine::follow_rebuild`]).
pub fn build(
    dir: &Path,
    conn: &mut DbConnection,
    database_id: &str,
) -> Result<String, SearchError> {
    let started = Instant::now();
    std::fs::create_dir_all(dir)?;
    let name = format!("gen-{}", newest_number(dir)? + 1);
    let path = dir.join(&name);
    if path.exists() {
        std::fs::remove_dir_all(&path)?;
    }
    std::fs::create_dir_all(&path)?;
    let (schema, fields) = Fields::schema();
    let index = Index::create_in_dir(&path, schema)?;
    register_tokenizers(&index);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4));
    let mut writer: IndexWriter = index.writer_with_num_threads(threads, BUILD_MEMORY)?;
    // Where the log stands before the first article is read: a change committed while the
    // build reads is then applied again after it (applying is idempotent), never missed.
    let checkpoint = changes::head(conn)?;
    let mut last = 0;
    let mut count = 0usize;
    loop {
        let batch = source::batch_after(conn, last, BATCH)?;
        let Some(end) = batch.last().map(|a| a.id) else {
            break;
        };
        for article in &batch {
            writer.add_document(fields.document(article))?;
        }
        count += batch.len();
        last = end;
        if count % 100_000 < BATCH as usize {
            tracing::info!(articles = count, "building the search index");
        }
    }
    let mut commit = writer.prepare_commit()?;
    commit.set_payload(&payload(database_id, checkpoint));
    commit.commit()?;
    // Segment merges started by the build finish before the generation is used.
    writer.wait_merging_threads()?;
    point_current_at(dir, &name)?;
    tracing::info!(
        articles = count,
        generation = %name,
        seconds = started.elapsed().as_secs_f64(),
        "built the search index"
    );
    Ok(name)
}

/// Builds a new generation for the store behind `conn` in every slot of `root` (`sahifa
/// reindex`); the servers using them switch. Returns how many articles an index holds.
pub fn rebuild(root: &Path, conn: &mut DbConnection) -> Result<u64, SearchError> {
    let database_id = database_id(conn)?;
    let mut slots = slots(root)?;
    if slots.is_empty() {
        slots.push(root.join(slot_name(0)));
    }
    let mut count = 0;
    for dir in slots {
        let name = build(&dir, conn, &database_id)?;
        let index = Index::open_in_dir(dir.join(name))?;
        let reader: IndexReader = index.reader()?;
        count = reader.searcher().num_docs();
    }
    Ok(count)
}

/// Most processes that may share one directory.
const SLOTS: usize = 64;

fn slot_name(n: usize) -> String {
    format!("slot-{n}")
}

/// The slot directories under `root`.
fn slots(root: &Path) -> Result<Vec<PathBuf>, SearchError> {
    let mut found = Vec::new();
    if !root.exists() {
        return Ok(found);
    }
    for n in 0..SLOTS {
        let dir = root.join(slot_name(n));
        if dir.is_dir() {
            found.push(dir);
        }
    }
    Ok(found)
}

/// The first slot of `root` no other process holds, locked for this one.
fn claim_slot(root: &Path) -> Result<(PathBuf, std::fs::File), SearchError> {
    for n in 0..SLOTS {
        let dir = root.join(slot_name(n));
        std::fs::create_dir_all(&dir)?;
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("LOCK"))?;
        match lock.try_lock() {
            Ok(()) => return Ok((dir, lock)),
            Err(std::fs::TryLockError::WouldBlock) => continue,
            Err(std::fs::TryLockError::Error(e)) => return Err(e.into()),
        }
    }
    Err(std::io::Error::other(format!(
        "all {SLOTS} index slots of {} are in use by other processes",
        root.display()
    ))
    .into())
}

pub(super) fn register_tokenizers(index: &Index) {
    index
        .tokenizers()
        .register(analysis::TOKENIZER, TextAnalyzer::from(Stems));
    index
        .tokenizers()
        .register(analysis::WORDS_TOKENIZER, TextAnalyzer::from(Surfaces));
}

fn payload(database_id: &str, checkpoint: Checkpoint) -> String {
    serde_json::to_string(&Payload {
        version: fields::VERSION,
        database: database_id.to_owned(),
        checkpoint,
    })
    .unwrap_or_default()
}

fn read_payload(index: &Index) -> Result<Option<Payload>, SearchError> {
    Ok(index
        .load_metas()?
        .payload
        .and_then(|json| serde_json::from_str(&json).ok()))
}

/// The generation `CURRENT` names, if any.
fn current_name(dir: &Path) -> Result<Option<String>, SearchError> {
    match std::fs::read_to_string(dir.join("CURRENT")) {
        Ok(name) => {
            let name = name.trim();
            Ok(is_generation(name).then(|| name.to_owned()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Points `CURRENT` at `name`: written beside it, then renamed over it (atomic).
fn point_current_at(dir: &Path, name: &str) -> Result<(), SearchError> {
    let temporary = dir.join("CURRENT.new");
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(name.as_bytes())?;
        file.sync_all()?;
    }
    std::fs::rename(&temporary, dir.join("CURRENT"))?;
    Ok(())
}

fn is_generation(name: &str) -> bool {
    name.strip_prefix("gen-")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn generation_number(name: &str) -> Option<u64> {
    name.strip_prefix("gen-")?.parse().ok()
}

fn newest_number(dir: &Path) -> Result<u64, SearchError> {
    let mut newest = 0;
    for entry in std::fs::read_dir(dir)? {
        if let Some(n) = entry?.file_name().to_str().and_then(generation_number) {
            newest = newest.max(n);
        }
    }
    Ok(newest)
}

/// Deletes the generations older than `keep` (a rebuild in progress, newer, is left alone).
fn remove_other_generations(dir: &Path, keep: &str) {
    let Some(kept) = generation_number(keep) else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(n) = name.to_str().and_then(generation_number) else {
            continue;
        };
        if n < kept
            && let Err(error) = std::fs::remove_dir_all(entry.path())
        {
            tracing::warn!(%error, generation = ?name, "could not delete an old search index");
        }
    }
}

/// The identity of the store, kept in it (created on first use): an index records which
/// store it was built from, so that one pointed at another database is rebuilt.
pub fn database_id(conn: &mut DbConnection) -> QueryResult<String> {
    if let Some(id) = stored_database_id(conn)? {
        return Ok(id);
    }
    let id = uuid::Uuid::new_v4().to_string();
    let inserted = diesel::insert_into(instance_settings::table)
        .values((
            instance_settings::name.eq(DATABASE_ID),
            instance_settings::value.eq(&id),
            instance_settings::updated_at.eq(crate::time::now()),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(id),
        // Another instance created it first: theirs it is.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => stored_database_id(conn)?.ok_or(diesel::result::Error::NotFound),
        Err(other) => Err(other),
    }
}

const DATABASE_ID: &str = "database_id";

fn stored_database_id(conn: &mut DbConnection) -> QueryResult<Option<String>> {
    instance_settings::table
        .filter(instance_settings::name.eq(DATABASE_ID))
        .select(instance_settings::value)
        .first(conn)
        .optional()
}
