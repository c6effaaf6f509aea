//! The simulator's answering policy as a whole: scripted behaviours per
//! task, random fault [`Shares`] for every other task, and latency.

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use super::behaviour::Behaviour;
use super::demo::DemoTask;
use super::error::SimError;

/// Fractions (0..=1, summing to at most 1) of requests to tasks *without* a
/// per-task behaviour that get a fault instead of a 200.
///
/// Exists so benchmarks and demo runs can exercise retries and error
/// handling at scale without listing every task.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Shares {
    /// Share answered 404 (task failed or hung).
    pub not_found: f64,
    /// Share answered 451.
    pub legal: f64,
    /// Share answered 503 with `Retry-After`.
    pub unavailable: f64,
    /// Share whose connection is dropped without an answer.
    pub drop: f64,
    /// Share answered 200 after [`Behaviours::slow_delay`].
    pub slow: f64,
}

impl FromStr for Shares {
    type Err = SimError;

    /// Parses `404=0.1,451=0.01,503=0.1,drop=0.05,slow=0.05` (any subset, any
    /// order; an empty spec means no faults).
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let bad = |reason: String| SimError::BadShares {
            spec: spec.to_owned(),
            reason,
        };
        let mut shares = Shares::default();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| bad(format!("'{part}' is not key=fraction")))?;
            let value: f64 = value
                .trim()
                .parse()
                .ok()
                .filter(|v: &f64| (0.0..=1.0).contains(v))
                .ok_or_else(|| {
                    bad(format!(
                        "'{part}': the fraction must be a number from 0 to 1"
                    ))
                })?;
            let slot = match key.trim() {
                "404" | "not-found" => &mut shares.not_found,
                "451" | "legal" => &mut shares.legal,
                "503" | "unavailable" => &mut shares.unavailable,
                "drop" => &mut shares.drop,
                "slow" => &mut shares.slow,
                other => {
                    return Err(bad(format!(
                        "unknown key '{other}' (expected 404, 451, 503, drop, slow)"
                    )));
                }
            };
            *slot = value;
        }
        if shares.total() > 1.0 + 1e-9 {
            return Err(bad(format!(
                "the fractions add up to {:.3}, more than 1",
                shares.total()
            )));
        }
        Ok(shares)
    }
}

impl Shares {
    fn total(&self) -> f64 {
        self.not_found + self.legal + self.unavailable + self.drop + self.slow
    }
}

/// The simulator's whole answering policy.
///
/// Exists so one value configures a run: scripted tasks, random faults for
/// the rest, and latency.
#[derive(Debug, Clone, PartialEq)]
pub struct Behaviours {
    /// Scripted behaviour per task id (the id as the client sent it, decoded).
    pub per_task: HashMap<String, Behaviour>,
    /// Fault shares for every task not in `per_task`.
    pub shares: Shares,
    /// Added to every answer, like network and service latency.
    pub latency: Duration,
    /// Delay used for the `slow` share (default 5 s).
    pub slow_delay: Duration,
    /// `Retry-After` seconds for the `503` share (default 1).
    pub retry_after_secs: u64,
}

impl Default for Behaviours {
    /// Every task accepted at once.
    fn default() -> Self {
        Behaviours {
            per_task: HashMap::new(),
            shares: Shares::default(),
            latency: Duration::ZERO,
            slow_delay: Duration::from_secs(5),
            retry_after_secs: 1,
        }
    }
}

impl Behaviours {
    /// Scripts every demo task's behaviour; all other tasks are accepted.
    pub fn from_demo_tasks(tasks: &[DemoTask]) -> Behaviours {
        Behaviours {
            per_task: tasks
                .iter()
                .map(|t| (t.id.clone(), t.behaviour.clone()))
                .collect(),
            ..Behaviours::default()
        }
    }

    /// The behaviour for one request: the scripted one, else a draw from the
    /// shares (counters for `503xN` live in the server, not here).
    pub(crate) fn pick(&self, task_id: &str) -> Behaviour {
        if let Some(b) = self.per_task.get(task_id) {
            return b.clone();
        }
        let s = &self.shares;
        if s.total() <= 0.0 {
            return Behaviour::Accept;
        }
        let r = fastrand::f64();
        let mut edge = s.not_found;
        if r < edge {
            return Behaviour::NotFound;
        }
        edge += s.legal;
        if r < edge {
            return Behaviour::Legal;
        }
        edge += s.unavailable;
        if r < edge {
            return Behaviour::Unavailable {
                times: u32::MAX,
                retry_after_secs: self.retry_after_secs,
            };
        }
        edge += s.drop;
        if r < edge {
            return Behaviour::Drop;
        }
        edge += s.slow;
        if r < edge {
            return Behaviour::Slow {
                delay: self.slow_delay,
            };
        }
        Behaviour::Accept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_parse_and_validate() {
        let s: Shares = "404=0.1,451=0.01,503=0.1,drop=0.05,slow=0.05"
            .parse()
            .expect("shares");
        assert_eq!(s.not_found, 0.1);
        assert_eq!(s.legal, 0.01);
        assert_eq!(s.unavailable, 0.1);
        assert_eq!(s.drop, 0.05);
        assert_eq!(s.slow, 0.05);
        assert_eq!("".parse::<Shares>().expect("empty"), Shares::default());
        for spec in ["404", "404=2", "teapot=0.1", "404=0.6,503=0.6", "drop=x"] {
            let err = spec.parse::<Shares>().expect_err(spec).to_string();
            assert!(err.contains(spec), "{err}");
        }
    }

    #[test]
    fn shares_drive_picks_and_scripted_tasks_win() {
        let mut b = Behaviours::default();
        assert_eq!(b.pick("anything"), Behaviour::Accept);
        b.shares.drop = 1.0;
        assert_eq!(b.pick("anything"), Behaviour::Drop);
        b.per_task.insert("t1".into(), Behaviour::Legal);
        assert_eq!(b.pick("t1"), Behaviour::Legal);
        b.shares = Shares {
            not_found: 0.5,
            slow: 0.5,
            ..Shares::default()
        };
        let picks: Vec<_> = (0..200).map(|_| b.pick("x")).collect();
        assert!(picks.contains(&Behaviour::NotFound));
        assert!(picks.contains(&Behaviour::Slow {
            delay: b.slow_delay
        }));
        assert!(!picks.contains(&Behaviour::Accept));
    }
}
