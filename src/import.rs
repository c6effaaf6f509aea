//! Reading tasks that people bring from elsewhere: lists pasted from
//! tickets, plain files, CSV exports, JSON. Invalid entries are reported with
//! where they were; valid ones are kept, each id once.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

use serde::Deserialize;

use crate::api::TaskId;
use crate::text::io_reason;
use crate::text::sanitize_capped;

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

    /// One line for a status bar: how many were added, skipped, refused.
    pub fn summary(&self, source: &str) -> String {
        let mut parts = vec![format!("{} tasks from {source}", self.tasks.len())];
        if self.duplicates > 0 {
            parts.push(format!("{} duplicates skipped", self.duplicates));
        }
        if let Some(first) = self.errors.first() {
            parts.push(format!("{} invalid, first: {first}", self.errors.len()));
        }
        parts.join("; ")
    }

    fn push(
        &mut self,
        seen: &mut HashSet<TaskId>,
        where_: String,
        id: &str,
        label: Option<&str>,
        url: Option<&str>,
    ) {
        let id = id.trim();
        if id.is_empty() {
            return;
        }
        match TaskId::parse(id) {
            Ok(id) if seen.insert(id.clone()) => self.tasks.push(ImportedTask {
                id,
                label: clean(label),
                url: clean(url),
            }),
            Ok(_) => self.duplicates += 1,
            Err(e) => self.errors.push(format!("{where_}: {e}")),
        }
    }
}

fn clean(field: Option<&str>) -> Option<String> {
    field
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| sanitize_capped(s, FIELD_KEEP_CHARS))
}

/// Parses an import in whichever format it is: a JSON array (of id strings or
/// objects with `task_id`/`id`, `label`, `url`), CSV with a `task_id` column
/// (optional `label`, `url`), or a plain list. `source` names it in errors.
pub fn parse_any(text: &str, source: &str) -> Imported {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        return parse_json(trimmed, source);
    }
    let first_line = trimmed.lines().next().unwrap_or("").to_ascii_lowercase();
    if first_line.contains(',')
        && first_line
            .split(',')
            .any(|c| c.trim().trim_matches('"') == "task_id")
    {
        return parse_csv(trimmed, source);
    }
    parse_list(text, source)
}

/// A plain list: one id per line, `#` starts a comment, blank lines,
/// surrounding whitespace, a BOM and CRLF line ends are ignored.
pub fn parse_list(text: &str, source: &str) -> Imported {
    let mut out = Imported::default();
    let mut seen = HashSet::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (n, line) in lines(text).enumerate() {
        let entry = line.split('#').next().unwrap_or("");
        out.push(
            &mut seen,
            format!("{source} line {}", n + 1),
            entry,
            None,
            None,
        );
    }
    out
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

fn parse_csv(text: &str, source: &str) -> Imported {
    let mut out = Imported::default();
    let mut seen = HashSet::new();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.iter().map(str::to_ascii_lowercase).collect::<Vec<_>>(),
        Err(e) => {
            out.errors
                .push(format!("{source}: not readable as CSV ({e})"));
            return out;
        }
    };
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(id_col), label_col, url_col) = (column("task_id"), column("label"), column("url"))
    else {
        out.errors
            .push(format!("{source}: the CSV has no task_id column"));
        return out;
    };
    for (n, record) in reader.records().enumerate() {
        let where_ = format!("{source} row {}", n + 2);
        match record {
            Ok(r) => {
                let get = |c: Option<usize>| c.and_then(|c| r.get(c));
                match r.get(id_col) {
                    Some(id) if !id.is_empty() => {
                        out.push(&mut seen, where_, id, get(label_col), get(url_col))
                    }
                    _ => out.errors.push(format!("{where_}: task_id: is empty")),
                }
            }
            Err(e) => out.errors.push(format!("{where_}: not valid CSV ({e})")),
        }
    }
    out
}

#[derive(Deserialize)]
#[serde(untagged)]
enum JsonEntry {
    Id(String),
    Task {
        #[serde(alias = "id")]
        task_id: String,
        #[serde(default)]
        label: Option<String>,
        #[serde(default)]
        url: Option<String>,
    },
    Other(serde::de::IgnoredAny),
}

fn parse_json(text: &str, source: &str) -> Imported {
    let mut out = Imported::default();
    let mut seen = HashSet::new();
    let entries: Vec<JsonEntry> = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            out.errors
                .push(format!("{source}: not a JSON array of ids or tasks ({e})"));
            return out;
        }
    };
    for (n, entry) in entries.into_iter().enumerate() {
        let where_ = format!("{source} item {}", n + 1);
        match entry {
            JsonEntry::Id(id) => out.push(&mut seen, where_, &id, None, None),
            JsonEntry::Task {
                task_id,
                label,
                url,
            } => out.push(
                &mut seen,
                where_,
                &task_id,
                label.as_deref(),
                url.as_deref(),
            ),
            JsonEntry::Other(_) => out.errors.push(format!(
                "{where_}: expected an id string or an object with task_id"
            )),
        }
    }
    out
}

/// Reads a whole text input: a file, or stdin for `-`. Returns the name to
/// use in messages and the text; errors name the file.
pub fn read_text(path: &Path) -> Result<(String, String), String> {
    let (name, bytes) = if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .take(MAX_IMPORT_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| format!("stdin: {}", io_reason(&e)))?;
        ("stdin".to_owned(), buf)
    } else {
        let name = path.display().to_string();
        // A regular file only: a FIFO would block here, a device never end.
        let file = crate::fs::open_regular(path).map_err(|e| format!("{name}: {e}"))?;
        let mut buf = Vec::new();
        file.take(MAX_IMPORT_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| format!("{name}: {}", io_reason(&e)))?;
        (name, buf)
    };
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
