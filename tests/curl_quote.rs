//! The `y` curl command runs in a POSIX shell exactly as shown, whatever the
//! user name, certificate path or URL holds: the command goes through
//! `sh -c` (and bash) with `curl` replaced by a function that prints its
//! arguments, which must be exactly the intended ones. And the real curl,
//! given the printed command, reaches the simulator over mutual TLS (with
//! the configured CA, through a proxy, and in demo mode with the demo's
//! own certificates).

mod common;
#[path = "common/socks.rs"]
mod socks;

use std::path::PathBuf;
use std::process::Command;

use common::{Fixture, PASSWORD, USER};
use socks::SocksServer;
use tae_rescan::api::client::endpoint_url;
use tae_rescan::api::curl::{CurlSetup, curl_command};
use tae_rescan::api::params::Reveal;
use tae_rescan::api::proxy::Proxy;
use tae_rescan::api::{RescanParams, TaskId};
use tae_rescan::sim::Behaviours;
use url::Url;

/// The arguments `curl` gets when `shell` runs `command`.
fn argv_in(shell: &str, command: &str) -> Vec<String> {
    let script =
        format!("curl() {{ for a in \"$@\"; do printf '%s\\0' \"$a\"; done; }}\n{command}");
    let out = Command::new(shell)
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap_or_else(|e| panic!("{shell} is needed for this test: {e}"));
    assert!(
        out.status.success(),
        "{shell} failed on {command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut args: Vec<String> = String::from_utf8(out.stdout)
        .expect("UTF-8 arguments")
        .split('\0')
        .map(str::to_owned)
        .collect();
    assert_eq!(args.pop().as_deref(), Some(""), "NUL-terminated");
    args
}

#[test]
fn the_curl_command_is_quoted_for_any_user_path_and_url() {
    let users = [
        "analyst",
        "o'brien",
        "a b $HOME `id` \"q\" \\ %s %% *",
        "new\nline",
        "trailing newline\n",
        "esc\u{1b}[31m red \u{7} bell\r\t",
        "bidi \u{202e}txt.exe",
        "",
        "-u",
    ];
    let paths = [
        "/home/o'brien/my certs/tip.pem",
        "/tmp/$(touch pwned)`id`;rm -rf x",
        "/tmp/new\nline.pem\n",
        "-cert.pem",
    ];
    let bases = [
        "https://tip.example/",
        "https://tip.example/o'path/$x/",
        "https://tip.example:8443/a%27b/",
    ];
    let task = TaskId::parse("task-1").unwrap();
    let params = RescanParams::default();
    for (n, user) in users.iter().enumerate() {
        let path = PathBuf::from(paths[n % paths.len()]);
        let base = Url::parse(bases[n % bases.len()]).unwrap();
        let url = endpoint_url(&base, &task, &params, Reveal::Masked).to_string();
        let setup = CurlSetup {
            cert: Some(path.clone()),
            ..Default::default()
        };
        let command = curl_command(&base, user, &setup, &task, &params);
        assert!(
            !command
                .chars()
                .any(|c| c.is_control() || tae_rescan::text::is_format_char(c)),
            "safe to draw: {command:?}"
        );
        let expected = [
            "-u",
            user,
            "--cert",
            path.to_str().unwrap(),
            "-X",
            "PUT",
            "--header",
            "Content-Length: 0",
            &url,
        ];
        for shell in ["sh", "bash"] {
            assert_eq!(argv_in(shell, &command), expected, "{shell}: {command}");
        }
    }
}

#[test]
fn ordinary_values_give_the_plain_command() {
    let base = Url::parse("https://tip.example/").unwrap();
    let task = TaskId::parse("t-1").unwrap();
    let setup = CurlSetup {
        cert: Some(PathBuf::from("/home/ana/tip.pem")),
        ..Default::default()
    };
    assert_eq!(
        curl_command(&base, "ana", &setup, &task, &RescanParams::default()),
        "curl -u 'ana' --cert '/home/ana/tip.pem' -X PUT --header 'Content-Length: 0' 'https://tip.example/api/attribution/tasks/file_from_url/t-1'"
    );
}

#[test]
fn the_ca_the_key_a_pkcs12_file_and_the_proxy_are_in_the_command() {
    let base = Url::parse("https://tip.example/").unwrap();
    let task = TaskId::parse("t-1").unwrap();
    let proxy = Proxy::parse("http://tunnel:s3cret@proxy.example:3128")
        .unwrap()
        .with_no_proxy(Some("intra.example".into()));
    let setup = CurlSetup {
        cert: Some(PathBuf::from("/home/ana/tip.p12")),
        key: Some(PathBuf::from("/home/ana/key.pem")),
        ca_cert: Some(PathBuf::from("/etc/ssl/corp-ca.pem")),
        proxy: Some(proxy),
    };
    assert!(setup.lacks_proxy_password());
    let command = curl_command(&base, "ana", &setup, &task, &RescanParams::default());
    assert_eq!(
        argv_in("sh", &command),
        [
            "-u",
            "ana",
            "--cert-type",
            "P12",
            "--cert",
            "/home/ana/tip.p12",
            "--key",
            "/home/ana/key.pem",
            "--cacert",
            "/etc/ssl/corp-ca.pem",
            "--proxy",
            "http://tunnel@proxy.example:3128",
            "--noproxy",
            "intra.example",
            "-X",
            "PUT",
            "--header",
            "Content-Length: 0",
            "https://tip.example/api/attribution/tasks/file_from_url/t-1",
        ]
    );
    assert!(!command.contains("s3cret"), "{command}");
}

/// Runs the printed command in `sh` with the real curl; the account's
/// password, which curl would ask for on the terminal, is added to `-u`.
fn run_with_curl(command: &str, user: &str, password: &str) -> String {
    let shown = format!("curl -u '{user}' ");
    assert!(command.contains(&shown), "{command}");
    let command = command.replace(&shown, &format!("curl -sS -u '{user}:{password}' "));
    let out = Command::new("sh")
        .arg("-c")
        .arg(&command)
        .output()
        .expect("sh and curl are needed for this test");
    assert!(
        out.status.success(),
        "{command}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 answer")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_printed_command_reaches_the_simulator_with_the_ca_and_through_a_proxy() {
    let f = Fixture::start(Behaviours::default()).await;
    let proxy = SocksServer::open().await;
    let task = TaskId::parse("by-curl").unwrap();
    let direct = CurlSetup {
        cert: Some(f.path("client.pem")),
        ca_cert: Some(f.path("ca.pem")),
        ..Default::default()
    };
    let proxied = CurlSetup {
        proxy: Some(Proxy::parse(&proxy.url("socks5h", None)).unwrap()),
        ..direct.clone()
    };
    for setup in [direct, proxied] {
        let command = curl_command(&f.base_url(), USER, &setup, &task, &RescanParams::default());
        let body = tokio::task::spawn_blocking(move || run_with_curl(&command, USER, PASSWORD))
            .await
            .unwrap();
        assert!(
            body.contains("\"task_id\"") && body.contains("by-curl"),
            "{body}"
        );
    }
    let requests = f.sim.record().requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests
            .iter()
            .all(|r| r.task_id == "by-curl" && r.client_cert_cn.as_deref() == Some("tae-demo")),
        "{requests:?}"
    );
    assert_eq!(proxy.connections(), 1, "the second went through the proxy");
}

#[tokio::test(flavor = "multi_thread")]
async fn in_demo_mode_the_command_names_the_demo_certificates_on_disk() {
    let demo = tae_rescan::demo::start().await.unwrap();
    let setup = demo.curl_setup();
    for file in [&setup.cert, &setup.ca_cert] {
        assert!(file.as_ref().is_some_and(|p| p.is_file()), "{setup:?}");
    }
    let task = TaskId::parse("demo-by-curl").unwrap();
    let command = curl_command(
        &demo.settings.base_url,
        tae_rescan::demo::DEMO_USER,
        &setup,
        &task,
        &RescanParams::default(),
    );
    let run = command.clone();
    let body = tokio::task::spawn_blocking(move || run_with_curl(&run, "demo", "demo"))
        .await
        .unwrap();
    assert!(body.contains("demo-by-curl"), "{body}");
    assert_eq!(demo.sim.record().requests().len(), 1);
    let dir = setup.cert.unwrap().parent().unwrap().to_owned();
    drop(demo);
    assert!(!dir.exists(), "the demo's files go with it");
}
