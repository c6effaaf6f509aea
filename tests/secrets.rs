//! Secrets never leave their place: the account password, the PKCS#12
//! password and an unzip password are absent from every file the tool
//! writes (config dir, data dir, database, log), from the screen and the
//! terminal output, from --dry-run and curl output, and from the arguments
//! of the one process it spawns (password_command).

mod common;
#[path = "common/pty.rs"]
mod pty;

use std::path::Path;

use common::{Fixture, PASSWORD, run_cli};
use pty::Tui;
use tae_rescan::sim::Behaviours;

const UNZIP: &str = "Unz1p-S3cret-7f3a";

/// Every file below `dir`, recursively.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files(&p))
            } else {
                out.push(p)
            }
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

fn assert_absent(what: &str, bytes: &[u8], secrets: &[&str]) {
    for s in secrets {
        assert!(
            !contains(bytes, s),
            "a secret ({} chars) appears in {what}",
            s.len()
        );
    }
}

#[test]
fn no_secret_in_files_logs_screen_output_or_child_arguments() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(Fixture::start(Behaviours::default()));
    let home = f.dir.path();
    let p12_password = f.pki.client_p12_password.clone();
    let secrets = [PASSWORD, p12_password.as_str(), UNZIP];
    f.write("secret-password.txt", format!("{PASSWORD}\n").as_bytes());
    // password_command reads the password from a file and records its own argv.
    std::fs::create_dir_all(home.join("config/tae-rescan")).unwrap();
    let config = f.write(
        "config/tae-rescan/config.toml",
        format!(
            "[api]\nbase_url = \"{}\"\nusername = \"analyst\"\nclient_cert = \"../../client.p12\"\nca_cert = \"../../ca.pem\"\n\
             password_command = \"tr '\\\\000' ' ' < /proc/$$/cmdline > {argv}; cat {pw}\"\n",
            f.sim.base_url(),
            argv = home.join("argv.txt").display(),
            pw = home.join("secret-password.txt").display(),
        )
        .as_bytes(),
    );
    let _ = config;
    let env = [
        ("TIP_CERT_PASSWORD", p12_password.as_str()),
        ("ZIP", UNZIP),
        ("TAE_RESCAN_LOG", "trace"),
    ];
    let unzip_args = [
        "--processing-type",
        "unzip-and-exec",
        "--unzip-password-env",
        "ZIP",
    ];

    // CLI: a real rescan, a dry run, the history.
    let mut outputs = Vec::new();
    for extra in [&["s-1"][..], &["--dry-run", "s-2"][..]] {
        let mut args = vec!["rescan"];
        args.extend(unzip_args);
        args.extend(extra);
        let (code, out, err) = rt.block_on(run_cli(&args, &env, None, home));
        assert_eq!(code, 0, "{out}{err}");
        outputs.push(out + &err);
    }
    assert!(outputs[1].contains("unzip_password=***"), "{}", outputs[1]);
    let (_, history, _) = rt.block_on(run_cli(&["history", "--output", "json"], &env, None, home));
    assert!(history.contains("unzip_password=***"), "{history}");
    outputs.push(history);
    let argv = std::fs::read_to_string(home.join("argv.txt")).expect("password_command ran");
    assert!(argv.starts_with("sh -c "), "{argv}");
    outputs.push(argv);

    // Dashboard: type the unzip password into the form, rescan, show curl.
    let mut tui = Tui::spawn(&[], &env, home, (120, 40));
    tui.send(b"a");
    tui.wait_text("Add task ids");
    tui.send(b"s-1\r");
    tui.wait_text("Tasks 1/1");
    tui.send(b"e");
    tui.wait_text("Rescan parameters for s-1");
    tui.send(b"\t\t ");
    tui.wait_text("unzip-and-exec");
    tui.send(b" \t");
    tui.send(UNZIP.as_bytes());
    tui.wait_text("•••••••••••••••••");
    tui.send(b"\r");
    tui.wait_text("unzip_password=***");
    tui.send(b"r");
    tui.wait_for("the rescan answered", |s| {
        s.contains("accepted 1 ") && s.contains("queued 0 sending 0")
    });
    tui.send(b"y");
    tui.wait_text("Request as curl");
    let screen = tui.contents();
    assert!(screen.contains("unzip_password=***"), "{screen}");
    tui.send(b"\x1b");
    tui.wait_gone("Request as curl");
    tui.send(b"q");
    tui.wait_exit();
    outputs.push(screen);
    let raw = tui.raw_output();

    for (n, out) in outputs.iter().enumerate() {
        assert_absent(&format!("output #{n}"), out.as_bytes(), &secrets);
    }
    assert_absent("the terminal output (OSC 52 copy included)", &raw, &secrets);
    let written: Vec<_> = files(&home.join("config"))
        .into_iter()
        .chain(files(&home.join("data")))
        .chain(files(&home.join("state")))
        .collect();
    assert!(
        written.iter().any(|p| p.ends_with("tae-rescan.log")),
        "the log was written: {written:?}"
    );
    assert!(
        written.iter().any(|p| p.ends_with("tae-rescan.db")),
        "{written:?}"
    );
    for path in written {
        if path.ends_with("config.toml") {
            continue; // ours, written above without secrets
        }
        let bytes = std::fs::read(&path).unwrap();
        assert_absent(&path.display().to_string(), &bytes, &secrets);
        if path.ends_with("tae-rescan.log") {
            let log = String::from_utf8_lossy(&bytes);
            assert!(log.contains("finished"), "the log has content");
            assert!(
                !log.to_ascii_lowercase().contains("authorization: basic"),
                "no Authorization header in the log"
            );
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "the log is the user's alone");
            }
        }
    }
}
