//! The task list's filter language: the text typed after `/`, parsed into
//! terms that must all match. Pure: text in, a [`Query`] (or one line
//! saying what is wrong) out, and a [`Query`] tests a row.
//!
//! - Terms are separated by spaces; every term must match.
//! - A plain word (or a `"quoted phrase"`) matches any text the row shows,
//!   ignoring case: the id, the label, the url, the last outcome's label or
//!   `never sent`; the phrase `not accepted` matches any last outcome other
//!   than `accepted` (the status bar's count).
//! - `outcome:WORDS` names a last outcome exactly: a label
//!   (`outcome:"failed or hung"`), `never sent` or `not accepted`.
//! - `label:`, `id:` and `url:` match inside that field, ignoring case.
//! - `error:` is the server's `error` of the last answer, whole (ignoring
//!   case): `error:"ERR_FILE"` is that failure group and no other.
//! - A quoted empty value is an empty field: `error:""` (the answer named
//!   no error), `label:""`, `url:""`.
//! - `!` before a term negates it: `!accepted`, `!outcome:"never sent"`.
//! - In a quoted phrase `\"` is a quote and `\\` a backslash:
//!   `error:"ERR \"X\""` (the failures list writes its filters so).

use super::rows::TaskRow;
use crate::api::outcome::{NEVER_SENT, OutcomeKind};
use crate::text::contains_lowercase;

/// The phrase that stands for every last outcome but `accepted`, as the
/// status bar counts them.
pub const NOT_ACCEPTED: &str = "not accepted";

/// The field names a term can start with, as typed (before the `:`).
const FIELDS: [&str; 5] = ["outcome", "label", "id", "url", "error"];

/// A parsed filter: every term must match. The empty query matches all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    terms: Vec<Term>,
}

/// One term, possibly negated.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    negated: bool,
    test: Test,
}

/// What a term tests; texts are lower-case.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Test {
    /// Any text the row shows contains it.
    Anywhere(Words),
    /// The last outcome is this one.
    Outcome(Wanted),
    /// The label contains it.
    Label(String),
    /// The id contains it.
    Id(String),
    /// The url contains it.
    Url(String),
    /// The server's error of the last answer is it (empty: there is a
    /// last answer and it named none).
    Error(String),
}

/// A plain word or phrase, with the outcomes whose words hold it worked
/// out once: a keystroke over 100,000 rows then tests a row's last outcome
/// with a bit, not a substring search.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Words {
    /// Lower-cased.
    text: String,
    /// Bit `kind as usize` set for each outcome the row may have ended with
    /// to pass: those whose label holds the text, and every one but
    /// `accepted` for `not accepted`.
    outcomes: u32,
    /// `never sent` holds the text.
    never_sent: bool,
}

impl Words {
    fn new(text: String) -> Self {
        let outcomes = OutcomeKind::ALL
            .into_iter()
            .filter(|k| {
                k.label().contains(text.as_str())
                    || (text == NOT_ACCEPTED && *k != OutcomeKind::Accepted)
            })
            .fold(0, |bits, k| bits | 1 << k as usize);
        Words {
            never_sent: NEVER_SENT.contains(text.as_str()),
            outcomes,
            text,
        }
    }
}

/// What an `outcome:` term asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wanted {
    Kind(OutcomeKind),
    NeverSent,
    NotAccepted,
}

/// Why a filter text cannot be read: one line naming what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FilterError(String);

fn fail<T>(why: impl Into<String>) -> Result<T, FilterError> {
    Err(FilterError(why.into()))
}

impl Query {
    /// Reads a filter text (see the module documentation).
    pub fn parse(text: &str) -> Result<Query, FilterError> {
        match Query::parse_lenient(text) {
            (query, None) => Ok(query),
            (_, Some(e)) => Err(e),
        }
    }

    /// Reads a filter text as far as it can: the terms before the first
    /// mistake, and the mistake. The list filters by those terms while the
    /// operator is still typing the rest (`label:"two wo`).
    pub fn parse_lenient(text: &str) -> (Query, Option<FilterError>) {
        let mut rest = text.trim_start();
        let mut terms = Vec::new();
        while !rest.is_empty() {
            match parse_term(rest) {
                Ok((term, after)) => {
                    terms.push(term);
                    rest = after.trim_start();
                }
                Err(e) => return (Query { terms }, Some(e)),
            }
        }
        (Query { terms }, None)
    }

    /// No term: every row passes.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// True when the row passes every term.
    pub fn matches(&self, row: &TaskRow) -> bool {
        self.terms.iter().all(|t| t.test.matches(row) != t.negated)
    }

    /// True when every row this query passes also passes `wider` (the
    /// operator typed more): then only the rows `wider` shows need testing.
    pub fn narrows(&self, wider: &Query) -> bool {
        wider.terms.len() <= self.terms.len()
            && wider
                .terms
                .iter()
                .zip(&self.terms)
                .all(|(old, new)| new.implies(old))
    }
}

impl Term {
    /// Every row this term passes also passes `other`.
    fn implies(&self, other: &Term) -> bool {
        if self == other {
            return true;
        }
        if self.negated || other.negated {
            return false;
        }
        match (&self.test, &other.test) {
            // `not accepted` also passes rows whose texts do not hold it.
            (Test::Anywhere(new), Test::Anywhere(_)) if new.text == NOT_ACCEPTED => false,
            (Test::Anywhere(new), Test::Anywhere(old)) => new.text.contains(old.text.as_str()),
            (Test::Label(new), Test::Label(old))
            | (Test::Id(new), Test::Id(old))
            | (Test::Url(new), Test::Url(old)) => new.contains(old.as_str()),
            _ => false,
        }
    }
}

