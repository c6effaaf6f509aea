//! Dialogs drawn over the dashboard: confirmations, prompts, curl.

use ratatui::Frame;
use ratatui::layout::Position;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::wrap::sideways;
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
    let pieces: Vec<String> = p
        .input
        .value()
        .chars()
        .map(|c| crate::text::sanitize(&c.to_string()))
        .collect();
    let width = usize::from(area.width.saturating_sub(3));
    let (shown, at) = sideways(&pieces, p.input.cursor(), width);
    frame.render_widget(
        Paragraph::new(format!(" {shown}")).block(Block::bordered().title(title)),
        area,
    );
    frame.set_cursor_position(Position::new(area.x + 2 + at as u16, area.y + 1));
}

/// The curl command for the selected task.
pub fn curl(app: &App, text: &str, frame: &mut Frame) {
    let lines = vec![
        Line::raw(crate::text::sanitize(text)),
        Line::raw(""),
        Line::styled(
            "Copied to the clipboard (OSC 52). curl asks for the password; an unzip password shows as ***.",
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
