//! One validated configuration from defaults < config file < environment <
//! flags, with every value remembering where it came from so that an error
//! can say exactly which file and key, variable or flag to fix.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

use crate::api::Proxy;
use crate::api::client::is_loopback;
use crate::worker::WorkerConfig;

/// The service everyone uses unless told otherwise.
pub const DEFAULT_BASE_URL: &str = "https://tip.kaspersky.com";
/// Environment variable naming the config file (below `--config`).
pub const CONFIG_ENV: &str = "TAE_RESCAN_CONFIG";

/// A configuration problem, already phrased for the user in one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl ConfigError {
    /// The message made safe to print as one line: config values and paths
    /// can hold newlines or escape sequences.
    pub fn new(message: String) -> Self {
        Self(crate::text::sanitize(&message))
    }
}

/// Where a value came from; used to point error messages at the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Built-in default.
    Default,
    /// A key in the config file.
    File(PathBuf),
    /// An environment variable.
    Env(&'static str),
    /// A command-line flag.
    Flag(&'static str),
}

/// A value and its [`Origin`].
#[derive(Debug, Clone)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Where it was set.
    pub origin: Origin,
    /// The config key it corresponds to, e.g. `[api] client_cert`.
    pub key: &'static str,
}

impl<T> Sourced<T> {
    /// "[api] client_cert in /home/a/.config/tae-rescan/config.toml", or the
    /// variable or flag that set it.
    pub fn whence(&self) -> String {
        match &self.origin {
            Origin::Default => format!("{} (default)", self.key),
            Origin::File(path) => format!("{} in {}", self.key, path.display()),
            Origin::Env(var) => (*var).to_owned(),
            Origin::Flag(flag) => (*flag).to_owned(),
        }
    }

    /// An error about this value, naming where it was set.
    pub fn error(&self, problem: impl fmt::Display) -> ConfigError {
        ConfigError::new(format!("{}: {problem}", self.whence()))
    }
}

/// How to get the account password or the certificate password.
#[derive(Debug, Clone)]
pub enum PasswordSource {
    /// Given directly (file, `TIP_PASSWORD` or `TIP_CERT_PASSWORD`).
    Literal(SecretString),
    /// Run through `sh -c`; the first line of stdout is the password.
    Command(String),
}

/// Values given on the command line, highest precedence.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--config PATH` (or `$TAE_RESCAN_CONFIG`, which clap folds in).
    pub config: Option<PathBuf>,
    /// `--base-url`.
    pub base_url: Option<String>,
    /// `--username`.
    pub username: Option<String>,
    /// `--client-cert`.
    pub client_cert: Option<PathBuf>,
    /// `--concurrency`.
    pub concurrency: Option<usize>,
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
}

impl Overrides {
    /// Checks the flags on their own, as loading a config checks them: they
    /// are refused the same way whether or not a config file is read
    /// (`--demo` reads none).
    pub fn check(&self) -> Result<(), ConfigError> {
        in_range(self.concurrency_flag(), 1, MAX_CONCURRENCY)?;
        if let Some(url) = &self.base_url {
            check_base_url(Sourced {
                value: url.clone(),
                origin: Origin::Flag("--base-url"),
                key: "[api] base_url",
            })?;
        }
        Ok(())
    }

    fn concurrency_flag(&self) -> Option<Sourced<usize>> {
        self.concurrency.map(|value| Sourced {
            value,
            origin: Origin::Flag("--concurrency"),
            key: "[worker] concurrency",
        })
    }
}

/// The most requests in flight at once that `[worker] concurrency` allows.
const MAX_CONCURRENCY: usize = 256;

