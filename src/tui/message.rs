//! The one message type the dashboard reacts to, and the commands `update`
//! hands back for the run loop to carry out.

use std::path::PathBuf;

use jiff::Timestamp;
use ratatui::crossterm::event::{KeyEvent, MouseEvent};

use super::app::Account;
use crate::import::{Imported, ImportedTask};
use crate::worker::{Job, JobId, WorkerEvent};

/// Everything that can change the dashboard's state.
#[derive(Debug)]
pub enum Message {
    /// A key was pressed.
    Key(KeyEvent),
    /// Text was pasted (bracketed paste).
    Paste(String),
    /// A mouse click or wheel turn.
    Mouse(MouseEvent),
    /// The terminal changed size.
    Resize(u16, u16),
    /// Animation tick (only while something moves), with the time.
    Tick(Timestamp),
    /// A worker event, stamped when it arrived.
    Worker {
        /// The event.
        event: WorkerEvent,
        /// When it arrived.
        at: Timestamp,
    },
    /// An import file was read.
    Imported {
        /// The file, as named to the user.
        source: String,
        /// Its tasks and errors, or why it could not be read.
        result: Result<Imported, String>,
    },
    /// Demo mode is up: its account and tasks.
    DemoReady {
        /// The demo account.
        account: Account,
        /// The demo tasks.
        tasks: Vec<ImportedTask>,
    },
    /// Demo mode could not start.
    DemoFailed(String),
    /// Leave now (SIGTERM, SIGHUP).
    Terminate,
}

/// Side effects `update` asks for; the run loop performs them.
#[derive(Debug)]
pub enum Command {
    /// Queue jobs with the worker.
    Submit(Vec<Job>),
    /// Cancel jobs.
    Cancel(Vec<JobId>),
    /// Read and parse a file, answer with `Message::Imported`.
    Import(PathBuf),
    /// Put text on the clipboard (OSC 52).
    Copy(String),
    /// Start the embedded simulator and switch to it.
    StartDemo,
}
