//! `tae-rescan config`: where the configuration and the data live, a
//! starting config file, and the settings in effect, so that nobody has to
//! read the README to set the program up.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::output::print_all;
use super::{Cli, ConfigAction, UsageError};
use crate::config::{self, Config, default_config_path};
use crate::text::{io_reason, sanitize};

/// The documented example configuration, as `config init` writes it.
pub const EXAMPLE_CONFIG: &str = include_str!("../../config.example.toml");

/// Runs one `config` action.
pub fn run(cli: &Cli, action: &ConfigAction) -> Result<ExitCode, UsageError> {
    match action {
        ConfigAction::Path => print_all(paths(cli).into_iter()),
        ConfigAction::Init => init(&config_file(cli)?),
        ConfigAction::Check => check(cli),
    }
}

/// The config file this command line reads: `--config` (or
/// `$TAE_RESCAN_CONFIG`), else the platform's.
fn config_file(cli: &Cli) -> Result<PathBuf, UsageError> {
    cli.config
        .clone()
        .or_else(default_config_path)
        .ok_or_else(|| UsageError("no config dir on this platform: pass --config PATH".into()))
}

/// `config path`: the config file and the data, state and log locations.
fn paths(cli: &Cli) -> Vec<String> {
    let shown = |p: Option<PathBuf>| {
        p.map_or("(none on this platform)".to_owned(), |p| {
            sanitize(&p.display().to_string())
        })
    };
    let file = config_file(cli).ok();
    let note = match &file {
        Some(f) if f.exists() => "",
        Some(_) => "  (not there yet; `tae-rescan config init` writes one)",
        None => "",
    };
    let data_dir = super::data_dir(cli);
    let log_dir = crate::log::dir(data_dir.as_deref());
    vec![
        format!("config file  {}{note}", shown(file)),
        format!("data dir     {}", shown(data_dir.clone())),
        format!("state dir    {}", shown(config::default_state_dir())),
        format!(
            "log file     {}  (written when {} is set)",
            shown(log_dir.map(|d| d.join(crate::log::LOG_FILE))),
            crate::log::LOG_ENV
        ),
    ]
}

/// `config init`: the example config at `path`, in a folder only the user
/// can read (0700, when it is created), the file 0600; an existing file is
/// never overwritten.
fn init(path: &Path) -> Result<ExitCode, UsageError> {
    let shown = sanitize(&path.display().to_string());
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::store::create_private_dir(dir).map_err(|e| {
            UsageError(format!(
                "cannot create {}: {}",
                sanitize(&dir.display().to_string()),
                io_reason(&e)
            ))
        })?;
    }
    let mut file = crate::fs::no_follow(&mut crate::store::private_file_options())
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            UsageError(if e.kind() == std::io::ErrorKind::AlreadyExists {
                format!("{shown} already exists; nothing was overwritten (`tae-rescan config check` shows what it sets)")
            } else {
                format!("cannot create {shown}: {}", io_reason(&e))
            })
        })?;
    file.write_all(EXAMPLE_CONFIG.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| UsageError(format!("cannot write {shown}: {}", io_reason(&e))))?;
    eprintln!("wrote {shown}: fill in your account, then run `tae-rescan config check`");
    Ok(ExitCode::SUCCESS)
}

/// `config check`: loads the configuration as every command does (any
/// error: one line, exit 2) and prints each setting in effect with where
/// it came from. Nothing is resolved: no password command runs.
fn check(cli: &Cli) -> Result<ExitCode, UsageError> {
    let flags = cli.overrides();
    let config = Config::load(&flags)?;
    let text = config.file.as_deref().and_then(|f| {
        crate::fs::read_regular(f, crate::fs::SMALL_FILE_CAP)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
    });
    let mut lines = vec![match &config.file {
        Some(f) => format!("config file {}", sanitize(&f.display().to_string())),
        None => "config file: none (built-in defaults)".to_owned(),
    }];
    let data_dir = super::data_dir(cli);
    let settings = config::report::settings(&config, text.as_deref(), &flags, data_dir.as_deref());
    lines.extend(
        settings
            .iter()
            .map(|s| format!("{} = {}  ({})", s.key, s.value, s.whence)),
    );
    print_all(lines.into_iter())
}
