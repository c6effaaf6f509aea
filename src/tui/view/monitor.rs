//! The monitoring tab: outcome counts for the chosen window, outcomes over
//! time, what is in flight, the latest failures, and the selected task's
//! timeline.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Sparkline};

use super::details::record_lines;
use super::style;
use crate::api::outcome::{NEVER_SENT, OutcomeKind};
use crate::store::MonitorData;
use crate::tui::app::{App, AttemptRecord, Mode};
use crate::tui::keymap::Action;

/// Draws the tab into `area` (everything above the status bar).
pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let m = &app.monitor;
    let filtering = matches!(app.mode, Mode::Filter);
    let text = crate::text::sanitize(m.text.value());
    let key = |action| app.keys.key_for(action);
    let title = format!(
        " 1 Tasks [2 Monitor] · window {} ({}) · outcome {} ({}) · filter {}{} ({}) ",
        m.window.label(),
        key(Action::Window),
        m.outcome.map_or("all", OutcomeKind::label),
        key(Action::Outcome),
        if text.is_empty() && !filtering {
            "none".to_owned()
        } else {
            text
        },
        if filtering { "▏" } else { "" },
        key(Action::Filter),
    );
    let block = Block::bordered().title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(data) = &m.data else {
        frame.render_widget(
            Line::styled("Reading the history…", style::dim(app.theme)),
            inner,
        );
        return;
    };
    let [counts, live, chart, failures, timeline] = sections(inner);
    frame.render_widget(Paragraph::new(count_lines(app, data)), counts);
    let c = app.tasks.counts();
    let live_line = format!(
        "Now: {} queued · {} sending · {} waiting to retry or re-send",
        c.queued, c.sending, c.waiting
    );
    frame.render_widget(Line::styled(live_line, style::in_flight(app.theme)), live);
    draw_chart(app, data, frame, chart);
    draw_failures(app, data, frame, failures);
    draw_timeline(app, frame, timeline);
}

/// The tab's parts inside its border: counts, live line, chart, failures,
/// timeline.
fn sections(inner: Rect) -> [Rect; 5] {
    Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(5),
        Constraint::Min(4),
        Constraint::Min(4),
    ])
    .areas(inner)
}

/// The timeline's rows and how many show at once, on the terminal's size.
pub fn timeline_extent(app: &App) -> (usize, usize) {
    let status = super::layout(app.size).status;
    let tab = Block::bordered().inner(Rect::new(0, 0, app.size.0, status.y));
    let area = sections(tab)[4];
    (
        timeline_lines(app).len(),
        usize::from(area.height.saturating_sub(2)),
    )
}

fn count_lines(app: &App, data: &MonitorData) -> Vec<Line<'static>> {
    let total: u64 = data.counts.iter().map(|(_, n)| n).sum();
    let mut spans = vec![Span::styled(
        format!("{total} rescans: "),
        Style::new().add_modifier(Modifier::BOLD),
    )];
    for (kind, n) in &data.counts {
        let (symbol, st) = style::outcome(app.theme, *kind);
        spans.push(Span::styled(format!("{symbol} {kind} {n}"), st));
        spans.push(Span::raw("   "));
    }
    if data.counts.is_empty() {
        spans.push(Span::styled("none in this window", style::dim(app.theme)));
    }
    vec![Line::from(spans), tasks_now(app)]
}

/// Tasks by their last outcome now, from the task list: a task rescanned
/// ten times counts once, under how it ended last.
fn tasks_now(app: &App) -> Line<'static> {
    let outcomes: Vec<(OutcomeKind, usize)> = app.tasks.outcomes().collect();
    let mut spans = vec![Span::styled(
        "Tasks now: ",
        Style::new().add_modifier(Modifier::BOLD),
    )];
    for (kind, n) in &outcomes {
        let (symbol, st) = style::outcome(app.theme, *kind);
        spans.push(Span::styled(format!("{symbol} {kind} {n}"), st));
        spans.push(Span::raw("   "));
    }
    let never = app.tasks.len() - outcomes.iter().map(|(_, n)| n).sum::<usize>();
    if never > 0 || outcomes.is_empty() {
        spans.push(Span::styled(
            format!("{NEVER_SENT} {never}"),
            style::dim(app.theme),
        ));
    }
    Line::from(spans)
}

