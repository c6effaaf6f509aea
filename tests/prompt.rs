//! The password prompt `curl -u USER` gives: with no password configured,
//! `rescan` on a terminal asks for it without echo and the dashboard asks in
//! a masked prompt; the typed password is what reaches the server and is
//! never shown. Without a terminal there is nobody to ask: exit 2, one line.
//!
//! The real binary on a pseudo-terminal against the simulator over mutual
//! TLS; the config file has no password and the environment none either.

mod common;
#[path = "common/pty.rs"]
mod pty;

use common::{Fixture, PASSWORD, USER, binary};
use pty::{Tui, eventually, runtime};
use tae_rescan::sim::Behaviours;

const SIZE: (u16, u16) = (120, 40);
const PROMPT: &str = "TIP password for analyst: ";

/// `tae-rescan rescan ID` on a pty with a config that has no password.
fn rescan_on_a_terminal(f: &Fixture, id: &str) -> Tui {
    let config = f.config_file("");
    Tui::spawn(
        &["--config", config.to_str().unwrap(), "rescan", id],
        &[],
        f.dir.path(),
        SIZE,
    )
}

/// Neither the screen nor any byte written to the terminal holds `secret`.
fn assert_never_shown(tui: &Tui, secret: &str) {
    let raw = tui.raw_output();
    assert!(
        !raw.windows(secret.len()).any(|w| w == secret.as_bytes()),
        "the password reached the terminal: {:?}",
        String::from_utf8_lossy(&raw)
    );
    assert!(!tui.contents().contains(secret), "{}", tui.contents());
}

#[test]
fn rescan_asks_for_the_password_and_uses_what_was_typed() {
    let rt = runtime();
    let f = rt.block_on(Fixture::start(Behaviours::default()));
    let record = f.sim.record();
    let mut tui = rescan_on_a_terminal(&f, "prompt-ok");
    tui.wait_text(PROMPT);
    assert!(record.is_empty(), "nothing is sent before the password");
    tui.send(format!("{PASSWORD}\r").as_bytes());
    let status = tui.wait_exit();
    let screen = tui.contents();
    assert!(status.success(), "exit {status:?}\n{screen}");
    assert!(
        screen
            .lines()
            .any(|l| l.starts_with("prompt-ok") && l.contains("accepted")),
        "{screen}"
    );
    let sent = record.requests();
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert_eq!(sent[0].user.as_deref(), Some(USER));
    assert_eq!(sent[0].status, Some(200));
    assert_never_shown(&tui, PASSWORD);
}

#[test]
fn rescan_with_a_wrongly_typed_password_is_auth_failed() {
    let rt = runtime();
    let f = rt.block_on(Fixture::start(Behaviours::default()));
    let mut tui = rescan_on_a_terminal(&f, "prompt-bad");
    tui.wait_text(PROMPT);
    let wrong = "not the password";
    tui.send(format!("{wrong}\r").as_bytes());
    let status = tui.wait_exit();
    let screen = tui.contents();
    assert_eq!(status.exit_code(), 1, "not accepted\n{screen}");
    assert!(
        screen
            .lines()
            .any(|l| l.starts_with("prompt-bad") && l.contains("auth failed")),
        "{screen}"
    );
    assert_eq!(f.sim.record().count_status(401), 1);
    assert_never_shown(&tui, wrong);
}

#[test]
fn ctrl_c_at_the_prompt_stops_and_gives_the_terminal_back_as_it_was() {
    let rt = runtime();
    let f = rt.block_on(Fixture::start(Behaviours::default()));
    let mut tui = rescan_on_a_terminal(&f, "prompt-cancel");
    tui.wait_text(PROMPT);
    assert_eq!(tui.line_modes(), (false, false), "no echo while asking");
    tui.send(b"half typed\x03");
    let status = tui.wait_exit();
    assert_eq!(status.exit_code(), 2, "{}", tui.contents());
    assert!(
        tui.contents()
            .contains("left the password prompt; nothing was sent"),
        "{}",
        tui.contents()
    );
    assert_eq!(tui.line_modes(), (true, true), "echo and line editing back");
    assert!(f.sim.record().is_empty(), "nothing sent");
    assert_never_shown(&tui, "half typed");
}

