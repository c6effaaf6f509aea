//! The dashboard's connection to the world: the account it was started
//! with (or the first-run screen), the worker, demo mode, file imports.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::Startup;
use super::app::{Account, App, FirstRun, Mode};
use super::keymap::KeyMap;
use super::message::{Command, Message};
use crate::api::{Client, ClientSettings};
use crate::cli::EXPIRY_WARNING_DAYS;
use crate::cli::UsageError;
use crate::config::{self, Config, default_config_path};
use crate::demo::Demo;
use crate::import::ImportedTask;
use crate::store::{HistoryQuery, StoreHandle, StoredParams, StoredTask, TaskChunk};
use crate::worker::{self, WorkerConfig, WorkerEvent, WorkerHandle};

/// Results of background work, delivered to the loop.
pub enum Internal {
    /// Ready to be handled as a message.
    Message(Message),
    /// Demo mode finished starting.
    Demo(Result<Demo, String>),
    /// A chunk of the stored inventory; the sender is dropped when it is
    /// handed to `update` (see [`LOAD_WINDOW`]).
    Chunk(Result<TaskChunk, String>, oneshot::Sender<()>),
}

/// Chunks of the inventory load (1,000 tasks each) that may be on their way
/// to `update` at once.
const LOAD_WINDOW: usize = 3;

/// The worker, the store, and what keeps them connected.
pub struct Session {
    worker: Option<WorkerHandle>,
    events: Option<mpsc::UnboundedReceiver<WorkerEvent>>,
    demo: Option<Demo>,
    store: Option<StoreHandle>,
    /// `--data-dir`, if given.
    data_dir: Option<PathBuf>,
    remember_unzip_passwords: bool,
    internal: mpsc::UnboundedSender<Internal>,
    worker_config: WorkerConfig,
}

impl Session {
    /// Connects with the configured account, or demo mode, or puts the
    /// first-run screen up when there is no usable configuration. The
    /// inventory is read in the background (the screen shows "loading").
    /// A data directory whose database is not ours is an error here, before
    /// the terminal is taken over. `None`: the person left at the password
    /// prompt.
    pub async fn start(
        startup: &Startup,
        app: &mut App,
        internal: mpsc::UnboundedSender<Internal>,
    ) -> Result<Option<Session>, UsageError> {
        let mut session = Session {
            worker: None,
            events: None,
            demo: None,
            store: None,
            data_dir: startup.overrides.data_dir.clone(),
            remember_unzip_passwords: false,
            internal,
            worker_config: WorkerConfig::default(),
        };
        if startup.demo {
            session.open_store(true)?;
            let demo = crate::demo::start().await.map_err(UsageError)?;
            let config = Config::load_with(&startup.overrides, &|_| None).ok();
            session.worker_config = config
                .as_ref()
                .map(|c| c.worker.clone())
                .unwrap_or_default();
            match config.map(|c| KeyMap::with(&c.keys)) {
                Some(Ok(keys)) => app.keys = keys,
                Some(Err(e)) => app.notify(e.0, true),
                None => {}
            }
            let account = session.connect_demo(demo).map_err(UsageError)?;
            app.loading = true;
            session.load(startup.tasks_file.clone(), Some(account));
            return Ok(Some(session));
        }
        match configured(&startup.overrides) {
            Ok((settings, account, config, keys)) => {
                app.keys = keys;
                session.worker_config = config.worker.clone();
                session.remember_unzip_passwords = config.remember_unzip_passwords;
                session.open_store(false)?;
                match session.connect(&settings) {
                    Ok(()) => {
                        app.account = account;
                        app.loading = true;
                        session.load(startup.tasks_file.clone(), None);
                    }
                    Err(problem) => app.mode = first_run(&startup.overrides, Some(problem)),
                }
            }
            Err(Unconfigured::Left) => return Ok(None),
            Err(Unconfigured::Problem(problem)) => {
                app.mode = first_run(&startup.overrides, Some(problem))
            }
            Err(Unconfigured::NoAccount(keys)) => {
                app.keys = keys;
                app.mode = first_run(&startup.overrides, None)
            }
        }
        Ok(Some(session))
    }

    /// Opens the store in the data dir (its `demo` folder for demo mode).
    fn open_store(&mut self, demo: bool) -> Result<(), UsageError> {
        let dir = config::data_dir(self.data_dir.as_deref(), demo);
        self.store = Some(crate::cli::open_store(dir)?);
        Ok(())
    }

