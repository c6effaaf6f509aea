//! One request, answered like the real endpoint would: method, route, client
//! certificate, basic auth, empty body, parameters, then the scripted or
//! random behaviour.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::json;

use super::behaviour::Behaviour;
use super::policy::Behaviours;
use super::record::{Record, RecordedRequest};
use super::validate::validate;

/// The route prefix of the rescan call.
pub(crate) const ROUTE: &str = "/api/attribution/tasks/file_from_url/";
/// The most body the simulator reads before calling the request too large.
const BODY_LIMIT: usize = 64 * 1024;

/// Shared by every connection of one simulator.
pub(crate) struct State {
    pub(crate) username: String,
    pub(crate) password: String,
    pub(crate) behaviours: Behaviours,
    pub(crate) tls: bool,
    pub(crate) record: Record,
    /// How many 503s each `503xN` task has had so far.
    pub(crate) unavailable_counts: Mutex<HashMap<String, u32>>,
    /// Numbering for `new-id` answers.
    pub(crate) new_ids: AtomicU64,
}

/// Returned by the service to make hyper close the connection unanswered.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the simulator drops this connection on purpose")
    }
}

impl std::error::Error for DropConnection {}

type Answer = Response<Full<Bytes>>;

/// The body as sent: at once, or (for [`Behaviour::SlowBody`]) later.
pub(crate) type SentBody = BoxBody<Bytes, std::convert::Infallible>;

/// Marks an answer whose body follows its status after this long.
#[derive(Clone, Copy)]
struct BodyDelay(std::time::Duration);

/// Handles one request; `Err` means "drop the connection".
pub(crate) async fn handle(
    state: &State,
    peer_cn: Option<String>,
    req: Request<Incoming>,
) -> Result<Response<SentBody>, DropConnection> {
    let (parts, body) = req.into_parts();
    let mut guard = state.record.begin(describe(&parts, peer_cn));
    let outcome = decide(state, &parts, body, guard.request_mut()).await;
    if !state.behaviours.latency.is_zero() {
        tokio::time::sleep(state.behaviours.latency).await;
    }
    match outcome {
        Some(mut answer) => {
            guard.finish(Some(answer.status().as_u16()));
            let delay = answer.extensions_mut().remove::<BodyDelay>();
            Ok(answer.map(|body| match delay {
                None => body.boxed(),
                Some(BodyDelay(delay)) => later(body, delay),
            }))
        }
        None => {
            guard.finish(None);
            Err(DropConnection)
        }
    }
}

/// Everything about the request that does not depend on routing.
fn describe(parts: &hyper::http::request::Parts, peer_cn: Option<String>) -> RecordedRequest {
    let headers = &parts.headers;
    let text = |name: header::HeaderName| {
        headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let raw_query = parts.uri.query().map(str::to_owned);
    let query = raw_query
        .as_deref()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let authorization = text(header::AUTHORIZATION);
    RecordedRequest {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        task_id: String::new(),
        raw_query,
        query,
        content_length: text(header::CONTENT_LENGTH),
        user: authorization
            .as_deref()
            .and_then(parse_basic)
            .map(|(user, _)| user),
        authorization,
        client_cert_cn: peer_cn,
        user_agent: text(header::USER_AGENT),
        http_version: format!("{:?}", parts.version),
        status: None,
    }
}

/// The checks in the vendor's order; `None` = drop the connection.
async fn decide(
    state: &State,
    parts: &hyper::http::request::Parts,
    body: Incoming,
    rec: &mut RecordedRequest,
) -> Option<Answer> {
    if parts.method != Method::PUT {
        let mut a = error(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Only PUT is supported on this endpoint.",
        );
        a.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("PUT"));
        return Some(a);
    }
    let Some(raw_id) = parts
        .uri
        .path()
        .strip_prefix(ROUTE)
        .filter(|id| !id.contains('/'))
    else {
        return Some(error(
            StatusCode::NOT_FOUND,
            "not-found",
            "No such endpoint: the simulator serves PUT /api/attribution/tasks/file_from_url/{task_id}.",
        ));
    };
    rec.task_id = percent_encoding::percent_decode_str(raw_id)
        .decode_utf8_lossy()
        .into_owned();
    if state.tls && rec.client_cert_cn.is_none() {
        return Some(error(
            StatusCode::FORBIDDEN,
            "forbidden",
            "A client certificate is required. API tokens are not allowed for this service.",
        ));
    }
    if !authorized(state, &parts.headers) {
        let mut a = error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "User authentication failed: check the user name and password.",
        );
        a.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"TIP\""),
        );
        return Some(a);
    }
    let body_ok = match Limited::new(body, BODY_LIMIT).collect().await {
        Ok(collected) => collected.to_bytes().is_empty(),
        Err(_) => false,
    };
    if !body_ok {
        return Some(invalid(
            "the request body must be empty (send Content-Length: 0)",
        ));
    }
    if let Err(description) = validate(&rec.task_id, &rec.query) {
        return Some(invalid(&description));
    }
    let task_id = rec.task_id.as_str();
    match state.behaviours.pick(task_id) {
        Behaviour::Accept => Some(accepted(task_id, None)),
        Behaviour::AcceptNewId => {
            let n = state.new_ids.fetch_add(1, Ordering::Relaxed) + 1;
            let suffix = format!("-r{n}");
            let keep = task_id.len().min(128usize.saturating_sub(suffix.len()));
            let new_id = format!("{}{suffix}", &task_id[..keep]);
            Some(accepted(&new_id, Some(task_id)))
        }
        Behaviour::NotFound => Some(error(
            StatusCode::NOT_FOUND,
            "not-found",
            "The task failed or hung. Run the query again later.",
        )),
        Behaviour::Legal => Some(empty(StatusCode::UNAVAILABLE_FOR_LEGAL_REASONS)),
        Behaviour::Reject {
            error: id,
            description,
        } => Some(error(StatusCode::BAD_REQUEST, &id, &description)),
        Behaviour::Unavailable {
            times,
            retry_after_secs,
        } => {
            if still_unavailable(state, task_id, times) {
                let mut a = error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "The service is busy. Try again later.",
                );
                a.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
                Some(a)
            } else {
                Some(accepted(task_id, None))
            }
        }
        Behaviour::Drop => None,
        Behaviour::Slow { delay } => {
            tokio::time::sleep(delay).await;
            Some(accepted(task_id, None))
        }
        Behaviour::SlowBody { delay } => {
            let mut a = accepted(task_id, None);
            a.extensions_mut().insert(BodyDelay(delay));
            Some(a)
        }
        Behaviour::Status(code) => {
            // 1xx cannot be a final answer; anything odd becomes a plain 500
            let status = Some(code)
                .filter(|c| (200..=599).contains(c))
                .and_then(|c| StatusCode::from_u16(c).ok())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Some(error(
                status,
                "simulated",
                &format!("The simulator answers {code} for this task."),
            ))
        }
    }
}

