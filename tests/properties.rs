//! Property tests for the parsers and validators that stand between foreign
//! input (command lines, files, server answers) and the network or the
//! terminal. Each rule is written here a second time, independently of the
//! code under test, and the two are compared on generated input.
//!
//! Bounded (256 cases per property, 64 for the file-backed config one) so
//! CI stays fast; a failure prints the minimal input proptest shrank to.

use proptest::prelude::*;
use proptest::test_runner::Config as PtConfig;
use secrecy::SecretString;
use tae_rescan::api::outcome::{self, BODY_KEEP_CHARS, OutcomeKind};
use tae_rescan::api::params::{validate_file_ext, validate_url};
use tae_rescan::api::{ProcessingType, RescanParams, TaskId};
use tae_rescan::config::{Config, Overrides};
use tae_rescan::import::parse_any;
use tae_rescan::text::sanitize;

// ---------------------------------------------------------------- references

/// The documented task id rule, written from the README, not the code.
fn reference_task_id(s: &str) -> bool {
    let n = s.chars().count();
    (1..=128).contains(&n)
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-')
        && s != "."
        && s != ".."
}

/// The documented `file_ext` rule: 1–10 characters, no dot, no whitespace
/// or control characters.
fn reference_file_ext(s: &str) -> bool {
    let n = s.chars().count();
    (1..=10).contains(&n)
        && !s.contains('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// What may safely reach a terminal: no control characters (C0, DEL, C1),
/// no bidi embeddings, overrides or isolates.
fn terminal_safe(s: &str) -> bool {
    !s.chars().any(|c| c.is_control() || is_bidi_control(c))
}

// ---------------------------------------------------------------- generators

/// Strings near the task id rule: valid alphabets at and around the length
/// limit, the alphabet plus a few hostile characters, dots, and anything.
fn task_id_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9._-]{0,12}",
        "[A-Za-z0-9._-]{120,135}",
        "[A-Za-z0-9._ /\\\\%?#\u{0}\u{1b}\u{202e}é-]{0,20}",
        "\\.{1,3}",
        any::<String>(),
    ]
}

fn file_ext_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9]{0,12}",
        "[a-zA-Z0-9. \t\n\u{1}\u{85}\u{a0}\u{3000}é-]{0,12}",
        any::<String>(),
    ]
}

fn url_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "(http|https|HTTP|ftp|file|javascript)://[a-z0-9.-]{0,15}(:[0-9]{1,5})?(/[a-z0-9._~%-]{0,10}){0,3}",
        "[a-z]{0,6}:[/]{0,3}[a-z0-9.@:\\[\\]]{0,12}",
        "[ \t\n\r]{0,2}https://[a-z]{1,8}[\t\n\r]?[a-z]{0,8}\\.example[ \t\n\r]{0,2}",
        any::<String>(),
    ]
}

