//! nginx as an independent OpenSSL server standing in for TIP: TLS with a
//! required client certificate (`ssl_verify_client on`), basic auth for the
//! test account (`common::USER` / `common::PASSWORD`: the test binary
//! declares `mod common;`), and a PUT to the rescan endpoint answered 200
//! with a small JSON body. nginx's static handler refuses PUT with 405 and
//! `error_page 405 =200` turns that into the answer, after the access phase
//! (auth) has run.
//!
//! Started on a free 127.0.0.1 port in a temporary folder, as the current
//! user, in the foreground (`master_process off`), and killed on drop.
//! Fails loudly when `nginx` is missing: `.ci/run` installs it.
#![allow(dead_code)] // each test binary uses a different subset

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long nginx may take to accept connections.
const READY_DEADLINE: Duration = Duration::from_secs(20);

/// A running nginx; stopped when dropped.
pub struct Nginx {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Nginx {
    /// Starts nginx with this server certificate and key, requiring client
    /// certificates signed by `ca_pem` (all PEM text).
    pub fn start(ca_pem: &str, server_cert_pem: &str, server_key_pem: &str) -> Nginx {
        let dir = tempfile::tempdir().expect("nginx temp dir");
        let work = dir.path();
        for sub in ["www", "tmp"] {
            std::fs::create_dir_all(work.join(sub)).expect("nginx dirs");
        }
        write(work, "ca.pem", ca_pem);
        write(work, "server.pem", server_cert_pem);
        write(work, "server-key.pem", server_key_pem);
        write(work, "www/ok.json", "{\"status\":\"rescan started\"}\n");
        write(
            work,
            "htpasswd",
            &format!(
                "{}:{{PLAIN}}{}\n",
                crate::common::USER,
                crate::common::PASSWORD
            ),
        );
        // The port is picked by the kernel, then handed to nginx; another
        // process may take it in between, so a failed bind is retried.
        let mut last_error = String::new();
        for _ in 0..5 {
            let port = free_port();
            write(work, "nginx.conf", &config(work, port));
            let child = spawn(work);
            match wait_ready(child, port, work) {
                Ok(child) => {
                    return Nginx { child, port, dir };
                }
                Err(log) if log.contains("Address already in use") => last_error = log,
                Err(log) => panic!("nginx did not start:\n{log}"),
            }
        }
        panic!("nginx found no free port:\n{last_error}")
    }

    /// The port nginx listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `https://localhost:PORT`: the name the certificates are made for.
    pub fn base_url(&self) -> String {
        format!("https://localhost:{}", self.port)
    }

    /// The requests nginx answered so far, one access-log line each:
    /// `METHOD URI PROTOCOL STATUS CLIENT-CERT-VERIFY`, e.g.
    /// `PUT /api/attribution/tasks/file_from_url/t1 HTTP/2.0 200 SUCCESS`
    /// (the request line as sent: `error_page` turns the method into GET
    /// inside nginx).
    pub fn requests(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("access.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// nginx's error log, for failure messages.
    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }

    /// The folder nginx runs in (its files and logs).
    pub fn dir(&self) -> PathBuf {
        self.dir.path().to_owned()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write nginx file");
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

fn config(work: &Path, port: u16) -> String {
    let w = work.display();
    format!(
        r#"daemon off;
master_process off;
pid {w}/nginx.pid;
error_log {w}/error.log info;
events {{ worker_connections 256; }}
http {{
  log_format tae '$request $status $ssl_client_verify';
  access_log {w}/access.log tae;
  client_body_temp_path {w}/tmp/body;
  proxy_temp_path {w}/tmp/proxy;
  fastcgi_temp_path {w}/tmp/fastcgi;
  uwsgi_temp_path {w}/tmp/uwsgi;
  scgi_temp_path {w}/tmp/scgi;
  server {{
    listen 127.0.0.1:{port} ssl http2;
    ssl_certificate {w}/server.pem;
    ssl_certificate_key {w}/server-key.pem;
    ssl_client_certificate {w}/ca.pem;
    ssl_verify_client on;
    location /api/attribution/tasks/file_from_url/ {{
      auth_basic "TIP";
      auth_basic_user_file {w}/htpasswd;
      root {w}/www;
      error_page 405 =200 /ok.json;
    }}
    location = /ok.json {{ root {w}/www; default_type application/json; }}
  }}
}}
"#
    )
}

fn spawn(work: &Path) -> Child {
    // `-e` sends the errors nginx meets before reading its config (such as
    // the default log path being unwritable) to our folder too.
    Command::new("nginx")
        .arg("-e")
        .arg(work.join("error.log"))
        .arg("-p")
        .arg(work)
        .arg("-c")
        .arg(work.join("nginx.conf"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(work.join("stderr.log")).expect("nginx stderr file"))
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run nginx ({e}): install it (Debian: apt-get install nginx-light)")
        })
}

/// Waits until nginx accepts a connection on `port`; on an early exit
/// returns its error output instead.
fn wait_ready(mut child: Child, port: u16, work: &Path) -> Result<Child, String> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let start = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let stderr = std::fs::read_to_string(work.join("stderr.log")).unwrap_or_default();
            let log = std::fs::read_to_string(work.join("error.log")).unwrap_or_default();
            return Err(format!("nginx exited ({status}):\n{stderr}\n{log}"));
        }
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(child);
        }
        if start.elapsed() > READY_DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            let log = std::fs::read_to_string(work.join("error.log")).unwrap_or_default();
            return Err(format!(
                "nginx did not listen within {READY_DEADLINE:?}:\n{log}"
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
