//! The rescan call's inputs: a task id and the optional parameters.
//!
//! Every parameter is an `Option`: `None` means "keep the task's previous
//! value" and is never sent, exactly as the vendor documents. Validation runs
//! before any traffic so a typo costs no request.

use std::fmt;
use std::str::FromStr;

use secrecy::{ExposeSecret, SecretString};

/// Longest task id we accept; the vendor documents none, this keeps URLs sane.
pub const TASK_ID_MAX: usize = 128;
/// The vendor's limit on `file_ext`.
pub const FILE_EXT_MAX: usize = 10;

/// Why a task id or parameter was refused; names the field so the message
/// tells the user exactly what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ParamError {
    /// The parameter (or `task_id`) at fault, spelled as on the wire.
    pub field: &'static str,
    /// What is wrong with it and what is allowed.
    pub reason: String,
}

impl ParamError {
    fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}

/// A validated TAE task id: 1–128 characters of `A-Z a-z 0-9 . _ -`.
/// Holding one proves the id is safe to put in a URL path and on a screen.
///
/// Compared, ordered and hashed as its text.
#[derive(Clone)]
pub struct TaskId(IdText);

/// Ids up to this many bytes are kept inside the `TaskId` (TIP's ids are 32
/// hex digits): no allocation per task, about 3 MB less for a dashboard of
/// 100,000 tasks, and a faster load.
const INLINE_ID: usize = 38;

/// The text of an id: inline when short, boxed otherwise.
#[derive(Clone)]
enum IdText {
    Inline { len: u8, bytes: [u8; INLINE_ID] },
    Boxed(Box<str>),
}

impl IdText {
    /// Keeps an id that passed the rules (ASCII only).
    fn new(valid: &str) -> Self {
        let mut bytes = [0; INLINE_ID];
        match (bytes.get_mut(..valid.len()), u8::try_from(valid.len())) {
            (Some(inline), Ok(len)) => {
                inline.copy_from_slice(valid.as_bytes());
                IdText::Inline { len, bytes }
            }
            _ => IdText::Boxed(valid.into()),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            IdText::Inline { len, bytes } => {
                let text = &bytes[..usize::from(*len)];
                debug_assert!(text.is_ascii());
                // SAFETY: `new` copies only ids that passed the rules, which
                // allow ASCII alone, and the bytes are never changed after.
                // (A checked conversion here was 12% of filtering 100,000
                // rows: every comparison and hash of an id goes through it.)
                unsafe { std::str::from_utf8_unchecked(text) }
            }
            IdText::Boxed(text) => text,
        }
    }
}

impl PartialEq for TaskId {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for TaskId {}

impl std::hash::Hash for TaskId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl PartialOrd for TaskId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for TaskId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl fmt::Debug for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TaskId").field(&self.as_str()).finish()
    }
}

impl TaskId {
    /// Checks `raw` against the id rules; the error says which rule failed.
    pub fn parse(raw: &str) -> Result<Self, ParamError> {
        // The common case in one pass over the bytes (a stored inventory of
        // 100,000 ids is parsed at every start); the rules below name what
        // is wrong otherwise.
        if (1..=TASK_ID_MAX).contains(&raw.len())
            && raw.bytes().all(|b| is_id_char(char::from(b)))
            && raw != "."
            && raw != ".."
        {
            return Ok(Self(IdText::new(raw)));
        }
        let field = "task_id";
        if raw.is_empty() {
            return Err(ParamError::new(field, "is empty"));
        }
        let len = raw.chars().count();
        if len > TASK_ID_MAX {
            return Err(ParamError::new(
                field,
                format!("is {len} characters long; at most {TASK_ID_MAX} are allowed"),
            ));
        }
        if let Some(bad) = raw.chars().find(|c| !is_id_char(*c)) {
            return Err(ParamError::new(
                field,
                format!(
                    "contains {}; only letters A-Z a-z, digits, '.', '_' and '-' are allowed",
                    describe_char(bad)
                ),
            ));
        }
        if raw == "." || raw == ".." {
            return Err(ParamError::new(field, "'.' and '..' are not task ids"));
        }
        Ok(Self(IdText::new(raw)))
    }

    /// The id as typed, for display and for the URL path segment.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, not `write_str`: width and alignment (`{:<32}`) apply, so
        // the `rescan` text lines stay in columns.
        f.pad(self.as_str())
    }
}

impl FromStr for TaskId {
    type Err = ParamError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// Names a character in an error message without letting it act on the
/// terminal (a control character is shown as its code point).
fn describe_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() || !c.is_ascii() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("'{c}'")
    }
}

/// The vendor's two processing modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProcessingType {
    /// `exec-only`: run the file as downloaded.
    ExecOnly,
    /// `unzip-and-exec`: unpack the archive (optionally with a password) first.
    UnzipAndExec,
}

