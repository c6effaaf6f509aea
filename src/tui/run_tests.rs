//! `update` tests for a run: `p`, `+` and `-` as worker commands, the
//! run's progress, rate and ETA on the clock the messages bring, the line
//! when it is over and the bell, once.

use std::time::Duration;

use jiff::Timestamp;
use ratatui::crossterm::event::KeyCode;

use super::app::App;
use super::message::{Command, Message};
use super::test_support::{self, app_at};
use super::update::update;
use crate::api::{Outcome, TaskId};
use crate::worker::{Control, JobId, WorkerEvent};

fn app_with(ids: &[&str]) -> App {
    app_at((120, 30), ids)
}

fn press(app: &mut App, c: char) -> Vec<Command> {
    test_support::press(app, KeyCode::Char(c))
}

fn at(secs: i64) -> Timestamp {
    Timestamp::from_second(1_790_000_000 + secs).unwrap()
}

/// Marks every row and sends them: the jobs, in list order.
fn send_all(app: &mut App) -> Vec<(JobId, TaskId)> {
    press(app, '*');
    let mut commands = press(app, 'r');
    if matches!(app.mode, super::app::Mode::Confirm(_)) {
        commands = press(app, 'y');
    }
    press(app, 'u');
    submitted(commands)
}

fn submitted(commands: Vec<Command>) -> Vec<(JobId, TaskId)> {
    commands
        .into_iter()
        .flat_map(|c| match c {
            Command::Submit(jobs) => jobs.into_iter().map(|j| (j.id, j.task)).collect(),
            _ => vec![],
        })
        .collect()
}

fn worker(app: &mut App, event: WorkerEvent, secs: i64) -> Vec<Command> {
    update(
        app,
        Message::Worker {
            event,
            at: at(secs),
        },
    )
}

fn queued(app: &mut App, jobs: &[(JobId, TaskId)], secs: i64) {
    for (job, _) in jobs {
        worker(app, WorkerEvent::Queued { job: *job }, secs);
    }
}

fn finish(app: &mut App, job: &(JobId, TaskId), accepted: bool, secs: i64) -> Vec<Command> {
    let outcome = if accepted {
        Outcome::Accepted {
            body: String::new(),
            new_task_id: None,
        }
    } else {
        Outcome::FailedOrHung
    };
    let event = WorkerEvent::Finished {
        job: job.0,
        task: job.1.clone(),
        outcome,
        status: Some(200),
        attempts: 1,
        elapsed: Duration::from_millis(5),
        queued: Duration::ZERO,
    };
    worker(app, event, secs)
}

fn controls(commands: &[Command]) -> Vec<Control> {
    commands
        .iter()
        .filter_map(|c| match c {
            Command::Worker(control) => Some(*control),
            _ => None,
        })
        .collect()
}

fn bells(commands: &[Command]) -> usize {
    commands
        .iter()
        .filter(|c| matches!(c, Command::Bell))
        .count()
}

fn line(app: &App) -> Option<String> {
    app.tasks.run().line(app.now)
}

#[test]
fn p_pauses_the_worker_and_p_again_resumes_it() {
    let mut app = app_with(&["t-1"]);
    assert_eq!(controls(&press(&mut app, 'p')), [Control::Pause]);
    assert!(app.control.paused);
    assert_eq!(controls(&press(&mut app, '2')), [], "the monitor tab");
    assert_eq!(
        controls(&press(&mut app, 'p')),
        [Control::Resume],
        "on both tabs"
    );
    assert!(!app.control.paused);
}

#[test]
fn plus_and_minus_change_the_concurrency_between_1_and_64() {
    let mut app = app_with(&["t-1"]);
    assert_eq!(app.control.concurrency, 4);
    assert_eq!(controls(&press(&mut app, '+')), [Control::Concurrency(5)]);
    // Said, since a narrow status bar may leave `concurrency N` out.
    let notice = |app: &App| app.notice.as_ref().map(|n| n.text.clone());
    assert_eq!(
        notice(&app).as_deref(),
        Some("concurrency 5: from the next request that starts")
    );
    for _ in 0..3 {
        press(&mut app, '-');
    }
    assert_eq!(controls(&press(&mut app, '-')), [Control::Concurrency(1)]);
    assert_eq!(controls(&press(&mut app, '-')), [], "1 is the least");
    assert_eq!(
        notice(&app).as_deref(),
        Some("concurrency 1: the least is 1")
    );
    assert_eq!(app.control.concurrency, 1);
    for _ in 0..62 {
        press(&mut app, '+');
    }
    assert_eq!(controls(&press(&mut app, '+')), [Control::Concurrency(64)]);
    assert_eq!(controls(&press(&mut app, '+')), [], "64 is the most");
    assert_eq!(
        notice(&app).as_deref(),
        Some("concurrency 64: the most is 64")
    );
    assert_eq!(app.control.concurrency, 64);

    // A configured concurrency above 64: `+` leaves it, `-` comes to 64.
    app.control.connected(100);
    assert_eq!(controls(&press(&mut app, '+')), []);
    assert_eq!(controls(&press(&mut app, '-')), [Control::Concurrency(64)]);
}

