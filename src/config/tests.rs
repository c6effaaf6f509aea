use std::collections::HashMap;
use std::io::Write;

use super::*;

fn load(toml: &str, env: &[(&str, &str)], flags: Overrides) -> Result<Config, ConfigError> {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(toml.as_bytes()).unwrap();
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let flags = Overrides {
        config: Some(file.path().to_owned()),
        ..flags
    };
    Config::load_with(&flags, &|k| env.get(k).cloned())
}

#[test]
fn defaults_apply_to_an_empty_file() {
    let c = load("", &[], Overrides::default()).unwrap();
    assert_eq!(c.base_url.value.as_str(), "https://tip.kaspersky.com/");
    assert_eq!(c.timeout, Duration::from_secs(30));
    assert_eq!(c.worker.concurrency, 4);
    assert_eq!(c.worker.max_retries, 3);
    assert_eq!(c.worker.requests_per_minute, None);
}

#[test]
fn the_bell_is_on_unless_ui_bell_is_false() {
    assert!(load("", &[], Overrides::default()).unwrap().bell);
    let off = load("[ui]\nbell = false\n", &[], Overrides::default()).unwrap();
    assert!(!off.bell);
    let typo = load("[ui]\nbel = false\n", &[], Overrides::default()).unwrap_err();
    assert!(typo.0.contains("bel"), "{typo}");
}

#[test]
fn precedence_is_file_then_env_then_flags() {
    let toml =
        "[api]\nusername = \"file-user\"\nclient_cert = \"c.pem\"\n[worker]\nconcurrency = 8\n";
    let c = load(toml, &[], Overrides::default()).unwrap();
    assert_eq!(c.username.unwrap().value, "file-user");
    assert_eq!(c.worker.concurrency, 8);
    let c = load(
        toml,
        &[
            ("TIP_USERNAME", "env-user"),
            ("TIP_CLIENT_CERT", "/env.pem"),
        ],
        Overrides::default(),
    )
    .unwrap();
    assert_eq!(c.username.unwrap().value, "env-user");
    assert_eq!(c.client_cert.unwrap().value, PathBuf::from("/env.pem"));
    let flags = Overrides {
        username: Some("flag-user".into()),
        concurrency: Some(2),
        ..Default::default()
    };
    let c = load(toml, &[("TIP_USERNAME", "env-user")], flags).unwrap();
    assert_eq!(c.username.unwrap().value, "flag-user");
    assert_eq!(c.worker.concurrency, 2);
}

#[test]
fn relative_paths_are_relative_to_the_config_file() {
    let c = load(
        "[api]\nclient_cert = \"certs/me.pem\"\n",
        &[],
        Overrides::default(),
    )
    .unwrap();
    let cert = c.client_cert.unwrap();
    let dir = c.file.unwrap().parent().unwrap().to_owned();
    assert_eq!(cert.value, dir.join("certs/me.pem"));
}

#[test]
fn unknown_keys_name_the_key_file_and_line() {
    let err = load(
        "[api]\nusername = \"a\"\npasword = \"x\"\n",
        &[],
        Overrides::default(),
    )
    .unwrap_err()
    .0;
    assert!(err.contains("pasword"), "{err}");
    assert!(err.contains("line 3 in [api]"), "{err}");
    assert!(err.contains("config file /"), "{err}");
    assert!(!err.contains('\n'));
    let err = load("[wrker]\nconcurrency = 1\n", &[], Overrides::default())
        .unwrap_err()
        .0;
    assert!(err.contains("wrker"), "{err}");
}

#[test]
fn wrong_types_and_ranges_are_named() {
    let err = load(
        "[worker]\nconcurrency = \"four\"\n",
        &[],
        Overrides::default(),
    )
    .unwrap_err()
    .0;
    assert!(err.contains("line 2"), "{err}");
    let err = load("[worker]\nconcurrency = 0\n", &[], Overrides::default())
        .unwrap_err()
        .0;
    assert!(err.starts_with("[worker] concurrency in /"), "{err}");
    let err = load("[api]\ntimeout_secs = 0\n", &[], Overrides::default())
        .unwrap_err()
        .0;
    assert!(err.contains("[api] timeout_secs"), "{err}");
}

