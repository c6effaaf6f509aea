//! Carrying out what `update` asks for. Every [`Command`] is matched here,
//! once, with no catch-all arm: a new command does not compile until it is
//! carried out. Answers come back to the loop as messages.

use std::future::Future;

use super::{Internal, Session};
use crate::startup::Connection;
use crate::store::{HistoryQuery, StoreHandle};
use crate::tui::inventory;
use crate::tui::message::{Command, Message};
use crate::tui::terminal::TerminalGuard;

/// Most history records kept for one task's details.
const HISTORY_SHOWN: usize = 200;

impl Session {
    /// Carries out one command; the clipboard needs the terminal.
    pub fn execute(&mut self, command: Command, terminal: &mut TerminalGuard) {
        match command {
            Command::Submit(jobs) => {
                if let Some(worker) = &self.worker {
                    jobs.into_iter().for_each(|job| {
                        worker.submit(job);
                    });
                }
            }
            Command::Cancel(jobs) => {
                if let Some(worker) = &self.worker {
                    worker.cancel_many(jobs);
                }
            }
            Command::Worker(control) => {
                if let Some(worker) = &self.worker {
                    worker.control(control);
                }
            }
            Command::Bell => terminal.write_raw(b"\x07"),
            Command::Copy(text) => terminal.write_raw(osc52(&text).as_bytes()),
            Command::Import(path) => {
                let tx = self.internal.clone();
                let store = self.store.clone();
                tokio::spawn(async move {
                    let shown = path.display().to_string();
                    let imported = inventory::import_file(store, path, shown).await;
                    let _ = tx.send(Internal::Message(imported));
                });
            }
            Command::StartDemo => self.start_demo(),
            Command::SaveTasks(tasks) => {
                let remember = self.remember_unzip_passwords;
                self.ask_store(|store| {
                    let stored = tasks.into_iter().map(|t| t.into_stored(remember)).collect();
                    let saved = store.upsert_tasks(stored);
                    async move {
                        saved
                            .await
                            .err()
                            .map(|e| Message::StoreFailed(e.to_string()))
                    }
                });
            }
            Command::RemoveTasks(ids) => self.ask_store(|store| {
                let removed = store.remove_tasks(ids);
                async move {
                    removed
                        .await
                        .err()
                        .map(|e| Message::StoreFailed(e.to_string()))
                }
            }),
            Command::LoadHistory(task) => self.ask_store(|store| {
                let q = HistoryQuery {
                    task: Some(task.to_string()),
                    limit: Some(HISTORY_SHOWN),
                    ..Default::default()
                };
                let read = store.history(q);
                async move {
                    let result = read.await.map_err(|e| e.to_string());
                    Some(Message::History { task, result })
                }
            }),
            Command::LoadMonitor(q) => self.ask_store(|store| {
                let read = store.monitor(q);
                async move { Some(Message::Monitor(read.await.map_err(|e| e.to_string()))) }
            }),
            Command::Export { path, query } => self.ask_store(|store| {
                let read = store.history(query);
                async move {
                    let result = match read.await {
                        Ok(records) => crate::export::to_new_file(&records, &path).map(|()| {
                            format!(
                                "exported {} history records to {}",
                                records.len(),
                                path.display()
                            )
                        }),
                        Err(e) => Err(e.to_string()),
                    };
                    Some(Message::Exported(result))
                }
            }),
            Command::ExportTasks { path, tasks } => {
                let tx = self.internal.clone();
                tokio::task::spawn_blocking(move || {
                    let result = crate::export::tasks_to_new_file(&tasks, &path)
                        .map(|()| format!("exported {} tasks to {}", tasks.len(), path.display()));
                    let _ = tx.send(Internal::Message(Message::Exported(result)));
                });
            }
            Command::SaveView(text) => self.ask_store(|store| {
                let saved = store.set_setting(crate::tui::saved_view::SETTING, text);
                async move {
                    saved
                        .await
                        .err()
                        .map(|e| Message::StoreFailed(e.to_string()))
                }
            }),
        }
    }

    /// Opens the demo store, then starts the simulator in the background;
    /// the loop switches to it on `Internal::Demo`.
    fn start_demo(&mut self) {
        if let Err(e) = self.open_store(true) {
            let _ = self
                .internal
                .send(Internal::Message(Message::DemoFailed(e.0)));
            return;
        }
        let tx = self.internal.clone();
        let overrides = self.overrides.clone();
        tokio::spawn(async move {
            let connection = Connection::demo(&overrides).await.map(Box::new);
            let _ = tx.send(Internal::Demo(connection));
        });
    }

    /// Runs `ask` against the store and hands its answer, if any, to the
    /// loop. `ask` makes its store request when called (the store takes
    /// requests in the order they are made), its answer is awaited in a
    /// task of its own. Without a store there is nobody to ask.
    fn ask_store<F, A>(&self, ask: F)
    where
        F: FnOnce(StoreHandle) -> A,
        A: Future<Output = Option<Message>> + Send + 'static,
    {
        let Some(store) = self.store.clone() else {
            return;
        };
        let tx = self.internal.clone();
        let answer = ask(store);
        tokio::spawn(async move {
            if let Some(message) = answer.await {
                let _ = tx.send(Internal::Message(message));
            }
        });
    }
}

/// The OSC 52 sequence that asks the terminal to put `text` on the clipboard.
fn osc52(text: &str) -> String {
    use base64::Engine;
    format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text)
    )
}

#[cfg(test)]
mod tests {
    use base64::Engine;

    #[test]
    fn osc52_carries_the_lines_in_base64() {
        let sequence = super::osc52("a-1\nc-3\ne-5");
        let encoded = sequence
            .strip_prefix("\x1b]52;c;")
            .and_then(|s| s.strip_suffix('\x07'))
            .unwrap();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap();
        assert_eq!(decoded, b"a-1\nc-3\ne-5");
    }
}
