//! The client and worker against the simulator over real mutual TLS, with
//! certificates generated in the test.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use common::{Fixture, expected_authorization, scripted};
use secrecy::SecretString;
use tae_rescan::api::identity::ClientIdentity;
use tae_rescan::api::{Client, IdentityFiles, Outcome, ProcessingType, RescanParams, TaskId};
use tae_rescan::sim::{Behaviour, Behaviours, Pki};
use tae_rescan::worker::{self, Job, JobId, WorkerConfig, WorkerEvent};

fn id(s: &str) -> TaskId {
    TaskId::parse(s).unwrap()
}

#[tokio::test]
async fn the_exact_request_for_each_parameter_combination() {
    let f = Fixture::start(Behaviours::default()).await;
    let client = Client::new(&f.settings()).unwrap();
    let full = RescanParams {
        url: Some("https://files.example.com/a b.zip?x=1&y=2".into()),
        file_ext: Some("zip".into()),
        processing_type: Some(ProcessingType::UnzipAndExec),
        unzip_password: Some(SecretString::from("inf&cted=1")),
        reset_similarity_thresholds: Some(true),
        unpack: Some(false),
    };
    let cases: Vec<(RescanParams, Vec<(&str, &str)>)> = vec![
        (RescanParams::default(), vec![]),
        (
            RescanParams {
                file_ext: Some("exe".into()),
                ..Default::default()
            },
            vec![("file_ext", "exe")],
        ),
        (
            RescanParams {
                processing_type: Some(ProcessingType::ExecOnly),
                ..Default::default()
            },
            vec![("processing_type", "exec-only")],
        ),
        (
            RescanParams {
                unpack: Some(true),
                ..Default::default()
            },
            vec![("unpack", "true")],
        ),
        (
            RescanParams {
                reset_similarity_thresholds: Some(false),
                ..Default::default()
            },
            vec![("reset_similarity_thresholds", "false")],
        ),
        (
            full,
            vec![
                ("url", "https://files.example.com/a b.zip?x=1&y=2"),
                ("file_ext", "zip"),
                ("processing_type", "unzip-and-exec"),
                ("unzip_password", "inf&cted=1"),
                ("reset_similarity_thresholds", "true"),
                ("unpack", "false"),
            ],
        ),
    ];
    for (n, (params, _)) in cases.iter().enumerate() {
        let task = id(&format!("task-{n}"));
        let answer = client.rescan(&task, params).await;
        assert_eq!(answer.outcome.label(), "accepted", "case {n}: {answer:?}");
        assert_eq!(answer.status, Some(200));
    }
    let seen = f.sim.record().requests();
    assert_eq!(seen.len(), cases.len());
    for (n, ((_, expected), req)) in cases.iter().zip(&seen).enumerate() {
        assert_eq!(req.method, "PUT");
        assert_eq!(
            req.path,
            format!("/api/attribution/tasks/file_from_url/task-{n}")
        );
        let query: Vec<(&str, &str)> = req
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(&query, expected, "case {n}");
        if expected.is_empty() {
            assert_eq!(req.raw_query, None, "keep-previous sends no query at all");
        }
        assert_eq!(req.content_length.as_deref(), Some("0"));
        assert_eq!(
            req.authorization.as_deref(),
            Some(expected_authorization().as_str())
        );
        assert_eq!(req.client_cert_cn.as_deref(), Some("tae-demo"));
        assert_eq!(
            req.user_agent.as_deref(),
            Some(concat!("tae-rescan/", env!("CARGO_PKG_VERSION")))
        );
    }
}

