//! A thread that owns the [`Store`], so async code never blocks on SQLite
//! (a busy timeout can wait seconds). Requests go over a channel; each
//! carries a oneshot for its reply.
//!
//! Records are the exception, because a bulk run writes one per request:
//! [`StoreHandle::begin`] only appends an intent (see [`super::intents`])
//! and leaves the record in a queue the thread takes in when it next
//! wakes; [`StoreHandle::finish`] then writes it in one go, complete.
//! A request unanswered after [`IN_FLIGHT_AFTER`] has its record written
//! `in flight` first, so the history shows what is hanging.

use std::collections::HashMap;
use std::future::{Future, IntoFuture};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::checkpoint::{Checkpointer, WRITER_AUTOCHECKPOINT};
use super::history::End;
use super::intents::{Intent, IntentLog};
use super::types::{
    Finish, HistoryQuery, HistoryRecord, NewRecord, RecordId, StoredTask, TaskChunk,
};
use super::watch::{ChangesTx, Watch};
use super::{MonitorData, MonitorQuery, Store, StoreError};
use crate::api::params::TaskId;
use crate::import::Imported;

/// How long a request may wait for its answer before its record is written
/// as `in flight`: long enough that almost every answer arrives first (one
/// write per request), short enough that `history` and the monitor soon
/// show a request that hangs.
pub const IN_FLIGHT_AFTER: Duration = Duration::from_millis(100);

/// A reply channel for one request.
type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

/// A request queued on the store thread (in the order the requests were
/// made); `.await` it for the answer.
#[must_use = "the request is queued; await it for the answer"]
pub struct Pending<T> {
    queued: Result<oneshot::Receiver<Result<T, StoreError>>, StoreError>,
    gone: StoreError,
}

impl<T: Send + 'static> IntoFuture for Pending<T> {
    type Output = Result<T, StoreError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let answer = self.queued?;
            answer.await.map_err(|_| self.gone)?
        })
    }
}

/// One thing for the store thread to do.
enum Request {
    /// A record was begun while the thread had none to watch.
    Wake,
    /// A record to complete; committed with others in a group.
    Finish(Completion),
    /// Anything else, run on its own between groups.
    Call(Call),
    /// From now on, tell this reader what other writers commit.
    Watch(ChangesTx),
}

/// A record's completion: its intent, the answer, and who waits for the
/// commit.
type Completion = (Intent, Finish, Reply<()>);

