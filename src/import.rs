//! Reading tasks that people bring from elsewhere: lists pasted from
//! tickets, plain files, CSV exports, JSON. Invalid entries are reported with
//! where they were; valid ones are kept, each id once.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

use crate::api::TaskId;
use crate::text::io_reason;
use crate::text::sanitize_capped;

mod checked;
mod stream;
pub use stream::{Entry, Stopped, stream_any};

/// Largest file we read; an id list is never this big, junk often is.
pub const MAX_IMPORT_BYTES: u64 = 64 * 1024 * 1024;
/// Longest label or URL kept from an import.
const FIELD_KEEP_CHARS: usize = 512;

/// One task from an import: the id, and a label and URL when the source had them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedTask {
    /// The validated id.
    pub id: TaskId,
    /// A human label (sanitised), if given.
    pub label: Option<String>,
    /// The task's download URL (sanitised), if given.
    pub url: Option<String>,
}

/// What an import yielded.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Imported {
    /// Valid tasks, in order, each id once.
    pub tasks: Vec<ImportedTask>,
    /// One line per rejected entry: where, and why.
    pub errors: Vec<String>,
    /// Entries whose id was already in the list (kept once).
    pub duplicates: usize,
}

impl Imported {
    /// Appends another import, keeping each id once.
    pub fn extend(&mut self, other: Imported) {
        let mut seen: HashSet<TaskId> = self.tasks.iter().map(|t| t.id.clone()).collect();
        for task in other.tasks {
            if seen.insert(task.id.clone()) {
                self.tasks.push(task);
            } else {
                self.duplicates += 1;
            }
        }
        self.duplicates += other.duplicates;
        self.errors.extend(other.errors);
    }

    /// Just the ids.
    pub fn ids(&self) -> Vec<TaskId> {
        self.tasks.iter().map(|t| t.id.clone()).collect()
    }

    /// `N invalid: WHERE: WHY · ...`, every rejected entry up to
    /// [`INVALID_SHOWN`] of them; `None` when there is none.
    pub fn invalid_text(&self) -> Option<String> {
        if self.errors.is_empty() {
            return None;
        }
        let shown = self.errors.iter().take(INVALID_SHOWN);
        let mut text = format!(
            "{} invalid: {}",
            self.errors.len(),
            shown.cloned().collect::<Vec<_>>().join(" · ")
        );
        if let Some(more) = self
            .errors
            .len()
            .checked_sub(INVALID_SHOWN)
            .filter(|&n| n > 0)
        {
            text.push_str(&format!(" · and {more} more"));
        }
        Some(text)
    }
}

/// Rejected entries named one by one in [`Imported::invalid_text`]: a
/// paste's every one, a big file's first ones.
const INVALID_SHOWN: usize = 20;

fn clean(field: Option<&str>) -> Option<String> {
    field
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| sanitize_capped(s, FIELD_KEEP_CHARS))
}

/// Parses an import in whichever format it is: a JSON array (of id strings or
/// objects with `task_id`/`id`, `label`, `url`), CSV with a `task_id` column
/// (optional `label`, `url`), or a plain list: one id per line, `#` starts a
/// comment, blank lines, surrounding whitespace, a BOM and CRLF or bare CR
/// line ends are ignored. `source` names it in errors. Input that is wrong
/// as a whole (broken JSON) is one error and no tasks.
pub fn parse_any(text: &str, source: &str) -> Imported {
    parse(text, source, stream::Words::OnePerLine)
}

/// [`parse_any`] for what a person typed or pasted: a plain list holds ids
/// separated by spaces, commas or semicolons on any number of lines, and a
/// rejected id is named with its line (CSV with a `task_id` header and
/// JSON are read as from a file).
pub fn parse_typed(text: &str, source: &str) -> Imported {
    parse(text, source, stream::Words::Typed)
}

fn parse(text: &str, source: &str, words: stream::Words) -> Imported {
    let mut out = Imported::default();
    let mut seen = HashSet::new();
    let streamed = stream::stream(text.as_bytes(), source, words, |entry| {
        match entry {
            Entry::Task(task) if seen.insert(task.id.clone()) => out.tasks.push(task),
            Entry::Task(_) => out.duplicates += 1,
            Entry::Invalid(e) => out.errors.push(e),
        }
        Ok::<(), std::convert::Infallible>(())
    });
    match streamed {
        Ok(()) => out,
        Err(Stopped::Read(e) | Stopped::Format(e)) => Imported {
            errors: vec![e],
            ..Imported::default()
        },
        Err(Stopped::Receiver(never)) => match never {},
    }
}

