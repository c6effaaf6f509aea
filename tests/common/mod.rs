//! Shared test helpers: a simulator over real mutual TLS with certificates
//! generated in the test, and client settings or config files that reach it.
#![allow(dead_code)] // each test binary uses a different subset

pub mod hostile;

use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;
use std::sync::Arc;
use tae_rescan::api::{Client, TaskId};
use tae_rescan::api::{ClientIdentity, ClientSettings, IdentityFiles};
use tae_rescan::sim::{self, Behaviours, Pki, SimConfig, SimHandle};
use tae_rescan::store::{Store, StoreHandle, spawn_store_thread};
use tae_rescan::worker::{self, WorkerConfig, WorkerEvent, WorkerHandle};
use tokio::sync::mpsc::UnboundedReceiver;
use url::Url;

/// Behaviours that script these tasks; every other task is accepted.
pub fn scripted(tasks: &[(&str, tae_rescan::sim::Behaviour)]) -> Behaviours {
    Behaviours {
        per_task: tasks
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        ..Behaviours::default()
    }
}

/// The simulator's account in tests.
pub const USER: &str = "analyst";
pub const PASSWORD: &str = "correct horse battery";

/// A simulator with TLS, its PKI, and a folder holding the certificates as
/// files in every form a user may have them.
pub struct Fixture {
    pub sim: SimHandle,
    pub pki: Pki,
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub async fn start(behaviours: Behaviours) -> Fixture {
        let pki = Pki::generate().expect("pki");
        let sim = sim::start(SimConfig {
            tls: Some(pki.clone()),
            username: USER.into(),
            password: PASSWORD.into(),
            behaviours,
            ..SimConfig::default()
        })
        .await
        .expect("simulator starts");
        let dir = tempfile::tempdir().expect("tempdir");
        let f = Fixture { sim, pki, dir };
        f.write("client.pem", f.pki.client_combined_pem().as_bytes());
        f.write("client-cert.pem", f.pki.client_cert_pem.as_bytes());
        f.write("client-key.pem", f.pki.client_key_pem.as_bytes());
        f.write("client.p12", &f.pki.client_p12);
        f.write("ca.pem", f.pki.ca_cert_pem.as_bytes());
        f
    }

    /// A simulator on which `task` answers only after `delay` (every other
    /// task at once): a request that stays on the wire.
    pub async fn with_slow(task: &str, delay: Duration) -> Fixture {
        Fixture::start(scripted(&[(task, sim::Behaviour::Slow { delay })])).await
    }

    /// A worker against this simulator that records nothing.
    pub fn worker(&self, config: WorkerConfig) -> (WorkerHandle, UnboundedReceiver<WorkerEvent>) {
        worker::spawn(
            Arc::new(Client::new(&self.settings()).expect("client")),
            config,
            None,
        )
    }

    /// A worker against this simulator that records into its own store in
    /// a fresh folder (kept while the returned folder lives), as both faces
    /// run one.
    pub fn stored_worker(
        &self,
        config: WorkerConfig,
    ) -> (
        tempfile::TempDir,
        StoreHandle,
        WorkerHandle,
        UnboundedReceiver<WorkerEvent>,
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = spawn_store_thread(Store::open(dir.path()).expect("store opens"));
        let (handle, events) = worker::spawn(
            Arc::new(Client::new(&self.settings()).expect("client")),
            config,
            Some(store.clone()),
        );
        (dir, store, handle, events)
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).expect("write fixture file");
        path
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn base_url(&self) -> Url {
        Url::parse(&self.sim.base_url()).unwrap()
    }

    /// Settings with the combined PEM identity and the simulator CA trusted.
    pub fn settings(&self) -> ClientSettings {
        self.settings_with(Some(IdentityFiles {
            cert: self.path("client.pem"),
            key: None,
            password: None,
        }))
    }

    pub fn settings_with(&self, files: Option<IdentityFiles>) -> ClientSettings {
        ClientSettings {
            base_url: self.base_url(),
            username: USER.into(),
            password: SecretString::from(PASSWORD),
            identity: files.map(|f| ClientIdentity::load(&f).expect("identity loads")),
            ca_pem: Some(self.pki.ca_cert_pem.clone().into_bytes()),
            ca_only: true,
            proxy: None,
            timeout: Duration::from_secs(10),
        }
    }