    /// Reads the inventory, then the `--tasks` file, then (demo) the demo
    /// tasks, delivering each as a message in that order.
    fn load(&self, tasks_file: Option<PathBuf>, demo_account: Option<Account>) {
        let Some(store) = self.store.clone() else {
            return;
        };
        let tx = self.internal.clone();
        let demo_tasks = self.demo.as_ref().map(demo_tasks).unwrap_or_default();
        tokio::spawn(async move {
            let mut chunks = store.load_tasks_in_chunks();
            // At most LOAD_WINDOW chunks handed over and not yet taken by
            // `update`: enough that the store thread rarely waits for the
            // screen, few enough that the inventory is never queued whole.
            let mut untaken = std::collections::VecDeque::new();
            while let Some(chunk) = chunks.recv().await {
                let (taken, applied) = oneshot::channel::<()>();
                let _ = tx.send(Internal::Chunk(chunk.map_err(|e| e.to_string()), taken));
                untaken.push_back(applied);
                if untaken.len() >= LOAD_WINDOW
                    && let Some(oldest) = untaken.pop_front()
                {
                    let _ = oldest.await;
                }
            }
            let _ = tx.send(Internal::Message(Message::LoadFinished));
            if let Some(path) = tasks_file {
                let shown = format!("--tasks {}", path.display());
                let result = super::actions::read_import(&path);
                let _ = tx.send(Internal::Message(Message::Imported {
                    source: shown,
                    result,
                }));
            }
            if let Some(account) = demo_account {
                let _ = tx.send(Internal::Message(Message::DemoReady {
                    account,
                    tasks: demo_tasks,
                }));
            }
        });
    }

    fn connect(&mut self, settings: &ClientSettings) -> Result<(), String> {
        let client = Client::new(settings).map_err(|e| e.to_string())?;
        let (handle, events) = worker::spawn(
            Arc::new(client),
            self.worker_config.clone(),
            self.store.clone(),
        );
        self.worker = Some(handle);
        self.events = Some(events);
        Ok(())
    }

    fn connect_demo(&mut self, demo: Demo) -> Result<Account, String> {
        self.connect(&demo.settings)?;
        let account = Account {
            user: demo.settings.username.clone(),
            cert_subject: demo.settings.identity.as_ref().map(|i| i.subject.clone()),
            cert_path: None,
            base_label: "demo".into(),
            base_url: Some(demo.settings.base_url.clone()),
            warning: None,
        };
        self.demo = Some(demo);
        Ok(account)
    }

    /// The next worker event; never resolves while there is no worker.
    pub async fn next_worker_event(&mut self) -> WorkerEvent {
        match &mut self.events {
            Some(events) => match events.recv().await {
                Some(event) => event,
                None => std::future::pending().await,
            },
            None => std::future::pending().await,
        }
    }

    /// A worker event that is already waiting, if any.
    pub fn try_worker_event(&mut self) -> Option<WorkerEvent> {
        self.events.as_mut()?.try_recv().ok()
    }

    /// Turns finished background work into a message for `update`.
    pub fn on_internal(&mut self, note: Internal) -> Option<Message> {
        match note {
            Internal::Message(m) => Some(m),
            Internal::Demo(Ok(demo)) => match self.connect_demo(demo) {
                Ok(account) => {
                    self.load(None, Some(account));
                    None
                }
                Err(e) => Some(Message::DemoFailed(e)),
            },
            Internal::Demo(Err(e)) => Some(Message::DemoFailed(e)),
            Internal::Chunk(chunk, _taken) => Some(Message::Loaded(chunk)),
        }
    }

