//! `[api] proxy` as a SOCKS5 proxy (`ssh -D`): the real binary goes
//! through a SOCKS server on loopback to the simulator over mutual TLS,
//! with and without a login; a refused login is one line, not a retry
//! storm; a scheme this build cannot use is refused before anything is
//! sent; the proxy password is never printed or logged; and the same
//! tunnel reaches an OpenSSL server (nginx) as well as the simulator.

mod common;
#[path = "common/nginx.rs"]
mod nginx;
#[path = "common/socks.rs"]
mod socks;

use std::path::{Path, PathBuf};

use common::{Fixture, PASSWORD, run_cli};
use socks::{SocksServer, Target};
use tae_rescan::sim::Behaviours;

const PROXY_USER: &str = "tunnel";
/// Distinctive, so that finding it anywhere in an output is a leak.
const PROXY_PASSWORD: &str = "pr0xy-s3cret-4471";

/// Runs `tae-rescan ARGS --config CONFIG` with the account password, the
/// debug log on and a data dir in the fixture; returns (code, out, err).
async fn run(f: &Fixture, config: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["--config", config.to_str().unwrap()];
    all.extend_from_slice(args);
    run_cli(
        &all,
        &[("TIP_PASSWORD", PASSWORD), ("TAE_RESCAN_LOG", "trace")],
        None,
        f.dir.path(),
    )
    .await
}

fn log_file(f: &Fixture) -> PathBuf {
    f.dir.path().join("state/tae-rescan/tae-rescan.log")
}

/// Fails if the proxy password is in any output, the log (which must exist
/// when a request was `sent`) or the history.
async fn assert_password_nowhere(f: &Fixture, config: &Path, outputs: &[&str], sent: bool) {
    for text in outputs {
        assert!(!text.contains(PROXY_PASSWORD), "leaked: {text}");
    }
    let log = std::fs::read_to_string(log_file(f)).unwrap_or_default();
    assert!(
        !sent || log.contains("PUT"),
        "the trace log was written: {log}"
    );
    assert!(!log.contains(PROXY_PASSWORD), "leaked in the log");
    let (_, history, err) = run(f, config, &["history", "--output", "json"]).await;
    assert!(!history.contains(PROXY_PASSWORD) && !err.contains(PROXY_PASSWORD));
}

/// One rescan through `proxy`; asserts it was accepted by the simulator
/// over mutual TLS and returns what the proxy was asked to connect to.
async fn accepted_through(
    f: &Fixture,
    proxy: &SocksServer,
    scheme: &str,
    login: bool,
) -> Vec<Target> {
    let login = login.then_some((PROXY_USER, PROXY_PASSWORD));
    let config = f.config_file(&format!("proxy = \"{}\"\n", proxy.url(scheme, login)));
    let (code, out, err) = run(f, &config, &["rescan", "via-socks"]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with("via-socks ") && out.contains("accepted"),
        "{out}"
    );
    let requests = f.sim.record().requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].task_id, "via-socks");
    assert_eq!(requests[0].client_cert_cn.as_deref(), Some("tae-demo"));
    assert_eq!(proxy.connections(), 1);
    assert_password_nowhere(f, &config, &[&out, &err], true).await;
    proxy.targets()
}

fn sim_port(f: &Fixture) -> u16 {
    f.sim.addr().port()
}

