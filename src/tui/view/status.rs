//! The status bar (account and live counts) and the hint line (the keys that
//! work right now).

use std::cmp::Reverse;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::style;
use super::wrap::{columns, cut};
use crate::tui::app::App;
use crate::tui::keymap::KeyMode;

/// Live counts first (they change), then the run, a warning if any, the
/// zone the dashboard's times are in (said once, here), then the account.
/// On a terminal too narrow for all of it the parts that matter least are
/// left out first (see [`Weight`]), so `paused` and the run's progress stay
/// at 80 columns; the last part left is cut at the edge with `…` when
/// enough of it shows to be read.
pub fn draw_status(app: &App, frame: &mut Frame, area: Rect) {
    let room = usize::from(area.width);
    let mut parts = parts(app);
    while drawn_width(&parts) > room {
        let Some(least) = (0..parts.len()).min_by_key(|&i| (parts[i].weight, Reverse(i))) else {
            break;
        };
        // The last part, begun well inside the line, is cut instead.
        if least + 1 == parts.len() && drawn_width(&parts[..least]) + LEAST_CUT <= room {
            break;
        }
        parts.remove(least);
    }
    let mut spans = spans(&parts);
    if let Some((last, before)) = spans.split_last_mut() {
        let left = room.saturating_sub(before.iter().map(Span::width).sum());
        last.content = cut(&last.content, left).into();
    }
    frame.render_widget(Line::from(spans), area);
}

/// The fewest columns of a part worth showing cut: `⚠ c` says nothing.
const LEAST_CUT: usize = 12;

/// How much a part of the status bar matters when not all of it fits: the
/// least first out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Weight {
    /// Who is connected where: the same all session long.
    Account,
    /// The zone of the times shown.
    Zone,
    /// `queued 0`, `sending 0`: nothing to see.
    Idle,
    /// The concurrency.
    Concurrency,
    /// What is queued, sending, retrying: the run's line says how far it is.
    Live,
    /// A warning (certificate expiry): shown all session long, so it gives
    /// way to the news of a run's end while that is new.
    Warning,
    /// How the last run ended: the counts beside it say how the tasks
    /// stand now.
    RunOver,
    /// How the tasks ended: `accepted N`, `not accepted N`.
    Counts,
    /// The run's progress.
    Run,
    /// `paused`: nothing is being sent.
    Paused,
}

/// Which run of the bar a part is in: runs are set apart by `│`, parts of
/// one run by `·` (the counts by a space).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Counts,
    Run,
    Warning,
    Zone,
    Account,
}

struct Part {
    group: Group,
    text: String,
    /// The columns `text` takes, measured once.
    columns: usize,
    style: Style,
    weight: Weight,
}

fn part(group: Group, text: String, style: Style, weight: Weight) -> Part {
    Part {
        group,
        columns: columns(&text),
        text,
        style,
        weight,
    }
}

/// Every part of the bar, in the order drawn.
fn parts(app: &App) -> Vec<Part> {
    let theme = app.theme;
    let a = &app.account;
    let c = app.tasks.counts();
    let idle = |n: usize| if n == 0 { Weight::Idle } else { Weight::Live };
    let live = style::in_flight(theme);
    let retrying = (c.waiting > 0).then(|| {
        let st = style::fg(theme, Color::Yellow);
        (format!("retrying {}", c.waiting), st, Weight::Live)
    });
    let counts = [
        Some((format!("queued {}", c.queued), live, idle(c.queued))),
        Some((format!("sending {}", c.sending), live, idle(c.sending))),
        retrying,
        Some((
            format!("accepted {}", c.accepted),
            style::fg(theme, Color::Green),
            Weight::Counts,
        )),
        Some((
            format!("not accepted {}", c.not_accepted),
            style::fg(theme, Color::Red),
            Weight::Counts,
        )),
    ];
    let mut parts: Vec<Part> = counts
        .into_iter()
        .flatten()
        .map(|(text, st, weight)| part(Group::Counts, text, st, weight))
        .collect();
    parts.extend(run_parts(app));
    if let Some(w) = &a.warning {
        let st = style::fg(theme, Color::Yellow);
        parts.push(part(Group::Warning, format!("⚠ {w}"), st, Weight::Warning));
    }
    let zone = crate::times::zone_label(&app.tz, app.now);
    let dim = style::dim(theme);
    parts.push(part(
        Group::Zone,
        format!("times in {zone}"),
        dim,
        Weight::Zone,
    ));
    let bold = Style::new().add_modifier(Modifier::BOLD);
    parts.push(part(Group::Account, a.user.clone(), bold, Weight::Account));
    let subject = a.cert_subject.as_deref().unwrap_or("no client certificate");
    let place = format!("{subject} · {}", a.base_label);
    parts.push(part(Group::Account, place, Style::new(), Weight::Account));
    parts
}

