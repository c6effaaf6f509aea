//! One `rescan` run under way: feeds the worker, prints each result as it
//! arrives, says on stderr when a job waits long, and stops sending on
//! Ctrl-C, SIGTERM or a write to stdout that fails.

use std::collections::HashMap;
use std::io::{self, IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use crate::api::{Client, RescanParams, TaskId};
use crate::cli::OutputFormat;
use crate::cli::output::{Progress, ResultLine, wait_line};
use crate::store::StoreHandle;
use crate::worker::{self, CANCEL_GRACE, Job, JobId, WorkerConfig, WorkerEvent};

/// A job that waits longer than this before its next attempt is announced
/// on stderr: shorter waits are ordinary backoff, longer ones look like a
/// hang without a word.
pub const WAIT_NOTICE: Duration = Duration::from_secs(5);

/// How a run ended, for the exit code.
pub enum Ended {
    /// Every task was sent and answered; `true` when all were accepted.
    Done(bool),
    /// The reader of stdout went away (`| head`): stopped quietly.
    OutputClosed,
    /// Writing the results failed (a full disk, an I/O error): stopped,
    /// and the one line saying so is already printed.
    OutputFailed,
}

/// Sends every id, printing results as they arrive. On Ctrl-C or SIGTERM
/// (or a failed write to stdout) what has not finished is cancelled, and
/// the run still waits for every job's final word, so each request that
/// was sent has its record completed before the process ends.
pub async fn send_all(
    client: Arc<Client>,
    config: WorkerConfig,
    store: StoreHandle,
    ids: Vec<TaskId>,
    params: RescanParams,
    format: OutputFormat,
) -> Ended {
    let total = ids.len();
    let id_width = ids
        .iter()
        .map(|i| i.as_str().len())
        .max()
        .unwrap_or(0)
        .min(40);
    let (worker, mut events) = worker::spawn(client, config, Some(store));
    for (n, task) in ids.iter().enumerate() {
        worker.submit(Job {
            id: JobId(n as u64),
            task: task.clone(),
            params: params.clone(),
        });
    }
    let mut run = Printer {
        progress: Progress::new(
            total,
            total > 1 && io::stderr().is_terminal(),
            jiff::Timestamp::now(),
        ),
        phase: HashMap::new(),
        out: io::BufWriter::new(io::stdout()),
        format,
        id_width,
        tasks: ids,
        failed: None,
        sent: 0,
    };
    let cancel_all = || worker.cancel_many((0..total as u64).map(JobId).collect());
    let mut signals = Interrupts::register();
    let mut interrupts = 0;
    let mut stopped = false;
    while run.progress.done() < total {
        let redraw = run.progress.redraw_at();
        let event = tokio::select! {
            event = events.recv() => event,
            () = signals.recv() => {
                interrupts += 1;
                run.progress.clear();
                match interrupts {
                    1 => eprintln!(
                        "tae-rescan: interrupted: cancelling the tasks that have not finished (answers already on the way are awaited for up to {} s; interrupt again to stop at once)",
                        CANCEL_GRACE.as_secs()
                    ),
                    2 => eprintln!("tae-rescan: interrupted again: stopping the requests still on the wire"),
                    _ => {}
                }
                cancel_all();
                continue;
            }
            () = sleep_until(redraw), if redraw.is_some() => {
                run.progress.draw(jiff::Timestamp::now());
                continue;
            }
        };
        let Some(event) = event else { break };
        run.on_event(event);
        // Print everything that is ready, then flush once: lines stream to
        // a pipe promptly without a write per line under load.
        while let Ok(event) = events.try_recv() {
            run.on_event(event);
        }
        run.flush();
        if run.failed.is_some() && !stopped {
            stopped = true;
            cancel_all();
        }
    }
    run.progress.clear();
    match run.failed.take() {
        None => Ended::Done(run.progress.accepted() == total),
        Some(e) if e.kind() == io::ErrorKind::BrokenPipe => Ended::OutputClosed,
        Some(e) => {
            eprintln!(
                "tae-rescan: cannot write the results to standard output ({}): stopped sending; the {} tasks that were sent are recorded in the history (tae-rescan history)",
                crate::text::io_reason(&e),
                run.sent
            );
            Ended::OutputFailed
        }
    }
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Ctrl-C (SIGINT) and SIGTERM: both mean "stop sending, keep what came".
struct Interrupts {
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
}

impl Interrupts {
    fn register() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Interrupts {
                int: signal(SignalKind::interrupt()).ok(),
                term: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        Interrupts {}
    }

    /// Resolves at each interrupt (never, if none could be registered).
    async fn recv(&mut self) {
        #[cfg(unix)]
        {
            async fn next(s: &mut Option<tokio::signal::unix::Signal>) {
                match s {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending().await,
                }
            }
            tokio::select! {
                () = next(&mut self.int) => {}
                () = next(&mut self.term) => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// The state of the output while a run is under way.
struct Printer<W: Write> {
    progress: Progress,
    /// Jobs on the wire (true) or waiting to retry (false).
    phase: HashMap<JobId, bool>,
    out: W,
    format: OutputFormat,
    id_width: usize,
    /// The task of each job (a job's id is its index).
    tasks: Vec<TaskId>,
    /// The first failed write to stdout; nothing is written after it.
    failed: Option<io::Error>,
    /// Jobs that sent at least one request.
    sent: usize,
}

impl<W: Write> Printer<W> {
    fn on_event(&mut self, event: WorkerEvent) {
        match event {
            WorkerEvent::Queued { .. } => {}
            // Off the wire before its slot is free: never more counted
            // sending than the concurrency.
            WorkerEvent::RequestEnded { job } => {
                self.phase.remove(&job);
            }
            WorkerEvent::Sending { job, attempt } => {
                self.sent += usize::from(attempt == 1);
                self.phase.insert(job, true);
            }
            WorkerEvent::Retrying {
                job, delay, reason, ..
            } => {
                self.phase.insert(job, false);
                self.announce_wait(job, &reason, "retrying", delay);
            }
            WorkerEvent::Resending {
                job,
                outcome,
                delay,
                ..
            } => {
                self.phase.insert(job, false);
                self.announce_wait(job, outcome.label(), "sending it once more", delay);
            }
            WorkerEvent::RecordFailed { error, .. } => {
                self.progress.clear();
                eprintln!("tae-rescan: warning: {error}");
            }
            WorkerEvent::Finished {
                job,
                task,
                outcome,
                status,
                attempts,
                queued,
                elapsed,
            } => {
                self.phase.remove(&job);
                self.progress
                    .finished(outcome.is_accepted(), jiff::Timestamp::now());
                if self.failed.is_some() {
                    return;
                }
                let line = ResultLine {
                    task: &task,
                    status,
                    outcome: &outcome,
                    attempts,
                    queued,
                    elapsed,
                };
                let text = match self.format {
                    OutputFormat::Text => line.text(self.id_width),
                    OutputFormat::Json => line.json(),
                };
                self.progress.clear();
                if let Err(e) = writeln!(self.out, "{text}") {
                    self.failed = Some(e);
                }
            }
        }
    }

    /// One stderr line for a wait longer than [`WAIT_NOTICE`].
    fn announce_wait(&mut self, job: JobId, answer: &str, next: &str, delay: Duration) {
        if delay <= WAIT_NOTICE {
            return;
        }
        let Some(task) = usize::try_from(job.0).ok().and_then(|n| self.tasks.get(n)) else {
            return;
        };
        let line = wait_line(task, answer, next, delay, jiff::Timestamp::now());
        self.progress.clear();
        eprintln!("tae-rescan: {line}");
    }

    fn flush(&mut self) {
        if self.failed.is_none()
            && let Err(e) = self.out.flush()
        {
            self.failed = Some(e);
        }
        self.progress.sending = self.phase.values().filter(|on_wire| **on_wire).count();
        self.progress.retrying = self.phase.len() - self.progress.sending;
        self.progress.draw(jiff::Timestamp::now());
    }
}
