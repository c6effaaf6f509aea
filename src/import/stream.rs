//! Reading an import as it arrives: entries are handed on one at a time,
//! so a million-id file never has to be in memory whole (as text, as a
//! parsed list, or both). The formats and their rules are those of
//! [`super::parse_any`], which collects what this hands on.

use std::io::{BufRead, BufReader, Cursor, Read};

use super::checked::{Checked, not_utf8, read_error_text};
use super::{ImportedTask, clean};
use crate::api::TaskId;
use crate::export::csv_uncell;
use crate::text::sanitize_capped;

mod json;

/// One entry of an import, in file order. Duplicates are handed on too:
/// whether an id counts as new depends on what the receiver already has.
#[derive(Debug)]
pub enum Entry {
    /// A valid task.
    Task(ImportedTask),
    /// A rejected entry: where it was, and why.
    Invalid(String),
}

/// Why an import stopped before its end. Entries handed on before it
/// belong to an input that is refused as a whole: drop them.
#[derive(Debug)]
pub enum Stopped<E> {
    /// The input cannot be read as text (unreadable, too large, not UTF-8):
    /// one line naming the input.
    Read(String),
    /// The input as a whole is not in its format (broken JSON, a CSV
    /// without `task_id`): one line naming the input.
    Format(String),
    /// The receiver asked to stop.
    Receiver(E),
}

/// Reads an import from `input` in whichever format it is (see
/// [`super::parse_any`]) and hands every entry to `each`. `source` names the
/// input in messages.
pub fn stream_any<E>(
    input: impl Read,
    source: &str,
    each: impl FnMut(Entry) -> Result<(), E>,
) -> Result<(), Stopped<E>> {
    stream(input, source, Words::OnePerLine, each)
}

/// How a plain list's lines hold ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Words {
    /// A file: one id per line; a first line with commas is a CSV header.
    OnePerLine,
    /// Typed or pasted text: ids separated by spaces, commas or semicolons
    /// on any number of lines (CSV only with a `task_id` header).
    Typed,
}

/// [`stream_any`] with the plain list read as `words` says.
pub(super) fn stream<E>(
    input: impl Read,
    source: &str,
    words: Words,
    mut each: impl FnMut(Entry) -> Result<(), E>,
) -> Result<(), Stopped<E>> {
    let mut input = BufReader::with_capacity(64 * 1024, Checked::new(input, source));
    let head = read_head(&mut input, source)?;
    let text = std::str::from_utf8(&head).map_err(|_| Stopped::Read(not_utf8(source)))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        let rest = Cursor::new(trimmed.as_bytes()).chain(input);
        return json::array(rest, source, &mut each);
    }
    if trimmed.starts_with('{') {
        let rest = BufReader::new(Cursor::new(text.as_bytes()).chain(input));
        return json::lines(rest, source, &mut each);
    }
    let first_line = trimmed.lines().next().unwrap_or("").to_ascii_lowercase();
    let has_task_id = first_line
        .split(',')
        .any(|c| c.trim().trim_matches('"') == "task_id");
    // Ids hold no commas: in a file, a first line with one is a header.
    if has_task_id || (words == Words::OnePerLine && first_line.contains(',')) {
        let rest = Cursor::new(trimmed.as_bytes()).chain(input);
        return csv(rest, source, &mut each);
    }
    let rest = BufReader::new(Cursor::new(text.as_bytes()).chain(input));
    list(rest, source, words, &mut each)
}

/// The input up to the end of its first line that is not blank: enough to
/// tell the format, and little more.
fn read_head<E>(input: &mut impl BufRead, source: &str) -> Result<Vec<u8>, Stopped<E>> {
    let mut head = Vec::new();
    loop {
        let start = head.len();
        let n = input
            .read_until(b'\n', &mut head)
            .map_err(|e| read_error(source, &e))?;
        let line = String::from_utf8_lossy(&head[start..]);
        if n == 0 || line.chars().any(|c| !c.is_whitespace() && c != '\u{feff}') {
            return Ok(head);
        }
    }
}