    /// Carries out a command from `update` (all but the clipboard, which
    /// needs the terminal).
    pub fn execute(&mut self, command: Command) {
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
            Command::Import(path) => {
                let tx = self.internal.clone();
                tokio::task::spawn_blocking(move || {
                    let shown = path.display().to_string();
                    let result = super::actions::read_import(&path);
                    let _ = tx.send(Internal::Message(Message::Imported {
                        source: shown,
                        result,
                    }));
                });
            }
            Command::StartDemo => {
                if let Err(e) = self.open_store(true) {
                    let _ = self
                        .internal
                        .send(Internal::Message(Message::DemoFailed(e.0)));
                    return;
                }
                let tx = self.internal.clone();
                tokio::spawn(async move {
                    let _ = tx.send(Internal::Demo(crate::demo::start().await));
                });
            }
            Command::Copy(_) => {}
            other => self.store_command(other),
        }
    }

    /// Commands answered by the store thread, each in its own task.
    fn store_command(&self, command: Command) {
        let Some(store) = self.store.clone() else {
            return;
        };
        let tx = self.internal.clone();
        let send = move |m: Message| {
            let _ = tx.send(Internal::Message(m));
        };
        let remember = self.remember_unzip_passwords;
        tokio::spawn(async move {
            match command {
                Command::SaveTasks(tasks) => {
                    let stored = tasks
                        .into_iter()
                        .map(|t| StoredTask {
                            id: t.id,
                            label: t.label,
                            url: t.url,
                            params: StoredParams::from_params(&t.params, remember),
                            last: None,
                        })
                        .collect();
                    if let Err(e) = store.upsert_tasks(stored).await {
                        send(Message::StoreFailed(e.to_string()));
                    }
                }
                Command::RemoveTasks(ids) => {
                    if let Err(e) = store.remove_tasks(ids).await {
                        send(Message::StoreFailed(e.to_string()));
                    }
                }
                Command::LoadHistory(task) => {
                    let q = HistoryQuery {
                        task: Some(task.to_string()),
                        limit: Some(HISTORY_SHOWN),
                        ..Default::default()
                    };
                    let result = store.history(q).await.map_err(|e| e.to_string());
                    send(Message::History { task, result });
                }
                Command::LoadMonitor(q) => send(Message::Monitor(
                    store.monitor(q).await.map_err(|e| e.to_string()),
                )),
                Command::Export { path, query } => {
                    let result = match store.history(query).await {
                        Ok(records) => crate::export::to_new_file(&records, &path).map(|()| {
                            format!(
                                "exported {} history records to {}",
                                records.len(),
                                path.display()
                            )
                        }),
                        Err(e) => Err(e.to_string()),
                    };
                    send(Message::Exported(result));
                }
                _ => {}
            }
        });
    }
}

/// Most history records kept for one task's details.
const HISTORY_SHOWN: usize = 200;

fn demo_tasks(demo: &Demo) -> Vec<ImportedTask> {
    demo.tasks
        .iter()
        .filter_map(|t| {
            let id = crate::api::TaskId::parse(&t.id).ok()?;
            Some(ImportedTask {
                id,
                label: Some(t.label.clone()),
                url: Some(t.url.clone()),
            })
        })
        .collect()
}

/// Why the dashboard has no account to connect with.
enum Unconfigured {
    /// The first-run screen, with what is wrong with the configuration.
    Problem(String),
    /// The person left at the password prompt: quit.
    Left,
    /// No account configured (or no config at all): the first-run screen,
    /// with the config's keys.
    NoAccount(KeyMap),
}

/// The configured account (asking for a password nothing configures) and
/// keys, or why there is none.
fn configured(
    overrides: &config::Overrides,
) -> Result<(ClientSettings, Account, Config, KeyMap), Unconfigured> {
    let config = Config::load(overrides).map_err(|e| Unconfigured::Problem(e.0))?;
    let keys = KeyMap::with(&config.keys).map_err(|e| Unconfigured::Problem(e.0))?;
    if !config.has_account() {
        return Err(Unconfigured::NoAccount(keys));
    }
    let left = std::cell::Cell::new(false);
    let settings = config::client_settings_asking(&config, &mut |user| {
        super::password::ask_masked(user, &left)
    })
    .map_err(|e| match left.get() {
        true => Unconfigured::Left,
        false => Unconfigured::Problem(e.0),
    })?;
    let warning = settings.identity.as_ref().and_then(|id| {
        let days = id.days_left(config::unix_now());
        (days < EXPIRY_WARNING_DAYS).then(|| {
            format!(
                "client certificate expires in {days} days ({}): renew it",
                id.not_after_text
            )
        })
    });
    let account = Account {
        user: settings.username.clone(),
        cert_subject: settings.identity.as_ref().map(|i| i.subject.clone()),
        cert_path: config.client_cert.as_ref().map(|c| c.value.clone()),
        base_label: settings.base_url.to_string(),
        base_url: Some(settings.base_url.clone()),
        warning,
    };
    Ok((settings, account, config, keys))
}

fn first_run(overrides: &config::Overrides, problem: Option<String>) -> Mode {
    Mode::FirstRun(FirstRun {
        config_path: overrides.config.clone().or_else(default_config_path),
        problem,
    })
}

/// SIGTERM and SIGHUP: leave cleanly, restoring the terminal.
pub struct Signals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    hup: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    /// Resolves when one of the signals arrives (never, if none could be registered).
    pub async fn recv(&mut self) {
        #[cfg(unix)]
        {
            let term = async {
                match &mut self.term {
                    Some(s) => s.recv().await,
                    None => std::future::pending().await,
                }
            };
            let hup = async {
                match &mut self.hup {
                    Some(s) => s.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = term => {},
                _ = hup => {},
            }
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    }
}

/// Registers the termination signals.
pub fn termination_signals() -> Signals {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        Signals {
            term: signal(SignalKind::terminate()).ok(),
            hup: signal(SignalKind::hangup()).ok(),
        }
    }
    #[cfg(not(unix))]
    Signals {}
}
