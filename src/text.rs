//! Making foreign text safe to print, and errors readable.
//!
//! Everything that comes from the server, from imported files or from the
//! user's own configuration passes through [`sanitize`] before it reaches a
//! terminal, so a hostile description cannot move the cursor, change the
//! window title (OSC), or reorder what the analyst reads (bidi overrides).

/// Replaces every control character, escape sequence introducer, C1 control
/// and bidi/invisible formatting character with a visible escape (`\e`,
/// `\u{202e}`, ...), keeping ordinary text, including non-Latin scripts, as is.
/// Newlines and tabs become `\n` / `\t` so one record stays on one line.
pub fn sanitize(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        push_safe(&mut out, c);
    }
    out
}

/// Like [`sanitize`], but cuts the result to at most `max_chars` characters,
/// marking the cut with `…`, so one huge answer cannot flood a screen or log.
pub fn sanitize_capped(input: &str, max_chars: usize) -> String {
    let safe = sanitize(input);
    if safe.chars().count() <= max_chars {
        return safe;
    }
    let mut cut: String = safe.chars().take(max_chars.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn push_safe(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{1b}' => out.push_str("\\e"),
        c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        c => out.push(c),
    }
}

/// True for characters that change how a terminal interprets or orders what
/// follows: C0/C1 controls, DEL, bidi embeddings/overrides/isolates and the
/// invisible marks that can hide them.
fn is_unsafe(c: char) -> bool {
    c.is_control() || is_format_char(c)
}

/// Every Unicode format character (general category Cf: bidi embeddings,
/// overrides and isolates, zero-width marks, the Arabic letter mark U+061C,
/// the tag characters U+E0000–E007F, ...) and the line and paragraph
/// separators: invisible, they can reorder or hide what the analyst reads,
/// so they are shown escaped and never accepted in identifiers or URLs.
///
/// A table rather than a Unicode database lookup: this runs for every
/// character drawn. The test below holds it to the Unicode database.
pub fn is_format_char(c: char) -> bool {
    matches!(c,
            '\u{ad}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{890}'..='\u{891}'
            | '\u{8e2}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e007f}')
}

/// True when `haystack` contains `needle` ignoring case; `needle` must
/// already be lower-case (`str::to_lowercase`).
///
/// Exists so filtering 100,000 rows neither allocates nor keeps a
/// lower-case copy of every row: ASCII text (ids, most labels and URLs) is
/// compared in place, other text is lower-cased for the comparison.
pub fn contains_lowercase(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if !haystack.is_ascii() {
        return haystack.to_lowercase().contains(needle);
    }
    // Lower-casing ASCII gives ASCII: a non-ASCII needle cannot match.
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    if !needle.is_ascii() || n.len() > h.len() {
        return false;
    }
    let starts = &h[..=h.len() - n.len()];
    memchr::memchr2_iter(n[0], n[0].to_ascii_uppercase(), starts)
        .any(|at| h[at..at + n.len()].eq_ignore_ascii_case(n))
}

/// An I/O error as a short human reason, without Rust's `(os error N)` noise.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "it is a directory, not a file".into(),
        _ => {
            let s = e.to_string();
            s.split(" (os error").next().unwrap_or(&s).to_owned()
        }
    }
}

/// `n` and the noun that goes with it: `1 day`, `2 days`, `0 tasks`. One
/// place for the plural, so no screen says `1 days`.
pub fn counted(n: impl Into<i128>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `1 task`, `3 tasks`: the count most messages give.
pub fn tasks(n: usize) -> String {
    counted(n as u64, "task", "tasks")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_number_plural() {
        assert_eq!(counted(1u32, "day", "days"), "1 day");
        assert_eq!(counted(0u64, "task", "tasks"), "0 tasks");
        assert_eq!((tasks(1), tasks(3)), ("1 task".into(), "3 tasks".into()));
        assert_eq!(counted(2i64, "try", "tries"), "2 tries");
        assert_eq!(counted(-1i64, "day", "days"), "-1 days");
    }

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(sanitize("task 42 — готово, 完成"), "task 42 — готово, 完成");
    }

    #[test]
    fn escape_sequences_are_made_visible() {
        let hostile = "a\u{1b}]0;pwned\u{7}b\u{1b}[2Jc\u{9b}31md";
        let safe = sanitize(hostile);
        assert!(!safe.chars().any(|c| c.is_control()), "{safe:?}");
        assert_eq!(safe, "a\\e]0;pwned\\u{7}b\\e[2Jc\\u{9b}31md");
    }

    #[test]
    fn every_format_character_is_escaped() {
        use unicode_general_category::{GeneralCategory, get_general_category};
        let format: Vec<char> = (0..=u32::from(char::MAX))
            .filter_map(char::from_u32)
            .filter(|&c| get_general_category(c) == GeneralCategory::Format)
            .collect();
        assert!(format.contains(&'\u{61c}') && format.contains(&'\u{e0041}'));
        for c in format {
            let shown = sanitize(&format!("a{c}b"));
            assert_eq!(
                shown,
                format!("a\\u{{{:x}}}b", c as u32),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn bidi_overrides_and_newlines_are_escaped() {
        assert_eq!(sanitize("x\u{202e}y\nz"), "x\\u{202e}y\\nz");
    }

    #[test]
    fn capped_text_is_cut_with_a_mark() {
        assert_eq!(sanitize_capped("abcdef", 4), "abc…");
        assert_eq!(sanitize_capped("abc", 4), "abc");
    }

    #[test]
    fn case_is_ignored_in_place_and_beyond_ascii() {
        assert!(contains_lowercase("Mail-GATEWAY", "gateway"));
        assert!(contains_lowercase("abc", ""));
        assert!(contains_lowercase("xAbAbC", "abc"));
        assert!(!contains_lowercase("ab", "abc"));
        assert!(!contains_lowercase("gateway", "gatewax"));
        assert!(contains_lowercase("Zürich ÜBER", "über"));
        assert!(!contains_lowercase("uber", "über"));
        // the last possible start is tried
        assert!(contains_lowercase("xxAB", "ab"));
    }
}