/// Lines ended by LF, CRLF or a bare CR (what terminals send for a pasted
/// newline, and what old Mac exports contain).
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest.find(['\r', '\n']).unwrap_or(rest.len());
        let line = &rest[..end];
        let skip = if rest[end..].starts_with("\r\n") {
            2
        } else {
            usize::from(end < rest.len())
        };
        rest = &rest[end + skip..];
        Some(line)
    })
}

/// Opens a text input: a file, or stdin for `-`. Returns the name to use
/// in messages and the reader, to read whole ([`read_text`]) or as it
/// comes ([`stream_any`]); errors name the file.
pub fn open_input(path: &Path) -> Result<(String, Box<dyn Read + Send>), String> {
    if path.as_os_str() == "-" {
        Ok(("stdin".to_owned(), Box::new(std::io::stdin())))
    } else {
        let name = path.display().to_string();
        // A regular file only: a FIFO would block here, a device never end.
        let file = crate::fs::open_regular(path).map_err(|e| format!("{name}: {e}"))?;
        Ok((name, Box::new(file)))
    }
}

/// Reads a whole text input: a file, or stdin for `-`. Returns the name to
/// use in messages and the text; errors name the file.
pub fn read_text(path: &Path) -> Result<(String, String), String> {
    let (name, input) = open_input(path)?;
    let mut bytes = Vec::new();
    input
        .take(MAX_IMPORT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name}: {}", io_reason(&e)))?;
    if bytes.len() as u64 > MAX_IMPORT_BYTES {
        return Err(format!(
            "{name}: larger than {} MiB; is this the right file?",
            MAX_IMPORT_BYTES / 1024 / 1024
        ));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{name}: not UTF-8 text; is this the right file?"))?;
    Ok((name, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(i: &Imported) -> Vec<&str> {
        i.tasks.iter().map(|t| t.id.as_str()).collect()
    }

    #[test]
    fn comments_blanks_bom_crlf_and_duplicates() {
        let list = parse_any(
            "\u{feff}a1\r\n# note\r\n\r\n  b2  # trailing\r\na1\r\n",
            "ids.txt",
        );
        assert_eq!(ids(&list), ["a1", "b2"]);
        assert_eq!(list.duplicates, 1);
        assert!(list.errors.is_empty());
    }

    #[test]
    fn bare_cr_ends_lines_too() {
        let list = parse_any("c1\rc2\r\nc3\n\rc4", "paste");
        assert_eq!(ids(&list), ["c1", "c2", "c3", "c4"]);
        let numbered = parse_any("ok\rbad/id", "paste");
        assert!(
            numbered.errors[0].starts_with("paste line 2:"),
            "{:?}",
            numbered.errors
        );
    }

    #[test]
    fn invalid_lines_are_reported_valid_ones_kept() {
        let list = parse_any("ok-1\nbad/id\nok-2\n", "paste");
        assert_eq!(list.tasks.len(), 2);
        assert_eq!(list.errors.len(), 1);
        assert!(
            list.errors[0].starts_with("paste line 2: task_id: contains '/'"),
            "{:?}",
            list.errors
        );
    }

    #[test]
    fn csv_with_task_id_label_and_url() {
        let text = "label,task_id,url\r\n\"Emotet, wave 3\",t-1,https://x.example/a.exe\r\n,t-2,\r\nx,bad id,\r\n";
        let got = parse_any(text, "tasks.csv");
        assert_eq!(ids(&got), ["t-1", "t-2"]);
        assert_eq!(got.tasks[0].label.as_deref(), Some("Emotet, wave 3"));
        assert_eq!(got.tasks[0].url.as_deref(), Some("https://x.example/a.exe"));
        assert_eq!(got.tasks[1].label, None);
        assert_eq!(
            got.errors,
            [
                "tasks.csv row 4: task_id: contains U+0020; only letters A-Z a-z, digits, '.', '_' and '-' are allowed"
            ]
        );
    }

    #[test]
    fn json_strings_and_objects() {
        let text = r#"["j1", {"task_id": "j2", "label": "lbl\u001b[31m"}, {"id": "j3", "url": "https://u"}, 42, "j1"]"#;
        let got = parse_any(text, "t.json");
        assert_eq!(ids(&got), ["j1", "j2", "j3"]);
        assert_eq!(
            got.tasks[1].label.as_deref(),
            Some("lbl\\e[31m"),
            "labels are sanitised"
        );
        assert_eq!(got.errors.len(), 1);
        assert!(got.errors[0].starts_with("t.json item 4"));
        assert_eq!(got.duplicates, 1);
    }

    #[test]
    fn broken_json_is_one_error() {
        let got = parse_any("[\"a\", ", "t.json");
        assert!(got.tasks.is_empty());
        assert_eq!(got.errors.len(), 1);
    }
}
