//! The `y` curl command runs in a POSIX shell exactly as shown, whatever the
//! user name, certificate path or URL holds: the command goes through
//! `sh -c` (and bash) with `curl` replaced by a function that prints its
//! arguments, which must be exactly the intended ones.

use std::path::PathBuf;
use std::process::Command;

use tae_rescan::api::client::{curl_command, endpoint_url};
use tae_rescan::api::params::Reveal;
use tae_rescan::api::{RescanParams, TaskId};
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
        let command = curl_command(&base, user, Some(&path), &task, &params);
        assert!(
            !command
                .chars()
                .any(|c| c.is_control() || tae_rescan::text::is_format_char(c)),
            "safe to draw: {command:?}"
        );
        let expected = [
            "-u",
            &format!("{user}:***"),
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
    let cert = PathBuf::from("/home/ana/tip.pem");
    assert_eq!(
        curl_command(&base, "ana", Some(&cert), &task, &RescanParams::default()),
        "curl -u 'ana:***' --cert '/home/ana/tip.pem' -X PUT --header 'Content-Length: 0' 'https://tip.example/api/attribution/tasks/file_from_url/t-1'"
    );
}