impl ProcessingType {
    /// Both values, in the order a form cycles through them.
    pub const ALL: [ProcessingType; 2] = [ProcessingType::ExecOnly, ProcessingType::UnzipAndExec];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ProcessingType::ExecOnly => "exec-only",
            ProcessingType::UnzipAndExec => "unzip-and-exec",
        }
    }
}

impl fmt::Display for ProcessingType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProcessingType {
    type Err = ParamError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "exec-only" => Ok(ProcessingType::ExecOnly),
            "unzip-and-exec" => Ok(ProcessingType::UnzipAndExec),
            _ => Err(ParamError::new(
                "processing_type",
                "must be exec-only or unzip-and-exec",
            )),
        }
    }
}

/// Parses the vendor's literal booleans (`true` / `false`, nothing else) for
/// the named field.
pub fn parse_bool(field: &'static str, raw: &str) -> Result<bool, ParamError> {
    match raw {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ParamError::new(field, "must be true or false")),
    }
}

/// Optional rescan parameters; each `None` keeps the task's previous value.
#[derive(Debug, Clone, Default)]
pub struct RescanParams {
    /// Where TAE downloads the file again.
    pub url: Option<String>,
    /// Extension (no dot) TAE gives the downloaded file.
    pub file_ext: Option<String>,
    /// Run as is, or unpack first.
    pub processing_type: Option<ProcessingType>,
    /// Archive password; only meaningful with `unzip-and-exec`.
    pub unzip_password: Option<SecretString>,
    /// Ignore similarity thresholds for compared samples.
    pub reset_similarity_thresholds: Option<bool>,
    /// Unpack the executed file's contents for analysis.
    pub unpack: Option<bool>,
}

impl RescanParams {
    /// Applies the documented rules; the first broken rule is returned.
    pub fn validate(&self) -> Result<(), ParamError> {
        if let Some(url) = &self.url {
            validate_url(url)?;
        }
        if let Some(ext) = &self.file_ext {
            validate_file_ext(ext)?;
        }
        if self.unzip_password.is_some()
            && self.processing_type != Some(ProcessingType::UnzipAndExec)
        {
            return Err(ParamError::new(
                "unzip_password",
                "is only allowed together with processing_type=unzip-and-exec",
            ));
        }
        Ok(())
    }

    /// True when nothing is set, i.e. the rescan repeats the task unchanged.
    pub fn is_empty(&self) -> bool {
        self.query_pairs(Reveal::Masked).is_empty()
    }

    /// The set fields as `k=v&k=v` with the unzip password as `***`: how
    /// parameters appear on screens, in history and in exports. Empty means
    /// "keep every previous value".
    pub fn masked_query(&self) -> String {
        self.query_pairs(Reveal::Masked)
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The query string pairs, in the vendor's order, only for set fields.
    /// `Reveal::Masked` replaces the unzip password with `***` for display.
    pub fn query_pairs(&self, reveal: Reveal) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(v) = &self.url {
            pairs.push(("url", v.clone()));
        }
        if let Some(v) = &self.file_ext {
            pairs.push(("file_ext", v.clone()));
        }
        if let Some(v) = self.processing_type {
            pairs.push(("processing_type", v.as_str().to_owned()));
        }
        if let Some(v) = &self.unzip_password {
            let shown = match reveal {
                Reveal::Secret => v.expose_secret().to_owned(),
                Reveal::Masked => MASK.to_owned(),
            };
            pairs.push(("unzip_password", shown));
        }
        if let Some(v) = self.reset_similarity_thresholds {
            pairs.push(("reset_similarity_thresholds", v.to_string()));
        }
        if let Some(v) = self.unpack {
            pairs.push(("unpack", v.to_string()));
        }
        pairs
    }
}

/// How a secret is rendered when parameters are turned into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reveal {
    /// The real value; only for the wire.
    Secret,
    /// `***`; for screens, logs, history and dry runs.
    Masked,
}

/// What every masked secret looks like, everywhere.
pub const MASK: &str = "***";

/// `file_ext`: 1–10 characters, no dot, no whitespace or control characters.
pub fn validate_file_ext(ext: &str) -> Result<(), ParamError> {
    let field = "file_ext";
    let len = ext.chars().count();
    if len == 0 {
        return Err(ParamError::new(
            field,
            "is empty; leave it unset to keep the previous value",
        ));
    }
    if len > FILE_EXT_MAX {
        return Err(ParamError::new(
            field,
            format!("is {len} characters long; at most {FILE_EXT_MAX} are allowed"),
        ));
    }
    if ext.contains('.') {
        return Err(ParamError::new(
            field,
            "must be given without the dot (exe, not .exe)",
        ));
    }
    if let Some(bad) = ext.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(ParamError::new(
            field,
            format!(
                "contains {}; whitespace and control characters are not allowed",
                describe_char(bad)
            ),
        ));
    }
    Ok(())
}