/// The requests run one at a time, in order.
enum Call {
    Upsert(Vec<StoredTask>, Reply<()>),
    AddNew(Imported, Reply<Imported>),
    Remove(Vec<TaskId>, Reply<usize>),
    Load(Reply<Vec<StoredTask>>),
    LoadChunks(tokio::sync::mpsc::Sender<Result<TaskChunk, StoreError>>),
    History(HistoryQuery, Reply<Vec<HistoryRecord>>),
    Monitor(MonitorQuery, Reply<MonitorData>),
    Setting(&'static str, Reply<Option<String>>),
    SetSetting(&'static str, String, Reply<()>),
}

/// What the handles and the thread share besides the channel.
#[derive(Debug)]
struct Shared {
    intents: IntentLog,
    begun: Mutex<Begun>,
    /// False once the thread has ended (or if it never started): a begin
    /// then fails before writing its intent, so the job is not sent.
    running: AtomicBool,
}

/// Clears [`Shared::running`] when the thread ends, even by a panic.
struct Running<'a>(&'a AtomicBool);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// Records begun (their intents written) that the thread has not taken in.
#[derive(Debug, Default)]
struct Begun {
    queue: Vec<(Intent, NewRecord, Instant)>,
    /// The thread holds records not yet written and so wakes by itself
    /// (see [`Records::take_in`]); otherwise a begin must wake it.
    watching: bool,
}

/// The async face of the store: cheap to clone, usable from any task. The
/// store thread ends when the last handle is dropped.
#[derive(Debug, Clone)]
pub struct StoreHandle {
    tx: mpsc::Sender<Request>,
    path: PathBuf,
    shared: Arc<Shared>,
    interrupted_at_open: usize,
}

/// Moves `store` onto its own thread and returns a handle to it.
///
/// If the operating system refuses a new thread, the handle is still
/// returned and every call answers [`StoreError::ThreadGone`], so callers
/// handle one error path instead of a panic.
pub fn spawn_store_thread(store: Store) -> StoreHandle {
    let path = store.path().to_path_buf();
    let interrupted_at_open = store.interrupted_at_open();
    let shared = Arc::new(Shared {
        intents: IntentLog::new(&path, store.lease.writer()),
        begun: Mutex::default(),
        running: AtomicBool::new(true),
    });
    let (tx, rx) = mpsc::channel();
    let for_thread = shared.clone();
    // On failure the closure, and with it the receiver, is dropped: every
    // send then fails and turns into ThreadGone.
    let spawned = std::thread::Builder::new()
        .name("tae-rescan-store".into())
        .spawn(move || {
            let _running = Running(&for_thread.running);
            serve(store, rx, &for_thread);
        });
    if spawned.is_err() {
        shared.running.store(false, Ordering::Release);
    }
    StoreHandle {
        tx,
        path,
        shared,
        interrupted_at_open,
    }
}

/// A reply held back until its write is committed: gets the commit's result.
type Deferred = Box<dyn FnOnce(Result<(), StoreError>)>;

/// Tasks per chunk of a streamed inventory load: small enough that the
/// chunks in flight add little to the dashboard's peak memory (about 0.4 MB
/// each), large enough that the per-chunk work stays negligible.
const LOAD_CHUNK: usize = 1_000;

/// Most writes committed together.
const GROUP_MAX: usize = 512;

/// How long a finished record waits for others to share its commit while
/// more requests are out. Only the job's final report waits (its request
/// slot is already free), and a commit per record was most of the store
/// thread's work in bulk runs.
const LINGER: Duration = Duration::from_millis(2);

/// The records the thread knows of whose jobs have no answer yet.
#[derive(Default)]
struct Records {
    /// Begun, not in the database yet (their intents are in the log).
    waiting: HashMap<Intent, (NewRecord, Instant)>,
    /// Written `in flight`, to be completed by id.
    written: HashMap<Intent, RecordId>,
}

impl Records {
    /// Takes in the begun records from the handles' queue.
    fn take_in(&mut self, shared: &Shared) {
        let mut begun = shared.begun.lock().unwrap_or_else(PoisonError::into_inner);
        self.waiting.extend(
            begun
                .queue
                .drain(..)
                .map(|(intent, rec, at)| (intent, (rec, at))),
        );
        begun.watching = !self.waiting.is_empty();
    }

    /// When the oldest record still waiting is due to be written, if any.
    fn deadline(&self) -> Option<Instant> {
        let oldest = self.waiting.values().map(|(_, at)| *at).min()?;
        Some(oldest + IN_FLIGHT_AFTER)
    }

    /// True when more requests are out than the `finishing` about to be
    /// committed: their answers are due, and may join the same commit.
    fn more_answers_due(&mut self, shared: &Shared, finishing: usize) -> bool {
        self.take_in(shared);
        self.waiting.len() + self.written.len() > finishing
    }

