//! The rate cap (`[worker] requests_per_minute`): request starts, retries
//! and re-sends included, spaced evenly over the minute.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// Spaces request starts evenly to honour `requests_per_minute`.
pub(super) struct Pacer {
    interval: Option<Duration>,
    next: Mutex<Instant>,
}

impl Pacer {
    /// A pacer for at most `per_minute` starts a minute (none or 0: no cap).
    pub(super) fn new(per_minute: Option<u32>) -> Self {
        let interval = per_minute
            .filter(|n| *n > 0)
            .map(|n| Duration::from_secs(60) / n);
        Self {
            interval,
            next: Mutex::new(Instant::now()),
        }
    }

    /// Waits until the next start is due, and books the one after it.
    pub(super) async fn wait_turn(&self) {
        let Some(interval) = self.interval else {
            return;
        };
        let slot = {
            let mut next = self.next.lock().await;
            let slot = (*next).max(Instant::now());
            *next = slot + interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn pacer_spaces_starts() {
        let pacer = Pacer::new(Some(60));
        let t0 = Instant::now();
        for _ in 0..3 {
            pacer.wait_turn().await;
        }
        assert_eq!(t0.elapsed(), Duration::from_secs(2));
    }
}