#[tokio::test]
async fn all_three_identity_forms_reach_the_server() {
    let f = Fixture::start(Behaviours::default()).await;
    f.write("p12.password", f.pki.client_p12_password.as_bytes());
    let forms = [
        IdentityFiles {
            cert: f.path("client.pem"),
            key: None,
            password: None,
        },
        IdentityFiles {
            cert: f.path("client-cert.pem"),
            key: Some(f.path("client-key.pem")),
            password: None,
        },
        IdentityFiles {
            cert: f.path("client.p12"),
            key: None,
            password: Some(SecretString::from(f.pki.client_p12_password.clone())),
        },
    ];
    for (n, files) in forms.into_iter().enumerate() {
        let client = Client::new(&f.settings_with(Some(files))).unwrap();
        let answer = client
            .rescan(&id(&format!("form-{n}")), &RescanParams::default())
            .await;
        assert_eq!(answer.outcome.label(), "accepted", "form {n}: {answer:?}");
    }
    let cns: Vec<_> = f
        .sim
        .record()
        .requests()
        .into_iter()
        .map(|r| r.client_cert_cn)
        .collect();
    assert_eq!(cns, vec![Some("tae-demo".to_owned()); 3]);
}

#[tokio::test]
async fn every_status_code_maps_to_its_label() {
    let f = Fixture::start(scripted(&[
        ("t404", Behaviour::NotFound),
        ("t451", Behaviour::Legal),
        (
            "t400",
            Behaviour::Reject {
                error: "invalid-params".into(),
                description: "url is bad".into(),
            },
        ),
        ("t500", Behaviour::Status(500)),
        ("tnew", Behaviour::AcceptNewId),
    ]))
    .await;
    let client = Client::new(&f.settings()).unwrap();
    let p = RescanParams::default();
    let label = |a: tae_rescan::api::Answer| a.outcome.label();
    assert_eq!(label(client.rescan(&id("t200"), &p).await), "accepted");
    assert_eq!(
        label(client.rescan(&id("t404"), &p).await),
        "failed or hung"
    );
    assert_eq!(label(client.rescan(&id("t451"), &p).await), "legal block");
    assert_eq!(label(client.rescan(&id("t500"), &p).await), "error");
    let rejected = client.rescan(&id("t400"), &p).await;
    assert_eq!(
        rejected.outcome,
        Outcome::Rejected {
            error: "invalid-params".into(),
            description: "url is bad".into()
        }
    );
    let new = client.rescan(&id("tnew"), &p).await;
    assert!(
        new.outcome.new_task_id().is_some_and(|n| n != "tnew"),
        "{new:?}"
    );
    // The simulator's own validation answers 400 invalid-params, too.
    let bad = RescanParams {
        file_ext: Some(".exe".into()),
        ..Default::default()
    };
    let answer = client.rescan(&id("t-bad"), &bad).await;
    assert_eq!(answer.outcome.error_id(), Some("invalid-params"));

    let mut wrong = f.settings();
    wrong.password = SecretString::from("nope");
    assert_eq!(
        label(Client::new(&wrong).unwrap().rescan(&id("t401"), &p).await),
        "auth failed"
    );

    let no_cert = Client::new(&f.settings_with(None)).unwrap();
    let answer = no_cert.rescan(&id("t403"), &p).await;
    assert_eq!(answer.status, Some(403));
    assert_eq!(answer.outcome.label(), "certificate required");
    assert!(
        answer
            .outcome
            .description()
            .contains("client certificate is required")
    );
}

#[tokio::test]
async fn a_client_certificate_from_another_ca_is_refused_clearly() {
    let f = Fixture::start(Behaviours::default()).await;
    let stranger = Pki::generate().unwrap();
    let path = f.write("stranger.pem", stranger.client_combined_pem().as_bytes());
    let client = Client::new(&f.settings_with(Some(IdentityFiles {
        cert: path,
        key: None,
        password: None,
    })))
    .unwrap();
    let answer = client.rescan(&id("t1"), &RescanParams::default()).await;
    assert_eq!(answer.outcome.label(), "certificate required", "{answer:?}");
    assert!(!answer.transient, "a refused certificate is not retried");
    assert_eq!(f.sim.record().count_status(200), 0);
}

