//! How headless results look: aligned text lines or JSON lines, and the
//! progress line on stderr.

use std::io::Write;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use serde::Serialize;

use crate::api::{Outcome, TaskId};
use crate::progress::RunProgress;

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
    /// From queueing to the first request.
    pub queued: Duration,
    /// From the first request to the verdict.
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
            queued_ms: self.queued.as_millis() as u64,
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
    queued_ms: u64,
}

/// Counts for the progress line.
#[derive(Debug, Default)]
pub struct Progress {
    enabled: bool,
    /// Tasks, those finished, the rate and the time left.
    run: RunProgress,
    /// Requests on the wire now.
    pub sending: usize,
    /// Jobs waiting to retry.
    pub retrying: usize,
    last_draw: Option<Instant>,
    /// A draw was skipped to keep to ten a second: it is owed.
    owed: bool,
}

impl Progress {
    /// A progress line for `total` tasks, drawn only when `enabled`
    /// (stderr is a terminal and there is more than one task).
    pub fn new(total: usize, enabled: bool, now: Timestamp) -> Self {
        let mut run = RunProgress::default();
        run.add(total);
        run.seen(now);
        Self {
            enabled,
            run,
            ..Self::default()
        }
    }

    /// A task finished at `now`, `accepted` or not.
    pub fn finished(&mut self, accepted: bool, now: Timestamp) {
        self.run.finished(accepted, now);
    }

    /// Finished tasks.
    pub fn done(&self) -> usize {
        self.run.done()
    }

    /// Tasks finished `accepted`.
    pub fn accepted(&self) -> usize {
        self.run.accepted()
    }

    /// Redraws at most ten times a second; a skipped draw is owed (see
    /// [`Progress::redraw_at`]), or the line would keep showing what was
    /// true before the last change (a job that went from sending to waiting
    /// within a tenth of a second stayed "sending" for its whole wait).
    pub fn draw(&mut self, now: Timestamp) {
        if !self.enabled {
            return;
        }
        if self.last_draw.is_some_and(|t| t.elapsed() < Self::INTERVAL) {
            self.owed = true;
            return;
        }
        self.owed = false;
        self.last_draw = Some(Instant::now());
        let _ = std::io::stderr().write_all(self.line(now).as_bytes());
    }

    /// The line as drawn, with the rate and the time left once a task
    /// is done.
    fn line(&self, now: Timestamp) -> String {
        let (done, accepted) = (self.run.done(), self.run.accepted());
        let mut line = format!(
            "\r\x1b[2K[{done}/{}] {accepted} accepted · {} not accepted · {} sending · {} waiting to retry",
            self.run.total(),
            done - accepted,
            self.sending,
            self.retrying
        );
        if let Some(pace) = self.run.pace(now) {
            line.push_str(" · ");
            line.push_str(&pace);
        }
        line
    }

    /// Shortest time between two draws.
    const INTERVAL: Duration = Duration::from_millis(100);

    /// When the owed draw is due, if one is owed.
    pub fn redraw_at(&self) -> Option<tokio::time::Instant> {
        let last = self.last_draw.filter(|_| self.owed)?;
        Some(tokio::time::Instant::from_std(last + Self::INTERVAL))
    }

    /// Clears the line so a result can be printed in its place.
    pub fn clear(&mut self) {
        if self.enabled {
            let _ = std::io::stderr().write_all(b"\r\x1b[2K");
            self.last_draw = None;
        }
    }
}

/// The stderr line for a job that waits before its next attempt:
/// `ID: ANSWER; retrying in 30 s at 2026-12-01T20:31:05.000Z`. The answer is
/// server text, sanitised and cut short.
pub fn wait_line(
    task: &TaskId,
    answer: &str,
    next: &str,
    delay: Duration,
    now: jiff::Timestamp,
) -> String {
    let secs = delay.as_secs() + u64::from(delay.subsec_nanos() >= 500_000_000);
    let at = jiff::SignedDuration::try_from(delay)
        .ok()
        .and_then(|d| now.checked_add(d).ok())
        .and_then(|t| t.round(jiff::Unit::Second).ok())
        .map(crate::times::rfc3339)
        .unwrap_or_default();
    format!(
        "{task}: {}; {next} in {secs} s at {at}",
        crate::text::sanitize_capped(answer, 200)
    )
}

/// Prints `blocks` on stdout, one line each. A closed pipe (`| head`) ends
/// quietly; any other failed write is one line (exit 2), never a panic.
pub fn print_all(
    mut blocks: impl Iterator<Item = String>,
) -> Result<std::process::ExitCode, crate::edge::UsageError> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match blocks
        .try_for_each(|text| writeln!(out, "{text}"))
        .and_then(|()| out.flush())
    {
        Ok(()) => Ok(std::process::ExitCode::SUCCESS),
        Err(e) => output_error(e),
    }
}

/// A failed write to stdout: a closed pipe (`| head`) ends quietly and
/// successfully, anything else (a full disk) is one line with exit 2.
pub fn output_error(e: std::io::Error) -> Result<std::process::ExitCode, crate::edge::UsageError> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(std::process::ExitCode::SUCCESS)
    } else {
        Err(crate::edge::UsageError(format!(
            "cannot write the output to standard output: {}",
            crate::text::io_reason(&e)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_line_names_the_task_the_answer_and_the_time() {
        let task = TaskId::parse("tae-2026-000123").unwrap();
        let now: jiff::Timestamp = "2026-12-01T20:30:35.4Z".parse().unwrap();
        let line = wait_line(
            &task,
            "HTTP 503 Service Unavailable: busy\n\x1b[2J",
            "retrying",
            Duration::from_secs(30),
            now,
        );
        assert_eq!(
            line,
            "tae-2026-000123: HTTP 503 Service Unavailable: busy\\n\\e[2J; retrying in 30 s at 2026-12-01T20:31:05.000Z"
        );
    }

    #[test]
    fn a_skipped_draw_is_owed_and_falls_due() {
        let mut p = Progress::new(2, true, Timestamp::UNIX_EPOCH);
        assert_eq!(p.redraw_at(), None);
        p.last_draw = Some(Instant::now());
        p.draw(Timestamp::UNIX_EPOCH);
        let due = p.redraw_at().expect("the skipped draw is owed");
        assert!(due <= tokio::time::Instant::now() + Progress::INTERVAL);
    }

    #[test]
    fn the_progress_line_has_the_rate_and_the_time_left_once_a_task_is_done() {
        let start = Timestamp::from_second(1_800_000_000).unwrap();
        let later = |secs| {
            start
                .checked_add(jiff::SignedDuration::from_secs(secs))
                .unwrap()
        };
        let mut p = Progress::new(4, true, start);
        assert!(
            p.line(later(1)).ends_with(" 0 waiting to retry"),
            "no rate yet"
        );
        p.finished(true, later(2));
        assert_eq!(
            p.line(later(2)),
            "\r\x1b[2K[1/4] 1 accepted · 0 not accepted · 0 sending · 0 waiting to retry · 0.5/s · ETA 6s"
        );
    }

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
                queued: Duration::ZERO,
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
