//! The bad-inputs corpus (`tests/bad_inputs/cases.toml`): hostile or broken
//! task ids, flags, config files, certificates and import files given to the
//! real binary, next to a simulator over mutual TLS that would answer if
//! anything were sent.
//!
//! For every case that must fail (exit 2) it checks: one error line naming
//! the field or file at fault, no panic or Rust debug output, no raw control
//! or bidi characters, nothing on stdout, nothing received by the simulator,
//! no file in the case's folder created or changed, and no history database
//! created by `rescan`. Imports with some valid lines exit 1 and name each
//! bad line; a BOM, CRLF and duplicates are valid and must succeed.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::{Fixture, PASSWORD, USER, run_cli};
use serde::Deserialize;
use tae_rescan::sim::Behaviours;

const CORPUS: &str = include_str!("bad_inputs/cases.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Corpus {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    category: String,
    args: Vec<String>,
    #[serde(default)]
    config_prepend: String,
    #[serde(default)]
    config_append: String,
    #[serde(default)]
    config_set: BTreeMap<String, String>,
    #[serde(default)]
    files: Vec<FileSpec>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    #[serde(default)]
    stdin: Option<String>,
    expect: Expect,
    #[serde(default)]
    stderr: Vec<String>,
    #[serde(default)]
    clap: bool,
    #[serde(default)]
    sent: Option<Vec<String>>,
    #[serde(default)]
    imported: Option<Vec<String>>,
    #[serde(default)]
    skipped: usize,
    #[serde(default)]
    unreadable: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    name: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default, rename = "gen")]
    generator: Option<String>,
    #[serde(default)]
    size: Option<usize>,
    #[serde(default)]
    mode: Option<u32>,
    #[serde(default)]
    dir: bool,
    #[serde(default)]
    fifo: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Expect {
    Usage,
    Partial,
    Ok,
}

/// Debug formatting that must never reach a user.
const DEBUG_PATTERNS: [&str; 10] = [
    "panicked",
    "RUST_BACKTRACE",
    "Os {",
    "kind:",
    "Some(",
    "Err(",
    "Ok(",
    "Error {",
    "Custom {",
    "code: ",
];

fn corpus() -> Vec<Case> {
    let corpus: Corpus = toml::from_str(CORPUS).expect("cases.toml parses");
    corpus.case
}

fn running_as_root() -> bool {
    // An unreadable (mode 000) file is still readable by root: detect it by
    // trying, rather than by asking who we are.
    let dir = tempfile::tempdir().unwrap();
    let probe = dir.path().join("probe");
    std::fs::write(&probe, b"x").unwrap();
    set_mode(&probe, 0);
    std::fs::read(&probe).is_ok()
}

/// How long one run of the binary may take: the slowest case (a 10 MB
/// line) needs well under a second; a run that blocks on a FIFO or reads
/// `/dev/zero` without end fails here instead of hanging the suite.
const RUN_DEADLINE: Duration = Duration::from_secs(20);

/// [`run_cli`] with [`RUN_DEADLINE`]: `None` if it was exceeded (the binary
/// is then killed).
async fn run_bounded(
    args: &[&str],
    env: &[(&str, &str)],
    stdin: Option<&str>,
    home: &Path,
) -> Option<(i32, String, String)> {
    tokio::time::timeout(RUN_DEADLINE, run_cli(args, env, stdin, home))
        .await
        .ok()
}

