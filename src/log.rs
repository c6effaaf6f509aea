//! The optional log file, for diagnosing a run after the fact. Off unless
//! `TAE_RESCAN_LOG` names a level or filter (`info`, `debug`,
//! `tae_rescan=trace`); then it goes to `tae-rescan.log` in the data dir
//! (never to the terminal the dashboard draws on). Nothing secret is ever
//! logged: URLs are logged masked, and the Authorization header is built
//! once, marked sensitive, and never formatted.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

use crate::text::io_reason;

/// The variable that turns logging on and sets its filter.
pub const LOG_ENV: &str = "TAE_RESCAN_LOG";
/// The log file's name inside the data dir.
pub const LOG_FILE: &str = "tae-rescan.log";

/// Starts logging to `<data_dir>/tae-rescan.log` when `TAE_RESCAN_LOG` is
/// set; returns the file's path. Problems are reported, never fatal: a log
/// is a diagnostic aid.
pub fn init(data_dir: Option<&Path>) -> Result<Option<PathBuf>, String> {
    let Some(filter) = std::env::var(LOG_ENV).ok().filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let filter = EnvFilter::try_new(&filter)
        .map_err(|e| format!("{LOG_ENV}: '{filter}' is not a log filter ({e})"))?;
    let dir = data_dir.ok_or_else(|| {
        format!("{LOG_ENV} is set but there is no data dir for the log: pass --data-dir")
    })?;
    crate::store::create_private_dir(dir).map_err(|e| {
        format!(
            "{LOG_ENV}: cannot create {}: {}",
            dir.display(),
            io_reason(&e)
        )
    })?;
    let path = dir.join(LOG_FILE);
    let file = crate::store::private_file_options()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| {
            format!(
                "{LOG_ENV}: cannot open {}: {}",
                path.display(),
                io_reason(&e)
            )
        })?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init()
        .map_err(|e| format!("{LOG_ENV}: {e}"))?;
    Ok(Some(path))
}
