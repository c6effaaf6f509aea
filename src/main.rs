//! Entry point: parse the command line and dispatch to one of the two
//! faces, the headless commands (`cli`) or the dashboard (`tui`); any
//! failure becomes one line on stderr with exit code 2.

use std::process::ExitCode;
use std::time::Duration;

use tae_rescan::cli::{self, Cli};
use tae_rescan::edge::{EXIT_USAGE, UsageError};
use tae_rescan::{startup, tui};

fn main() -> ExitCode {
    fix_mmap_threshold();
    tae_rescan::api::client::install_crypto_provider();
    let cli = Cli::parse_args();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tae-rescan: error: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// How long the dashboard's leftover background work may delay the exit.
const DASHBOARD_SHUTDOWN: Duration = Duration::from_millis(500);

fn run(cli: Cli) -> Result<ExitCode, UsageError> {
    // Before anything else, the same with and without `--demo`.
    cli.overrides().check()?;
    let serves = cli.command.as_ref().is_some_and(cli::CommandKind::serves);
    let runtime = startup::begin(cli::data_dir(&cli), serves)?;
    let Some(command) = &cli.command else {
        let result = runtime.block_on(tui::run(tui::Options {
            demo: cli.demo,
            overrides: cli.overrides(),
            tasks_file: cli.tasks.clone(),
        }));
        // Once the dashboard is closed, nothing left on the runtime
        // matters (the store has its own thread): a read still blocked in
        // an import must not keep the process alive after `q`.
        runtime.shutdown_timeout(DASHBOARD_SHUTDOWN);
        return result;
    };
    runtime.block_on(cli::run(&cli, command))
}

/// Keeps large temporary buffers (the inventory arrives from the store
/// thread in chunks of about 2 MB) going straight to the OS and back.
/// Without it glibc raises its mmap threshold after the first such buffer
/// is freed, and later ones become holes between long-lived rows in the
/// store thread's arena: about 6 MB more peak RSS with 100,000 tasks
/// (`benches/memory.sh`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn fix_mmap_threshold() {
    // glibc's default initial threshold; setting it turns the dynamic
    // adjustment off.
    const THRESHOLD: libc::c_int = 128 * 1024;
    // SAFETY: mallopt only sets an allocator parameter; it is called once,
    // before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, THRESHOLD);
    }
}

/// Other allocators need no tuning.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn fix_mmap_threshold() {}
