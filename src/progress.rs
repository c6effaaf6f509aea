//! A run's progress: how many of its jobs are done, the rate, the time
//! left, and the line that sums it up once it is over. Both faces show it
//! (the dashboard's status bar, `rescan`'s progress line), each feeding it
//! with the clock it reads, so the arithmetic lives here once.

use jiff::Timestamp;

/// One run: the jobs sent together, and those sent before they were all
/// done (they join it). See the module documentation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunProgress {
    /// When the run began; `None` before the first.
    started: Option<Timestamp>,
    /// When its latest job finished.
    last: Option<Timestamp>,
    total: usize,
    done: usize,
    accepted: usize,
    /// The run is over and nobody has been told yet (the dashboard's bell).
    ended_untold: bool,
}

impl RunProgress {
    /// `jobs` more were sent: they join the run going on, or begin a new
    /// one, whose clock starts when the worker first answers (see
    /// [`RunProgress::seen`]).
    pub fn add(&mut self, jobs: usize) {
        if jobs == 0 {
            return;
        }
        if !self.running() {
            *self = Self::default();
        }
        self.total += jobs;
    }

    /// The worker said something about the run at `now`: the first word
    /// starts its clock.
    pub fn seen(&mut self, now: Timestamp) {
        if self.running() && self.started.is_none() {
            self.started = Some(now);
        }
    }

    /// One of the run's jobs finished at `now`, `accepted` or not.
    pub fn finished(&mut self, accepted: bool, now: Timestamp) {
        if !self.running() {
            return;
        }
        self.seen(now);
        self.done += 1;
        self.accepted += usize::from(accepted);
        self.last = Some(now);
        self.ended_untold = !self.running();
    }

    /// `jobs` of the run will never report (their tasks were removed): the
    /// run no longer waits for them.
    pub fn dropped(&mut self, jobs: usize) {
        if !self.running() {
            return;
        }
        self.total -= jobs.min(self.total - self.done);
        self.ended_untold = !self.running();
    }

    /// True from the first job sent until the last one finished.
    pub fn running(&self) -> bool {
        self.done < self.total
    }

    /// Jobs finished.
    pub fn done(&self) -> usize {
        self.done
    }

    /// Jobs finished `accepted`.
    pub fn accepted(&self) -> usize {
        self.accepted
    }

    /// Jobs in the run.
    pub fn total(&self) -> usize {
        self.total
    }

    /// True once, after the run ended: whoever asks first tells the user.
    pub fn take_ended(&mut self) -> bool {
        std::mem::take(&mut self.ended_untold)
    }

    /// Jobs finished per second since the run began, once one has.
    pub fn rate(&self, now: Timestamp) -> Option<f64> {
        let secs = now.duration_since(self.started?).as_secs_f64();
        (self.done > 0 && secs > 0.0).then(|| self.done as f64 / secs)
    }

    /// Whole seconds until the last job is done at the rate so far
    /// (rounded up).
    pub fn eta_secs(&self, now: Timestamp) -> Option<u64> {
        let left = (self.total - self.done) as f64;
        Some((left / self.rate(now)?).ceil() as u64)
    }

    /// `15.2/s · ETA 1m20s`, once there is a rate (one below 0.1 a second
    /// with two decimals: `0.02/s`, not `0.0/s`).
    pub fn pace(&self, now: Timestamp) -> Option<String> {
        let rate = self.rate(now)?;
        let eta = short_duration(self.eta_secs(now)?);
        Some(match rate < 0.095 {
            true => format!("{rate:.2}/s · ETA {eta}"),
            false => format!("{rate:.1}/s · ETA {eta}"),
        })
    }

    /// The status line: `run 1234/2004 · 15.2/s · ETA 1m20s` while it
    /// runs, `run done in 2m52s: 1717 accepted, 287 not accepted` once it
    /// is over; `None` before the first run.
    pub fn line(&self, now: Timestamp) -> Option<String> {
        if self.total == 0 {
            return None;
        }
        if self.running() {
            let mut line = format!("run {}/{}", self.done, self.total);
            if let Some(pace) = self.pace(now) {
                line.push_str(" · ");
                line.push_str(&pace);
            }
            return Some(line);
        }
        let (started, last) = (self.started.unwrap_or(now), self.last.unwrap_or(now));
        let took = last.duration_since(started);
        let secs = took.as_secs_f64().max(0.0).round() as u64;
        Some(format!(
            "run done in {}: {} accepted, {} not accepted",
            short_duration(secs),
            self.accepted,
            self.done - self.accepted
        ))
    }
}

