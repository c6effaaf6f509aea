//! How the simulator answers: per-task behaviours (parsed from short specs
//! such as `503x2` or `slow:1500ms`), random fault shares for every other
//! task, and the demo task list shipped in `assets/demo-tasks.toml`.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::error::SimError;

/// What the simulator does with a valid request for one task.
///
/// Exists so demo mode and tests can script the vendor's documented answers
/// (and the undocumented failures a client must survive) per task id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Behaviour {
    /// 200 with `{"task_id": <same id>, "status": "queued"}`.
    Accept,
    /// 200 with a different, new task id in the body and `parent_task_id`.
    AcceptNewId,
    /// 404: the vendor's "task failed or hung, try again later".
    NotFound,
    /// 451 Unavailable For Legal Reasons, empty body.
    Legal,
    /// 400 with `{"error": error, "description": description}`.
    Reject {
        /// The error id, e.g. `invalid-params` or `too-large-file`.
        error: String,
        /// The human description.
        description: String,
    },
    /// 503 with `Retry-After` for the first `times` requests of this task,
    /// then [`Behaviour::Accept`]; `u32::MAX` means always.
    Unavailable {
        /// How many requests get a 503 before the task is accepted.
        times: u32,
        /// The `Retry-After` value in seconds.
        retry_after_secs: u64,
    },
    /// Close the connection without answering.
    Drop,
    /// Wait `delay`, then accept.
    Slow {
        /// How long to wait before answering.
        delay: Duration,
    },
    /// Answer with any other status code (e.g. 500, 429) and a JSON error.
    Status(u16),
}

impl Behaviour {
    /// The default 400 rejection used by the spec `400` / `reject`.
    fn default_reject(error: &str) -> Behaviour {
        let description = match error {
            "too-large-file" => "The file at the given URL is too large.",
            "invalid-params" => "The simulator rejects this task's parameters.",
            _ => "The simulator rejects this task.",
        };
        Behaviour::Reject {
            error: error.to_owned(),
            description: description.to_owned(),
        }
    }
}

impl FromStr for Behaviour {
    type Err = SimError;

    /// Parses `accept`, `new-id`, `404`, `451`, `400` (or `400:<error-id>`),
    /// `503`, `503x2`, `503:retry-after=3` (combinable: `503x2:retry-after=3`),
    /// `drop`, `slow:1500ms` / `slow:2s`, `status:500`.
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let bad = |reason: &str| SimError::BadBehaviour {
            spec: spec.to_owned(),
            reason: reason.to_owned(),
        };
        let s = spec.trim().to_ascii_lowercase();
        let (head, arg) = match s.split_once(':') {
            Some((h, a)) => (h, Some(a)),
            None => (s.as_str(), None),
        };
        let no_arg = |b: Behaviour| match arg {
            None => Ok(b),
            Some(_) => Err(bad("this behaviour takes no ':' argument")),
        };
        match head {
            "accept" | "200" | "ok" => no_arg(Behaviour::Accept),
            "new-id" | "newid" => no_arg(Behaviour::AcceptNewId),
            "404" | "not-found" => no_arg(Behaviour::NotFound),
            "451" | "legal" => no_arg(Behaviour::Legal),
            "drop" => no_arg(Behaviour::Drop),
            "400" | "reject" => match arg {
                None => Ok(Behaviour::default_reject("invalid-params")),
                Some(id) if is_error_id(id) => Ok(Behaviour::default_reject(id)),
                Some(_) => Err(bad(
                    "the error id after '400:' must be letters, digits and '-'",
                )),
            },
            "slow" => {
                let arg =
                    arg.ok_or_else(|| bad("expected a delay such as slow:1500ms or slow:2s"))?;
                let delay = parse_duration(arg)
                    .ok_or_else(|| bad("the delay must look like 1500ms or 2s"))?;
                Ok(Behaviour::Slow { delay })
            }
            "status" => {
                let arg = arg.ok_or_else(|| bad("expected a code such as status:500"))?;
                match arg.parse::<u16>() {
                    Ok(code) if (200..=599).contains(&code) => Ok(Behaviour::Status(code)),
                    _ => Err(bad("the status code must be a number from 200 to 599")),
                }
            }
            h if h.starts_with("503") || h.starts_with("unavailable") => {
                let count = h
                    .trim_start_matches("503")
                    .trim_start_matches("unavailable");
                let times = match count {
                    "" => u32::MAX,
                    c => c
                        .strip_prefix('x')
                        .and_then(|n| n.parse::<u32>().ok())
                        .filter(|n| *n > 0)
                        .ok_or_else(|| bad("expected 503, 503xN (N >= 1) or 503:retry-after=S"))?,
                };
                let retry_after_secs = match arg {
                    None => 1,
                    Some(a) => a
                        .strip_prefix("retry-after=")
                        .and_then(|n| n.parse::<u64>().ok())
                        .ok_or_else(|| bad("expected retry-after=<seconds> after '503:'"))?,
                };
                Ok(Behaviour::Unavailable {
                    times,
                    retry_after_secs,
                })
            }
            _ => Err(bad(
                "expected accept, new-id, 404, 451, 400, 503[xN][:retry-after=S], drop, slow:<ms>ms or status:<code>",
            )),
        }
    }
}

