//! From what the server said (a status, a body, a redirect) to an
//! [`Answer`]: the TIP contract's mapping of HTTP answers to outcomes.

use std::time::Duration;

use super::{Answer, BODY_KEEP_CHARS, Outcome};
use crate::api::params::TaskId;
use crate::text::sanitize_capped;

/// Most characters of a server description we keep.
const DESCRIPTION_KEEP_CHARS: usize = 1024;

/// Maps a status code and body (already read) to an [`Answer`].
/// `sent_id` is the task id in the request, to tell a new id from ours.
pub fn from_response(
    status: u16,
    body: &[u8],
    sent_id: &str,
    retry_after: Option<Duration>,
) -> Answer {
    let text = String::from_utf8_lossy(body);
    let (outcome, transient) = match status {
        200..=299 => (accepted(&text, sent_id), false),
        400 if mentions_client_certificate(&text) => (
            Outcome::CertificateRequired {
                detail: "the server says the client certificate is missing or was not accepted"
                    .into(),
            },
            false,
        ),
        400 => (rejected(&text), false),
        401 => (Outcome::AuthFailed, false),
        403 => (
            Outcome::CertificateRequired {
                detail: json_field(&text, "description").unwrap_or_else(|| {
                    "HTTP 403: set [api] client_cert to the certificate Kaspersky issued".into()
                }),
            },
            false,
        ),
        404 => (Outcome::FailedOrHung, false),
        451 => (Outcome::LegalBlock, false),
        429 | 500..=599 => (
            Outcome::Error {
                detail: http_error(status, &text),
            },
            true,
        ),
        _ => (
            Outcome::Error {
                detail: http_error(status, &text),
            },
            false,
        ),
    };
    Answer {
        outcome,
        status: Some(status),
        transient,
        retry_after,
    }
}

/// A 3xx: never followed (it would re-send the request, credentials and
/// client certificate included, somewhere else), never retried. `location`
/// is the target already made safe to print, `None` without a `Location`.
pub fn redirected(status: u16, location: Option<&str>) -> Answer {
    let detail = match location {
        Some(to) => format!("the server redirected to {to} (not followed)"),
        None => {
            format!("the server redirected (HTTP {status}) without saying where (not followed)")
        }
    };
    Answer {
        outcome: Outcome::Error { detail },
        status: Some(status),
        transient: false,
        retry_after: None,
    }
}

fn accepted(text: &str, sent_id: &str) -> Outcome {
    // An id that breaks the task id rules (a path, control characters, a
    // megabyte) is not followed; the body still shows it, sanitised.
    let new_task_id = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| find_task_id(&v))
        .filter(|id| id != sent_id)
        .and_then(|id| TaskId::parse(&id).ok())
        .map(|id| id.as_str().to_owned());
    Outcome::Accepted {
        body: sanitize_capped(text.trim(), BODY_KEEP_CHARS),
        new_task_id,
    }
}

/// Looks for the id of the rescan task in an undocumented 200 body: the
/// first of the usual key names at the top level or one level down.
fn find_task_id(value: &serde_json::Value) -> Option<String> {
    const KEYS: [&str; 5] = ["new_task_id", "task_id", "taskId", "id", "task"];
    let obj = value.as_object()?;
    for key in KEYS {
        match obj.get(key) {
            Some(serde_json::Value::String(s)) if !s.is_empty() => return Some(s.clone()),
            Some(serde_json::Value::Number(n)) => return Some(n.to_string()),
            Some(inner @ serde_json::Value::Object(_)) => {
                if let Some(id) = find_task_id(inner) {
                    return Some(id);
                }
            }
            _ => {}
        }
    }
    None
}

fn rejected(text: &str) -> Outcome {
    match (json_field(text, "error"), json_field(text, "description")) {
        (None, None) => Outcome::Rejected {
            error: "bad-request".into(),
            description: non_json_detail(text),
        },
        (error, description) => Outcome::Rejected {
            error: error.unwrap_or_else(|| "bad-request".into()),
            description: description.unwrap_or_default(),
        },
    }
}

/// A string field of a JSON object body, sanitised; `None` for non-JSON.
fn json_field(text: &str, key: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let field = value.get(key)?;
    let s = match field {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Some(sanitize_capped(&s, DESCRIPTION_KEEP_CHARS))
}

/// nginx and similar front ends answer a missing or refused client
/// certificate with a 400 page; recognise it so the user gets the real cause.
fn mentions_client_certificate(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("ssl certificate") || lower.contains("client certificate")
}

fn http_error(status: u16, text: &str) -> String {
    let head = match http_reason(status) {
        "" => format!("HTTP {status}"),
        reason => format!("HTTP {status} {reason}"),
    };
    match json_field(text, "description") {
        Some(d) if !d.is_empty() => format!("{head}: {d}"),
        _ => head,
    }
}

fn non_json_detail(text: &str) -> String {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        "the service sent no description".into()
    } else {
        sanitize_capped(trimmed, 200)
    }
}