/// A duration on screen: `59s`, `1m20s`, `75m00s`.
pub fn short_duration(secs: u64) -> String {
    if secs >= 60 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{secs}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + secs).unwrap()
    }

    #[test]
    fn rate_and_eta_follow_the_jobs_done_since_the_start() {
        let mut run = RunProgress::default();
        assert_eq!(run.line(at(0)), None, "no run yet");
        run.add(2004);
        assert_eq!(run.line(at(0)).as_deref(), Some("run 0/2004"));
        run.seen(at(0));
        run.seen(at(30));
        for _ in 0..1234 {
            run.finished(true, at(81));
        }
        assert_eq!(run.rate(at(81)).map(|r| (r * 10.0).round()), Some(152.0));
        // 770 left at 1234/81 s: 50.5 s, rounded up.
        assert_eq!(run.eta_secs(at(81)), Some(51));
        assert_eq!(
            run.line(at(81)).as_deref(),
            Some("run 1234/2004 · 15.2/s · ETA 51s")
        );
        assert_eq!(
            run.line(at(50)).as_deref(),
            Some("run 1234/2004 · 24.7/s · ETA 32s")
        );
    }

    #[test]
    fn the_done_line_says_how_long_and_how_many_and_is_told_once() {
        let mut run = RunProgress::default();
        run.add(3);
        run.seen(at(0));
        run.finished(true, at(100));
        run.finished(false, at(150));
        assert!(!run.take_ended(), "one left");
        run.finished(true, at(172));
        assert!(run.take_ended());
        assert!(!run.take_ended(), "told once");
        assert!(!run.running());
        assert_eq!(
            run.line(at(500)).as_deref(),
            Some("run done in 2m52s: 2 accepted, 1 not accepted")
        );
    }

    #[test]
    fn jobs_sent_before_the_run_ends_join_it_and_after_begin_another() {
        let mut run = RunProgress::default();
        run.add(2);
        run.seen(at(0));
        run.finished(true, at(1));
        run.add(3);
        run.seen(at(2));
        assert_eq!(run.line(at(2)).as_deref(), Some("run 1/5 · 0.5/s · ETA 8s"));
        for _ in 0..4 {
            run.finished(true, at(10));
        }
        assert!(run.take_ended());
        assert_eq!(
            run.line(at(10)).as_deref(),
            Some("run done in 10s: 5 accepted, 0 not accepted")
        );
        run.add(1);
        run.seen(at(20));
        assert_eq!(run.line(at(20)).as_deref(), Some("run 0/1"), "a new run");
        run.finished(true, at(23));
        assert_eq!(
            run.line(at(30)).as_deref(),
            Some("run done in 3s: 1 accepted, 0 not accepted")
        );
    }

    #[test]
    fn jobs_that_will_never_report_end_the_run_without_them() {
        let mut run = RunProgress::default();
        run.add(3);
        run.seen(at(0));
        run.finished(false, at(5));
        run.dropped(2);
        assert!(run.take_ended());
        assert_eq!(
            run.line(at(9)).as_deref(),
            Some("run done in 5s: 0 accepted, 1 not accepted")
        );
        run.finished(true, at(9));
        assert_eq!(run.done(), 1, "nothing counts after the end");
    }

    #[test]
    fn a_slow_rate_keeps_two_decimals() {
        let mut run = RunProgress::default();
        run.add(2);
        run.seen(at(0));
        run.finished(true, at(50));
        assert_eq!(run.pace(at(50)).as_deref(), Some("0.02/s · ETA 50s"));
        assert_eq!(run.pace(at(10)).as_deref(), Some("0.1/s · ETA 10s"));
    }

    #[test]
    fn durations_read_as_minutes_and_seconds() {
        assert_eq!(short_duration(0), "0s");
        assert_eq!(short_duration(59), "59s");
        assert_eq!(short_duration(80), "1m20s");
        assert_eq!(short_duration(172), "2m52s");
        assert_eq!(short_duration(4500), "75m00s");
    }
}