/// The configuration every command runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file that was read, if any.
    pub file: Option<PathBuf>,
    /// Where the file would be by default (for the first-run screen).
    pub default_file: Option<PathBuf>,
    /// The TIP base URL.
    pub base_url: Sourced<Url>,
    /// Basic-auth user name.
    pub username: Option<Sourced<String>>,
    /// Basic-auth password or the command that prints it.
    pub password: Option<Sourced<PasswordSource>>,
    /// Client certificate (PEM or PKCS#12).
    pub client_cert: Option<Sourced<PathBuf>>,
    /// Separate PEM key.
    pub client_key: Option<Sourced<PathBuf>>,
    /// Password of the PKCS#12 file or the encrypted PEM key, or the
    /// command that prints it (`[api] client_cert_password_command`).
    pub client_cert_password: Option<Sourced<PasswordSource>>,
    /// Extra trusted CA (PEM).
    pub ca_cert: Option<Sourced<PathBuf>>,
    /// The proxy: `[api] proxy`, else (for a non-loopback base URL) the
    /// standard proxy variables; `None` means a direct connection.
    pub proxy: Option<Sourced<Proxy>>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Worker limits.
    pub worker: WorkerConfig,
    /// `[store] remember_unzip_passwords`: keep unzip passwords of pending
    /// parameters in the database (off: they never reach the disk).
    pub remember_unzip_passwords: bool,
    /// `[keys]`: the dashboard's keys that replace the defaults.
    pub keys: KeyBindings,
    /// `[ui] bell`: the dashboard rings the terminal bell when a run is
    /// over (on unless set to false).
    pub bell: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    api: FileApi,
    #[serde(default)]
    worker: FileWorker,
    #[serde(default)]
    store: FileStore,
    #[serde(default)]
    keys: keys::RawKeys,
    #[serde(default)]
    ui: FileUi,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileApi {
    base_url: Option<String>,
    username: Option<String>,
    password: Option<String>,
    password_command: Option<String>,
    client_cert: Option<PathBuf>,
    client_key: Option<PathBuf>,
    client_cert_password: Option<String>,
    client_cert_password_command: Option<String>,
    ca_cert: Option<PathBuf>,
    proxy: Option<String>,
    timeout_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileWorker {
    concurrency: Option<usize>,
    max_retries: Option<u32>,
    requests_per_minute: Option<u32>,
    retry_failed_or_hung_after_secs: Option<u64>,
    max_retry_wait_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileStore {
    remember_unzip_passwords: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileUi {
    bell: Option<bool>,
}

/// The platform's data dir for tae-rescan: `$XDG_DATA_HOME/tae-rescan` on Linux.
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "tae-rescan").map(|d| d.data_dir().to_owned())
}

/// The platform's state dir for tae-rescan, where the log goes:
/// `$XDG_STATE_HOME/tae-rescan` (`~/.local/state/tae-rescan`) on Linux;
/// `None` where the platform has none (macOS, Windows).
pub fn default_state_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "tae-rescan")
        .and_then(|d| d.state_dir().map(Path::to_owned))
}

/// Where the task inventory and history live: `--data-dir`, else the
/// platform data dir; demo mode uses its `demo` folder so demo runs never
/// mix with real history. `None` only when the platform has no data dir.
pub fn data_dir(flag: Option<&Path>, demo: bool) -> Option<PathBuf> {
    let base = flag.map(Path::to_owned).or_else(default_data_dir)?;
    Some(if demo { base.join("demo") } else { base })
}

/// The platform's default config file: `$XDG_CONFIG_HOME/tae-rescan/config.toml` on Linux.
pub fn default_config_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "tae-rescan").map(|d| d.config_dir().join("config.toml"))
}

impl Config {
    /// Reads the process environment and the config file, applies `flags`.
    pub fn load(flags: &Overrides) -> Result<Self, ConfigError> {
        Self::load_with(flags, &|name| {
            std::env::var(name).ok().filter(|v| !v.is_empty())
        })
    }

    /// [`Config::load`] with an injectable environment, for tests.
    pub fn load_with(
        flags: &Overrides,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let default_file = default_config_path();
        let (file, (parsed, text)) = match &flags.config {
            Some(path) => (Some(path.clone()), read_file(path)?),
            None => match &default_file {
                Some(path) if path.exists() => (Some(path.clone()), read_file(path)?),
                _ => (None, Default::default()),
            },
        };
        let file_origin = || file.clone().map(Origin::File).unwrap_or(Origin::Default);
        let from_file = |key: &'static str, value: Option<String>| {
            value.map(|value| Sourced {
                value,
                origin: file_origin(),
                key,
            })
        };
        let from_env = |key: &'static str, var: &'static str| {
            env(var).map(|value| Sourced {
                value,
                origin: Origin::Env(var),
                key,
            })
        };
        let from_flag = |key: &'static str, flag: &'static str, value: &Option<String>| {
            value.clone().map(|value| Sourced {
                value,
                origin: Origin::Flag(flag),
                key,
            })
        };
        let base_dir = file.as_deref().and_then(Path::parent).map(Path::to_owned);
        let home = env("HOME");
        let path_of = |s: Sourced<String>| resolve_path(s, base_dir.as_deref(), home.as_deref());
        let api = parsed.api;

        let base_url_raw = from_flag("[api] base_url", "--base-url", &flags.base_url)
            .or_else(|| from_file("[api] base_url", api.base_url))
            .unwrap_or(Sourced {
                value: DEFAULT_BASE_URL.into(),
                origin: Origin::Default,
                key: "[api] base_url",
            });
        let base_url = check_base_url(base_url_raw)?;

        let username = from_flag("[api] username", "--username", &flags.username)
            .or_else(|| from_env("[api] username", "TIP_USERNAME"))
            .or_else(|| from_file("[api] username", api.username));

