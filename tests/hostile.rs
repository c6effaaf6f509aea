//! The client, the worker and the real binary against a hostile server:
//! redirects, huge and endless bodies, huge and malformed `Retry-After`,
//! certificates for another name or out of date.

mod common;

use common::Fixture;
use common::hostile::{Hostile, Reply, Tls, always};
use tae_rescan::api::{Client, RescanParams, TaskId};
use tae_rescan::sim::Behaviours;

fn id(s: &str) -> TaskId {
    TaskId::parse(s).unwrap()
}

#[tokio::test]
async fn the_hostile_server_answers_as_scripted_and_counts_what_reaches_it() {
    let f = Fixture::start(Behaviours::default()).await;
    let server = Hostile::start(
        Tls::Mutual(f.pki.clone()),
        always(Reply::status(200).header("X-Test", "1").body("{}")),
    )
    .await;
    let mut settings = f.settings();
    settings.base_url = server.base_url().parse().unwrap();
    let answer = Client::new(&settings)
        .unwrap()
        .rescan(&id("t1"), &RescanParams::default())
        .await;
    assert_eq!(answer.status, Some(200), "{answer:?}");
    assert_eq!(server.connections(), 1);
    assert_eq!(server.handshakes(), 1);
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "PUT");
    assert!(seen[0].authorization);
    assert_eq!(
        seen[0].path_and_query,
        "/api/attribution/tasks/file_from_url/t1"
    );
}
