//! Every state a task's rescan can end in or be in, as a small `Copy` value
//! with its label, symbol and style class, and the one parser from a label.
//!
//! This is the only file that spells an outcome's label: the CLI, the
//! history, the exports, the store and the screen all print from here, and
//! a test below fails if a label is spelled anywhere else in `src/`.

use std::fmt;
use std::str::FromStr;

/// The kind of an outcome, without what the server said. The first eight
/// are how a job ends ([`super::Outcome::kind`]); `Interrupted` and
/// `InFlight` are what the history says of a record with no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutcomeKind {
    /// 200: the rescan was accepted.
    Accepted,
    /// 400: the service refused the query.
    Rejected,
    /// 401: user name or password refused.
    AuthFailed,
    /// 403, or a TLS alert / server page about the client certificate.
    CertificateRequired,
    /// 404: the task failed or hung on the service.
    FailedOrHung,
    /// 451: unavailable for legal reasons.
    LegalBlock,
    /// Anything else: other codes, TLS and network failures, timeouts.
    Error,
    /// Cancelled before an answer arrived.
    Cancelled,
    /// Its writer stopped before the answer arrived: outcome unknown.
    Interrupted,
    /// Sent, its answer not yet arrived, its writer still running.
    InFlight,
}

/// How an outcome should look, named by what it means rather than by a
/// colour: each face maps it to its own style (the dashboard to colours).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tone {
    /// It worked.
    Good,
    /// It failed, and trying again as it is will not help.
    Bad,
    /// It may work later, or nobody knows how it ended.
    Warn,
    /// Withheld for reasons outside the request (legal).
    Blocked,
    /// Still under way.
    Busy,
    /// Nothing to worry about or act on.
    Muted,
}

/// What a task that was never rescanned shows where an outcome would be.
pub const NEVER_SENT: &str = "never sent";

impl OutcomeKind {
    /// Every kind, in the stable order of counts, filters and help texts.
    pub const ALL: [OutcomeKind; 10] = [
        OutcomeKind::Accepted,
        OutcomeKind::Rejected,
        OutcomeKind::AuthFailed,
        OutcomeKind::CertificateRequired,
        OutcomeKind::FailedOrHung,
        OutcomeKind::LegalBlock,
        OutcomeKind::Error,
        OutcomeKind::Cancelled,
        OutcomeKind::Interrupted,
        OutcomeKind::InFlight,
    ];

    /// The one word (or words) printed for this kind, everywhere.
    pub const fn label(self) -> &'static str {
        match self {
            OutcomeKind::Accepted => "accepted",
            OutcomeKind::Rejected => "rejected",
            OutcomeKind::AuthFailed => "auth failed",
            OutcomeKind::CertificateRequired => "certificate required",
            OutcomeKind::FailedOrHung => "failed or hung",
            OutcomeKind::LegalBlock => "legal block",
            OutcomeKind::Error => "error",
            OutcomeKind::Cancelled => "cancelled",
            OutcomeKind::Interrupted => "interrupted",
            OutcomeKind::InFlight => "in flight",
        }
    }

    /// One character that tells the kinds apart without colour.
    pub const fn symbol(self) -> &'static str {
        match self {
            OutcomeKind::Accepted => "✓",
            OutcomeKind::Rejected => "✗",
            OutcomeKind::AuthFailed | OutcomeKind::CertificateRequired => "⚿",
            OutcomeKind::FailedOrHung => "↻",
            OutcomeKind::LegalBlock => "⊘",
            OutcomeKind::Error => "!",
            OutcomeKind::Cancelled => "–",
            OutcomeKind::Interrupted => "?",
            OutcomeKind::InFlight => "…",
        }
    }

    /// The style class the kind is drawn in.
    pub const fn tone(self) -> Tone {
        match self {
            OutcomeKind::Accepted => Tone::Good,
            OutcomeKind::Rejected
            | OutcomeKind::AuthFailed
            | OutcomeKind::CertificateRequired
            | OutcomeKind::Error => Tone::Bad,
            OutcomeKind::FailedOrHung | OutcomeKind::Interrupted => Tone::Warn,
            OutcomeKind::LegalBlock => Tone::Blocked,
            OutcomeKind::InFlight => Tone::Busy,
            OutcomeKind::Cancelled => Tone::Muted,
        }
    }

    /// The kind a label names, ignoring case and surrounding blanks: what
    /// `history --outcome`, the store and the dashboard's filters read.
    pub fn parse(text: &str) -> Result<OutcomeKind, UnknownOutcome> {
        let wanted = text.trim();
        OutcomeKind::ALL
            .into_iter()
            .find(|k| k.label().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownOutcome {
                given: crate::text::sanitize(text),
            })
    }
}