#[tokio::test(flavor = "multi_thread")]
async fn socks5h_hands_the_host_name_to_the_proxy() {
    let f = Fixture::start(Behaviours::default()).await;
    assert!(f.sim.base_url().starts_with("https://localhost:"));
    let proxy = SocksServer::open().await;
    let targets = accepted_through(&f, &proxy, "socks5h", false).await;
    assert_eq!(targets, [Target::Domain("localhost".into(), sim_port(&f))]);
    assert!(proxy.credentials().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn socks5h_with_a_login_sends_it_to_the_proxy() {
    let f = Fixture::start(Behaviours::default()).await;
    let proxy = SocksServer::with_login(PROXY_USER, PROXY_PASSWORD).await;
    let targets = accepted_through(&f, &proxy, "socks5h", true).await;
    assert_eq!(targets, [Target::Domain("localhost".into(), sim_port(&f))]);
    assert_eq!(
        proxy.credentials(),
        [(PROXY_USER.to_owned(), PROXY_PASSWORD.to_owned())]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn socks5_resolves_the_host_name_here() {
    let f = Fixture::start(Behaviours::default()).await;
    let proxy = SocksServer::open().await;
    let targets = accepted_through(&f, &proxy, "socks5", false).await;
    assert_eq!(
        targets,
        [Target::Ip(([127, 0, 0, 1], sim_port(&f)).into())],
        "socks5:// resolves localhost itself and sends the address"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn socks5_with_a_login_sends_it_to_the_proxy() {
    let f = Fixture::start(Behaviours::default()).await;
    let proxy = SocksServer::with_login(PROXY_USER, PROXY_PASSWORD).await;
    let targets = accepted_through(&f, &proxy, "socks5", true).await;
    assert_eq!(targets, [Target::Ip(([127, 0, 0, 1], sim_port(&f)).into())]);
    assert_eq!(
        proxy.credentials(),
        [(PROXY_USER.to_owned(), PROXY_PASSWORD.to_owned())]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_proxy_login_is_one_line_and_not_retried() {
    let f = Fixture::start(Behaviours::default()).await;
    let proxy = SocksServer::with_login(PROXY_USER, "the-right-one").await;
    let url = proxy.url("socks5h", Some((PROXY_USER, PROXY_PASSWORD)));
    let config = f.config_file(&format!("proxy = \"{url}\"\n"));
    let (code, out, err) = run(&f, &config, &["rescan", "t1"]).await;
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(out.lines().count(), 1, "{out}");
    let masked = format!("socks5h://{PROXY_USER}:***@127.0.0.1:");
    assert!(
        out.starts_with("t1 ")
            && out.contains("error")
            && out.contains(&masked)
            && out.contains("did not accept the user name and password of [api] proxy"),
        "{out}"
    );
    assert_eq!(proxy.connections(), 1, "a refused login is not retried");
    assert!(f.sim.record().is_empty());
    assert_password_nowhere(&f, &config, &[&out, &err], true).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proxy_scheme_this_build_cannot_use_is_refused_before_sending() {
    let f = Fixture::start(Behaviours::default()).await;
    let proxy = SocksServer::open().await;
    let port = proxy.url("x", None).rsplit(':').next().unwrap().to_owned();
    let login = format!("{PROXY_USER}:{PROXY_PASSWORD}");
    for (url, says) in [
        (
            format!("socks4://{login}@127.0.0.1:{port}"),
            "scheme 'socks4' is not supported; use http://, https://, socks5:// or socks5h://",
        ),
        (
            format!("socks4a://{login}@127.0.0.1:{port}"),
            "scheme 'socks4a' is not supported",
        ),
        (
            format!("ftp://{login}@127.0.0.1:{port}"),
            "scheme 'ftp' is not supported",
        ),
        (
            format!("{login}@127.0.0.1:{port}"),
            "not a proxy URL; use e.g. socks5h://",
        ),
    ] {
        let config = f.config_file(&format!("proxy = \"{url}\"\n"));
        for args in [&["rescan", "t1"][..], &["rescan", "--dry-run", "t1"]] {
            let (code, out, err) = run(&f, &config, args).await;
            assert_eq!(code, 2, "{url}: {out}{err}");
            assert!(out.is_empty(), "{out}");
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(
                err.contains(&format!("[api] proxy in {}", config.display())) && err.contains(says),
                "{url}: {err}"
            );
            assert_password_nowhere(&f, &config, &[&out, &err], false).await;
        }
    }
    assert_eq!(proxy.connections(), 0);
    assert!(f.sim.record().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_shows_the_proxy_with_its_password_masked() {
    let f = Fixture::start(Behaviours::default()).await;
    let proxy = SocksServer::with_login(PROXY_USER, PROXY_PASSWORD).await;
    let url = proxy.url("socks5h", Some((PROXY_USER, PROXY_PASSWORD)));
    let config = f.config_file(&format!("proxy = \"{url}\"\n"));
    let (code, out, err) = run(&f, &config, &["rescan", "--dry-run", "t1"]).await;
    assert_eq!(code, 0, "{out}{err}");
    let shown = url.replace(PROXY_PASSWORD, "***");
    assert!(
        out.contains(&format!("# via proxy {shown} ([api] proxy in ")),
        "{out}"
    );
    assert_eq!(proxy.connections(), 0);
    assert_password_nowhere(&f, &config, &[&out, &err], false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_proxy_is_named_in_the_error() {
    let f = Fixture::start(Behaviours::default()).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let url = format!("socks5h://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{port}");
    let config = f.config_file(&format!("proxy = \"{url}\"\n[worker]\nmax_retries = 0\n"));
    let (code, out, err) = run(&f, &config, &["rescan", "t1"]).await;
    assert_eq!(code, 1, "{out}{err}");
    let shown =
        format!("cannot go through the SOCKS proxy socks5h://{PROXY_USER}:***@127.0.0.1:{port}");
    assert!(out.starts_with("t1 ") && out.contains(&shown), "{out}");
    assert!(f.sim.record().is_empty());
    assert_password_nowhere(&f, &config, &[&out, &err], true).await;
}

/// curl, the vendor's reference client, through the same proxy: it asks
/// the proxy for the same target with the same login as we do, so the
/// proxy here speaks SOCKS the way real clients expect.
#[tokio::test(flavor = "multi_thread")]
async fn we_go_through_the_proxy_as_curl_does() {
    for scheme in ["socks5h", "socks5"] {
        let f = Fixture::start(Behaviours::default()).await;
        let proxy = SocksServer::with_login(PROXY_USER, PROXY_PASSWORD).await;
        let url = proxy.url(scheme, Some((PROXY_USER, PROXY_PASSWORD)));
        // Secrets go to curl in a config file, never in its arguments.
        let curl_cfg = f.write(
            "curl.cfg",
            format!(
                "user = \"{}:{PASSWORD}\"\nproxy = \"{url}\"\n",
                common::USER
            )
            .as_bytes(),
        );
        let status = tokio::process::Command::new("curl")
            .args(["-sS", "-o", "/dev/null", "--fail", "-K"])
            .arg(&curl_cfg)
            .arg("--cert")
            .arg(f.path("client.pem"))
            .arg("--cacert")
            .arg(f.path("ca.pem"))
            .args(["-X", "PUT", "--header", "Content-Length: 0"])
            .arg(format!(
                "{}/api/attribution/tasks/file_from_url/t1",
                f.sim.base_url()
            ))
            .stdin(std::process::Stdio::null())
            .status()
            .await
            .expect("curl is installed (it is the vendor's reference client)");
        assert!(status.success(), "curl through {scheme}");
        let config = f.config_file(&format!("proxy = \"{url}\"\n"));
        let (code, out, err) = run(&f, &config, &["rescan", "t1"]).await;
        assert_eq!(code, 0, "{out}{err}");
        let targets = proxy.targets();
        assert_eq!(targets.len(), 2, "{targets:?}");
        assert_eq!(targets[1], targets[0], "{scheme}: ours vs curl");
        let credentials = proxy.credentials();
        assert_eq!(credentials[1], credentials[0], "{scheme}: ours vs curl");
        assert_eq!(f.sim.record().requests().len(), 2);
    }
}

/// The proxy variables get the same check and the same masking as the
/// key. Only `--dry-run` here: the base URL is not loopback (the variables
/// never apply to loopback), and a dry run sends nothing anywhere.
#[tokio::test(flavor = "multi_thread")]
async fn the_proxy_variables_are_checked_and_masked_like_the_key() {
    let f = Fixture::start(Behaviours::default()).await;
    let config = f.write(
        "remote.toml",
        format!(
            "[api]\nbase_url = \"https://tip.example\"\nusername = \"{}\"\n",
            common::USER
        )
        .as_bytes(),
    );
    let cfg = config.to_str().unwrap();
    let dry_run = |var: &'static str, url: String| {
        let home = f.dir.path().to_owned();
        async move {
            let env = [("TIP_PASSWORD", PASSWORD), (var, url.as_str())];
            run_cli(
                &["--config", cfg, "rescan", "--dry-run", "t1"],
                &env,
                None,
                &home,
            )
            .await
        }
    };
    let login = format!("{PROXY_USER}:{PROXY_PASSWORD}");
    let (code, out, err) = dry_run("ALL_PROXY", format!("socks5h://{login}@127.0.0.1:1080")).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!(
            "# via proxy socks5h://{PROXY_USER}:***@127.0.0.1:1080 (ALL_PROXY)"
        )),
        "{out}"
    );
    assert!(!out.contains(PROXY_PASSWORD) && !err.contains(PROXY_PASSWORD));
    let (code, out, err) = dry_run("HTTPS_PROXY", format!("socks4://{login}@127.0.0.1:1080")).await;
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("HTTPS_PROXY: scheme 'socks4' is not supported"),
        "{err}"
    );
    assert!(!out.contains(PROXY_PASSWORD) && !err.contains(PROXY_PASSWORD));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_percent_encoded_proxy_password_reaches_the_proxy_decoded() {
    let f = Fixture::start(Behaviours::default()).await;
    let proxy = SocksServer::with_login(PROXY_USER, "p@ss:w/rd").await;
    let url = proxy
        .url("socks5h", None)
        .replace("//", &format!("//{PROXY_USER}:p%40ss%3Aw%2Frd@"));
    let config = f.config_file(&format!("proxy = \"{url}\"\n"));
    let (code, out, err) = run(&f, &config, &["rescan", "t1"]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        proxy.credentials(),
        [(PROXY_USER.to_owned(), "p@ss:w/rd".to_owned())]
    );
    for text in [&out, &err] {
        assert!(!text.contains("p%40ss") && !text.contains("p@ss"), "{text}");
    }
}

/// Through the proxy to an OpenSSL server (nginx, `ssl_verify_client on`),
/// not only to our own simulator.
#[tokio::test(flavor = "multi_thread")]
async fn socks5h_reaches_an_openssl_server_with_a_client_certificate() {
    let f = Fixture::start(Behaviours::default()).await;
    let server = nginx::Nginx::start(
        &f.pki.ca_cert_pem,
        &f.pki.server_cert_pem,
        &f.pki.server_key_pem,
    );
    let proxy = SocksServer::with_login(PROXY_USER, PROXY_PASSWORD).await;
    let text = format!(
        "[api]\nbase_url = \"{}\"\nusername = \"{}\"\nclient_cert = \"client.pem\"\nca_cert = \"ca.pem\"\nproxy = \"{}\"\n",
        server.base_url(),
        common::USER,
        proxy.url("socks5h", Some((PROXY_USER, PROXY_PASSWORD)))
    );
    let config = f.write("nginx.toml", text.as_bytes());
    let (code, out, err) = run(&f, &config, &["rescan", "via-socks"]).await;
    assert_eq!(code, 0, "{out}{err}\n{}", server.error_log());
    assert!(
        out.starts_with("via-socks ") && out.contains("accepted"),
        "{out}"
    );
    assert_eq!(
        proxy.targets(),
        [Target::Domain("localhost".into(), server.port())]
    );
    assert_eq!(
        server.requests(),
        ["PUT /api/attribution/tasks/file_from_url/via-socks HTTP/2.0 200 SUCCESS"]
    );
    assert!(f.sim.record().is_empty());
    assert_password_nowhere(&f, &config, &[&out, &err], true).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proxy_that_wants_a_login_says_so_when_none_is_set() {
    let f = Fixture::start(Behaviours::default()).await;
    let proxy = SocksServer::with_login(PROXY_USER, PROXY_PASSWORD).await;
    let url = proxy.url("socks5h", None);
    let config = f.config_file(&format!("proxy = \"{url}\"\n"));
    let (code, out, err) = run(&f, &config, &["rescan", "t1"]).await;
    assert_eq!(code, 1, "{out}{err}");
    let host_port = url.trim_start_matches("socks5h://");
    let says = format!(
        "the SOCKS proxy {url} wants a user name and password: put them in [api] proxy as socks5h://USER:PASSWORD@{host_port}"
    );
    assert!(out.starts_with("t1 ") && out.contains(&says), "{out}");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert_eq!(proxy.connections(), 1, "not retried");
    assert!(f.sim.record().is_empty());
}
