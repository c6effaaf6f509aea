//! End-to-end tests of the simulator with a real client (reqwest, rustls).

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use tae_rescan::sim::{self, Behaviour, Behaviours, Pki, SimConfig, SimError, SimHandle};

const ROUTE: &str = "/api/attribution/tasks/file_from_url/";
const DAY: Duration = Duration::from_secs(24 * 3600);

/// A TLS simulator with `per_task` behaviours, and its PKI.
async fn tls_sim(per_task: &[(&str, &str)]) -> (SimHandle, Pki) {
    let pki = Pki::generate().expect("pki");
    let mut behaviours = Behaviours::default();
    for (id, spec) in per_task {
        behaviours
            .per_task
            .insert((*id).into(), spec.parse().expect("spec"));
    }
    let cfg = SimConfig {
        tls: Some(pki.clone()),
        behaviours,
        ..SimConfig::default()
    };
    (sim::start(cfg).await.expect("start"), pki)
}

/// A reqwest builder with the crypto provider the binary installs (ring,
/// the only one built in) in place.
fn builder() -> reqwest::ClientBuilder {
    tae_rescan::api::client::install_crypto_provider();
    reqwest::Client::builder()
}

/// A client trusting only the simulator CA, pinned to its address, with an
/// optional identity (combined PEM).
fn client(sim: &SimHandle, pki: &Pki, identity: Option<&str>, http1_only: bool) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(pki.ca_cert_pem.as_bytes()).expect("ca");
    let mut b = builder()
        .no_proxy()
        .tls_certs_only([ca])
        .resolve("localhost", sim.addr());
    if let Some(pem) = identity {
        b = b.identity(reqwest::Identity::from_pem(pem.as_bytes()).expect("identity"));
    }
    if http1_only {
        b = b.http1_only();
    }
    b.build().expect("client")
}

fn mtls(sim: &SimHandle, pki: &Pki) -> reqwest::Client {
    client(sim, pki, Some(&pki.client_combined_pem()), false)
}

/// The rescan call as tae-rescan sends it: PUT, basic auth, Content-Length 0.
fn put(
    c: &reqwest::Client,
    sim: &SimHandle,
    id: &str,
    query: &[(&str, &str)],
) -> reqwest::RequestBuilder {
    c.put(format!("{}{ROUTE}{id}", sim.base_url()))
        .query(query)
        .basic_auth("demo", Some("demo"))
        .header(reqwest::header::CONTENT_LENGTH, "0")
}

async fn json(resp: reqwest::Response) -> serde_json::Value {
    resp.json().await.expect("json body")
}

/// The error and all its sources, for asserting on causes.
fn chain(e: &reqwest::Error) -> String {
    let mut out = e.to_string();
    let mut cur: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = cur {
        out.push_str(" / ");
        out.push_str(&s.to_string());
        cur = s.source();
    }
    out
}

