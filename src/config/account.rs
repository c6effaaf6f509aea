//! Turning the account part of a [`Config`] into [`ClientSettings`]: the
//! password (possibly from a command), the client certificate and the CA.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};

use super::{Config, ConfigError, PasswordSource, Sourced};
use crate::api::ClientSettings;
use crate::api::client::ca_certificates;
use crate::api::identity::{ClientIdentity, IdentityFiles};
use crate::text::io_reason;

/// How long `password_command` may take (a password manager may prompt).
const PASSWORD_COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// Resolves secrets and loads files; every error names what to fix. A
/// password that nothing configures is an error (see
/// [`client_settings_asking`] for asking the person at the terminal).
pub fn client_settings(config: &Config) -> Result<ClientSettings, ConfigError> {
    client_settings_asking(config, &mut |_| Ok(None))
}

/// Asks for the account password when neither the config file, the
/// environment nor a command gives one, as `curl -u USER` does. It gets the
/// user name (made safe to print) and answers the typed password, `None`
/// when there is nobody to ask (no terminal), or the error to stop with.
pub type AskPassword<'a> = &'a mut dyn FnMut(&str) -> Result<Option<SecretString>, ConfigError>;

/// [`client_settings`], asking through `ask` for a password nothing else
/// gives. It asks last, once every file has loaded, so a broken
/// certificate is reported before anyone types a password.
pub fn client_settings_asking(
    config: &Config,
    ask: AskPassword<'_>,
) -> Result<ClientSettings, ConfigError> {
    let username = config
        .username
        .as_ref()
        .ok_or_else(|| missing("[api] username", "TIP_USERNAME", config))?;
    let password = match &config.password {
        Some(source) => Some(secret(source)?),
        None => None,
    };
    let identity = match &config.client_cert {
        Some(cert) => Some(load_identity(config, cert)?),
        None => None,
    };
    let ca_pem = match &config.ca_cert {
        Some(ca) => {
            let pem = crate::fs::read_regular(&ca.value, crate::fs::SMALL_FILE_CAP)
                .map_err(|e| ca.error(format!("cannot read {}: {e}", ca.value.display())))?;
            if ca_certificates(&pem).is_none() {
                return Err(ca.error(format!("{} holds no PEM certificate", ca.value.display())));
            }
            Some(pem)
        }
        None => None,
    };
    let password = match password {
        Some(p) => p,
        None => {
            let user = crate::text::sanitize(&username.value);
            let typed = ask(&user)?.ok_or_else(|| missing_password(config))?;
            if typed.expose_secret().is_empty() {
                return Err(ConfigError::new(format!(
                    "no password was typed for {user}; nothing was sent"
                )));
            }
            typed
        }
    };
    Ok(ClientSettings {
        base_url: config.base_url.value.clone(),
        username: username.value.clone(),
        password,
        identity,
        ca_pem,
        ca_only: false,
        proxy: config.proxy.as_ref().map(|p| p.value.clone()),
        timeout: config.timeout,
    })
}

/// The secret itself: as given, or printed by its command.
fn secret(source: &Sourced<PasswordSource>) -> Result<SecretString, ConfigError> {
    match &source.value {
        PasswordSource::Literal(p) => Ok(p.clone()),
        PasswordSource::Command(cmd) => run_password_command(cmd).map_err(|e| source.error(e)),
    }
}

/// " in FILE" for the config file that was (or would be) read.
fn in_file(config: &Config) -> String {
    config
        .file
        .clone()
        .or_else(|| config.default_file.clone())
        .map(|p| format!(" in {}", p.display()))
        .unwrap_or_default()
}

fn missing(key: &str, var: &str, config: &Config) -> ConfigError {
    let file = in_file(config);
    ConfigError::new(format!(
        "no {key} configured: set it{file} or set {var} (see config.example.toml)"
    ))
}

/// No password and nobody to ask: every way to give one, in one line.
fn missing_password(config: &Config) -> ConfigError {
    let file = in_file(config);
    ConfigError::new(format!(
        "no [api] password configured: set password or password_command{file}, \
         or set TIP_PASSWORD, or run on a terminal to be asked (see config.example.toml)"
    ))
}

