//! `tae-rescan config path|init|check` with the real binary, and flags
//! checked the same with and without `--demo`.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::run_cli;

const EXAMPLE: &str = include_str!("../config.example.toml");

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn config_init_writes_the_example_privately_once() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let dir = home.join("config/tae-rescan");
    let file = dir.join("config.toml");
    let (code, out, err) = run_cli(&["config", "init"], &[], None, home).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "");
    assert!(
        err.starts_with(&format!("wrote {}", file.display())),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), EXAMPLE);
    assert_eq!(mode(&dir), 0o700, "the folder");
    assert_eq!(mode(&file), 0o600, "the file");

    std::fs::write(&file, "# mine\n").unwrap();
    let (code, out, err) = run_cli(&["config", "init"], &[], None, home).await;
    assert_eq!(code, 2, "{err}");
    assert_eq!(out, "");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("already exists; nothing was overwritten"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "# mine\n");

    // --config names another place; the example loads as it is.
    let other = home.join("elsewhere/tae.toml");
    let other = other.to_str().unwrap();
    let (code, _, err) = run_cli(&["--config", other, "config", "init"], &[], None, home).await;
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run_cli(&["config", "check", "--config", other], &[], None, home).await;
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&format!(
            "[api] username = analyst@example.com  ({other} line 15)"
        )),
        "{out}"
    );
}

#[tokio::test]
async fn config_path_names_the_file_and_the_folders() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let (code, out, err) = run_cli(&["config", "path"], &[], None, home).await;
    assert_eq!(code, 0, "{err}");
    let h = home.display();
    assert_eq!(
        out,
        format!(
            "config file  {h}/config/tae-rescan/config.toml  (not there yet; `tae-rescan config init` writes one)\n\
             data dir     {h}/data/tae-rescan\n\
             state dir    {h}/state/tae-rescan\n\
             log file     {h}/state/tae-rescan/tae-rescan.log  (written when TAE_RESCAN_LOG is set)\n"
        )
    );
    assert!(!home.join("data").exists(), "nothing is created");
}

#[tokio::test]
async fn config_check_shows_where_each_setting_came_from_and_masks_every_secret() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let cfg = home.join("c.toml");
    std::fs::write(
        &cfg,
        "[api]\n\
         username = \"ann\"\n\
         password = \"file-secret-1\"\n\
         client_cert = \"me.pfx\"\n\
         client_cert_password = \"file-secret-2\"\n\
         proxy = \"http://pu:file-secret-3@proxy.example:3128\"\n\
         [worker]\n\
         max_retries = 5\n",
    )
    .unwrap();
    let c = cfg.to_str().unwrap();
    let secrets = ["file-secret-1", "file-secret-2", "file-secret-3"];
    let (code, out, err) = run_cli(
        &["config", "check", "--config", c, "--concurrency", "8"],
        &[("UNZIP_PW", "env-secret-9")],
        None,
        home,
    )
    .await;
    assert_eq!(code, 0, "{err}");
    for want in [
        format!("config file {c}"),
        "[api] base_url = https://tip.kaspersky.com  (default)".into(),
        format!("[api] username = ann  ({c} line 2)"),
        format!("[api] password = ***  ({c} line 3)"),
        format!(
            "[api] client_cert = {}/me.pfx  ({c} line 4)",
            home.display()
        ),
        "[api] client_key = (not set)  (default)".into(),
        format!("[api] client_cert_password = ***  ({c} line 5)"),
        format!("[api] proxy = http://pu:***@proxy.example:3128  ({c} line 6)"),
        "[api] timeout_secs = 30  (default)".into(),
        "[worker] concurrency = 8  (flag --concurrency)".into(),
        format!("[worker] max_retries = 5  ({c} line 8)"),
        format!("data dir = {}/data/tae-rescan  (default)", home.display()),
    ] {
        assert!(out.lines().any(|l| l == want), "no line {want:?} in\n{out}");
    }
    for s in secrets.iter().chain(&["env-secret-9"]) {
        assert!(!out.contains(s) && !err.contains(s), "{s} shown");
    }

    // The environment over the file; a proxy variable's password masked too.
    std::fs::write(&cfg, "[api]\npassword_command = \"pass show tip\"\n").unwrap();
    let env = [
        ("TIP_CERT_PASSWORD", "env-secret-5"),
        ("TIP_USERNAME", "bob"),
        ("HTTPS_PROXY", "http://pu:env-secret-6@proxy.example:3128"),
    ];
    let (code, out, err) = run_cli(&["config", "check", "--config", c], &env, None, home).await;
    assert_eq!(code, 0, "{err}");
    for want in [
        format!("[api] password = *** (printed by `pass show tip`)  ({c} line 2)"),
        "[api] username = bob  (environment TIP_USERNAME)".into(),
        "[api] client_cert_password = ***  (environment TIP_CERT_PASSWORD)".into(),
        "[api] proxy = http://pu:***@proxy.example:3128  (environment HTTPS_PROXY)".into(),
    ] {
        assert!(out.lines().any(|l| l == want), "no line {want:?} in\n{out}");
    }
    for s in ["env-secret-5", "env-secret-6"] {
        assert!(!out.contains(s) && !err.contains(s), "{s} shown");
    }
    let (code, out, err) = run_cli(
        &["config", "check", "--config", c],
        &[("TIP_PASSWORD", "env-secret-7")],
        None,
        home,
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("[api] password = ***  (environment TIP_PASSWORD)\n"),
        "{out}"
    );
    assert!(!out.contains("env-secret-7"));

    // Any error: one line, exit 2, nothing on stdout.
    std::fs::write(&cfg, "[api]\npasword = \"file-secret-8\"\n").unwrap();
    let (code, out, err) = run_cli(&["config", "check", "--config", c], &[], None, home).await;
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("line 2") && err.contains("pasword"), "{err}");
    assert!(!err.contains("file-secret-8"), "{err}");
}

#[tokio::test]
async fn flags_are_refused_the_same_with_and_without_demo() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    for flag in [
        ["--concurrency", "0"],
        ["--concurrency", "257"],
        ["--base-url", "http://tip.example"],
    ] {
        let plain = run_cli(&[&["rescan", "t-1"][..], &flag].concat(), &[], None, home).await;
        let demo = run_cli(
            &[&["rescan", "--demo", "t-1"][..], &flag].concat(),
            &[],
            None,
            home,
        )
        .await;
        assert_eq!(plain.0, 2, "{flag:?}: {}", plain.2);
        assert_eq!(demo, plain, "{flag:?}");
        assert!(plain.2.contains(flag[0]), "{}", plain.2);
    }
}
