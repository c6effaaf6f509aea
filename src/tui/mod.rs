//! The dashboard face: state (`app`), the one place it changes (`update`),
//! the drawing (`view`), and `run`, the loop that feeds them keys, worker
//! events, signals and ticks and hands the commands `update` returns to the
//! session to carry out. It never imports the headless face.

pub mod actions;
pub mod app;
pub mod events;
mod failures;
pub mod filter;
pub mod form;
pub mod in_view;
pub mod index;
pub mod input;
pub mod keymap;
mod keymap_actions;
mod keymap_table;
pub mod message;
pub mod monitor;
pub mod others;
pub mod rows;
pub mod run;
pub mod saved_view;
pub mod tasklist;
pub mod update;
pub mod view;

mod inventory;
pub mod password;
mod session;
mod signals;
mod terminal;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use ratatui::crossterm::event::{Event, EventStream, KeyEventKind};
use tokio::sync::mpsc;

use self::app::{App, Theme};
use self::message::Message;
use self::session::Session;
use self::signals::Signals;
use self::terminal::TerminalGuard;
use crate::config::Overrides;
use crate::edge::UsageError;
use crate::text::io_reason;

/// How often spinners and countdowns move while something is in flight.
const TICK: Duration = Duration::from_millis(100);

/// Shortest time between two frames that no input asked for.
const FRAME: Duration = Duration::from_millis(16);

/// Longest stretch of ready messages applied between two frames, so keys
/// are read and the screen moves even while a huge load streams in.
const APPLY_BUDGET: Duration = Duration::from_millis(50);

/// What the dashboard is started with.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--demo`: the embedded simulator.
    pub demo: bool,
    /// Flags overriding the config.
    pub overrides: Overrides,
    /// `--tasks FILE`.
    pub tasks_file: Option<PathBuf>,
}

/// Opens the dashboard and runs it until the user quits.
pub async fn run(options: Options) -> Result<ExitCode, UsageError> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(UsageError(
            "the dashboard needs a terminal; for scripts use `tae-rescan rescan` (see --help)"
                .into(),
        ));
    }
    let size = ratatui::crossterm::terminal::size().unwrap_or((80, 24));
    let theme = Theme {
        color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let mut app = App::new(Default::default(), size, theme, TimeZone::system());
    app.now = Timestamp::now();
    let (internal_tx, internal_rx) = mpsc::unbounded_channel();
    let Some(mut session) = Session::start(&options, &mut app, internal_tx).await? else {
        return Ok(ExitCode::SUCCESS);
    };
    let mut guard = TerminalGuard::enter()
        .map_err(|e| UsageError(format!("cannot set up the terminal: {}", io_reason(&e))))?;
    let result = event_loop(&mut app, &mut session, &mut guard, internal_rx).await;
    drop(guard);
    result.map(|()| ExitCode::SUCCESS)
}

async fn event_loop(
    app: &mut App,
    session: &mut Session,
    guard: &mut TerminalGuard,
    mut internal: mpsc::UnboundedReceiver<session::Internal>,
) -> Result<(), UsageError> {
    let mut input = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut terminate = Signals::register();
    // Drawn at once after input; otherwise at most once per FRAME, so a
    // burst of worker events or load chunks costs one frame, not one each.
    let (mut dirty, mut urgent, mut drawn) = (true, true, Instant::now());
    loop {
        if dirty && (urgent || drawn.elapsed() >= FRAME) {
            draw(app, guard)?;
            (dirty, urgent, drawn) = (false, false, Instant::now());
        }
        let next_frame = tokio::time::Instant::from_std(drawn + FRAME);
        let message = tokio::select! {
            event = input.next() => match event {
                Some(Ok(event)) => match to_message(event) {
                    Some(m) => m,
                    None => continue,
                },
                Some(Err(e)) => return Err(UsageError(format!("cannot read the terminal: {}", io_reason(&e)))),
                None => Message::Terminate,
            },
            event = session.next_worker_event() => Message::Worker { event, at: Timestamp::now() },
            Some(note) = internal.recv() => match session.on_internal(note) {
                Some(m) => m,
                None => continue,
            },
            _ = tick.tick(), if app.animating() => Message::Tick(Timestamp::now()),
            _ = terminate.recv() => Message::Terminate,
            _ = tokio::time::sleep_until(next_frame), if dirty => continue,
        };
        urgent |= message.is_input();
        dirty = true;
        handle(app, session, guard, message);
        apply_ready(app, session, guard, &mut internal);
        if app.should_quit {
            return Ok(());
        }
    }
}

/// Worker events arrive in bursts under load, and the inventory in chunks
/// at start: apply those that are ready (for up to [`APPLY_BUDGET`]) before
/// drawing again, so keys stay responsive and a 100,000-task load is not
/// drawn once per chunk.
fn apply_ready(
    app: &mut App,
    session: &mut Session,
    guard: &mut TerminalGuard,
    internal: &mut mpsc::UnboundedReceiver<session::Internal>,
) {
    let until = Instant::now() + APPLY_BUDGET;
    while !app.should_quit && Instant::now() < until {
        let message = if let Some(event) = session.try_worker_event() {
            Message::Worker {
                event,
                at: Timestamp::now(),
            }
        } else if let Ok(note) = internal.try_recv() {
            match session.on_internal(note) {
                Some(m) => m,
                None => continue,
            }
        } else {
            return;
        };
        handle(app, session, guard, message);
    }
}

fn handle(app: &mut App, session: &mut Session, guard: &mut TerminalGuard, message: Message) {
    for command in update::update(app, message) {
        session.execute(command, guard);
    }
}

fn draw(app: &App, guard: &mut TerminalGuard) -> Result<(), UsageError> {
    guard
        .draw(|frame| view::view(app, frame))
        .map_err(|e| UsageError(format!("cannot draw on the terminal: {}", io_reason(&e))))
}

/// Only key presses count (not repeats' releases); resize, paste and mouse
/// pass through.
fn to_message(event: Event) -> Option<Message> {
    match event {
        Event::Key(key) if key.kind == KeyEventKind::Press => Some(Message::Key(key)),
        Event::Paste(text) => Some(Message::Paste(text)),
        Event::Mouse(mouse) => Some(Message::Mouse(mouse)),
        Event::Resize(w, h) => Some(Message::Resize(w, h)),
        _ => None,
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod persistence_tests;

#[cfg(test)]
mod tasklist_tests;

#[cfg(test)]
mod edit_tests;

#[cfg(test)]
mod test_support;

#[cfg(test)]
mod run_tests;

#[cfg(test)]
mod failures_tests;

#[cfg(test)]
mod in_view_tests;

#[cfg(test)]
mod scroll_tests;
