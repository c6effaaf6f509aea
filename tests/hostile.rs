//! The client, the worker and the real binary against a hostile server:
//! redirects of every kind, huge and endless bodies, huge and malformed
//! `Retry-After`, ids that are not task ids, server certificates for another
//! name or out of date. Every wait has a deadline.

mod common;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::hostile::{Hostile, Reply, Script, Tls, always};
use common::{Fixture, PASSWORD, run_cli};
use secrecy::SecretString;
use tae_rescan::api::{Answer, Client, ClientSettings, Outcome, RescanParams, TaskId};
use tae_rescan::sim::Behaviours;
use tae_rescan::worker::{self, Job, JobId, WorkerConfig, WorkerEvent};

fn id(s: &str) -> TaskId {
    TaskId::parse(s).unwrap()
}

/// Fails the test instead of hanging it.
async fn within<T>(secs: u64, what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), f)
        .await
        .unwrap_or_else(|_| panic!("{what}: no result within {secs} s"))
}

async fn fixture() -> Fixture {
    Fixture::start(Behaviours::default()).await
}

async fn mutual(f: &Fixture, script: Script) -> Hostile {
    Hostile::start(Tls::Mutual(f.pki.clone()), script).await
}

fn settings_for(f: &Fixture, server: &Hostile) -> ClientSettings {
    ClientSettings {
        base_url: server.base_url().parse().unwrap(),
        ..f.settings()
    }
}

async fn rescan(f: &Fixture, server: &Hostile, task: &str) -> Answer {
    let client = Client::new(&settings_for(f, server)).unwrap();
    within(20, task, client.rescan(&id(task), &RescanParams::default())).await
}

/// What the worker finally said about one job.
#[derive(Debug)]
struct Final {
    outcome: Outcome,
    status: Option<u16>,
    attempts: u32,
    elapsed: Duration,
}

/// One job through the worker, to its `Finished` event.
async fn through_worker(
    f: &Fixture,
    server: &Hostile,
    config: WorkerConfig,
    task: &str,
    params: RescanParams,
) -> Final {
    let client = Arc::new(Client::new(&settings_for(f, server)).unwrap());
    let (handle, mut events) = worker::spawn(client, config, None);
    handle.submit(Job {
        id: JobId(1),
        task: id(task),
        params,
    });
    within(20, task, async {
        loop {
            match events.recv().await.expect("worker alive") {
                WorkerEvent::Finished {
                    outcome,
                    status,
                    attempts,
                    elapsed,
                    ..
                } => {
                    return Final {
                        outcome,
                        status,
                        attempts,
                        elapsed,
                    };
                }
                _ => continue,
            }
        }
    })
    .await
}

/// Retries allowed, short backoff, a small `max_retry_wait`.
/// A recording worker against `server` (3 retries, failed-or-hung re-sent
/// after `resend_after`) with task `t1` submitted; the folder holds its
/// store.
fn resending_t1(
    f: &Fixture,
    server: &Hostile,
    resend_after: Duration,
) -> (
    tempfile::TempDir,
    tae_rescan::store::StoreHandle,
    worker::WorkerHandle,
    tokio::sync::mpsc::UnboundedReceiver<WorkerEvent>,
) {
    let dir = tempfile::tempdir().unwrap();
    let store =
        tae_rescan::store::spawn_store_thread(tae_rescan::store::Store::open(dir.path()).unwrap());
    let config = WorkerConfig {
        retry_failed_or_hung_after: Some(resend_after),
        ..quick(3)
    };
    let client = Arc::new(Client::new(&settings_for(f, server)).unwrap());
    let (handle, events) = worker::spawn(client, config, Some(store.clone()));
    handle.submit(Job {
        id: JobId(1),
        task: id("t1"),
        params: RescanParams::default(),
    });
    (dir, store, handle, events)
}

fn quick(max_retries: u32) -> WorkerConfig {
    WorkerConfig {
        max_retries,
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(20),
        max_retry_wait: Duration::from_secs(2),
        ..WorkerConfig::default()
    }
}

/// A config file for the binary that reaches `base_url` with the fixture's
/// certificates.
fn config_for(f: &Fixture, base_url: &str, extra: &str) -> PathBuf {
    let text = format!(
        "[api]\nbase_url = \"{base_url}\"\nusername = \"{}\"\nclient_cert = \"client.pem\"\nca_cert = \"ca.pem\"\n{extra}",
        common::USER
    );
    f.write("hostile.toml", text.as_bytes())
}