/// Text that parse_any has to sort out: junk, plain lists with every line
/// ending, CSV with a task_id column, JSON arrays, a BOM in front.
fn import_text() -> impl Strategy<Value = String> {
    let line_end = prop_oneof![Just("\n"), Just("\r\n"), Just("\r")];
    let entry = prop_oneof![
        task_id_like(),
        "[A-Za-z0-9-]{1,10} *# *[ -~]{0,10}",
        Just(String::new()),
    ];
    let plain = proptest::collection::vec((entry, line_end), 0..12)
        .prop_map(|v| v.into_iter().map(|(e, end)| format!("{e}{end}")).collect());
    let csv_row = (task_id_like(), "[ -~]{0,8}", "[ -~\"]{0,8}")
        .prop_map(|(id, label, url)| format!("{id},{label},{url}"));
    let csv = (
        prop_oneof![
            Just("task_id,label,url"),
            Just("label,TASK_ID"),
            Just("\"task_id\",x")
        ],
        proptest::collection::vec(csv_row, 0..8),
    )
        .prop_map(|(h, rows)| format!("{h}\n{}", rows.join("\n")));
    let json_item = prop_oneof![
        task_id_like().prop_map(|s| serde_json::Value::String(s).to_string()),
        (task_id_like(), any::<String>()).prop_map(|(id, label)| {
            serde_json::json!({"task_id": id, "label": label}).to_string()
        }),
        task_id_like().prop_map(|id| serde_json::json!({ "id": id }).to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("null".to_owned()),
        Just("[[]]".to_owned()),
    ];
    let json = (proptest::collection::vec(json_item, 0..8), any::<bool>())
        .prop_map(|(items, close)| format!("[{}{}", items.join(","), if close { "]" } else { "" }));
    let body = prop_oneof![any::<String>(), plain, csv, json];
    (any::<bool>(), body).prop_map(|(bom, b)| if bom { format!("\u{feff}{b}") } else { b })
}

/// TOML-ish config text: real sections and keys with values of every type
/// (strings with escapes for newlines and escape characters among them),
/// unknown sections and keys, and plain junk lines.
fn config_text() -> impl Strategy<Value = String> {
    let section = prop_oneof![
        Just("[api]".to_owned()),
        Just("[worker]".to_owned()),
        Just("[store]".to_owned()),
        Just("[api.tls]".to_owned()),
        Just("[[api]]".to_owned()),
        "\\[[a-z]{1,6}\\]",
    ];
    let key = prop_oneof![
        Just("base_url"),
        Just("username"),
        Just("password"),
        Just("password_command"),
        Just("client_cert"),
        Just("client_key"),
        Just("client_cert_password"),
        Just("ca_cert"),
        Just("proxy"),
        Just("timeout_secs"),
        Just("concurrency"),
        Just("max_retries"),
        Just("requests_per_minute"),
        Just("retry_failed_or_hung_after_secs"),
        Just("remember_unzip_passwords"),
        Just("pasword"),
    ];
    let string_value = prop_oneof![
        "[ -~]{0,12}",
        Just("https://tip.example".to_owned()),
        Just("http://example.com".to_owned()),
        Just("a\\nb".to_owned()),
        Just("\\u001b[31mred".to_owned()),
        Just("x\\u202ey".to_owned()),
        Just("socks5://p:1".to_owned()),
    ]
    .prop_map(|s| format!("\"{}\"", s.replace('"', "'")));
    let value = prop_oneof![
        string_value,
        any::<i64>().prop_map(|n| n.to_string()),
        Just("18446744073709551616".to_owned()),
        any::<bool>().prop_map(|b| b.to_string()),
        Just("[1, \"a\"]".to_owned()),
        Just("{ a = 1 }".to_owned()),
        Just("1979-05-27T07:32:00Z".to_owned()),
        Just("3.5".to_owned()),
        Just("nan".to_owned()),
        Just("".to_owned()),
    ];
    let kv = (key, value).prop_map(|(k, v)| format!("{k} = {v}"));
    let line = prop_oneof![
        8 => kv,
        2 => section,
        1 => "[ -~]{0,12}",
        1 => any::<String>(),
    ];
    (any::<bool>(), proptest::collection::vec(line, 0..8)).prop_map(|(api_first, l)| {
        let body = l.join("\n");
        if api_first {
            format!("[api]\n{body}")
        } else {
            body
        }
    })
}

fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..600),
        any::<String>().prop_map(String::into_bytes),
        // big bodies, to exercise the 4 KiB cap (multi-byte chars included)
        ("[a-zé\u{1b}\u{202e}\n]{1,4}", 1000usize..3000)
            .prop_map(|(unit, n)| unit.repeat(n).into_bytes()),
        (any::<String>(), any::<String>(), any::<String>()).prop_map(|(e, d, id)| {
            serde_json::json!({"error": e, "description": d, "task_id": id})
                .to_string()
                .into_bytes()
        }),
        any::<String>().prop_map(|id| serde_json::json!({"task": {"id": id}})
            .to_string()
            .into_bytes()),
        Just(b"<html>No required SSL certificate was sent</html>".to_vec()),
    ]
}

fn status_code() -> impl Strategy<Value = u16> {
    prop_oneof![
        Just(200u16),
        Just(400),
        Just(401),
        Just(403),
        Just(404),
        Just(429),
        Just(451),
        Just(503),
        100u16..600,
        any::<u16>(),
    ]
}