fn http_reason(status: u16) -> &'static str {
    match status {
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(status: u16, body: &str) -> &'static str {
        from_response(status, body.as_bytes(), "t1", None)
            .outcome
            .label()
    }

    #[test]
    fn every_documented_code_has_its_label() {
        assert_eq!(label(200, ""), "accepted");
        assert_eq!(
            label(400, r#"{"error":"invalid-params","description":"x"}"#),
            "rejected"
        );
        assert_eq!(label(401, ""), "auth failed");
        assert_eq!(label(403, ""), "certificate required");
        assert_eq!(label(404, ""), "failed or hung");
        assert_eq!(label(451, ""), "legal block");
        assert_eq!(label(500, ""), "error");
        assert_eq!(label(418, ""), "error");
    }

    #[test]
    fn rejected_carries_error_and_description_and_tolerates_html() {
        let a = from_response(
            400,
            br#"{"error":"too-large-file","description":"File is too large"}"#,
            "t",
            None,
        );
        assert_eq!(
            a.outcome,
            Outcome::Rejected {
                error: "too-large-file".into(),
                description: "File is too large".into()
            }
        );
        assert!(!a.transient);
        let html = from_response(400, b"<html>Bad \x1b[31mRequest</html>", "t", None);
        match html.outcome {
            Outcome::Rejected { error, description } => {
                assert_eq!(error, "bad-request");
                assert!(description.contains("\\e[31m"), "{description}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nginx_certificate_page_is_a_certificate_problem() {
        let page = b"<html><center>No required SSL certificate was sent</center></html>";
        assert_eq!(
            label(400, std::str::from_utf8(page).unwrap()),
            "certificate required"
        );
    }

    #[test]
    fn transient_only_for_429_and_5xx() {
        for (code, transient) in [
            (429, true),
            (503, true),
            (500, true),
            (400, false),
            (404, false),
            (451, false),
        ] {
            assert_eq!(
                from_response(code, b"", "t", None).transient,
                transient,
                "{code}"
            );
        }
    }

    #[test]
    fn new_task_id_is_found_when_it_differs() {
        let a = from_response(200, br#"{"task_id":"t2","status":"queued"}"#, "t1", None);
        assert_eq!(a.outcome.new_task_id(), Some("t2"));
        let same = from_response(200, br#"{"id":"t1"}"#, "t1", None);
        assert_eq!(same.outcome.new_task_id(), None);
        let nested = from_response(200, br#"{"result":{"x":1},"task":{"id":77}}"#, "t1", None);
        assert_eq!(nested.outcome.new_task_id(), Some("77"));
    }

    #[test]
    fn a_new_task_id_is_followed_only_if_it_is_a_valid_task_id() {
        let long = format!(r#"{{"task_id":"{}"}}"#, "a".repeat(5000));
        for body in [
            r#"{"task_id":"../../admin"}"#,
            r#"{"task_id":"a/b"}"#,
            r#"{"task_id":".."}"#,
            r#"{"new_task_id":"t2 ; rm -rf"}"#,
            r#"{"id":"t\u001b[31m2"}"#,
            long.as_str(),
        ] {
            let a = from_response(200, body.as_bytes(), "t1", None);
            assert_eq!(a.outcome.label(), "accepted", "{body}");
            assert_eq!(a.outcome.new_task_id(), None, "{body}");
            let kept = a.outcome.body().expect("the body is kept");
            assert!(!kept.contains('\u{1b}'), "{kept}");
        }
        let ok = from_response(200, br#"{"task_id":"T-2.b_3"}"#, "t1", None);
        assert_eq!(ok.outcome.new_task_id(), Some("T-2.b_3"));
    }

    #[test]
    fn a_redirect_is_an_error_never_retried() {
        let a = redirected(302, Some("https://sso.example/login"));
        assert_eq!(a.outcome.label(), "error");
        assert_eq!(
            a.outcome.description(),
            "the server redirected to https://sso.example/login (not followed)"
        );
        assert!(!a.transient);
        assert_eq!(a.status, Some(302));
        let bare = redirected(301, None).outcome.description();
        assert!(
            bare.contains("HTTP 301") && bare.ends_with("(not followed)"),
            "{bare}"
        );
    }

    #[test]
    fn body_is_sanitised_and_capped() {
        let big = format!("\u{1b}]0;title\u{7}{}", "x".repeat(10_000));
        let a = from_response(200, big.as_bytes(), "t1", None);
        let body = a.outcome.body().unwrap();
        assert!(body.chars().count() <= BODY_KEEP_CHARS);
        assert!(!body.contains('\u{1b}'));
    }
}
