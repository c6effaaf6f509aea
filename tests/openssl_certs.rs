//! Every client-certificate form curl takes, each made here with the
//! `openssl` command the way analysts make them, used by the real binary
//! against nginx (OpenSSL, `ssl_verify_client on`) rather than our own
//! rustls simulator. Needs `openssl` and `nginx` (`.ci/run` installs them).

mod common;
#[path = "common/nginx.rs"]
mod nginx;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{PASSWORD, run_cli};
use nginx::Nginx;

/// The password every encrypted form below is made with.
const CERT_PASSWORD: &str = "s3cret pass";

/// A CA, a server certificate for localhost and a running nginx trusting
/// the CA for client certificates, all made in a fresh folder.
struct Lab {
    dir: tempfile::TempDir,
    nginx: Nginx,
}

impl Lab {
    fn start() -> Lab {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        openssl(
            d,
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "365",
                "-subj",
                "/CN=Test OpenSSL CA",
            ],
        );
        write(
            d,
            "server.cnf",
            "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
        );
        write(
            d,
            "client.cnf",
            "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n",
        );
        openssl(d, &["genpkey", "-algorithm", "RSA", "-out", "server.key"]);
        sign(
            d,
            "server.key",
            "/CN=localhost",
            "server.pem",
            Some("server.cnf"),
        );
        // The client's RSA key, unencrypted; the forms below derive from it.
        openssl(d, &["genpkey", "-algorithm", "RSA", "-out", "client.key"]);
        let nginx = Nginx::start(
            &read(d, "ca.pem"),
            &read(d, "server.pem"),
            &read(d, "server.key"),
        );
        Lab { dir, nginx }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn openssl(&self, args: &[&str]) {
        openssl(self.path(), args);
    }

    /// A v3 client certificate for `key` (`client-v3.pem`).
    fn v3_cert(&self, key: &str, out: &str) {
        sign(self.path(), key, "/CN=analyst", out, Some("client.cnf"));
    }

    /// A v1 client certificate for `client.key` (`client-v1.pem`): no
    /// extensions, as `openssl x509 -req` writes without `-extfile`.
    fn v1_cert(&self) {
        sign(
            self.path(),
            "client.key",
            "/CN=analyst",
            "client-v1.pem",
            None,
        );
    }

    /// `key` encrypted as PKCS#8 (PBES2, AES-256-CBC) with the test password,
    /// as `openssl pkcs8 -topk8 -v2 aes-256-cbc` writes it.
    fn encrypted_pkcs8_key(&self, key: &str, out: &str) {
        self.openssl(&[
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-in",
            key,
            "-out",
            out,
            "-passout",
            &pass_arg(),
        ]);
    }

    /// A PKCS#12 file of the v3 certificate and `client.key`.
    fn p12(&self, out: &str, extra: &[&str]) {
        self.v3_cert("client.key", "client-v3.pem");
        let mut args = vec![
            "pkcs12",
            "-export",
            "-in",
            "client-v3.pem",
            "-inkey",
            "client.key",
            "-out",
            out,
        ];
        args.extend_from_slice(extra);
        self.openssl(&args);
    }

    /// A config reaching nginx with this certificate (and key), plus `extra`
    /// lines in `[api]`.
    fn config(&self, cert: &str, key: Option<&str>, extra: &str) -> PathBuf {
        let key = key
            .map(|k| format!("client_key = \"{k}\"\n"))
            .unwrap_or_default();
        let text = format!(
            "[api]\nbase_url = \"{}\"\nusername = \"{}\"\nca_cert = \"ca.pem\"\nclient_cert = \"{cert}\"\n{key}{extra}",
            self.nginx.base_url(),
            common::USER,
        );
        let path = self.path().join("config.toml");
        std::fs::write(&path, text).expect("write config");
        path
    }

