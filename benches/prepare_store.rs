//! Not a measurement: prepares the data a dashboard measurement loads
//! (`benches/memory.sh`, `benches/start_idle.sh`), through the store API.
//!
//!   cargo bench --bench prepare_store -- DIR [TASKS=100000]
//!
//! writes
//!
//! * `DIR/data/tae-rescan.db`: TASKS tasks (ids, labels, URLs; half of them
//!   with parameters) and one finished history record per task, with mixed
//!   outcomes, written with `Store::begin` + `Store::finish` as the worker
//!   writes them;
//! * `DIR/tls/`: a simulator PKI (client certificate and CA);
//! * `DIR/config.toml`: an account using them, so the dashboard opens the
//!   task list instead of the first-run screen. Its base URL points at a
//!   closed port: nothing is sent while measuring.
//!
//! Then: `tae-rescan --config DIR/config.toml --data-dir DIR/data`.
//!
//! An existing `DIR/data` is reused when it already holds TASKS tasks.
//! Without DIR (as under a plain `cargo bench`) it prints this usage and
//! exits successfully.

use std::path::PathBuf;
use std::time::Instant;

use tae_rescan::api::TaskId;
use tae_rescan::sim::{Pki, config_snippet};
use tae_rescan::store::{Finish, NewRecord, Store, StoredParams, StoredTask};

/// Ids as in `benches/frame.rs`: TAE-like 32 hex characters.
fn task_id(i: usize) -> TaskId {
    let h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    TaskId::parse(&format!("{:08x}{:016x}{:08x}", i, h, h >> 32)).unwrap()
}

fn finish(i: usize, id: &TaskId, time: i64) -> Finish {
    let (status, outcome, error, description, body) = match i % 10 {
        0 => (
            400,
            "rejected",
            Some("invalid-params"),
            "file_ext: must be 1-10 letters or digits",
            None,
        ),
        1 => (
            404,
            "failed or hung",
            None,
            "the task failed or hung; run the query again later",
            None,
        ),
        2 => (503, "error", None, "HTTP 503: service unavailable", None),
        _ => (
            200,
            "accepted",
            None,
            "the rescan was accepted",
            Some(format!(r#"{{"task_id":"{id}","status":"queued"}}"#)),
        ),
    };
    Finish {
        status: Some(status),
        outcome: outcome.parse().unwrap(),
        error: error.map(str::to_owned),
        description: Some(description.into()),
        new_task_id: None,
        body,
        attempts: 1,
        elapsed_ms: 40 + (i % 200) as u64,
        queued_ms: 0,
        finished_at: time + 40,
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(dir) = args.first().map(PathBuf::from) else {
        eprintln!("prepare_store: usage: cargo bench --bench prepare_store -- DIR [TASKS=100000]");
        return;
    };
    let n: usize = args
        .get(1)
        .map_or(100_000, |s| s.parse().expect("TASKS is a number"));
    // Absolute, so the config's certificate paths work from any directory.
    std::fs::create_dir_all(&dir).expect("create DIR");
    let dir = dir.canonicalize().expect("DIR");
    let data = dir.join("data");
    let tls = dir.join("tls");
    Pki::load_or_create(&tls).expect("simulator PKI");
    std::fs::write(
        dir.join("config.toml"),
        config_snippet("https://localhost:1", Some(&tls), "demo", "demo"),
    )
    .expect("config.toml");

    let mut store = Store::open(&data).expect("open the store");
    let have = store.load_tasks().expect("load tasks").len();
    if have == n {
        eprintln!("prepare_store: {} already holds {n} tasks", data.display());
        return;
    }
    assert_eq!(
        have,
        0,
        "{} holds {have} tasks, not {n}: use an empty DIR",
        data.display()
    );

    let t0 = Instant::now();
    let tasks: Vec<StoredTask> = (0..n)
        .map(|i| StoredTask {
            id: task_id(i),
            label: if i % 2 == 0 {
                format!("mail gateway {i}")
            } else {
                format!("finance share {i}")
            },
            url: Some(format!("https://files.example.com/samples/{i}.zip")),
            params: if i % 2 == 0 {
                StoredParams {
                    file_ext: Some("exe".into()),
                    processing_type: Some("exec-only".into()),
                    ..Default::default()
                }
            } else {
                StoredParams::default()
            },
            last: None,
        })
        .collect();
    store.upsert_tasks(&tasks).expect("upsert tasks");
    let time0: i64 = 1_764_000_000_000;
    for (i, task) in tasks.iter().enumerate() {
        let time = time0 + i as i64 * 10;
        let params = if i % 2 == 0 {
            "file_ext=exe&processing_type=exec-only"
        } else {
            ""
        };
        let record = store
            .begin(&NewRecord {
                task_id: task.id.clone(),
                time,
                params: params.into(),
            })
            .expect("begin");
        store
            .finish(record, &finish(i, &task.id, time))
            .expect("finish");
    }
    let loaded = store.load_tasks().expect("load tasks");
    assert_eq!(loaded.len(), n);
    assert!(loaded.iter().all(|t| t.last.is_some()));
    eprintln!(
        "prepare_store: {n} tasks and {n} history records in {} ({:.1} s)",
        data.display(),
        t0.elapsed().as_secs_f64()
    );
}
