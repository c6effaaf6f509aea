//! A thread that owns the [`Store`], so async code never blocks on SQLite
//! (a busy timeout can wait seconds). Requests go over a channel; each
//! carries a oneshot for its reply, or (a record to begin) a callback the
//! thread runs once the record is committed.

use std::path::PathBuf;
use std::sync::mpsc;

use tokio::sync::oneshot;

use super::checkpoint::{Checkpointer, WRITER_AUTOCHECKPOINT};
use super::types::{
    Finish, HistoryQuery, HistoryRecord, NewRecord, RecordId, StoredTask, TaskChunk,
};
use super::{MonitorData, MonitorQuery, Store, StoreError};
use crate::api::params::TaskId;

/// A reply channel for one request.
type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

/// What to do with a begun record once its commit is known, run on the
/// store thread (see [`StoreHandle::begin_then`]).
type Begun = Box<dyn FnOnce(Result<RecordId, StoreError>) + Send>;

/// One thing for the store thread to do.
enum Request {
    Begin(NewRecord, Begun),
    Finish(RecordId, Finish, Reply<()>),
    Upsert(Vec<StoredTask>, Reply<()>),
    Remove(Vec<TaskId>, Reply<usize>),
    Load(Reply<Vec<StoredTask>>),
    LoadChunks(tokio::sync::mpsc::Sender<Result<TaskChunk, StoreError>>),
    History(HistoryQuery, Reply<Vec<HistoryRecord>>),
    Monitor(MonitorQuery, Reply<MonitorData>),
}

/// The async face of the store: cheap to clone, usable from any task. The
/// store thread ends when the last handle is dropped.
#[derive(Debug, Clone)]
pub struct StoreHandle {
    tx: mpsc::Sender<Request>,
    path: PathBuf,
}

/// Moves `store` onto its own thread and returns a handle to it.
///
/// If the operating system refuses a new thread, the handle is still
/// returned and every call answers [`StoreError::ThreadGone`], so callers
/// handle one error path instead of a panic.
pub fn spawn_store_thread(store: Store) -> StoreHandle {
    let path = store.path().to_path_buf();
    let (tx, rx) = mpsc::channel();
    // On failure the closure, and with it the receiver, is dropped: every
    // send then fails and turns into ThreadGone.
    let _ = std::thread::Builder::new()
        .name("tae-rescan-store".into())
        .spawn(move || serve(store, rx));
    StoreHandle { tx, path }
}

/// A reply held back until its write is committed: gets the commit's result.
type Deferred = Box<dyn FnOnce(Result<(), StoreError>)>;

/// Tasks per chunk of a streamed inventory load: small enough that the
/// chunks in flight add little to the dashboard's peak memory (about 0.4 MB
/// each), large enough that the per-chunk work stays negligible.
const LOAD_CHUNK: usize = 1_000;

/// Most writes committed together.
const GROUP_MAX: usize = 512;

/// The thread's loop until every sender is gone. Writes of history records
/// that are waiting together are committed in one transaction (a commit
/// costs ~50 µs; one per request capped bulk runs near 10k requests/s), and
/// their replies go out only after that commit, so "committed before it
/// returns" still holds. Other requests run in order between groups.
/// A reply nobody waits for any more is dropped quietly. WAL checkpoints
/// run on a thread of their own (see [`Checkpointer`]).
fn serve(mut store: Store, rx: mpsc::Receiver<Request>) {
    let mut checkpointer = Checkpointer::start(store.path());
    if checkpointer.is_running() {
        // The failure case keeps SQLite's default, which is also fine.
        let _ = store
            .conn
            .pragma_update(None, "wal_autocheckpoint", WRITER_AUTOCHECKPOINT);
    }
    while let Ok(first) = rx.recv() {
        let mut group: Vec<Request> = Vec::new();
        let mut next = Some(first);
        while let Some(request) = next.take() {
            if matches!(request, Request::Begin(..) | Request::Finish(..)) {
                group.push(request);
                if group.len() < GROUP_MAX {
                    next = rx.try_recv().ok();
                }
                continue;
            }
            commit_group(&mut store, std::mem::take(&mut group), &mut checkpointer);
            handle(&mut store, request);
            next = rx.try_recv().ok();
        }
        commit_group(&mut store, group, &mut checkpointer);
    }
}

/// Runs history writes in one transaction, then replies to each.
fn commit_group(store: &mut Store, group: Vec<Request>, checkpointer: &mut Checkpointer) {
    match group.len() {
        0 => return,
        1 => {
            group.into_iter().for_each(|r| handle(store, r));
            checkpointer.committed();
            return;
        }
        _ => {}
    }
    checkpointer.committed();
    if store.conn.execute_batch("BEGIN IMMEDIATE").is_err() {
        // No transaction to be had: one commit each, as without grouping.
        group.into_iter().for_each(|r| handle(store, r));
        return;
    }
    let mut replies: Vec<Deferred> = Vec::with_capacity(group.len());
    for request in group {
        match request {
            Request::Begin(rec, then) => {
                let result = store.begin(&rec);
                replies.push(Box::new(move |commit| then(commit.and(result))));
            }
            Request::Finish(id, fin, reply) => {
                let result = store.finish(id, &fin);
                replies.push(Box::new(move |commit| {
                    let _ = reply.send(commit.and(result));
                }));
            }
            other => handle(store, other),
        }
    }
    let committed = store.conn.execute_batch("COMMIT").map_err(|e| store.sql(e));
    if committed.is_err() {
        let _ = store.conn.execute_batch("ROLLBACK");
    }
    for reply in replies {
        reply(
            committed
                .as_ref()
                .map(|_| ())
                .map_err(|e| store_error_copy(store, e)),
        );
    }
}