#[tokio::test]
async fn accepted_put_over_mutual_tls_records_identity_query_and_auth() {
    let (sim, pki) = tls_sim(&[]).await;
    let c = mtls(&sim, &pki);
    let q = [
        ("file_ext", "exe"),
        ("processing_type", "exec-only"),
        ("unpack", "true"),
    ];
    let resp = put(&c, &sim, "tae-2026-000123", &q)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    let body = json(resp).await;
    assert_eq!(body["task_id"], "tae-2026-000123");
    assert_eq!(body["status"], "queued");

    let reqs = sim.record().requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, "PUT");
    assert_eq!(r.path, format!("{ROUTE}tae-2026-000123"));
    assert_eq!(r.task_id, "tae-2026-000123");
    assert_eq!(r.client_cert_cn.as_deref(), Some("tae-demo"));
    assert_eq!(
        r.raw_query.as_deref(),
        Some("file_ext=exe&processing_type=exec-only&unpack=true")
    );
    let expected: Vec<(String, String)> = q
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(r.query, expected);
    assert_eq!(r.content_length.as_deref(), Some("0"));
    assert_eq!(r.user.as_deref(), Some("demo"));
    assert_eq!(r.authorization.as_deref(), Some("Basic ZGVtbzpkZW1v"));
    assert!(
        r.user_agent.is_none(),
        "reqwest sends no User-Agent unless told"
    );
    assert_eq!(
        r.http_version, "HTTP/2.0",
        "ALPN offers h2 and reqwest takes it"
    );
    assert_eq!(r.status, Some(200));
    assert_eq!(sim.record().count_status(200), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn percent_encoded_ids_and_http1_are_recorded_decoded() {
    let (sim, pki) = tls_sim(&[]).await;
    let c = client(&sim, &pki, Some(&pki.client_combined_pem()), true);
    let resp = put(&c, &sim, "a%2Eb", &[("url", "https://example.com/x y.zip")])
        .header(reqwest::header::USER_AGENT, "tae-rescan/test")
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    let r = &sim.record().requests()[0];
    assert_eq!(r.path, format!("{ROUTE}a%2Eb"));
    assert_eq!(r.task_id, "a.b");
    assert_eq!(
        r.query,
        vec![("url".to_string(), "https://example.com/x y.zip".to_string())]
    );
    assert_eq!(r.http_version, "HTTP/1.1");
    assert_eq!(r.user_agent.as_deref(), Some("tae-rescan/test"));
    sim.shutdown().await;
}

#[tokio::test]
async fn no_client_certificate_gets_403() {
    let (sim, pki) = tls_sim(&[]).await;
    let c = client(&sim, &pki, None, false);
    let resp = put(&c, &sim, "t1", &[])
        .send()
        .await
        .expect("handshake completes");
    assert_eq!(resp.status(), 403);
    let body = json(resp).await;
    assert_eq!(body["error"], "forbidden");
    assert!(
        body["description"]
            .as_str()
            .unwrap_or("")
            .contains("client certificate is required")
    );
    let r = &sim.record().requests()[0];
    assert_eq!((r.client_cert_cn.as_deref(), r.status), (None, Some(403)));
    sim.shutdown().await;
}

/// The benchmarking listener: a client without a certificate is served
/// there exactly as if it had the simulator's (auth and validation
/// included), while the main port still answers it 403; one record; the
/// shutdown closes both.
#[tokio::test]
async fn no_cert_listener_serves_certless_clients_as_the_simulator_client() {
    let pki = Pki::generate().expect("pki");
    let sim = sim::start(SimConfig {
        tls: Some(pki.clone()),
        no_cert_addr: Some("127.0.0.1:0".parse().expect("addr")),
        ..SimConfig::default()
    })
    .await
    .expect("start");
    let no_cert = sim.no_cert_addr().expect("no-cert listener");
    assert_ne!(no_cert.port(), sim.addr().port());
    let no_cert_url = sim.no_cert_base_url().expect("no-cert URL");
    assert_eq!(no_cert_url, format!("https://localhost:{}", no_cert.port()));
    let c = client(&sim, &pki, None, true);
    let send = |base: &str, id: &str, password: &str| {
        c.put(format!("{base}{ROUTE}{id}"))
            .basic_auth("demo", Some(password))
            .header(reqwest::header::CONTENT_LENGTH, "0")
            .send()
    };
    let ok = send(&no_cert_url, "t1", "demo").await.expect("send");
    assert_eq!(ok.status(), 200);
    assert_eq!(json(ok).await["task_id"], "t1");
    let main = sim.base_url();
    assert_eq!(send(&main, "t2", "demo").await.expect("send").status(), 403);
    let wrong = send(&no_cert_url, "t3", "nope").await.expect("send");
    assert_eq!(wrong.status(), 401);
    let invalid = send(&no_cert_url, "bad%20id", "demo").await.expect("send");
    assert_eq!(invalid.status(), 400);

    let seen: Vec<_> = sim
        .record()
        .requests()
        .into_iter()
        .map(|r| (r.task_id, r.client_cert_cn, r.status))
        .collect();
    let demo = || Some("tae-demo".to_owned());
    assert_eq!(
        seen,
        vec![
            ("t1".into(), demo(), Some(200)),
            ("t2".into(), None, Some(403)),
            ("t3".into(), demo(), Some(401)),
            ("bad id".into(), demo(), Some(400)),
        ]
    );
    sim.shutdown().await;
    assert!(
        tokio::net::TcpStream::connect(no_cert).await.is_err(),
        "the no-cert listener is closed by the shutdown"
    );
}

#[tokio::test]
async fn no_cert_listener_is_refused_off_loopback_and_without_tls() {
    let off_loopback = SimConfig {
        tls: Some(Pki::generate().expect("pki")),
        no_cert_addr: Some("0.0.0.0:0".parse().expect("addr")),
        ..SimConfig::default()
    };
    let err = sim::start(off_loopback).await.expect_err("non-loopback");
    assert!(matches!(err, SimError::NoCertNotLoopback { .. }), "{err}");
    assert!(err.to_string().contains("0.0.0.0:0"), "{err}");
    let plain = SimConfig {
        no_cert_addr: Some("127.0.0.1:0".parse().expect("addr")),
        ..SimConfig::default()
    };
    let err = sim::start(plain).await.expect_err("plain HTTP");
    assert!(matches!(err, SimError::NoCertWithoutTls), "{err}");
}

#[tokio::test]
async fn certificate_from_another_ca_is_refused_by_a_tls_alert() {
    let (sim, pki) = tls_sim(&[]).await;
    let stranger = Pki::generate().expect("other pki");
    let c = client(&sim, &pki, Some(&stranger.client_combined_pem()), false);
    let err = put(&c, &sim, "t1", &[])
        .send()
        .await
        .expect_err("must fail");
    let causes = chain(&err);
    assert!(causes.contains("alert"), "{causes}");
    assert!(sim.record().requests().iter().all(|r| r.status.is_none()));
    sim.shutdown().await;
}

#[tokio::test]
async fn issued_certificates_work_and_expired_ones_are_refused() {
    let (sim, pki) = tls_sim(&[]).await;
    let now = SystemTime::now();
    let (cert, key) = pki
        .issue_client("analyst-2", now - DAY, now + DAY)
        .expect("issue");
    let c = client(&sim, &pki, Some(&format!("{cert}{key}")), false);
    assert_eq!(
        put(&c, &sim, "t1", &[])
            .send()
            .await
            .expect("send")
            .status(),
        200
    );
    assert_eq!(
        sim.record().requests()[0].client_cert_cn.as_deref(),
        Some("analyst-2")
    );

    let (cert, key) = pki
        .issue_client("old", now - 10 * DAY, now - DAY)
        .expect("issue expired");
    let c = client(&sim, &pki, Some(&format!("{cert}{key}")), false);
    let err = put(&c, &sim, "t1", &[])
        .send()
        .await
        .expect_err("expired must fail");
    assert!(chain(&err).contains("alert"), "{}", chain(&err));
    assert_eq!(sim.record().len(), 1);
    assert!(
        pki.issue_client("x", now, now - DAY).is_err(),
        "inverted validity is refused"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn missing_or_wrong_basic_auth_gets_401_with_challenge() {
    let (sim, pki) = tls_sim(&[]).await;
    let c = mtls(&sim, &pki);
    let url = format!("{}{ROUTE}t1", sim.base_url());
    let wrong = c
        .put(&url)
        .basic_auth("demo", Some("nope"))
        .header("content-length", "0");
    let missing = c.put(&url).header("content-length", "0");
    for req in [wrong, missing] {
        let resp = req.send().await.expect("send");
        assert_eq!(resp.status(), 401);
        assert_eq!(resp.headers()["www-authenticate"], "Basic realm=\"TIP\"");
    }
    let users: Vec<_> = sim
        .record()
        .requests()
        .into_iter()
        .map(|r| r.user)
        .collect();
    assert_eq!(users, vec![Some("demo".to_string()), None]);
    sim.shutdown().await;
}

#[tokio::test]
async fn every_validation_rule_answers_400_invalid_params() {
    let (sim, pki) = tls_sim(&[]).await;
    let c = mtls(&sim, &pki);
    let long = "a".repeat(129);
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (&long, vec![], "task_id"),
        ("a%20b", vec![], "task_id"),
        ("t", vec![("exec_env", "win10")], "exec_env"),
        (
            "t",
            vec![("unpack", "true"), ("unpack", "true")],
            "more than once",
        ),
        ("t", vec![("file_ext", "abcdefghijk")], "file_ext"),
        ("t", vec![("file_ext", "")], "file_ext"),
        ("t", vec![("file_ext", ".exe")], "dot"),
        ("t", vec![("file_ext", "e\tx")], "file_ext"),
        ("t", vec![("processing_type", "run")], "processing_type"),
        ("t", vec![("unzip_password", "infected")], "unzip_password"),
        (
            "t",
            vec![("processing_type", "exec-only"), ("unzip_password", "x")],
            "unzip_password",
        ),
        (
            "t",
            vec![("reset_similarity_thresholds", "1")],
            "reset_similarity_thresholds",
        ),
        ("t", vec![("unpack", "TRUE")], "unpack"),
        ("t", vec![("url", "ftp://example.com/a")], "url"),
        ("t", vec![("url", "/relative/a.exe")], "url"),
    ];
    for (id, query, needle) in &cases {
        let resp = put(&c, &sim, id, query).send().await.expect("send");
        assert_eq!(resp.status(), 400, "{id} {query:?}");
        let body = json(resp).await;
        assert_eq!(body["error"], "invalid-params");
        let description = body["description"].as_str().unwrap_or_default();
        assert!(
            description.contains(needle),
            "{description} should mention {needle}"
        );
    }
    let with_body = c
        .put(format!("{}{ROUTE}t", sim.base_url()))
        .basic_auth("demo", Some("demo"));
    let resp = with_body.body("x").send().await.expect("send with body");
    assert_eq!(resp.status(), 400);
    assert!(
        json(resp).await["description"]
            .as_str()
            .unwrap_or_default()
            .contains("body")
    );
    let good = [
        ("processing_type", "unzip-and-exec"),
        ("unzip_password", "infected"),
    ];
    assert_eq!(
        put(&c, &sim, "t", &good)
            .send()
            .await
            .expect("send")
            .status(),
        200
    );
    assert_eq!(sim.record().count_status(400), cases.len() + 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn wrong_method_and_unknown_route_are_refused_first() {
    let (sim, pki) = tls_sim(&[]).await;
    let c = mtls(&sim, &pki);
    let resp = c
        .post(format!("{}{ROUTE}t1", sim.base_url()))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 405);
    assert_eq!(resp.headers()["allow"], "PUT");
    let resp = c
        .put(format!("{}/api/other/t1", sim.base_url()))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 404);
    assert_eq!(json(resp).await["error"], "not-found");
    sim.shutdown().await;
}

#[tokio::test]
async fn scripted_behaviours_answer_like_the_vendor() {
    let (sim, pki) = tls_sim(&[
        ("gone", "404"),
        ("legal", "451"),
        ("busy", "503x2:retry-after=3"),
        ("renamed", "new-id"),
        ("big", "400:too-large-file"),
        ("boom", "status:500"),
    ])
    .await;
    let c = mtls(&sim, &pki);
    let send = |id: &'static str| put(&c, &sim, id, &[]).send();

    let resp = send("gone").await.expect("404");
    assert_eq!(resp.status(), 404);
    assert!(
        json(resp).await["description"]
            .as_str()
            .unwrap_or_default()
            .contains("failed or hung")
    );
    let resp = send("legal").await.expect("451");
    assert_eq!(resp.status(), 451);
    assert!(resp.bytes().await.expect("body").is_empty());
    for _ in 0..2 {
        let resp = send("busy").await.expect("503");
        assert_eq!(resp.status(), 503);
        assert_eq!(resp.headers()["retry-after"], "3");
    }
    assert_eq!(send("busy").await.expect("then 200").status(), 200);
    let body = json(send("renamed").await.expect("new id")).await;
    assert_eq!(body["parent_task_id"], "renamed");
    assert_ne!(body["task_id"], "renamed");
    assert!(
        body["task_id"]
            .as_str()
            .unwrap_or_default()
            .starts_with("renamed-r")
    );
    assert_eq!(
        json(send("big").await.expect("400")).await["error"],
        "too-large-file"
    );
    assert_eq!(send("boom").await.expect("500").status(), 500);
    assert_eq!(sim.record().count_status(503), 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn drop_closes_the_connection_without_an_answer() {
    let (sim, pki) = tls_sim(&[("dropme", "drop")]).await;
    for http1_only in [true, false] {
        let c = client(&sim, &pki, Some(&pki.client_combined_pem()), http1_only);
        // HTTP/1.1: the socket closes without close_notify; HTTP/2: the
        // stream is reset (INTERNAL_ERROR) and the connection stays up.
        let err = put(&c, &sim, "dropme", &[])
            .send()
            .await
            .expect_err("dropped");
        assert!(err.status().is_none(), "{}", chain(&err));
        // the same client recovers on a fresh request
        assert_eq!(
            put(&c, &sim, "ok", &[])
                .send()
                .await
                .expect("after drop")
                .status(),
            200
        );
    }
    let statuses: Vec<_> = sim
        .record()
        .requests()
        .into_iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, vec![None, Some(200), None, Some(200)]);
    sim.shutdown().await;
}

#[tokio::test]
async fn in_flight_gauge_and_shutdown_drop_pending_requests() {
    let (sim, pki) = tls_sim(&[("slow", "slow:60s")]).await;
    let c = mtls(&sim, &pki);
    let pending: Vec<_> = (0..4)
        .map(|_| tokio::spawn(put(&c, &sim, "slow", &[]).send()))
        .collect();
    let record = sim.record();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while record.in_flight() < 4 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "requests never arrived"
        );
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(record.max_in_flight(), 4);
    sim.shutdown().await;
    for p in pending {
        assert!(
            p.await.expect("join").is_err(),
            "shutdown drops pending requests"
        );
    }
    assert_eq!(record.in_flight(), 0);
    assert_eq!(record.len(), 4);
    assert!(record.requests().iter().all(|r| r.status.is_none()));
}

#[tokio::test]
async fn plain_http_works_on_loopback_and_is_refused_elsewhere() {
    let sim = sim::start(SimConfig::default()).await.expect("plain start");
    assert!(sim.base_url().starts_with("http://127.0.0.1:"));
    let c = builder().no_proxy().build().expect("client");
    let resp = put(&c, &sim, "t1", &[]).send().await.expect("send");
    assert_eq!(resp.status(), 200, "no 403 without TLS");
    assert_eq!(sim.record().requests()[0].client_cert_cn, None);
    sim.shutdown().await;

    let cfg = SimConfig {
        addr: "0.0.0.0:0".parse().expect("addr"),
        ..SimConfig::default()
    };
    let err = sim::start(cfg).await.expect_err("non-loopback plain HTTP");
    assert!(matches!(err, SimError::PlainNotLoopback { .. }));
    assert!(err.to_string().contains("0.0.0.0:0"), "{err}");
}

#[tokio::test]
async fn load_or_create_writes_private_files_then_reuses_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tls = dir.path().join("tls");
    let (first, created) = Pki::load_or_create(&tls).expect("create");
    assert!(created);
    let (second, created) = Pki::load_or_create(&tls).expect("reuse");
    assert!(!created);
    assert_eq!(first.ca_cert_pem, second.ca_cert_pem);
    assert_eq!(first.client_p12, second.client_p12);
    assert_eq!(first.client_p12_password, second.client_p12_password);
    let combined = std::fs::read_to_string(tls.join("client.pem")).expect("client.pem");
    assert_eq!(combined, first.client_combined_pem());
    #[cfg(unix)]
    for (name, mode) in [
        ("ca-key.pem", 0o600),
        ("client.pem", 0o600),
        ("client.p12.password", 0o600),
        ("ca.pem", 0o644),
    ] {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(tls.join(name)).expect(name);
        assert_eq!(meta.permissions().mode() & 0o777, mode, "{name}");
    }

    // the reused files really serve and authenticate
    let sim = sim::start(SimConfig {
        tls: Some(second),
        ..SimConfig::default()
    })
    .await
    .expect("start");
    let c = client(&sim, &first, Some(&combined), false);
    assert_eq!(
        put(&c, &sim, "t1", &[])
            .send()
            .await
            .expect("send")
            .status(),
        200
    );
    sim.shutdown().await;

    // a damaged file is reported by name, not silently replaced
    std::fs::write(tls.join("server-key.pem"), "junk").expect("damage");
    let err = Pki::load_or_create(&tls).expect_err("damaged key");
    assert!(err.to_string().contains("server-key.pem"), "{err}");

    // a missing file means a fresh set
    std::fs::remove_file(tls.join("server.pem")).expect("rm");
    let (third, created) = Pki::load_or_create(&tls).expect("recreate");
    assert!(created);
    assert_ne!(third.ca_cert_pem, first.ca_cert_pem);
}

#[test]
fn p12_reads_back_with_the_password_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (pki, _) = Pki::load_or_create(dir.path()).expect("create");
    let bytes = std::fs::read(dir.path().join("client.p12")).expect("p12");
    let password =
        std::fs::read_to_string(dir.path().join("client.p12.password")).expect("password");
    let store = p12_keystore::KeyStore::from_pkcs12(
        &bytes,
        password.trim(),
        p12_keystore::Pkcs12ImportPolicy::Strict,
    )
    .expect("p12 opens with the password file");
    let (_, chain) = store.private_key_chain().expect("key chain");
    let leaf = pem::parse(&pki.client_cert_pem).expect("pem");
    assert_eq!(chain.certs()[0].as_der(), leaf.contents());
    assert!(chain.certs().len() >= 2, "the CA travels with the leaf");
    let key = pem::parse(&pki.client_key_pem).expect("key pem");
    assert_eq!(chain.key().as_der(), key.contents());
    assert!(
        p12_keystore::KeyStore::from_pkcs12(
            &bytes,
            "wrong",
            p12_keystore::Pkcs12ImportPolicy::Strict
        )
        .is_err()
    );
}