    /// A config file for the binary that reaches this simulator.
    pub fn config_file(&self, extra: &str) -> PathBuf {
        let text = format!(
            "[api]\nbase_url = \"{}\"\nusername = \"{USER}\"\nclient_cert = \"client.pem\"\nca_cert = \"ca.pem\"\n{extra}",
            self.sim.base_url()
        );
        self.write("config.toml", text.as_bytes())
    }
}

/// The `Authorization` header the simulator must see for the test account.
pub fn expected_authorization() -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
    )
}

/// Caps the binary's address space at 4 GiB, so that a regression that
/// reads an endless input (`/dev/zero`) fails with an allocation error
/// instead of taking the test machine's memory.
fn limit_memory(cmd: &mut tokio::process::Command) {
    const LIMIT: libc::rlim_t = 4 << 30;
    // SAFETY: between fork and exec only setrlimit runs, which is
    // async-signal-safe and touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: LIMIT,
                rlim_max: LIMIT,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
}

/// Runs the real binary with a clean environment (no proxies, no user
/// config) plus `env`, feeding `stdin`; returns (exit code, stdout, stderr).
pub async fn run_cli(
    args: &[&str],
    env: &[(&str, &str)],
    stdin: Option<&str>,
    home: &Path,
) -> (i32, String, String) {
    use tokio::io::AsyncWriteExt;
    let mut cmd = tokio::process::Command::from(binary(home));
    cmd.args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    // A caller that gives up waiting (a deadline) kills the binary with it.
    cmd.kill_on_drop(true);
    limit_memory(&mut cmd);
    let mut child = cmd.spawn().expect("binary runs");
    let mut pipe = child.stdin.take().unwrap();
    if let Some(input) = stdin {
        pipe.write_all(input.as_bytes()).await.unwrap();
    }
    drop(pipe);
    let out = child.wait_with_output().await.unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The real binary with a clean environment whose home, config, data and
/// state (log) folders are under `home`: nothing of the developer's own setup leaks in.
pub fn binary(home: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tae-rescan"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"));
    cmd
}

/// `rescan --config CONFIG --output json` with the account's password in
/// the environment; the caller adds the ids and the pipes.
pub fn rescan_json(home: &Path, config: &Path) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::from(binary(home));
    cmd.args(["rescan", "--config"])
        .arg(config)
        .args(["--output", "json"])
        .env("TIP_PASSWORD", PASSWORD);
    cmd
}

/// The 400 answer `invalid-params` with this description.
pub fn rejected(description: &str) -> sim::Behaviour {
    sim::Behaviour::Reject {
        error: "invalid-params".into(),
        description: description.into(),
    }
}

/// The binary with the account's password in `TIP_PASSWORD` and nothing on
/// stdin: how most tests run it.
pub async fn run_with_password(args: &[&str], home: &Path) -> (i32, String, String) {
    run_cli(args, &[("TIP_PASSWORD", PASSWORD)], None, home).await
}

/// One JSON value per line, as `--output json` prints them.
pub fn json_lines(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// `history --output json` of the data dir `config` points at, which must
/// succeed: every record, newest first.
pub async fn history_json(config: impl AsRef<Path>, home: &Path) -> Vec<serde_json::Value> {
    let config = config.as_ref().to_str().unwrap();
    let (code, out, err) =
        run_with_password(&["history", "--config", config, "--output", "json"], home).await;
    assert_eq!(code, 0, "{err}");
    json_lines(&out)
}

/// Writes a finished `accepted` rescan of `task`, sent with `params`, into
/// `store` as the worker would (begin, then finish): history for the CLI to
/// read without a server.
pub fn record_accepted(store: &mut tae_rescan::store::Store, task: TaskId, params: &str) {
    use tae_rescan::api::outcome::OutcomeKind;
    use tae_rescan::store::{Finish, NewRecord};
    let record = store
        .begin(&NewRecord {
            task_id: task,
            time: 1_795_687_200_000,
            params: params.into(),
        })
        .expect("record begun");
    let answer = Finish {
        status: Some(200),
        outcome: OutcomeKind::Accepted,
        error: None,
        description: None,
        new_task_id: None,
        body: None,
        attempts: 1,
        elapsed_ms: 0,
        queued_ms: 0,
        finished_at: 0,
    };
    store.finish(record, &answer).expect("record finished");
}
