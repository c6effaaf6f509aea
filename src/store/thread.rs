//! A thread that owns the [`Store`], so async code never blocks on SQLite
//! (a busy timeout can wait seconds). Requests go over a channel; each
//! carries a oneshot for its reply.

use std::path::PathBuf;
use std::sync::mpsc;

use tokio::sync::oneshot;

use super::types::{Finish, HistoryQuery, HistoryRecord, NewRecord, RecordId, StoredTask};
use super::{MonitorData, MonitorQuery, Store, StoreError};
use crate::api::params::TaskId;

/// A reply channel for one request.
type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

/// One thing for the store thread to do.
enum Request {
    Begin(NewRecord, Reply<RecordId>),
    Finish(RecordId, Finish, Reply<()>),
    Upsert(Vec<StoredTask>, Reply<()>),
    Remove(Vec<TaskId>, Reply<usize>),
    Load(Reply<Vec<StoredTask>>),
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

/// The thread's loop: one request at a time until every sender is gone.
/// A reply nobody waits for any more is dropped quietly.
fn serve(mut store: Store, rx: mpsc::Receiver<Request>) {
    for request in rx {
        match request {
            Request::Begin(rec, reply) => {
                let _ = reply.send(store.begin(&rec));
            }
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
            Request::History(q, reply) => {
                let _ = reply.send(store.history(&q));
            }
            Request::Monitor(q, reply) => {
                let _ = reply.send(store.monitor(&q));
            }
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

    /// [`Store::begin`] on the store thread.
    pub async fn begin(&self, rec: NewRecord) -> Result<RecordId, StoreError> {
        self.call(|r| Request::Begin(rec, r)).await
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

    /// [`Store::history`] on the store thread.
    pub async fn history(&self, q: HistoryQuery) -> Result<Vec<HistoryRecord>, StoreError> {
        self.call(|r| Request::History(q, r)).await
    }

    /// [`Store::monitor`] on the store thread.
    pub async fn monitor(&self, q: MonitorQuery) -> Result<MonitorData, StoreError> {
        self.call(|r| Request::Monitor(q, r)).await
    }
}
