//! The dashboard's connection to the world: the account it was started
//! with (or the first-run screen), the worker, demo mode, the store. What
//! `update` asks of them is carried out in [`effects`]; the inventory read
//! at start is [`super::inventory`].

mod effects;

use std::cell::Cell;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::Options;
use super::app::{Account, App, FirstRun, Mode};
use super::inventory;
use super::keymap::KeyMap;
use super::message::Message;
use crate::api::Client;
use crate::config::{self, Config, Overrides, default_config_path};
use crate::demo::Demo;
use crate::edge::UsageError;
use crate::startup::{self, Connection};
use crate::store::{StoreHandle, TaskChunk};
use crate::worker::{self, WorkerEvent, WorkerHandle};

/// Results of background work, delivered to the loop.
pub enum Internal {
    /// Ready to be handled as a message.
    Message(Message),
    /// Demo mode finished starting (boxed: much larger than the others).
    Demo(Result<Box<Connection>, String>),
    /// A chunk of the stored inventory; the sender is dropped when it is
    /// handed to `update` (see [`inventory::stream`]).
    Chunk(Result<TaskChunk, String>, oneshot::Sender<()>),
}

/// The worker, the store, and what keeps them connected.
pub struct Session {
    worker: Option<WorkerHandle>,
    events: Option<mpsc::UnboundedReceiver<WorkerEvent>>,
    demo: Option<Demo>,
    store: Option<StoreHandle>,
    /// The flags the dashboard was started with (`--data-dir`, `--config`).
    overrides: Overrides,
    remember_unzip_passwords: bool,
    /// The running worker's `[worker] concurrency`.
    concurrency: usize,
    internal: mpsc::UnboundedSender<Internal>,
}

impl Session {
    /// Connects with the configured account, or demo mode, or puts the
    /// first-run screen up when there is no usable configuration. The
    /// inventory is read in the background (the screen shows "loading").
    /// A data directory whose database is not ours is an error here, before
    /// the terminal is taken over. `None`: the person left at the password
    /// prompt.
    pub async fn start(
        options: &Options,
        app: &mut App,
        internal: mpsc::UnboundedSender<Internal>,
    ) -> Result<Option<Session>, UsageError> {
        let mut session = Session {
            worker: None,
            events: None,
            demo: None,
            store: None,
            overrides: options.overrides.clone(),
            remember_unzip_passwords: false,
            concurrency: 0,
            internal,
        };
        if options.demo {
            session.open_store(true)?;
            let connection = Connection::demo(&options.overrides)
                .await
                .map_err(UsageError)?;
            // Demo mode takes the config file's keys and bell when it reads
            // cleanly, as it takes its worker settings.
            match Config::load_with(&options.overrides, &|_| None).map(|c| Face::of(&c)) {
                Ok(Ok(face)) => face.apply(app),
                Ok(Err(e)) => app.notify(e.0, true),
                Err(_) => {}
            }
            let account = session.connect_demo(connection).map_err(UsageError)?;
            app.loading = true;
            session.load(options.tasks_file.clone(), Some(account));
            return Ok(Some(session));
        }
        match configured(&options.overrides) {
            Ok((connection, account, face)) => {
                face.apply(app);
                session.open_store(false)?;
                match session.connect(connection) {
                    Ok(()) => {
                        app.account = account;
                        app.control.connected(session.concurrency);
                        app.loading = true;
                        session.load(options.tasks_file.clone(), None);
                    }
                    Err(problem) => app.mode = first_run(&options.overrides, Some(problem)),
                }
            }
            Err(Unconfigured::Left) => return Ok(None),
            Err(Unconfigured::Problem(problem)) => {
                app.mode = first_run(&options.overrides, Some(problem))
            }
            Err(Unconfigured::NoAccount(face)) => {
                face.apply(app);
                app.mode = first_run(&options.overrides, None)
            }
        }
        Ok(Some(session))
    }

    /// Opens the store in the data dir (its `demo` folder for demo mode).
    /// Says so when opening it recorded rescans `interrupted`.
    fn open_store(&mut self, demo: bool) -> Result<(), UsageError> {
        let dir = config::data_dir(self.overrides.data_dir.as_deref(), demo);
        let store = startup::open_store(dir)?;
        let interrupted = store.interrupted_at_open();
        if interrupted > 0 {
            let _ = self
                .internal
                .send(Internal::Message(Message::InterruptedAtStart(interrupted)));
        }
        self.store = Some(store);
        Ok(())
    }

