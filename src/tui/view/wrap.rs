//! Fitting text before it is drawn: word wrapping, so a box knows how many
//! rows its text takes and can grow to hold it; and a one-line field
//! scrolled sideways so its cursor stays in view.

use ratatui::text::Span;

/// `text` in rows of at most `width` columns, broken at spaces; a word wider
/// than a row is cut where the row ends. The first row keeps the text's
/// leading spaces, each after it starts with `indent` (counted in the
/// width). Never empty: an empty text is one empty row.
pub(super) fn wrap(text: &str, width: usize, indent: &str) -> Vec<String> {
    let width = width.max(1);
    let body = text.trim_start_matches(' ');
    let lead = &text[..text.len() - body.len()];
    let lead = if columns(lead) < width { lead } else { "" };
    let indent = if columns(indent) < width { indent } else { "" };
    let mut rows = Vec::new();
    let mut row = lead.to_owned();
    // Nothing but the row's indentation in it yet.
    let mut fresh = true;
    for word in body.split(' ') {
        let gap = usize::from(!fresh);
        if columns(&row) + gap + columns(word) <= width {
            if !fresh {
                row.push(' ');
            }
            row.push_str(word);
            fresh = false;
            continue;
        }
        if !fresh {
            rows.push(std::mem::replace(&mut row, indent.to_owned()));
        }
        for c in word.chars() {
            if columns(&row) + columns(&c.to_string()) > width && row != indent {
                rows.push(std::mem::replace(&mut row, indent.to_owned()));
            }
            row.push(c);
        }
        fresh = false;
    }
    rows.push(row);
    rows
}

/// A one-line field in `width` columns, its cursor in view: `pieces` are its
/// characters as drawn (sanitised, or masked), `cursor` how many come before
/// the cursor. Scrolled sideways just enough that the cursor has a column;
/// returns the text shown and the cursor's column in it.
pub(super) fn sideways(pieces: &[String], cursor: usize, width: usize) -> (String, usize) {
    let cursor = cursor.min(pieces.len());
    let mut before: usize = pieces[..cursor].iter().map(|p| columns(p)).sum();
    let mut start = 0;
    while before >= width.max(1) && start < cursor {
        before -= columns(&pieces[start]);
        start += 1;
    }
    let mut shown = String::new();
    let mut used = 0;
    for piece in &pieces[start..] {
        used += columns(piece);
        if used > width {
            break;
        }
        shown.push_str(piece);
    }
    (shown, before)
}

/// `text` in at most `width` columns: whole when it fits, else cut with
/// `…` as its last column.
pub(super) fn cut(text: &str, width: usize) -> String {
    if columns(text) <= width {
        return text.to_owned();
    }
    let mut shown = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = columns(c.encode_utf8(&mut [0; 4]));
        if used + w + 1 > width {
            break;
        }
        shown.push(c);
        used += w;
    }
    if width > 0 {
        shown.push('…');
    }
    shown
}

/// The columns `text` takes on a terminal.
pub(super) fn columns(text: &str) -> usize {
    Span::raw(text).width()
}

#[cfg(test)]
mod tests {
    use super::{cut, sideways, wrap};

    #[test]
    fn a_cut_text_ends_with_an_ellipsis_within_its_width() {
        assert_eq!(cut("fits", 4), "fits");
        assert_eq!(cut("too long", 5), "too …");
        assert_eq!(cut("完成了", 4), "完…");
        assert_eq!(cut("ab", 1), "…");
        assert_eq!(cut("ab", 0), "");
        for width in 0..12 {
            assert!(super::columns(&cut("a wide 完成 text", width)) <= width);
        }
    }

    #[test]
    fn breaks_at_spaces_and_cuts_words_longer_than_a_row() {
        assert_eq!(wrap("one two three", 7, ""), ["one two", "three"]);
        assert_eq!(wrap("abcdefghij k", 4, ""), ["abcd", "efgh", "ij k"]);
        assert_eq!(
            wrap("a long line here", 8, "  "),
            ["a long", "  line", "  here"]
        );
        assert_eq!(wrap("", 5, ""), [""]);
        assert_eq!(wrap("fits", 10, "  "), ["fits"]);
        assert_eq!(wrap("  kept in", 6, "    "), ["  kept", "    in"]);
    }

    #[test]
    fn no_row_is_wider_than_asked() {
        let text = "/home/analyst/.config/tae-rescan/config.toml: [api] client_cert \
                    /very/long/path/without/any/spaces/in/it/at/all.pem does not exist";
        for width in 1..40 {
            for row in wrap(text, width, "    ") {
                assert!(super::columns(&row) <= width, "{width}: {row:?}");
            }
        }
    }

    #[test]
    fn a_long_field_scrolls_so_the_cursor_stays_in_view() {
        let pieces: Vec<String> = "abcdefghij".chars().map(String::from).collect();
        assert_eq!(sideways(&pieces, 10, 4), ("hij".to_owned(), 3));
        assert_eq!(sideways(&pieces, 2, 4), ("abcd".to_owned(), 2));
        assert_eq!(sideways(&pieces, 0, 4), ("abcd".to_owned(), 0));
        assert_eq!(sideways(&pieces, 6, 4), ("defg".to_owned(), 3));
        let escaped = ["a".to_owned(), "\\e".to_owned(), "b".to_owned()];
        assert_eq!(sideways(&escaped, 3, 3), ("b".to_owned(), 1));
    }
}
