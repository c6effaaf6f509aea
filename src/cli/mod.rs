//! The headless face: the clap definitions of the whole command line and
//! the headless commands. `main` opens the dashboard when no subcommand is
//! given; this face never imports it.

mod docs;
mod history;
mod inventory;
mod output;
mod rescan;
mod setup;
mod simulate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::{CONFIG_ENV, Overrides};
// The commands below report through these, as `super::...`.
use crate::edge::{EXIT_NOT_ALL_ACCEPTED, EXIT_USAGE, UsageError};
use crate::startup::{open_store, open_store_here};

/// tae-rescan: rescan Kaspersky TIP Cloud Threat Attribution Engine
/// file-from-URL tasks from a dashboard or the command line.
#[derive(Debug, Parser)]
#[command(name = "tae-rescan", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Config file (default: the platform config dir's tae-rescan/config.toml).
    #[arg(long, global = true, value_name = "PATH", env = CONFIG_ENV, help_heading = PLACE)]
    pub config: Option<PathBuf>,
    /// Use the embedded simulator with its demo tasks; no account needed.
    #[arg(long, global = true, help_heading = PLACE)]
    pub demo: bool,
    /// TIP base URL (overrides [api] base_url).
    #[arg(long, global = true, value_name = "URL", help_heading = ACCOUNT)]
    pub base_url: Option<String>,
    /// TIP user name (overrides TIP_USERNAME and [api] username).
    #[arg(long, global = true, value_name = "NAME", help_heading = ACCOUNT)]
    pub username: Option<String>,
    /// Client certificate: PEM with key, or PKCS#12 (overrides TIP_CLIENT_CERT).
    #[arg(long, global = true, value_name = "PATH", help_heading = ACCOUNT)]
    pub client_cert: Option<PathBuf>,
    /// Requests in flight at once (overrides [worker] concurrency).
    #[arg(long, global = true, value_name = "N", help_heading = ACCOUNT)]
    pub concurrency: Option<usize>,
    /// Where the task inventory and history live (default: the platform
    /// data dir's tae-rescan folder).
    #[arg(long, global = true, value_name = "DIR", help_heading = PLACE)]
    pub data_dir: Option<PathBuf>,
    /// Dashboard: add the task ids in FILE to the list on start.
    #[arg(long, value_name = "FILE", help_heading = "Dashboard")]
    pub tasks: Option<PathBuf>,
    /// What to do; without one, the dashboard opens.
    #[command(subcommand)]
    pub command: Option<CommandKind>,
}

/// The heading of the global options that say where the configuration
/// and the data are: every command that reads them shows them.
pub const PLACE: &str = "Configuration and data";
/// The heading of the global options about the account and sending: only
/// the commands that connect (and `config check`) show them.
pub const ACCOUNT: &str = "Account and sending";

impl Cli {
    /// The command line of this process, parsed with the help shaped per
    /// command ([`docs::command`]); a usage error exits with code 2.
    pub fn parse_args() -> Cli {
        use clap::FromArgMatches;
        let matches = docs::command().get_matches();
        Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }

    /// The flags that override configuration values.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            config: self.config.clone(),
            base_url: self.base_url.clone(),
            username: self.username.clone(),
            client_cert: self.client_cert.clone(),
            concurrency: self.concurrency,
            data_dir: self.data_dir.clone(),
        }
    }
}

/// The headless commands.
#[derive(Debug, Subcommand)]
pub enum CommandKind {
    /// Rescan tasks and print one result line per task.
    Rescan(RescanArgs),
    /// Run the TAE simulator: real HTTPS with required client certificates.
    Simulate(SimulateArgs),
    /// The task inventory the dashboard keeps: list, import, export, remove.
    Tasks(TasksArgs),
    /// Every recorded rescan, filtered, as text, JSON lines or CSV.
    History(HistoryArgs),
    /// Where the configuration lives, a starting file, the settings in effect.
    Config(ConfigArgs),
    /// Print the completion script for SHELL (see the README to install it).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `tae-rescan man | man -l -`.
    Man,
}

impl CommandKind {
    /// True for the command that is a server (`simulate`): its runtime
    /// keeps a worker per core.
    pub fn serves(&self) -> bool {
        matches!(self, CommandKind::Simulate(_))
    }
}

/// `tae-rescan tasks`.
#[derive(Debug, Args)]
pub struct TasksArgs {
    /// What to do with the inventory.
    #[command(subcommand)]
    pub action: TasksAction,
}

/// The inventory commands.
#[derive(Debug, Subcommand)]
pub enum TasksAction {
    /// Print the tasks with their last outcome.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
    },
    /// Add the tasks in FILE (plain list, CSV with task_id, a JSON array, or
    /// the JSON lines of `tasks list`/`history --output json`; `-` = stdin).
    Import {
        /// The file.
        file: PathBuf,
    },
    /// Write the inventory to a new FILE (CSV for .csv, JSON for .json, else
    /// one id per line; `-` = the CSV on stdout).
    Export {
        /// The file; an existing one is never overwritten.
        file: PathBuf,
    },
    /// Remove tasks from the inventory (their history stays).
    Remove {
        /// Task ids.
        #[arg(required = true)]
        ids: Vec<String>,
    },
}

/// `tae-rescan config`.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// What to show or write.
    #[command(subcommand)]
    pub action: ConfigAction,
}

/// The set-up commands.
#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Print the config file that would be read and the data, state and log locations.
    Path,
    /// Write the documented example config to the config file's place
    /// (folder 0700, file 0600); an existing file is never overwritten.
    Init,
    /// Load the configuration and print each setting in effect with where
    /// it came from (secrets as ***); exit 2 on any error.
    Check,
}

