//! The inventory stream at start: the tasks the store keeps, then the
//! `--tasks` file, then (demo mode) the demo tasks, delivered to the loop
//! in that order; from then on, what other writers (another instance, the
//! CLI) commit to the store. The store's chunks are paced so that the
//! inventory is never queued whole between the store thread and `update`.

use std::collections::VecDeque;
use std::path::PathBuf;

use tokio::sync::{mpsc, oneshot};

use super::message::Message;
use super::session::Internal;
use crate::api::TaskId;
use crate::demo::Demo;
use crate::import::ImportedTask;
use crate::store::StoreHandle;

/// Chunks of the inventory load (1,000 tasks each) that may be on their way
/// to `update` at once.
const LOAD_WINDOW: usize = 3;

/// Reads the inventory from `store` in the background, then the
/// `--tasks` file, then hands over `demo_ready` (`Message::DemoReady`),
/// each as a message on `to`; then what other writers commit.
pub fn stream(
    store: StoreHandle,
    to: mpsc::UnboundedSender<Internal>,
    tasks_file: Option<PathBuf>,
    demo_ready: Option<Message>,
) {
    tokio::spawn(async move {
        // Asked before the inventory is read: nothing committed while it is
        // read is missed (what the load had comes twice; the list keeps it
        // once).
        let mut others = store.watch();
        // The saved filter and sort first: the rows are filtered and
        // sorted as they arrive.
        let view = store.setting(super::saved_view::SETTING).await;
        let view = view.map_err(|e| format!("{e}; the saved filter and sort are not restored"));
        let _ = to.send(Internal::Message(Message::SavedView(view)));
        let mut chunks = store.load_tasks_in_chunks();
        // At most LOAD_WINDOW chunks handed over and not yet taken by
        // `update`: enough that the store thread rarely waits for the
        // screen, few enough that the inventory is never queued whole.
        let mut untaken = VecDeque::new();
        while let Some(chunk) = chunks.recv().await {
            let (taken, applied) = oneshot::channel::<()>();
            let _ = to.send(Internal::Chunk(chunk.map_err(|e| e.to_string()), taken));
            untaken.push_back(applied);
            if untaken.len() >= LOAD_WINDOW
                && let Some(oldest) = untaken.pop_front()
            {
                let _ = oldest.await;
            }
        }
        let _ = to.send(Internal::Message(Message::LoadFinished));
        if let Some(path) = tasks_file {
            let shown = format!("--tasks {}", path.display());
            let imported = import_file(Some(store.clone()), path, shown).await;
            let _ = to.send(Internal::Message(imported));
        }
        if let Some(ready) = demo_ready {
            let _ = to.send(Internal::Message(ready));
        }
        drop(store);
        while let Some(changes) = others.recv().await {
            let changes = changes
                .map_err(|e| format!("{e}; what other processes write shows after a restart"));
            if to
                .send(Internal::Message(Message::OthersWrote(changes)))
                .is_err()
            {
                break;
            }
        }
    });
}

/// Reads an import file and adds its new tasks to the inventory (when
/// there is one) before the list gets them: the tasks are never held a
/// second time to be saved. `shown` names the file to the user.
pub(super) async fn import_file(
    store: Option<StoreHandle>,
    path: PathBuf,
    shown: String,
) -> Message {
    let read = tokio::task::spawn_blocking(move || super::actions::read_import(&path)).await;
    let result = match (read, store) {
        (Err(_), _) => Err(format!(
            "{shown}: reading it stopped unexpectedly; try again"
        )),
        (Ok(Ok(imported)), Some(store)) => store
            .add_new_tasks(imported)
            .await
            .map_err(|e| format!("{shown}: nothing added: {e}")),
        (Ok(read), _) => read,
    };
    Message::Imported {
        source: shown,
        result,
    }
}

/// The demo's tasks as the list adds them.
pub fn demo_tasks(demo: &Demo) -> Vec<ImportedTask> {
    demo.tasks
        .iter()
        .filter_map(|t| {
            let id = TaskId::parse(&t.id).ok()?;
            Some(ImportedTask {
                id,
                label: Some(t.label.clone()),
                url: Some(t.url.clone()),
            })
        })
        .collect()
}