// ---------------------------------------------------------------- properties

proptest! {
    #![proptest_config(PtConfig { cases: 256, ..PtConfig::default() })]

    #[test]
    fn task_id_parse_matches_the_documented_rule(s in task_id_like()) {
        let got = TaskId::parse(&s);
        prop_assert_eq!(got.is_ok(), reference_task_id(&s), "{:?} -> {:?}", s, got);
        match got {
            Ok(id) => prop_assert_eq!(id.as_str(), s.as_str()),
            Err(e) => {
                prop_assert_eq!(e.field, "task_id");
                prop_assert!(terminal_safe(&e.to_string()), "error echoes raw input: {:?}", e.to_string());
            }
        }
    }

    #[test]
    fn file_ext_is_accepted_iff_the_documented_rule_holds(s in file_ext_like()) {
        let got = validate_file_ext(&s);
        prop_assert_eq!(got.is_ok(), reference_file_ext(&s), "{:?} -> {:?}", s, got);
        if let Err(e) = got {
            prop_assert_eq!(e.field, "file_ext");
            prop_assert!(terminal_safe(&e.to_string()), "{:?}", e.to_string());
        }
    }

    #[test]
    fn validate_url_accepts_only_absolute_http_urls_with_a_host(s in url_like()) {
        if validate_url(&s).is_ok() {
            let parsed = url::Url::parse(&s).expect("accepted, so it parses");
            prop_assert!(matches!(parsed.scheme(), "http" | "https"), "{:?}", s);
            prop_assert!(parsed.host_str().is_some_and(|h| !h.is_empty()), "{:?}", s);
        } else {
            prop_assert_eq!(validate_url(&s).unwrap_err().field, "url");
        }
    }

    #[test]
    fn rescan_params_validate_is_the_conjunction_of_the_rules(
        url in proptest::option::of(url_like()),
        ext in proptest::option::of(file_ext_like()),
        pt in proptest::option::of(prop_oneof![Just(ProcessingType::ExecOnly), Just(ProcessingType::UnzipAndExec)]),
        pw in proptest::option::of("[ -~]{0,8}"),
        reset in proptest::option::of(any::<bool>()),
        unpack in proptest::option::of(any::<bool>()),
    ) {
        let expect_ok = url.as_deref().is_none_or(|u| validate_url(u).is_ok())
            && ext.as_deref().is_none_or(reference_file_ext)
            && (pw.is_none() || pt == Some(ProcessingType::UnzipAndExec));
        let params = RescanParams {
            url: url.clone(),
            file_ext: ext.clone(),
            processing_type: pt,
            unzip_password: pw.clone().map(SecretString::from),
            reset_similarity_thresholds: reset,
            unpack,
        };
        let got = params.validate();
        prop_assert_eq!(got.is_ok(), expect_ok, "{:?}", got);
        if let Err(e) = got {
            prop_assert!(["url", "file_ext", "unzip_password"].contains(&e.field), "{:?}", e);
        }
        // the password never shows in what is displayed or stored
        if let Some(pw) = pw.filter(|p| p.len() >= 4) {
            let masked = params.masked_query();
            prop_assert!(!masked.contains(&format!("unzip_password={pw}")), "{}", masked);
        }
    }

    #[test]
    fn parse_any_keeps_only_valid_unique_ids_and_names_the_source(text in import_text()) {
        let source = "src-7.txt";
        let got = parse_any(&text, source);
        let mut seen = std::collections::HashSet::new();
        for t in &got.tasks {
            prop_assert!(reference_task_id(t.id.as_str()), "invalid id kept: {:?}", t.id);
            prop_assert!(seen.insert(t.id.clone()), "duplicate id kept: {:?}", t.id);
            for field in [&t.label, &t.url].into_iter().flatten() {
                prop_assert!(terminal_safe(field), "unsanitised field: {:?}", field);
            }
        }
        for e in &got.errors {
            prop_assert!(e.starts_with(source), "error does not name the source: {:?}", e);
            prop_assert!(terminal_safe(e), "error is not one safe line: {:?}", e);
        }
    }

    #[test]
    fn from_response_never_panics_and_keeps_answers_safe(
        status in status_code(),
        body in body_bytes(),
        sent in "[a-z0-9-]{1,12}",
    ) {
        let a = outcome::from_response(status, &body, &sent, None);
        let label = a.outcome.label();
        prop_assert!(OutcomeKind::ALL.map(OutcomeKind::label).contains(&label), "{}", label);
        prop_assert_eq!(a.status, Some(status));
        if let Some(b) = a.outcome.body() {
            prop_assert!(b.chars().count() <= BODY_KEEP_CHARS, "{} chars", b.chars().count());
            prop_assert!(terminal_safe(b), "body keeps control characters");
        }
        for text in [Some(a.outcome.description()), a.outcome.error_id().map(str::to_owned), a.outcome.new_task_id().map(str::to_owned)].into_iter().flatten() {
            prop_assert!(terminal_safe(&text), "{:?}", text);
        }
        let expected = match status {
            200..=299 => "accepted",
            401 => "auth failed",
            403 => "certificate required",
            404 => "failed or hung",
            451 => "legal block",
            400 => label, // rejected, or certificate required for a front end's page
            _ => "error",
        };
        prop_assert_eq!(label, expected, "status {}", status);
        prop_assert_eq!(a.transient, status == 429 || (500..=599).contains(&status));
    }

    #[test]
    fn sanitize_output_is_terminal_safe_and_idempotent(s in any::<String>()) {
        let once = sanitize(&s);
        prop_assert!(terminal_safe(&once), "{:?} -> {:?}", s, once);
        prop_assert_eq!(sanitize(&once), once.clone());
        // ordinary text passes unchanged
        if terminal_safe(&s) && !s.chars().any(|c| matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{2029}' | '\u{2060}'..='\u{2065}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}')) {
            prop_assert_eq!(once, s);
        }
    }
}

