//! `update` tests for what the task list says is true: a cancel before the
//! request left changes no outcome, the quit dialog counts what is really
//! on the wire, and the monitor counts tasks as well as records.

use std::time::Duration;

use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;

use super::app::{App, Mode};
use super::message::{Command, Message};
use super::test_support::{AT, app_at, press};
use super::update::update;
use crate::api::outcome::OutcomeKind;
use crate::api::{Outcome, TaskId};
use crate::store::MonitorData;
use crate::worker::{JobId, WorkerEvent};

fn app_with(ids: &[&str]) -> App {
    app_at((120, 30), ids)
}

/// `*`, `r`, `y`: every task sent; the jobs in list order.
fn send_all(app: &mut App) -> Vec<JobId> {
    press(app, KeyCode::Char('*'));
    press(app, KeyCode::Char('r'));
    let commands = press(app, KeyCode::Char('y'));
    press(app, KeyCode::Char('u'));
    commands
        .into_iter()
        .flat_map(|c| match c {
            Command::Submit(jobs) => jobs.into_iter().map(|j| j.id).collect(),
            _ => vec![],
        })
        .collect()
}

fn worker(app: &mut App, event: WorkerEvent) {
    let at = Timestamp::from_second(AT).unwrap();
    update(app, Message::Worker { event, at });
}

fn finished(app: &mut App, job: JobId, outcome: Outcome) {
    worker(
        app,
        WorkerEvent::Finished {
            job,
            task: TaskId::parse("x").unwrap(),
            outcome,
            status: None,
            attempts: 1,
            queued: Duration::ZERO,
            elapsed: Duration::ZERO,
        },
    );
}

fn accepted() -> Outcome {
    Outcome::Accepted {
        body: String::new(),
        new_task_id: None,
    }
}

fn last(app: &App, id: &str) -> String {
    let row = app.tasks.row(&TaskId::parse(id).unwrap()).unwrap();
    row.last()
        .map(|a| a.outcome.label().to_string())
        .unwrap_or_default()
}

fn draw(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    terminal.draw(|f| super::view::view(app, f)).unwrap();
    format!("{}", terminal.backend())
}

/// The worker's word that `job`'s first request is on the wire.
fn on_wire(app: &mut App, job: JobId) {
    worker(app, WorkerEvent::Sending { job, attempt: 1 });
}

#[test]
fn a_cancel_before_the_request_left_keeps_the_last_outcome() {
    let mut app = app_with(&["wire-1", "queued-2", "resend-3", "retry-4"]);
    for job in send_all(&mut app) {
        finished(&mut app, job, accepted());
    }
    assert_eq!(app.tasks.counts().accepted, 4);
    let jobs = send_all(&mut app);
    // wire-1 is on the wire, queued-2 never leaves the queue.
    on_wire(&mut app, jobs[0]);
    worker(&mut app, WorkerEvent::RequestEnded { job: jobs[0] });
    // resend-3 ended `failed or hung` and waits to be sent once more.
    on_wire(&mut app, jobs[2]);
    worker(&mut app, WorkerEvent::RequestEnded { job: jobs[2] });
    let delay = Duration::from_secs(60);
    worker(
        &mut app,
        WorkerEvent::Resending {
            job: jobs[2],
            outcome: Outcome::FailedOrHung,
            status: Some(404),
            attempts: 1,
            queued: Duration::ZERO,
            elapsed: Duration::from_millis(30),
            delay,
        },
    );
    // retry-4 was answered 503 and waits to retry: its request is recorded.
    on_wire(&mut app, jobs[3]);
    worker(&mut app, WorkerEvent::RequestEnded { job: jobs[3] });
    let reason = "HTTP 503".to_owned();
    let retry = WorkerEvent::Retrying {
        job: jobs[3],
        attempt: 1,
        delay,
        reason,
    };
    worker(&mut app, retry);

    press(&mut app, KeyCode::Char('*'));
    let cancel = press(&mut app, KeyCode::Char('c'));
    assert!(matches!(&cancel[..], [Command::Cancel(j)] if j.len() == 4));
    for job in &jobs {
        finished(&mut app, *job, Outcome::Cancelled);
    }
    assert_eq!(last(&app, "wire-1"), "cancelled", "cancelled on the wire");
    assert_eq!(last(&app, "queued-2"), "accepted", "never sent");
    assert_eq!(
        last(&app, "resend-3"),
        "failed or hung",
        "its re-send never left"
    );
    assert_eq!(
        last(&app, "retry-4"),
        "cancelled",
        "its first request is recorded"
    );
    let c = app.tasks.counts();
    assert_eq!((c.accepted, c.not_accepted, c.in_flight()), (1, 3, 0));
    assert!(draw(&app).contains("accepted 1 "), "{}", draw(&app));
}

