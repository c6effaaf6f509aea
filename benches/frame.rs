//! Frame cost of the dashboard, through its public API only.
//!
//! The App is built the way a session builds it: `App::new`, tasks added with
//! `add_tasks` (ids, labels, URLs), every task sent with `*`, `r`, `y` and a
//! worker `Finished` event per job with mixed outcomes, then a filter typed
//! with `/` that matches half of the tasks, kept with Enter.
//!
//! * `frame/N`: one `update` (a Down or Up key, alternating, so the
//!   selection moves and the details pane changes) plus one draw of the
//!   whole dashboard on a 200x50 `TestBackend`. Target: <= 2 ms at 100,000
//!   tasks, and the 100,000 figure <= 1.5x the 100 figure.
//! * `filter_keystroke/N`: one key typed in Filter mode (`update` with a
//!   `Char`): the filter's last `l` again after a Backspace. Typing more
//!   can only narrow the list, so this tests the rows shown (half of all).
//!   Only the keystroke is timed; the Backspace before it runs outside the
//!   timing. Target: <= 10 ms per keystroke at 100,000 tasks.
//! * `filter_backspace/N`: the other way round: the Backspace is timed. It
//!   widens the filter, so every task is tested: the worst keystroke.
//!   Same target.
//! * `filter_keystroke_and_draw/N`: the typed key plus the frame drawn
//!   after it: what the user waits for.
//! * `sorted_…`: the same four with the list sorted by when, newest first
//!   (`s` four times, `S`), and the field filter `label:mail` instead:
//!   a frame and a keystroke never sort, so the targets are the same.
//!
//! Run: `cargo bench --bench frame` (or `cargo bench --bench frame -- frame/`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tae_rescan::api::{Outcome, TaskId};
use tae_rescan::import::ImportedTask;
use tae_rescan::tui::app::{Account, App, Mode, Theme};
use tae_rescan::tui::message::{Command, Message};
use tae_rescan::tui::update::update;
use tae_rescan::tui::view::view;
use tae_rescan::worker::WorkerEvent;

const SIZES: [usize; 3] = [100, 10_000, 100_000];
const WIDTH: u16 = 200;
const HEIGHT: u16 = 50;
/// Typed as the filter: matches the label of every other task; so does it
/// without its last letter.
const FILTER: &str = "mail";
/// The same as a field filter.
const FIELD_FILTER: &str = "label:mail";

/// What is active while measuring.
#[derive(Clone, Copy, PartialEq)]
enum Setup {
    /// The filter [`FILTER`], the order added.
    Plain,
    /// The filter [`FIELD_FILTER`], sorted by when, reversed.
    SortedField,
}

impl Setup {
    fn prefix(self) -> &'static str {
        match self {
            Setup::Plain => "",
            Setup::SortedField => "sorted_",
        }
    }
}

fn key(app: &mut App, code: KeyCode) -> Vec<Command> {
    update(app, Message::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

/// A TAE-like 32-character hex id, distinct for each `i`.
fn task_id(i: usize) -> TaskId {
    let h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    TaskId::parse(&format!("{:08x}{:016x}{:08x}", i, h, h >> 32)).unwrap()
}

/// The outcome a job ends with: mostly accepted, a share of each failure.
fn outcome(i: usize) -> (Outcome, Option<u16>) {
    match i % 10 {
        0 => (
            Outcome::Rejected {
                error: "invalid-params".into(),
                description: "file_ext: must be 1-10 letters or digits".into(),
            },
            Some(400),
        ),
        1 => (Outcome::FailedOrHung, Some(404)),
        2 => (
            Outcome::Error {
                detail: "HTTP 503: service unavailable".into(),
            },
            Some(503),
        ),
        3 => (Outcome::LegalBlock, Some(451)),
        _ => (
            Outcome::Accepted {
                body: r#"{"status":"queued"}"#.into(),
                new_task_id: None,
            },
            Some(200),
        ),
    }
}

/// `n` tasks, each with a finished rescan, the filter (and the sort) of
/// `setup` active, Normal mode.
fn build_app(n: usize, setup: Setup) -> App {
    let account = Account {
        user: "demo".into(),
        cert_subject: Some("CN=bench-client".into()),
        base_label: "https://tip.kaspersky.com".into(),
        base_url: Some(url::Url::parse("https://tip.kaspersky.com/").unwrap()),
        ..Default::default()
    };
    let mut app = App::new(
        account,
        (WIDTH, HEIGHT),
        Theme { color: true },
        TimeZone::UTC,
    );
    let start = Timestamp::from_second(1_764_000_000).unwrap();
    app.now = start;
    let tasks = (0..n)
        .map(|i| ImportedTask {
            id: task_id(i),
            label: Some(if i % 2 == 0 {
                format!("mail gateway {i}")
            } else {
                format!("finance share {i}")
            }),
            url: Some(format!("https://files.example.com/samples/{i}.zip")),
        })
        .collect();
    assert_eq!(app.tasks.add(tasks), n);

    // Send every task: mark all, r, confirm with y.
    key(&mut app, KeyCode::Char('*'));
    key(&mut app, KeyCode::Char('r'));
    let jobs = key(&mut app, KeyCode::Char('y'))
        .into_iter()
        .find_map(|c| match c {
            Command::Submit(jobs) => Some(jobs),
            _ => None,
        })
        .expect("confirming the rescan submits jobs");
    assert_eq!(jobs.len(), n);
    for (i, job) in jobs.into_iter().enumerate() {
        let (outcome, status) = outcome(i);
        let at = start
            .checked_add(jiff::SignedDuration::from_millis(i as i64))
            .unwrap();
        update(
            &mut app,
            Message::Worker {
                event: WorkerEvent::Finished {
                    job: job.id,
                    task: job.task,
                    outcome,
                    status,
                    attempts: 1,
                    queued: Duration::ZERO,
                    elapsed: Duration::from_millis(40),
                },
                at,
            },
        );
    }
    key(&mut app, KeyCode::Char('u'));
    assert_eq!(app.tasks.counts().in_flight(), 0);

    if setup == Setup::SortedField {
        for _ in 0..4 {
            key(&mut app, KeyCode::Char('s'));
        }
        key(&mut app, KeyCode::Char('S'));
        assert_eq!(
            app.tasks.sort().title().as_deref(),
            Some("sorted by when, reversed")
        );
    }
    // Type the filter and keep it.
    key(&mut app, KeyCode::Char('/'));
    let filter = match setup {
        Setup::Plain => FILTER,
        Setup::SortedField => FIELD_FILTER,
    };
    for c in filter.chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.mode, Mode::Normal));
    assert_eq!(
        app.tasks.visible().len(),
        n.div_ceil(2),
        "the filter matches half"
    );
    // Start in the middle of the list, away from both ends.
    let middle = app.tasks.visible().len() / 2;
    app.tasks.move_selection(middle as isize, 1);
    key(&mut app, KeyCode::Down);
    app
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap()
}

