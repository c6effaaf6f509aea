//! What the program says about itself: shell completions, the man page,
//! and the environment variables and exit codes that both the man page and
//! `--help` end with (one list, so the two cannot disagree).

use std::process::ExitCode;

use clap::CommandFactory;

use super::output::print_all;
use super::{Cli, UsageError};
use crate::edge::{EXIT_NOT_ALL_ACCEPTED, EXIT_USAGE};

mod man;
pub use man::man;

/// The whole command line as the program parses it, with each
/// subcommand's help, at every level, cut to the options it uses: the
/// global options are accepted everywhere (before or after the subcommand,
/// as always), but the account options are hidden where nothing connects,
/// and every option where no configuration is read. Every `--help` ends
/// with the variables its command reads and its exit codes.
pub fn command() -> clap::Command {
    let root = Cli::command().after_help(after_help(""));
    let globals: Vec<clap::Arg> = root
        .get_arguments()
        .filter(|a| a.is_global_set())
        .cloned()
        .collect();
    shape_subcommands(root, "", &globals)
}

/// Shapes each subcommand of `cmd`, whose path below `tae-rescan` is
/// `path` (empty for the program itself).
fn shape_subcommands(cmd: clap::Command, path: &str, globals: &[clap::Arg]) -> clap::Command {
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    names.into_iter().fold(cmd, |cmd, name| {
        let path = format!("{path} {name}").trim_start().to_owned();
        cmd.mut_subcommand(name, |sub| shape(sub, &path, globals))
    })
}

/// Which of the global options a command uses.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Uses {
    /// All of them: it connects, or reports the settings.
    Everything,
    /// Where the configuration and the data are, not the account.
    Place,
    /// None (`simulate`, `completions`, `man`).
    Nothing,
}

/// What the command at `path` (`""`, `"rescan"`, `"tasks import"`, ...)
/// uses.
fn uses(path: &str) -> Uses {
    match path.split(' ').next() {
        Some("" | "rescan") => Uses::Everything,
        _ if path == "config check" => Uses::Everything,
        Some("tasks" | "history" | "config") => Uses::Place,
        _ => Uses::Nothing,
    }
}

/// Gives `cmd` its own copy of every global option, hidden where it does
/// not use it (a global option is only copied into a subcommand that lacks
/// it, so each level's copy, not its parent's, is what its help shows), and
/// ends its help with the variables it reads and its exit codes; then its
/// own subcommands the same way.
fn shape(cmd: clap::Command, path: &str, globals: &[clap::Arg]) -> clap::Command {
    let uses = uses(path);
    let hidden = |a: &clap::Arg| match uses {
        Uses::Everything => false,
        Uses::Place => a.get_help_heading() != Some(super::PLACE),
        Uses::Nothing => true,
    };
    let cmd = globals
        .iter()
        .fold(cmd, |cmd, a| cmd.arg(a.clone().hide(hidden(a))))
        .after_help(after_help(path));
    shape_subcommands(cmd, path, globals)
}

/// Which commands read an environment variable.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Readers {
    /// Only the commands that connect: it is about the account or the
    /// connection.
    Connecting,
    /// The commands that read the configuration.
    Configured,
    /// Every command (the log, the platform's folders).
    Every,
}

impl Readers {
    /// True when a command that uses `uses` reads such a variable.
    fn include(self, uses: Uses) -> bool {
        match self {
            Readers::Connecting => uses == Uses::Everything,
            Readers::Configured => uses != Uses::Nothing,
            Readers::Every => true,
        }
    }
}

/// An environment variable the program reads.
pub struct Variable {
    /// Its name (or names, with the same meaning).
    pub name: &'static str,
    /// What it does.
    pub what: &'static str,
    /// Which commands read it.
    pub readers: Readers,
}

const fn var(name: &'static str, what: &'static str, readers: Readers) -> Variable {
    Variable {
        name,
        what,
        readers,
    }
}

/// The environment variables the program reads, with what each does.
pub const ENVIRONMENT: [Variable; 10] = [
    var(
        "TIP_USERNAME",
        "TIP user name (below --username)",
        Readers::Connecting,
    ),
    var("TIP_PASSWORD", "TIP password", Readers::Connecting),
    var(
        "TIP_CLIENT_CERT",
        "client certificate file (below --client-cert)",
        Readers::Connecting,
    ),
    var(
        "TIP_CERT_PASSWORD",
        "password of the PKCS#12 file or encrypted PEM key",
        Readers::Connecting,
    ),
    var(
        "HTTPS_PROXY, ALL_PROXY",
        "proxy when [api] proxy is unset (never for a loopback base URL)",
        Readers::Connecting,
    ),
    var(
        "NO_PROXY",
        "hosts reached without the proxy variables' proxy",
        Readers::Connecting,
    ),
    var(
        crate::config::CONFIG_ENV,
        "the config file (below --config)",
        Readers::Configured,
    ),
    var(
        crate::log::LOG_ENV,
        "log level or filter; turns the log file on",
        Readers::Every,
    ),
    var(
        "XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_STATE_HOME",
        "where the config file, the data and the log go",
        Readers::Every,
    ),
    var("HOME", "what ~ in a path stands for", Readers::Every),
];