    /// Takes out the waiting records that are due.
    fn due(&mut self, now: Instant) -> Vec<(Intent, NewRecord)> {
        let due: Vec<Intent> = self
            .waiting
            .iter()
            .filter(|(_, (_, at))| now.duration_since(*at) >= IN_FLIGHT_AFTER)
            .map(|(intent, _)| *intent)
            .collect();
        due.into_iter()
            .filter_map(|i| self.waiting.remove(&i).map(|(rec, _)| (i, rec)))
            .collect()
    }
}

/// The thread's loop until every sender is gone. Records completed
/// together are committed in one transaction (a commit costs ~50 µs; one
/// per request capped bulk runs near 10k requests/s), and their replies go
/// out only after that commit, so "committed before it returns" still
/// holds. Other requests run in order between groups. A reply nobody waits
/// for any more is dropped quietly. WAL checkpoints run on a thread of
/// their own (see [`Checkpointer`]). Once a reader asked to watch, the wait
/// for the next request ends at its next look for other writers' commits
/// too (see [`Watch`]): the only wake-up of an idle dashboard's store.
fn serve(mut store: Store, rx: mpsc::Receiver<Request>, shared: &Shared) {
    let mut checkpointer = Checkpointer::start(store.path());
    if checkpointer.is_running() {
        // The failure case keeps SQLite's default, which is also fine.
        let _ = store
            .conn
            .pragma_update(None, "wal_autocheckpoint", WRITER_AUTOCHECKPOINT);
    }
    let mut records = Records::default();
    let mut watch: Option<Watch> = None;
    loop {
        records.take_in(shared);
        let wake = records
            .deadline()
            .into_iter()
            .chain(watch.as_ref().map(Watch::due));
        let first = match wake.min() {
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(due) => rx.recv_timeout(due.saturating_duration_since(Instant::now())),
        };
        let mut next = match first {
            Ok(request) => Some(request),
            Err(RecvTimeoutError::Timeout) => None,
            // Records still waiting keep their intents in the log: the next
            // open records them as `interrupted`.
            Err(RecvTimeoutError::Disconnected) => break,
        };
        let mut group: Vec<Completion> = Vec::new();
        let mut lingered = false;
        while let Some(request) = next.take() {
            match request {
                Request::Wake => next = rx.try_recv().ok(),
                Request::Watch(tx) => {
                    watch = Watch::start(&store, tx);
                    next = rx.try_recv().ok();
                }
                Request::Finish(completion) => {
                    group.push(completion);
                    if group.len() < GROUP_MAX {
                        next = rx.try_recv().ok();
                        // Asleep, not waiting on the channel: finishes
                        // sent meanwhile do not wake the thread one by one.
                        if next.is_none()
                            && !lingered
                            && records.more_answers_due(shared, group.len())
                        {
                            lingered = true;
                            std::thread::sleep(LINGER);
                            next = rx.try_recv().ok();
                        }
                    }
                }
                Request::Call(call) => {
                    let group = std::mem::take(&mut group);
                    commit_group(&mut store, &mut records, group, shared, &mut checkpointer);
                    handle(&mut store, call);
                    next = rx.try_recv().ok();
                }
            }
        }
        commit_group(&mut store, &mut records, group, shared, &mut checkpointer);
        if watch.as_mut().is_some_and(|w| !w.look(&store)) {
            watch = None;
        }
    }
}

/// Writes, in one transaction, the records completed by `group` and those
/// waiting too long for their answer, then replies to each.
fn commit_group(
    store: &mut Store,
    records: &mut Records,
    group: Vec<Completion>,
    shared: &Shared,
    checkpointer: &mut Checkpointer,
) {
    // The begins of the finishes in `group` were queued before them.
    let now = Instant::now();
    records.take_in(shared);
    if group.is_empty() && records.deadline().is_none_or(|due| due > now) {
        return;
    }
    checkpointer.committed();
    // Without a transaction each write commits on its own, as without
    // grouping.
    let in_transaction = store.conn.execute_batch("BEGIN IMMEDIATE").is_ok();
    let mut replies: Vec<Deferred> = Vec::with_capacity(group.len());
    let mut completed = 0;
    for (intent, fin, reply) in group {
        let result = complete(store, records, intent, &fin);
        completed += usize::from(result.as_ref().is_ok_and(|fresh| *fresh));
        replies.push(Box::new(move |commit| {
            let _ = reply.send(commit.and(result.map(drop)));
        }));
    }
    // Only now: a record whose answer is in `group` was just written
    // whole, however long it waited.
    let written: Vec<_> = records
        .due(now)
        .into_iter()
        .map(|(intent, rec)| (intent, store.insert(&rec, Some(intent), End::InFlight), rec))
        .collect();
    let committed = if in_transaction {
        let c = store.conn.execute_batch("COMMIT").map_err(|e| store.sql(e));
        if c.is_err() {
            let _ = store.conn.execute_batch("ROLLBACK");
        }
        c
    } else {
        Ok(())
    };
    let now = Instant::now();
    for (intent, result, rec) in written {
        match (&committed, result) {
            (Ok(()), Ok(id)) => {
                records.written.insert(intent, id);
                completed += 1;
            }
            // Tried again after another grace period.
            _ => {
                records.waiting.insert(intent, (rec, now));
            }
        }
    }
    if committed.is_ok() {
        shared.intents.recorded(completed);
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

/// Completes the record of `intent`: written whole if it was still
/// waiting (true: its intent now has a record), else updated.
fn complete(
    store: &mut Store,
    records: &mut Records,
    intent: Intent,
    fin: &Finish,
) -> Result<bool, StoreError> {
    if let Some((rec, _)) = records.waiting.remove(&intent) {
        return store
            .insert(&rec, Some(intent), End::Finished(fin))
            .map(|_| true);
    }
    match records.written.remove(&intent) {
        Some(id) => store.finish(id, fin).map(|()| false),
        None => Err(StoreError::NoSuchRecord {
            path: store.path().to_owned(),
            id: super::to_sql_int(intent.0),
        }),
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
fn handle(store: &mut Store, call: Call) {
    match call {
        Call::Upsert(tasks, reply) => {
            let _ = reply.send(store.upsert_tasks(&tasks));
        }
        Call::AddNew(imported, reply) => {
            let added = store.add_new_tasks(&imported.tasks);
            let _ = reply.send(added.map(|_| imported));
        }
        Call::Remove(ids, reply) => {
            let _ = reply.send(store.remove_tasks(&ids));
        }
        Call::Load(reply) => {
            let _ = reply.send(store.load_tasks());
        }
        Call::LoadChunks(chunks) => {
            // Waits while the receiver holds a chunk: a slow reader never
            // has the whole inventory queued in memory next to its rows.
            if let Err(e) = store.load_tasks_in_chunks(LOAD_CHUNK, |c| {
                let _ = chunks.blocking_send(Ok(c));
            }) {
                let _ = chunks.blocking_send(Err(e));
            }
        }
        Call::History(q, reply) => {
            let _ = reply.send(store.history(&q));
        }
        Call::Monitor(q, reply) => {
            let _ = reply.send(store.monitor(&q));
        }
        Call::Setting(name, reply) => {
            let _ = reply.send(store.setting(name));
        }
        Call::SetSetting(name, value, reply) => {
            let _ = reply.send(store.set_setting(name, &value));
        }
    }
}

impl StoreHandle {
    /// The database file, for messages.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Queues one request; the answer is awaited without blocking the
    /// runtime. The request is queued when this is called, not when the
    /// answer is awaited: requests reach the store thread in the order they
    /// were made, whichever task awaits them (a paste's save and the edit's
    /// save after it cannot swap).
    fn call<T>(&self, make: impl FnOnce(Reply<T>) -> Request) -> Pending<T> {
        let (reply, answer) = oneshot::channel();
        let queued = self.tx.send(make(reply)).map(|()| answer);
        Pending {
            queued: queued.map_err(|_| self.gone()),
            gone: self.gone(),
        }
    }

    /// The error for a store thread that is not running.
    fn gone(&self) -> StoreError {
        StoreError::ThreadGone {
            path: self.path.clone(),
        }
    }

    /// Records that a job is about to be sent: appends its intent to the
    /// log (one `write`, durable against a crash of this process) and hands
    /// the record to the store thread, which writes it when the job is
    /// finished or after [`IN_FLIGHT_AFTER`]. Returns the key to finish it
    /// with. An error means nothing was recorded: do not send.
    pub fn begin(&self, rec: NewRecord) -> Result<Intent, StoreError> {
        if !self.shared.running.load(Ordering::Acquire) {
            return Err(self.gone());
        }
        let intent = self.shared.intents.write(&rec)?;
        let wake = {
            let mut begun = self
                .shared
                .begun
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            begun.queue.push((intent, rec, Instant::now()));
            begun.queue.len() == 1 && !begun.watching
        };
        if wake && self.tx.send(Request::Wake).is_err() {
            return Err(self.gone());
        }
        Ok(intent)
    }

    /// Completes the record of `intent` with the job's answer; committed
    /// before this returns.
    pub fn finish(&self, intent: Intent, fin: Finish) -> Pending<()> {
        self.call(|r| Request::Finish((intent, fin, r)))
    }

    /// [`Store::upsert_tasks`] on the store thread.
    pub fn upsert_tasks(&self, tasks: Vec<StoredTask>) -> Pending<()> {
        self.call(|r| Request::Call(Call::Upsert(tasks, r)))
    }

    /// [`Store::add_new_tasks`] on the store thread; the import comes back
    /// (moved, never copied) once its new tasks are committed.
    pub fn add_new_tasks(&self, imported: Imported) -> Pending<Imported> {
        self.call(|r| Request::Call(Call::AddNew(imported, r)))
    }

    /// [`Store::remove_tasks`] on the store thread.
    pub fn remove_tasks(&self, ids: Vec<TaskId>) -> Pending<usize> {
        self.call(|r| Request::Call(Call::Remove(ids, r)))
    }

    /// [`Store::load_tasks`] on the store thread.
    pub fn load_tasks(&self) -> Pending<Vec<StoredTask>> {
        self.call(|r| Request::Call(Call::Load(r)))
    }

    /// [`Store::load_tasks_in_chunks`] on the store thread: chunks arrive on
    /// the returned channel, which closes after the last one. It holds one
    /// chunk: the store thread reads the next while this one is taken.
    pub fn load_tasks_in_chunks(
        &self,
    ) -> tokio::sync::mpsc::Receiver<Result<TaskChunk, StoreError>> {
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        if let Err(mpsc::SendError(Request::Call(Call::LoadChunks(tx)))) =
            self.tx.send(Request::Call(Call::LoadChunks(tx)))
        {
            let _ = tx.try_send(Err(StoreError::ThreadGone {
                path: self.path.clone(),
            }));
        }
        rx
    }

    /// [`Store::interrupted_at_open`] of the store this thread runs.
    pub fn interrupted_at_open(&self) -> usize {
        self.interrupted_at_open
    }

    /// What other writers (another instance, the CLI) commit from now on,
    /// as the store thread finds it, about once a second (see
    /// [`super::watch`]). Ask before reading the inventory: what is
    /// committed meanwhile then comes here too. Ends after an error.
    pub fn watch(
        &self,
    ) -> tokio::sync::mpsc::UnboundedReceiver<Result<super::Changes, StoreError>> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        if let Err(mpsc::SendError(Request::Watch(tx))) = self.tx.send(Request::Watch(tx)) {
            let _ = tx.send(Err(self.gone()));
        }
        rx
    }

    /// [`Store::history`] on the store thread.
    pub fn history(&self, q: HistoryQuery) -> Pending<Vec<HistoryRecord>> {
        self.call(|r| Request::Call(Call::History(q, r)))
    }

    /// [`Store::monitor`] on the store thread.
    pub fn monitor(&self, q: MonitorQuery) -> Pending<MonitorData> {
        self.call(|r| Request::Call(Call::Monitor(q, r)))
    }

    /// [`Store::setting`] on the store thread.
    pub fn setting(&self, name: &'static str) -> Pending<Option<String>> {
        self.call(|r| Request::Call(Call::Setting(name, r)))
    }

    /// [`Store::set_setting`] on the store thread.
    pub fn set_setting(&self, name: &'static str, value: String) -> Pending<()> {
        self.call(|r| Request::Call(Call::SetSetting(name, value, r)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::outcome::OutcomeKind;

    /// An answer that comes after the grace period, before the thread got
    /// round to writing the record `in flight`: the record is written
    /// whole, once, and the finish succeeds.
    #[test]
    fn a_late_answer_completes_a_record_that_was_due() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let shared = Shared {
            intents: IntentLog::new(store.path(), store.lease.writer()),
            begun: Mutex::default(),
            running: AtomicBool::new(true),
        };
        let rec = NewRecord {
            task_id: TaskId::parse("late").unwrap(),
            time: 1,
            params: String::new(),
        };
        let intent = shared.intents.write(&rec).unwrap();
        let long_ago = Instant::now() - 2 * IN_FLIGHT_AFTER;
        let mut records = Records::default();
        records.waiting.insert(intent, (rec, long_ago));
        let fin = Finish {
            status: Some(200),
            outcome: OutcomeKind::Accepted,
            error: None,
            description: None,
            new_task_id: None,
            body: None,
            attempts: 1,
            elapsed_ms: 1,
            queued_ms: 0,
            finished_at: 2,
        };
        let (reply, mut answer) = oneshot::channel();
        let mut checkpointer = Checkpointer::start(store.path());
        commit_group(
            &mut store,
            &mut records,
            vec![(intent, fin, reply)],
            &shared,
            &mut checkpointer,
        );
        assert!(matches!(answer.try_recv(), Ok(Ok(()))));
        assert!(records.waiting.is_empty() && records.written.is_empty());
        let all = store.history(&HistoryQuery::default()).unwrap();
        let seen: Vec<_> = all.iter().map(|r| r.outcome).collect();
        assert_eq!(seen, [OutcomeKind::Accepted]);
    }
}
