//! The real binary at 80x24 on a pseudo-terminal, in demo mode: the hint
//! line keeps `? help` and `q quit`, and the help and the Details pane
//! scroll to their last page with the keys the map gives them.

#[path = "common/pty.rs"]
mod pty;

use pty::Tui;

const SIZE: (u16, u16) = (80, 24);

/// The bottom row of the screen, as drawn.
fn last_row(screen: &str) -> &str {
    screen.lines().last().unwrap_or_default()
}

#[test]
fn at_80x24_help_and_quit_stay_hinted_and_the_help_scrolls_to_its_end() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut tui = Tui::spawn(&["--demo"], &[], home.path(), SIZE);
    // The demo's notice holds the bottom row until the next key, with the
    // essential keys beside it.
    tui.wait_for("the demo tasks, their notice and the keys", |s| {
        s.contains("tae-2026-000123")
            && last_row(s).contains(" demo mode: ")
            && last_row(s).ends_with(" ? help  q quit")
    });
    tui.send(b"j");
    tui.wait_for("the hint line", |s| {
        !last_row(s).contains("demo mode: ") && last_row(s).contains("? help  q quit")
    });
    tui.send(b"?");
    let top = tui.wait_for("the help, its first page", |s| {
        s.contains("Keys (Esc closes) 1–") && s.contains("previous task")
    });
    assert!(
        !top.contains("Ctrl-C"),
        "the end is not in view yet:\n{top}"
    );
    // End, as xterm sends it: the last page, its last key in view.
    tui.send(b"\x1b[F");
    let end = tui.wait_for("the help's last page", |s| {
        s.contains("Ctrl-C") && s.contains("interrupt")
    });
    let title = end.lines().next().unwrap_or_default();
    let shown = title
        .split("Keys (Esc closes) ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .unwrap_or_default()
        .to_owned();
    let total = title
        .split(" of ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next());
    assert_eq!(
        shown.rsplit('–').next(),
        total,
        "the last row shown is the last row: {title}"
    );
    tui.send(b"\x1b");
    tui.wait_gone("Keys (Esc closes)");
    // The Details pane: v gives it the keys, Esc gives them back.
    tui.send(b"v");
    tui.wait_for("the details with the keys", |s| {
        s.contains("Details 1–") && last_row(s).contains("Esc back")
    });
    tui.send(b"\x1b");
    tui.wait_for("the list with the keys again", |s| {
        last_row(s).contains("? help  q quit") && !s.contains("Details 1–")
    });
    tui.send(b"q");
    assert!(tui.wait_exit().success(), "{}", tui.contents());
}
