//! tae-rescan: rescan Kaspersky TIP Cloud Threat Attribution Engine
//! file-from-URL tasks from a terminal dashboard or the command line.

#![warn(missing_docs)]

pub mod api;
pub mod cli;
pub mod config;
pub mod demo;
pub mod export;
pub mod fs;
pub mod import;
pub mod log;
pub mod prompt;
pub mod shell;
pub mod sim;
pub mod store;
pub mod text;
pub mod tui;
pub mod worker;
