//! The help popup: the keys of the tab it was opened on, grouped, with the
//! action names `[keys]` takes, all from the key map; scrolled when the
//! terminal is shorter than the list.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::wrap::{columns, wrap};
use super::{centered, style};
use crate::tui::app::{App, Scroll, Tab};
use crate::tui::keymap::{HelpLine, KeyMode};

/// The width the action names are padded to.
const ACTION_WIDTH: usize = 15;

/// Draws the help over the dashboard, from row `scroll.top`.
pub fn draw(app: &App, scroll: Scroll, frame: &mut Frame) {
    let (lines, area) = laid_out(app, frame.area());
    let page = usize::from(area.height.saturating_sub(2));
    let top = scroll.top.min(lines.len().saturating_sub(page));
    let title = if lines.len() > page {
        format!(
            " Keys (Esc closes) {}–{} of {} ",
            top + 1,
            (top + page).min(lines.len()),
            lines.len()
        )
    } else {
        " Keys (Esc closes) ".to_owned()
    };
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .scroll(super::offset(top))
            .block(Block::bordered().title(title)),
        area,
    );
}

/// The help's rows and how many show at once on a screen of `size`.
pub fn extent(app: &App, size: (u16, u16)) -> (usize, usize) {
    let (lines, area) = laid_out(app, Rect::new(0, 0, size.0, size.1));
    (lines.len(), usize::from(area.height.saturating_sub(2)))
}

/// The rows, their descriptions wrapped to what `screen` leaves, and the
/// popup's place: above the status bar and the hint line, which say how to
/// scroll and close it.
fn laid_out(app: &App, screen: Rect) -> (Vec<Line<'static>>, Rect) {
    let screen = Rect {
        height: super::layout((screen.width, screen.height)).status.y,
        ..screen
    };
    let mode = match app.tab {
        Tab::Tasks => KeyMode::Tasks,
        Tab::Monitor => KeyMode::Monitor,
    };
    let help = app.keys.help(mode);
    let key_width = help
        .iter()
        .filter_map(|l| match l {
            HelpLine::Key { keys, .. } => Some(keys.chars().count()),
            HelpLine::Section(_) => None,
        })
        .max()
        .unwrap_or(0)
        .max(10);
    let lead = 2 + key_width + 2 + ACTION_WIDTH + 1;
    let widest = help
        .iter()
        .map(|l| match l {
            HelpLine::Key { what, .. } => lead + columns(what),
            HelpLine::Section(title) => columns(title),
        })
        .max()
        .unwrap_or(0);
    let inner = usize::from(screen.width.saturating_sub(2));
    // What a key does wraps under itself when the screen is narrower.
    let what_width = inner.saturating_sub(lead).max(12);
    let mut lines = Vec::new();
    for line in help {
        match line {
            HelpLine::Section(title) => lines.push(Line::styled(
                title,
                Style::new().add_modifier(Modifier::BOLD),
            )),
            HelpLine::Key { keys, action, what } => {
                let mut rows = wrap(what, what_width, "").into_iter();
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("  {keys:<key_width$}  "),
                        style::fg(app.theme, Color::Cyan),
                    ),
                    Span::styled(format!("{action:<ACTION_WIDTH$} "), style::dim(app.theme)),
                    Span::raw(rows.next().unwrap_or_default()),
                ]));
                lines.extend(rows.map(|row| Line::raw(format!("{:lead$}{row}", ""))));
            }
        }
    }
    let width = (widest.min(lead + what_width) + 2) as u16;
    let area = centered(screen, width, lines.len() as u16 + 2);
    (lines, area)
}
