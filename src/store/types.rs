//! The plain data the store takes and gives back. No SQL here: these are the
//! names the dashboard, the CLI and the worker code against.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::api::outcome::OutcomeKind;
use crate::api::params::{ProcessingType, RescanParams, TaskId};

/// One task of the operator's inventory, as kept across restarts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTask {
    /// The TAE task this row stands for; unique in the inventory.
    pub id: TaskId,
    /// The operator's name for the task (may be empty).
    pub label: String,
    /// The URL the task was created from, when known (inventory information,
    /// independent of a rescan's `url` parameter).
    pub url: Option<String>,
    /// The parameters the next rescan of this task will send.
    pub params: StoredParams,
    /// The task's newest history record, so a restarted dashboard shows the
    /// last outcome at once. A summary (outcome, status, time, attempts):
    /// `task_id` (it is `id`), `params`, `error`, `description`,
    /// `new_task_id` and `body` are left empty (use `history` for them).
    /// Ignored by
    /// [`crate::store::Store::upsert_tasks`].
    pub last: Option<HistoryRecord>,
}

/// One piece of a streamed inventory load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskChunk {
    /// How many tasks the whole load brings (the same in every chunk), so
    /// the receiver can make room for all of them once instead of growing
    /// (and copying) its rows chunk by chunk.
    pub total: usize,
    /// The next tasks, in insertion order.
    pub tasks: Vec<StoredTask>,
}

/// Rescan parameters as stored: the wire values as text, kept as one JSON
/// column so adding a parameter needs no schema change.
///
/// `unzip_password` is present only when the caller opted in
/// (`remember_unzip_passwords = true`); otherwise the secret never reaches
/// the disk, and `unzip_password_not_kept` says that one was set, so the
/// next rescan asks for it instead of sending the archive without it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredParams {
    /// `url`: where TAE downloads the file again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `file_ext`: extension TAE gives the downloaded file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_ext: Option<String>,
    /// `processing_type`, spelled as on the wire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_type: Option<String>,
    /// `unzip_password`, only when the operator chose to remember it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unzip_password: Option<String>,
    /// An unzip password was set but not written (the operator did not opt
    /// in): the next rescan needs it typed again. A flag, never the secret.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unzip_password_not_kept: bool,
    /// `reset_similarity_thresholds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_similarity_thresholds: Option<bool>,
    /// `unpack`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unpack: Option<bool>,
}

impl StoredParams {
    /// Turns the request parameters into their stored form; the password is
    /// kept only when `remember_unzip_password` is true, else only the fact
    /// that there was one.
    pub fn from_params(p: &RescanParams, remember_unzip_password: bool) -> Self {
        Self {
            unzip_password_not_kept: !remember_unzip_password && p.unzip_password.is_some(),
            url: p.url.clone(),
            file_ext: p.file_ext.clone(),
            processing_type: p.processing_type.map(|t| t.as_str().to_owned()),
            unzip_password: if remember_unzip_password {
                p.unzip_password
                    .as_ref()
                    .map(|s| s.expose_secret().to_owned())
            } else {
                None
            },
            reset_similarity_thresholds: p.reset_similarity_thresholds,
            unpack: p.unpack,
        }
    }

    /// Back to request parameters, the password wrapped as a secret again.
    /// A `processing_type` this build does not know (written by hand or by
    /// another version) is dropped, i.e. "keep the task's previous value".
    pub fn to_params(&self) -> RescanParams {
        RescanParams {
            url: self.url.clone(),
            file_ext: self.file_ext.clone(),
            processing_type: self
                .processing_type
                .as_deref()
                .and_then(|s| s.parse::<ProcessingType>().ok()),
            unzip_password: self
                .unzip_password
                .as_ref()
                .map(|s| SecretString::from(s.clone())),
            reset_similarity_thresholds: self.reset_similarity_thresholds,
            unpack: self.unpack,
        }
    }
}

/// The row id of one history record; returned by `begin`, given to `finish`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId(pub i64);

/// What is known about a rescan job before its first request is sent, so a
/// crash mid-job still leaves a trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecord {
    /// The task being rescanned.
    pub task_id: TaskId,
    /// When the job was sent, unix milliseconds.
    pub time: i64,
    /// The masked query string (`file_ext=exe&unzip_password=***`); never a
    /// secret.
    pub params: String,
}

