//! The one start-up both faces go through: the log and the async runtime,
//! the store in the data directory, and the connection, demo mode or the
//! configured account (client settings, worker settings, the
//! certificate-expiry check). The faces word what they show; what is
//! decided is decided here, once.

use std::path::PathBuf;

use tokio::runtime::Runtime;

use crate::api::ClientSettings;
use crate::config::{self, AskPassword, Config, ConfigError, Overrides};
use crate::demo::Demo;
use crate::edge::UsageError;
use crate::store::{Store, StoreHandle};
use crate::worker::WorkerConfig;

/// Days before expiry from which we warn about the client certificate.
pub const EXPIRY_WARNING_DAYS: i64 = 14;

/// Starts the log (in `data_dir`, when `TAE_RESCAN_LOG` asks for one) and
/// builds the async runtime. `serves`: the process is the simulator, a
/// server, which keeps one runtime worker per core.
pub fn begin(data_dir: Option<PathBuf>, serves: bool) -> Result<Runtime, UsageError> {
    match crate::log::init(data_dir.as_deref()) {
        Err(e) if e.is_fatal() => return Err(UsageError(e.to_string())),
        Err(e) => eprintln!("tae-rescan: warning: {e}"),
        Ok(_) => {}
    }
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "tae-rescan starts");
    // The client's threads are the caller's (the dashboard's UI or the
    // printer), the store's and one runtime worker for the requests; a
    // second worker only adds wake-ups across threads (bulk rescans ran
    // ~10-20% faster with one, measured with benches/bulk.sh).
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if !serves {
        runtime.worker_threads(1);
    }
    runtime
        .enable_all()
        .build()
        .map_err(|e| UsageError(format!("cannot start the async runtime: {e}")))
}

/// Opens the history database in `dir` on its own thread. A file that is
/// not our database is reported (and left alone): exit code 2.
pub fn open_store(dir: Option<PathBuf>) -> Result<StoreHandle, UsageError> {
    open_store_here(dir).map(crate::store::spawn_store_thread)
}

/// [`open_store`] for a command that uses the database from this thread
/// only (`tasks import`, one long transaction).
pub fn open_store_here(dir: Option<PathBuf>) -> Result<Store, UsageError> {
    let dir = dir.ok_or_else(|| {
        UsageError("no data directory on this platform: pass --data-dir DIR".into())
    })?;
    let store = Store::open(&dir).map_err(|e| UsageError(e.to_string()))?;
    tracing::info!(path = %store.path().display(), "history database opened");
    Ok(store)
}

/// What a face connects with: where to send, and how the worker sends.
pub struct Connection {
    /// Client settings that reach TIP (or the embedded simulator).
    pub settings: ClientSettings,
    /// Concurrency, rate cap and retries.
    pub worker: WorkerConfig,
    /// `[store] remember_unzip_passwords` (never in demo mode).
    pub remember_unzip_passwords: bool,
    /// The embedded simulator in demo mode: keep it as long as the
    /// settings are used.
    pub demo: Option<Demo>,
}

impl Connection {
    /// Demo mode: the embedded simulator. Its worker settings come from
    /// the config file when the file reads cleanly (nothing in it is
    /// resolved and its account is ignored), else the defaults.
    pub async fn demo(overrides: &Overrides) -> Result<Connection, String> {
        let demo = crate::demo::start().await?;
        let worker = Config::load_with(overrides, &|_| None)
            .map(|c| c.worker)
            .unwrap_or_default();
        Ok(Connection {
            settings: demo.settings.clone(),
            worker,
            remember_unzip_passwords: false,
            demo: Some(demo),
        })
    }

    /// The configured account, asking through `ask` for a password nothing
    /// configures (see [`config::client_settings_asking`]).
    pub fn account(config: &Config, ask: AskPassword<'_>) -> Result<Connection, ConfigError> {
        Ok(Connection {
            settings: config::client_settings_asking(config, ask)?,
            worker: config.worker.clone(),
            remember_unzip_passwords: config.remember_unzip_passwords,
            demo: None,
        })
    }

    /// The time the client certificate has left, in words both faces warn
    /// with (`1 day`, `5 days`, `less than a day`), when that is fewer than
    /// [`EXPIRY_WARNING_DAYS`] days.
    pub fn expires_soon(&self) -> Option<String> {
        let days = self
            .settings
            .identity
            .as_ref()?
            .days_left(config::unix_now());
        (days < EXPIRY_WARNING_DAYS).then(|| match days {
            ..=0 => "less than a day".to_owned(),
            n => crate::text::counted(n, "day", "days"),
        })
    }
}
