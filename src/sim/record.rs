//! What the simulator saw: every request with what matters for asserting a
//! client's behaviour, plus an in-flight gauge for concurrency limits.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// One request as the simulator received it and how it answered.
///
/// Exists so tests and benchmarks can check exactly what a client sent
/// (query, headers, identity) without a packet capture.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The HTTP method, e.g. `PUT`.
    pub method: String,
    /// The path exactly as received (still percent-encoded).
    pub path: String,
    /// The task id from the path, percent-decoded (empty if the route missed).
    pub task_id: String,
    /// The query string as received, without `?`.
    pub raw_query: Option<String>,
    /// The decoded query pairs, in order (duplicates kept).
    pub query: Vec<(String, String)>,
    /// The `Content-Length` header as sent, if any.
    pub content_length: Option<String>,
    /// The basic-auth user name, if the `Authorization` header parsed.
    pub user: Option<String>,
    /// The raw `Authorization` header, so tests can compare it.
    pub authorization: Option<String>,
    /// The subject CN of the client certificate, if one was presented.
    pub client_cert_cn: Option<String>,
    /// The `User-Agent` header, if any.
    pub user_agent: Option<String>,
    /// `HTTP/1.1` or `HTTP/2.0`.
    pub http_version: String,
    /// The status answered; `None` if the connection was dropped instead
    /// (or the client went away before the answer).
    pub status: Option<u16>,
}

#[derive(Default)]
struct Inner {
    requests: Mutex<Vec<RecordedRequest>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    connections: AtomicUsize,
}

/// A thread-safe, cheaply clonable log of every request the simulator handled.
///
/// Exists so a test or benchmark can hold it while the server runs and read
/// it at any time; recording is one mutex push, cheap enough for 100,000
/// requests.
#[derive(Clone, Default)]
pub struct Record(Arc<Inner>);

impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Record")
            .field("len", &self.len())
            .field("in_flight", &self.in_flight())
            .field("max_in_flight", &self.max_in_flight())
            .field("connections", &self.connections())
            .finish()
    }
}

impl Record {
    /// A new, empty record.
    pub fn new() -> Record {
        Record::default()
    }

    /// A copy of every finished request, in the order they finished.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().clone()
    }

    /// How many finished requests were answered with `code`.
    pub fn count_status(&self, code: u16) -> usize {
        self.lock()
            .iter()
            .filter(|r| r.status == Some(code))
            .count()
    }

    /// How many requests have finished (answered or dropped).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when no request has finished yet.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// The highest number of requests that were being handled at once.
    pub fn max_in_flight(&self) -> usize {
        self.0.max_in_flight.load(Ordering::SeqCst)
    }

    /// How many connections clients opened (accepted TCP connections,
    /// whatever became of them), so a test can see whether a client reuses
    /// its connection or opens one per request.
    pub fn connections(&self) -> usize {
        self.0.connections.load(Ordering::SeqCst)
    }

    /// Counts one accepted connection.
    pub(crate) fn connected(&self) {
        self.0.connections.fetch_add(1, Ordering::SeqCst);
    }

    /// How many requests are being handled right now.
    pub fn in_flight(&self) -> usize {
        self.0.in_flight.load(Ordering::SeqCst)
    }

    /// Forgets all finished requests and resets the in-flight maximum to the
    /// current in-flight count (for a fresh measurement on a running server).
    pub fn clear(&self) {
        self.lock().clear();
        self.0
            .max_in_flight
            .store(self.0.in_flight.load(Ordering::SeqCst), Ordering::SeqCst);
    }

    /// Starts tracking one request; the returned guard records it when
    /// finished or dropped (a cancelled request is recorded with no status).
    pub(crate) fn begin(&self, request: RecordedRequest) -> InFlight {
        let now = self.0.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.0.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight {
            record: self.clone(),
            request: Some(request),
        }
    }

    fn push(&self, request: RecordedRequest) {
        self.lock().push(request);
    }

    /// Never panics: a poisoned lock still holds usable data.
    fn lock(&self) -> MutexGuard<'_, Vec<RecordedRequest>> {
        self.0.requests.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One request being handled; records itself exactly once.
pub(crate) struct InFlight {
    record: Record,
    request: Option<RecordedRequest>,
}

impl InFlight {
    /// The request being built, for filling in fields as they are parsed.
    pub(crate) fn request_mut(&mut self) -> &mut RecordedRequest {
        self.request.get_or_insert_with(RecordedRequest::default)
    }

    /// Records the request with its final status (`None` = dropped).
    pub(crate) fn finish(mut self, status: Option<u16>) {
        if let Some(mut r) = self.request.take() {
            r.status = status;
            self.record.push(r);
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(r) = self.request.take() {
            self.record.push(r);
        }
        self.record.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauge_counts_concurrent_requests_and_cancelled_ones_are_recorded() {
        let rec = Record::new();
        let a = rec.begin(RecordedRequest::default());
        let mut b = rec.begin(RecordedRequest::default());
        b.request_mut().task_id = "b".into();
        assert_eq!(rec.in_flight(), 2);
        a.finish(Some(200));
        drop(b);
        assert_eq!(rec.in_flight(), 0);
        assert_eq!(rec.max_in_flight(), 2);
        assert_eq!(rec.len(), 2);
        assert_eq!(rec.count_status(200), 1);
        assert_eq!(rec.requests()[1].status, None);
        assert_eq!(rec.requests()[1].task_id, "b");
        rec.clear();
        assert!(rec.is_empty());
        assert_eq!(rec.max_in_flight(), 0);
    }
}
