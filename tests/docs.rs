//! `tae-rescan completions SHELL` and `tae-rescan man` with the real binary:
//! every script names every subcommand (bash's parses with `bash -n`), and
//! the man page names every subcommand, option, variable and exit code.

mod common;

use std::process::Command;

use common::binary;

const SUBCOMMANDS: [&str; 7] = [
    "rescan",
    "simulate",
    "tasks",
    "history",
    "config",
    "completions",
    "man",
];

/// Runs the binary; returns its stdout, which must be all it printed.
fn output_of(home: &std::path::Path, args: &[&str]) -> String {
    let out = binary(home).args(args).output().expect("binary runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    assert_eq!(err, "", "{args:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_shell_gets_a_script_naming_every_subcommand() {
    let home = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = output_of(home.path(), &["completions", shell]);
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell}: no {sub}");
        }
        assert!(script.contains("client-cert"), "{shell}: no options");
    }
    let bash = home.path().join("tae-rescan.bash");
    std::fs::write(&bash, output_of(home.path(), &["completions", "bash"])).unwrap();
    let check = Command::new("bash").arg("-n").arg(&bash).output().unwrap();
    assert!(
        check.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let out = binary(home.path())
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn the_man_page_names_every_subcommand_option_variable_and_exit_code() {
    let home = tempfile::tempdir().unwrap();
    let page = output_of(home.path(), &["man"]);
    // roff escapes dashes: `\-\-client\-cert`.
    let text = page.replace("\\-", "-");
    assert!(text.contains("\n.TH tae-rescan 1"), "{}", &text[..200]);
    for sub in SUBCOMMANDS {
        assert!(
            text.contains(&format!(".SH \"TAE-RESCAN {}\"", sub.to_uppercase())),
            "no section for {sub}"
        );
    }
    for name in [
        "TAE-RESCAN TASKS IMPORT",
        "TAE-RESCAN CONFIG CHECK",
        "--client-cert",
        "--since",
        "--unzip-password-env",
        "--sim-username",
        "TIP_PASSWORD",
        "TAE_RESCAN_CONFIG",
        "TAE_RESCAN_LOG",
        ".SH ENVIRONMENT",
        ".SH FILES",
        "config.toml",
        ".SH \"EXIT STATUS\"",
        "\\fB2\\fR",
    ] {
        assert!(text.contains(name), "the man page lacks {name}");
    }
    // And it renders: groff reads it without a warning.
    let file = home.path().join("tae-rescan.1");
    std::fs::write(&file, &page).unwrap();
    let shown = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww"])
        .arg(&file)
        .output()
        .expect("groff runs");
    let warnings = String::from_utf8_lossy(&shown.stderr);
    assert!(shown.status.success() && warnings.is_empty(), "{warnings}");
    let rendered = String::from_utf8_lossy(&shown.stdout);
    assert!(
        rendered.contains("usage, config or validation error"),
        "{rendered}"
    );
}

#[test]
fn each_help_shows_only_the_options_its_command_uses() {
    let home = tempfile::tempdir().unwrap();
    let help = |args: &[&str]| output_of(home.path(), &[args, &["--help"]].concat());
    let account = ["--base-url", "--username", "--client-cert", "--concurrency"];
    let place = ["--config", "--data-dir", "--demo"];
    for command in [&["simulate"][..], &["completions"], &["man"]] {
        let text = help(command);
        for option in account.iter().chain(&place) {
            assert!(!text.contains(option), "{command:?} --help shows {option}");
        }
    }
    for command in [
        &["history"][..],
        &["tasks"],
        &["tasks", "list"],
        &["tasks", "import"],
    ] {
        let text = help(command);
        for option in account {
            assert!(!text.contains(option), "{command:?} --help shows {option}");
        }
        for option in place {
            assert!(text.contains(option), "{command:?} --help lacks {option}");
        }
    }
    for command in [&[][..], &["rescan"], &["config", "check"]] {
        let text = help(command);
        for option in account.iter().chain(&place) {
            assert!(text.contains(option), "{command:?} --help lacks {option}");
        }
    }
    // Grouped under headings, and the variables and exit codes at the end.
    let text = help(&[]);
    for heading in [
        "Configuration and data:",
        "Account and sending:",
        "Dashboard:",
    ] {
        assert!(text.contains(heading), "no heading {heading}");
    }
    let tail = &text[text.find("Environment:").expect("the variables")..];
    for name in [
        "TIP_PASSWORD",
        "TIP_CERT_PASSWORD",
        "HTTPS_PROXY",
        "TAE_RESCAN_CONFIG",
    ] {
        assert!(tail.contains(name), "--help lacks {name}");
    }
    let codes = &tail[tail.find("Exit codes:").expect("the exit codes")..];
    for code in ["  0  ", "  1  ", "  2  "] {
        assert!(codes.contains(code), "{codes}");
    }
    assert!(
        !help(&["history"]).contains("TIP_PASSWORD"),
        "history reads no account"
    );

    // The options stay accepted everywhere, before or after the subcommand.
    let data = home.path().join("d");
    let d = data.to_str().unwrap();
    for args in [
        &["--data-dir", d, "--username", "x", "history"][..],
        &["history", "--data-dir", d, "--username", "x"],
        &["tasks", "--data-dir", d, "list", "--concurrency", "3"],
    ] {
        let out = binary(home.path()).args(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
}