    /// Runs `tae-rescan rescan TASK` with `config` and `env` (the account
    /// password always set); returns (exit code, stdout, stderr).
    async fn rescan(
        &self,
        config: &Path,
        task: &str,
        env: &[(&str, &str)],
    ) -> (i32, String, String) {
        let mut all = vec![("TIP_PASSWORD", PASSWORD)];
        all.extend_from_slice(env);
        run_cli(
            &["rescan", "--config", config.to_str().unwrap(), task],
            &all,
            None,
            self.path(),
        )
        .await
    }

    /// The rescan of `task` went through nginx, client certificate checked.
    async fn assert_accepted(&self, config: &Path, task: &str, env: &[(&str, &str)]) {
        let (code, out, err) = self.rescan(config, task, env).await;
        assert_eq!(
            code,
            0,
            "stdout: {out}\nstderr: {err}\nnginx: {}",
            self.nginx.error_log()
        );
        assert!(
            out.lines()
                .any(|l| l.starts_with(task) && l.contains("accepted")),
            "{out}"
        );
        // HTTP/2: the client still offers h2 by ALPN, as reqwest did.
        let start = format!("PUT /api/attribution/tasks/file_from_url/{task} HTTP/2.0 ");
        assert!(
            self.nginx
                .requests()
                .iter()
                .any(|l| l.starts_with(&start) && l.ends_with(" 200 SUCCESS")),
            "nginx saw {:?}",
            self.nginx.requests()
        );
    }

    /// `cert` with `key` beside it, then both in one PEM file (what curl's
    /// `--cert` takes either way): each rescan goes through.
    async fn assert_accepted_separate_and_combined(&self, cert: &str, key: &str, tag: &str) {
        let config = self.config(cert, Some(key), "");
        self.assert_accepted(&config, &format!("{tag}-separate"), &[])
            .await;
        let combined = format!("{}-combined.pem", cert.trim_end_matches(".pem"));
        cat(self.path(), &[cert, key], &combined);
        let config = self.config(&combined, None, "");
        self.assert_accepted(&config, &format!("{tag}-combined"), &[])
            .await;
    }

    /// The run stops at start-up: exit 2, one line naming the password
    /// settings, and nginx saw no request at all.
    async fn assert_password_refused(&self, config: &Path, env: &[(&str, &str)], what: &str) {
        let (code, out, err) = self.rescan(config, "never-sent", env).await;
        assert_eq!(code, 2, "{what}: stdout {out}\nstderr {err}");
        assert_eq!(err.lines().count(), 1, "{what}: one line: {err}");
        assert!(
            err.contains("client_cert_password") && err.contains("TIP_CERT_PASSWORD"),
            "{what}: names the settings: {err}"
        );
        assert!(!err.contains(CERT_PASSWORD), "{what}: no secret: {err}");
        assert!(
            self.nginx.requests().is_empty(),
            "{what}: nothing sent, nginx saw {:?}",
            self.nginx.requests()
        );
    }
}

/// Runs `openssl ARGS` in `dir`; fails loudly when it is missing or fails.
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run openssl ({e}): install it (Debian: apt-get install openssl)")
        });
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A certificate for `key` signed by the lab CA; without `ext` OpenSSL
/// writes an X.509 v1 certificate (no extensions at all).
fn sign(dir: &Path, key: &str, subject: &str, out: &str, ext: Option<&str>) {
    let csr = format!("{out}.csr");
    openssl(
        dir,
        &["req", "-new", "-key", key, "-subj", subject, "-out", &csr],
    );
    let mut args = vec![
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "365",
        "-out",
        out,
    ];
    if let Some(ext) = ext {
        args.extend_from_slice(&["-extfile", ext]);
    }
    openssl(dir, &args);
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).expect("read")
}

fn pass_arg() -> String {
    format!("pass:{CERT_PASSWORD}")
}

fn password_line() -> String {
    format!("client_cert_password = \"{CERT_PASSWORD}\"\n")
}