    /// Starts the inventory stream; `demo_account`: then switch to demo
    /// mode with the demo's tasks. From then on, what other writers commit
    /// to the store.
    fn load(&self, tasks_file: Option<PathBuf>, demo_account: Option<Account>) {
        let Some(store) = self.store.clone() else {
            return;
        };
        let demo_ready = demo_account.map(|account| Message::DemoReady {
            account,
            concurrency: self.concurrency,
            tasks: self
                .demo
                .as_ref()
                .map(inventory::demo_tasks)
                .unwrap_or_default(),
        });
        inventory::stream(store, self.internal.clone(), tasks_file, demo_ready);
    }

    /// Starts the worker on `connection`, which the session then keeps.
    fn connect(&mut self, connection: Connection) -> Result<(), String> {
        let client = Client::new(&connection.settings).map_err(|e| e.to_string())?;
        self.concurrency = connection.worker.concurrency;
        let (handle, events) =
            worker::spawn(Arc::new(client), connection.worker, self.store.clone());
        self.worker = Some(handle);
        self.events = Some(events);
        self.remember_unzip_passwords = connection.remember_unzip_passwords;
        self.demo = connection.demo;
        Ok(())
    }

    fn connect_demo(&mut self, connection: Connection) -> Result<Account, String> {
        let settings = &connection.settings;
        let account = Account {
            user: settings.username.clone(),
            cert_subject: settings.identity.as_ref().map(|i| i.subject.clone()),
            curl: Box::new(
                connection
                    .demo
                    .as_ref()
                    .map(crate::demo::Demo::curl_setup)
                    .unwrap_or_default(),
            ),
            base_label: "demo".into(),
            base_url: Some(settings.base_url.clone()),
            warning: None,
        };
        self.connect(connection)?;
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
            Internal::Demo(Ok(demo)) => match self.connect_demo(*demo) {
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
}

/// Why the dashboard has no account to connect with.
enum Unconfigured {
    /// The first-run screen, with what is wrong with the configuration.
    Problem(String),
    /// The person left at the password prompt: quit.
    Left,
    /// No account configured (or no config at all): the first-run screen,
    /// with the config's keys and bell.
    NoAccount(Face),
}

/// What the config says about the dashboard itself: `[keys]`, `[ui] bell`.
struct Face {
    keys: KeyMap,
    bell: bool,
}

impl Face {
    fn of(config: &Config) -> Result<Face, config::ConfigError> {
        Ok(Face {
            keys: KeyMap::with(&config.keys)?,
            bell: config.bell,
        })
    }

    fn apply(self, app: &mut App) {
        app.keys = self.keys;
        app.control.bell = self.bell;
    }
}

/// The configured account (asking for a password nothing configures) and
/// keys, or why there is none.
fn configured(overrides: &Overrides) -> Result<(Connection, Account, Face), Unconfigured> {
    let config = Config::load(overrides).map_err(|e| Unconfigured::Problem(e.0))?;
    let face = Face::of(&config).map_err(|e| Unconfigured::Problem(e.0))?;
    if !config.has_account() {
        return Err(Unconfigured::NoAccount(face));
    }
    let left = Cell::new(false);
    let connection = Connection::account(&config, &mut |user| {
        super::password::ask_masked(user, &left)
    })
    .map_err(|e| match left.get() {
        true => Unconfigured::Left,
        false => Unconfigured::Problem(e.0),
    })?;
    let settings = &connection.settings;
    let warning = settings
        .identity
        .as_ref()
        .zip(connection.expires_soon())
        .map(|(id, left)| {
            format!(
                "client certificate expires in {left} ({}): renew it",
                id.not_after_text
            )
        });
    let account = Account {
        user: settings.username.clone(),
        cert_subject: settings.identity.as_ref().map(|i| i.subject.clone()),
        curl: Box::new(crate::api::curl::CurlSetup {
            cert: config.client_cert.as_ref().map(|c| c.value.clone()),
            key: config.client_key.as_ref().map(|c| c.value.clone()),
            ca_cert: config.ca_cert.as_ref().map(|c| c.value.clone()),
            proxy: settings.proxy.clone(),
        }),
        base_label: settings.base_url.to_string(),
        base_url: Some(settings.base_url.clone()),
        warning,
    };
    Ok((connection, account, face))
}

fn first_run(overrides: &Overrides, problem: Option<String>) -> Mode {
    Mode::FirstRun(FirstRun {
        config_path: overrides.config.clone().or_else(default_config_path),
        problem,
    })
}
