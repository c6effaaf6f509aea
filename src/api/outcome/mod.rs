//! What became of one rescan request. Its kind ([`OutcomeKind`]) carries
//! the one spelling of every label, so the CLI, the dashboard, the history
//! and every export print the same words.

mod kind;
mod response;

use std::time::Duration;

pub use kind::{NEVER_SENT, OutcomeKind, Tone, UnknownOutcome};
pub use response::{from_response, redirected};

/// Most characters of a 200 body we keep (the vendor does not document it).
pub const BODY_KEEP_CHARS: usize = 4096;

/// The verdict on one request, with what the server said. Every variant has
/// one [`OutcomeKind`] and so one fixed [`Outcome::label`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// 200: the rescan was accepted. `body` is sanitised and capped;
    /// `new_task_id` is set when the body names an id other than the one sent.
    Accepted {
        /// The answer's body, safe to print, at most [`BODY_KEEP_CHARS`].
        body: String,
        /// The id the service gave the rescan, when it differs from ours.
        new_task_id: Option<String>,
    },
    /// 400: the service refused the query; never retried.
    Rejected {
        /// The service's error id (`invalid-params`, `too-large-file`, ...).
        error: String,
        /// The service's explanation.
        description: String,
    },
    /// 401: user name or password refused.
    AuthFailed,
    /// 403, or a TLS alert / server page about the client certificate.
    CertificateRequired {
        /// What exactly the server or TLS layer said.
        detail: String,
    },
    /// 404: in TAE this means the task failed or hung; try again later.
    FailedOrHung,
    /// 451: unavailable for legal reasons.
    LegalBlock,
    /// Anything else: other codes, TLS and network failures, timeouts.
    Error {
        /// The cause, in one line, without the URL (which can hold secrets).
        detail: String,
    },
    /// The user cancelled the job before an answer arrived.
    Cancelled,
}

impl Outcome {
    /// The kind of outcome, without what the server said: what rows,
    /// counts, filters and the history keep.
    pub fn kind(&self) -> OutcomeKind {
        match self {
            Outcome::Accepted { .. } => OutcomeKind::Accepted,
            Outcome::Rejected { .. } => OutcomeKind::Rejected,
            Outcome::AuthFailed => OutcomeKind::AuthFailed,
            Outcome::CertificateRequired { .. } => OutcomeKind::CertificateRequired,
            Outcome::FailedOrHung => OutcomeKind::FailedOrHung,
            Outcome::LegalBlock => OutcomeKind::LegalBlock,
            Outcome::Error { .. } => OutcomeKind::Error,
            Outcome::Cancelled => OutcomeKind::Cancelled,
        }
    }

    /// The one word (or words) for this outcome: its kind's label.
    pub fn label(&self) -> &'static str {
        self.kind().label()
    }

    /// True only for a 200.
    pub fn is_accepted(&self) -> bool {
        matches!(self, Outcome::Accepted { .. })
    }

    /// The service's own error id, when it sent one (400 bodies).
    pub fn error_id(&self) -> Option<&str> {
        match self {
            Outcome::Rejected { error, .. } => Some(error),
            _ => None,
        }
    }

    /// One human line explaining the outcome and, where it helps, what to do.
    pub fn description(&self) -> String {
        match self {
            Outcome::Accepted {
                new_task_id: Some(id),
                ..
            } => format!("rescan started as new task {id}"),
            Outcome::Accepted { .. } => "rescan started".to_owned(),
            Outcome::Rejected { description, .. } => description.clone(),
            Outcome::AuthFailed => {
                "user name or password refused: check [api] username / password \
                 (TIP_USERNAME / TIP_PASSWORD) and accept the service terms on the portal"
                    .to_owned()
            }
            Outcome::CertificateRequired { detail } => format!(
                "a client certificate is required (API tokens do not work for TAE): {detail}"
            ),
            Outcome::FailedOrHung => {
                "the task failed or hung on the service; rescan it again later".to_owned()
            }
            Outcome::LegalBlock => "unavailable for legal reasons".to_owned(),
            Outcome::Error { detail } => detail.clone(),
            Outcome::Cancelled => "cancelled before an answer arrived".to_owned(),
        }
    }

    /// The kept 200 body, if any.
    pub fn body(&self) -> Option<&str> {
        match self {
            Outcome::Accepted { body, .. } if !body.is_empty() => Some(body),
            _ => None,
        }
    }

    /// The new task id a 200 body named, if any.
    pub fn new_task_id(&self) -> Option<&str> {
        match self {
            Outcome::Accepted { new_task_id, .. } => new_task_id.as_deref(),
            _ => None,
        }
    }
}

/// One answer as the worker needs it: the outcome, the HTTP status if one
/// arrived, whether trying again could help, and the server's requested wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The verdict.
    pub outcome: Outcome,
    /// The HTTP status code, `None` when no answer arrived.
    pub status: Option<u16>,
    /// Network errors, timeouts, 429 and 5xx: worth retrying.
    pub transient: bool,
    /// `Retry-After` from the server, when it sent one.
    pub retry_after: Option<Duration>,
}