        let file_password = literal_or_command(
            from_file("[api] password", api.password),
            from_file("[api] password_command", api.password_command),
            &file,
        )?;
        let password = from_env("[api] password", "TIP_PASSWORD")
            .map(|s| s.map(|v| PasswordSource::Literal(v.into())))
            .or(file_password);

        let flag_cert = flags
            .client_cert
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned());
        let client_cert = from_flag("[api] client_cert", "--client-cert", &flag_cert)
            .or_else(|| from_env("[api] client_cert", "TIP_CLIENT_CERT"))
            .or_else(|| from_file("[api] client_cert", path_string(api.client_cert)))
            .map(path_of)
            .transpose()?;
        let client_key = from_file("[api] client_key", path_string(api.client_key))
            .map(path_of)
            .transpose()?;
        let file_cert_password = literal_or_command(
            from_file("[api] client_cert_password", api.client_cert_password),
            from_file(
                "[api] client_cert_password_command",
                api.client_cert_password_command,
            ),
            &file,
        )?;
        let client_cert_password = from_env("[api] client_cert_password", "TIP_CERT_PASSWORD")
            .map(|s| s.map(|v| PasswordSource::Literal(v.into())))
            .or(file_cert_password);
        let ca_cert = from_file("[api] ca_cert", path_string(api.ca_cert))
            .map(path_of)
            .transpose()?;

        let proxy = match from_file("[api] proxy", api.proxy) {
            Some(p) => Some(check_proxy(p, None)?),
            None if is_loopback(&base_url.value) => None,
            None => match PROXY_VARS
                .iter()
                .find_map(|var| from_env("[api] proxy", var))
            {
                Some(p) => Some(check_proxy(p, env("NO_PROXY").or_else(|| env("no_proxy")))?),
                None => None,
            },
        };
        let timeout_secs = in_range(
            from_file_num("[api] timeout_secs", api.timeout_secs, &file),
            1,
            3600,
        )?
        .unwrap_or(30);
        let worker = worker_config(parsed.worker, flags, &file)?;
        let keys = keys::read(parsed.keys, file.as_deref(), &text)?;

        Ok(Self {
            file,
            default_file,
            base_url,
            username,
            password,
            client_cert,
            client_key,
            client_cert_password,
            ca_cert,
            proxy,
            timeout: Duration::from_secs(timeout_secs),
            worker,
            remember_unzip_passwords: parsed.store.remember_unzip_passwords.unwrap_or(false),
            keys,
            bell: parsed.ui.bell.unwrap_or(true),
        })
    }

    /// True when an account is configured at all (the dashboard shows the
    /// first-run screen otherwise).
    pub fn has_account(&self) -> bool {
        self.username.is_some() || self.password.is_some() || self.client_cert.is_some()
    }
}

impl<T> Sourced<T> {
    fn map<U>(self, f: impl FnOnce(T) -> U) -> Sourced<U> {
        Sourced {
            value: f(self.value),
            origin: self.origin,
            key: self.key,
        }
    }
}

/// A secret from the file, given either directly (`[api] password`) or as
/// a command that prints it (`[api] password_command`): not both.
fn literal_or_command(
    literal: Option<Sourced<String>>,
    command: Option<Sourced<String>>,
    file: &Option<PathBuf>,
) -> Result<Option<Sourced<PasswordSource>>, ConfigError> {
    match (literal, command) {
        (Some(l), Some(c)) => Err(ConfigError::new(format!(
            "{}: set either {} or {}, not both",
            file_label(file),
            l.key,
            c.key
        ))),
        (Some(l), None) => Ok(Some(l.map(|v| PasswordSource::Literal(v.into())))),
        (None, Some(c)) => Ok(Some(c.map(PasswordSource::Command))),
        (None, None) => Ok(None),
    }
}

fn file_label(file: &Option<PathBuf>) -> String {
    file.as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "config".into())
}

fn path_string(p: Option<PathBuf>) -> Option<String> {
    p.map(|p| p.to_string_lossy().into_owned())
}

/// `~` and `~/...` are the home directory, wherever the path was set.
/// Relative paths in a config file are relative to that file's folder, so a
/// config and its certificates can travel together.
fn resolve_path(
    s: Sourced<String>,
    base_dir: Option<&Path>,
    home: Option<&str>,
) -> Result<Sourced<PathBuf>, ConfigError> {
    let in_file = matches!(s.origin, Origin::File(_));
    let p = home::expand_home(&s.value, home).map_err(|e| s.error(e))?;
    Ok(s.map(|_| match base_dir {
        Some(dir) if in_file && p.is_relative() => dir.join(p),
        _ => p,
    }))
}