impl Test {
    fn matches(&self, row: &TaskRow) -> bool {
        let last = row.last();
        match self {
            Test::Anywhere(words) => {
                let found = |field: &str| contains_lowercase(field, &words.text);
                let outcome = match last {
                    Some(a) => words.outcomes & 1 << a.outcome as usize != 0,
                    None => words.never_sent,
                };
                outcome
                    || found(row.id.as_str())
                    || found(&row.label)
                    || row.url.as_deref().is_some_and(found)
            }
            Test::Outcome(wanted) => match (wanted, last) {
                (Wanted::Kind(kind), Some(a)) => a.outcome == *kind,
                (Wanted::NotAccepted, Some(a)) => !a.is_accepted(),
                (Wanted::NeverSent, None) => true,
                _ => false,
            },
            Test::Label(text) if text.is_empty() => row.label.is_empty(),
            Test::Label(text) => contains_lowercase(&row.label, text),
            Test::Id(text) => contains_lowercase(row.id.as_str(), text),
            Test::Url(text) if text.is_empty() => row.url.as_deref().is_none_or(str::is_empty),
            Test::Url(text) => row
                .url
                .as_deref()
                .is_some_and(|u| contains_lowercase(u, text)),
            Test::Error(text) if text.is_empty() => {
                last.is_some_and(|a| a.error().is_none_or(str::is_empty))
            }
            Test::Error(text) => last.and_then(|a| a.error()).is_some_and(|e| {
                // Whole, ignoring case; error ids are ASCII, compared in place.
                if e.is_ascii() {
                    e.eq_ignore_ascii_case(text)
                } else {
                    e.to_lowercase() == *text
                }
            }),
        }
    }
}

/// One term from the start of `text` (not blank); returns it and the rest.
fn parse_term(text: &str) -> Result<(Term, &str), FilterError> {
    let (negated, text) = match text.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if text.is_empty() || text.starts_with(char::is_whitespace) {
        return fail("a ! must stand right before a term, as in !accepted");
    }
    let field = text
        .find(':')
        .map(|colon| (&text[..colon], &text[colon + 1..]))
        .filter(|(name, _)| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic()));
    let (test, rest) = match field {
        Some((name, value)) => {
            let quoted = value.starts_with('"');
            let (value, rest) = parse_value(value)?;
            let name = name.to_ascii_lowercase();
            if !FIELDS.contains(&name.as_str()) {
                return fail(format!(
                    "no field {name}:; fields are outcome:, label:, id:, url: and error: \
                     (quote text with a colon: \"a:b\")"
                ));
            }
            // `label:` is still being typed; `label:""` asks for an empty one.
            let may_be_empty = quoted && matches!(name.as_str(), "label" | "url" | "error");
            if value.is_empty() && !may_be_empty {
                return fail(format!(
                    "{name}: needs a value, as in {name}:abc or {name}:\"two words\""
                ));
            }
            (field_test(&name, value)?, rest)
        }
        None => {
            let (value, rest) = parse_value(text)?;
            if value.is_empty() {
                return fail("\"\" is empty: put the text to find between the quotes");
            }
            (Test::Anywhere(Words::new(value)), rest)
        }
    };
    Ok((Term { negated, test }, rest))
}

/// `text` as a quoted value the filter reads back as exactly `text`:
/// between quotes, with `\` before each `"` and `\` in it.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A value at the start of `text`: a word up to a space, or a quoted
/// phrase (`\"` and `\\` in it stand for `"` and `\`; any other
/// backslash is itself). Returns it lower-cased, and the rest.
fn parse_value(text: &str) -> Result<(String, &str), FilterError> {
    if let Some(quoted) = text.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = quoted.char_indices().peekable();
        let close = loop {
            match chars.next() {
                Some((i, '"')) => break i,
                Some((_, '\\')) => {
                    // Only a quote or a backslash is escaped: `C:\temp` stays.
                    match chars.next_if(|(_, c)| matches!(c, '"' | '\\')) {
                        Some((_, c)) => value.push(c),
                        None => value.push('\\'),
                    }
                }
                Some((_, c)) => value.push(c),
                None => return fail("a quote is not closed: add a \" after the phrase"),
            }
        };
        let rest = &quoted[close + 1..];
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
            return fail("a space must follow a closing quote");
        }
        return Ok((value.to_lowercase(), rest));
    }
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    let word = &text[..end];
    if word.contains('"') {
        return fail("a quote can only open a value: \"two words\" or label:\"two words\"");
    }
    Ok((word.to_lowercase(), &text[end..]))
}

/// The test a `name:value` term makes (`name` one of [`FIELDS`]).
fn field_test(name: &str, value: String) -> Result<Test, FilterError> {
    Ok(match name {
        "outcome" => Test::Outcome(match value.as_str() {
            NEVER_SENT => Wanted::NeverSent,
            NOT_ACCEPTED => Wanted::NotAccepted,
            label => match OutcomeKind::parse(label) {
                Ok(kind) => Wanted::Kind(kind),
                Err(_) => {
                    let labels = OutcomeKind::ALL.map(OutcomeKind::label).join(", ");
                    return fail(format!(
                        "outcome:{value} is no outcome; use one of {labels}, \
                         {NEVER_SENT}, {NOT_ACCEPTED} (quote words: outcome:\"failed or hung\")"
                    ));
                }
            },
        }),
        "label" => Test::Label(value),
        "id" => Test::Id(value),
        "url" => Test::Url(value),
        _ => Test::Error(value),
    })
}

#[cfg(test)]
#[path = "filter_tests.rs"]
mod tests;