#[tokio::test]
async fn an_untrusted_server_is_a_clear_one_line_error() {
    let f = Fixture::start(Behaviours::default()).await;
    let mut settings = f.settings();
    settings.ca_pem = Some(Pki::generate().unwrap().ca_cert_pem.into_bytes());
    let answer = Client::new(&settings)
        .unwrap()
        .rescan(&id("t1"), &RescanParams::default())
        .await;
    let text = answer.outcome.description();
    assert_eq!(answer.outcome.label(), "error");
    assert!(
        text.contains("not trusted") && text.contains("ca_cert"),
        "{text}"
    );
    assert!(
        !text.contains('\n') && !text.contains("file_from_url"),
        "{text}"
    );
    assert!(!answer.transient);
    assert!(f.sim.record().is_empty());
}

#[tokio::test]
async fn wrong_pkcs12_password_and_mismatched_key_are_named() {
    let f = Fixture::start(Behaviours::default()).await;
    let err = ClientIdentity::load(&IdentityFiles {
        cert: f.path("client.p12"),
        key: None,
        password: Some(SecretString::from("wrong")),
    })
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("client.p12") && err.contains("wrong certificate password"),
        "{err}"
    );
    assert!(!err.contains('\n'));

    let (other_cert, _) = f
        .pki
        .issue_client(
            "other",
            SystemTime::now(),
            SystemTime::now() + Duration::from_secs(86_400),
        )
        .unwrap();
    let cert = f.write("other-cert.pem", other_cert.as_bytes());
    let files = IdentityFiles {
        cert,
        key: Some(f.path("client-key.pem")),
        password: None,
    };
    let err = ClientIdentity::load(&files).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("{}:", f.path("client-key.pem").display()))
            && err.contains("does not match the certificate in")
            && err.contains("other-cert.pem"),
        "{err}"
    );
    assert!(!err.contains('\n'));
}

/// Runs jobs through the worker to the end; returns every event per job.
async fn run_jobs(
    client: Client,
    config: WorkerConfig,
    tasks: &[&str],
    cancel_after_first_sending: &[u64],
) -> HashMap<JobId, Vec<WorkerEvent>> {
    let (handle, mut events) = worker::spawn(Arc::new(client), config, None);
    for (n, t) in tasks.iter().enumerate() {
        handle.submit(Job {
            id: JobId(n as u64),
            task: id(t),
            params: RescanParams::default(),
        });
    }
    let mut log: HashMap<JobId, Vec<WorkerEvent>> = HashMap::new();
    let mut finished = 0;
    let mut cancelled = false;
    while finished < tasks.len() {
        let event = events.recv().await.expect("worker alive");
        if matches!(event, WorkerEvent::Sending { .. })
            && !cancelled
            && !cancel_after_first_sending.is_empty()
        {
            cancelled = true;
            for n in cancel_after_first_sending {
                handle.cancel(JobId(*n));
            }
        }
        finished += usize::from(matches!(event, WorkerEvent::Finished { .. }));
        log.entry(event.job()).or_default().push(event);
    }
    log
}

fn final_of(events: &[WorkerEvent]) -> (&Outcome, u32) {
    match events.last() {
        Some(WorkerEvent::Finished {
            outcome, attempts, ..
        }) => (outcome, *attempts),
        other => panic!("last event is not Finished: {other:?}"),
    }
}

#[tokio::test]
async fn unavailable_is_retried_after_retry_after_up_to_max_retries() {
    let f = Fixture::start(scripted(&[
        (
            "twice",
            Behaviour::Unavailable {
                times: 2,
                retry_after_secs: 1,
            },
        ),
        (
            "always",
            Behaviour::Unavailable {
                times: u32::MAX,
                retry_after_secs: 1,
            },
        ),
    ]))
    .await;
    let config = WorkerConfig {
        max_retries: 2,
        ..WorkerConfig::default()
    };
    let started = std::time::Instant::now();
    let log = run_jobs(
        Client::new(&f.settings()).unwrap(),
        config,
        &["twice", "always"],
        &[],
    )
    .await;
    let (outcome, attempts) = final_of(&log[&JobId(0)]);
    assert_eq!((outcome.label(), attempts), ("accepted", 3));
    let (outcome, attempts) = final_of(&log[&JobId(1)]);
    assert_eq!(
        (outcome.label(), attempts),
        ("error", 3),
        "max_retries=2 means 3 attempts"
    );
    for events in log.values() {
        for e in events {
            if let WorkerEvent::Retrying { delay, .. } = e {
                assert_eq!(*delay, Duration::from_secs(1), "Retry-After is honoured");
            }
        }
    }
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "two waits of Retry-After: 1 happened"
    );
    let per_task = |t: &str| {
        f.sim
            .record()
            .requests()
            .iter()
            .filter(|r| r.task_id == t)
            .count()
    };
    assert_eq!((per_task("twice"), per_task("always")), (3, 3));
}