#[test]
fn the_quit_dialog_counts_the_wire_the_queue_and_the_waiting_while_open() {
    let mut app = app_with(&["q-1", "q-2", "q-3", "q-4", "q-5"]);
    let jobs = send_all(&mut app);
    on_wire(&mut app, jobs[0]);
    on_wire(&mut app, jobs[1]);
    let retry = WorkerEvent::Retrying {
        job: jobs[1],
        attempt: 1,
        delay: Duration::from_secs(5),
        reason: "HTTP 503".into(),
    };
    worker(&mut app, retry);
    press(&mut app, KeyCode::Char('q'));
    assert!(matches!(app.mode, Mode::Confirm(_)));
    let screen = draw(&app);
    assert!(
        screen.contains("Quit? 1 on the wire, 3 queued, 1 waiting"),
        "{screen}"
    );
    assert!(screen.contains("recorded `interrupted`"), "{screen}");
    assert!(screen.contains("Queued and waiting: not sent"), "{screen}");

    finished(&mut app, jobs[0], accepted());
    on_wire(&mut app, jobs[2]);
    finished(&mut app, jobs[1], accepted());
    let screen = draw(&app);
    assert!(
        screen.contains("┌ Quit? 1 on the wire, 2 queued ─"),
        "the title follows the counts while open: {screen}"
    );
    let commands = press(&mut app, KeyCode::Char('y'));
    assert!(app.should_quit);
    assert!(matches!(&commands[..], [Command::Cancel(j)] if j.len() == 3));
}

#[test]
fn the_request_ended_leaves_the_sending_count_before_the_next_starts() {
    let mut app = app_with(&["s-1", "s-2"]);
    let jobs = send_all(&mut app);
    on_wire(&mut app, jobs[0]);
    worker(&mut app, WorkerEvent::RequestEnded { job: jobs[0] });
    on_wire(&mut app, jobs[1]);
    let c = app.tasks.counts();
    assert_eq!((c.sending, c.answered, c.in_flight()), (1, 1, 2));
    assert!(draw(&app).contains("sending 1 "));
    finished(&mut app, jobs[0], accepted());
    assert_eq!(app.tasks.counts().in_flight(), 1);
}

#[test]
fn the_monitor_counts_tasks_by_their_last_outcome_beside_the_records() {
    let mut app = app_with(&["m-1", "m-2", "m-3", "m-4"]);
    let jobs = send_all(&mut app);
    finished(&mut app, jobs[0], accepted());
    finished(&mut app, jobs[1], Outcome::FailedOrHung);
    finished(&mut app, jobs[2], Outcome::FailedOrHung);
    // m-2 is sent again and accepted: it no longer stands failed.
    app.tasks.move_selection(1, 10);
    let again = press(&mut app, KeyCode::Char('r'));
    let Some(Command::Submit(job)) = again.first() else {
        panic!("{again:?}")
    };
    finished(&mut app, job[0].id, accepted());
    press(&mut app, KeyCode::Char('2'));
    let data = MonitorData {
        counts: vec![
            (OutcomeKind::FailedOrHung, 258),
            (OutcomeKind::Accepted, 40),
        ],
        buckets: vec![],
    };
    update(&mut app, Message::Monitor(Ok(data)));
    let screen = draw(&app);
    assert!(screen.contains("298 rescans:"), "{screen}");
    let line = screen
        .lines()
        .find(|l| l.contains("Tasks now:"))
        .expect("a Tasks now line");
    assert!(
        line.contains("accepted 2") && line.contains("failed or hung 1"),
        "{line}"
    );
    assert!(line.contains("never sent 1"), "{line}");
}