/// The run (its progress, or how it ended), the concurrency and the pause.
fn run_parts(app: &App) -> Vec<Part> {
    let theme = app.theme;
    let run = app.tasks.run();
    let control = &app.control;
    let mut parts = Vec::new();
    if let Some(line) = run.line(app.now) {
        let (st, weight) = match run.running() {
            true => (style::in_flight(theme), Weight::Run),
            false => (Style::new(), Weight::RunOver),
        };
        parts.push(part(Group::Run, line, st, weight));
    }
    if control.shows_concurrency(run.running()) {
        let text = format!("concurrency {}", control.concurrency);
        parts.push(part(Group::Run, text, Style::new(), Weight::Concurrency));
    }
    if control.paused {
        let st = style::fg(theme, Color::Yellow).add_modifier(Modifier::BOLD);
        parts.push(part(Group::Run, "paused".into(), st, Weight::Paused));
    }
    parts
}

/// What goes before a part of `group` after one of `before`: a space
/// first, `│ ` before a new run, `· ` inside one (the counts by the space
/// each part ends with).
fn lead(before: Option<Group>, group: Group) -> &'static str {
    match before {
        None => " ",
        Some(_) if group == Group::Counts => "",
        Some(g) if g == group => "· ",
        Some(_) => "│ ",
    }
}

/// The parts as drawn: each with its lead and a space after.
fn spans(parts: &[Part]) -> Vec<Span<'static>> {
    let mut before = None;
    parts
        .iter()
        .map(|p| {
            let lead = lead(before, p.group);
            before = Some(p.group);
            Span::styled(format!("{lead}{} ", p.text), p.style)
        })
        .collect()
}

/// The columns [`spans`] of `parts` would take, without drawing them.
fn drawn_width(parts: &[Part]) -> usize {
    let mut before = None;
    parts
        .iter()
        .map(|p| {
            let lead = lead(before, p.group).chars().count();
            before = Some(p.group);
            lead + p.columns + 1
        })
        .sum()
}

/// The keys for the current mode, from the key map.
///
/// A notice, while there is one, takes the line: it is what the user needs
/// to read now, and the next key clears it. The keys that fit beside it
/// (of the most important first: `? help`, `q quit`) stay at the right.
pub fn draw_hints(app: &App, frame: &mut Frame, area: Rect) {
    let Some(notice) = &app.notice else {
        frame.render_widget(Line::from(hint_spans(app, area.width)), area);
        return;
    };
    let st = if notice.is_error {
        style::error(app.theme)
    } else {
        style::fg(app.theme, Color::Green)
    };
    let text = format!(" {}", notice.text);
    // Two columns apart from the notice, or none at all.
    let rest = usize::from(area.width).saturating_sub(columns(&text) + 2);
    let rest = u16::try_from(rest).unwrap_or(0);
    frame.render_widget(Line::from(Span::styled(text, st)), area);
    let keys = hint_spans(app, rest);
    let wide = keys.iter().map(Span::width).sum::<usize>() as u16;
    if wide > 0 && wide <= rest {
        let right = Rect {
            x: area.x + area.width - wide,
            width: wide,
            ..area
        };
        frame.render_widget(Line::from(keys), right);
    }
}

/// The hint line's entries that fit `width` (the essential ones always).
fn hint_spans(app: &App, width: u16) -> Vec<Span<'static>> {
    let keys = app
        .keys
        .hints_within(KeyMode::of(app), app.tasks.is_empty(), usize::from(width));
    let mut spans = Vec::with_capacity(keys.len() * 2);
    // Drawn as wide as the key map counts an entry: ` KEYS WHAT `.
    for (key, what) in keys {
        spans.push(Span::styled(
            format!(" {key}"),
            style::fg(app.theme, Color::Cyan).add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::raw(format!(" {what} ")));
    }
    spans
}
