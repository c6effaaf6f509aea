//! The monitoring tab: outcome counts for the chosen window, outcomes over
//! time, what is in flight, the failures by reason, and the selected task's
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
use crate::tui::app::{App, Mode};
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
    draw_failures(app, frame, failures);
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

/// The failures list's rows (inside its border) on a terminal of `size`,
/// from the size alone, so that `update` (paging, clicks) and `view` agree.
pub fn failures_body(size: (u16, u16)) -> Rect {
    let main = Rect::new(0, 0, size.0, super::layout(size).status.y);
    Block::bordered().inner(sections(Block::bordered().inner(main))[3])
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

/// How many of a group's newest tasks its row names.
const NEWEST_SHOWN: usize = 3;

/// The failures by reason, as the tasks stand now: one row per group with
/// its count and its newest tasks; selectable once focused (`f`).
fn draw_failures(app: &App, frame: &mut Frame, area: Rect) {
    let m = &app.monitor;
    let theme = app.theme;
    let key = |action| app.keys.key_for(action);
    let groups = app.tasks.failure_groups();
    let title = if m.failures_focused {
        format!(
            " Failures now, by reason · {} shows a group's tasks · {} back to the timeline ",
            key(Action::Choose),
            key(Action::Failures)
        )
    } else {
        format!(
            " Failures now, by reason ({} to choose) ",
            key(Action::Failures)
        )
    };
    let mut block = Block::bordered().title(title);
    if m.failures_focused {
        block = block.border_style(style::fg(theme, Color::Yellow));
    }
    let body = block.inner(area);
    frame.render_widget(block, area);
    if groups.is_empty() {
        frame.render_widget(Line::styled("none", style::dim(theme)), body);
        return;
    }
    let page = usize::from(body.height).max(1);
    let offset = m.failure_offset.min(groups.len().saturating_sub(page));
    let selected = m.failure.min(groups.len() - 1);
    let shown = &groups[offset..(offset + page).min(groups.len())];
    let reasons: Vec<_> = shown.iter().map(|g| &g.reason).collect();
    let newest = app.tasks.newest_in(&reasons, NEWEST_SHOWN);
    let lines: Vec<Line> = shown
        .iter()
        .zip(newest)
        .enumerate()
        .map(|(n, (group, newest))| {
            let (symbol, st) = style::outcome(theme, group.reason.outcome);
            let name = match &group.reason.error {
                Some(e) if e.is_empty() => format!("{} · no error named", group.reason.outcome),
                Some(e) => format!("{} · {}", group.reason.outcome, crate::text::sanitize(e)),
                None => group.reason.outcome.label().to_owned(),
            };
            let count = crate::text::tasks(group.tasks);
            let mut ids: Vec<String> = newest
                .iter()
                .map(|r| crate::text::sanitize(r.id.as_str()))
                .collect();
            if group.tasks > ids.len() {
                ids.push("…".into());
            }
            let line = Line::from(vec![
                Span::styled(format!("{symbol} {name:<36} "), st),
                Span::raw(format!("{count:>11}   ")),
                Span::styled(
                    format!("newest first: {}", ids.join(", ")),
                    style::dim(theme),
                ),
            ]);
            if m.failures_focused && offset + n == selected {
                line.style(style::selected())
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), body);
}

fn draw_timeline(app: &App, frame: &mut Frame, area: Rect) {
    let Some(row) = app.tasks.selected_row() else {
        frame.render_widget(
            Paragraph::new("Select a task (j/k) to see its timeline.").block(Block::bordered()),
            area,
        );
        return;
    };
    let choose = if app.monitor.failures_focused {
        format!(
            "{} then j/k choose the task",
            app.keys.key_for(Action::Failures)
        )
    } else {
        "j/k choose the task".to_owned()
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
                " {name} ({} scrolls, {choose}) ",
                app.keys.key_for(Action::Details)
            ),
            0,
        ),
        _ => (format!(" {name} ({choose}) "), 0),
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
