//! The first-run screen: where the config goes, and demo mode on offer.

use ratatui::Frame;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

use super::wrap::wrap;
use super::{centered, style};
use crate::tui::app::{App, FirstRun};
use crate::tui::keymap::Action;

/// The box's widest.
const WIDTH: u16 = 76;

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
    ]);
    // The keys as the key map has them (`[keys]` may move them).
    let key = |action| app.keys.keys(action).first().map(ToString::to_string);
    if let Some(demo) = key(Action::Demo) {
        lines.push(Line::raw(format!(
            "Press {demo} for demo mode: the embedded simulator, no account needed."
        )));
    }
    if let Some(quit) = key(Action::Quit) {
        lines.push(Line::raw(format!("Press {quit} to quit.")));
    }
    // Wrapped here, so the box grows by the rows a long problem takes and
    // the keys below it stay in.
    let inner = usize::from(frame.area().width.min(WIDTH).saturating_sub(2));
    let lines: Vec<Line> = lines
        .into_iter()
        .flat_map(|line| {
            let style = line
                .style
                .patch(line.spans.first().map_or_else(Style::new, |s| s.style));
            let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
            wrap(&text, inner, "    ")
                .into_iter()
                .map(move |row| Line::styled(row, style))
        })
        .collect();
    let area = centered(frame.area(), WIDTH, lines.len() as u16 + 2);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" tae-rescan ")),
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
