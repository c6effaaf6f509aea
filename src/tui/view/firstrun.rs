//! The first-run screen: where the config goes, and demo mode on offer.

use ratatui::Frame;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::{centered, style};
use crate::tui::app::{App, FirstRun};

/// Draws the welcome text instead of the dashboard.
pub fn draw(app: &App, first: &FirstRun, frame: &mut Frame) {
    let path = first.config_path.as_ref().map_or(
        "(no platform config dir; use --config PATH)".to_owned(),
        |p| p.display().to_string(),
    );
    let mut lines = vec![
        Line::styled(
            "Welcome to tae-rescan",
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Line::raw(""),
        Line::raw("There is no usable configuration yet."),
    ];
    if let Some(problem) = &first.problem {
        lines.push(Line::styled(
            format!("  {}", crate::text::sanitize(problem)),
            style::error(app.theme),
        ));
    }
    lines.extend([
        Line::raw(""),
        Line::raw("Put your TIP account in the config file:"),
        Line::styled(
            format!("  {path}"),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Line::raw("Start from config.example.toml (every key is explained there),"),
        Line::raw("or set TIP_USERNAME, TIP_PASSWORD and TIP_CLIENT_CERT."),
        Line::raw(""),
        Line::raw("Press d for demo mode: the embedded simulator, no account needed."),
        Line::raw("Press q to quit."),
    ]);
    let area = centered(frame.area(), 76, lines.len() as u16 + 2);
    frame.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(" tae-rescan "))
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// Shown for the moment demo mode takes to start.
pub fn draw_starting(frame: &mut Frame) {
    let area = centered(frame.area(), 40, 3);
    frame.render_widget(
        Paragraph::new("Starting demo mode…").block(Block::bordered()),
        area,
    );
}
