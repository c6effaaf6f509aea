//! The dashboard's connection to the world: the account it was started
//! with (or the first-run screen), the worker, demo mode, file imports.

use std::path::Path;
use std::sync::Arc;

use tokio::sync::mpsc;

use super::Startup;
use super::app::{Account, App, FirstRun, Mode};
use super::message::{Command, Message};
use crate::api::{Client, ClientSettings};
use crate::cli::EXPIRY_WARNING_DAYS;
use crate::config::{self, Config, default_config_path};
use crate::demo::Demo;
use crate::import::{ImportedTask, parse_any, read_text};
use crate::worker::{self, WorkerConfig, WorkerEvent, WorkerHandle};

/// Results of background work, delivered to the loop.
pub enum Internal {
    /// Ready to be handled as a message.
    Message(Message),
    /// Demo mode finished starting.
    Demo(Result<Demo, String>),
}

/// The worker and what keeps it connected.
pub struct Session {
    worker: Option<WorkerHandle>,
    events: Option<mpsc::UnboundedReceiver<WorkerEvent>>,
    demo: Option<Demo>,
    internal: mpsc::UnboundedSender<Internal>,
    worker_config: WorkerConfig,
}

impl Session {
    /// Connects with the configured account, or demo mode, or puts the
    /// first-run screen up when there is no usable configuration.
    pub async fn start(
        startup: &Startup,
        app: &mut App,
        internal: mpsc::UnboundedSender<Internal>,
    ) -> Session {
        let mut session = Session {
            worker: None,
            events: None,
            demo: None,
            internal,
            worker_config: WorkerConfig::default(),
        };
        if startup.demo {
            match crate::demo::start().await {
                Ok(demo) => {
                    let tasks = demo_tasks(&demo);
                    match session.connect_demo(demo) {
                        Ok(account) => {
                            app.account = account;
                            app.add_tasks(tasks);
                        }
                        Err(e) => app.notify(e, true),
                    }
                }
                Err(e) => app.notify(e, true),
            }
            return session;
        }
        match configured(&startup.overrides) {
            Ok((settings, account, worker_config)) => {
                session.worker_config = worker_config;
                match session.connect(&settings) {
                    Ok(()) => app.account = account,
                    Err(problem) => app.mode = first_run(&startup.overrides, Some(problem)),
                }
            }
            Err(problem) => app.mode = first_run(&startup.overrides, problem),
        }
        session
    }

    fn connect(&mut self, settings: &ClientSettings) -> Result<(), String> {
        let client = Client::new(settings).map_err(|e| e.to_string())?;
        let (handle, events) = worker::spawn(Arc::new(client), self.worker_config.clone());
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

    /// `--tasks FILE`, read before the first frame.
    pub fn import_now(&mut self, app: &mut App, path: &Path) {
        match read_text(path) {
            Ok((name, text)) => super::actions::add_imported(app, parse_any(&text, &name), &name),
            Err(e) => app.notify(format!("--tasks: {e}"), true),
        }
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
            Internal::Demo(Ok(demo)) => {
                let tasks = demo_tasks(&demo);
                Some(match self.connect_demo(demo) {
                    Ok(account) => Message::DemoReady { account, tasks },
                    Err(e) => Message::DemoFailed(e),
                })
            }
            Internal::Demo(Err(e)) => Some(Message::DemoFailed(e)),
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
                    jobs.into_iter().for_each(|job| worker.cancel(job));
                }
            }
            Command::Import(path) => {
                let tx = self.internal.clone();
                tokio::task::spawn_blocking(move || {
                    let shown = path.display().to_string();
                    let result = read_text(&path).map(|(name, text)| parse_any(&text, &name));
                    let _ = tx.send(Internal::Message(Message::Imported {
                        source: shown,
                        result,
                    }));
                });
            }
            Command::StartDemo => {
                let tx = self.internal.clone();
                tokio::spawn(async move {
                    let _ = tx.send(Internal::Demo(crate::demo::start().await));
                });
            }
            Command::Copy(_) => {}
        }
    }
}

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

/// The configured account, or why there is none (`None` = simply no config).
fn configured(
    overrides: &config::Overrides,
) -> Result<(ClientSettings, Account, WorkerConfig), Option<String>> {
    let config = Config::load(overrides).map_err(|e| Some(e.0))?;
    if !config.has_account() {
        return Err(None);
    }
    let settings = config::client_settings(&config).map_err(|e| Some(e.0))?;
    let warning = settings.identity.as_ref().and_then(|id| {
        let days = id.days_left(config::unix_now());
        (days < EXPIRY_WARNING_DAYS).then(|| {
            format!(
                "client certificate expires {} ({days} days)",
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
    Ok((settings, account, config.worker.clone()))
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
