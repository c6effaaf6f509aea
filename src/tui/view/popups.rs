//! Dialogs drawn over the dashboard: confirmations, prompts, help, curl.

use ratatui::Frame;
use ratatui::layout::Position;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::{centered, style};
use crate::tui::app::{App, Confirm, Prompt, PromptKind};

/// A confirmation listing what it is about, Cancel focused by default.
pub fn confirm(app: &App, c: &Confirm, frame: &mut Frame) {
    let title = c.title(&app.tasks.counts());
    let max_lines = usize::from(frame.area().height.saturating_sub(8)).clamp(1, 12);
    let mut lines: Vec<Line> = c
        .lines
        .iter()
        .take(max_lines)
        .map(|l| Line::raw(format!("  {l}")))
        .collect();
    if c.lines.len() > max_lines {
        lines.push(Line::styled(
            format!("  … and {} more", c.lines.len() - max_lines),
            style::dim(app.theme),
        ));
    }
    lines.push(Line::raw(""));
    let button = |label: &'static str, focused: bool| {
        if focused {
            Span::styled(label, style::selected())
        } else {
            Span::raw(label)
        }
    };
    lines.push(Line::from(vec![
        Span::raw("  "),
        button("[ Cancel ]", !c.yes_focused),
        Span::raw("   "),
        button("[ Yes (y) ]", c.yes_focused),
    ]));
    let width = c
        .lines
        .iter()
        .map(|l| l.chars().count() as u16 + 6)
        .max()
        .unwrap_or(0)
        .max(title.chars().count() as u16 + 6)
        .max(36);
    let area = centered(frame.area(), width, lines.len() as u16 + 2);
    frame.render_widget(Clear, area);
    let title = Span::styled(
        format!(" {title} "),
        Style::new().add_modifier(Modifier::BOLD),
    );
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(title)),
        area,
    );
}

/// A one-line prompt with a cursor.
pub fn prompt(_app: &App, p: &Prompt, frame: &mut Frame) {
    let title = match p.kind {
        PromptKind::AddIds => " Add task ids (type or paste; several at once) ",
        PromptKind::ImportPath => " Import tasks from a file (list, CSV or JSON) ",
        PromptKind::ExportPath => {
            " Export the history shown to a new file (.csv = CSV, else JSON lines) "
        }
    };
    let area = centered(frame.area(), 72, 3);
    frame.render_widget(Clear, area);
    let shown = crate::text::sanitize(p.input.value());
    frame.render_widget(
        Paragraph::new(format!(" {shown}")).block(Block::bordered().title(title)),
        area,
    );
    let before: usize = p
        .input
        .value()
        .chars()
        .take(p.input.cursor())
        .map(|c| crate::text::sanitize(&c.to_string()).chars().count())
        .sum();
    let x = (area.x + 2 + before as u16).min(area.x + area.width.saturating_sub(2));
    frame.set_cursor_position(Position::new(x, area.y + 1));
}

/// Every key, grouped.
pub fn help(app: &App, frame: &mut Frame) {
    let section = |t: &'static str| Line::styled(t, Style::new().add_modifier(Modifier::BOLD));
    let key = |k: &'static str, what: &'static str| {
        Line::from(vec![
            Span::styled(
                format!("  {k:<16}"),
                style::fg(app.theme, ratatui::style::Color::Cyan),
            ),
            Span::raw(what),
        ])
    };
    let lines = vec![
        section("Moving"),
        key("↑ ↓  j k", "previous / next task"),
        key("PgUp PgDn", "page up / down"),
        key("Home End  g G", "first / last task"),
        key("mouse", "click selects, wheel scrolls"),
        section("Tasks"),
        key(
            "a",
            "add ids (typing or pasting; a multi-line paste adds all)",
        ),
        key(
            "i",
            "import a file: plain list, CSV (task_id, label, url), JSON",
        ),
        key("d", "delete the selected or marked tasks (asks first)"),
        key("space", "mark / unmark"),
        key("*", "mark all visible"),
        key("u", "clear marks"),
        key("/", "filter by id, label, url, outcome (Esc clears)"),
        section("Rescanning"),
        key("e  Enter", "edit rescan parameters (selected or marked)"),
        key("r", "rescan the selected or marked tasks"),
        key("R", "re-send those that ended failed or hung / error"),
        key("c", "cancel those not finished"),
        key("y", "show the request as curl and copy it (secrets as ***)"),
        section("Monitoring (Tab, 1, 2 switch)"),
        key("w", "window: 15 min, 1 h, 24 h, all"),
        key("o", "outcome filter"),
        key("/", "text filter over task id, error, description"),
        key(
            "x",
            "export the history shown (CSV for .csv, else JSON lines)",
        ),
        section("Other"),
        key("?", "this help"),
        key("q  Ctrl-C", "quit (asks while requests are in flight)"),
    ];
    let area = centered(frame.area(), 78, lines.len() as u16 + 2);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Keys (Esc closes) ")),
        area,
    );
}

/// The curl command for the selected task.
pub fn curl(app: &App, text: &str, frame: &mut Frame) {
    let lines = vec![
        Line::raw(crate::text::sanitize(text)),
        Line::raw(""),
        Line::styled(
            "Copied to the clipboard (OSC 52). Password and unzip password are shown as ***.",
            style::dim(app.theme),
        ),
    ];
    let area = centered(frame.area(), 100, 8);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(" Request as curl ")),
        area,
    );
}
