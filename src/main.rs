//! Entry point: parse the command line, dispatch, and turn any failure into
//! one line on stderr with exit code 2.

use std::process::ExitCode;

use clap::Parser;
use tae_rescan::cli::{self, Cli, EXIT_USAGE};

fn main() -> ExitCode {
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
