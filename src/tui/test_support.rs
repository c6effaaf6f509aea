//! What the dashboard's update tests share: a dashboard at a fixed instant
//! on a plain (colourless) terminal, and a key press.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{Account, App, Theme};
use super::message::{Command, Message};
use super::update::update;
use crate::import::parse_any;

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
