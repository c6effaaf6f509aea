//! Certificates that expire, expired ones, and a proxy on the way.

mod common;

use std::time::{Duration, SystemTime};

use common::{Fixture, PASSWORD, run_cli};
use tae_rescan::sim::Behaviours;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

fn env() -> Vec<(&'static str, &'static str)> {
    vec![("TIP_PASSWORD", PASSWORD)]
}

/// A config whose client certificate (issued by the simulator's CA) is valid
/// from `from` to `until`.
fn config_with_cert(
    f: &Fixture,
    name: &str,
    from: SystemTime,
    until: SystemTime,
) -> std::path::PathBuf {
    let (cert, key) = f.pki.issue_client("tae-demo", from, until).unwrap();
    f.write(&format!("{name}.pem"), format!("{cert}{key}").as_bytes());
    let text = format!(
        "[api]\nbase_url = \"{}\"\nusername = \"analyst\"\nclient_cert = \"{name}.pem\"\nca_cert = \"ca.pem\"\n",
        f.sim.base_url()
    );
    f.write(&format!("{name}.toml"), text.as_bytes())
}

const DAY: Duration = Duration::from_secs(86_400);

/// `rescan --config CONFIG ID` against the fixture: exit code, stdout,
/// stderr.
async fn rescan_one(f: &Fixture, config: &std::path::Path, id: &str) -> (i32, String, String) {
    let config = config.to_str().unwrap();
    run_cli(
        &["rescan", "--config", config, id],
        &env(),
        None,
        f.dir.path(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_certificate_expiring_within_14_days_is_warned_about() {
    let f = Fixture::start(Behaviours::default()).await;
    let now = SystemTime::now();
    // Five and a half days, a day and a half, half a day: the whole days
    // left, in words.
    for (name, until, left) in [
        ("soon", now + 5 * DAY + DAY / 2, "(5 days left)"),
        ("sooner", now + DAY + DAY / 2, "(1 day left)"),
        ("today", now + DAY / 2, "(less than a day left)"),
    ] {
        let soon = config_with_cert(&f, name, now - DAY, until);
        let (code, out, err) = rescan_one(&f, &soon, "t1").await;
        assert_eq!(code, 0, "{out}{err}");
        assert!(
            err.contains("warning: the client certificate (CN=tae-demo) expires on")
                && err.contains(&format!(" {left}: renew it on the portal")),
            "{name}: {err}"
        );
    }
    let later = config_with_cert(&f, "later", now - DAY, now + 60 * DAY);
    let (code, _, err) = rescan_one(&f, &later, "t2").await;
    assert_eq!(code, 0);
    assert!(!err.contains("warning"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_certificate_is_refused_before_sending() {
    let f = Fixture::start(Behaviours::default()).await;
    let now = SystemTime::now();
    let expired = config_with_cert(&f, "expired", now - 30 * DAY, now - DAY);
    let (code, out, err) = rescan_one(&f, &expired, "t1").await;
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("expired.pem expired on") && err.contains("renew"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
    assert!(f.sim.record().is_empty());
}

/// A minimal HTTP CONNECT proxy on loopback that remembers where it was
/// asked to connect.
async fn connect_proxy() -> (u16, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (seen_tx, seen_rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let seen = seen_tx.clone();
            tokio::spawn(async move {
                let mut client = BufReader::new(client);
                let mut request = String::new();
                client.read_line(&mut request).await.ok()?;
                loop {
                    let mut header = String::new();
                    client.read_line(&mut header).await.ok()?;
                    if header == "\r\n" || header.is_empty() {
                        break;
                    }
                }
                let target = request.split_whitespace().nth(1)?.to_owned();
                let _ = seen.send(request.trim().to_owned());
                let mut upstream =
                    tokio::net::TcpStream::connect(target.replace("localhost", "127.0.0.1"))
                        .await
                        .ok()?;
                let mut client = client.into_inner();
                client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await
                    .ok()?;
                tokio::io::copy_bidirectional(&mut client, &mut upstream)
                    .await
                    .ok()?;
                Some(())
            });
        }
    });
    (port, seen_rx)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_configured_proxy_is_used() {
    let f = Fixture::start(Behaviours::default()).await;
    let (port, mut seen) = connect_proxy().await;
    let config = f.config_file(&format!("proxy = \"http://127.0.0.1:{port}\"\n"));
    let (code, out, err) = run_cli(
        &["rescan", "--config", config.to_str().unwrap(), "via-proxy"],
        &env(),
        None,
        f.dir.path(),
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    let request = seen.recv().await.unwrap();
    assert_eq!(
        request,
        format!("CONNECT localhost:{} HTTP/1.1", f.sim.addr().port())
    );
    assert_eq!(f.sim.record().requests()[0].task_id, "via-proxy");
}
