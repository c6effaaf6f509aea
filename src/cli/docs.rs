//! What the program says about itself: shell completions, the man page,
//! and the environment variables and exit codes that both the man page and
//! `--help` end with (one list, so the two cannot disagree).

use std::process::ExitCode;

use clap::CommandFactory;

use super::output::print_all;
use super::{Cli, UsageError};
use crate::edge::{EXIT_NOT_ALL_ACCEPTED, EXIT_USAGE};

/// The whole command line as the program parses it, with each
/// subcommand's help cut to the options it uses: the global options are
/// accepted everywhere (before or after the subcommand, as always), but
/// the account options are hidden where nothing connects, and every option
/// where no configuration is read. `--help` ends with the variables the
/// command reads and the exit codes.
pub fn command() -> clap::Command {
    let root = Cli::command().after_help(after_help(true));
    let globals: Vec<clap::Arg> = root
        .get_arguments()
        .filter(|a| a.is_global_set())
        .cloned()
        .collect();
    let names: Vec<String> = root
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    names.into_iter().fold(root, |root, name| {
        let uses = match name.as_str() {
            "rescan" | "config" => Uses::Everything,
            "tasks" | "history" => Uses::Place,
            _ => Uses::Nothing,
        };
        root.mut_subcommand(name, |sub| shape(sub, uses, &globals))
    })
}

/// Which of the global options a subcommand uses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Uses {
    /// All of them: it connects, or reports the settings.
    Everything,
    /// Where the configuration and the data are, not the account.
    Place,
    /// None (`simulate`, `completions`, `man`).
    Nothing,
}

/// Gives `cmd` hidden copies of the global options it does not use (a
/// global option is only copied into a subcommand that lacks it, so these
/// reach its own subcommands in its place), and ends its help with the
/// variables it reads and the exit codes.
fn shape(cmd: clap::Command, uses: Uses, globals: &[clap::Arg]) -> clap::Command {
    let hidden = |a: &&clap::Arg| match uses {
        Uses::Everything => false,
        Uses::Place => a.get_help_heading() != Some(super::PLACE),
        Uses::Nothing => true,
    };
    let cmd = globals
        .iter()
        .filter(hidden)
        .fold(cmd, |cmd, a| cmd.arg(a.clone().hide(true)));
    match uses {
        Uses::Nothing => cmd,
        _ => cmd.after_help(after_help(uses == Uses::Everything)),
    }
}

/// An environment variable the program reads.
pub struct Variable {
    /// Its name (or names, with the same meaning).
    pub name: &'static str,
    /// What it does.
    pub what: &'static str,
    /// About the account or the connection: only the commands that
    /// connect read it.
    pub account: bool,
}

const fn var(name: &'static str, what: &'static str, account: bool) -> Variable {
    Variable {
        name,
        what,
        account,
    }
}