/// `url`: an absolute http or https URL with a host.
pub fn validate_url(raw: &str) -> Result<(), ParamError> {
    let field = "url";
    // The raw text is what is sent and recorded: the URL parser would quietly
    // strip or escape these, so refuse them instead.
    if let Some(bad) = raw
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || crate::text::is_format_char(*c))
    {
        return Err(ParamError::new(
            field,
            format!(
                "contains {}; percent-encode spaces and control characters",
                describe_char(bad)
            ),
        ));
    }
    let parsed = url::Url::parse(raw)
        .map_err(|e| ParamError::new(field, format!("is not an absolute URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(ParamError::new(
            field,
            "must start with http:// or https://",
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(ParamError::new(field, "has no host name"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_ids_keep_their_text_and_order() {
        use std::collections::HashSet;
        let inline = "a".repeat(INLINE_ID);
        let boxed = "a".repeat(INLINE_ID + 1);
        let ids: Vec<TaskId> = ["b", inline.as_str(), boxed.as_str(), "a"]
            .iter()
            .map(|s| TaskId::parse(s).unwrap())
            .collect();
        assert_eq!(ids[1].as_str(), inline);
        assert_eq!(ids[2].as_str(), boxed);
        assert_eq!(format!("{:?}", ids[0]), "TaskId(\"b\")");
        let mut sorted = ids.clone();
        sorted.sort();
        let texts: Vec<&str> = sorted.iter().map(TaskId::as_str).collect();
        let mut expected = vec!["b", inline.as_str(), boxed.as_str(), "a"];
        expected.sort();
        assert_eq!(texts, expected, "ordered as text, inline or not");
        let set: HashSet<TaskId> = ids.iter().cloned().collect();
        assert!(set.contains(&TaskId::parse(&boxed).unwrap()));
        assert!(set.contains(&TaskId::parse("a").unwrap()));
        assert_eq!(set.len(), 4);
    }

    #[test]
    fn task_ids_follow_the_rules() {
        assert!(TaskId::parse("abc-DEF_0.9").is_ok());
        assert!(TaskId::parse(&"a".repeat(128)).is_ok());
        for bad in [
            "",
            "a/b",
            "..",
            ".",
            "a b",
            "ид",
            "a?b",
            "a%2f",
            &"a".repeat(129),
        ] {
            let err = TaskId::parse(bad).unwrap_err();
            assert_eq!(err.field, "task_id", "{bad:?}");
        }
    }

    #[test]
    fn file_ext_rules() {
        assert!(validate_file_ext("exe").is_ok());
        assert!(validate_file_ext("abcdefghij").is_ok());
        for bad in ["", ".exe", "abcdefghijk", "e xe", "e\u{1b}"] {
            assert_eq!(
                validate_file_ext(bad).unwrap_err().field,
                "file_ext",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn url_rules() {
        assert!(validate_url("https://example.com/a.zip").is_ok());
        assert!(validate_url("http://10.0.0.1:8080/x").is_ok());
        for bad in [
            "example.com/a",
            "ftp://example.com/a",
            "file:///etc/passwd",
            "",
        ] {
            assert_eq!(validate_url(bad).unwrap_err().field, "url", "{bad:?}");
        }
    }

    #[test]
    fn unzip_password_needs_unzip_and_exec() {
        let mut p = RescanParams {
            unzip_password: Some("infected".into()),
            ..Default::default()
        };
        assert_eq!(p.validate().unwrap_err().field, "unzip_password");
        p.processing_type = Some(ProcessingType::ExecOnly);
        assert_eq!(p.validate().unwrap_err().field, "unzip_password");
        p.processing_type = Some(ProcessingType::UnzipAndExec);
        assert!(p.validate().is_ok());
    }

    #[test]
    fn only_set_fields_are_sent_and_secrets_masked() {
        assert!(
            RescanParams::default()
                .query_pairs(Reveal::Secret)
                .is_empty()
        );
        let p = RescanParams {
            processing_type: Some(ProcessingType::UnzipAndExec),
            unzip_password: Some("infected".into()),
            unpack: Some(false),
            ..Default::default()
        };
        assert_eq!(
            p.query_pairs(Reveal::Masked),
            vec![
                ("processing_type", "unzip-and-exec".to_owned()),
                ("unzip_password", "***".to_owned()),
                ("unpack", "false".to_owned()),
            ]
        );
        assert_eq!(p.query_pairs(Reveal::Secret)[1].1, "infected");
    }

    #[test]
    fn booleans_are_literal() {
        assert_eq!(parse_bool("unpack", "true"), Ok(true));
        assert_eq!(parse_bool("unpack", "false"), Ok(false));
        assert!(parse_bool("unpack", "yes").is_err());
        assert!(parse_bool("unpack", "TRUE").is_err());
    }
}
