//! Our request on the wire equals the vendor's documented curl call:
//! `curl -u <user> --cert <file> -X PUT --header 'Content-Length: 0' URL`,
//! both sent to the simulator, which records what it received.

mod common;

use std::process::Stdio;

use common::{Fixture, PASSWORD, USER};
use tae_rescan::api::{Client, ProcessingType, RescanParams, TaskId};
use tae_rescan::sim::{Behaviours, RecordedRequest};

/// What must match between curl and us: everything but the user agent and
/// the negotiated protocol version.
fn wire(r: &RecordedRequest) -> RecordedRequest {
    RecordedRequest {
        user_agent: None,
        http_version: String::new(),
        ..r.clone()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn our_request_matches_the_vendors_curl_call() {
    let f = Fixture::start(Behaviours::default()).await;
    // The password goes to curl in a config file, never in its arguments.
    let curl_cfg = f.write(
        "curl.cfg",
        format!("user = \"{USER}:{PASSWORD}\"\n").as_bytes(),
    );
    let cases = [
        ("plain-1", String::new(), RescanParams::default()),
        (
            "params-2",
            "?file_ext=zip&processing_type=unzip-and-exec&unzip_password=inf%26cted&unpack=true"
                .to_owned(),
            RescanParams {
                file_ext: Some("zip".into()),
                processing_type: Some(ProcessingType::UnzipAndExec),
                unzip_password: Some("inf&cted".into()),
                unpack: Some(true),
                ..Default::default()
            },
        ),
    ];
    let client = Client::new(&f.settings()).unwrap();
    for (id, query, params) in &cases {
        let url = format!(
            "{}/api/attribution/tasks/file_from_url/{id}{query}",
            f.sim.base_url()
        );
        let status = tokio::process::Command::new("curl")
            .args(["-sS", "-o", "/dev/null", "-K"])
            .arg(&curl_cfg)
            .arg("--cert")
            .arg(f.path("client.pem"))
            .arg("--cacert")
            .arg(f.path("ca.pem"))
            .args(["-X", "PUT", "--header", "Content-Length: 0", &url])
            .env_remove("https_proxy")
            .env_remove("HTTPS_PROXY")
            .env_remove("all_proxy")
            .env_remove("ALL_PROXY")
            .stdin(Stdio::null())
            .status()
            .await
            .expect("curl is installed (it is the vendor's reference client)");
        assert!(status.success(), "curl failed for {url}");
        let answer = client.rescan(&TaskId::parse(id).unwrap(), params).await;
        assert!(answer.outcome.is_accepted(), "{answer:?}");
    }
    let seen = f.sim.record().requests();
    assert_eq!(seen.len(), 4);
    for pair in seen.chunks(2) {
        assert_eq!(wire(&pair[1]), wire(&pair[0]), "ours vs curl");
        assert_eq!(
            pair[0]
                .user_agent
                .as_deref()
                .map(|u| u.starts_with("curl/")),
            Some(true)
        );
    }
}