#[tokio::test]
async fn four_xx_answers_are_never_retried() {
    let f = Fixture::start(scripted(&[
        (
            "t400",
            Behaviour::Reject {
                error: "invalid-params".into(),
                description: "no".into(),
            },
        ),
        ("t404", Behaviour::NotFound),
        ("t451", Behaviour::Legal),
    ]))
    .await;
    let mut wrong_password = f.settings();
    wrong_password.password = SecretString::from("wrong");
    let config = WorkerConfig {
        max_retries: 5,
        ..WorkerConfig::default()
    };
    let log = run_jobs(
        Client::new(&f.settings()).unwrap(),
        config.clone(),
        &["t400", "t404", "t451"],
        &[],
    )
    .await;
    let log401 = run_jobs(
        Client::new(&wrong_password).unwrap(),
        config.clone(),
        &["t401"],
        &[],
    )
    .await;
    let log403 = run_jobs(
        Client::new(&f.settings_with(None)).unwrap(),
        config,
        &["t403"],
        &[],
    )
    .await;
    for events in log.values().chain(log401.values()).chain(log403.values()) {
        assert_eq!(final_of(events).1, 1, "{events:?}");
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, WorkerEvent::Retrying { .. }))
        );
    }
    assert_eq!(f.sim.record().len(), 5);
}

#[tokio::test]
async fn cancellation_stops_queued_work() {
    let f = Fixture::with_slow("slow", Duration::from_millis(300)).await;
    let config = WorkerConfig {
        concurrency: 1,
        ..WorkerConfig::default()
    };
    let tasks = ["slow", "q1", "q2", "q3", "q4"];
    let log = run_jobs(
        Client::new(&f.settings()).unwrap(),
        config,
        &tasks,
        &[1, 2, 3, 4],
    )
    .await;
    assert_eq!(final_of(&log[&JobId(0)]).0.label(), "accepted");
    for n in 1..5 {
        let (outcome, attempts) = final_of(&log[&JobId(n)]);
        assert_eq!((outcome.label(), attempts), ("cancelled", 0));
    }
    let seen: Vec<String> = f
        .sim
        .record()
        .requests()
        .into_iter()
        .map(|r| r.task_id)
        .collect();
    assert_eq!(seen, ["slow"], "no cancelled job reached the server");
}

#[tokio::test]
async fn the_server_never_sees_more_than_concurrency_requests() {
    let f = Fixture::start(Behaviours {
        latency: Duration::from_millis(20),
        ..Behaviours::default()
    })
    .await;
    let names: Vec<String> = (0..40).map(|n| format!("c{n}")).collect();
    let tasks: Vec<&str> = names.iter().map(String::as_str).collect();
    let config = WorkerConfig {
        concurrency: 3,
        ..WorkerConfig::default()
    };
    let log = run_jobs(Client::new(&f.settings()).unwrap(), config, &tasks, &[]).await;
    assert!(log.values().all(|e| final_of(e).0.is_accepted()));
    let record = f.sim.record();
    assert_eq!(record.len(), 40);
    assert!(
        record.max_in_flight() <= 3,
        "max in flight {}",
        record.max_in_flight()
    );
    assert!(
        record.max_in_flight() >= 2,
        "requests did overlap: {}",
        record.max_in_flight()
    );
}

