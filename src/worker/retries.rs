//! Retries: one job's life from queue to verdict. What is transient is
//! sent again after the server's `Retry-After` (up to
//! `max_retry_wait_secs`) or an exponential backoff; a job that ends
//! `failed or hung` is sent once more after
//! `retry_failed_or_hung_after_secs` when that is set.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::cancel::Gate;
use super::dispatch::{FirstSlot, Report, Stop, send_one};
use super::timing::Round;
use super::{Job, Shared, WorkerConfig, WorkerEvent};
use crate::api::{Answer, Outcome};

/// One job from queue to verdict: wait for a slot and the pacer, record
/// the job, send, retry what is transient (releasing the slot while
/// waiting), optionally send once more after `failed or hung`, complete the
/// record, and only then report the verdict.
pub(super) async fn run_job(
    shared: Arc<Shared>,
    job: Job,
    gate: Gate,
    first_slot: FirstSlot,
    report: mpsc::UnboundedSender<Report>,
) {
    let mut first_slot = Some(first_slot);
    // Begun at queueing, and again at the end of a re-send's wait.
    let mut round = Round::begin();
    let event = |e: WorkerEvent| {
        let _ = report.send(Report::Event(e));
    };
    let mut resent = false;
    loop {
        let sent =
            match send_with_retries(&shared, &job, &gate, &mut first_slot, &report, &mut round)
                .await
            {
                Ok(sent) => sent,
                // The supervisor already reported the cancel and aborts us.
                Err(Stop::Cancelled) => return,
                Err(Stop::NoRecord(e)) => {
                    let outcome = Outcome::Error {
                        detail: format!("not sent: the history cannot be written: {e}"),
                    };
                    let took = round.clock.took();
                    event(WorkerEvent::Finished {
                        job: job.id,
                        task: job.task,
                        outcome,
                        status: None,
                        attempts: 0,
                        queued: took.queued,
                        elapsed: took.elapsed,
                    });
                    return;
                }
            };
        let Sent { answer, attempts } = sent;
        // The same figures in the history and in the event.
        let took = round.clock.took();
        if let Err(e) = shared
            .recorder
            .finish(round.record, &answer.outcome, answer.status, attempts, took)
            .await
        {
            event(WorkerEvent::RecordFailed {
                job: job.id,
                error: e,
            });
        }
        let resend_after = shared.config.retry_failed_or_hung_after.filter(|_| !resent);
        if let (Outcome::FailedOrHung, Some(delay)) = (&answer.outcome, resend_after) {
            // The record is complete: a cancel from here on must not touch
            // it; one that came while it was written stops the resend.
            let _ = report.send(Report::Recording(job.id, None));
            // Reported under the gate's lock: a cancel that finds the job
            // waiting to be sent again has heard so, and leaves the task's
            // outcome as recorded.
            let resend = WorkerEvent::Resending {
                job: job.id,
                outcome: answer.outcome.clone(),
                status: answer.status,
                attempts,
                queued: took.queued,
                elapsed: took.elapsed,
                delay,
            };
            if gate.wait_again(|| event(resend)) {
                resent = true;
                tokio::time::sleep(delay).await;
                round = Round::begin();
                continue;
            }
        }
        tracing::info!(task = %job.task, outcome = answer.outcome.label(), status = answer.status, attempts, "finished");
        event(WorkerEvent::Finished {
            job: job.id,
            task: job.task,
            outcome: answer.outcome,
            status: answer.status,
            attempts,
            queued: took.queued,
            elapsed: took.elapsed,
        });
        return;
    }
}

/// A round's final answer.
struct Sent {
    answer: Answer,
    attempts: u32,
}

/// Sends until an answer is final or the retry budget is spent, waiting
/// between attempts with the slot given back.
async fn send_with_retries(
    shared: &Shared,
    job: &Job,
    gate: &Gate,
    first_slot: &mut Option<FirstSlot>,
    report: &mpsc::UnboundedSender<Report>,
    round: &mut Round,
) -> Result<Sent, Stop> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let answer = send_one(shared, job, gate, first_slot, report, attempt, round).await?;
        let retry = answer.transient && attempt <= shared.config.max_retries;
        if !gate.answered(retry) {
            return Ok(Sent {
                answer,
                attempts: attempt,
            });
        }
        if let Some(refused) = refuse_long_wait(&shared.config, &answer) {
            return Ok(Sent {
                answer: refused,
                attempts: attempt,
            });
        }
        let delay = retry_delay(&shared.config, &answer, attempt);
        let reason = answer.outcome.description();
        let _ = report.send(Report::Event(WorkerEvent::Retrying {
            job: job.id,
            attempt,
            delay,
            reason,
        }));
        tokio::time::sleep(delay).await;
    }
}

/// The final answer when the server asks for a longer wait than
/// `max_retry_wait`: `error`, naming the wait and the key, kept with the
/// answer's status. `None` when the wait is acceptable (or not asked for).
fn refuse_long_wait(config: &WorkerConfig, answer: &Answer) -> Option<Answer> {
    let wait = answer.retry_after.filter(|w| *w > config.max_retry_wait)?;
    let detail = format!(
        "the server asked to retry after {} s, more than max_retry_wait_secs",
        wait.as_secs()
    );
    Some(Answer {
        outcome: Outcome::Error { detail },
        transient: false,
        retry_after: None,
        ..answer.clone()
    })
}

/// The server's `Retry-After` when given (never more than
/// `max_retry_wait`, see [`refuse_long_wait`]), else exponential backoff
/// from `backoff_base` with full jitter on the upper half.
fn retry_delay(config: &WorkerConfig, answer: &Answer, attempt: u32) -> Duration {
    if let Some(wait) = answer.retry_after {
        return wait.min(config.max_retry_wait);
    }
    let exp = config
        .backoff_base
        .saturating_mul(1u32 << (attempt - 1).min(16));
    let ceiling = exp.min(config.backoff_max);
    let half = ceiling / 2;
    half + half.mul_f64(fastrand::f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(retry_after: Option<Duration>) -> Answer {
        Answer {
            outcome: Outcome::Error { detail: "x".into() },
            status: Some(503),
            transient: true,
            retry_after,
        }
    }

    #[test]
    fn retry_after_wins_up_to_max_retry_wait_and_longer_ends_the_job() {
        let c = WorkerConfig {
            max_retry_wait: Duration::from_secs(10),
            ..Default::default()
        };
        for secs in [0, 3, 10] {
            let a = answer(Some(Duration::from_secs(secs)));
            assert_eq!(refuse_long_wait(&c, &a), None);
            assert_eq!(retry_delay(&c, &a, 1), Duration::from_secs(secs));
        }
        assert_eq!(refuse_long_wait(&c, &answer(None)), None);
        for secs in [11, 999_999_999, u64::MAX] {
            let refused =
                refuse_long_wait(&c, &answer(Some(Duration::from_secs(secs)))).expect("refused");
            assert_eq!(
                refused.outcome.description(),
                format!("the server asked to retry after {secs} s, more than max_retry_wait_secs")
            );
            assert_eq!(refused.outcome.label(), "error");
            assert!(!refused.transient);
            assert_eq!(refused.status, Some(503));
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_within_bounds() {
        let c = WorkerConfig {
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_secs(1),
            ..Default::default()
        };
        for attempt in 1..=6 {
            let ceiling =
                (Duration::from_millis(100) * (1 << (attempt - 1))).min(Duration::from_secs(1));
            let d = retry_delay(&c, &answer(None), attempt);
            assert!(d >= ceiling / 2 && d <= ceiling, "attempt {attempt}: {d:?}");
        }
    }
}