fn load_identity(
    config: &Config,
    cert: &Sourced<std::path::PathBuf>,
) -> Result<ClientIdentity, ConfigError> {
    let files = IdentityFiles {
        cert: cert.value.clone(),
        key: config.client_key.as_ref().map(|k| k.value.clone()),
        password: config
            .client_cert_password
            .as_ref()
            .map(secret)
            .transpose()?,
    };
    // The error names the setting pointing at the file it is about.
    let identity = ClientIdentity::load(&files).map_err(|e| match &config.client_key {
        Some(key) if e.path() == key.value => key.error(e),
        _ => cert.error(e),
    })?;
    let now = unix_now();
    if identity.not_after < now {
        return Err(cert.error(format!(
            "{} expired on {}: renew the certificate on the portal",
            cert.value.display(),
            identity.not_after_text
        )));
    }
    Ok(identity)
}

/// Seconds since the Unix epoch, for certificate expiry checks.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The most read from a password command's output (and kept of its
/// stderr): the password is its first line, so more is a wrong command, and
/// one like `yes` must not fill the memory.
const PASSWORD_COMMAND_OUTPUT_CAP: usize = 4096;

/// Our secret variables: never in the environment of a command we run.
const SECRET_ENV: [&str; 2] = ["TIP_PASSWORD", "TIP_CERT_PASSWORD"];

/// More secret variables named at run time (`rescan --unzip-password-env`).
static HIDDEN_ENV: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Marks the environment variable `var` as secret, so that no command run
/// by [`run_password_command`] inherits it (the variable `rescan
/// --unzip-password-env` reads the archive password from).
pub fn hide_from_commands(var: &str) {
    let mut hidden = HIDDEN_ENV.lock().unwrap_or_else(|e| e.into_inner());
    if !hidden.iter().any(|v| v == var) {
        hidden.push(var.to_owned());
    }
}

/// True for a variable a command must not see: ours, one marked with
/// [`hide_from_commands`], any `TIP_...PASSWORD...` variable, and a proxy
/// variable (`HTTPS_PROXY`, `all_proxy`, ...) that carries a login, since
/// its password is as secret as `[api] proxy`'s.
fn is_secret_var(name: &std::ffi::OsStr, value: &std::ffi::OsStr) -> bool {
    let Some(name) = name.to_str() else {
        return false;
    };
    let proxy_with_login =
        name.to_ascii_uppercase().ends_with("_PROXY") && value.to_string_lossy().contains('@');
    proxy_with_login
        || SECRET_ENV.contains(&name)
        || (name.starts_with("TIP_") && name.to_ascii_uppercase().contains("PASSWORD"))
        || HIDDEN_ENV
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|v| v == name)
}

/// Runs `password_command` through `sh -c` with no secret in its arguments
/// or environment and returns the first line of its output. At most
/// [`PASSWORD_COMMAND_OUTPUT_CAP`] bytes are read; a command that prints
/// more, or does not finish in time, is killed.
pub fn run_password_command(command: &str) -> Result<SecretString, String> {
    run_with_timeout(command, PASSWORD_COMMAND_TIMEOUT)
}