fn draw(terminal: &mut Terminal<TestBackend>, app: &App) {
    terminal.draw(|frame| view(app, frame)).unwrap();
}

fn frame(c: &mut Criterion) {
    for setup in [Setup::Plain, Setup::SortedField] {
        frames(c, setup);
    }
}

fn frames(c: &mut Criterion, setup: Setup) {
    let mut g = c.benchmark_group(format!("{}frame", setup.prefix()));
    for n in SIZES {
        let mut app = build_app(n, setup);
        let mut term = terminal();
        draw(&mut term, &app);
        // Check that the frame shows what we mean to measure.
        let screen = format!("{:?}", term.backend().buffer());
        let title = format!("Tasks {}/{}", n.div_ceil(2), n);
        assert!(screen.contains(&title), "no {title:?} on screen");
        let mut down = true;
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                let code = if down { KeyCode::Down } else { KeyCode::Up };
                down = !down;
                black_box(key(&mut app, code));
                draw(&mut term, &app);
            })
        });
    }
    g.finish();
}

/// What one iteration of a filter benchmark times: each iteration takes
/// the filter's last letter away and types it again.
#[derive(Clone, Copy, PartialEq)]
enum Timed {
    /// The typed `l`.
    Typing,
    /// The typed `l` and the frame after it.
    TypingAndDraw,
    /// The Backspace before it.
    Backspace,
}

fn keystrokes(
    app: &mut App,
    term: &mut Terminal<TestBackend>,
    iters: u64,
    timed: Timed,
) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let t0 = Instant::now();
        black_box(key(app, KeyCode::Backspace));
        let widened = t0.elapsed();
        let t1 = Instant::now();
        black_box(key(app, KeyCode::Char('l')));
        if timed == Timed::TypingAndDraw {
            draw(term, app);
        }
        total += match timed {
            Timed::Backspace => widened,
            _ => t1.elapsed(),
        };
    }
    total
}

fn filter_keystroke(c: &mut Criterion) {
    for (setup, timed) in [Setup::Plain, Setup::SortedField]
        .into_iter()
        .flat_map(|s| [Timed::Typing, Timed::Backspace, Timed::TypingAndDraw].map(|t| (s, t)))
    {
        let name = match timed {
            Timed::Typing => "filter_keystroke",
            Timed::Backspace => "filter_backspace",
            Timed::TypingAndDraw => "filter_keystroke_and_draw",
        };
        let mut g = c.benchmark_group(format!("{}{name}", setup.prefix()));
        for n in SIZES {
            let mut app = build_app(n, setup);
            let mut term = terminal();
            // Back into Filter mode with the filter typed; without its last
            // letter ("mai") it still matches every "mail gateway N" label
            // and no other: the list keeps half of the tasks either way.
            key(&mut app, KeyCode::Char('/'));
            assert!(matches!(app.mode, Mode::Filter));
            key(&mut app, KeyCode::Backspace);
            assert_eq!(app.tasks.visible().len(), n.div_ceil(2));
            key(&mut app, KeyCode::Char('l'));
            g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
                b.iter_custom(|iters| keystrokes(&mut app, &mut term, iters, timed))
            });
        }
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = frame, filter_keystroke
}
criterion_main!(benches);
