//! Drawing: `view(&App, frame)` only reads state. One file per screen part.

mod details;
mod firstrun;
mod form;
mod help;
mod list;
mod monitor;
mod popups;
mod status;
mod style;
mod wrap;

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::app::{App, Mode, Tab};

pub use monitor::failures_body;

/// Smallest terminal the dashboard lays out in.
pub const MIN_SIZE: (u16, u16) = (60, 12);

/// Where each part of the screen goes, from the terminal size alone, so that
/// `update` (paging, mouse clicks) and `view` agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    /// The task list, border included.
    pub list: Rect,
    /// The list's rows (inside the border, below the header).
    pub list_body: Rect,
    /// How many task rows fit.
    pub list_rows: usize,
    /// The details pane.
    pub details: Rect,
    /// The status bar.
    pub status: Rect,
    /// The key hints.
    pub hints: Rect,
}

/// Splits the screen: list beside details on wide terminals, above them on
/// narrow ones; status bar and hints at the bottom.
pub fn layout((width, height): (u16, u16)) -> Areas {
    let area = Rect::new(0, 0, width, height);
    let [main, status, hints] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let direction = if width >= 150 {
        Direction::Horizontal
    } else {
        Direction::Vertical
    };
    let [list, details] = Layout::default()
        .direction(direction)
        .constraints([Constraint::Percentage(64), Constraint::Percentage(36)])
        .areas(main);
    let inner = Rect::new(
        list.x + 1,
        list.y + 1,
        list.width.saturating_sub(2),
        list.height.saturating_sub(2),
    );
    let list_body = Rect::new(
        inner.x,
        inner.y + 1,
        inner.width,
        inner.height.saturating_sub(1),
    );
    Areas {
        list,
        list_body,
        list_rows: usize::from(list_body.height),
        details,
        status,
        hints,
    }
}

/// The rows of the pane being scrolled (the help, the details, the
/// timeline) and how many show at once, from the state and the terminal
/// size alone, so that `update` stops at the last page.
pub fn scroll_extent(app: &App) -> (usize, usize) {
    match app.mode {
        Mode::Help(_) => help::extent(app, app.size),
        Mode::Details(_) if app.tab == Tab::Monitor => monitor::timeline_extent(app),
        Mode::Details(_) => details::extent(app, layout(app.size).details),
        _ => (0, 0),
    }
}

/// Draws the whole dashboard for the current state.
pub fn view(app: &App, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        // Short, and wrapped: the minimum is read even at 20x5.
        let text = format!(
            "Too small ({}x{}): needs at least {}x{}",
            area.width, area.height, MIN_SIZE.0, MIN_SIZE.1
        );
        frame.render_widget(
            Paragraph::new(Line::from(text)).wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    match &app.mode {
        Mode::FirstRun(first) => return firstrun::draw(app, first, frame),
        Mode::StartingDemo => return firstrun::draw_starting(frame),
        _ => {}
    }
    let areas = layout((area.width, area.height));
    if app.tab == Tab::Monitor {
        let main = Rect::new(0, 0, area.width, areas.status.y);
        monitor::draw(app, frame, main);
    } else {
        list::draw(app, frame, &areas);
        details::draw(app, frame, areas.details);
    }
    status::draw_status(app, frame, areas.status);
    status::draw_hints(app, frame, areas.hints);
    match &app.mode {
        Mode::Form(f) => form::draw(app, f, frame),
        Mode::Confirm(c) => popups::confirm(app, c, frame),
        Mode::Prompt(p) => popups::prompt(app, p, frame),
        Mode::UnzipPassword(p) => form::unzip_prompt(app, p, frame),
        Mode::Help(scroll) => help::draw(app, *scroll, frame),
        Mode::Curl(text) => popups::curl(app, text, frame),
        _ => {}
    }
}

/// Whole seconds from `now` until `at`, rounded up, never negative: a
/// countdown that shows 1 until the moment it is due.
fn seconds_until(at: jiff::Timestamp, now: jiff::Timestamp) -> i64 {
    let ms = at.duration_since(now).as_millis().max(0) as i64;
    (ms + 999) / 1000
}

/// A longer countdown as `4m59s` (or `59s`).
fn countdown(at: jiff::Timestamp, now: jiff::Timestamp) -> String {
    crate::progress::short_duration(seconds_until(at, now).unsigned_abs())
}

/// A Paragraph's scroll offset for a pane scrolled to row `top` (a
/// Paragraph counts rows in u16: past that, the last it can show).
fn offset(top: usize) -> (u16, u16) {
    (u16::try_from(top).unwrap_or(u16::MAX), 0)
}

/// A rectangle of at most `width` x `height`, centred in `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
