//! What the dashboard's update tests share: a dashboard at a fixed instant
//! on a plain (colourless) terminal, a key press, a rescan in the history.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{Account, App, Theme};
use super::message::{Command, Message};
use super::update::update;
use crate::api::outcome::OutcomeKind;
use crate::import::parse_any;
use crate::store::{HistoryRecord, RecordId};

/// The instant the tests' dashboards stand at, in seconds since the epoch.
pub(super) const AT: i64 = 1_795_000_000;

/// A dashboard of `size` at [`AT`], listing `ids`.
pub(super) fn app_at(size: (u16, u16), ids: &[&str]) -> App {
    let mut app = App::new(
        Account::default(),
        size,
        Theme { color: false },
        TimeZone::UTC,
    );
    app.now = Timestamp::from_second(AT).unwrap();
    if !ids.is_empty() {
        app.tasks.add(parse_any(&ids.join("\n"), "test").tasks);
    }
    app
}

/// `code` pressed without modifiers.
pub(super) fn press(app: &mut App, code: KeyCode) -> Vec<Command> {
    update(app, Message::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

/// A finished rescan of `task` as the history holds it: sent at `time`
/// (milliseconds since the epoch), ended `outcome` with the server's
/// `error`, everything else empty; a test sets what it needs on top
/// (`HistoryRecord { status: Some(400), ..answer(..) }`).
pub(super) fn answer(
    task: &str,
    time: i64,
    outcome: OutcomeKind,
    error: Option<&str>,
) -> HistoryRecord {
    HistoryRecord {
        id: RecordId(1),
        task_id: task.into(),
        time,
        params: String::new(),
        status: None,
        outcome,
        error: error.map(str::to_owned),
        description: None,
        new_task_id: None,
        body: None,
        attempts: 1,
        elapsed_ms: None,
        queued_ms: None,
        finished_at: None,
        finished: true,
    }
}