#[test]
fn plain_http_only_on_loopback() {
    assert!(
        load(
            "[api]\nbase_url = \"http://127.0.0.1:8080\"\n",
            &[],
            Overrides::default()
        )
        .is_ok()
    );
    assert!(
        load(
            "[api]\nbase_url = \"http://localhost:8080\"\n",
            &[],
            Overrides::default()
        )
        .is_ok()
    );
    let err = load(
        "[api]\nbase_url = \"http://tip.example.com\"\n",
        &[],
        Overrides::default(),
    )
    .unwrap_err()
    .0;
    assert!(
        err.contains("[api] base_url") && err.contains("loopback"),
        "{err}"
    );
    let flags = Overrides {
        base_url: Some("http://10.1.2.3".into()),
        ..Default::default()
    };
    let err = load("", &[], flags).unwrap_err().0;
    assert!(err.starts_with("--base-url:"), "{err}");
}

#[test]
fn password_and_password_command_conflict() {
    let err = load(
        "[api]\npassword = \"a\"\npassword_command = \"echo b\"\n",
        &[],
        Overrides::default(),
    )
    .unwrap_err()
    .0;
    assert!(err.contains("not both"), "{err}");
}

#[test]
fn client_cert_password_and_its_command_conflict_and_the_environment_wins() {
    let err = load(
        "[api]\nclient_cert_password = \"a\"\nclient_cert_password_command = \"echo b\"\n",
        &[],
        Overrides::default(),
    )
    .unwrap_err()
    .0;
    assert!(
        err.contains(
            "set either [api] client_cert_password or [api] client_cert_password_command, not both"
        ),
        "{err}"
    );
    let toml = "[api]\nclient_cert_password_command = \"echo b\"\n";
    let c = load(toml, &[], Overrides::default()).unwrap();
    let source = c.client_cert_password.unwrap();
    assert!(matches!(&source.value, PasswordSource::Command(c) if c == "echo b"));
    assert_eq!(source.key, "[api] client_cert_password_command");
    let c = load(toml, &[("TIP_CERT_PASSWORD", "env")], Overrides::default()).unwrap();
    let source = c.client_cert_password.unwrap();
    assert!(matches!(source.value, PasswordSource::Literal(_)));
    assert_eq!(source.origin, Origin::Env("TIP_CERT_PASSWORD"));
}

#[test]
fn missing_explicit_config_file_is_an_error() {
    let flags = Overrides {
        config: Some("/nonexistent/tae.toml".into()),
        ..Default::default()
    };
    let err = Config::load_with(&flags, &|_| None).unwrap_err().0;
    assert_eq!(err, "config file /nonexistent/tae.toml: no such file");
}

#[test]
fn a_directory_is_not_a_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let flags = Overrides {
        config: Some(dir.path().to_owned()),
        ..Default::default()
    };
    let err = Config::load_with(&flags, &|_| None).unwrap_err().0;
    assert!(err.contains("directory"), "{err}");
}

#[test]
fn password_command_reads_the_first_line() {
    let p = run_password_command("printf 's3cret\\nsecond\\n'").unwrap();
    assert_eq!(secrecy::ExposeSecret::expose_secret(&p), "s3cret");
    let err = run_password_command("echo oops >&2; exit 3").unwrap_err();
    assert_eq!(err, "the command failed (exit 3): oops");
    assert!(run_password_command("true").is_err());
}

#[test]
fn missing_credentials_say_where_to_set_them() {
    let c = load("", &[], Overrides::default()).unwrap();
    let err = client_settings(&c).unwrap_err().0;
    assert!(
        err.starts_with("no [api] username configured: set it in /"),
        "{err}"
    );
    assert!(err.contains("TIP_USERNAME"), "{err}");
}

#[test]
fn the_proxy_comes_from_the_file_else_the_proxy_variables() {
    let env = [
        ("HTTPS_PROXY", "socks5h://env:envpw@127.0.0.1:9050"),
        ("ALL_PROXY", "http://ignored.example:1"),
    ];
    let c = load("", &env, Overrides::default()).unwrap();
    let p = c.proxy.unwrap();
    assert_eq!(p.value.to_string(), "socks5h://env:***@127.0.0.1:9050");
    assert_eq!(p.whence(), "HTTPS_PROXY");
    let c = load(
        "[api]\nproxy = \"socks5://127.0.0.1:1080\"\n",
        &env,
        Overrides::default(),
    );
    assert_eq!(
        c.unwrap().proxy.unwrap().value.to_string(),
        "socks5://127.0.0.1:1080"
    );
    // The simulator on loopback is never reached through the variables.
    let c = load(
        "[api]\nbase_url = \"https://localhost:1\"\n",
        &env,
        Overrides::default(),
    );
    assert!(c.unwrap().proxy.is_none());
}

