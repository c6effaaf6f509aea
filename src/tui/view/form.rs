//! The parameter form: each field says whether it is left as is, set, or
//! `(mixed)` among the chosen tasks, with its validation message right under
//! it; and the masked prompt for an unzip password that was not kept.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::wrap::sideways;
use super::{centered, style};
use crate::tui::app::App;
use crate::tui::form::{Field, Form};
use crate::tui::input::LineInput;
use crate::tui::keymap::Action;
use crate::tui::password::UnzipPrompt;

const LABEL_WIDTH: usize = 30;

/// The form's widest.
const WIDTH: u16 = 90;

/// Draws the form over the dashboard and places the cursor.
pub fn draw(app: &App, form: &Form, frame: &mut Frame) {
    let theme = app.theme;
    let target = match form.targets.as_slice() {
        [one] => one.to_string(),
        many => format!("{} tasks", many.len()),
    };
    let mut lines = vec![Line::styled(
        "Empty or \"leave as is\" = not sent; the task keeps its previous value.",
        style::dim(theme),
    )];
    if Field::ALL.into_iter().any(|f| form.is_mixed(f)) {
        lines.push(Line::styled(
            "(mixed) = the tasks differ; each keeps its own value unless you change it.",
            style::dim(theme),
        ));
    }
    let mut cursor = None;
    // The columns left for a value: the box's, less borders and labels.
    let value_width = usize::from(frame.area().width.min(WIDTH))
        .saturating_sub(2 + LABEL_WIDTH + 1)
        .max(1);
    for field in Field::ALL {
        let focused = form.focus == field;
        let label_style = if focused {
            style::selected()
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        };
        let (mut value, value_style) = shown_value(form, field, theme);
        if focused
            && !field.is_choice()
            && let Some(input) = input_of(form, field)
        {
            // A typed value scrolls sideways so the cursor stays in view;
            // the words shown instead of an empty or disabled one do not.
            let typed = !input.value().is_empty()
                && !form.is_mixed(field)
                && (field != Field::UnzipPassword || form.password_enabled());
            let at = if typed {
                let (shown, at) = sideways(&drawn(field, input), input.cursor(), value_width);
                value = shown;
                at
            } else {
                0
            };
            cursor = Some((lines.len(), at));
        }
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {:<w$}", field.name(), w = LABEL_WIDTH - 1),
                label_style,
            ),
            Span::raw(" "),
            Span::styled(value, value_style),
        ]));
        let note = match form.error(field) {
            Some(e) => Span::styled(format!("   ✗ {e}"), style::error(theme)),
            None if focused && form.is_mixed(field) && field.is_choice() => {
                Span::styled("   Space / ← → to set it for all", style::dim(theme))
            }
            None if focused && form.is_mixed(field) => Span::styled(
                "   type to set it for all; Backspace: leave as is for all",
                style::dim(theme),
            ),
            None if field == Field::UnzipPassword && !form.password_enabled() => Span::styled(
                "   only with processing_type unzip-and-exec",
                style::dim(theme),
            ),
            None if field.is_choice() && focused => {
                Span::styled("   Space / ← → to change", style::dim(theme))
            }
            None => Span::raw(""),
        };
        lines.push(Line::from(note));
    }
    let area = centered(frame.area(), WIDTH, lines.len() as u16 + 2);
    frame.render_widget(Clear, area);
    let (save, discard) = (
        app.keys.key_for(Action::Save),
        app.keys.key_for(Action::Discard),
    );
    let mut title = format!(" Rescan parameters for {target} — {save} saves, {discard} discards ");
    if title.chars().count() + 2 > usize::from(area.width) {
        // The hint line names the keys too.
        title = format!(" Rescan parameters for {target} ");
    }
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(title)),
        area,
    );
    if let Some((line, at)) = cursor {
        place_cursor(frame, area, line, at);
    }
}

fn place_cursor(frame: &mut Frame, area: Rect, line: usize, at: usize) {
    let x = area.x + 1 + LABEL_WIDTH as u16 + 1 + at as u16;
    let y = area.y + 1 + line as u16;
    if x < area.x + area.width - 1 {
        frame.set_cursor_position(Position::new(x, y));
    }
}

fn input_of(form: &Form, field: Field) -> Option<&LineInput> {
    match field {
        Field::Url => Some(&form.url),
        Field::FileExt => Some(&form.file_ext),
        Field::UnzipPassword => Some(&form.unzip_password),
        _ => None,
    }
}

/// A text field's characters as drawn: the password masked, the rest
/// sanitised.
fn drawn(field: Field, input: &LineInput) -> Vec<String> {
    input
        .value()
        .chars()
        .map(|c| match field {
            Field::UnzipPassword => "•".to_owned(),
            _ => crate::text::sanitize(&c.to_string()),
        })
        .collect()
}

/// The value as displayed: text (the password masked), or the choice, or
/// "(leave as is)", or "(mixed)" while the tasks differ.
fn shown_value(form: &Form, field: Field, theme: crate::tui::app::Theme) -> (String, Style) {
    let leave = ("(leave as is)".to_owned(), style::dim(theme));
    let set = |s: String| (s, Style::new());
    if form.is_mixed(field) {
        return ("(mixed)".to_owned(), style::dim(theme));
    }
    match field {
        Field::ProcessingType => form
            .processing_type
            .map_or(leave, |p| set(format!("‹ {p} ›"))),
        Field::ResetSimilarityThresholds => form
            .reset_similarity_thresholds
            .map_or(leave, |b| set(format!("‹ {b} ›"))),
        Field::Unpack => form.unpack.map_or(leave, |b| set(format!("‹ {b} ›"))),
        Field::UnzipPassword if !form.password_enabled() => {
            ("(disabled)".to_owned(), style::dim(theme))
        }
        Field::UnzipPassword if form.unzip_password.value().is_empty() => {
            if form.unzip_password_not_kept {
                ("(not kept: type it again)".to_owned(), style::dim(theme))
            } else {
                leave
            }
        }
        Field::UnzipPassword => set("•".repeat(form.unzip_password.value().chars().count())),
        _ => match input_of(form, field).map(LineInput::value) {
            Some("") | None if form.focus != field => leave,
            Some(v) => set(crate::text::sanitize(v)),
            None => leave,
        },
    }
}

/// The unzip password prompt: one `•` per typed character, never the text.
pub fn unzip_prompt(app: &App, p: &UnzipPrompt, frame: &mut Frame) {
    let theme = app.theme;
    let title = match p.ids.as_slice() {
        [one] => format!(" Unzip password for {one} (not kept) "),
        all => format!(
            " Unzip password for {} of {} tasks (not kept) ",
            p.needing,
            all.len()
        ),
    };

    let note = if p.empty_enter {
        Line::styled(
            " Type the password: it is never sent without it.",
            style::error(theme),
        )
    } else {
        Line::styled(
            " Enter sends with it (kept until you quit); Esc sends nothing.",
            style::dim(theme),
        )
    };
    let width = (title.chars().count() as u16 + 4).max(72);
    let area = centered(frame.area(), width, 4);
    let (typed, at) = sideways(
        &drawn(Field::UnzipPassword, &p.input),
        p.input.cursor(),
        usize::from(area.width.saturating_sub(3)),
    );
    let lines = vec![Line::raw(format!(" {typed}")), note];
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(title)),
        area,
    );
    frame.set_cursor_position(Position::new(area.x + 2 + at as u16, area.y + 1));
}