#[tokio::test]
async fn dropped_connections_are_retried_then_reported_as_errors() {
    let f = Fixture::start(scripted(&[("gone", Behaviour::Drop)])).await;
    let config = WorkerConfig {
        max_retries: 1,
        backoff_base: Duration::from_millis(10),
        ..WorkerConfig::default()
    };
    let log = run_jobs(Client::new(&f.settings()).unwrap(), config, &["gone"], &[]).await;
    let (outcome, attempts) = final_of(&log[&JobId(0)]);
    assert_eq!((outcome.label(), attempts), ("error", 2));
    assert!(
        !outcome.description().contains("file_from_url"),
        "no URL in errors: {}",
        outcome.description()
    );
}

#[tokio::test]
async fn failed_or_hung_is_sent_once_more_after_the_delay_and_recorded_twice() {
    let f = Fixture::start(scripted(&[("hung", Behaviour::NotFound)])).await;
    let config = WorkerConfig {
        retry_failed_or_hung_after: Some(Duration::from_millis(50)),
        ..WorkerConfig::default()
    };
    let (_dir, store, handle, mut events) = f.stored_worker(config);
    handle.submit(Job {
        id: JobId(1),
        task: id("hung"),
        params: RescanParams::default(),
    });
    let mut seen = Vec::new();
    loop {
        let event = events.recv().await.unwrap();
        let done = matches!(event, WorkerEvent::Finished { .. });
        seen.push(event);
        if done {
            break;
        }
    }
    assert!(seen.iter().any(
        |e| matches!(e, WorkerEvent::Resending { delay, .. } if *delay == Duration::from_millis(50))
    ));
    assert!(
        matches!(
            seen.last(),
            Some(WorkerEvent::Finished {
                outcome: Outcome::FailedOrHung,
                ..
            })
        ),
        "sent once more only"
    );
    assert_eq!(f.sim.record().len(), 2);
    let records = store.history(Default::default()).await.unwrap();
    assert_eq!(
        records
            .iter()
            .map(|r| r.outcome.label())
            .collect::<Vec<_>>(),
        ["failed or hung", "failed or hung"]
    );
}