fn make_fifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates the node.
    let made = unsafe { libc::mkfifo(c.as_ptr(), 0o600) };
    assert_eq!(made, 0, "mkfifo {}", path.display());
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Deterministic junk bytes (xorshift), not UTF-8.
fn junk(size: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut out = Vec::with_capacity(size);
    while out.len() < size {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(size);
    // make sure it is not valid UTF-8 whatever the seed does
    if let Some(first) = out.first_mut() {
        *first = 0xff;
    }
    out
}

/// Certificates and keys the corpus refers to, made once per run.
struct Material {
    expired: String,
    mismatched_key: String,
    ca_combined: String,
}

impl Material {
    fn new(f: &Fixture) -> Material {
        let now = SystemTime::now();
        let day = Duration::from_secs(86_400);
        let (cert, key) = f
            .pki
            .issue_client(USER, now - day * 30, now - day)
            .expect("expired certificate");
        let (_other_cert, other_key) = f
            .pki
            .issue_client(USER, now - day, now + day * 365)
            .expect("second certificate");
        Material {
            expired: format!("{cert}\n{key}"),
            mismatched_key: other_key,
            ca_combined: format!("{}\n{}", f.pki.ca_cert_pem, f.pki.ca_key_pem),
        }
    }

    fn generate(&self, spec: &FileSpec) -> Vec<u8> {
        let size = spec.size.unwrap_or(1024);
        match spec.generator.as_deref().unwrap() {
            "junk" => junk(size),
            "long-line" => {
                let mut v = vec![b'a'; size];
                v.push(b'\n');
                v
            }
            "utf16" => {
                let mut v = vec![0xff, 0xfe];
                for u in "t-1\nt-2\n".encode_utf16() {
                    v.extend_from_slice(&u.to_le_bytes());
                }
                v
            }
            "latin1" => b"t-1\ncaf\xe9\nt-2\n".to_vec(),
            "expired" => self.expired.clone().into_bytes(),
            "mismatch" => self.mismatched_key.clone().into_bytes(),
            "ca-combined" => self.ca_combined.clone().into_bytes(),
            "fake-encrypted-key" => format!(
                "{}\n-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n",
                self.expired.split("-----BEGIN PRIVATE KEY").next().unwrap()
            )
            .into_bytes(),
            other => panic!("unknown generator {other}"),
        }
    }
}

/// Every file under `root` except the data dir: path → (kind, mode, size,
/// content hash).
fn snapshot(root: &Path, skip: &Path) -> BTreeMap<PathBuf, (char, u32, u64, u64)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path == skip {
                continue;
            }
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let mode = meta.permissions().mode();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            if meta.is_dir() {
                out.insert(rel, ('d', mode, 0, 0));
                stack.push(path);
            } else if !meta.is_file() {
                // a FIFO or a link: reading it could block or never end
                out.insert(rel, ('o', mode, 0, 0));
            } else {
                // unreadable files: compare metadata only
                let hash = std::fs::read(&path)
                    .map(|bytes| {
                        let mut h = std::collections::hash_map::DefaultHasher::new();
                        bytes.hash(&mut h);
                        h.finish()
                    })
                    .unwrap_or(0);
                out.insert(rel, ('f', mode, meta.len(), hash));
            }
        }
    }
    out
}

fn expand(s: &str, home: &Path, base_url: &str) -> String {
    let mut s = s
        .replace("{config}", &home.join("config.toml").display().to_string())
        .replace("{home}", &home.display().to_string())
        .replace("{base_url}", base_url);
    while let Some(start) = s.find("{long:") {
        let end = start + s[start..].find('}').unwrap();
        let n: usize = s[start + 6..end].parse().unwrap();
        s.replace_range(start..=end, &"a".repeat(n));
    }
    s
}

fn config_text(case: &Case, base_url: &str) -> String {
    let mut api: Vec<(String, String)> = vec![
        ("base_url".into(), format!("\"{base_url}\"")),
        ("username".into(), format!("\"{USER}\"")),
        ("client_cert".into(), "\"client.pem\"".into()),
        ("ca_cert".into(), "\"ca.pem\"".into()),
    ];
    for (k, v) in &case.config_set {
        match api.iter_mut().find(|(key, _)| key == k) {
            Some(slot) => slot.1 = v.clone(),
            None => api.push((k.clone(), v.clone())),
        }
    }
    let mut text = case.config_prepend.clone();
    text.push_str("[api]\n");
    for (k, v) in api {
        text.push_str(&format!("{k} = {v}\n"));
    }
    text.push_str(&case.config_append);
    text
}

