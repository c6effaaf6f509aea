//! A round's two times: the wait before its first request left (the
//! queue, the concurrency and rate caps) and the time from that request to
//! the verdict, retries included. History, result lines and exports give
//! them as `queued_ms` and `elapsed_ms`, so a slow server and a long queue
//! are told apart.

use std::time::Duration;

use tokio::time::Instant;

use crate::store::Intent;

/// One round of a job: its history record (once its first request is
/// announced) and its clock.
#[derive(Debug)]
pub(super) struct Round {
    /// The record the round is logged under.
    pub(super) record: Option<Intent>,
    /// When it began and was first sent.
    pub(super) clock: RoundClock,
}

impl Round {
    /// A round that begins now, with no record yet.
    pub(super) fn begin() -> Self {
        Self {
            record: None,
            clock: RoundClock::begin(),
        }
    }
}

/// When a round began (queueing, or the end of a re-send's wait) and when
/// its first request was put on the wire.
#[derive(Debug, Clone, Copy)]
pub(super) struct RoundClock {
    began: Instant,
    sent: Option<Instant>,
}

/// A round's two figures, as events and records carry them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Took {
    /// From the round's start to its first request (all of it when nothing
    /// was sent).
    pub(super) queued: Duration,
    /// From the first request to the verdict; zero when nothing was sent.
    pub(super) elapsed: Duration,
}

impl RoundClock {
    /// A round that begins at `at`.
    pub(super) fn begin_at(at: Instant) -> Self {
        Self {
            began: at,
            sent: None,
        }
    }

    /// A round that begins now.
    pub(super) fn begin() -> Self {
        Self::begin_at(Instant::now())
    }

    /// The round's first request leaves now (later calls change nothing).
    pub(super) fn sent(&mut self) {
        self.sent.get_or_insert_with(Instant::now);
    }

    /// The two figures as of now.
    pub(super) fn took(&self) -> Took {
        let now = Instant::now();
        let sent = self.sent.unwrap_or(now);
        Took {
            queued: sent.saturating_duration_since(self.began),
            elapsed: now.saturating_duration_since(sent),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_wait_before_the_first_request_is_queued_not_elapsed() {
        let mut clock = RoundClock::begin();
        tokio::time::advance(Duration::from_millis(700)).await;
        assert_eq!(
            clock.took(),
            Took {
                queued: Duration::from_millis(700),
                elapsed: Duration::ZERO
            },
            "nothing sent yet: all of it is the queue"
        );
        clock.sent();
        tokio::time::advance(Duration::from_millis(250)).await;
        clock.sent();
        tokio::time::advance(Duration::from_millis(50)).await;
        assert_eq!(
            clock.took(),
            Took {
                queued: Duration::from_millis(700),
                elapsed: Duration::from_millis(300)
            },
            "a retry's request does not restart the clock"
        );
    }
}
