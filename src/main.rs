//! Entry point: parse the command line, dispatch, and turn any failure into
//! one line on stderr with exit code 2.

use std::process::ExitCode;

use clap::Parser;
use tae_rescan::cli::{self, Cli, EXIT_USAGE};

fn main() -> ExitCode {
    fix_mmap_threshold();
    tae_rescan::api::client::install_crypto_provider();
    let cli = Cli::parse();
    match cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tae-rescan: error: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
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
