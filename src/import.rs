//! Reading task ids that people bring from elsewhere: lists pasted from
//! tickets, files, stdin. Invalid lines are reported with their line number;
//! valid ones are kept.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

use crate::api::TaskId;
use crate::api::identity::io_reason;

/// Largest file we read; an id list is never this big, junk often is.
pub const MAX_IMPORT_BYTES: u64 = 64 * 1024 * 1024;

/// What a list yielded.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IdList {
    /// Valid ids, in order, each once.
    pub ids: Vec<TaskId>,
    /// One line per rejected entry: where, and why.
    pub errors: Vec<String>,
    /// Ids that appeared more than once (kept once).
    pub duplicates: usize,
}

impl IdList {
    /// Appends another list, keeping each id once.
    pub fn extend(&mut self, other: IdList) {
        let mut seen: HashSet<TaskId> = self.ids.iter().cloned().collect();
        for id in other.ids {
            if seen.insert(id.clone()) {
                self.ids.push(id);
            } else {
                self.duplicates += 1;
            }
        }
        self.duplicates += other.duplicates;
        self.errors.extend(other.errors);
    }
}

/// Parses a plain list: one id per line, `#` starts a comment, blank lines,
/// surrounding whitespace, a BOM and CRLF line ends are ignored.
/// `source` names the input in error lines (a path, `stdin`, `paste`).
pub fn parse_id_list(text: &str, source: &str) -> IdList {
    let mut list = IdList::default();
    let mut seen = HashSet::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (n, line) in text.lines().enumerate() {
        let entry = line.split('#').next().unwrap_or("").trim();
        if entry.is_empty() {
            continue;
        }
        match TaskId::parse(entry) {
            Ok(id) if seen.insert(id.clone()) => list.ids.push(id),
            Ok(_) => list.duplicates += 1,
            Err(e) => list.errors.push(format!("{source} line {}: {e}", n + 1)),
        }
    }
    list
}

/// Reads a whole text input: a file, or stdin for `-`. Errors name the file.
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
        let file = std::fs::File::open(path).map_err(|e| format!("{name}: {}", io_reason(&e)))?;
        let mut buf = Vec::new();
        file.take(MAX_IMPORT_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| format!("{name}: {}", io_reason(&e)))?;
        (name, buf)
    };
    if buf_too_big(&bytes) {
        return Err(format!(
            "{name}: larger than {} MiB; is this the right file?",
            MAX_IMPORT_BYTES / 1024 / 1024
        ));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{name}: not UTF-8 text; is this the right file?"))?;
    Ok((name, text))
}

fn buf_too_big(bytes: &[u8]) -> bool {
    bytes.len() as u64 > MAX_IMPORT_BYTES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_blanks_bom_crlf_and_duplicates() {
        let list = parse_id_list(
            "\u{feff}a1\r\n# note\r\n\r\n  b2  # trailing\r\na1\r\n",
            "ids.txt",
        );
        let ids: Vec<&str> = list.ids.iter().map(TaskId::as_str).collect();
        assert_eq!(ids, ["a1", "b2"]);
        assert_eq!(list.duplicates, 1);
        assert!(list.errors.is_empty());
    }

    #[test]
    fn invalid_lines_are_reported_valid_ones_kept() {
        let list = parse_id_list("ok-1\nbad/id\nok-2\n", "paste");
        assert_eq!(list.ids.len(), 2);
        assert_eq!(list.errors.len(), 1);
        assert!(
            list.errors[0].starts_with("paste line 2: task_id: contains '/'"),
            "{:?}",
            list.errors
        );
    }
}
