//! The worker's link to the history: a record begun before a job's first
//! request (its intent logged, see [`crate::store::Intent`]) and completed
//! before its verdict is reported.

use std::time::Duration;

use tokio::sync::mpsc;

use super::dispatch::Report;
use super::timing::Took;
use super::{Job, JobId, WorkerEvent};
use crate::api::Outcome;
use crate::store::{Finish, Intent, NewRecord, StoreHandle};

/// An optional store: without one (tests, `--dry-run`) nothing is recorded.
#[derive(Clone)]
pub(super) struct Recorder(pub(super) Option<StoreHandle>);

/// Milliseconds since the Unix epoch, as the store keeps times.
pub(crate) fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// The store's view of an outcome: the same words the CLI prints.
pub(crate) fn finish_of(
    outcome: &Outcome,
    status: Option<u16>,
    attempts: u32,
    took: Took,
) -> Finish {
    Finish {
        status,
        outcome: outcome.kind(),
        error: outcome.error_id().map(str::to_owned),
        description: Some(outcome.description()),
        new_task_id: outcome.new_task_id().map(str::to_owned),
        body: outcome.body().map(str::to_owned),
        attempts,
        queued_ms: millis(took.queued),
        elapsed_ms: millis(took.elapsed),
        finished_at: now_ms(),
    }
}

/// Whole milliseconds, as the store keeps durations.
fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Recorder {
    /// Records a job about to be sent; `None` without a store.
    ///
    /// The supervisor is told about the record before this returns, with
    /// no await in between: if the job is cancelled (aborted) before its
    /// request, the supervisor completes the record as `cancelled` instead
    /// of leaving it "in flight" forever.
    pub(super) fn begin(
        &self,
        job: &Job,
        report: &mpsc::UnboundedSender<Report>,
    ) -> Result<Option<Intent>, String> {
        let Some(store) = &self.0 else {
            return Ok(None);
        };
        let record = NewRecord {
            task_id: job.task.clone(),
            time: now_ms(),
            params: job.params.masked_query(),
        };
        let intent = store.begin(record).map_err(|e| e.to_string())?;
        let _ = report.send(Report::Recording(job.id, Some(intent)));
        Ok(Some(intent))
    }

    /// Completes a record with the job's verdict.
    pub(super) async fn finish(
        &self,
        record: Option<Intent>,
        outcome: &Outcome,
        status: Option<u16>,
        attempts: u32,
        took: Took,
    ) -> Result<(), String> {
        let (Some(store), Some(record)) = (&self.0, record) else {
            return Ok(());
        };
        store
            .finish(record, finish_of(outcome, status, attempts, took))
            .await
            .map_err(|e| e.to_string())
    }

    /// Completes the record of a cancelled job (if it had one), then sends
    /// its `Finished` event, so the front end never sees a verdict the
    /// history does not hold.
    pub(super) fn close_cancelled(
        &self,
        job: JobId,
        record: Option<Intent>,
        attempts: u32,
        took: Took,
        then: Option<(WorkerEvent, mpsc::UnboundedSender<WorkerEvent>)>,
    ) {
        let store = self.0.clone();
        tokio::spawn(async move {
            if let (Some(store), Some(record)) = (store, record) {
                let fin = finish_of(&Outcome::Cancelled, None, attempts, took);
                if let Err(e) = store.finish(record, fin).await
                    && let Some((_, events)) = &then
                {
                    let _ = events.send(WorkerEvent::RecordFailed {
                        job,
                        error: e.to_string(),
                    });
                }
            }
            if let Some((event, events)) = then {
                let _ = events.send(event);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::params::{ProcessingType, RescanParams, TaskId};
    use crate::store::{Store, spawn_store_thread};

    /// The intent log is written before every request and, after a crash,
    /// stays on disk: it must hold the parameters as the history does, with
    /// the unzip password masked.
    #[test]
    fn the_intent_log_holds_masked_parameters_only() {
        let dir = tempfile::tempdir().unwrap();
        let recorder = Recorder(Some(spawn_store_thread(Store::open(dir.path()).unwrap())));
        let job = Job {
            id: JobId(1),
            task: TaskId::parse("t1").unwrap(),
            params: RescanParams {
                processing_type: Some(ProcessingType::UnzipAndExec),
                unzip_password: Some("s3cret-zip".to_owned().into()),
                ..Default::default()
            },
        };
        let (report, mut reports) = mpsc::unbounded_channel();
        let intent = recorder.begin(&job, &report).unwrap();
        assert!(matches!(
            reports.try_recv(),
            Ok(Report::Recording(JobId(1), Some(i))) if Some(i) == intent
        ));
        let log = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .find(|e| e.file_name().to_string_lossy().contains(".intents-"))
            .map(|e| std::fs::read_to_string(e.path()).unwrap())
            .expect("an intent log");
        assert!(log.contains("unzip_password=***"), "{log}");
        assert!(!log.contains("s3cret-zip"), "{log}");
    }
}
