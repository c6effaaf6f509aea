//! The man page: one roff page with every subcommand and its options,
//! then the variables, the files and the exit codes from the lists
//! `--help` ends with.

use std::process::ExitCode;

use super::{ENVIRONMENT, EXIT_CODES, Readers, command, print};
use crate::cli::UsageError;

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
        let who = match v.readers {
            Readers::Connecting => "; read by the commands that connect",
            Readers::Configured => "; read by the commands that read the config",
            Readers::Every => "",
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
