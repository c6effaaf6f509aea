//! `tae-rescan simulate`: the simulator as a standalone server, for trying
//! the tool, for curl comparisons and for benchmarks.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use super::{SimulateArgs, UsageError};
use crate::sim::{self, Behaviours, Pki, SimConfig, SimError};

/// Where `--tls-dir` defaults to: the platform data dir's `tae-rescan/sim-tls`.
fn default_tls_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "tae-rescan").map(|d| d.data_dir().join("sim-tls"))
}

/// Starts the simulator, prints how to connect, serves until Ctrl-C.
pub async fn run(args: &SimulateArgs) -> Result<ExitCode, UsageError> {
    let no_cert_flag = |e: SimError| UsageError(format!("--no-cert-listen: {e}"));
    // Refused before any certificate is created for a run that cannot start.
    if let Some(addr) = args.no_cert_listen.filter(|a| !a.ip().is_loopback()) {
        return Err(no_cert_flag(SimError::NoCertNotLoopback { addr }));
    }
    check_free("--listen", args.listen)?;
    if let Some(addr) = args.no_cert_listen {
        check_free("--no-cert-listen", addr)?;
    }
    let behaviours = behaviours(args)?;
    let password = match &args.password_env {
        Some(var) => std::env::var(var).map_err(|_| {
            UsageError(format!(
                "--password-env: environment variable {var} is not set"
            ))
        })?,
        None => "demo".to_owned(),
    };
    let (tls, tls_dir) = if args.plain {
        (None, None)
    } else {
        let dir = args
            .tls_dir
            .clone()
            .or_else(default_tls_dir)
            .ok_or_else(|| UsageError("--tls-dir: no platform data dir; pass a folder".into()))?;
        let (pki, created) =
            Pki::load_or_create(&dir).map_err(|e| UsageError(format!("--tls-dir: {e}")))?;
        let verb = if created { "created" } else { "reusing" };
        eprintln!(
            "tae-rescan simulate: {verb} certificates in {}",
            dir.display()
        );
        (Some(pki), Some(dir))
    };
    let config = SimConfig {
        addr: args.listen,
        tls,
        username: args.sim_username.clone(),
        password: password.clone(),
        behaviours,
        no_cert_addr: args.no_cert_listen,
    };
    let handle = sim::start(config).await.map_err(|e| match e {
        SimError::NoCertNotLoopback { .. } | SimError::NoCertWithoutTls => no_cert_flag(e),
        e => UsageError(e.to_string()),
    })?;
    // A password taken from the environment is a secret: never print it.
    let shown_password = match &args.password_env {
        Some(var) => format!("<the value of ${var}>"),
        None => password,
    };
    let base_url = handle.base_url();
    let snippet = sim::config_snippet(
        &base_url,
        tls_dir.as_deref(),
        &args.sim_username,
        &shown_password,
    );
    // For whoever reads stdout; a reader that is gone (`| head -0`) does
    // not stop the server, and is no panic.
    let _ = writeln!(std::io::stdout(), "{snippet}");
    if let Some(url) = handle.no_cert_base_url() {
        eprintln!(
            "tae-rescan simulate: WARNING: {url} asks for no client certificate and trusts every connection (a benchmarking aid)"
        );
    }
    eprintln!(
        "tae-rescan simulate: listening on {} (Ctrl-C to stop)",
        handle.base_url()
    );
    let _ = tokio::signal::ctrl_c().await;
    let record = handle.record();
    handle.shutdown().await;
    eprintln!(
        "tae-rescan simulate: served {} requests: {} accepted (200), {} answered 4xx, {} dropped",
        record.len(),
        record.count_status(200),
        record
            .requests()
            .iter()
            .filter(|r| r.status.is_some_and(|s| (400..500).contains(&s)))
            .count(),
        record
            .requests()
            .iter()
            .filter(|r| r.status.is_none())
            .count(),
    );
    Ok(ExitCode::SUCCESS)
}

/// Refuses an address that cannot be bound (in use, not ours) before any
/// certificate is created for a run that cannot start. The simulator binds
/// it again right after; this probe only spares the user a new `--tls-dir`
/// left behind by a typo'd or busy port.
fn check_free(flag: &str, addr: std::net::SocketAddr) -> Result<(), UsageError> {
    std::net::TcpListener::bind(addr)
        .map(drop)
        .map_err(|source| UsageError(format!("{flag}: {}", SimError::Bind { addr, source })))
}

fn behaviours(args: &SimulateArgs) -> Result<Behaviours, UsageError> {
    let mut b = Behaviours::from_demo_tasks(&sim::demo_tasks());
    if let Some(spec) = &args.share {
        b.shares = spec
            .parse()
            .map_err(|e| UsageError(format!("--share: {e}")))?;
    }
    b.latency = Duration::from_millis(args.latency_ms);
    if let Some(ms) = args.slow_ms {
        b.slow_delay = Duration::from_millis(ms);
    }
    if let Some(secs) = args.retry_after {
        b.retry_after_secs = secs;
    }
    Ok(b)
}
