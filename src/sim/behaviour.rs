//! What the simulator does with one task: the [`Behaviour`] enum and its
//! short spec syntax (`503x2`, `slow:1500ms`, ...), used on the command line,
//! in `assets/demo-tasks.toml` and in tests.

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
    /// Send the 200 status and headers at once and the body only after
    /// `delay`: an answer that has arrived while the client still reads it
    /// (for testing that a cancel then keeps the answer).
    SlowBody {
        /// How long the body follows the status.
        delay: Duration,
    },
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
    /// `drop`, `slow:1500ms` / `slow:2s`, `slow-body:1500ms`, `status:500`.
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
            "slow-body" => {
                let arg = arg.ok_or_else(|| bad("expected a delay such as slow-body:1500ms"))?;
                let delay = parse_duration(arg)
                    .ok_or_else(|| bad("the delay must look like 1500ms or 2s"))?;
                Ok(Behaviour::SlowBody { delay })
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
                "expected accept, new-id, 404, 451, 400, 503[xN][:retry-after=S], drop, slow:<ms>ms, slow-body:<ms>ms or status:<code>",
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
            Behaviour::SlowBody { delay } => write!(f, "slow-body:{}ms", delay.as_millis()),
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            p("slow-body:1500ms"),
            Behaviour::SlowBody {
                delay: Duration::from_millis(1500)
            }
        );
        for b in [
            p("slow-body:250ms"),
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
            "slow-body",
        ] {
            let err = spec.parse::<Behaviour>().expect_err(spec).to_string();
            assert!(err.contains(&format!("\"{spec}\"")), "{err}");
        }
    }
}
