//! The inventory stream at start: the tasks the store keeps, then the
//! `--tasks` file, then (demo mode) the demo tasks, delivered to the loop
//! in that order. The store's chunks are paced so that the inventory is
//! never queued whole between the store thread and `update`.

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
/// each as a message on `to`.
pub fn stream(
    store: StoreHandle,
    to: mpsc::UnboundedSender<Internal>,
    tasks_file: Option<PathBuf>,
    demo_ready: Option<Message>,
) {
    tokio::spawn(async move {
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
            let result = super::actions::read_import(&path);
            let _ = to.send(Internal::Message(Message::Imported {
                source: shown,
                result,
            }));
        }
        if let Some(ready) = demo_ready {
            let _ = to.send(Internal::Message(ready));
        }
    });
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
