//! The details pane: the selected task, its pending parameters and every
//! rescan it had, newest first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::style;
use crate::text::sanitize;
use crate::tui::app::{App, AttemptRecord, Mode, RowState, TaskRow};
use crate::tui::keymap::Action;

/// What the details say of a task whose unzip password was not kept.
const UNZIP_PASSWORD_NOT_KEPT: &str = "unzip password not kept";

/// Draws the pane for the selected task, scrolled while it has the keys.
pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let Some(row) = app.tasks.selected_row() else {
        let block = Block::bordered().title(" Details ");
        frame.render_widget(Paragraph::new("").block(block), area);
        return;
    };
    let page = usize::from(area.height.saturating_sub(2));
    let scroll = match app.mode {
        Mode::Details(scroll) => Some(scroll.top),
        _ => None,
    };
    // Lines enough for the rows shown and one more, to tell there are more.
    let wanted = scroll.unwrap_or(0) + page + 1;
    let text = Paragraph::new(lines(app, row, wanted)).wrap(Wrap { trim: false });
    let rows = text.line_count(area.width.saturating_sub(2));
    let top = scroll.unwrap_or(0).min(rows.saturating_sub(page));
    let title = scrolled_title(
        app,
        "Details",
        scroll.map(|_| (top, page, rows)),
        rows > page,
    );
    let mut block = Block::bordered().title(title);
    if scroll.is_some() {
        block = block.border_style(style::fg(app.theme, Color::Cyan));
    }
    frame.render_widget(text.scroll(super::offset(top)).block(block), area);
}

/// The details' rows and how many show at once in `area`.
pub fn extent(app: &App, area: Rect) -> (usize, usize) {
    let Some(row) = app.tasks.selected_row() else {
        return (0, 0);
    };
    let rows = Paragraph::new(lines(app, row, usize::MAX))
        .wrap(Wrap { trim: false })
        .line_count(area.width.saturating_sub(2));
    (rows, usize::from(area.height.saturating_sub(2)))
}

/// A scrollable pane's title: where it is while it has the keys
/// (`shown`: top, page, rows), else the key that gives them to it when
/// there is more than fits.
pub(super) fn scrolled_title(
    app: &App,
    name: &str,
    shown: Option<(usize, usize, usize)>,
    more: bool,
) -> String {
    match shown {
        Some((top, page, rows)) => format!(
            " {name} {}–{} of {rows} ({} back) ",
            (top + 1).min(rows),
            (top + page).min(rows),
            app.keys.key_for(Action::Close)
        ),
        None if more => format!(" {name} ({} scrolls) ", app.keys.key_for(Action::Details)),
        None => format!(" {name} "),
    }
}

fn field<'a>(name: &'a str, value: String) -> Line<'a> {
    Line::from(vec![
        Span::styled(
            format!("{name:<11}"),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Span::raw(value),
    ])
}

fn lines<'a>(app: &App, row: &'a TaskRow, budget: usize) -> Vec<Line<'a>> {
    let theme = app.theme;
    let mut out = vec![field("task", row.id.to_string())];
    if !row.label.is_empty() {
        out.push(field("label", row.label.to_string()));
    }
    if let Some(url) = &row.url {
        out.push(field("task url", url.to_string()));
    }
    let pending = row.params_text();
    let pending = if pending.is_empty() {
        "no parameters (keeps previous values)".into()
    } else {
        pending
    };
    out.push(field("next send", pending));
    if row.unzip_password_not_kept() {
        out.push(Line::from(vec![
            Span::raw(format!("{:<11}", "")),
            Span::styled(UNZIP_PASSWORD_NOT_KEPT, style::error(theme)),
            Span::styled(": r asks for it again", style::dim(theme)),
        ]));
    }
    out.push(field("state", state_text(app, row.state())));
    out.push(Line::raw(""));
    let loaded = app
        .history
        .as_ref()
        .filter(|h| h.task == row.id)
        .map(|h| h.records.as_slice());
    let records: Vec<&AttemptRecord> = match loaded {
        Some(records) if !records.is_empty() => records.iter().collect(),
        _ => row.last().into_iter().collect(),
    };
    if records.is_empty() {
        let rescan = app.keys.key_for(Action::Rescan);
        out.push(Line::styled(
            format!("Not rescanned yet. {rescan} sends it."),
            style::dim(theme),
        ));
        return out;
    }
    let title = match loaded {
        Some(all) => format!("Rescans ({}), newest first", all.len()),
        None => "Last rescan (reading the history…)".to_owned(),
    };
    out.push(Line::styled(
        title,
        Style::new().add_modifier(Modifier::BOLD),
    ));
    for a in records {
        if out.len() >= budget.max(8) {
            break;
        }
        out.extend(record_lines(app, a));
    }
    out
}

/// What a row is doing, in words.
fn state_text(app: &App, state: RowState) -> String {
    match state {
        RowState::Idle => "idle".to_owned(),
        RowState::Queued => "queued".to_owned(),
        RowState::Sending { attempt } => format!("sending (attempt {attempt})"),
        RowState::Answered => "answered; recording the outcome".to_owned(),
        RowState::Retrying { attempt, at } => {
            format!(
                "attempt {attempt} failed; retry in {}s",
                super::seconds_until(at, app.now)
            )
        }
        RowState::Resending { at } => {
            format!(
                "failed or hung; sent again in {} (c cancels)",
                super::countdown(at, app.now)
            )
        }
    }
}

/// One rescan in a few lines: outcome, when, status, tries, time; what it
/// means; new id and body; what was sent. Shared with the monitoring view.
pub(super) fn record_lines<'a>(app: &App, a: &AttemptRecord) -> Vec<Line<'a>> {
    let theme = app.theme;
    let (symbol, st) = style::outcome(theme, a.outcome);
    let when = a
        .time
        .to_zoned(app.tz.clone())
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string();
    let status = a.status.map_or("—".to_owned(), |s| s.to_string());
    let tries = crate::text::counted(a.attempts, "try", "tries");
    let took = a
        .elapsed
        .map(|e| format!("  {} ms", e.as_millis()))
        .unwrap_or_default();
    let mut out = vec![Line::from(vec![
        Span::styled(format!("{symbol} {}", a.outcome), st),
        Span::raw(format!("  {when}  HTTP {status}  {tries}{took}")),
    ])];
    // Server text was sanitised when it arrived; sanitising again here
    // (idempotent) keeps the screen safe whatever the source.
    let detail = match a.error() {
        Some(e) => format!("{e}: {}", a.description()),
        None => a.description().to_owned(),
    };
    out.push(Line::raw(format!("  {}", sanitize(&detail))));
    if let Some(id) = a.new_task_id() {
        out.push(Line::raw(format!("  new task id: {}", sanitize(id))));
    }
    if let Some(body) = a.body() {
        out.push(Line::styled(
            format!("  body: {}", sanitize(body)),
            style::dim(theme),
        ));
    }
    let sent = if a.params().is_empty() {
        "no parameters"
    } else {
        a.params()
    };
    out.push(Line::styled(format!("  sent: {sent}"), style::dim(theme)));
    out
}