fn inventory(data_dir: &Path) -> Vec<String> {
    if !data_dir.join("tae-rescan.db").exists() {
        return Vec::new();
    }
    let store = tae_rescan::store::Store::open(data_dir).expect("the database opens");
    store
        .load_tasks()
        .unwrap()
        .into_iter()
        .map(|t| t.id.to_string())
        .collect()
}

/// Runs one case; returns the list of broken expectations (empty = pass).
async fn run_case(f: &Fixture, m: &Material, case: &Case) -> Vec<String> {
    let mut broken = Vec::new();
    let mut fail = |what: String| broken.push(what);
    let home_dir = tempfile::tempdir().unwrap();
    let home = home_dir.path();
    let base_url = f.sim.base_url();
    for name in [
        "client.pem",
        "client-cert.pem",
        "client-key.pem",
        "client.p12",
        "ca.pem",
    ] {
        std::fs::copy(f.path(name), home.join(name)).unwrap();
    }
    std::fs::write(home.join("config.toml"), config_text(case, &base_url)).unwrap();
    let mut locked = Vec::new();
    for spec in &case.files {
        let path = home.join(&spec.name);
        if spec.dir {
            std::fs::create_dir(&path).unwrap();
            continue;
        }
        if spec.fifo {
            make_fifo(&path);
            continue;
        }
        let bytes = match (&spec.text, &spec.generator) {
            (Some(t), None) => t.clone().into_bytes(),
            (None, Some(_)) => m.generate(spec),
            _ => panic!("{}: a file needs text or gen", case.name),
        };
        std::fs::write(&path, bytes).unwrap();
        if let Some(mode) = spec.mode {
            set_mode(&path, mode);
            locked.push(path);
        }
    }
    let data_dir = home.join("data").join("tae-rescan");
    let before = snapshot(home, &home.join("data"));
    let args: Vec<String> = case
        .args
        .iter()
        .map(|a| expand(a, home, &base_url))
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut env: Vec<(String, String)> = vec![("TIP_PASSWORD".into(), PASSWORD.into())];
    env.extend(
        case.env
            .iter()
            .map(|(k, v)| (k.clone(), expand(v, home, &base_url))),
    );
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let sent_before = f.sim.record().len();
    let Some((code, out, err)) = run_bounded(&args, &env, case.stdin.as_deref(), home).await else {
        fail(format!(
            "the binary did not finish within {}s",
            RUN_DEADLINE.as_secs()
        ));
        return broken;
    };
    // the simulator answers at once; let a stray request land before counting
    let received: Vec<String> = f.sim.record().requests()[sent_before..]
        .iter()
        .map(|r| r.task_id.clone())
        .collect();
    let after = snapshot(home, &home.join("data"));
    for path in &locked {
        set_mode(path, 0o600); // so the temp dir can be removed
    }

    let show = |s: &str| s.chars().take(600).collect::<String>();
    for p in DEBUG_PATTERNS {
        if err.contains(p) || out.contains(p) {
            fail(format!("debug output {p:?} in: {}", show(&err)));
        }
    }
    if err.chars().any(|c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }) {
        fail(format!(
            "raw control or bidi character on stderr: {:?}",
            show(&err)
        ));
    }
    if err.len() > 2000 {
        fail(format!("stderr is {} bytes long", err.len()));
    }
    // `tasks import` says what it added on stderr: a status line, not a complaint.
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| !l.starts_with("imported "))
        .collect();
    match case.expect {
        Expect::Usage => {
            if code != 2 {
                fail(format!("exit {code}, expected 2; stderr: {}", show(&err)));
            }
            if !out.is_empty() {
                fail(format!("stdout not empty: {}", show(&out)));
            }
            if case.clap {
                // clap's own format: "error: ..." first, then usage lines
                if !lines.first().is_some_and(|l| l.starts_with("error: ")) {
                    fail(format!("not a clap error: {}", show(&err)));
                }
            } else if lines.len() != 1 || !lines[0].starts_with("tae-rescan: error: ") {
                fail(format!(
                    "expected one 'tae-rescan: error:' line, got {}: {:?}",
                    lines.len(),
                    show(&err)
                ));
            }
            let first = lines.first().copied().unwrap_or("");
            if first.contains("(os error") {
                fail(format!("Rust's os error code in the message: {first:?}"));
            }
            for needle in &case.stderr {
                if !first.contains(needle.as_str()) {
                    fail(format!("error line does not name {needle:?}: {first:?}"));
                }
            }
            if !received.is_empty() {
                fail(format!("the simulator received {received:?}"));
            }
            if before != after {
                fail(format!(
                    "files changed: before {:?} after {:?}",
                    before.keys().collect::<Vec<_>>(),
                    after.keys().collect::<Vec<_>>()
                ));
            }
            if args.first() == Some(&"rescan") && data_dir.join("tae-rescan.db").exists() {
                fail("rescan created the history database although it failed".into());
            }
            if !inventory(&data_dir).is_empty() {
                fail("the inventory is not empty".into());
            }
        }
        Expect::Partial => {
            if code != 1 {
                fail(format!("exit {code}, expected 1; stderr: {}", show(&err)));
            }
            let skipped: Vec<&&str> = lines
                .iter()
                .filter(|l| l.starts_with("tae-rescan: skipped "))
                .collect();
            if skipped.len() != case.skipped || lines.len() != case.skipped {
                fail(format!(
                    "expected {} 'skipped' lines and nothing else: {:?}",
                    case.skipped,
                    show(&err)
                ));
            }
            for needle in &case.stderr {
                if !skipped.iter().any(|l| l.contains(needle.as_str())) {
                    fail(format!("no skipped line names {needle:?}: {err:?}"));
                }
            }
        }
        Expect::Ok => {
            if code != 0 {
                fail(format!("exit {code}, expected 0; stderr: {}", show(&err)));
            }
            // "tae-rescan: note: N duplicate task ids skipped" is information
            let notes = |l: &&str| l.starts_with("tae-rescan: note: ");
            if lines
                .iter()
                .filter(|l| !notes(l))
                .any(|l| l.contains("error") || l.contains("skipped"))
            {
                fail(format!("valid input reported as bad: {}", show(&err)));
            }
        }
    }
    if let Some(want) = &case.sent {
        let mut got = received.clone();
        got.sort();
        let mut want = want.clone();
        want.sort();
        if got != want {
            fail(format!("the simulator received {got:?}, expected {want:?}"));
        }
    } else if case.expect != Expect::Usage && !received.is_empty() {
        fail(format!("the simulator received {received:?}"));
    }
    if let Some(want) = &case.imported {
        let got = inventory(&data_dir);
        if &got != want {
            fail(format!("inventory {got:?}, expected {want:?}"));
        }
        if !err.contains(&format!("imported {} tasks", want.len())) {
            fail(format!("stderr: {}", show(&err)));
        }
    }
    broken
}