/// Writes `text` as a config file and loads it with an empty environment.
fn load_config_text(text: &str) -> (std::path::PathBuf, Result<(), String>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    let flags = Overrides {
        config: Some(path.clone()),
        ..Overrides::default()
    };
    let got = Config::load_with(&flags, &|_| None)
        .map(|_| ())
        .map_err(|e| e.to_string());
    (path, got, dir)
}

proptest! {
    // each case writes a file and loads it: fewer cases
    #![proptest_config(PtConfig { cases: 128, ..PtConfig::default() })]

    #[test]
    fn config_load_never_panics_and_errors_name_the_file(text in config_text()) {
        let (path, got, _dir) = load_config_text(&text);
        if let Err(msg) = got {
            prop_assert!(!msg.is_empty());
            prop_assert!(msg.contains(&path.display().to_string()), "does not name the file: {:?}", msg);
        }
    }

    #[test]
    fn config_errors_are_one_terminal_safe_line(text in config_text()) {
        let (_path, got, _dir) = load_config_text(&text);
        if let Err(msg) = got {
            prop_assert!(terminal_safe(&msg), "not one safe line: {:?}\n--- config ---\n{}", msg, text);
        }
    }

    #[test]
    fn accepted_urls_hold_no_control_or_whitespace_characters(s in url_like()) {
        if validate_url(&s).is_ok() {
            prop_assert!(terminal_safe(&s) && !s.chars().any(char::is_whitespace), "accepted {:?}", s);
        }
    }
}

/// The shortest inputs showing the two bugs above, pinned so the fix can be
/// checked without waiting for proptest to find them.
#[test]
fn config_error_for_a_value_with_a_newline_or_escape_is_one_safe_line() {
    for text in [
        "[api]\nbase_url = \"a\\nb\"\n",
        "[api]\nbase_url = \"\\u001b[31mred\"\n",
    ] {
        let (_p, got, _d) = load_config_text(text);
        let msg = got.expect_err(text);
        assert!(terminal_safe(&msg), "{msg:?}");
    }
}

#[test]
fn validate_url_refuses_control_characters() {
    for u in [
        "https://ex\nample.com/",
        " https://a.example/",
        "https://a.example/\u{1b}[2J",
        "https://a.example/\u{202e}x",
    ] {
        assert!(validate_url(u).is_err(), "{u:?} accepted");
    }
}