fn run_with_timeout(command: &str, timeout: Duration) -> Result<SecretString, String> {
    let mut shell = Command::new("sh");
    shell
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in std::env::vars_os() {
        if is_secret_var(&name, &value) {
            shell.env_remove(name);
        }
    }
    let mut child = shell
        .spawn()
        .map_err(|e| format!("cannot run sh: {}", io_reason(&e)))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut stderr = child.stderr.take().ok_or("no stderr")?;
    let (out_tx, out_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // Dropping the pipe past the cap ends a writer like `yes` (SIGPIPE).
        let _ = out_tx.send(read_capped(stdout));
    });
    let (err_tx, err_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = err_tx.send(read_capped(&mut stderr));
        // The rest is discarded, so a chatty command does not block on it.
        let _ = std::io::copy(&mut stderr, &mut std::io::sink());
    });
    let deadline = Instant::now() + timeout;
    let timed_out = || format!("the command did not finish within {}s", timeout.as_secs());
    // Output ends when the command exits (or closes it); a command that
    // hangs, e.g. on a prompt nobody can answer, is stopped.
    let out = match out_rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(out) if out.len() > PASSWORD_COMMAND_OUTPUT_CAP => {
            return Err(stop(
                &mut child,
                format!(
                    "the command printed more than {} KiB; it must print the password on its first line",
                    PASSWORD_COMMAND_OUTPUT_CAP / 1024
                ),
            ));
        }
        Ok(out) => out,
        Err(_) => return Err(stop(&mut child, timed_out())),
    };
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Ok(None) => return Err(stop(&mut child, timed_out())),
            Err(e) => {
                return Err(stop(
                    &mut child,
                    format!("cannot wait for the command: {}", io_reason(&e)),
                ));
            }
        }
    };
    if !status.success() {
        let err = err_rx
            .recv_timeout(Duration::from_millis(200))
            .unwrap_or_default();
        let first = String::from_utf8_lossy(&err)
            .lines()
            .next()
            .unwrap_or("")
            .to_owned();
        let code = status
            .code()
            .map(|c| c.to_string())
            .unwrap_or_else(|| "a signal".into());
        return Err(format!(
            "the command failed (exit {code}){}",
            if first.is_empty() {
                String::new()
            } else {
                format!(": {}", crate::text::sanitize_capped(&first, 200))
            }
        ));
    }
    let text = String::from_utf8(out)
        .map_err(|_| "the command printed something that is not UTF-8 text".to_owned())?;
    let line = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if line.is_empty() {
        return Err("the command printed no password on its first line".into());
    }
    Ok(SecretString::from(line.to_owned()))
}

/// Up to one byte more than [`PASSWORD_COMMAND_OUTPUT_CAP`] from `pipe`, so
/// the caller can tell "more than the cap".
fn read_capped(pipe: impl Read) -> Vec<u8> {
    let mut buf = Vec::new();
    let _ = pipe
        .take(PASSWORD_COMMAND_OUTPUT_CAP as u64 + 1)
        .read_to_end(&mut buf);
    buf
}

/// Kills and reaps the command; returns `why` for the caller to report.
fn stop(child: &mut Child, why: String) -> String {
    let _ = child.kill();
    let _ = child.wait();
    why
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use secrecy::ExposeSecret;

    /// Runs `command` (which writes its pid to a file first) and returns the
    /// result and whether that process still exists (a zombie counts).
    fn run_and_check_reaped(command: &str, timeout: Duration) -> (Result<String, String>, bool) {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        let script = format!("echo $$ > '{}'; {command}", pid_file.display());
        let result = run_with_timeout(&script, timeout).map(|p| p.expose_secret().to_owned());
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        let alive = Path::new(&format!("/proc/{}", pid.trim())).exists();
        (result, alive)
    }

    #[test]
    fn proxy_variables_with_a_login_are_secret_and_others_are_not() {
        let secret = |n: &str, v: &str| is_secret_var(n.as_ref(), v.as_ref());
        assert!(secret("ALL_PROXY", "socks5h://u:pw@127.0.0.1:1080"));
        assert!(secret("https_proxy", "http://u:pw@proxy:3128"));
        assert!(!secret("HTTPS_PROXY", "http://proxy:3128"));
        assert!(!secret("NO_PROXY", "localhost"));
        assert!(!secret("HOME", "/root"));
        assert!(secret("TIP_PASSWORD", "x"));
    }

    #[test]
    fn the_first_line_is_the_password() {
        let (result, alive) =
            run_and_check_reaped("printf 'pw 1\\r\\nsecond\\n'", Duration::from_secs(10));
        assert_eq!(result.unwrap(), "pw 1");
        assert!(!alive);
    }

    #[test]
    fn endless_output_is_cut_off_and_the_command_killed_and_reaped() {
        let (result, alive) = run_and_check_reaped("exec yes", Duration::from_secs(10));
        assert!(result.unwrap_err().contains("more than 4 KiB"));
        assert!(!alive, "the command is still there (running or a zombie)");
    }

    #[test]
    fn a_command_past_its_timeout_is_killed_and_reaped() {
        let (result, alive) = run_and_check_reaped("exec sleep 30", Duration::from_millis(300));
        assert!(result.unwrap_err().contains("did not finish within"));
        assert!(!alive, "the command is still there (running or a zombie)");
    }
}
