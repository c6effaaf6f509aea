//! The monitor's failures list end to end: the real binary in demo mode on
//! a pseudo-terminal, three demo tasks sent and failing against the
//! embedded simulator, their groups read off the screen, and Enter on one
//! showing its tasks (and only those) on the task tab with the group's filter.

#[path = "common/pty.rs"]
mod pty;

use pty::Tui;

const SIZE: (u16, u16) = (120, 40);

/// The failures list's rows on screen (the monitor tab), each trimmed.
fn failure_rows(screen: &str) -> Vec<String> {
    screen
        .lines()
        .skip_while(|l| !l.contains("Failures now, by reason"))
        .skip(1)
        .take_while(|l| !l.contains("└"))
        .map(|l| l.trim_matches(|c| c == '│' || c == ' ').to_owned())
        .collect()
}

#[test]
fn enter_on_a_failure_group_shows_its_tasks_on_the_task_tab() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut tui = Tui::spawn(&["--demo"], &[], home.path(), SIZE);
    tui.wait_text("Tasks 12/12");
    // The demo's sixth to eighth tasks answer 404, 451 and 400: marked
    // (space marks and moves down) and sent together.
    tui.send(b"jjjjj   r");
    tui.wait_text("Rescan 3 tasks?");
    tui.send(b"y");
    tui.send(b"2");
    let screen = tui.wait_for("the three failure groups, nothing in flight", |s| {
        let rows = failure_rows(s);
        rows.len() >= 3
            && rows[0].starts_with("✗ rejected · too-large-file")
            && rows[1].starts_with("↻ failed or hung")
            && rows[2].starts_with("⊘ legal block")
            && s.contains("Now: 0 queued · 0 sending · 0 waiting")
    });
    let rows = failure_rows(&screen);
    assert!(
        rows[1].contains("1 task   newest first: c07e6d3b1a2f48e59c8d7b4a3e2f1d06"),
        "{screen}"
    );
    assert!(screen.contains("(f to choose)"), "{screen}");

    tui.send(b"f");
    tui.wait_text("Enter shows a group's tasks");
    tui.send(b"j\r");
    // The whole frame: the list's title, and no monitor left below it.
    tui.wait_for("the task tab filtered to the group", |s| {
        s.contains("[1 Tasks ")
            && s.contains(r#"· filter: outcome:"failed or hung" "#)
            && s.contains(" queued 0 sending 0 ")
            && !s.contains("Failures now")
    });
    // Only the group's task is in view.
    tui.wait_for("the failed or hung task alone in view", |s| {
        s.contains("[1 Tasks 1/12]")
            && s.contains("c07e6d3b1a2f48e59c8d7b4a3e2f1d06")
            && !s.contains("9d2e8f4c6b0a41378e5d2c1b0a9f8e77")
            && !s.contains("Failures now")
    });

    tui.send(b"2");
    // The list keeps the focus (its title says so) and the selection.
    tui.wait_text("Failures now, by reason · Enter");
    tui.send(b"k\r");
    // The whole frame again: only the rejected task is in view.
    tui.wait_for("the task tab filtered to the rejected group", |s| {
        s.contains(r#"· filter: outcome:"rejected" error:"too-large-file" "#)
            && s.contains("[1 Tasks 1/12]")
            && s.contains("9d2e8f4c6b0a41378e5d2c1b0a9f8e77")
            && !s.contains("c07e6d3b1a2f48e59c8d7b4a3e2f1d06")
            && !s.contains("Failures now")
    });

    tui.send(b"q");
    assert!(tui.wait_exit().success(), "{}", tui.contents());
}
