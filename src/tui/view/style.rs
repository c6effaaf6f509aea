//! Colours and symbols for outcomes and states; plain styles with `NO_COLOR`.

use ratatui::style::{Color, Modifier, Style};

use crate::tui::app::Theme;

/// Spinner frames, advanced by ticks while requests are in flight.
pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// A foreground colour, or nothing under `NO_COLOR`.
pub fn fg(theme: Theme, color: Color) -> Style {
    if theme.color {
        Style::new().fg(color)
    } else {
        Style::new()
    }
}

/// Dim text for secondary information.
pub fn dim(theme: Theme) -> Style {
    if theme.color {
        Style::new().fg(Color::DarkGray)
    } else {
        Style::new().add_modifier(Modifier::DIM)
    }
}

/// Errors and refusals.
pub fn error(theme: Theme) -> Style {
    fg(theme, Color::Red).add_modifier(Modifier::BOLD)
}

/// The highlighted row or button.
pub fn selected() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

/// Symbol and colour for an outcome label; the symbol alone tells them
/// apart without colour.
pub fn outcome(theme: Theme, label: &str) -> (&'static str, Style) {
    match label {
        "accepted" => ("✓", fg(theme, Color::Green)),
        "rejected" => ("✗", fg(theme, Color::Red)),
        "auth failed" | "certificate required" => ("⚿", fg(theme, Color::Red)),
        "failed or hung" => ("↻", fg(theme, Color::Yellow)),
        "legal block" => ("⊘", fg(theme, Color::Magenta)),
        "error" => ("!", fg(theme, Color::Red)),
        "interrupted" => ("?", fg(theme, Color::Yellow)),
        "in flight" => ("…", in_flight(theme)),
        _ => ("–", dim(theme)),
    }
}

/// Rows with a job in flight.
pub fn in_flight(theme: Theme) -> Style {
    fg(theme, Color::Cyan)
}