/// The parsed file and its text (for the line numbers of `[keys]`).
fn read_file(path: &Path) -> Result<(FileConfig, String), ConfigError> {
    let fail =
        |reason: String| ConfigError::new(format!("config file {}: {reason}", path.display()));
    let bytes = crate::fs::read_regular(path, crate::fs::SMALL_FILE_CAP)
        .map_err(|e| fail(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|_| fail("not UTF-8 text".into()))?;
    let parsed = toml::from_str(&text)
        .map_err(|e| ConfigError::new(describe_toml_error(path, &text, &e)))?;
    Ok((parsed, text))
}

/// One line: file, line number, section and toml's own message.
fn describe_toml_error(path: &Path, text: &str, e: &toml::de::Error) -> String {
    let message = e.message().replace('\n', " ");
    let Some(span) = e.span() else {
        return format!("config file {}: {message}", path.display());
    };
    let before = &text[..span.start.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let section = before
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && l.ends_with(']'))
        .map(|s| format!(" in {s}"))
        .unwrap_or_default();
    format!(
        "config file {} line {line}{section}: {message}",
        path.display()
    )
}

fn check_base_url(raw: Sourced<String>) -> Result<Sourced<Url>, ConfigError> {
    let url = Url::parse(raw.value.trim())
        .map_err(|e| raw.error(format!("'{}' is not a URL ({e})", raw.value)))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(raw.error("plain http:// is only allowed for a loopback address (the simulator); use https://"));
        }
        other => return Err(raw.error(format!("scheme '{other}' is not supported; use https://"))),
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(raw.error("must not contain a query or fragment"));
    }
    Ok(Sourced {
        value: url,
        origin: raw.origin,
        key: raw.key,
    })
}

/// The proxy variables that apply to an `https://` base URL, in the order
/// curl (and reqwest) read them.
const PROXY_VARS: [&str; 4] = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"];

/// Parses the proxy where it was set; the error never repeats the URL.
fn check_proxy(
    p: Sourced<String>,
    no_proxy: Option<String>,
) -> Result<Sourced<Proxy>, ConfigError> {
    let proxy = Proxy::parse(&p.value).map_err(|e| p.error(e))?;
    Ok(p.map(|_| proxy.with_no_proxy(no_proxy)))
}

fn from_file_num<T>(
    key: &'static str,
    value: Option<T>,
    file: &Option<PathBuf>,
) -> Option<Sourced<T>> {
    value.map(|value| Sourced {
        value,
        origin: file.clone().map(Origin::File).unwrap_or(Origin::Default),
        key,
    })
}

fn in_range<T: PartialOrd + fmt::Display + Copy>(
    v: Option<Sourced<T>>,
    min: T,
    max: T,
) -> Result<Option<T>, ConfigError> {
    match v {
        Some(s) if s.value < min || s.value > max => {
            Err(s.error(format!("{} is out of range; use {min} to {max}", s.value)))
        }
        Some(s) => Ok(Some(s.value)),
        None => Ok(None),
    }
}

fn worker_config(
    w: FileWorker,
    flags: &Overrides,
    file: &Option<PathBuf>,
) -> Result<WorkerConfig, ConfigError> {
    let defaults = WorkerConfig::default();
    let concurrency = flags
        .concurrency_flag()
        .or_else(|| from_file_num("[worker] concurrency", w.concurrency, file));
    Ok(WorkerConfig {
        concurrency: in_range(concurrency, 1, MAX_CONCURRENCY)?.unwrap_or(defaults.concurrency),
        max_retries: in_range(
            from_file_num("[worker] max_retries", w.max_retries, file),
            0,
            20,
        )?
        .unwrap_or(defaults.max_retries),
        requests_per_minute: in_range(
            from_file_num("[worker] requests_per_minute", w.requests_per_minute, file),
            1,
            100_000,
        )?,
        retry_failed_or_hung_after: in_range(
            from_file_num(
                "[worker] retry_failed_or_hung_after_secs",
                w.retry_failed_or_hung_after_secs,
                file,
            ),
            1,
            86_400,
        )?
        .map(Duration::from_secs),
        max_retry_wait: in_range(
            from_file_num("[worker] max_retry_wait_secs", w.max_retry_wait_secs, file),
            1,
            86_400,
        )?
        .map_or(defaults.max_retry_wait, Duration::from_secs),
        ..defaults
    })
}

mod account;
mod home;
mod keys;
pub mod report;
pub use account::{
    AskPassword, client_settings, client_settings_asking, hide_from_commands, run_password_command,
    unix_now,
};
pub use keys::{BaseKey, KeyBinding, KeyBindings, Keystroke};

#[cfg(test)]
mod tests;
