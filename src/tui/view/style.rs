//! Colours and symbols for outcomes and states; plain styles with `NO_COLOR`.

use ratatui::style::{Color, Modifier, Style};

use crate::api::outcome::{OutcomeKind, Tone};
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

/// Symbol and style for an outcome; the symbol alone tells them apart
/// without colour.
pub fn outcome(theme: Theme, kind: OutcomeKind) -> (&'static str, Style) {
    (kind.symbol(), tone(theme, kind.tone()))
}

/// The dashboard's colours for the core's style classes.
fn tone(theme: Theme, tone: Tone) -> Style {
    match tone {
        Tone::Good => fg(theme, Color::Green),
        Tone::Bad => fg(theme, Color::Red),
        Tone::Warn => fg(theme, Color::Yellow),
        Tone::Blocked => fg(theme, Color::Magenta),
        Tone::Busy => in_flight(theme),
        Tone::Muted => dim(theme),
    }
}

/// Rows with a job in flight.
pub fn in_flight(theme: Theme) -> Style {
    fg(theme, Color::Cyan)
}
