//! `[keys]` end to end: the real dashboard on a pseudo-terminal takes the
//! config's keys, shows them in its hints and help, and names a bad one.

mod common;
#[path = "common/pty.rs"]
mod pty;

use common::{Fixture, PASSWORD};
use pty::Tui;
use tae_rescan::sim::Behaviours;

const SIZE: (u16, u16) = (120, 40);

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn dashboard(f: &Fixture, keys: &str) -> Tui {
    let config = f.config_file(&format!("[keys]\n{keys}"));
    Tui::dashboard(&config, PASSWORD, f.dir.path(), SIZE)
}

/// Remapped keys work, the old ones do not, and the hints and the help say so.
#[test]
fn remapped_keys_work_and_are_shown() {
    let rt = runtime();
    let f = rt.block_on(Fixture::start(Behaviours::default()));
    let mut tui = dashboard(&f, "help = \"F1\"\nquit = \"ctrl-q\"\n");
    tui.wait_for("the empty dashboard with the new keys hinted", |s| {
        s.contains("No tasks yet") && s.contains(" F1 help  Ctrl-Q quit")
    });
    // q no longer quits (the F1 after it is still read), F1 is the help.
    tui.send(b"q");
    tui.send(b"\x1bOP");
    tui.wait_for("the help, listing the new keys", |s| {
        s.contains("Keys (Esc closes)")
            && s.lines()
                .any(|l| l.contains(" F1 ") && l.contains(" help "))
            && s.lines()
                .any(|l| l.contains(" Ctrl-Q ") && l.contains(" quit "))
    });
    tui.send(b"\x1b");
    tui.wait_gone("Keys (Esc closes)");
    tui.send(b"\x11");
    assert!(tui.wait_exit().success());
}

/// A misspelt action: the first screen names it, its file and line.
#[test]
fn an_unknown_action_is_named_on_the_first_screen() {
    let rt = runtime();
    let f = rt.block_on(Fixture::start(Behaviours::default()));
    let mut tui = dashboard(&f, "rescn = \"F5\"\n");
    tui.wait_for("the problem on the first-run screen", |s| {
        // The paragraph wraps: read it as one line of words.
        let words = s.replace('│', " ");
        let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
        words.contains("[keys] rescn in ")
            && words.contains("config.toml line 7: no such action; did you mean rescan?")
            && words.contains("Press q to quit.")
    });
    tui.send(b"q");
    assert!(tui.wait_exit().success());
}

/// A config with keys but no account yet: the first-run screen names the
/// remapped keys, and they work.
#[test]
fn the_first_run_screen_takes_the_configs_keys() {
    let home = tempfile::tempdir().expect("tempdir");
    let config = home.path().join("config.toml");
    std::fs::write(&config, "[keys]\ndemo = \"D\"\nquit = \"ctrl-q\"\n").unwrap();
    let mut tui = Tui::spawn(
        &["--config", config.to_str().unwrap()],
        &[],
        home.path(),
        SIZE,
    );
    tui.wait_for("the first-run screen with the new keys", |s| {
        s.contains("Press D for demo mode") && s.contains("Press Ctrl-Q to quit.")
    });
    tui.send(b"\x11");
    assert!(tui.wait_exit().success());
}
