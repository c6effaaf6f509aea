//! How headless results look: aligned text lines or JSON lines, and the
//! progress line on stderr.

use std::io::Write;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::api::{Outcome, TaskId};

/// One finished task, as the `rescan` command prints it.
pub struct ResultLine<'a> {
    /// The task.
    pub task: &'a TaskId,
    /// HTTP status of the last attempt.
    pub status: Option<u16>,
    /// The verdict.
    pub outcome: &'a Outcome,
    /// Requests sent.
    pub attempts: u32,
    /// From queueing to verdict.
    pub elapsed: Duration,
}

impl ResultLine<'_> {
    /// `ID  LABEL  detail`, the id padded to `id_width`.
    pub fn text(&self, id_width: usize) -> String {
        let mut detail = self.outcome.description();
        if let Some(error) = self.outcome.error_id() {
            detail = format!("{error}: {detail}");
        }
        if self.attempts > 1 {
            detail.push_str(&format!(" (after {} attempts)", self.attempts));
        }
        format!(
            "{:<id_width$}  {:<20}  {}",
            self.task,
            self.outcome.label(),
            detail
        )
    }

    /// One JSON object with the documented field names, in that order.
    pub fn json(&self) -> String {
        let record = JsonRecord {
            task_id: self.task.as_str(),
            status: self.status,
            outcome: self.outcome.label(),
            error: self.outcome.error_id(),
            description: self.outcome.description(),
            new_task_id: self.outcome.new_task_id(),
            attempts: self.attempts,
            elapsed_ms: self.elapsed.as_millis() as u64,
        };
        serde_json::to_string(&record).unwrap_or_default()
    }
}

/// The `rescan --output json` line; field order is the documented one.
#[derive(Serialize)]
struct JsonRecord<'a> {
    task_id: &'a str,
    status: Option<u16>,
    outcome: &'a str,
    error: Option<&'a str>,
    description: String,
    new_task_id: Option<&'a str>,
    attempts: u32,
    elapsed_ms: u64,
}

/// Counts for the progress line.
#[derive(Debug, Default)]
pub struct Progress {
    enabled: bool,
    total: usize,
    /// Finished tasks.
    pub done: usize,
    /// Finished with `accepted`.
    pub accepted: usize,
    /// Requests on the wire now.
    pub sending: usize,
    /// Jobs waiting to retry.
    pub retrying: usize,
    last_draw: Option<Instant>,
}

impl Progress {
    /// A progress line for `total` tasks, drawn only when `enabled`
    /// (stderr is a terminal and there is more than one task).
    pub fn new(total: usize, enabled: bool) -> Self {
        Self {
            enabled,
            total,
            ..Self::default()
        }
    }

    /// Redraws at most ten times a second.
    pub fn draw(&mut self) {
        if !self.enabled
            || self
                .last_draw
                .is_some_and(|t| t.elapsed() < Duration::from_millis(100))
        {
            return;
        }
        self.last_draw = Some(Instant::now());
        let line = format!(
            "\r\x1b[2K[{}/{}] {} accepted · {} not accepted · {} sending · {} waiting to retry",
            self.done,
            self.total,
            self.accepted,
            self.done - self.accepted,
            self.sending,
            self.retrying
        );
        let _ = std::io::stderr().write_all(line.as_bytes());
    }

    /// Clears the line so a result can be printed in its place.
    pub fn clear(&mut self) {
        if self.enabled {
            let _ = std::io::stderr().write_all(b"\r\x1b[2K");
            self.last_draw = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_lines_keep_their_columns_whatever_the_id_length() {
        let accepted = Outcome::Accepted {
            body: String::new(),
            new_task_id: None,
        };
        let line = |id: &str| {
            let task = TaskId::parse(id).unwrap();
            ResultLine {
                task: &task,
                status: Some(200),
                outcome: &accepted,
                attempts: 1,
                elapsed: Duration::ZERO,
            }
            .text(32)
        };
        let short = line("tae-2026-000123");
        let long = line("9d2e8f4c6b0a41378e5d2c1b0a9f8e77");
        assert_eq!(short.find("accepted"), Some(34), "{short:?}");
        assert_eq!(long.find("accepted"), Some(34), "{long:?}");
    }
}
