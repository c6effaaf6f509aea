//! tae-rescan: rescan Kaspersky TIP Cloud Threat Attribution Engine
//! file-from-URL tasks from a terminal dashboard or the command line.

pub mod api;
pub mod config;
pub mod sim;
pub mod text;
pub mod worker;