/// The final answer of a job, written by `finish`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finish {
    /// HTTP status of the final answer; `None` when none arrived.
    pub status: Option<u16>,
    /// How the job ended (`Outcome::kind`); stored as its label.
    pub outcome: OutcomeKind,
    /// The service's error id (`Outcome::error_id`).
    pub error: Option<String>,
    /// One human line (`Outcome::description`).
    pub description: Option<String>,
    /// A new task id named by a 200 body (`Outcome::new_task_id`).
    pub new_task_id: Option<String>,
    /// The kept 200 body (`Outcome::body`).
    pub body: Option<String>,
    /// Requests sent for this job, retries included.
    pub attempts: u32,
    /// Time from queueing to the first request.
    pub queued_ms: u64,
    /// Time from the first request to the final answer.
    pub elapsed_ms: u64,
    /// When the final answer arrived, unix milliseconds.
    pub finished_at: i64,
}

/// One history record as read back, for the history view, exports and the
/// "last outcome" column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRecord {
    /// The record's id.
    pub id: RecordId,
    /// The task rescanned (text: history outlives the inventory and is shown
    /// as is).
    pub task_id: String,
    /// When the job was sent, unix milliseconds.
    pub time: i64,
    /// The masked query string that was sent.
    pub params: String,
    /// HTTP status of the final answer.
    pub status: Option<u16>,
    /// How the job ended; [`OutcomeKind::Interrupted`] when its writer
    /// died before the answer, [`OutcomeKind::InFlight`] while unfinished
    /// and its writer is alive.
    pub outcome: OutcomeKind,
    /// The service's error id.
    pub error: Option<String>,
    /// One human line about the outcome.
    pub description: Option<String>,
    /// A new task id named by a 200 body.
    pub new_task_id: Option<String>,
    /// The kept 200 body.
    pub body: Option<String>,
    /// Requests sent for this job (0 until finished).
    pub attempts: u32,
    /// Time from the first request to the final answer, once finished.
    pub elapsed_ms: Option<u64>,
    /// Time from queueing to the first request, once finished; `None`
    /// for records written before it was kept, and in the task list's
    /// summaries.
    pub queued_ms: Option<u64>,
    /// When the final answer arrived, unix milliseconds, once finished.
    pub finished_at: Option<i64>,
    /// True once `finish` recorded a final answer (false while in flight
    /// and for interrupted records).
    pub finished: bool,
}

/// Which history records to return; every `None` means "no restriction".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryQuery {
    /// Only records sent at or after this time, unix milliseconds.
    pub since: Option<i64>,
    /// Only records with this outcome (`interrupted` and `in flight`
    /// included).
    pub outcome: Option<OutcomeKind>,
    /// Only records of this task id (exact).
    pub task: Option<String>,
    /// Only records whose task id, description or error contains this text
    /// (ASCII case-insensitive).
    pub text: Option<String>,
    /// At most this many records.
    pub limit: Option<usize>,
    /// Oldest first instead of the default newest first (for exports).
    pub oldest_first: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> RescanParams {
        RescanParams {
            url: Some("https://example.com/a.zip".into()),
            processing_type: Some(ProcessingType::UnzipAndExec),
            unzip_password: Some("infected".into()),
            unpack: Some(true),
            ..Default::default()
        }
    }

    #[test]
    fn password_is_kept_only_when_opted_in() {
        let dropped = StoredParams::from_params(&params(), false);
        assert_eq!(dropped.unzip_password, None);
        assert!(
            dropped.unzip_password_not_kept,
            "that there was one is kept"
        );
        let json = serde_json::to_string(&dropped).unwrap();
        assert!(json.contains(r#""unzip_password_not_kept":true"#), "{json}");
        assert!(!json.contains("infected"), "{json}");
        let back: StoredParams = serde_json::from_str(&json).unwrap();
        assert!(back.unzip_password_not_kept);
        let kept = StoredParams::from_params(&params(), true);
        assert!(!kept.unzip_password_not_kept);
        assert_eq!(kept.unzip_password.as_deref(), Some("infected"));
        let back = kept.to_params();
        assert_eq!(
            back.unzip_password.map(|s| s.expose_secret().to_owned()),
            Some("infected".to_owned())
        );
    }

    #[test]
    fn round_trip_keeps_every_field_and_json_omits_unset_ones() {
        let stored = StoredParams::from_params(&params(), false);
        let json = serde_json::to_string(&stored).unwrap();
        assert!(!json.contains("unzip_password\""), "{json}");
        assert!(!json.contains("file_ext"), "{json}");
        let back: StoredParams = serde_json::from_str(&json).unwrap();
        assert_eq!(back, stored);
        let p = back.to_params();
        assert_eq!(p.processing_type, Some(ProcessingType::UnzipAndExec));
        assert_eq!(p.unpack, Some(true));
        assert_eq!(p.url.as_deref(), Some("https://example.com/a.zip"));
    }

    #[test]
    fn unknown_processing_type_means_keep_previous() {
        let s = StoredParams {
            processing_type: Some("turbo".into()),
            ..Default::default()
        };
        assert_eq!(s.to_params().processing_type, None);
    }
}
