//! Turning the account part of a [`Config`] into [`ClientSettings`]: the
//! password (possibly from a command), the client certificate and the CA.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use secrecy::SecretString;

use super::{Config, ConfigError, PasswordSource, Sourced};
use crate::api::ClientSettings;
use crate::api::client::ca_certificates;
use crate::api::identity::{ClientIdentity, IdentityError, IdentityFiles};
use crate::text::io_reason;

/// How long `password_command` may take (a password manager may prompt).
const PASSWORD_COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// Resolves secrets and loads files; every error names what to fix.
pub fn client_settings(config: &Config) -> Result<ClientSettings, ConfigError> {
    let username = config
        .username
        .as_ref()
        .ok_or_else(|| missing("[api] username", "TIP_USERNAME", config))?;
    let password = match &config.password {
        Some(Sourced {
            value: PasswordSource::Literal(p),
            ..
        }) => p.clone(),
        Some(
            s @ Sourced {
                value: PasswordSource::Command(cmd),
                ..
            },
        ) => run_password_command(cmd).map_err(|e| s.error(e))?,
        None => return Err(missing("[api] password", "TIP_PASSWORD", config)),
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
    Ok(ClientSettings {
        base_url: config.base_url.value.clone(),
        username: username.value.clone(),
        password,
        identity,
        ca_pem,
        ca_only: false,
        proxy: config.proxy.clone(),
        timeout: config.timeout,
    })
}

fn missing(key: &str, var: &str, config: &Config) -> ConfigError {
    let file = config
        .file
        .clone()
        .or_else(|| config.default_file.clone())
        .map(|p| format!(" in {}", p.display()))
        .unwrap_or_default();
    ConfigError::new(format!(
        "no {key} configured: set it{file} or set {var} (see config.example.toml)"
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
            .map(|p| p.value.clone()),
    };
    let identity = ClientIdentity::load(&files).map_err(|e| match (&e, &config.client_key) {
        (IdentityError::Read { path, .. }, Some(key)) if *path == key.value => key.error(e),
        (IdentityError::KeyMismatch { .. }, Some(key)) => key.error(e),
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

/// Runs `password_command` through `sh -c` with no secret in its arguments
/// and returns the first line of its output.
pub fn run_password_command(command: &str) -> Result<SecretString, String> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run sh: {}", io_reason(&e)))?;
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let mut stderr = child.stderr.take().ok_or("no stderr")?;
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        let mut err = Vec::new();
        let _ = stderr.read_to_end(&mut err);
        let _ = done_tx.send((out, err));
    });
    // Output ends when the command exits (or closes it); a command that
    // hangs, e.g. on a prompt nobody can answer, is stopped.
    let Ok((out, err)) = done_rx.recv_timeout(PASSWORD_COMMAND_TIMEOUT) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(format!(
            "the command did not finish within {}s",
            PASSWORD_COMMAND_TIMEOUT.as_secs()
        ));
    };
    let status = child
        .wait()
        .map_err(|e| format!("cannot wait for the command: {}", io_reason(&e)))?;
    if !status.success() {
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