/// Two sparklines, accepted and not accepted, one column per bucket up to now.
fn draw_chart(app: &App, data: &MonitorData, frame: &mut Frame, area: Rect) {
    let (width, name) = app.monitor.window.bucket();
    let block = Block::bordered().title(format!(" Outcomes {name} "));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let label_w = 17u16;
    let columns = usize::from(inner.width.saturating_sub(label_w)).max(1);
    let width_ms = width.as_millis() as i64;
    let last = app.now.as_millisecond() / width_ms * width_ms;
    let first = last - width_ms * (columns as i64 - 1);
    let mut accepted = vec![0u64; columns];
    let mut other = vec![0u64; columns];
    for b in data
        .buckets
        .iter()
        .filter(|b| b.start >= first && b.start <= last)
    {
        let at = ((b.start - first) / width_ms) as usize;
        accepted[at] += b.accepted;
        other[at] += b.other;
    }
    let rows = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .split(inner);
    let series = [
        (OutcomeKind::Accepted.label(), accepted, Color::Green),
        ("not accepted", other, Color::Red),
    ];
    for (n, (label, values, color)) in series.into_iter().enumerate() {
        let [name_area, spark_area] =
            Layout::horizontal([Constraint::Length(label_w), Constraint::Min(1)]).areas(rows[n]);
        let peak = values.iter().max().copied().unwrap_or(0);
        frame.render_widget(Line::raw(format!("{label:<13}{peak:>3}")), name_area);
        frame.render_widget(
            Sparkline::default()
                .data(&values)
                .style(style::fg(app.theme, color)),
            spark_area,
        );
    }
    frame.render_widget(
        Line::styled(
            "max per bucket on the left; newest on the right",
            style::dim(app.theme),
        ),
        rows[2],
    );
}

fn draw_failures(app: &App, data: &MonitorData, frame: &mut Frame, area: Rect) {
    let block = Block::bordered().title(" Latest failures ");
    let lines: Vec<Line> = data
        .failures
        .iter()
        .map(|r| {
            let a = AttemptRecord::from_history(r);
            let (symbol, st) = style::outcome(app.theme, a.outcome);
            let when = a
                .time
                .to_zoned(app.tz.clone())
                .strftime("%m-%d %H:%M:%S")
                .to_string();
            Line::from(vec![
                Span::styled(format!("{when}  "), style::dim(app.theme)),
                Span::raw(format!("{:<34} ", crate::text::sanitize(&r.task_id))),
                Span::styled(format!("{symbol} {:<20} ", a.outcome), st),
                Span::raw(crate::text::sanitize(a.description())),
            ])
        })
        .collect();
    let lines = if lines.is_empty() {
        vec![Line::styled("none", style::dim(app.theme))]
    } else {
        lines
    };
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn draw_timeline(app: &App, frame: &mut Frame, area: Rect) {
    let Some(row) = app.tasks.selected_row() else {
        frame.render_widget(
            Paragraph::new("Select a task (j/k) to see its timeline.").block(Block::bordered()),
            area,
        );
        return;
    };
    let lines = timeline_lines(app);
    let page = usize::from(area.height.saturating_sub(2));
    let name = format!("Timeline of {}", row.id);
    let (title, top) = match app.mode {
        Mode::Details(scroll) => {
            let top = scroll.top.min(lines.len().saturating_sub(page));
            let shown = Some((top, page, lines.len()));
            (super::details::scrolled_title(app, &name, shown, true), top)
        }
        _ if lines.len() > page => (
            format!(
                " {name} ({} scrolls, j/k choose the task) ",
                app.keys.key_for(Action::Details)
            ),
            0,
        ),
        _ => (format!(" {name} (j/k choose the task) "), 0),
    };
    let mut block = Block::bordered().title(title);
    if matches!(app.mode, Mode::Details(_)) {
        block = block.border_style(style::fg(app.theme, Color::Cyan));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .scroll(super::offset(top))
            .block(block),
        area,
    );
}

/// The selected task's rescans, a few lines each, newest first.
fn timeline_lines(app: &App) -> Vec<Line<'static>> {
    let Some(row) = app.tasks.selected_row() else {
        return vec![];
    };
    let records = app
        .history
        .as_ref()
        .filter(|h| h.task == row.id)
        .map(|h| h.records.as_slice())
        .unwrap_or_default();
    let mut lines = Vec::new();
    for a in records {
        lines.extend(record_lines(app, a));
    }
    if lines.is_empty() {
        lines.push(Line::styled(
            "No rescans recorded for this task.",
            style::dim(app.theme),
        ));
    }
    lines
}
