//! The task list: only the rows on screen are built, so drawing costs the
//! same for a hundred tasks as for a hundred thousand.

use ratatui::Frame;
use ratatui::layout::Constraint;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Row, Table};

use super::Areas;
use super::style::{self, SPINNER};
use crate::api::outcome::NEVER_SENT;
use crate::tui::app::{App, Mode, RowState, TaskRow};
use crate::tui::keymap::Action;

/// Draws the list with its header and title (counts, marks, filter).
pub fn draw(app: &App, frame: &mut Frame, areas: &Areas) {
    let theme = app.theme;
    let mut title = vec![Span::raw(format!(
        " [1 Tasks {}/{}] 2 Monitor ",
        app.tasks.visible().len(),
        app.tasks.len()
    ))];
    if app.loading {
        let spin = SPINNER[(app.tick % SPINNER.len() as u64) as usize];
        title.push(Span::styled(
            format!("{spin} loading… "),
            style::in_flight(theme),
        ));
    }
    if app.tasks.marked() > 0 {
        title.push(Span::raw(format!("· {} marked ", app.tasks.marked())));
    }
    if let Some(sort) = app.tasks.sort().title() {
        title.push(Span::raw(format!("· {sort} ")));
    }
    let filtering = matches!(app.mode, Mode::Filter);
    let filter = app.tasks.filter().value();
    if filtering || !filter.is_empty() {
        let text = crate::text::sanitize(filter);
        title.push(Span::styled(
            format!("· filter: {text}{} ", if filtering { "▏" } else { "" }),
            style::fg(theme, ratatui::style::Color::Yellow),
        ));
    }
    if let Some(e) = app.tasks.filter_error() {
        // What is wrong with the text as typed; the list keeps the filter
        // that last could be read.
        title.push(Span::styled(
            format!("· {} ", crate::text::sanitize(&e.to_string())),
            style::fg(theme, ratatui::style::Color::Red),
        ));
    }
    let block = Block::bordered().title(Line::from(title));
    let id_width = id_column_width(app, areas.list.width);
    let (visible, offset) = (app.tasks.visible(), app.tasks.offset());
    let end = (offset + areas.list_rows).min(visible.len());
    let rows: Vec<Row> = visible[offset.min(end)..end]
        .iter()
        .enumerate()
        .map(|(n, &at)| {
            let row = render_row(app, &app.tasks.rows()[at], id_width);
            if offset + n == app.tasks.selected() {
                row.style(style::selected())
            } else {
                row
            }
        })
        .collect();
    let header = Row::new(["", "TASK ID", "LABEL", "LAST OUTCOME", "WHEN"])
        .style(Style::new().add_modifier(Modifier::BOLD));
    let widths = [
        Constraint::Length(1),
        Constraint::Length(id_width as u16),
        Constraint::Fill(1),
        Constraint::Length(22),
        Constraint::Length(14),
    ];
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .column_spacing(1);
    frame.render_widget(table, areas.list);
    if visible.is_empty() {
        let key = |action| app.keys.key_for(action);
        let hint = if app.loading {
            "Loading tasks and history…".to_owned()
        } else if app.tasks.is_empty() {
            format!(
                "No tasks yet: press {} to add ids (or paste them), {} to import a file.",
                key(Action::Add),
                key(Action::Import)
            )
        } else {
            format!(
                "No task matches the filter ({} clears it).",
                key(Action::ClearFilter)
            )
        };
        frame.render_widget(Line::styled(hint, style::dim(theme)), areas.list_body);
    }
}

/// Columns other than id and label, and the gaps between all five.
const FIXED_COLUMNS: usize = 1 + 22 + 14 + 4;
/// The label keeps at least this much.
const LABEL_MIN: usize = 8;

/// As wide as the longest id (tracked as tasks are added), as far as the
/// terminal allows.
fn id_column_width(app: &App, list_width: u16) -> usize {
    let inner = usize::from(list_width.saturating_sub(2));
    app.tasks
        .id_width()
        .max(7)
        .min(inner.saturating_sub(FIXED_COLUMNS + LABEL_MIN))
        .max(4)
}

/// The id, cut with a visible `…` when the column is narrower.
fn fit(id: &str, width: usize) -> String {
    if id.len() <= width {
        id.to_owned()
    } else {
        format!("{}…", &id[..width.saturating_sub(1)])
    }
}

fn render_row<'a>(app: &App, row: &'a TaskRow, id_width: usize) -> Row<'a> {
    let theme = app.theme;
    let mark = if row.marked() { "●" } else { " " };
    let outcome = match row.state() {
        RowState::Idle => match row.last() {
            Some(a) => {
                let (symbol, st) = style::outcome(theme, a.outcome);
                Cell::from(Span::styled(format!("{symbol} {}", a.outcome), st))
            }
            None => Cell::from(Span::styled(format!("  {NEVER_SENT}"), style::dim(theme))),
        },
        state => {
            let spin = SPINNER[(app.tick % SPINNER.len() as u64) as usize];
            let text = match state {
                RowState::Queued => "queued".to_owned(),
                RowState::Sending { attempt: 1 } => "sending".to_owned(),
                RowState::Sending { attempt } => format!("sending (try {attempt})"),
                RowState::Answered => "answered".to_owned(),
                RowState::Retrying { at, .. } => {
                    format!("retry in {}s", super::seconds_until(at, app.now))
                }
                RowState::Resending { at } => {
                    format!("re-send in {}", super::countdown(at, app.now))
                }
                RowState::Idle => String::new(),
            };
            Cell::from(Span::styled(
                format!("{spin} {text}"),
                style::in_flight(theme),
            ))
        }
    };
    let when = row
        .last()
        .map(|a| {
            a.time
                .to_zoned(app.tz.clone())
                .strftime("%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default();
    Row::new(vec![
        Cell::from(mark),
        Cell::from(fit(row.id.as_str(), id_width)),
        Cell::from(&*row.label),
        outcome,
        Cell::from(Span::styled(when, style::dim(theme))),
    ])
}
