//! The TAE rescan simulator: a faithful stand-in for
//! `PUT {base}/api/attribution/tasks/file_from_url/{task_id}`, used by demo
//! mode, the tests and the benchmarks.

mod behaviour;
mod error;
mod pki;
mod record;
mod validate;

pub use behaviour::{Behaviour, Behaviours, DemoTask, Shares, demo_tasks, parse_demo_tasks};
pub use error::SimError;
pub use pki::Pki;
pub use record::{Record, RecordedRequest};
