//! SQLite's writes: one thread and one connection, taking them in turn, several per commit.
//!
//! SQLite has one write lock per database. When each write took a pooled connection and
//! queued for that lock in SQLite's busy handler, the handler slept (1, 2, 5 … 100 ms) instead
//! of waking when the lock came free, and all the while held a connection that reads were
//! waiting for: under a 95/5 read/write load, p99 of all requests was 155 ms. Here writes
//! queue in memory for one dedicated connection: they never take a read connection, each
//! starts as soon as the one before it ends, and the writes queued together share one commit
//! (group commit), each in its own savepoint so that a failing write undoes only itself. A
//! write is answered only after the commit that holds it, so an acknowledged write is durable
//! as before.
//!
//! PostgreSQL has row locks and many writers; its writes keep using the pool.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::time::Instant;

use diesel::Connection;

use super::StoreError;
use super::connection::{
    ConnectionManager, DbConnection, begin_write, commit_inner, rollback_inner,
};

/// At most this many writes share a commit: a longer batch would make its first write wait
/// for the last one's work.
const MOST_PER_COMMIT: usize = 64;

/// The sending end of the writer thread's queue. The thread ends when every clone of the
/// store (and so of this) is dropped.
#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Queued>,
}

impl Writer {
    /// Starts the writer thread on a connection of its own from `manager`.
    pub fn start(manager: ConnectionManager) -> Result<Self, super::ConnectError> {
        let conn = manager.connect_now()?;
        let (queue, jobs) = mpsc::channel();
        std::thread::Builder::new()
            .name("sahifa-writer".into())
            .spawn(move || serve(manager, conn, jobs))
            .expect("the writer thread starts");
        Ok(Self { queue })
    }

    /// Runs `work` in its own savepoint of the next commit, and answers once that commit is
    /// on disk. A write still queued at `deadline` is not run and answers
    /// [`StoreError::Saturated`], as a request that found no free connection would.
    pub async fn write<T, E, F>(&self, deadline: Instant, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + From<diesel::result::Error> + Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = Box::new(Pending {
            work,
            reply,
            span: tracing::Span::current(),
        });
        self.queue
            .send(Queued { deadline, job })
            .map_err(|_| StoreError::TaskFailed)?;
        // A dropped reply means the write panicked (or the thread is gone): not written.
        answer.await.map_err(|_| StoreError::TaskFailed)?
    }
}

/// A write waiting for its turn.
struct Queued {
    deadline: Instant,
    job: Box<dyn Job>,
}

/// One write, its result type erased so that writes of every kind share one queue.
trait Job: Send {
    /// Runs the write (in a savepoint the caller opened) and returns how to answer it once
    /// the commit's outcome is known.
    fn run(self: Box<Self>, conn: &mut DbConnection) -> Answer;
    /// Answers without running: the write waited past its deadline, or the batch could not
    /// begin.
    fn refuse(self: Box<Self>, error: Refusal<'_>);
}

/// Answers a write that ran, given the error of its batch's commit, if any.
type Answer = Box<dyn FnOnce(Option<&diesel::result::Error>) + Send>;

enum Refusal<'a> {
    Late,
    Failed(&'a diesel::result::Error),
}

struct Pending<F, T, E> {
    work: F,
    reply: tokio::sync::oneshot::Sender<Result<T, E>>,
    span: tracing::Span,
}

impl<F, T, E> Job for Pending<F, T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<StoreError> + From<diesel::result::Error> + Send + 'static,
{
    fn run(self: Box<Self>, conn: &mut DbConnection) -> Answer {
        let Pending { work, reply, span } = *self;
        // Nested in the batch's transaction, Diesel makes this a savepoint.
        let outcome = span.in_scope(|| conn.transaction(work));
        match outcome {
            Ok(value) => Box::new(move |commit_error: Option<&diesel::result::Error>| {
                let _ = reply.send(match commit_error {
                    None => Ok(value),
                    Some(error) => Err(copy_error(error).into()),
                });
            }),
            // Undone by its savepoint; the commit's outcome does not change the answer.
            Err(error) => Box::new(move |_| {
                let _ = reply.send(Err(error));
            }),
        }
    }

