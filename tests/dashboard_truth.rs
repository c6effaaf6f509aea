//! The dashboard's task list fed by the real worker (against the simulator
//! over mutual TLS, with a real store): what it counts is what is true on
//! the wire, and what it shows after a cancel is what a restart shows.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Fixture, scripted};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use tae_rescan::api::{Client, RescanParams, TaskId};
use tae_rescan::sim::{Behaviour, Behaviours};
use tae_rescan::store::{Store, StoreHandle, StoredParams, StoredTask, spawn_store_thread};
use tae_rescan::tui::app::{Account, App, Theme};
use tae_rescan::tui::message::Message;
use tae_rescan::tui::update::update;
use tae_rescan::worker::{self, WorkerConfig, WorkerEvent};

fn app() -> App {
    App::new(
        Account::default(),
        (120, 30),
        Theme { color: false },
        TimeZone::UTC,
    )
}

fn ids(names: &[String]) -> Vec<TaskId> {
    names.iter().map(|n| TaskId::parse(n).unwrap()).collect()
}

/// The inventory, as the dashboard saves it: a record only becomes a task's
/// last outcome in the store for a task listed there.
async fn save(store: &StoreHandle, ids: &[TaskId]) {
    let tasks = ids
        .iter()
        .map(|id| StoredTask {
            id: id.clone(),
            label: String::new(),
            url: None,
            params: StoredParams::from_params(&RescanParams::default(), false),
            last: None,
        })
        .collect();
    store.upsert_tasks(tasks).await.unwrap();
}

/// A fresh dashboard's list, read from the store as at start.
async fn reopened(store: &StoreHandle) -> App {
    let mut app = app();
    let mut chunks = store.load_tasks_in_chunks();
    while let Some(chunk) = chunks.recv().await {
        update(&mut app, Message::Loaded(Ok(chunk.unwrap())));
    }
    update(&mut app, Message::LoadFinished);
    app
}

fn outcomes(app: &App) -> Vec<(String, usize)> {
    let mut all: Vec<(String, usize)> = app
        .tasks
        .outcomes()
        .map(|(k, n)| (k.label().to_owned(), n))
        .collect();
    all.sort();
    all
}

/// Runs `ids` through the worker into `app` until every job has finished;
/// `each` sees the app after every event (and may return cancels).
async fn run(
    app: &mut App,
    handle: &worker::WorkerHandle,
    events: &mut tokio::sync::mpsc::UnboundedReceiver<WorkerEvent>,
    ids: &[TaskId],
    mut each: impl FnMut(&App, &WorkerEvent),
) {
    for job in app.tasks.submit(ids) {
        handle.submit(job);
    }
    while app.tasks.counts().in_flight() > 0 {
        let event = tokio::time::timeout(Duration::from_secs(30), events.recv())
            .await
            .expect("an event within 30 s")
            .expect("the worker is running");
        let seen = event.clone();
        update(
            app,
            Message::Worker {
                event,
                at: Timestamp::now(),
            },
        );
        each(app, &seen);
    }
}

/// Another job's request starts as soon as a slot is free, which is before
/// the previous job's verdict has been recorded and reported: the list
/// still counts at most `concurrency` rows as sending.
#[tokio::test(flavor = "multi_thread")]
async fn the_list_never_counts_more_sending_than_the_concurrency() {
    let f = Fixture::start(Behaviours::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let store = spawn_store_thread(Store::open(dir.path()).unwrap());
    let config = WorkerConfig {
        concurrency: 2,
        ..Default::default()
    };
    let client = Arc::new(Client::new(&f.settings()).unwrap());
    let (handle, mut events) = worker::spawn(client, config, Some(store.clone()));
    let names: Vec<String> = (0..300).map(|n| format!("cap-{n}")).collect();
    let mut app = app();
    app.tasks.add(
        ids(&names)
            .into_iter()
            .map(|id| tae_rescan::import::ImportedTask {
                id,
                label: None,
                url: None,
            })
            .collect(),
    );
    let mut most = 0;
    run(&mut app, &handle, &mut events, &ids(&names), |app, _| {
        most = most.max(app.tasks.counts().sending);
    })
    .await;
    assert!(most <= 2, "{most} rows counted sending with concurrency 2");
    assert_eq!(app.tasks.counts().accepted, 300);
}

/// A bulk run cancelled while one request is on the wire and the rest are
/// queued: the queued tasks keep their `accepted`, the one on the wire is
/// `cancelled`, and a dashboard reopened on the same store counts the same.
#[tokio::test(flavor = "multi_thread")]
async fn a_cancelled_bulk_run_counts_the_same_in_the_session_and_after_a_restart() {
    let f = Fixture::start(scripted(&[(
        "hold-1",
        Behaviour::Slow {
            delay: Duration::from_secs(30),
        },
    )]))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let store = spawn_store_thread(Store::open(dir.path()).unwrap());
    let config = WorkerConfig {
        concurrency: 1,
        ..Default::default()
    };
    let client = Arc::new(Client::new(&f.settings()).unwrap());
    let (handle, mut events) = worker::spawn(client, config, Some(store.clone()));
    let names: Vec<String> = std::iter::once("hold-1".to_owned())
        .chain((0..20).map(|n| format!("before-{n}")))
        .collect();
    let all = ids(&names);
    save(&store, &all).await;
    let mut app = reopened(&store).await;
    // First every task but the slow one is accepted.
    run(&mut app, &handle, &mut events, &all[1..], |_, _| {}).await;
    assert_eq!(app.tasks.counts().accepted, 20);

    // Then all of them, the slow one first: it holds the only slot.
    let mut cancelled = false;
    let canceller = handle.clone();
    let every = app.tasks.len();
    run(&mut app, &handle, &mut events, &all, |app, event| {
        if !cancelled && matches!(event, WorkerEvent::Sending { .. }) {
            cancelled = true;
            assert_eq!(app.tasks.counts().queued, every - 1);
            canceller.cancel_many(app.tasks.all_jobs());
        }
    })
    .await;
    let session = app.tasks.counts();
    assert_eq!((session.accepted, session.not_accepted), (20, 1));
    let hold = app.tasks.row(&all[0]).and_then(|r| r.last()).unwrap();
    assert_eq!(hold.outcome.label(), "cancelled", "cancelled on the wire");

    let after = reopened(&store).await;
    assert_eq!(
        after.tasks.counts(),
        session,
        "the same counts after a restart"
    );
    assert_eq!(outcomes(&after), outcomes(&app));
}