impl fmt::Display for Behaviour {
    /// Prints the spec that parses back to the same behaviour.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Behaviour::Accept => f.write_str("accept"),
            Behaviour::AcceptNewId => f.write_str("new-id"),
            Behaviour::NotFound => f.write_str("404"),
            Behaviour::Legal => f.write_str("451"),
            Behaviour::Reject { error, .. } => write!(f, "400:{error}"),
            Behaviour::Unavailable {
                times,
                retry_after_secs,
            } => {
                f.write_str("503")?;
                if *times != u32::MAX {
                    write!(f, "x{times}")?;
                }
                write!(f, ":retry-after={retry_after_secs}")
            }
            Behaviour::Drop => f.write_str("drop"),
            Behaviour::Slow { delay } => write!(f, "slow:{}ms", delay.as_millis()),
            Behaviour::Status(code) => write!(f, "status:{code}"),
        }
    }
}

fn is_error_id(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// `1500ms`, `2s` or a bare number of milliseconds.
fn parse_duration(s: &str) -> Option<Duration> {
    if let Some(ms) = s.strip_suffix("ms") {
        ms.parse().ok().map(Duration::from_millis)
    } else if let Some(secs) = s.strip_suffix('s') {
        secs.parse().ok().map(Duration::from_secs)
    } else {
        s.parse().ok().map(Duration::from_millis)
    }
}

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

/// One task of the demo inventory: what demo mode shows and what the
/// simulator does with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoTask {
    /// The task id (matches `[A-Za-z0-9._-]{1,128}`).
    pub id: String,
    /// A short human label.
    pub label: String,
    /// The URL the file was originally downloaded from.
    pub url: String,
    /// How the simulator answers a rescan of this task.
    pub behaviour: Behaviour,
}