/// A plain list: one id per line (or, typed, several separated by spaces,
/// commas or semicolons), `#` starts a comment, blank lines, surrounding
/// whitespace and CRLF or bare CR line ends are ignored.
fn list<E>(
    mut input: impl BufRead,
    source: &str,
    words: Words,
    each: &mut impl FnMut(Entry) -> Result<(), E>,
) -> Result<(), Stopped<E>> {
    let mut chunk = Vec::new();
    let mut number = 0usize;
    loop {
        chunk.clear();
        if input
            .read_until(b'\n', &mut chunk)
            .map_err(|e| read_error(source, &e))?
            == 0
        {
            return Ok(());
        }
        // A chunk ends at "\n" (ASCII), so valid UTF-8 never splits here.
        let text = std::str::from_utf8(&chunk).map_err(|_| Stopped::Read(not_utf8(source)))?;
        for line in super::lines(text) {
            number += 1;
            let entry = line.split('#').next().unwrap_or("");
            if words == Words::OnePerLine {
                if let Some(entry) =
                    entry_of(|| format!("{source} line {number}"), entry, None, None)
                {
                    each(entry).map_err(Stopped::Receiver)?;
                }
                continue;
            }
            for id in entry.split(|c: char| c.is_whitespace() || c == ',' || c == ';') {
                // Several ids share the line: the rejected one is named.
                let where_ = || format!("{source} line {number}: \"{}\"", sanitize_capped(id, 40));
                if let Some(entry) = entry_of(where_, id, None, None) {
                    each(entry).map_err(Stopped::Receiver)?;
                }
            }
        }
    }
}

fn csv<E>(
    input: impl Read,
    source: &str,
    each: &mut impl FnMut(Entry) -> Result<(), E>,
) -> Result<(), Stopped<E>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(input);
    let headers = match reader.headers() {
        Ok(h) => h.iter().map(str::to_ascii_lowercase).collect::<Vec<_>>(),
        Err(e) => {
            return Err(match csv_read_error(source, &e) {
                Some(line) => Stopped::Read(line),
                None => Stopped::Format(format!("{source}: not readable as CSV ({e})")),
            });
        }
    };
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(id_col), label_col, url_col) = (column("task_id"), column("label"), column("url"))
    else {
        let columns = sanitize_capped(&headers.join(", "), 200);
        return Err(Stopped::Format(format!(
            "{source}: no task_id column in the header (columns: {columns}); \
             a list of ids has one id per line, without commas"
        )));
    };
    let mut record = csv::StringRecord::new();
    let mut row = 1usize;
    loop {
        row += 1;
        let where_ = || format!("{source} row {row}");
        let entry = match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                // Our own exports quote cells a spreadsheet would run.
                let get = |c: Option<usize>| c.and_then(|c| record.get(c)).map(csv_uncell);
                match get(Some(id_col)) {
                    Some(id) if !id.is_empty() => {
                        entry_of(where_, id, get(label_col), get(url_col))
                    }
                    _ => Some(Entry::Invalid(format!("{}: task_id: is empty", where_()))),
                }
            }
            Err(e) => match csv_read_error(source, &e) {
                Some(line) => return Err(Stopped::Read(line)),
                None => Some(Entry::Invalid(format!("{}: not valid CSV ({e})", where_()))),
            },
        };
        if let Some(entry) = entry {
            each(entry).map_err(Stopped::Receiver)?;
        }
    }
}

/// The line for a CSV error that is a failed read (the whole import
/// stops); `None` when the CSV itself is wrong.
fn csv_read_error(source: &str, e: &csv::Error) -> Option<String> {
    match e.kind() {
        csv::ErrorKind::Io(io) => Some(read_error_text(source, io)),
        _ => None,
    }
}

/// The entry for one id (and label and URL): `None` for a blank one.
/// `where_` is only formatted for a rejected entry.
fn entry_of(
    where_: impl FnOnce() -> String,
    id: &str,
    label: Option<&str>,
    url: Option<&str>,
) -> Option<Entry> {
    let id = id.trim();
    if id.is_empty() {
        return None;
    }
    Some(match TaskId::parse(id) {
        Ok(id) => Entry::Task(ImportedTask {
            id,
            label: clean(label),
            url: clean(url),
        }),
        Err(e) => Entry::Invalid(format!("{}: {e}", where_())),
    })
}