#[test]
fn an_unusable_proxy_is_refused_naming_where_it_was_set_never_its_password() {
    let e = load(
        "[api]\nproxy = \"socks4://ana:hunter2@127.0.0.1:1080\"\n",
        &[],
        Overrides::default(),
    )
    .unwrap_err();
    assert!(e.0.starts_with("[api] proxy in "), "{e}");
    assert!(e.0.contains("scheme 'socks4' is not supported"), "{e}");
    assert!(!e.0.contains("hunter2"), "{e}");
    let e = load(
        "",
        &[("ALL_PROXY", "ftp://u:hunter2@h")],
        Overrides::default(),
    )
    .unwrap_err();
    assert!(e.0.starts_with("ALL_PROXY: scheme 'ftp'"), "{e}");
    assert!(!e.0.contains("hunter2"), "{e}");
    let c = load(
        "[api]\nproxy = \"socks5h://ana:hunter2@h:1\"\n",
        &[],
        Overrides::default(),
    );
    assert!(!format!("{:?}", c.unwrap()).contains("hunter2"));
}

#[test]
fn max_retry_wait_secs_defaults_to_120_and_is_range_checked() {
    let c = load("", &[], Overrides::default()).unwrap();
    assert_eq!(c.worker.max_retry_wait, Duration::from_secs(120));
    let c = load(
        "[worker]\nmax_retry_wait_secs = 5\n",
        &[],
        Overrides::default(),
    )
    .unwrap();
    assert_eq!(c.worker.max_retry_wait, Duration::from_secs(5));
    for bad in ["0", "86401"] {
        let err = load(
            &format!("[worker]\nmax_retry_wait_secs = {bad}\n"),
            &[],
            Overrides::default(),
        )
        .unwrap_err()
        .0;
        assert!(err.contains("max_retry_wait_secs"), "{bad}: {err}");
        assert!(!err.contains('\n'), "{err}");
    }
    let err = load(
        "[worker]\nmax_retry_wait_secs = -1\n",
        &[],
        Overrides::default(),
    )
    .unwrap_err()
    .0;
    assert!(err.contains("line 2 in [worker]"), "{err}");
}

#[test]
fn keys_are_read_with_their_lines_in_file_order() {
    let toml = "[worker]\nconcurrency = 2\n\n[keys]\nrescan = \"F5\"\nquit = [\"ctrl-q\", \"Q\", \"ctrl-Q\"]\nmark_all = []\n";
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(toml.as_bytes()).unwrap();
    let flags = Overrides {
        config: Some(file.path().to_owned()),
        ..Default::default()
    };
    let c = Config::load_with(&flags, &|_| None).unwrap();
    assert_eq!(c.keys.file.as_deref(), Some(file.path()));
    let got: Vec<(String, Vec<String>, usize)> = c
        .keys
        .bindings
        .iter()
        .map(|b| {
            let keys = b.keys.iter().map(ToString::to_string).collect();
            (b.action.clone(), keys, b.line)
        })
        .collect();
    let want = [
        ("rescan", vec!["F5"], 5),
        ("quit", vec!["Ctrl-Q", "Q"], 6),
        ("mark_all", vec![], 7),
    ]
    .map(|(a, k, l)| (a.to_owned(), k.into_iter().map(String::from).collect(), l));
    assert_eq!(got, want);
    assert!(
        load("", &[], Overrides::default())
            .unwrap()
            .keys
            .bindings
            .is_empty()
    );
}

#[test]
fn a_misspelt_key_is_an_error_naming_the_action_file_and_line() {
    let err = load(
        "[keys]\nrescan = \"F5\"\ncurl = [\"y\", \"ctrl-\"]\n",
        &[],
        Overrides::default(),
    )
    .unwrap_err()
    .0;
    assert!(err.starts_with("[keys] curl in /"), "{err}");
    assert!(
        err.contains(" line 3: 'ctrl-' is not a key; write one character"),
        "{err}"
    );
    let err = load("[keys]\n\nrescan = 5\n", &[], Overrides::default())
        .unwrap_err()
        .0;
    assert!(err.starts_with("[keys] rescan in /"), "{err}");
    assert!(
        err.ends_with(" line 3: give a key as a string (\"ctrl-r\") or a list of them"),
        "{err}"
    );
}
