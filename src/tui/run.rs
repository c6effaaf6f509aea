//! The run keys and the end of a run: `p` pauses and resumes sending, `+`
//! and `-` change how many requests go at once, each told to the worker as
//! a command; the bell rings once when a run is over. The run's numbers
//! (done, rate, ETA) are the task list's ([`super::tasklist::TaskList::run`]).

use std::ops::RangeInclusive;

use super::app::App;
use super::message::Command;
use crate::worker::Control;

/// The fewest and the most requests at once that `-` and `+` reach.
pub const CONCURRENCY: RangeInclusive<usize> = 1..=64;

/// What the run keys have told the worker, and whether to ring the bell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunControl {
    /// Nothing new is sent.
    pub paused: bool,
    /// Most requests on the wire at once.
    pub concurrency: usize,
    /// What the worker was started with (`[worker] concurrency`).
    pub configured: usize,
    /// `[ui] bell`: ring the terminal bell when a run is over.
    pub bell: bool,
}

impl Default for RunControl {
    fn default() -> Self {
        let configured = crate::worker::WorkerConfig::default().concurrency;
        Self {
            paused: false,
            concurrency: configured,
            configured,
            bell: true,
        }
    }
}

impl RunControl {
    /// A worker was started with `concurrency`, running.
    pub fn connected(&mut self, concurrency: usize) {
        self.paused = false;
        self.concurrency = concurrency;
        self.configured = concurrency;
    }

    /// `concurrency N` belongs in the status bar: while a run goes on, or
    /// once it is not what the worker was started with.
    pub fn shows_concurrency(&self, running: bool) -> bool {
        running || self.concurrency != self.configured
    }
}

/// `p`: pause, or resume.
pub fn toggle_pause(app: &mut App) -> Vec<Command> {
    app.control.paused = !app.control.paused;
    let control = if app.control.paused {
        Control::Pause
    } else {
        Control::Resume
    };
    vec![Command::Worker(control)]
}

/// `+` (`delta` 1) and `-` (`delta` -1), within [`CONCURRENCY`]; from a
/// configured concurrency above it, `-` comes down to its top and `+`
/// changes nothing. A notice says the concurrency now, or the bound it
/// stands at: a narrow status bar may have left `concurrency N` out.
pub fn change_concurrency(app: &mut App, delta: isize) -> Vec<Command> {
    let now = app.control.concurrency;
    let (least, most) = (*CONCURRENCY.start(), *CONCURRENCY.end());
    let wanted = now.saturating_add_signed(delta).clamp(least, most);
    if wanted == now || (delta > 0 && wanted < now) {
        let bound = if delta > 0 {
            format!("the most is {most}")
        } else {
            format!("the least is {least}")
        };
        app.notify(format!("concurrency {now}: {bound}"), false);
        return vec![];
    }
    app.control.concurrency = wanted;
    app.notify(
        format!("concurrency {wanted}: from the next request that starts"),
        false,
    );
    vec![Command::Worker(Control::Concurrency(wanted))]
}

/// The bell, once, when the run just ended (and `[ui] bell` is on).
pub fn ended(app: &mut App) -> Option<Command> {
    (app.tasks.take_run_end() && app.control.bell).then_some(Command::Bell)
}
