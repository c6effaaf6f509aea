//! The TIP contract: request parameters, client identity, the HTTP client
//! and the mapping of answers to outcomes. No UI, no storage.

pub mod client;
pub mod curl;
pub mod encrypted_key;
mod failure;
pub mod identity;
pub mod outcome;
pub mod params;
pub mod proxy;
pub mod tls;

pub use client::{Client, ClientSettings};
pub use identity::{ClientIdentity, IdentityFiles};
pub use outcome::{Answer, Outcome};
pub use params::{ProcessingType, RescanParams, TaskId};
pub use proxy::Proxy;