impl fmt::Display for OutcomeKind {
    /// The label; width and alignment (`{:<20}`) apply to it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.label())
    }
}

impl FromStr for OutcomeKind {
    type Err = UnknownOutcome;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OutcomeKind::parse(s)
    }
}

/// A text that names no outcome; says which labels would.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{given}' is not an outcome; use one of: {}", valid_labels())]
pub struct UnknownOutcome {
    /// What was given, made safe to print.
    given: String,
}

fn valid_labels() -> String {
    OutcomeKind::ALL.map(OutcomeKind::label).join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_follows_the_enum_order() {
        for (at, kind) in OutcomeKind::ALL.into_iter().enumerate() {
            assert_eq!(kind as usize, at, "{kind}");
        }
    }

    #[test]
    fn every_label_parses_back_to_its_kind_whatever_the_case() {
        for kind in OutcomeKind::ALL {
            let label = kind.label();
            assert_eq!(OutcomeKind::parse(label), Ok(kind), "{label}");
            assert_eq!(
                OutcomeKind::parse(&format!("  {}\t", label.to_uppercase())),
                Ok(kind),
                "{label}"
            );
            assert_eq!(label.parse::<OutcomeKind>(), Ok(kind));
            assert_eq!(format!("{kind:<22}|"), format!("{label:<22}|"));
        }
        assert_eq!(
            OutcomeKind::parse("Failed Or HUNG"),
            Ok(OutcomeKind::FailedOrHung)
        );
    }

    #[test]
    fn an_unknown_label_is_refused_naming_every_valid_one() {
        let err = OutcomeKind::parse("acepted").unwrap_err();
        assert_eq!(
            err.to_string(),
            "'acepted' is not an outcome; use one of: accepted, rejected, auth failed, \
             certificate required, failed or hung, legal block, error, cancelled, \
             interrupted, in flight"
        );
        assert!(OutcomeKind::parse("").is_err());
        assert!(OutcomeKind::parse("failed").is_err());
        let hostile = OutcomeKind::parse("x\u{1b}[2J").unwrap_err().to_string();
        assert!(!hostile.contains('\u{1b}'), "{hostile}");
    }

    #[test]
    fn labels_and_symbols_are_distinct() {
        let labels: std::collections::HashSet<_> = OutcomeKind::ALL.map(OutcomeKind::label).into();
        assert_eq!(labels.len(), OutcomeKind::ALL.len());
        assert!(!labels.contains(NEVER_SENT));
        // Only the two kinds that mean "the credentials" share a symbol.
        let symbols: std::collections::HashSet<_> =
            OutcomeKind::ALL.map(OutcomeKind::symbol).into();
        assert_eq!(symbols.len(), OutcomeKind::ALL.len() - 1);
    }

    /// The README's table of outcomes names every kind, so what a user
    /// reads there is what `history --outcome` takes.
    #[test]
    fn the_readme_lists_every_label() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
            .expect("README.md");
        for kind in OutcomeKind::ALL {
            let row = format!("\n| `{}` |", kind.label());
            assert!(readme.contains(&row), "README lacks the row {row:?}");
        }
    }

    /// The labels (and "never sent") are spelled only in this file: as a
    /// Rust string (`"failed or hung"`, `"  never sent"`) or an SQL one
    /// (`'accepted'`) in any other source file, tests aside, they fail here. `error` is left out
    /// of the Rust-string check: it is also the name of the service's JSON
    /// field (`{"error": ..., "description": ...}`) and of the export column.
    #[test]
    fn labels_are_spelled_only_in_this_file() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let this = root.join(file!());
        let mut words: Vec<&str> = OutcomeKind::ALL.map(OutcomeKind::label).into();
        words.push(NEVER_SENT);
        let mut found = Vec::new();
        let mut files = vec![root.join("src")];
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let test_file = name == "tests.rs" || name.ends_with("_tests.rs");
            if !name.ends_with(".rs") || path == this || test_file {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // Unit tests may spell the words they expect to see printed.
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (n, line) in code.lines().enumerate() {
                if line.trim_start().starts_with("//") {
                    continue;
                }
                // The pieces between double quotes: string literals, padded
                // ones (`"  never sent"`) included.
                let strings: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
                for word in &words {
                    let rust = *word != OutcomeKind::Error.label()
                        && strings.iter().any(|s| s.trim() == *word);
                    if rust || line.contains(&format!("'{word}'")) {
                        found.push(format!("{}:{}: {word}", path.display(), n + 1));
                    }
                }
            }
        }
        assert!(
            found.is_empty(),
            "outcome labels spelled outside {}:\n{}",
            file!(),
            found.join("\n")
        );
    }
}