async fn run_corpus() {
    let cases = corpus();
    let f = Fixture::start(Behaviours::default()).await;
    let m = Material::new(&f);
    let root = running_as_root();
    let mut failures = Vec::new();
    let mut ran = 0;
    let mut by_category: HashMap<&str, usize> = HashMap::new();
    for case in &cases {
        if case.unreadable && root {
            println!(
                "SKIPPED {:?}: running as root, so a mode-000 file is still readable",
                case.name
            );
            continue;
        }
        ran += 1;
        *by_category.entry(case.category.as_str()).or_default() += 1;
        let broken = run_case(&f, &m, case).await;
        if !broken.is_empty() {
            failures.push(format!(
                "[{}] {}:\n    {}",
                case.category,
                case.name,
                broken.join("\n    ")
            ));
        }
    }
    let mut cats: Vec<_> = by_category.into_iter().collect();
    cats.sort();
    println!("{ran} cases run: {cats:?}");
    assert!(ran > 0);
    assert!(
        failures.is_empty(),
        "{} of {ran} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_corpus_is_well_formed_and_large_enough() {
    let cases = corpus();
    assert!(cases.len() >= 50, "{} cases", cases.len());
    let mut names = std::collections::HashSet::new();
    for c in &cases {
        assert!(names.insert(&c.name), "duplicate case name {}", c.name);
        assert!(
            c.expect == Expect::Usage || c.stderr.is_empty() || c.expect == Expect::Partial,
            "{}",
            c.name
        );
        assert!(
            c.expect != Expect::Usage || !c.stderr.is_empty(),
            "{}: say what the error must name",
            c.name
        );
    }
    for category in [
        "task_id",
        "parameter",
        "config",
        "certificate",
        "import",
        "import-valid",
    ] {
        assert!(
            cases.iter().any(|c| c.category == category),
            "no {category} cases"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_bad_input_is_refused_cleanly_and_valid_ones_pass() {
    run_corpus().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_import_creates_no_database() {
    let f = Fixture::start(Behaviours::default()).await;
    let config = f.config_file("");
    let home = f.dir.path();
    let (code, _, err) = run_cli(
        &[
            "tasks",
            "--config",
            config.to_str().unwrap(),
            "import",
            home.join("none.txt").to_str().unwrap(),
        ],
        &[("TIP_PASSWORD", PASSWORD)],
        None,
        home,
    )
    .await;
    assert_eq!(code, 2, "{err}");
    let data = home.join("data").join("tae-rescan");
    assert!(
        !data.join("tae-rescan.db").exists(),
        "{} was created by a command that failed before doing anything",
        data.join("tae-rescan.db").display()
    );
}

/// The `[api] password_command = "..."` line for `command`.
fn password_command(command: &str) -> String {
    format!(
        "password_command = {}\n",
        toml::Value::String(command.into())
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn an_endless_password_command_is_cut_off_with_one_line() {
    let f = Fixture::start(Behaviours::default()).await;
    let home = f.dir.path();
    for command in ["yes", "cat /dev/zero", "yes hunter2 | tr -d '\\n'"] {
        let config = f.config_file(&password_command(command));
        let (code, out, err) = run_bounded(
            &["rescan", "--config", config.to_str().unwrap(), "t1"],
            &[],
            None,
            home,
        )
        .await
        .unwrap_or_else(|| panic!("{command}: no exit within {}s", RUN_DEADLINE.as_secs()));
        assert_eq!(code, 2, "{command}: {err}");
        assert!(out.is_empty(), "{command}: {out}");
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "{command}: {err}");
        assert!(
            lines[0].contains("[api] password_command") && lines[0].contains("more than 4 KiB"),
            "{command}: {err}"
        );
        assert!(!err.contains("hunter2"), "{command}: output echoed: {err}");
    }
    assert_eq!(f.sim.record().len(), 0, "something was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn password_command_sees_none_of_our_secret_variables() {
    let f = Fixture::start(Behaviours::default()).await;
    let home = f.dir.path();
    let seen = home.join("seen-env");
    // It records its environment, then prints the password as it should.
    let command = format!("env > '{}'; echo '{PASSWORD}'", seen.display());
    let config = f.config_file(&password_command(&command));
    let secrets = [
        ("TIP_CERT_PASSWORD", "cert-secret-1"),
        ("ARCHIVE_PW", "unzip-secret-2"),
        ("TIP_PROXY_PASSWORD", "proxy-secret-3"),
        // A proxy login in the user's own variable (not used: the
        // simulator is on loopback) is as secret as [api] proxy's.
        ("ALL_PROXY", "socks5h://ana:proxy-secret-4@127.0.0.1:9"),
    ];
    let (code, _, err) = run_bounded(
        &[
            "rescan",
            "--config",
            config.to_str().unwrap(),
            "--processing-type",
            "unzip-and-exec",
            "--unzip-password-env",
            "ARCHIVE_PW",
            "t1",
        ],
        &secrets,
        None,
        home,
    )
    .await
    .expect("rescan finishes");
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        f.sim.record().len(),
        1,
        "the password from the command works"
    );
    let env = std::fs::read_to_string(&seen).expect("the command ran");
    assert!(env.contains("HOME="), "{env}");
    for (name, value) in secrets {
        assert!(
            !env.contains(value) && !env.contains(&format!("{name}=")),
            "password_command inherited {name}:\n{env}"
        );
    }
}