/// Raw mode cannot turn SIGTERM into a key: the prompt notes it and ends
/// as for Ctrl-C, so the terminal is never left without echo.
#[test]
fn sigterm_at_the_prompt_gives_the_terminal_back_as_it_was() {
    let rt = runtime();
    let f = rt.block_on(Fixture::start(Behaviours::default()));
    let mut tui = rescan_on_a_terminal(&f, "prompt-term");
    tui.wait_text(PROMPT);
    assert_eq!(tui.line_modes(), (false, false), "no echo while asking");
    tui.send(b"half typed");
    tui.signal(libc::SIGTERM);
    let status = tui.wait_exit();
    assert_ne!(status.exit_code(), 0, "{}", tui.contents());
    assert_eq!(tui.line_modes(), (true, true), "echo and line editing back");
    assert!(f.sim.record().is_empty(), "nothing sent");
    assert_never_shown(&tui, "half typed");
}

#[test]
fn rescan_without_a_terminal_names_every_way_to_give_the_password() {
    let rt = runtime();
    let f = rt.block_on(Fixture::start(Behaviours::default()));
    let config = f.config_file("");
    let home = f.dir.path();
    let out = binary(home)
        .args(["--config", config.to_str().unwrap(), "rescan", "no-tty"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("binary runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {err}");
    for name in ["password", "password_command", "TIP_PASSWORD"] {
        assert!(lines[0].contains(name), "names {name}: {err}");
    }
    assert!(!lines[0].contains(PROMPT.trim()), "no prompt: {err}");
    assert!(f.sim.record().is_empty(), "nothing sent");
}

/// The dashboard on a pty, stopped at its password prompt.
fn dashboard_at_the_prompt(f: &Fixture) -> Tui {
    let config = f.config_file("");
    let tui = Tui::spawn(
        &["--config", config.to_str().unwrap()],
        &[],
        f.dir.path(),
        SIZE,
    );
    tui.wait_text(PROMPT);
    assert!(!tui.alternate_screen(), "asked before the dashboard opens");
    tui
}

#[test]
fn dashboard_asks_with_a_mask_and_connects_with_the_typed_password() {
    let rt = runtime();
    let f = rt.block_on(Fixture::start(Behaviours::default()));
    let record = f.sim.record();
    let mut tui = dashboard_at_the_prompt(&f);
    let (first, rest) = PASSWORD.split_at(4);
    tui.send(first.as_bytes());
    tui.wait_text(&format!("{PROMPT}****"));
    // A typo, erased again: the mask follows.
    tui.send(b"x\x7f");
    tui.wait_for("the typo erased", |s| {
        s.contains(&format!("{PROMPT}****")) && !s.contains(&format!("{PROMPT}*****"))
    });
    tui.send(format!("{rest}\r").as_bytes());
    tui.wait_for("the empty dashboard", |s| {
        s.contains("Tasks 0/0") && s.contains(" q quit")
    });
    tui.send(b"a");
    tui.wait_text("Add task ids");
    tui.send(b"dash-pw\r");
    tui.wait_for("the task listed", |s| {
        !s.contains("Add task ids") && s.contains("dash-pw") && s.contains("never sent")
    });
    tui.send(b"r");
    tui.wait_text("✓ accepted");
    eventually("one recorded request", || record.len() == 1);
    let sent = record.requests();
    assert_eq!(sent[0].user.as_deref(), Some(USER));
    assert_eq!(sent[0].status, Some(200));
    tui.send(b"q");
    let status = tui.wait_exit();
    assert!(status.success(), "exit {status:?}");
    assert_never_shown(&tui, PASSWORD);
}

#[test]
fn dashboard_esc_at_the_prompt_quits_cleanly_and_connects_nowhere() {
    let rt = runtime();
    let f = rt.block_on(Fixture::start(Behaviours::default()));
    let mut tui = dashboard_at_the_prompt(&f);
    tui.send(b"zq9");
    tui.wait_text(&format!("{PROMPT}***"));
    tui.send(b"\x1b");
    let status = tui.wait_exit();
    assert!(status.success(), "exit {status:?}\n{}", tui.contents());
    assert!(!tui.alternate_screen(), "never took the screen over");
    assert!(!tui.contents().contains("error"), "{}", tui.contents());
    assert_eq!(f.sim.record().connections(), 0, "nothing connected");
    assert_never_shown(&tui, "zq9");
}