/// The demo task list, embedded at build time.
const DEMO_TASKS_TOML: &str = include_str!("../../assets/demo-tasks.toml");

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoFile {
    task: Vec<DemoEntry>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoEntry {
    id: String,
    label: String,
    url: String,
    behaviour: String,
}

/// The demo tasks from `assets/demo-tasks.toml` (embedded in the binary).
///
/// The embedded file is checked by a unit test, so this cannot fail in a
/// built crate; should it ever, the list is empty rather than a panic.
pub fn demo_tasks() -> Vec<DemoTask> {
    parse_demo_tasks(DEMO_TASKS_TOML, "assets/demo-tasks.toml").unwrap_or_default()
}

/// Parses a demo task list in the `assets/demo-tasks.toml` format
/// (`[[task]] id, label, url, behaviour`); `source_name` names it in errors.
pub fn parse_demo_tasks(text: &str, source_name: &str) -> Result<Vec<DemoTask>, SimError> {
    let bad = |reason: String| SimError::DemoTasks {
        source_name: source_name.to_owned(),
        reason,
    };
    let file: DemoFile = toml::from_str(text).map_err(|e| bad(e.message().to_owned()))?;
    file.task
        .into_iter()
        .map(|e| {
            if !super::validate::valid_task_id(&e.id) {
                return Err(bad(format!(
                    "task id '{}' is not 1-128 characters of A-Z a-z 0-9 . _ -",
                    e.id
                )));
            }
            let behaviour = e
                .behaviour
                .parse()
                .map_err(|err: SimError| bad(format!("task '{}': {err}", e.id)))?;
            Ok(DemoTask {
                id: e.id,
                label: e.label,
                url: e.url,
                behaviour,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_demo_tasks_parse_and_cover_every_kind() {
        let tasks =
            parse_demo_tasks(DEMO_TASKS_TOML, "assets/demo-tasks.toml").expect("demo tasks parse");
        assert!(tasks.len() >= 10);
        let has = |f: &dyn Fn(&Behaviour) -> bool| tasks.iter().any(|t| f(&t.behaviour));
        assert!(
            tasks
                .iter()
                .filter(|t| t.behaviour == Behaviour::Accept)
                .count()
                >= 3
        );
        assert!(has(&|b| *b == Behaviour::AcceptNewId));
        assert!(has(&|b| *b == Behaviour::NotFound));
        assert!(has(&|b| *b == Behaviour::Legal));
        assert!(has(&|b| matches!(b, Behaviour::Reject { .. })));
        assert!(has(&|b| matches!(
            b,
            Behaviour::Unavailable { times: 2, .. }
        )));
        assert!(has(&|b| matches!(b, Behaviour::Slow { .. })));
        assert!(has(&|b| *b == Behaviour::Drop));
        let mut ids: Vec<_> = tasks.iter().map(|t| t.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), tasks.len(), "demo task ids are unique");
        assert_eq!(demo_tasks(), tasks);
    }

    #[test]
    fn behaviour_specs_parse() {
        let p = |s: &str| s.parse::<Behaviour>().expect(s);
        assert_eq!(p("accept"), Behaviour::Accept);
        assert_eq!(p("new-id"), Behaviour::AcceptNewId);
        assert_eq!(p("404"), Behaviour::NotFound);
        assert_eq!(p("451"), Behaviour::Legal);
        assert!(matches!(p("400"), Behaviour::Reject { error, .. } if error == "invalid-params"));
        assert!(
            matches!(p("400:too-large-file"), Behaviour::Reject { error, .. } if error == "too-large-file")
        );
        assert_eq!(
            p("503"),
            Behaviour::Unavailable {
                times: u32::MAX,
                retry_after_secs: 1
            }
        );
        assert_eq!(
            p("503x2"),
            Behaviour::Unavailable {
                times: 2,
                retry_after_secs: 1
            }
        );
        assert_eq!(
            p("503:retry-after=3"),
            Behaviour::Unavailable {
                times: u32::MAX,
                retry_after_secs: 3
            }
        );
        assert_eq!(
            p("503x2:retry-after=3"),
            Behaviour::Unavailable {
                times: 2,
                retry_after_secs: 3
            }
        );
        assert_eq!(p("drop"), Behaviour::Drop);
        assert_eq!(
            p("slow:1500ms"),
            Behaviour::Slow {
                delay: Duration::from_millis(1500)
            }
        );
        assert_eq!(
            p("slow:2s"),
            Behaviour::Slow {
                delay: Duration::from_secs(2)
            }
        );
        assert_eq!(p("status:500"), Behaviour::Status(500));
        for b in [
            p("503x2:retry-after=3"),
            p("slow:1500ms"),
            p("400:too-large-file"),
            p("status:429"),
        ] {
            assert_eq!(p(&b.to_string()), b, "Display round-trips");
        }
    }

    #[test]
    fn bad_behaviour_specs_name_the_spec() {
        for spec in [
            "",
            "maybe",
            "503x",
            "503x0",
            "503:wait=3",
            "slow",
            "slow:fast",
            "status:42",
            "accept:1",
            "400:a b",
        ] {
            let err = spec.parse::<Behaviour>().expect_err(spec).to_string();
            assert!(err.contains(&format!("\"{spec}\"")), "{err}");
        }
    }

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
