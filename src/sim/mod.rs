//! The TAE rescan simulator: a faithful stand-in for
//! `PUT {base}/api/attribution/tasks/file_from_url/{task_id}`, used by demo
//! mode, the tests and the benchmarks.
//!
//! It speaks real HTTPS with client certificates (or plain HTTP on
//! loopback), checks basic auth and the documented parameters, and answers
//! each task as scripted ([`Behaviour`]) or by random fault [`Shares`],
//! recording every request ([`Record`]).

mod behaviour;
mod demo;
mod error;
mod handler;
mod pki;
mod policy;
mod record;
mod server;
mod validate;

pub use behaviour::Behaviour;
pub use demo::{DemoTask, demo_tasks, parse_demo_tasks};
pub use error::SimError;
pub use pki::Pki;
pub use policy::{Behaviours, Shares};
pub use record::{Record, RecordedRequest};
pub use server::{SimConfig, SimHandle, config_snippet, start};
