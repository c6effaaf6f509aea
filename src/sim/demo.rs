//! The demo inventory shipped in `assets/demo-tasks.toml`: what demo mode
//! shows and how the simulator answers each task.

use super::behaviour::Behaviour;
use super::error::SimError;

/// One task of the demo inventory: what demo mode shows and what the
/// simulator does with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoTask {
    /// The task id (matches `[A-Za-z0-9._-]{1,128}`).
    pub id: String,
    /// A short human label.
    pub label: String,
    /// The URL the file was originally downloaded from.
    pub url: String,
    /// How the simulator answers a rescan of this task.
    pub behaviour: Behaviour,
}

/// The demo task list, embedded at build time.
const DEMO_TASKS_TOML: &str = include_str!("../../assets/demo-tasks.toml");

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoFile {
    task: Vec<DemoEntry>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoEntry {
    id: String,
    label: String,
    url: String,
    behaviour: String,
}

/// The demo tasks from `assets/demo-tasks.toml` (embedded in the binary).
///
/// The embedded file is checked by a unit test, so this cannot fail in a
/// built crate; should it ever, the list is empty rather than a panic.
pub fn demo_tasks() -> Vec<DemoTask> {
    parse_demo_tasks(DEMO_TASKS_TOML, "assets/demo-tasks.toml").unwrap_or_default()
}

/// Parses a demo task list in the `assets/demo-tasks.toml` format
/// (`[[task]] id, label, url, behaviour`); `source_name` names it in errors.
pub fn parse_demo_tasks(text: &str, source_name: &str) -> Result<Vec<DemoTask>, SimError> {
    let bad = |reason: String| SimError::DemoTasks {
        source_name: source_name.to_owned(),
        reason,
    };
    let file: DemoFile = toml::from_str(text).map_err(|e| bad(e.message().to_owned()))?;
    file.task
        .into_iter()
        .map(|e| {
            if !super::validate::valid_task_id(&e.id) {
                return Err(bad(format!(
                    "task id '{}' is not 1-128 characters of A-Z a-z 0-9 . _ -",
                    e.id
                )));
            }
            let behaviour = e
                .behaviour
                .parse()
                .map_err(|err: SimError| bad(format!("task '{}': {err}", e.id)))?;
            Ok(DemoTask {
                id: e.id,
                label: e.label,
                url: e.url,
                behaviour,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_demo_tasks_parse_and_cover_every_kind() {
        let tasks =
            parse_demo_tasks(DEMO_TASKS_TOML, "assets/demo-tasks.toml").expect("demo tasks parse");
        assert!(tasks.len() >= 10);
        let has = |f: &dyn Fn(&Behaviour) -> bool| tasks.iter().any(|t| f(&t.behaviour));
        assert!(
            tasks
                .iter()
                .filter(|t| t.behaviour == Behaviour::Accept)
                .count()
                >= 3
        );
        assert!(has(&|b| *b == Behaviour::AcceptNewId));
        assert!(has(&|b| *b == Behaviour::NotFound));
        assert!(has(&|b| *b == Behaviour::Legal));
        assert!(has(&|b| matches!(b, Behaviour::Reject { .. })));
        assert!(has(&|b| matches!(
            b,
            Behaviour::Unavailable { times: 2, .. }
        )));
        assert!(has(&|b| matches!(b, Behaviour::Slow { .. })));
        assert!(has(&|b| *b == Behaviour::Drop));
        let mut ids: Vec<_> = tasks.iter().map(|t| t.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), tasks.len(), "demo task ids are unique");
        assert_eq!(demo_tasks(), tasks);
    }
}