/// The exit codes, with what each means.
pub const EXIT_CODES: [(u8, &str); 3] = [
    (
        0,
        "success: every task accepted, or the command did what was asked",
    ),
    (
        EXIT_NOT_ALL_ACCEPTED,
        "something was sent (or imported) but not every task was accepted",
    ),
    (
        EXIT_USAGE,
        "usage, config or validation error: nothing was sent",
    ),
];

/// What exit code 1 means for the command at `path`, if it can end so.
fn partly(path: &str) -> Option<&'static str> {
    match path {
        "" | "rescan" => Some(EXIT_CODES[1].1),
        "tasks" => Some("an import skipped some entries, or a removal named tasks not listed"),
        "tasks import" => {
            Some("some entries were skipped (each named on stderr); the rest were imported")
        }
        "tasks remove" => Some("some of the ids named no listed task; the others were removed"),
        _ => None,
    }
}

/// The text the `--help` of the command at `path` ends with: the variables
/// it reads and its exit codes.
fn after_help(path: &str) -> String {
    let uses = uses(path);
    let mut text = String::from("Environment:\n");
    for v in ENVIRONMENT.iter().filter(|v| v.readers.include(uses)) {
        text.push_str(&format!("  {}: {}\n", v.name, v.what));
    }
    text.push_str("\nExit codes:\n");
    let codes = [
        Some((0, EXIT_CODES[0].1)),
        partly(path).map(|what| (EXIT_NOT_ALL_ACCEPTED, what)),
        Some((EXIT_USAGE, EXIT_CODES[2].1)),
    ];
    for (code, what) in codes.into_iter().flatten() {
        text.push_str(&format!("  {code}  {what}\n"));
    }
    text
}

/// `tae-rescan completions SHELL`: the completion script on stdout.
pub fn completions(shell: clap_complete::Shell) -> Result<ExitCode, UsageError> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command(), "tae-rescan", &mut script);
    print(&script)
}

/// Prints generated text (which ends with its own newline).
fn print(bytes: &[u8]) -> Result<ExitCode, UsageError> {
    let text = String::from_utf8_lossy(bytes);
    print_all(std::iter::once(text.trim_end_matches('\n').to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The path below `tae-rescan` of every command in the tree, at every
    /// level (without clap's own `help`).
    fn paths(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
        out.push(path.to_owned());
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            paths(sub, format!("{path} {}", sub.get_name()).trim_start(), out);
        }
    }

    /// What `tae-rescan PATH --help` prints.
    fn help(path: &str) -> String {
        let args = std::iter::once("tae-rescan")
            .chain(path.split_whitespace())
            .chain(["--help"]);
        let err = command().try_get_matches_from(args).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::DisplayHelp, "{path}");
        err.render().to_string()
    }

    #[test]
    fn every_help_ends_with_its_variables_and_exit_codes_and_shows_only_its_options() {
        let mut all = Vec::new();
        paths(&command(), "", &mut all);
        for nested in [
            "tasks import",
            "tasks export",
            "config check",
            "config init",
        ] {
            assert!(
                all.iter().any(|p| p == nested),
                "{nested} not visited: {all:?}"
            );
        }
        let account = ["--base-url", "--username", "--client-cert", "--concurrency"];
        let place = ["--config ", "--data-dir", "--demo"];
        for path in &all {
            let text = help(path);
            let uses = uses(path);
            let env = text
                .find("\nEnvironment:\n")
                .unwrap_or_else(|| panic!("{path}: {text}"));
            let codes = text
                .find("\nExit codes:\n")
                .unwrap_or_else(|| panic!("{path}: {text}"));
            assert!(env < codes, "{path}: {text}");
            let (options, tail) = text.split_at(env);
            // Nothing follows the exit codes but their lines.
            let code_lines: Vec<&str> = text[codes..].trim().lines().skip(1).collect();
            let expected = if partly(path).is_some() { 3 } else { 2 };
            assert_eq!(code_lines.len(), expected, "{path}: {text}");
            for line in &code_lines {
                assert!(
                    line.starts_with("  0  ")
                        || line.starts_with("  1  ")
                        || line.starts_with("  2  "),
                    "{path}: {line}"
                );
            }
            let connects = uses == Uses::Everything;
            assert_eq!(tail.contains("TIP_PASSWORD"), connects, "{path}: {text}");
            assert_eq!(
                tail.contains("TAE_RESCAN_CONFIG"),
                uses != Uses::Nothing,
                "{path}"
            );
            assert!(
                tail.contains("TAE_RESCAN_LOG"),
                "{path}: every command logs"
            );
            for option in account {
                assert_eq!(
                    options.contains(option),
                    connects,
                    "{path} and {option}: {text}"
                );
            }
            for option in place {
                assert_eq!(
                    options.contains(option),
                    uses != Uses::Nothing,
                    "{path} and {option}: {text}"
                );
            }
        }
        assert!(help("tasks import").contains("  1  some entries were skipped"));
        assert!(!help("tasks export").contains("  1  "));
    }
}
