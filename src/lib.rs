//! tae-rescan: rescan Kaspersky TIP Cloud Threat Attribution Engine
//! file-from-URL tasks from a terminal dashboard or the command line.
//!
//! Two faces, [`cli`] and [`tui`], which never import each other, over one
//! core that imports neither (nor ratatui or crossterm); [`term`] is the
//! terminal code the faces share. `tests/layering.rs` holds the rule.

#![warn(missing_docs)]

pub mod api;
pub mod cli;
pub mod config;
pub mod demo;
pub mod edge;
pub mod export;
pub mod fs;
pub mod import;
pub mod log;
pub mod progress;
pub mod shell;
pub mod sim;
pub mod startup;
pub mod store;
pub mod term;
pub mod text;
pub mod times;
pub mod tui;
pub mod worker;