/// `tae-rescan rescan --output json TASK`: exit code, the one result line,
/// stderr.
async fn cli_rescan(f: &Fixture, config: &Path, task: &str) -> (i32, serde_json::Value, String) {
    let (code, out, err) = within(
        30,
        "tae-rescan rescan",
        run_cli(
            &[
                "rescan",
                "--config",
                config.to_str().unwrap(),
                "--output",
                "json",
                task,
            ],
            &[("TIP_PASSWORD", PASSWORD)],
            None,
            f.dir.path(),
        ),
    )
    .await;
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "one result line: {out} / {err}");
    (code, serde_json::from_str(lines[0]).unwrap(), err)
}

// ---------------------------------------------------------------- redirects

const ACCEPTING: &str = r#"{"task_id":"t1","status":"queued"}"#;

#[tokio::test]
async fn every_redirect_is_an_error_and_nothing_reaches_the_other_host() {
    let f = fixture().await;
    for code in [301, 302, 303, 307, 308] {
        let elsewhere = mutual(&f, always(Reply::status(200).body(ACCEPTING))).await;
        let port = elsewhere.base_url().rsplit(':').next().unwrap().to_owned();
        let location = format!("https://me:secret@localhost:{port}/login?session=s3cr3t#top");
        let server = mutual(
            &f,
            always(Reply::status(code).header("Location", &location)),
        )
        .await;
        let done = through_worker(&f, &server, quick(3), "t1", RescanParams::default()).await;
        assert_eq!(done.outcome.label(), "error", "{code}: {done:?}");
        assert_eq!(
            done.outcome.description(),
            format!("the server redirected to https://localhost:{port}/login (not followed)"),
            "{code}"
        );
        assert_eq!(done.status, Some(code));
        assert_eq!(done.attempts, 1, "{code}: a redirect is not retried");
        assert!(done.elapsed < Duration::from_secs(5), "{code}: no waiting");
        assert_eq!(server.requests().len(), 1, "{code}");
        assert_eq!(elsewhere.connections(), 0, "{code}: nothing sent elsewhere");
        assert_eq!(
            elsewhere.handshakes(),
            0,
            "{code}: no client certificate shown"
        );
    }
}

#[tokio::test]
async fn a_redirect_to_plain_http_sends_nothing_in_clear() {
    let f = fixture().await;
    let clear = Hostile::start(Tls::Plain, always(Reply::status(200).body(ACCEPTING))).await;
    let target = format!(
        "{}/api/attribution/tasks/file_from_url/t1?unzip_password=infected",
        clear.base_url()
    );
    let server = mutual(&f, always(Reply::status(307).header("Location", &target))).await;
    let params = RescanParams {
        unzip_password: Some(SecretString::from("infected")),
        ..RescanParams::default()
    };
    let done = through_worker(&f, &server, quick(3), "t1", params).await;
    let text = done.outcome.description();
    assert_eq!(
        text,
        format!(
            "the server redirected to {}/api/attribution/tasks/file_from_url/t1 (not followed)",
            clear.base_url()
        )
    );
    assert!(!text.contains("infected"), "{text}");
    assert_eq!(done.attempts, 1);
    assert_eq!(clear.connections(), 0, "nothing sent in clear");
    assert!(clear.requests().is_empty());
}

#[tokio::test]
async fn a_redirect_loop_is_one_request_and_one_error() {
    let f = fixture().await;
    // Every answer sends the client back to where it came from.
    let script: Script =
        Arc::new(|seen| Reply::status(302).header("Location", &seen.path_and_query));
    let server = mutual(&f, script).await;
    let done = through_worker(&f, &server, quick(3), "loop", RescanParams::default()).await;
    assert_eq!(
        done.outcome.description(),
        format!(
            "the server redirected to {}/api/attribution/tasks/file_from_url/loop (not followed)",
            server.base_url()
        )
    );
    assert_eq!(done.attempts, 1);
    assert_eq!(
        server.requests().len(),
        1,
        "the server sees exactly 1 request"
    );
}