    fn refuse(self: Box<Self>, refusal: Refusal<'_>) {
        let error = match refusal {
            Refusal::Late => StoreError::Saturated.into(),
            Refusal::Failed(error) => copy_error(error).into(),
        };
        let _ = self.reply.send(Err(error));
    }
}

/// The writer thread: takes the queued writes, as many as are waiting (up to
/// [`MOST_PER_COMMIT`]), and commits them together.
fn serve(manager: ConnectionManager, conn: DbConnection, jobs: mpsc::Receiver<Queued>) {
    let mut conn = Some(conn);
    let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(MOST_PER_COMMIT);
    while let Ok(first) = jobs.recv() {
        let now = Instant::now();
        for queued in std::iter::once(first).chain(std::iter::from_fn(|| jobs.try_recv().ok())) {
            if queued.deadline < now {
                queued.job.refuse(Refusal::Late);
            } else {
                batch.push(queued.job);
                if batch.len() == MOST_PER_COMMIT {
                    break;
                }
            }
        }
        while !batch.is_empty() {
            let current = match conn.take() {
                Some(current) => current,
                None => match manager.connect_now() {
                    Ok(fresh) => fresh,
                    Err(error) => {
                        tracing::error!(%error, "the writer cannot reconnect");
                        let error = diesel::result::Error::BrokenTransactionManager;
                        batch
                            .drain(..)
                            .for_each(|job| job.refuse(Refusal::Failed(&error)));
                        break;
                    }
                },
            };
            let (current, not_run) = run_batch(current, std::mem::take(&mut batch));
            // After a panic the connection is gone (dropping it rolled back), and the writes
            // queued after the panicking one run in a batch of their own on a new connection.
            conn = current;
            batch = not_run;
        }
    }
}

/// Runs `batch` in one transaction on `conn`. Returns the connection, unless a write
/// panicked and left it mid-transaction (Diesel's record of the transaction can no longer
/// be trusted), and the writes that did not run because of that panic.
fn run_batch(
    mut conn: DbConnection,
    batch: Vec<Box<dyn Job>>,
) -> (Option<DbConnection>, Vec<Box<dyn Job>>) {
    if let Err(error) = begin_write(&mut conn) {
        for job in batch {
            job.refuse(Refusal::Failed(&error));
        }
        return (Some(conn), Vec::new());
    }
    let mut answers = Vec::with_capacity(batch.len());
    let mut jobs = batch.into_iter();
    for job in jobs.by_ref() {
        match catch_unwind(AssertUnwindSafe(|| job.run(&mut conn))) {
            Ok(answer) => answers.push(answer),
            Err(_) => {
                // The panicking write's reply went with it (its caller sees the task fail, as
                // a panic on the blocking pool did); the writes before it in this batch are
                // undone with the transaction and told so. Panics are bugs.
                drop(conn);
                let undone = diesel::result::Error::RollbackTransaction;
                answers.into_iter().for_each(|answer| answer(Some(&undone)));
                return (None, jobs.collect());
            }
        }
    }
    let committed = commit_inner(&mut conn);
    if committed.is_err() {
        let _ = rollback_inner(&mut conn);
    }
    let commit_error = committed.err();
    for answer in answers {
        answer(commit_error.as_ref());
    }
    (Some(conn), Vec::new())
}

/// `diesel::result::Error` is not `Clone`: every write of a failed batch gets the message.
fn copy_error(error: &diesel::result::Error) -> diesel::result::Error {
    diesel::result::Error::DatabaseError(
        diesel::result::DatabaseErrorKind::Unknown,
        Box::new(error.to_string()),
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use diesel::RunQueryDsl;
    use diesel::connection::SimpleConnection;

    use super::*;
    use crate::config::DatabaseUrl;

    type Outcome = Result<(), crate::db::DbError>;
    type Write = Box<dyn FnOnce(&mut DbConnection) -> Outcome + Send>;

    /// A writer on a fresh database with a table `t`, and a second connection to it.
    fn writer_and_outsider(dir: &tempfile::TempDir) -> (Writer, DbConnection) {
        let url = DatabaseUrl::Sqlite(dir.path().join("w.db"));
        let mut outsider = ConnectionManager::new(url.clone()).connect_now().unwrap();
        outsider
            .batch_execute("CREATE TABLE t (v INTEGER PRIMARY KEY)")
            .unwrap();
        (
            Writer::start(ConnectionManager::new(url)).unwrap(),
            outsider,
        )
    }

    fn insert(v: i64) -> impl FnOnce(&mut DbConnection) -> Outcome + Send + 'static {
        move |c| {
            diesel::sql_query(format!("INSERT INTO t VALUES ({v})")).execute(c)?;
            Ok(())
        }
    }

    fn values(conn: &mut DbConnection) -> Vec<i64> {
        #[derive(diesel::QueryableByName)]
        struct V {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            v: i64,
        }
        diesel::sql_query("SELECT v FROM t ORDER BY v")
            .load::<V>(conn)
            .unwrap()
            .into_iter()
            .map(|r| r.v)
            .collect()
    }

    /// Queues `writes` behind a first write that waits for a lock held outside, so that
    /// they all land in the writer's next batch (one transaction), and returns their answers.
    /// Submits a write from a task of its own.
    fn spawn_write(
        writer: &Writer,
        deadline: Instant,
        work: impl FnOnce(&mut DbConnection) -> Outcome + Send + 'static,
    ) -> tokio::task::JoinHandle<Outcome> {
        let writer = writer.clone();
        tokio::spawn(async move { writer.write(deadline, work).await })
    }

    async fn in_one_batch(
        writer: &Writer,
        outsider: &mut DbConnection,
        writes: Vec<Write>,
    ) -> Vec<Outcome> {
        let later = Instant::now() + Duration::from_secs(30);
        outsider.batch_execute("BEGIN IMMEDIATE").unwrap();
        let first = spawn_write(writer, later, insert(0));
        // The first write has left the queue and waits for the lock.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let pending: Vec<_> = writes
            .into_iter()
            .map(|work| spawn_write(writer, later, work))
            .collect();
        tokio::time::sleep(Duration::from_millis(100)).await;
        outsider.batch_execute("COMMIT").unwrap();
        first.await.unwrap().unwrap();
        let mut answers = Vec::new();
        for answer in pending {
            answers.push(answer.await.unwrap());
        }
        answers
    }

    #[tokio::test]
    async fn a_failing_write_undoes_only_itself_in_a_shared_commit() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, mut outsider) = writer_and_outsider(&dir);
        let answers = in_one_batch(
            &writer,
            &mut outsider,
            vec![
                Box::new(insert(1)),
                // Inserts, then fails: its insert must not survive.
                Box::new(|c: &mut DbConnection| {
                    insert(2)(c)?;
                    insert(1)(c)
                }),
                Box::new(insert(3)),
            ],
        )
        .await;
        assert!(answers[0].is_ok() && answers[2].is_ok(), "{answers:?}");
        assert!(answers[1].is_err(), "the duplicate key fails");
        assert_eq!(values(&mut outsider), [0, 1, 3]);
    }

    #[tokio::test]
    async fn a_panicking_write_fails_alone_after_its_batch_is_undone_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, mut outsider) = writer_and_outsider(&dir);
        let answers = in_one_batch(
            &writer,
            &mut outsider,
            vec![
                Box::new(insert(1)),
                Box::new(|_: &mut DbConnection| panic!("a bug in a write")),
                Box::new(insert(3)),
            ],
        )
        .await;
        // Before the panic: undone with the transaction, and told so.
        assert!(answers[0].is_err(), "{answers:?}");
        // The panicking write itself: the task failed.
        assert!(
            matches!(
                answers[1],
                Err(crate::db::DbError::Store(StoreError::TaskFailed))
            ),
            "{answers:?}"
        );
        // After it: run on a fresh connection, and committed.
        assert!(answers[2].is_ok(), "{answers:?}");
        assert_eq!(values(&mut outsider), [0, 3]);
        // The writer goes on.
        writer
            .write(Instant::now() + Duration::from_secs(5), insert(4))
            .await
            .unwrap();
        assert_eq!(values(&mut outsider), [0, 3, 4]);
    }

    #[tokio::test]
    async fn writes_queued_past_their_deadline_are_refused_unrun() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, mut outsider) = writer_and_outsider(&dir);
        outsider.batch_execute("BEGIN IMMEDIATE").unwrap();
        let later = Instant::now() + Duration::from_secs(30);
        let first = spawn_write(&writer, later, insert(1));
        tokio::time::sleep(Duration::from_millis(100)).await;
        let hurried = spawn_write(
            &writer,
            Instant::now() + Duration::from_millis(10),
            insert(2),
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        outsider.batch_execute("COMMIT").unwrap();
        first.await.unwrap().unwrap();
        assert!(matches!(
            hurried.await.unwrap(),
            Err(crate::db::DbError::Store(StoreError::Saturated))
        ));
        assert_eq!(values(&mut outsider), [1]);
    }
}
