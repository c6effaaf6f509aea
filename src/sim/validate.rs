//! The parameter rules of the rescan call, as the vendor documents them.
//! Each failure is the description of a 400 `invalid-params` answer.

/// The query parameters the TAE rescan call knows.
pub(crate) const KNOWN_PARAMS: [&str; 6] = [
    "url",
    "file_ext",
    "processing_type",
    "unzip_password",
    "reset_similarity_thresholds",
    "unpack",
];

/// A task id is 1 to 128 characters of `A-Za-z0-9._-`.
pub(crate) fn valid_task_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Checks the task id and the decoded query; `Err` holds which parameter is
/// wrong and why.
pub(crate) fn validate(task_id: &str, query: &[(String, String)]) -> Result<(), String> {
    if !valid_task_id(task_id) {
        return Err("task_id must be 1 to 128 characters of A-Z, a-z, 0-9, '.', '_' or '-'".into());
    }
    for (i, (name, _)) in query.iter().enumerate() {
        if !KNOWN_PARAMS.contains(&name.as_str()) {
            return Err(format!(
                "unknown query parameter '{}' (known: {})",
                printable(name),
                KNOWN_PARAMS.join(", ")
            ));
        }
        if query[..i].iter().any(|(earlier, _)| earlier == name) {
            return Err(format!("query parameter '{name}' is given more than once"));
        }
    }
    let get = |name: &str| {
        query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    if let Some(ext) = get("file_ext") {
        let len = ext.chars().count();
        if !(1..=10).contains(&len) {
            return Err(format!("file_ext must be 1 to 10 characters, got {len}"));
        }
        if ext.contains('.') {
            return Err("file_ext must be given without the dot".into());
        }
        if ext.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("file_ext must not contain spaces or control characters".into());
        }
    }
    let processing = get("processing_type");
    if let Some(p) = processing
        && p != "exec-only"
        && p != "unzip-and-exec"
    {
        return Err(format!(
            "processing_type must be exec-only or unzip-and-exec, got '{}'",
            printable(p)
        ));
    }
    if get("unzip_password").is_some() && processing != Some("unzip-and-exec") {
        return Err(
            "unzip_password is only allowed together with processing_type=unzip-and-exec".into(),
        );
    }
    for name in ["reset_similarity_thresholds", "unpack"] {
        if let Some(v) = get(name)
            && v != "true"
            && v != "false"
        {
            return Err(format!(
                "{name} must be true or false, got '{}'",
                printable(v)
            ));
        }
    }
    if let Some(u) = get("url") {
        let ok = url::Url::parse(u)
            .map(|parsed| matches!(parsed.scheme(), "http" | "https") && parsed.has_host())
            .unwrap_or(false);
        if !ok {
            return Err("url must be an absolute http:// or https:// URL".into());
        }
    }
    Ok(())
}

/// Echoes client input safely: at most 40 characters, controls escaped.
fn printable(s: &str) -> String {
    s.chars().take(40).flat_map(char::escape_debug).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn good_requests_pass() {
        assert_eq!(validate("abc", &[]), Ok(()));
        let all = q(&[
            ("url", "https://example.com/a.zip"),
            ("file_ext", "zip"),
            ("processing_type", "unzip-and-exec"),
            ("unzip_password", "infected"),
            ("reset_similarity_thresholds", "false"),
            ("unpack", "true"),
        ]);
        assert_eq!(validate(&"a".repeat(128), &all), Ok(()));
        assert_eq!(validate("A.b_c-9", &q(&[("file_ext", "tar-gz")])), Ok(()));
    }

    #[test]
    fn each_rule_names_the_parameter() {
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
        let cases: &[Case] = &[
            ("", &[], "task_id"),
            (&"a".repeat(129), &[], "task_id"),
            ("a/b", &[], "task_id"),
            ("t", &[("exec_env", "win10")], "exec_env"),
            (
                "t",
                &[("unpack", "true"), ("unpack", "false")],
                "more than once",
            ),
            ("t", &[("file_ext", "")], "file_ext"),
            ("t", &[("file_ext", "abcdefghijk")], "file_ext"),
            ("t", &[("file_ext", ".exe")], "dot"),
            ("t", &[("file_ext", "e xe")], "file_ext"),
            ("t", &[("processing_type", "exec")], "processing_type"),
            ("t", &[("unzip_password", "x")], "unzip_password"),
            (
                "t",
                &[("processing_type", "exec-only"), ("unzip_password", "x")],
                "unzip_password",
            ),
            ("t", &[("unpack", "yes")], "unpack"),
            (
                "t",
                &[("reset_similarity_thresholds", "True")],
                "reset_similarity_thresholds",
            ),
            ("t", &[("url", "ftp://example.com/x")], "url"),
            ("t", &[("url", "example.com/x")], "url"),
        ];
        for (id, pairs, needle) in cases {
            let err = validate(id, &q(pairs)).expect_err(needle);
            assert!(err.contains(needle), "{err} should mention {needle}");
        }
    }
}