#[tokio::test]
async fn demo_tasks_drive_the_simulator() {
    let tasks = sim::demo_tasks();
    let mut behaviours = Behaviours::from_demo_tasks(&tasks);
    // keep this test fast: no waiting on the slow task
    behaviours
        .per_task
        .retain(|_, b| !matches!(b, Behaviour::Slow { .. }));
    let sim = sim::start(SimConfig {
        behaviours,
        ..SimConfig::default()
    })
    .await
    .expect("start");
    let c = builder().no_proxy().build().expect("client");
    let expected: HashMap<&str, u16> = [
        ("tae-2026-000241", 451),
        ("c07e6d3b1a2f48e59c8d7b4a3e2f1d06", 404),
    ]
    .into();
    for t in tasks
        .iter()
        .filter(|t| !matches!(t.behaviour, Behaviour::Drop | Behaviour::Slow { .. }))
    {
        let resp = put(&c, &sim, &t.id, &[("url", &t.url)])
            .send()
            .await
            .expect("send");
        let want = match &t.behaviour {
            Behaviour::Reject { .. } => 400,
            Behaviour::Unavailable { .. } => 503,
            _ => expected.get(t.id.as_str()).copied().unwrap_or(200),
        };
        assert_eq!(resp.status(), want, "{} ({})", t.id, t.behaviour);
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shares_apply_to_unscripted_tasks_under_load() {
    let behaviours = Behaviours {
        shares: "404=0.2,drop=0.2".parse().expect("shares"),
        ..Behaviours::default()
    };
    let cfg = SimConfig {
        behaviours,
        ..SimConfig::default()
    };
    let sim = sim::start(cfg).await.expect("start");
    let c = builder().no_proxy().build().expect("client");
    let mut set = tokio::task::JoinSet::new();
    for i in 0..500 {
        set.spawn(put(&c, &sim, &format!("load-{i}"), &[]).send());
    }
    let mut answered = 0;
    while let Some(res) = set.join_next().await {
        answered += usize::from(res.expect("join").is_ok());
    }
    let record = sim.record();
    assert_eq!(record.len(), 500);
    let dropped = record
        .requests()
        .iter()
        .filter(|r| r.status.is_none())
        .count();
    assert_eq!(answered, 500 - dropped);
    // binomial(500, 0.2): mean 100, sd ~9; these bounds are > 5 sd wide
    for n in [record.count_status(404), dropped] {
        assert!((50..150).contains(&n), "{n} of 500");
    }
    assert!(record.max_in_flight() >= 1);
    assert_eq!(record.in_flight(), 0);
    sim.shutdown().await;
}
