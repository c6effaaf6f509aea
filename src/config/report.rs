//! The settings in effect, for `config check`: every key with its value
//! (secrets as `***`) and where it came from, the config file's line
//! included, so that a surprising value can be traced to its source.

use std::path::Path;
use std::time::Duration;

use super::{Config, Origin, Overrides, PasswordSource, Sourced};
use crate::api::params::MASK;

/// One effective setting as `config check` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The config key (`[api] username`), or what the value is (`data dir`).
    pub key: &'static str,
    /// The value, sanitised, secrets as `***`; `(not set)` when unset.
    pub value: String,
    /// `default`, `FILE line N`, `environment VAR` or `flag --name`.
    pub whence: String,
}

/// Every setting of `config`, in the order of `config.example.toml`.
/// `file_text` is the config file's text (for line numbers); `flags` and
/// `data_dir` are the command line's.
pub fn settings(
    config: &Config,
    file_text: Option<&str>,
    flags: &Overrides,
    data_dir: Option<&Path>,
) -> Vec<Setting> {
    let at = |origin: &Origin, key: &'static str| whence(origin, key, file_text);
    let sourced = |key: &'static str, s: Option<(String, &Origin, &'static str)>| match s {
        Some((value, origin, set_as)) => Setting {
            key,
            value,
            whence: at(origin, set_as),
        },
        None => unset(key),
    };
    fn shown(s: &Option<Sourced<std::path::PathBuf>>) -> Option<(String, &Origin, &'static str)> {
        s.as_ref()
            .map(|s| (s.value.display().to_string(), &s.origin, s.key))
    }
    // A plain value: from the file when its key is there, else the default.
    let plain = |key: &'static str, value: String| {
        let origin = match (&config.file, file_text.and_then(|t| line_of(t, key))) {
            (Some(path), Some(_)) => Origin::File(path.clone()),
            _ => Origin::Default,
        };
        Setting {
            key,
            value,
            whence: at(&origin, key),
        }
    };
    let secs = |d: Duration| d.as_secs().to_string();
    let worker = &config.worker;
    let mut concurrency = plain("[worker] concurrency", worker.concurrency.to_string());
    if flags.concurrency.is_some() {
        concurrency.whence = "flag --concurrency".into();
    }
    let base_url = &config.base_url;
    let mut all = vec![
        Setting {
            key: "[api] base_url",
            value: base_url.value.as_str().trim_end_matches('/').to_owned(),
            whence: at(&base_url.origin, base_url.key),
        },
        sourced(
            "[api] username",
            config
                .username
                .as_ref()
                .map(|s| (s.value.clone(), &s.origin, s.key)),
        ),
        sourced("[api] password", secret(&config.password)),
        sourced("[api] client_cert", shown(&config.client_cert)),
        sourced("[api] client_key", shown(&config.client_key)),
        sourced(
            "[api] client_cert_password",
            secret(&config.client_cert_password),
        ),
        sourced("[api] ca_cert", shown(&config.ca_cert)),
        sourced(
            "[api] proxy",
            config
                .proxy
                .as_ref()
                .map(|s| (s.value.to_string(), &s.origin, s.key)),
        ),
        plain("[api] timeout_secs", secs(config.timeout)),
        concurrency,
        plain("[worker] max_retries", worker.max_retries.to_string()),
        match worker.requests_per_minute {
            Some(n) => plain("[worker] requests_per_minute", n.to_string()),
            None => unset("[worker] requests_per_minute"),
        },
        plain("[worker] max_retry_wait_secs", secs(worker.max_retry_wait)),
        match worker.retry_failed_or_hung_after {
            Some(d) => plain("[worker] retry_failed_or_hung_after_secs", secs(d)),
            None => unset("[worker] retry_failed_or_hung_after_secs"),
        },
        plain(
            "[store] remember_unzip_passwords",
            config.remember_unzip_passwords.to_string(),
        ),
        plain("[ui] bell", config.bell.to_string()),
    ];
    let keys = &config.keys;
    all.push(Setting {
        key: "[keys]",
        value: if keys.bindings.is_empty() {
            "(the default keys)".into()
        } else {
            keys.bindings
                .iter()
                .map(|b| {
                    let bound: Vec<String> = b.keys.iter().map(ToString::to_string).collect();
                    format!("{} = {}", b.action, bound.join(" "))
                })
                .collect::<Vec<_>>()
                .join(", ")
        },
        whence: match (&keys.file, keys.bindings.first()) {
            (Some(path), Some(first)) => format!("{} line {}", path.display(), first.line),
            _ => "default".into(),
        },
    });
    all.push(Setting {
        key: "data dir",
        value: data_dir.map_or("(none on this platform)".into(), |d| {
            d.display().to_string()
        }),
        whence: if flags.data_dir.is_some() {
            "flag --data-dir".into()
        } else {
            "default".into()
        },
    });
    for s in &mut all {
        s.value = crate::text::sanitize(&s.value);
        s.whence = crate::text::sanitize(&s.whence);
    }
    all
}

fn unset(key: &'static str) -> Setting {
    Setting {
        key,
        value: "(not set)".into(),
        whence: "default".into(),
    }
}

/// A password: `***` as given, or the command that prints it (run only
/// when a command connects).
fn secret(s: &Option<Sourced<PasswordSource>>) -> Option<(String, &Origin, &'static str)> {
    s.as_ref().map(|s| {
        let value = match &s.value {
            PasswordSource::Literal(_) => MASK.to_owned(),
            PasswordSource::Command(command) => format!("{MASK} (printed by `{command}`)"),
        };
        (value, &s.origin, s.key)
    })
}

/// Where a value was set, for people: the file and line of `key`.
fn whence(origin: &Origin, key: &str, file_text: Option<&str>) -> String {
    match origin {
        Origin::Default => "default".into(),
        Origin::File(path) => match file_text.and_then(|t| line_of(t, key)) {
            Some(line) => format!("{} line {line}", path.display()),
            None => path.display().to_string(),
        },
        Origin::Env(var) => format!("environment {var}"),
        Origin::Flag(flag) => format!("flag {flag}"),
    }
}

/// The line (from 1) where `[section] name` is set in a TOML text.
fn line_of(text: &str, key: &str) -> Option<usize> {
    let (section, name) = key.split_once(' ')?;
    let mut current = "";
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('[') {
            current = line.split('#').next().unwrap_or("").trim();
        } else if current == section
            && let Some(rest) = line.strip_prefix(name)
            && rest.trim_start().starts_with('=')
        {
            return Some(n + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_found_in_its_section_only() {
        let text = "[api]\nusername = \"a\"\n# timeout_secs = 1\n[ worker ]\n[worker] # w\nconcurrency=8\nconcurrency_x = 1\n";
        assert_eq!(line_of(text, "[api] username"), Some(2));
        assert_eq!(line_of(text, "[api] timeout_secs"), None);
        assert_eq!(line_of(text, "[worker] concurrency"), Some(6));
        assert_eq!(line_of(text, "[api] concurrency"), None);
    }
}
