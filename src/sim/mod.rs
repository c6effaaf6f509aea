//! The TAE rescan simulator: a faithful stand-in for
//! `PUT {base}/api/attribution/tasks/file_from_url/{task_id}`, used by demo
//! mode, the tests and the benchmarks.

mod error;
mod pki;

pub use error::SimError;
pub use pki::Pki;
