//! The details pane: the selected task, its pending parameters and every
//! rescan it had, newest first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::style;
use crate::text::sanitize;
use crate::tui::app::{App, RowState, TaskRow};

/// Draws the pane for the selected task.
pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let block = Block::bordered().title(" Details ");
    let Some(row) = app.selected_row() else {
        frame.render_widget(Paragraph::new("").block(block), area);
        return;
    };
    let lines = lines(app, row, area.height.saturating_sub(2) as usize);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
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
        out.push(field("label", row.label.clone()));
    }
    if let Some(url) = &row.url {
        out.push(field("task url", url.clone()));
    }
    let pending = row.params_text();
    out.push(field(
        "next send",
        if pending.is_empty() {
            "no parameters (keeps previous values)".into()
        } else {
            pending
        },
    ));
    let state = match row.state {
        RowState::Idle => "idle".to_owned(),
        RowState::Queued => "queued".to_owned(),
        RowState::Sending { attempt } => format!("sending (attempt {attempt})"),
        RowState::Retrying { attempt, at } => {
            format!(
                "attempt {attempt} failed; retry in {}s",
                super::seconds_until(at, app.now)
            )
        }
    };
    out.push(field("state", state));
    out.push(Line::raw(""));
    if row.history.is_empty() {
        out.push(Line::styled(
            "Not rescanned yet. r sends it.",
            style::dim(theme),
        ));
        return out;
    }
    out.push(Line::styled(
        format!("Rescans ({}), newest first", row.history.len()),
        Style::new().add_modifier(Modifier::BOLD),
    ));
    for a in row.history.iter().rev() {
        if out.len() >= budget.max(8) {
            break;
        }
        let (symbol, st) = style::outcome(theme, &a.outcome);
        let when = a
            .time
            .to_zoned(app.tz.clone())
            .strftime("%Y-%m-%d %H:%M:%S")
            .to_string();
        let status = a.status.map_or("—".to_owned(), |s| s.to_string());
        let tries = if a.attempts == 1 {
            "1 try".to_owned()
        } else {
            format!("{} tries", a.attempts)
        };
        out.push(Line::from(vec![
            Span::styled(format!("{symbol} {}", a.outcome.label()), st),
            Span::raw(format!(
                "  {when}  HTTP {status}  {tries}  {} ms",
                a.elapsed.as_millis()
            )),
        ]));
        // Server text was sanitised when it arrived; sanitising again here
        // (idempotent) keeps the screen safe whatever the source.
        let mut detail = a.outcome.description();
        if let Some(e) = a.outcome.error_id() {
            detail = format!("{e}: {detail}");
        }
        out.push(Line::raw(format!("  {}", sanitize(&detail))));
        if let Some(id) = a.outcome.new_task_id() {
            out.push(Line::raw(format!("  new task id: {}", sanitize(id))));
        }
        if let Some(body) = a.outcome.body() {
            out.push(Line::styled(
                format!("  body: {}", sanitize(body)),
                style::dim(theme),
            ));
        }
        out.push(Line::styled(
            format!(
                "  sent: {}",
                if a.params.is_empty() {
                    "no parameters"
                } else {
                    &a.params
                }
            ),
            style::dim(theme),
        ));
    }
    out
}