#[tokio::test]
async fn a_redirect_without_location_or_with_a_hostile_one_is_one_clean_line() {
    let f = fixture().await;
    let bare = mutual(&f, always(Reply::status(302))).await;
    let answer = rescan(&f, &bare, "t1").await;
    assert_eq!(
        answer.outcome.description(),
        "the server redirected (HTTP 302) without saying where (not followed)"
    );
    assert!(!answer.transient);

    let weird = mutual(
        &f,
        always(Reply::status(301).header("Location", "/p\u{202e}ath?token=s3cr3t")),
    )
    .await;
    let text = rescan(&f, &weird, "t1").await.outcome.description();
    assert!(
        !text.contains('\u{202e}') && !text.contains("s3cr3t"),
        "{text}"
    );
    assert!(
        text.starts_with("the server redirected to https://localhost:"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_binary_reports_a_redirect_as_an_error_and_exits_1() {
    let f = fixture().await;
    let elsewhere = mutual(&f, always(Reply::status(200).body(ACCEPTING))).await;
    let location = format!("{}/sso/login?next=%2F", elsewhere.base_url());
    let server = mutual(&f, always(Reply::status(302).header("Location", &location))).await;
    let config = config_for(&f, &server.base_url(), "");
    let (code, line, err) = cli_rescan(&f, &config, "t1").await;
    assert_eq!(code, 1, "{line} / {err}");
    assert_eq!(line["outcome"], "error");
    assert_eq!(line["status"], 302);
    assert_eq!(line["attempts"], 1);
    assert_eq!(
        line["description"],
        format!(
            "the server redirected to {}/sso/login (not followed)",
            elsewhere.base_url()
        )
    );
    assert_eq!(server.requests().len(), 1);
    assert_eq!(elsewhere.connections(), 0);
}

// -------------------------------------------------------------- Retry-After

fn unavailable(retry_after: &str) -> Script {
    always(Reply::status(503).header("Retry-After", retry_after))
}

#[tokio::test]
async fn a_retry_after_longer_than_max_retry_wait_ends_the_job_at_once() {
    let f = fixture().await;
    let cases = [
        ("999999999", "999999999".to_owned()),
        // More seconds than a u64 holds: the longest wait there is.
        ("99999999999999999999999999", u64::MAX.to_string()),
        ("3", "3".to_owned()),
    ];
    for (header, shown) in cases {
        let server = mutual(&f, unavailable(header)).await;
        let done = through_worker(&f, &server, quick(3), "t1", RescanParams::default()).await;
        assert_eq!(done.outcome.label(), "error", "{header}");
        assert_eq!(
            done.outcome.description(),
            format!("the server asked to retry after {shown} s, more than max_retry_wait_secs")
        );
        assert_eq!(done.status, Some(503));
        assert_eq!(done.attempts, 1, "{header}");
        assert_eq!(server.requests().len(), 1, "{header}");
        assert!(done.elapsed < Duration::from_secs(2), "{header}: {done:?}");
    }
    // An HTTP date far away is as long a wait.
    let server = mutual(&f, unavailable("Fri, 31 Dec 9999 23:59:59 GMT")).await;
    let done = through_worker(&f, &server, quick(3), "t1", RescanParams::default()).await;
    let text = done.outcome.description();
    assert!(
        text.starts_with("the server asked to retry after ")
            && text.ends_with(" s, more than max_retry_wait_secs"),
        "{text}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_malformed_retry_after_is_ignored_for_the_normal_backoff() {
    let f = fixture().await;
    for header in [
        "soon",
        "-5",
        "+1",
        "1.5",
        "1e9",
        "",
        "12 s",
        "Mon, 32 Foo 2026 99:99:99 GMT",
    ] {
        let server = mutual(&f, unavailable(header)).await;
        let done = through_worker(&f, &server, quick(1), "t1", RescanParams::default()).await;
        assert_eq!(
            done.outcome.description(),
            "HTTP 503 Service Unavailable",
            "{header:?}"
        );
        assert_eq!(done.attempts, 2, "{header:?}: retried once");
        assert_eq!(server.requests().len(), 2, "{header:?}");
        // The backoff is 10-20 ms: the header's number was not obeyed.
        assert!(
            done.elapsed < Duration::from_millis(900),
            "{header:?}: {done:?}"
        );
    }
}

#[tokio::test]
async fn a_retry_after_within_max_retry_wait_is_waited_for() {
    let f = fixture().await;
    let script: Script = Arc::new(|seen| match seen.index {
        0 => Reply::status(503).header("Retry-After", "1"),
        _ => Reply::status(200).body(ACCEPTING),
    });
    let server = mutual(&f, script).await;
    let done = through_worker(&f, &server, quick(3), "t1", RescanParams::default()).await;
    assert_eq!(done.outcome.label(), "accepted", "{done:?}");
    assert_eq!(done.attempts, 2);
    assert!(done.elapsed >= Duration::from_secs(1), "{done:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_binary_ends_a_job_whose_server_asks_too_long_a_wait() {
    let f = fixture().await;
    let server = mutual(&f, unavailable("999999999")).await;
    let config = config_for(
        &f,
        &server.base_url(),
        "[worker]\nmax_retry_wait_secs = 5\n",
    );
    let (code, line, err) = cli_rescan(&f, &config, "t1").await;
    assert_eq!(code, 1, "{line} / {err}");
    assert_eq!(line["outcome"], "error");
    assert_eq!(line["status"], 503);
    assert_eq!(line["attempts"], 1);
    assert_eq!(
        line["description"],
        "the server asked to retry after 999999999 s, more than max_retry_wait_secs"
    );
    assert_eq!(server.requests().len(), 1);

    // The default bound (120 s) applies without the key.
    let server = mutual(&f, unavailable("121")).await;
    let config = config_for(&f, &server.base_url(), "");
    let (code, line, _) = cli_rescan(&f, &config, "t1").await;
    assert_eq!(code, 1);
    assert_eq!(
        line["description"],
        "the server asked to retry after 121 s, more than max_retry_wait_secs"
    );
}

// ------------------------------------------------------------------- bodies

/// Bodies far beyond what is read: the answer is decided from the status
/// once the read limit is reached, long before the timeout, and the client
/// stops reading (the server could only push what the socket buffers hold).
#[tokio::test]
async fn endless_and_huge_bodies_are_cut_and_decided_from_the_status() {
    let f = fixture().await;
    for (what, reply) in [
        ("endless 200", Reply::status(200).endless()),
        ("4 GiB 200", Reply::status(200).huge(4 << 30)),
        ("endless 400", Reply::status(400).endless()),
    ] {
        let server = mutual(&f, always(reply)).await;
        let mut settings = settings_for(&f, &server);
        settings.timeout = Duration::from_secs(60);
        let started = Instant::now();
        let answer = within(
            20,
            what,
            Client::new(&settings)
                .unwrap()
                .rescan(&id("t1"), &RescanParams::default()),
        )
        .await;
        assert!(started.elapsed() < Duration::from_secs(10), "{what}");
        if what.ends_with("200") {
            assert_eq!(answer.outcome.label(), "accepted", "{what}");
            let body = answer.outcome.body().unwrap();
            assert!(body.chars().count() <= 4096, "{what}");
        } else {
            assert_eq!(answer.outcome.label(), "rejected", "{what}");
        }
        let sent = server.body_bytes_sent();
        assert!(sent < 32 << 20, "{what}: the server pushed {sent} bytes");
    }
}

#[tokio::test]
async fn huge_headers_are_refused_without_reading_them_all() {
    let f = fixture().await;
    let big = "x".repeat(1 << 20);
    let server = mutual(&f, always(Reply::status(200).header("X-Big", &big))).await;
    let answer = rescan(&f, &server, "t1").await;
    assert_eq!(answer.outcome.label(), "error", "{answer:?}");
    let said = answer.outcome.description();
    assert!(!said.contains("xxxx"), "{said}");
    // h2 names its reason as a Rust byte string (b"too_many_continuations").
    assert!(
        !said.contains("b\""),
        "a Rust literal reached the user: {said}"
    );
}

// --------------------------------------------------------------- new ids

#[tokio::test]
async fn a_new_task_id_that_is_not_a_task_id_is_not_followed() {
    let f = fixture().await;
    let server = mutual(
        &f,
        always(Reply::status(200).body(r#"{"task_id":"../../admin\u001b[2J"}"#)),
    )
    .await;
    let answer = rescan(&f, &server, "t1").await;
    assert_eq!(answer.outcome.label(), "accepted");
    assert_eq!(answer.outcome.new_task_id(), None, "{answer:?}");
    let body = answer.outcome.body().unwrap();
    assert!(body.contains("admin") && !body.contains('\u{1b}'), "{body}");
}

// ---------------------------------------------------------- certificates

/// A server certificate signed by the fixture's CA, for `names`, valid
/// between the two dates (year, month, day).
fn server_cert(f: &Fixture, names: &[&str], from: (i32, u8, u8), until: (i32, u8, u8)) -> Tls {
    let ca_key = rcgen::KeyPair::from_pem(&f.pki.ca_key_pem).unwrap();
    let issuer = rcgen::Issuer::from_ca_cert_pem(&f.pki.ca_cert_pem, &ca_key).unwrap();
    let mut params =
        rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .unwrap();
    params.not_before = rcgen::date_time_ymd(from.0, from.1, from.2);
    params.not_after = rcgen::date_time_ymd(until.0, until.1, until.2);
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    Tls::Custom {
        pki: f.pki.clone(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

#[tokio::test]
async fn a_server_certificate_for_another_name_says_which_names_it_is_for() {
    let f = fixture().await;
    let tls = server_cert(
        &f,
        &["tip.example.com", "10.1.2.3"],
        (2020, 1, 1),
        (4000, 1, 1),
    );
    let server = Hostile::start(tls, always(Reply::status(200))).await;
    let answer = rescan(&f, &server, "t1").await;
    assert_eq!(answer.outcome.label(), "error");
    assert_eq!(
        answer.outcome.description(),
        "the server's certificate is not valid for localhost \
         (it is for tip.example.com, 10.1.2.3): check [api] base_url"
    );
    assert!(!answer.transient);
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn an_expired_server_certificate_says_when_it_expired() {
    let f = fixture().await;
    let tls = server_cert(&f, &["localhost"], (2019, 1, 1), (2020, 1, 2));
    let server = Hostile::start(tls, always(Reply::status(200))).await;
    let answer = rescan(&f, &server, "t1").await;
    assert_eq!(
        answer.outcome.description(),
        "the server's certificate expired on 2020-01-02T00:00:00.000Z"
    );
    assert!(!answer.transient);
    assert!(server.requests().is_empty());
}

/// Long enough that a re-send's own round (two requests to a local
/// server, no wait between) takes less.
const RESEND_AFTER: Duration = Duration::from_secs(2);

/// A job that ends `failed or hung` after a retry is re-sent; the event
/// that says so carries that round's real verdict and attempts (503 then
/// 404: two), and the re-send counts its own (503 then 200: two) and its
/// own time (not the wait before it), as the history records both rounds.
#[tokio::test]
async fn a_resend_reports_each_rounds_real_verdict_and_attempts() {
    let f = fixture().await;
    let script: Script = Arc::new(|seen| match seen.index {
        0 | 2 => Reply::status(503).header("Retry-After", "0"),
        1 => Reply::status(404),
        _ => Reply::status(200).body(ACCEPTING),
    });
    let server = mutual(&f, script).await;
    let (_dir, store, _handle, mut events) = resending_t1(&f, &server, RESEND_AFTER);
    let mut rounds = Vec::new();
    let mut resend_took = Duration::ZERO;
    within(20, "t1", async {
        loop {
            match events.recv().await.expect("worker alive") {
                WorkerEvent::Resending {
                    outcome,
                    status,
                    attempts,
                    ..
                } => rounds.push((outcome.label(), status, attempts)),
                WorkerEvent::Finished {
                    outcome,
                    status,
                    attempts,
                    elapsed,
                    ..
                } => {
                    rounds.push((outcome.label(), status, attempts));
                    resend_took = elapsed;
                    break;
                }
                _ => {}
            }
        }
    })
    .await;
    assert_eq!(
        rounds,
        [("failed or hung", Some(404), 2), ("accepted", Some(200), 2)]
    );
    assert_eq!(server.requests().len(), 4);
    assert!(resend_took < RESEND_AFTER, "{resend_took:?}");
    let records = store.history(Default::default()).await.unwrap();
    let resent = records
        .iter()
        .find(|r| r.outcome.label() == "accepted")
        .unwrap();
    assert!(
        resent
            .elapsed_ms
            .is_some_and(|ms| ms < RESEND_AFTER.as_millis() as u64),
        "{resent:?}"
    );
    let mut recorded: Vec<(String, Option<u16>, u32)> = records
        .into_iter()
        .map(|r| (r.outcome.label().to_owned(), r.status, r.attempts))
        .collect();
    recorded.sort();
    assert_eq!(
        recorded,
        [
            ("accepted".to_owned(), Some(200), 2),
            ("failed or hung".to_owned(), Some(404), 2)
        ]
    );
}

/// A cancel while a re-send waits sends nothing more: the job ends
/// `cancelled` with no request counted, and the history keeps the round's
/// `failed or hung` as the task's last word.
#[tokio::test]
async fn a_cancel_while_a_resend_waits_counts_no_request() {
    let f = fixture().await;
    let server = mutual(&f, always(Reply::status(404))).await;
    let (_dir, store, handle, mut events) = resending_t1(&f, &server, Duration::from_secs(600));
    let finished = within(20, "t1", async {
        loop {
            match events.recv().await.expect("worker alive") {
                WorkerEvent::Resending { .. } => handle.cancel(JobId(1)),
                WorkerEvent::Finished {
                    outcome, attempts, ..
                } => return (outcome.label(), attempts),
                _ => {}
            }
        }
    })
    .await;
    assert_eq!(finished, ("cancelled", 0));
    assert_eq!(server.requests().len(), 1);
    let records = store.history(Default::default()).await.unwrap();
    let recorded: Vec<(&str, u32)> = records
        .iter()
        .map(|r| (r.outcome.label(), r.attempts))
        .collect();
    assert_eq!(recorded, [("failed or hung", 1)]);
}