/// One failed commit answers many requests; each gets its own error value.
fn store_error_copy(store: &Store, e: &StoreError) -> StoreError {
    StoreError::BadData {
        path: store.path().to_owned(),
        what: format!("the write was not committed: {e}"),
    }
}

/// One request on its own.
fn handle(store: &mut Store, request: Request) {
    match request {
        Request::Begin(rec, then) => then(store.begin(&rec)),
        Request::Finish(id, fin, reply) => {
            let _ = reply.send(store.finish(id, &fin));
        }
        Request::Upsert(tasks, reply) => {
            let _ = reply.send(store.upsert_tasks(&tasks));
        }
        Request::Remove(ids, reply) => {
            let _ = reply.send(store.remove_tasks(&ids));
        }
        Request::Load(reply) => {
            let _ = reply.send(store.load_tasks());
        }
        Request::LoadChunks(chunks) => {
            // Waits while the receiver holds a chunk: a slow reader never
            // has the whole inventory queued in memory next to its rows.
            if let Err(e) = store.load_tasks_in_chunks(LOAD_CHUNK, |c| {
                let _ = chunks.blocking_send(Ok(c));
            }) {
                let _ = chunks.blocking_send(Err(e));
            }
        }
        Request::History(q, reply) => {
            let _ = reply.send(store.history(&q));
        }
        Request::Monitor(q, reply) => {
            let _ = reply.send(store.monitor(&q));
        }
    }
}

impl StoreHandle {
    /// The database file, for messages.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Sends one request and waits for its answer without blocking the
    /// runtime.
    async fn call<T>(&self, make: impl FnOnce(Reply<T>) -> Request) -> Result<T, StoreError> {
        let gone = || StoreError::ThreadGone {
            path: self.path.clone(),
        };
        let (reply, answer) = oneshot::channel();
        self.tx.send(make(reply)).map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    /// [`Store::begin`] on the store thread, which runs `then` with the
    /// result right after the commit (or at once if the thread is gone).
    /// The worker uses it to tell its supervisor about the record from the
    /// store thread itself: the news arrives even if the job that asked was
    /// cancelled meanwhile, without a task of its own per record.
    pub fn begin_then(
        &self,
        rec: NewRecord,
        then: impl FnOnce(Result<RecordId, StoreError>) + Send + 'static,
    ) {
        if let Err(mpsc::SendError(Request::Begin(_, then))) =
            self.tx.send(Request::Begin(rec, Box::new(then)))
        {
            then(Err(StoreError::ThreadGone {
                path: self.path.clone(),
            }));
        }
    }

    /// [`Store::finish`] on the store thread.
    pub async fn finish(&self, id: RecordId, fin: Finish) -> Result<(), StoreError> {
        self.call(|r| Request::Finish(id, fin, r)).await
    }

    /// [`Store::upsert_tasks`] on the store thread.
    pub async fn upsert_tasks(&self, tasks: Vec<StoredTask>) -> Result<(), StoreError> {
        self.call(|r| Request::Upsert(tasks, r)).await
    }

    /// [`Store::remove_tasks`] on the store thread.
    pub async fn remove_tasks(&self, ids: Vec<TaskId>) -> Result<usize, StoreError> {
        self.call(|r| Request::Remove(ids, r)).await
    }

    /// [`Store::load_tasks`] on the store thread.
    pub async fn load_tasks(&self) -> Result<Vec<StoredTask>, StoreError> {
        self.call(Request::Load).await
    }

    /// [`Store::load_tasks_in_chunks`] on the store thread: chunks arrive on
    /// the returned channel, which closes after the last one. It holds one
    /// chunk: the store thread reads the next while this one is taken.
    pub fn load_tasks_in_chunks(
        &self,
    ) -> tokio::sync::mpsc::Receiver<Result<TaskChunk, StoreError>> {
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        if let Err(mpsc::SendError(Request::LoadChunks(tx))) = self.tx.send(Request::LoadChunks(tx))
        {
            let _ = tx.try_send(Err(StoreError::ThreadGone {
                path: self.path.clone(),
            }));
        }
        rx
    }

    /// [`Store::history`] on the store thread.
    pub async fn history(&self, q: HistoryQuery) -> Result<Vec<HistoryRecord>, StoreError> {
        self.call(|r| Request::History(q, r)).await
    }

    /// [`Store::monitor`] on the store thread.
    pub async fn monitor(&self, q: MonitorQuery) -> Result<MonitorData, StoreError> {
        self.call(|r| Request::Monitor(q, r)).await
    }
}
