//! The status bar (account and live counts) and the hint line (the keys that
//! work right now).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::style;
use crate::tui::app::App;
use crate::tui::keymap::KeyMode;

/// Live counts first (they change), then a warning if any, the zone the
/// dashboard's times are in (said once, here), then the account.
pub fn draw_status(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let a = &app.account;
    let c = app.tasks.counts();
    let mut spans = vec![
        Span::styled(format!(" queued {} ", c.queued), style::in_flight(theme)),
        Span::styled(format!("sending {} ", c.sending), style::in_flight(theme)),
    ];
    if c.waiting > 0 {
        spans.push(Span::styled(
            format!("retrying {} ", c.waiting),
            style::fg(theme, Color::Yellow),
        ));
    }
    spans.push(Span::styled(
        format!("accepted {} ", c.accepted),
        style::fg(theme, Color::Green),
    ));
    spans.push(Span::styled(
        format!("not accepted {} ", c.not_accepted),
        style::fg(theme, Color::Red),
    ));
    spans.extend(run_spans(app));
    // A warning (certificate expiry) before the static account text, so a
    // narrow terminal cuts the account, not the warning.
    if let Some(w) = &a.warning {
        spans.push(Span::styled(
            format!("│ ⚠ {w} "),
            style::fg(theme, Color::Yellow),
        ));
    }
    let zone = crate::times::zone_label(&app.tz, app.now);
    spans.push(Span::styled(
        format!("│ times in {zone} "),
        style::dim(theme),
    ));
    spans.push(Span::raw("│ "));
    spans.push(Span::styled(
        format!("{} ", a.user),
        Style::new().add_modifier(Modifier::BOLD),
    ));
    let subject = a.cert_subject.as_deref().unwrap_or("no client certificate");
    spans.push(Span::raw(format!("· {subject} · {} ", a.base_label)));
    frame.render_widget(Line::from(spans), area);
}

/// The run (its progress, or how it ended), the concurrency and the pause.
fn run_spans(app: &App) -> Vec<Span<'static>> {
    let theme = app.theme;
    let run = app.tasks.run();
    let control = &app.control;
    let mut parts = Vec::new();
    if let Some(line) = run.line(app.now) {
        let st = match run.running() {
            true => style::in_flight(theme),
            false => Style::new(),
        };
        parts.push((line, st));
    }
    if control.shows_concurrency(run.running()) {
        parts.push((format!("concurrency {}", control.concurrency), Style::new()));
    }
    if control.paused {
        let st = style::fg(theme, Color::Yellow).add_modifier(Modifier::BOLD);
        parts.push(("paused".into(), st));
    }
    parts
        .into_iter()
        .enumerate()
        .map(|(n, (text, st))| {
            let lead = if n == 0 { "│" } else { "·" };
            Span::styled(format!("{lead} {text} "), st)
        })
        .collect()
}

/// The keys for the current mode, from the key map.
///
/// A notice, while there is one, takes the line: it is what the user needs
/// to read now, and the next key clears it.
pub fn draw_hints(app: &App, frame: &mut Frame, area: Rect) {
    if let Some(notice) = &app.notice {
        let st = if notice.is_error {
            style::error(app.theme)
        } else {
            style::fg(app.theme, Color::Green)
        };
        frame.render_widget(
            Line::from(Span::styled(format!(" {}", notice.text), st)),
            area,
        );
        return;
    }
    let keys = app.keys.hints_within(
        KeyMode::of(app),
        app.tasks.is_empty(),
        usize::from(area.width),
    );
    let mut spans = Vec::with_capacity(keys.len() * 2);
    // Drawn as wide as the key map counts an entry: ` KEYS WHAT `.
    for (key, what) in keys {
        spans.push(Span::styled(
            format!(" {key}"),
            style::fg(app.theme, Color::Cyan).add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::raw(format!(" {what} ")));
    }
    frame.render_widget(Line::from(spans), area);
}