fn read_error<E>(source: &str, e: &std::io::Error) -> Stopped<E> {
    Stopped::Read(read_error_text(source, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8]) -> (Vec<String>, Result<(), Stopped<()>>) {
        let mut seen = Vec::new();
        let result = stream_any(input, "in", |e| {
            seen.push(match e {
                Entry::Task(t) => t.id.to_string(),
                Entry::Invalid(e) => format!("! {e}"),
            });
            Ok(())
        });
        (seen, result)
    }

    /// Reads a byte at a time, so every multi-byte character is cut.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let Some((first, rest)) = self.0.split_first() else {
                return Ok(0);
            };
            buf[0] = *first;
            self.0 = rest;
            Ok(1)
        }
    }

    #[test]
    fn utf8_cut_between_reads_is_fine_and_broken_utf8_stops_the_import() {
        let text = "# привет\nok-1\n";
        let mut ids = Vec::new();
        let r = stream_any(Trickle(text.as_bytes()), "in", |e| {
            ids.push(format!("{e:?}"));
            Ok::<(), ()>(())
        });
        assert!(r.is_ok());
        assert_eq!(ids.len(), 1);
        let (_, r) = all(b"ok-1\nb\xe9\n");
        assert!(
            matches!(r, Err(Stopped::Read(ref e)) if e == "in: not UTF-8 text; is this the right file?"),
            "{r:?}"
        );
        let (_, r) = all(b"ok-1\n\xd0");
        assert!(
            matches!(r, Err(Stopped::Read(_))),
            "a cut-off last character: {r:?}"
        );
    }

    #[test]
    fn leading_blank_lines_count_and_every_format_is_found_after_them() {
        let (seen, r) = all(b"\n\n  \nok-1\nbad/id\n");
        assert!(r.is_ok());
        assert_eq!(seen[0], "ok-1");
        assert!(seen[1].starts_with("! in line 5:"), "{seen:?}");
        let (seen, _) = all(b"\n \n task_id,label\nc-1,x\n");
        assert_eq!(seen, ["c-1"]);
        let (seen, _) = all(b"\r\n\t[\"j-1\", \"j-2\"]");
        assert_eq!(seen, ["j-1", "j-2"]);
    }

    #[test]
    fn a_receiver_stops_the_import() {
        for input in [
            &b"a\nb\nc\n"[..],
            b"task_id\na\nb\nc\n",
            b"[\"a\",\"b\",\"c\"]",
        ] {
            let mut n = 0;
            let r = stream_any(input, "in", |_| {
                n += 1;
                if n == 2 { Err("full") } else { Ok(()) }
            });
            assert!(matches!(r, Err(Stopped::Receiver("full"))), "{r:?}");
            assert_eq!(n, 2);
        }
    }

    #[test]
    fn a_csv_without_task_id_says_so_and_names_its_columns() {
        for input in [
            &b"label,url\nx,https://a\n"[..],
            b"\xef\xbb\xbfName, Url\r\n",
        ] {
            let (seen, r) = all(input);
            assert!(seen.is_empty(), "{seen:?}");
            let columns = if input.starts_with(b"label") {
                "label, url"
            } else {
                "name, url"
            };
            assert!(
                matches!(r, Err(Stopped::Format(ref e))
                    if *e == format!("in: no task_id column in the header (columns: {columns}); \
                                      a list of ids has one id per line, without commas")),
                "{r:?}"
            );
        }
        let (seen, r) = all(b"task_id\nc-1\n");
        assert!(r.is_ok());
        assert_eq!(seen, ["c-1"], "a task_id header alone is CSV too");
    }

    #[test]
    fn typed_text_splits_on_spaces_commas_and_semicolons_and_names_the_line() {
        let mut seen = Vec::new();
        let r = stream(
            &b"a1, a2;a3\n\nb1 bad/id  b2 # c,d\n"[..],
            "paste",
            Words::Typed,
            |e| {
                seen.push(match e {
                    Entry::Task(t) => t.id.to_string(),
                    Entry::Invalid(e) => format!("! {e}"),
                });
                Ok::<(), ()>(())
            },
        );
        assert!(r.is_ok());
        assert_eq!(
            seen[..5],
            [
                "a1",
                "a2",
                "a3",
                "b1",
                "! paste line 3: \"bad/id\": task_id: contains '/'; only letters A-Z a-z, digits, '.', '_' and '-' are allowed"
            ]
        );
        assert_eq!(seen[5..], ["b2"]);
    }

    #[test]
    fn json_after_the_array_is_refused_as_a_whole() {
        let (_, r) = all(b"[\"a\"] trailing");
        assert!(
            matches!(r, Err(Stopped::Format(ref e)) if e.starts_with("in: not a JSON array")),
            "{r:?}"
        );
    }
}