#[tokio::test]
async fn cancelling_a_request_in_flight_completes_its_record_before_reporting() {
    let f = Fixture::with_slow("slow", Duration::from_secs(30)).await;
    let (_dir, store, handle, mut events) = f.stored_worker(WorkerConfig::default());
    handle.submit(Job {
        id: JobId(7),
        task: id("slow"),
        params: RescanParams::default(),
    });
    loop {
        if let WorkerEvent::Sending { .. } = events.recv().await.unwrap() {
            break;
        }
    }
    handle.cancel(JobId(7));
    loop {
        if let WorkerEvent::Finished { outcome, .. } = events.recv().await.unwrap() {
            assert_eq!(outcome, Outcome::Cancelled);
            break;
        }
    }
    let records = store.history(Default::default()).await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0].outcome.label(),
        "cancelled",
        "the record was completed before Finished was sent"
    );
    assert!(records[0].finished);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_run_is_sent_in_submission_order() {
    // Jobs are spawned together; each used to take its own slot when first
    // polled, which a multi-threaded runtime does in no particular order.
    let f = Fixture::start(Behaviours::default()).await;
    let config = WorkerConfig {
        concurrency: 1,
        ..WorkerConfig::default()
    };
    let tasks: Vec<String> = (0..40).map(|n| format!("order-{n:02}")).collect();
    let names: Vec<&str> = tasks.iter().map(String::as_str).collect();
    run_jobs(Client::new(&f.settings()).unwrap(), config, &names, &[]).await;
    let seen: Vec<String> = f
        .sim
        .record()
        .requests()
        .iter()
        .map(|r| r.task_id.clone())
        .collect();
    assert_eq!(seen, tasks, "one slot: the server sees the list order");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_run_shares_one_connection_instead_of_racing_to_open_many() {
    // The first request goes alone and opens the connection (a TLS
    // handshake with the client certificate on both sides); the rest are
    // HTTP/2 streams on it, as with `curl --parallel`. The latency makes
    // the streams overlap on the server.
    let f = Fixture::start(Behaviours {
        latency: Duration::from_millis(20),
        ..Behaviours::default()
    })
    .await;
    let config = WorkerConfig {
        concurrency: 8,
        ..WorkerConfig::default()
    };
    let tasks: Vec<String> = (0..40).map(|n| format!("shared-{n:02}")).collect();
    let names: Vec<&str> = tasks.iter().map(String::as_str).collect();
    run_jobs(Client::new(&f.settings()).unwrap(), config, &names, &[]).await;
    let record = f.sim.record();
    assert_eq!(record.count_status(200), 40);
    assert!(
        record
            .requests()
            .iter()
            .all(|r| r.http_version == "HTTP/2.0"),
        "the simulator offers HTTP/2"
    );
    assert_eq!(record.connections(), 1, "one handshake for the whole run");
    assert!(
        record.max_in_flight() > 1,
        "the rest still run side by side"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_first_request_does_not_hold_up_the_rest() {
    // The first request of a burst is lent every slot so it can open the
    // shared connection; it gives them back after a second without an
    // answer, so the rest go ahead while it hangs.
    let f = Fixture::with_slow("hangs", Duration::from_secs(120)).await;
    let config = WorkerConfig {
        concurrency: 4,
        ..WorkerConfig::default()
    };
    let (handle, mut events) = f.worker(config);
    for (n, t) in ["hangs", "a", "b", "c", "d"].iter().enumerate() {
        handle.submit(Job {
            id: JobId(n as u64),
            task: id(t),
            params: RescanParams::default(),
        });
    }
    let mut finished = Vec::new();
    while finished.len() < 4 {
        if let WorkerEvent::Finished { task, outcome, .. } =
            events.recv().await.expect("worker alive")
        {
            assert!(outcome.is_accepted(), "{task}: {outcome:?}");
            finished.push(task.to_string());
        }
    }
    finished.sort();
    assert_eq!(finished, ["a", "b", "c", "d"]);
    assert_eq!(f.sim.record().in_flight(), 1, "the first one still hangs");
}

/// `elapsed` runs from a job's first request, not from its queueing: with
/// one slot, the second job's wait behind the first is its `queued`, in
/// the event and in the history alike.
#[tokio::test]
async fn the_wait_for_a_slot_is_queued_not_elapsed() {
    let f = Fixture::start(scripted(&[
        (
            "first",
            Behaviour::Slow {
                delay: Duration::from_millis(800),
            },
        ),
        (
            "second",
            Behaviour::Slow {
                delay: Duration::from_millis(50),
            },
        ),
    ]))
    .await;
    let config = WorkerConfig {
        concurrency: 1,
        ..WorkerConfig::default()
    };
    let (_dir, store, handle, mut events) = f.stored_worker(config);
    for (n, t) in ["first", "second"].iter().enumerate() {
        handle.submit(Job {
            id: JobId(n as u64),
            task: id(t),
            params: RescanParams::default(),
        });
    }
    let mut took = HashMap::new();
    while took.len() < 2 {
        if let Some(WorkerEvent::Finished {
            job,
            queued,
            elapsed,
            ..
        }) = events.recv().await
        {
            took.insert(job, (queued, elapsed));
        }
    }
    let (queued, elapsed) = took[&JobId(1)];
    assert!(
        queued >= Duration::from_millis(800),
        "the wait behind the first job is queued: {queued:?}"
    );
    assert!(
        elapsed >= Duration::from_millis(50) && elapsed < queued,
        "its own request only: {elapsed:?} (queued {queued:?})"
    );
    let records = store
        .history(tae_rescan::store::HistoryQuery {
            task: Some("second".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        (records[0].queued_ms, records[0].elapsed_ms),
        (
            Some(queued.as_millis() as u64),
            Some(elapsed.as_millis() as u64)
        )
    );
}