/// The environment variables the program reads, with what each does.
pub const ENVIRONMENT: [Variable; 10] = [
    var("TIP_USERNAME", "TIP user name (below --username)", true),
    var("TIP_PASSWORD", "TIP password", true),
    var(
        "TIP_CLIENT_CERT",
        "client certificate file (below --client-cert)",
        true,
    ),
    var(
        "TIP_CERT_PASSWORD",
        "password of the PKCS#12 file or encrypted PEM key",
        true,
    ),
    var(
        "HTTPS_PROXY, ALL_PROXY",
        "proxy when [api] proxy is unset (never for a loopback base URL)",
        true,
    ),
    var(
        "NO_PROXY",
        "hosts reached without the proxy variables' proxy",
        true,
    ),
    var(
        crate::config::CONFIG_ENV,
        "the config file (below --config)",
        false,
    ),
    var(
        crate::log::LOG_ENV,
        "log level or filter; turns the log file on",
        false,
    ),
    var(
        "XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_STATE_HOME",
        "where the config file, the data and the log go",
        false,
    ),
    var("HOME", "what ~ in a path stands for", false),
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

/// The text `--help` ends with: the variables (the account's too when
/// `account`) and the exit codes.
fn after_help(account: bool) -> String {
    let mut text = String::from("Environment:\n");
    for v in ENVIRONMENT.iter().filter(|v| account || !v.account) {
        text.push_str(&format!("  {}: {}\n", v.name, v.what));
    }
    text.push_str("\nExit codes:\n");
    for (code, what) in EXIT_CODES {
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

/// `tae-rescan man`: the roff man page on stdout, with every subcommand and
/// its options, the variables, the files and the exit codes.
pub fn man() -> Result<ExitCode, UsageError> {
    let mut page = Vec::new();
    render_man(&mut page).map_err(|e| UsageError(format!("cannot render the man page: {e}")))?;
    print(&page)
}

fn render_man(out: &mut Vec<u8>) -> std::io::Result<()> {
    let root = command();
    let man = clap_mangen::Man::new(root.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    // One page: each subcommand's section follows, instead of the list of
    // separate pages clap_mangen would point at.
    for sub in root.get_subcommands().filter(|s| s.get_name() != "help") {
        render_command(out, "tae-rescan", sub)?;
    }
    out.extend(b".SH ENVIRONMENT\n");
    for v in ENVIRONMENT {
        let who = if v.account {
            "; read by the commands that connect"
        } else {
            ""
        };
        out.extend(format!(".TP\n\\fB{}\\fR\n{}{who}\n", roff(v.name), roff(v.what)).as_bytes());
    }
    out.extend(b".SH FILES\n");
    for (file, what) in [
        (
            "~/.config/tae-rescan/config.toml",
            "the config file ($XDG_CONFIG_HOME; `tae-rescan config path` shows this platform's)",
        ),
        (
            "~/.local/share/tae-rescan/tae-rescan.db",
            "the task inventory and the history ($XDG_DATA_HOME, or --data-dir)",
        ),
        (
            "~/.local/state/tae-rescan/tae-rescan.log",
            "the log, when TAE_RESCAN_LOG is set ($XDG_STATE_HOME)",
        ),
    ] {
        out.extend(format!(".TP\n\\fI{}\\fR\n{}\n", roff(file), roff(what)).as_bytes());
    }
    out.extend(b".SH \"EXIT STATUS\"\n");
    for (code, what) in EXIT_CODES {
        out.extend(format!(".TP\n\\fB{code}\\fR\n{}\n", roff(what)).as_bytes());
    }
    man.render_version_section(out)
}

/// One subcommand's section: its name, what it does and its own options
/// (the global ones are the page's), then its subcommands the same way.
fn render_command(out: &mut Vec<u8>, parent: &str, cmd: &clap::Command) -> std::io::Result<()> {
    let name = format!("{parent} {}", cmd.get_name());
    out.extend(format!(".SH \"{}\"\n", roff(&name.to_uppercase())).as_bytes());
    if let Some(about) = cmd.get_long_about().or_else(|| cmd.get_about()) {
        out.extend(format!("{}\n", roff(&about.to_string())).as_bytes());
    }
    let own = cmd
        .clone()
        .mut_args(|a| if a.is_global_set() { a.hide(true) } else { a });
    if own.get_arguments().any(|a| !a.is_hide_set()) {
        clap_mangen::Man::new(own).render_options_section(out)?;
    }
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        render_command(out, &name, sub)?;
    }
    Ok(())
}

/// Text made safe as roff: backslashes and dashes escaped, and no line
/// that starts with a control character.
fn roff(text: &str) -> String {
    text.replace('\\', "\\e")
        .replace('-', "\\-")
        .lines()
        .map(|l| {
            if l.starts_with(['.', '\'']) {
                format!("\\&{l}")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Prints generated text (which ends with its own newline).
fn print(bytes: &[u8]) -> Result<ExitCode, UsageError> {
    let text = String::from_utf8_lossy(bytes);
    print_all(std::iter::once(text.trim_end_matches('\n').to_owned()))
}
