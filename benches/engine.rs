//! Engine overhead: what tae-rescan spends per request outside the network.
//!
//! * `request/*`: building and validating one rescan request the way the
//!   worker does: `TaskId::parse`, `RescanParams::validate`,
//!   `endpoint_url` (no parameters, and every parameter set with the unzip
//!   password revealed, as on the wire).
//! * `response/*`: `outcome::from_response` for a 200 JSON body, a 400 JSON
//!   body and an nginx-style HTML 400 page.
//!
//! Run: `cargo bench --bench engine`
//!
//! There is no hard target in the issue: these figures should stay in the
//! microseconds so that the engine is never the limit of the bulk
//! throughput (`benches/bulk.sh`: 2,000 requests in ~0.1 s = 50 µs each on
//! the wire).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use secrecy::SecretString;
use tae_rescan::api::client::endpoint_url;
use tae_rescan::api::outcome::from_response;
use tae_rescan::api::params::Reveal;
use tae_rescan::api::{ProcessingType, RescanParams, TaskId};

const ID: &str = "3f2c9a7e5b1d4c8fa0e6b2d9c7f1a3e5";

fn full_params() -> RescanParams {
    RescanParams {
        url: Some("https://files.example.com/samples/a%20b.zip?x=1&y=2".into()),
        file_ext: Some("zip".into()),
        processing_type: Some(ProcessingType::UnzipAndExec),
        unzip_password: Some(SecretString::from("inf&cted=1")),
        reset_similarity_thresholds: Some(true),
        unpack: Some(false),
    }
}

fn request(c: &mut Criterion) {
    let base = url::Url::parse("https://tip.kaspersky.com/").unwrap();
    let empty = RescanParams::default();
    let full = full_params();
    let task = TaskId::parse(ID).unwrap();
    let mut g = c.benchmark_group("request");
    g.bench_function("task_id_parse", |b| {
        b.iter(|| TaskId::parse(black_box(ID)).unwrap())
    });
    g.bench_function("validate_full_params", |b| {
        b.iter(|| black_box(&full).validate().unwrap())
    });
    g.bench_function("endpoint_url_no_params", |b| {
        b.iter(|| endpoint_url(black_box(&base), &task, black_box(&empty), Reveal::Secret))
    });
    g.bench_function("endpoint_url_full_params", |b| {
        b.iter(|| endpoint_url(black_box(&base), &task, black_box(&full), Reveal::Secret))
    });
    // Everything the worker does per job before handing the URL to reqwest.
    g.bench_function("parse_validate_build_full", |b| {
        b.iter(|| {
            let task = TaskId::parse(black_box(ID)).unwrap();
            let params = black_box(&full);
            params.validate().unwrap();
            endpoint_url(black_box(&base), &task, params, Reveal::Secret)
        })
    });
    g.finish();
}

fn response(c: &mut Criterion) {
    let ok = format!(r#"{{"task_id":"{ID}","status":"queued","message":"Task restarted"}}"#);
    let rejected =
        br#"{"error":"invalid-params","description":"file_ext: must be 1-10 letters or digits"}"#;
    let html = b"<html>\r\n<head><title>400 No required SSL certificate was sent</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>No required SSL certificate was sent</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    let mut g = c.benchmark_group("response");
    g.bench_function("200_json", |b| {
        b.iter(|| from_response(200, black_box(ok.as_bytes()), ID, None))
    });
    g.bench_function("400_json", |b| {
        b.iter(|| from_response(400, black_box(rejected), ID, None))
    });
    g.bench_function("400_html", |b| {
        b.iter(|| from_response(400, black_box(html), ID, None))
    });
    g.finish();
}

criterion_group!(benches, request, response);
criterion_main!(benches);