/// `tae-rescan history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only rescans sent since then: a span back from now (`90s`, `1h30m`,
    /// `2 days`, `PT90M`) or an RFC 3339 time (`2026-11-26T10:00:00Z`).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Only this outcome label (`accepted`, `failed or hung`, `interrupted`, ...).
    #[arg(long, value_name = "LABEL")]
    pub outcome: Option<String>,
    /// Only this task id.
    #[arg(long, value_name = "ID")]
    pub task: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = HistoryFormat::Text)]
    pub output: HistoryFormat,
}

/// How `history` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormat {
    /// One aligned line per record.
    Text,
    /// One JSON object per line.
    Json,
    /// CSV with a header.
    Csv,
}

/// `tae-rescan rescan`.
#[derive(Debug, Args)]
pub struct RescanArgs {
    /// Task ids to rescan.
    #[arg(value_name = "TASK_ID")]
    pub task_ids: Vec<String>,
    /// Read task ids from PATH (`-` = stdin): one per line, `#` comments.
    #[arg(long, value_name = "PATH")]
    pub from_file: Option<PathBuf>,
    /// New download URL (absolute http/https).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// File extension without the dot, at most 10 characters.
    #[arg(long, value_name = "EXT")]
    pub file_ext: Option<String>,
    /// exec-only or unzip-and-exec.
    #[arg(long, value_name = "TYPE", value_parser = ["exec-only", "unzip-and-exec"])]
    pub processing_type: Option<String>,
    /// Archive password (visible to other local users in the process list;
    /// prefer --unzip-password-env).
    #[arg(long, value_name = "P", conflicts_with = "unzip_password_env")]
    pub unzip_password: Option<String>,
    /// Read the archive password from environment variable VAR.
    #[arg(long, value_name = "VAR")]
    pub unzip_password_env: Option<String>,
    /// Ignore similarity thresholds: true or false.
    #[arg(long, value_name = "BOOL", value_parser = ["true", "false"])]
    pub reset_similarity_thresholds: Option<String>,
    /// Unpack the executed file for analysis: true or false.
    #[arg(long, value_name = "BOOL", value_parser = ["true", "false"])]
    pub unpack: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
    /// Print each exact request (secrets as ***) and send nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// How headless results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// One aligned line per task.
    Text,
    /// One JSON object per line.
    Json,
}

/// `tae-rescan simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8443")]
    pub listen: std::net::SocketAddr,
    /// Folder for the CA, server and client certificates: created if empty,
    /// reused otherwise (default: the platform data dir's tae-rescan/sim-tls).
    #[arg(long, value_name = "DIR")]
    pub tls_dir: Option<PathBuf>,
    /// Serve plain HTTP (loopback addresses only).
    #[arg(long)]
    pub plain: bool,
    /// Benchmarking aid that trusts every connection: also listen on ADDR
    /// (loopback only), with the same server certificate but without asking
    /// for a client certificate, and treat every request there as if it
    /// carried the simulator's client certificate. For load generators such
    /// as wrk that cannot present one; never for anything else.
    #[arg(long, value_name = "ADDR", conflicts_with = "plain")]
    pub no_cert_listen: Option<std::net::SocketAddr>,
    /// Basic-auth user name the simulator accepts.
    #[arg(long = "sim-username", value_name = "NAME", default_value = "demo")]
    pub sim_username: String,
    /// Environment variable holding the password the simulator accepts
    /// (default password: demo).
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
    /// Fault shares for tasks without their own behaviour, e.g.
    /// `404=0.1,451=0.01,503=0.1,drop=0.05,slow=0.05`.
    #[arg(long, value_name = "SPEC")]
    pub share: Option<String>,
    /// Extra latency added to every answer, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// How long a `slow` answer waits, in milliseconds.
    #[arg(long, value_name = "MS")]
    pub slow_ms: Option<u64>,
    /// Seconds sent in `Retry-After` with 503 answers.
    #[arg(long, value_name = "SECS")]
    pub retry_after: Option<u64>,
}

/// The data directory this command line uses (see [`crate::config::data_dir`]).
pub fn data_dir(cli: &Cli) -> Option<PathBuf> {
    crate::config::data_dir(cli.data_dir.as_deref(), cli.demo)
}

/// Reads the config file the command line names (`--config`,
/// `$TAE_RESCAN_CONFIG` or the platform default) for commands that need no
/// account (`history`, `tasks`): a missing file or a typo'd key is then
/// reported by every command, not only by those that connect. Nothing is
/// resolved (no `password_command` runs). Demo mode ignores the file, as
/// `rescan --demo` does.
pub fn check_config(cli: &Cli) -> Result<(), UsageError> {
    if !cli.demo {
        crate::config::Config::load(&cli.overrides())?;
    }
    Ok(())
}

/// Runs a headless command; returns the process exit code.
pub async fn run(cli: &Cli, command: &CommandKind) -> Result<ExitCode, UsageError> {
    match command {
        CommandKind::Rescan(args) => rescan::run(cli, args).await,
        CommandKind::Simulate(args) => simulate::run(args).await,
        CommandKind::Tasks(args) => inventory::run(cli, args).await,
        CommandKind::History(args) => history::run(cli, args).await,
        CommandKind::Config(args) => setup::run(cli, &args.action),
        CommandKind::Completions { shell } => docs::completions(*shell),
        CommandKind::Man => docs::man(),
    }
}