/// Concatenates files into `out` (what `cat a b > out` does).
fn cat(dir: &Path, parts: &[&str], out: &str) {
    let text: String = parts.iter().map(|p| read(dir, p)).collect();
    write(dir, out, &text);
}

#[tokio::test(flavor = "multi_thread")]
async fn x509_v1_client_certificate_with_its_key() {
    let lab = Lab::start();
    lab.v1_cert();
    let text = Command::new("openssl")
        .args(["x509", "-noout", "-text", "-in", "client-v1.pem"])
        .current_dir(lab.path())
        .output()
        .expect("openssl");
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("Version: 1 (0x0)"),
        "the test needs a v1 certificate"
    );
    lab.assert_accepted_separate_and_combined("client-v1.pem", "client.key", "v1")
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn x509_v1_client_certificate_with_another_key_is_refused_naming_both_files() {
    let lab = Lab::start();
    lab.v1_cert();
    lab.openssl(&["genpkey", "-algorithm", "RSA", "-out", "other.key"]);
    let config = lab.config("client-v1.pem", Some("other.key"), "");
    let (code, _, err) = lab.rescan(&config, "never-sent", &[]).await;
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("other.key: the private key does not match the certificate in")
            && err.contains("client-v1.pem"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(lab.nginx.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn x509_v3_client_certificate_with_its_key() {
    let lab = Lab::start();
    lab.v3_cert("client.key", "client-v3.pem");
    lab.assert_accepted_separate_and_combined("client-v3.pem", "client.key", "v3")
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn combined_pem_from_pkcs12_with_encrypted_pkcs8_key() {
    let lab = Lab::start();
    lab.p12("client.p12", &["-passout", &pass_arg()]);
    // What `openssl pkcs12 -in cert.pfx -out cert.pem` writes without
    // -nodes: bag attributes, the certificate, an ENCRYPTED PRIVATE KEY.
    lab.openssl(&[
        "pkcs12",
        "-in",
        "client.p12",
        "-out",
        "client.pem",
        "-passin",
        &pass_arg(),
        "-passout",
        &pass_arg(),
    ]);
    assert!(read(lab.path(), "client.pem").contains("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    let config = lab.config("client.pem", None, &password_line());
    lab.assert_accepted(&config, "pkcs8-combined", &[]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn separate_pkcs8_encrypted_key_file_unlocked_by_the_environment() {
    let lab = Lab::start();
    lab.v3_cert("client.key", "client-v3.pem");
    lab.encrypted_pkcs8_key("client.key", "client-enc.key");
    let config = lab.config("client-v3.pem", Some("client-enc.key"), "");
    lab.assert_accepted(
        &config,
        "pkcs8-separate",
        &[("TIP_CERT_PASSWORD", CERT_PASSWORD)],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn legacy_encrypted_rsa_keys_aes_and_des_ede3() {
    let lab = Lab::start();
    lab.v3_cert("client.key", "client-v3.pem");
    for cipher in ["-aes128", "-aes192", "-aes256", "-des3"] {
        let out = format!("client{cipher}.key");
        lab.openssl(&[
            "rsa",
            "-in",
            "client.key",
            cipher,
            "-traditional",
            "-passout",
            &pass_arg(),
            "-out",
            &out,
        ]);
        let text = read(lab.path(), &out);
        assert!(
            text.contains("Proc-Type: 4,ENCRYPTED") && text.contains("BEGIN RSA PRIVATE KEY"),
            "{cipher}: legacy form expected"
        );
        let config = lab.config("client-v3.pem", Some(&out), &password_line());
        lab.assert_accepted(&config, &format!("legacy{cipher}"), &[])
            .await;
    }
    cat(
        lab.path(),
        &["client-v3.pem", "client-des3.key"],
        "combined-des3.pem",
    );
    let config = lab.config("combined-des3.pem", None, &password_line());
    lab.assert_accepted(&config, "legacy-combined", &[]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn legacy_encrypted_ec_key() {
    let lab = Lab::start();
    lab.openssl(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-noout",
        "-out",
        "ec.key",
    ]);
    lab.v3_cert("ec.key", "client-ec.pem");
    lab.openssl(&[
        "ec",
        "-in",
        "ec.key",
        "-aes256",
        "-passout",
        &pass_arg(),
        "-out",
        "ec-enc.key",
    ]);
    let text = read(lab.path(), "ec-enc.key");
    assert!(text.contains("BEGIN EC PRIVATE KEY") && text.contains("Proc-Type: 4,ENCRYPTED"));
    let config = lab.config("client-ec.pem", Some("ec-enc.key"), &password_line());
    lab.assert_accepted(&config, "ec-legacy", &[]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pkcs12_modern_and_legacy() {
    let lab = Lab::start();
    lab.p12("modern.p12", &["-passout", &pass_arg()]);
    let config = lab.config("modern.p12", None, &password_line());
    lab.assert_accepted(&config, "p12-modern", &[]).await;
    // RC2 / 3DES with SHA-1 MAC, as OpenSSL 1.x wrote them.
    lab.p12("legacy.p12", &["-legacy", "-passout", &pass_arg()]);
    let config = lab.config("legacy.p12", None, &password_line());
    lab.assert_accepted(&config, "p12-legacy", &[]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pkcs12_with_empty_password_needs_no_password_set() {
    let lab = Lab::start();
    lab.p12("empty.p12", &["-passout", "pass:"]);
    let config = lab.config("empty.p12", None, "");
    lab.assert_accepted(&config, "p12-empty", &[]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn client_cert_password_command_unlocks_pkcs12_and_encrypted_key() {
    let lab = Lab::start();
    write(lab.path(), "pw.txt", &format!("{CERT_PASSWORD}\n"));
    let command = format!(
        "client_cert_password_command = \"cat '{}'\"\n",
        lab.path().join("pw.txt").display()
    );
    lab.p12("client.p12", &["-passout", &pass_arg()]);
    let config = lab.config("client.p12", None, &command);
    lab.assert_accepted(&config, "command-p12", &[]).await;
    lab.encrypted_pkcs8_key("client.key", "client-enc.key");
    let config = lab.config("client-v3.pem", Some("client-enc.key"), &command);
    lab.assert_accepted(&config, "command-pkcs8", &[]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_or_wrong_certificate_password_is_one_line_and_sends_nothing() {
    let lab = Lab::start();
    lab.v3_cert("client.key", "client-v3.pem");
    lab.p12("client.p12", &["-passout", &pass_arg()]);
    lab.openssl(&[
        "pkcs8",
        "-topk8",
        "-v2",
        "aes-256-cbc",
        "-in",
        "client.key",
        "-out",
        "pkcs8.key",
        "-passout",
        &pass_arg(),
    ]);
    lab.openssl(&[
        "rsa",
        "-in",
        "client.key",
        "-aes256",
        "-traditional",
        "-passout",
        &pass_arg(),
        "-out",
        "legacy.key",
    ]);
    let wrong = "client_cert_password = \"not it\"\n";
    for (cert, key) in [
        ("client.p12", None),
        ("client-v3.pem", Some("pkcs8.key")),
        ("client-v3.pem", Some("legacy.key")),
    ] {
        let config = lab.config(cert, key, "");
        lab.assert_password_refused(&config, &[], &format!("{cert} {key:?} missing"))
            .await;
        let config = lab.config(cert, key, wrong);
        lab.assert_password_refused(&config, &[], &format!("{cert} {key:?} wrong"))
            .await;
        let config = lab.config(cert, key, "");
        lab.assert_password_refused(
            &config,
            &[("TIP_CERT_PASSWORD", "also wrong")],
            &format!("{cert} {key:?} wrong in the environment"),
        )
        .await;
    }
}
