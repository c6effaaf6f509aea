//! Tasks as the dashboard's task tab exports them: the rows in view with
//! what the list shows of them (id, label, last outcome, when), through
//! the one CSV writer, or as JSON lines.

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

/// One task as exported; the field order is the documented one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskLine {
    /// The task id.
    pub task_id: String,
    /// Its label, possibly empty.
    pub label: String,
    /// Its last outcome's label; `None` when never sent.
    pub last_outcome: Option<&'static str>,
    /// When that rescan was sent (RFC 3339, UTC); `None` when never sent.
    pub time: Option<String>,
}

impl TaskLine {
    /// A task with its last outcome and when it was sent (unix ms), if any.
    pub fn new(
        task_id: &str,
        label: &str,
        last: Option<(crate::api::outcome::OutcomeKind, i64)>,
    ) -> TaskLine {
        TaskLine {
            task_id: task_id.to_owned(),
            label: label.to_owned(),
            last_outcome: last.map(|(kind, _)| kind.label()),
            time: last.map(|(_, ms)| super::rfc3339(ms)),
        }
    }
}

/// [`TaskLine`]'s fields in order: the CSV header.
pub const TASK_FIELDS: [&str; 4] = ["task_id", "label", "last_outcome", "time"];

/// Writes `tasks` as CSV (`csv`) or JSON lines.
fn write_tasks(tasks: &[TaskLine], csv: bool, out: &mut dyn Write) -> io::Result<()> {
    if csv {
        return super::write_csv(out, &TASK_FIELDS, tasks);
    }
    for task in tasks {
        serde_json::to_writer(&mut *out, task)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes `tasks` to a new file at `path` (CSV for `.csv`, else JSON
/// lines). An existing file is never overwritten.
pub fn tasks_to_new_file(tasks: &[TaskLine], path: &Path) -> Result<(), String> {
    let mut out = super::create_new(path)?;
    let csv = super::Format::for_path(path) == super::Format::Csv;
    write_tasks(tasks, csv, &mut out)
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::outcome::OutcomeKind;

    fn lines() -> Vec<TaskLine> {
        vec![
            TaskLine::new("t-1", "=cmd()", Some((OutcomeKind::FailedOrHung, 0))),
            TaskLine::new("t-2", "plain, with comma", None),
        ]
    }

    #[test]
    fn the_csv_has_id_label_last_outcome_and_when_with_formulas_quoted() {
        let mut out = Vec::new();
        write_tasks(&lines(), true, &mut out).unwrap();
        let when = crate::times::rfc3339_ms(0);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!(
                "task_id,label,last_outcome,time\n\
                 t-1,'=cmd(),failed or hung,{when}\n\
                 t-2,\"plain, with comma\",,\n"
            )
        );
    }

    #[test]
    fn json_lines_name_the_same_fields() {
        let mut out = Vec::new();
        write_tasks(&lines(), false, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(first["last_outcome"], "failed or hung");
        assert_eq!(
            text.lines().nth(1).unwrap(),
            r#"{"task_id":"t-2","label":"plain, with comma","last_outcome":null,"time":null}"#
        );
    }

    #[test]
    fn an_existing_file_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tasks.csv");
        tasks_to_new_file(&lines(), &path).unwrap();
        let again = tasks_to_new_file(&lines(), &path).unwrap_err();
        assert!(again.contains("already exists"), "{again}");
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .starts_with("task_id,label")
        );
    }
}