#[test]
fn the_run_counts_its_jobs_with_rate_and_eta_on_the_clock_of_the_events() {
    let mut app = app_with(&["t-1", "t-2", "t-3", "t-4", "t-5"]);
    assert_eq!(line(&app), None, "no run yet");
    let jobs = send_all(&mut app);
    assert_eq!(jobs.len(), 5);
    assert_eq!(line(&app).as_deref(), Some("run 0/5"));
    queued(&mut app, &jobs, 0);
    finish(&mut app, &jobs[0], true, 2);
    finish(&mut app, &jobs[1], false, 4);
    // 2 in 4 s: 0.5 a second, 3 left: 6 s.
    assert_eq!(line(&app).as_deref(), Some("run 2/5 · 0.5/s · ETA 6s"));
    update(&mut app, Message::Tick(at(8)));
    assert_eq!(
        line(&app).as_deref(),
        Some("run 2/5 · 0.2/s · ETA 12s"),
        "the rate falls while nothing finishes"
    );
}

#[test]
fn a_batch_sent_before_the_run_is_over_joins_it() {
    let mut app = app_with(&["t-1", "t-2", "t-3"]);
    let first = submitted(press(&mut app, 'r')); // t-1, selected, alone first
    assert_eq!(first.len(), 1);
    queued(&mut app, &first, 0);
    // Then all three: t-1 is still in flight, t-2 and t-3 join its run.
    let second = send_all(&mut app);
    assert_eq!(second.len(), 2);
    queued(&mut app, &second, 1);
    assert_eq!(line(&app).as_deref(), Some("run 0/3"));
    finish(&mut app, &first[0], true, 2);
    assert_eq!(line(&app).as_deref(), Some("run 1/3 · 0.5/s · ETA 4s"));
    finish(&mut app, &second[0], true, 3);
    let commands = finish(&mut app, &second[1], true, 6);
    assert_eq!(bells(&commands), 1);
    assert_eq!(
        line(&app).as_deref(),
        Some("run done in 6s: 3 accepted, 0 not accepted")
    );
    // A batch after the end begins a new run.
    let third = send_all(&mut app);
    assert_eq!(third.len(), 3);
    assert_eq!(line(&app).as_deref(), Some("run 0/3"));
}

#[test]
fn the_end_of_a_run_stays_in_the_status_and_rings_the_bell_once() {
    let mut app = app_with(&["t-1", "t-2", "t-3"]);
    let jobs = send_all(&mut app);
    queued(&mut app, &jobs, 0);
    assert_eq!(bells(&finish(&mut app, &jobs[0], true, 100)), 0);
    assert_eq!(bells(&finish(&mut app, &jobs[1], false, 150)), 0);
    assert_eq!(bells(&finish(&mut app, &jobs[2], true, 172)), 1);
    let done = "run done in 2m52s: 2 accepted, 1 not accepted";
    assert_eq!(line(&app).as_deref(), Some(done));
    assert_eq!(bells(&update(&mut app, Message::Tick(at(400)))), 0, "once");
    assert_eq!(bells(&press(&mut app, 'j')), 0);
    assert_eq!(line(&app).as_deref(), Some(done), "until the next run");
}

#[test]
fn no_bell_with_bell_off() {
    let mut app = app_with(&["t-1"]);
    app.control.bell = false;
    let jobs = send_all(&mut app);
    queued(&mut app, &jobs, 0);
    assert_eq!(bells(&finish(&mut app, &jobs[0], true, 1)), 0);
    assert_eq!(
        line(&app).as_deref(),
        Some("run done in 1s: 1 accepted, 0 not accepted")
    );
}

#[test]
fn removing_the_tasks_a_run_waits_for_ends_it() {
    let mut app = app_with(&["t-1", "t-2"]);
    let jobs = send_all(&mut app);
    queued(&mut app, &jobs, 0);
    finish(&mut app, &jobs[0], true, 3);
    press(&mut app, 'j');
    press(&mut app, 'd');
    let commands = press(&mut app, 'y');
    assert!(
        commands.iter().any(|c| matches!(c, Command::Cancel(_))),
        "t-2's job is cancelled"
    );
    assert_eq!(bells(&commands), 1, "the run is over");
    assert_eq!(
        line(&app).as_deref(),
        Some("run done in 3s: 1 accepted, 0 not accepted")
    );
}
