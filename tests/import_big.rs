//! `tasks import` of a big file streams: 200,000 ids (with duplicates in the
//! file, ids already listed and a few bad lines) are counted exactly as
//! before, `tasks list` prints every one, and neither command's peak memory
//! grows with the file (today's code held the text, the parsed list and a
//! set of every listed id at once). Memory, not time, is asserted: it does
//! not depend on how busy the machine is.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::Stdio;

use common::binary;

const IDS: usize = 200_000;
/// Peak RSS allowed for either command. Streaming needs about 20 MB
/// whatever the file's size; holding 200,000 ids needs several times that.
const PEAK_RSS_LIMIT_KB: i64 = 60 * 1024;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    peak_rss_kb: i64,
}

/// Runs the real binary with a clean environment and returns what it
/// printed and its own peak RSS (from `wait4`, for this child alone).
// Reaped by wait4, which also reports the child's own peak RSS.
#[allow(clippy::zombie_processes)]
fn run(args: &[&str], home: &Path) -> Run {
    let mut child = binary(home)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    let read_all = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            pipe.read_to_string(&mut text).expect("UTF-8 output");
            text
        })
    };
    let stdout = read_all(Box::new(child.stdout.take().unwrap()));
    let stderr = read_all(Box::new(child.stderr.take().unwrap()));
    let (mut status, mut usage) = (0, unsafe { std::mem::zeroed::<libc::rusage>() });
    // SAFETY: waits for our own child, writing into the two locals.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t, "wait4 failed");
    assert!(libc::WIFEXITED(status), "the binary was killed: {status}");
    Run {
        code: libc::WEXITSTATUS(status),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
        peak_rss_kb: usage.ru_maxrss,
    }
}

fn id(n: usize) -> String {
    format!("big-{n:07}")
}

#[test]
fn a_200k_import_streams_counts_as_before_and_lists_every_id() {
    let home = tempfile::tempdir().expect("tempdir");
    let data = home.path().join("store");
    let data = data.to_str().unwrap();

    // 50 of the file's ids are listed already.
    let early = home.path().join("early.txt");
    let early_ids: Vec<String> = (0..50).map(|n| id(n * 4000)).collect();
    std::fs::write(&early, early_ids.join("\n")).unwrap();
    let r = run(
        &[
            "tasks",
            "--data-dir",
            data,
            "import",
            early.to_str().unwrap(),
        ],
        home.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);

    // Every id once, every 1,000th line repeating an earlier one, and
    // three bad lines.
    let mut text = String::with_capacity(IDS * 13);
    for n in 0..IDS {
        text.push_str(&id(n));
        text.push('\n');
        if n % 1000 == 999 {
            text.push_str(&id(n - 500));
            text.push_str("  # again\r\n");
        }
    }
    text.push_str("bad id\n../x\nbad/id\n");
    let big = home.path().join("big.txt");
    std::fs::write(&big, &text).unwrap();

    let r = run(
        &["tasks", "--data-dir", data, "import", big.to_str().unwrap()],
        home.path(),
    );
    assert_eq!(r.code, 1, "bad lines were skipped: {}", r.stderr);
    let duplicates = IDS / 1000;
    assert_eq!(r.stdout, "", "status lines are not data");
    let mut status = r.stderr.lines();
    assert_eq!(
        status.next().unwrap_or_default(),
        format!(
            "imported {} tasks from {} ({} already listed)",
            IDS - early_ids.len(),
            big.display(),
            early_ids.len() + duplicates
        )
    );
    let skipped: Vec<&str> = status.collect();
    assert_eq!(skipped.len(), 3, "{}", r.stderr);
    let last = IDS + duplicates;
    for (n, line) in skipped.iter().enumerate() {
        let expected = format!(
            "tae-rescan: skipped {} line {}: ",
            big.display(),
            last + 1 + n
        );
        assert!(line.starts_with(&expected), "{line}");
    }
    assert!(
        r.peak_rss_kb < PEAK_RSS_LIMIT_KB,
        "tasks import of {IDS} ids peaked at {} MB",
        r.peak_rss_kb / 1024
    );

    let r = run(&["tasks", "--data-dir", data, "list"], home.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let listed: Vec<&str> = r
        .stdout
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(listed.len(), IDS);
    // The early ones first, then the file's others in file order.
    assert_eq!(listed[..early_ids.len()], early_ids);
    let rest: Vec<String> = (0..IDS)
        .filter(|n| n % 4000 != 0 || *n >= 50 * 4000)
        .map(id)
        .collect();
    assert_eq!(listed[early_ids.len()..], rest);
    assert!(
        r.peak_rss_kb < PEAK_RSS_LIMIT_KB,
        "tasks list of {IDS} tasks peaked at {} MB",
        r.peak_rss_kb / 1024
    );

    // A file refused at its very end (not UTF-8) adds nothing of its
    // 200,000 valid ids, though they were written in the meantime.
    let mut broken = (IDS..2 * IDS)
        .map(|n| id(n) + "\n")
        .collect::<String>()
        .into_bytes();
    broken.extend_from_slice(b"caf\xe9\n");
    let broken_path = home.path().join("broken.txt");
    std::fs::write(&broken_path, broken).unwrap();
    let r = run(
        &[
            "tasks",
            "--data-dir",
            data,
            "import",
            broken_path.to_str().unwrap(),
        ],
        home.path(),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr.trim(),
        format!(
            "tae-rescan: error: {}: not UTF-8 text; is this the right file?",
            broken_path.display()
        )
    );
    let r = run(&["tasks", "--data-dir", data, "list"], home.path());
    assert_eq!(r.stdout.lines().count(), IDS, "nothing was added");
}