/// A body sent `delay` after the status and headers.
fn later(body: Full<Bytes>, delay: std::time::Duration) -> SentBody {
    let frame = async move {
        tokio::time::sleep(delay).await;
        let bytes = body
            .collect()
            .await
            .map(|c| c.to_bytes())
            .unwrap_or_default();
        Ok(hyper::body::Frame::data(bytes))
    };
    StreamBody::new(futures_util::stream::once(frame)).boxed()
}

/// Counts a 503 for `times`-limited tasks; `u32::MAX` is always unavailable.
fn still_unavailable(state: &State, task_id: &str, times: u32) -> bool {
    if times == u32::MAX {
        return true;
    }
    let mut counts = state
        .unavailable_counts
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let seen = counts.entry(task_id.to_owned()).or_insert(0);
    if *seen < times {
        *seen += 1;
        true
    } else {
        false
    }
}

fn authorized(state: &State, headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_basic)
        .is_some_and(|(user, password)| user == state.username && password == state.password)
}

/// `Basic base64(user:password)` → `(user, password)`.
pub(crate) fn parse_basic(value: &str) -> Option<(String, String)> {
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

fn accepted(task_id: &str, parent: Option<&str>) -> Answer {
    let body = match parent {
        None => json!({ "task_id": task_id, "status": "queued" }),
        Some(p) => json!({ "task_id": task_id, "parent_task_id": p, "status": "queued" }),
    };
    with_json(StatusCode::OK, &body)
}

fn invalid(description: &str) -> Answer {
    error(StatusCode::BAD_REQUEST, "invalid-params", description)
}

fn error(status: StatusCode, id: &str, description: &str) -> Answer {
    with_json(status, &json!({ "error": id, "description": description }))
}

fn with_json(status: StatusCode, body: &serde_json::Value) -> Answer {
    let mut a = Response::new(Full::new(Bytes::from(body.to_string())));
    *a.status_mut() = status;
    a.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    a
}

fn empty(status: StatusCode) -> Answer {
    let mut a = Response::new(Full::new(Bytes::new()));
    *a.status_mut() = status;
    a
}

#[cfg(test)]
mod tests {
    use super::parse_basic;

    #[test]
    fn basic_auth_parses() {
        // "demo:de:mo" — the password may contain ':'
        assert_eq!(
            parse_basic("Basic ZGVtbzpkZTptbw=="),
            Some(("demo".into(), "de:mo".into()))
        );
        assert_eq!(
            parse_basic("basic ZGVtbzpkZW1v").map(|p| p.0),
            Some("demo".into())
        );
        assert_eq!(parse_basic("Bearer abc"), None);
        assert_eq!(parse_basic("Basic !!!"), None);
    }
}
