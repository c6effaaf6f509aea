//! The listening side: binds, terminates TLS (asking for a client
//! certificate signed by the simulator CA), serves HTTP/1.1 and HTTP/2 with
//! hyper, and stops on request. Optionally a second, loopback-only listener
//! for load generators that cannot present a client certificate.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ServerConfig, WebPkiClientVerifier};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use super::error::SimError;
use super::handler::{State, handle};
use super::pki::Pki;
use super::policy::Behaviours;
use super::record::Record;

/// How long a client may take to finish the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Everything needed to start a simulator.
///
/// Exists so demo mode, tests and benchmarks describe a run in one value.
#[derive(Clone)]
pub struct SimConfig {
    /// Where to listen; port 0 picks a free port (default `127.0.0.1:0`).
    pub addr: SocketAddr,
    /// The PKI for HTTPS with client certificates; `None` = plain HTTP,
    /// which is only allowed on a loopback address.
    pub tls: Option<Pki>,
    /// The basic-auth user name (default `demo`).
    pub username: String,
    /// The basic-auth password (default `demo`).
    pub password: String,
    /// How tasks are answered.
    pub behaviours: Behaviours,
    /// A benchmarking aid that trusts every connection: a second listener,
    /// loopback only and TLS only, with the same server certificate, that
    /// does not ask for a client certificate and treats every request as if
    /// it carried the PKI's client certificate. It exists so a load
    /// generator that cannot present a certificate (wrk) makes the server do
    /// exactly the work a real client does (basic auth, validation,
    /// behaviours, the 200 answer) instead of getting a cheap 403. `None`
    /// (the default) = no such listener.
    pub no_cert_addr: Option<SocketAddr>,
}

impl Default for SimConfig {
    /// Plain HTTP on `127.0.0.1:0`, `demo`/`demo`, every task accepted.
    fn default() -> Self {
        SimConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            tls: None,
            username: "demo".into(),
            password: "demo".into(),
            behaviours: Behaviours::default(),
            no_cert_addr: None,
        }
    }
}

impl std::fmt::Debug for SimConfig {
    /// The password is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimConfig")
            .field("addr", &self.addr)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &"[REDACTED]")
            .field("behaviours", &self.behaviours)
            .field("no_cert_addr", &self.no_cert_addr)
            .finish()
    }
}

/// A running simulator.
///
/// Exists to tell the caller where it listens, to expose what it saw, and to
/// stop it. Dropping the handle also stops accepting new connections.
#[derive(Debug)]
pub struct SimHandle {
    addr: SocketAddr,
    no_cert_addr: Option<SocketAddr>,
    tls: bool,
    record: Record,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl SimHandle {
    /// The address actually bound (with the real port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL a client uses: `https://localhost:PORT` with TLS (the
    /// server certificate names localhost), `http://127.0.0.1:PORT` without.
    pub fn base_url(&self) -> String {
        let port = self.addr.port();
        if self.tls {
            format!("https://localhost:{port}")
        } else if self.addr.is_ipv6() {
            format!("http://[::1]:{port}")
        } else {
            format!("http://127.0.0.1:{port}")
        }
    }

    /// The address the no-client-certificate listener actually bound (see
    /// [`SimConfig::no_cert_addr`]), if there is one.
    pub fn no_cert_addr(&self) -> Option<SocketAddr> {
        self.no_cert_addr
    }

    /// The base URL of the no-client-certificate listener:
    /// `https://localhost:PORT`, if there is one.
    pub fn no_cert_base_url(&self) -> Option<String> {
        self.no_cert_addr
            .map(|a| format!("https://localhost:{}", a.port()))
    }

    /// The live record of requests (a shared handle, not a copy).
    pub fn record(&self) -> Record {
        self.record.clone()
    }

    /// Stops accepting, drops every open connection and waits until done.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Binds `cfg.addr` (and `cfg.no_cert_addr`), spawns the accept loop and
/// returns at once.
///
/// Fails if plain HTTP is asked for on a non-loopback address, if the
/// no-client-certificate listener is asked for without TLS or on a
/// non-loopback address, if the PKI cannot be turned into a TLS
/// configuration, or if binding fails.
pub async fn start(cfg: SimConfig) -> Result<SimHandle, SimError> {
    if cfg.tls.is_none() && !cfg.addr.ip().is_loopback() {
        return Err(SimError::PlainNotLoopback { addr: cfg.addr });
    }
    let no_cert = match (cfg.no_cert_addr, &cfg.tls) {
        (None, _) => None,
        (Some(_), None) => return Err(SimError::NoCertWithoutTls),
        (Some(addr), Some(_)) if !addr.ip().is_loopback() => {
            return Err(SimError::NoCertNotLoopback { addr });
        }
        (Some(addr), Some(pki)) => Some((
            addr,
            tls_acceptor(pki, ClientAuth::Trusted)?,
            client_cn(pki)?,
        )),
    };
    let acceptor = cfg
        .tls
        .as_ref()
        .map(|pki| tls_acceptor(pki, ClientAuth::Ask))
        .transpose()?;
    let (listener, addr) = bind(cfg.addr).await?;
    let mut doors = vec![Door {
        listener,
        acceptor,
        assumed_cn: None,
    }];
    let mut no_cert_addr = None;
    if let Some((asked, acceptor, cn)) = no_cert {
        let (listener, bound) = bind(asked).await?;
        no_cert_addr = Some(bound);
        doors.push(Door {
            listener,
            acceptor: Some(acceptor),
            assumed_cn: Some(cn),
        });
    }
    let record = Record::new();
    let tls = cfg.tls.is_some();
    let state = Arc::new(State {
        username: cfg.username,
        password: cfg.password,
        behaviours: cfg.behaviours,
        tls,
        record: record.clone(),
        unavailable_counts: Mutex::new(HashMap::new()),
        new_ids: AtomicU64::new(0),
    });
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(accept_loop(doors, state, stopped));
    Ok(SimHandle {
        addr,
        no_cert_addr,
        tls,
        record,
        stop,
        task,
    })
}

/// Binds `addr`; returns the listener and the address actually bound.
async fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), SimError> {
    let failed = |source| SimError::Bind { addr, source };
    let listener = TcpListener::bind(addr).await.map_err(failed)?;
    let bound = listener.local_addr().map_err(failed)?;
    Ok((listener, bound))
}

/// The CN of the PKI's client certificate: the identity the
/// no-client-certificate listener gives every connection.
fn client_cn(pki: &Pki) -> Result<String, SimError> {
    CertificateDer::from_pem_slice(pki.client_cert_pem.as_bytes())
        .ok()
        .and_then(|cert| common_name(&cert))
        .ok_or_else(|| SimError::BadPem {
            path: "<client certificate>".into(),
            reason: "no certificate with a common name".into(),
        })
}

/// One listener and how its connections are served.
struct Door {
    listener: TcpListener,
    /// `None` = plain HTTP.
    acceptor: Option<TlsAcceptor>,
    /// The client certificate CN every connection is taken to present (the
    /// no-client-certificate listener); `None` = only what the TLS handshake
    /// proves.
    assumed_cn: Option<String>,
}

/// Whether a TLS listener asks for a client certificate.
#[derive(Clone, Copy)]
enum ClientAuth {
    /// Asked for and verified against the PKI's CA, but optional (so a
    /// client without one can be told 403).
    Ask,
    /// Not asked for: the no-client-certificate listener.
    Trusted,
}

/// rustls server config: the PKI's server certificate, client certificates
/// as `client_auth` says, ALPN h2 and http/1.1.
fn tls_acceptor(pki: &Pki, client_auth: ClientAuth) -> Result<TlsAcceptor, SimError> {
    // ring, as the client uses: the one crypto library built in.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let bad = |what: &str, e: &dyn std::fmt::Display| SimError::BadPem {
        path: what.into(),
        reason: e.to_string(),
    };
    let ca = CertificateDer::from_pem_slice(pki.ca_cert_pem.as_bytes())
        .map_err(|e| bad("<CA certificate>", &e))?;
    let server_chain = CertificateDer::pem_slice_iter(pki.server_cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad("<server certificate>", &e))?;
    let server_key = PrivateKeyDer::from_pem_slice(pki.server_key_pem.as_bytes())
        .map_err(|e| bad("<server key>", &e))?;
    let mut roots = RootCertStore::empty();
    roots
        .add(ca)
        .map_err(|e| SimError::Tls(format!("the CA certificate is unusable: {e}")))?;
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| SimError::Tls(e.to_string()))?;
    let builder = match client_auth {
        ClientAuth::Ask => builder.with_client_cert_verifier(
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .allow_unauthenticated()
                .build()
                .map_err(|e| SimError::Tls(format!("client certificate verifier: {e}")))?,
        ),
        ClientAuth::Trusted => builder.with_no_client_auth(),
    };
    let mut config = builder
        .with_single_cert(server_chain, server_key)
        .map_err(|e| SimError::Tls(format!("server certificate and key: {e}")))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Accepts on every door until told to stop (or the handle is dropped),
/// then aborts every connection task.
async fn accept_loop(doors: Vec<Door>, state: Arc<State>, mut stopped: oneshot::Receiver<()>) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            (door, accepted) = accept_any(&doors) => match accepted {
                Ok(stream) => {
                    state.record.connected();
                    conns.spawn(serve(stream, door.acceptor.clone(), door.assumed_cn.clone(), state.clone()));
                }
                // e.g. too many open files under a benchmark: back off briefly
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    drop(doors);
    conns.shutdown().await;
}

/// The next connection on any of the doors, with the door it came through.
async fn accept_any(doors: &[Door]) -> (&Door, std::io::Result<TcpStream>) {
    std::future::poll_fn(|cx| {
        for door in doors {
            if let Poll::Ready(accepted) = door.listener.poll_accept(cx) {
                return Poll::Ready((door, accepted.map(|(stream, _)| stream)));
            }
        }
        Poll::Pending
    })
    .await
}

/// One connection: optional TLS handshake, then HTTP/1.1 or HTTP/2. The
/// client identity is the certificate's CN, else `assumed_cn`.
async fn serve(
    stream: TcpStream,
    acceptor: Option<TlsAcceptor>,
    assumed_cn: Option<String>,
    state: Arc<State>,
) {
    let _ = stream.set_nodelay(true);
    match acceptor {
        None => serve_http(TokioIo::new(stream), None, state).await,
        Some(acceptor) => {
            // A certificate from another CA fails here with a TLS alert.
            let Ok(Ok(tls)) =
                tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
            else {
                return;
            };
            let peer_cn = tls
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|chain| chain.first())
                .and_then(|cert| common_name(cert))
                .or(assumed_cn);
            serve_http(TokioIo::new(tls), peer_cn, state).await;
        }
    }
}

async fn serve_http<I>(io: TokioIo<I>, peer_cn: Option<String>, state: Arc<State>)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req| {
        let state = state.clone();
        let peer_cn = peer_cn.clone();
        async move { handle(&state, peer_cn, req).await }
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new());
    builder.http2().timer(TokioTimer::new());
    // Errors here are the client going away or a deliberate drop.
    let _ = builder.serve_connection(io, service).await;
}

/// The subject CN of a DER certificate, if it has one.
fn common_name(der: &CertificateDer<'_>) -> Option<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref()).ok()?;
    let cn = cert.subject().iter_common_name().next()?;
    cn.as_str().ok().map(str::to_owned)
}

/// The `[api]` section a user pastes into tae-rescan's config to reach a
/// simulator at `base_url`; with a TLS directory it names `client.pem` and
/// `ca.pem` inside it.
pub fn config_snippet(
    base_url: &str,
    tls_dir: Option<&Path>,
    username: &str,
    password: &str,
) -> String {
    let quote = |s: &str| toml::Value::String(s.to_owned()).to_string();
    let mut out = String::from("# tae-rescan simulator\n[api]\n");
    out.push_str(&format!("base_url = {}\n", quote(base_url)));
    out.push_str(&format!("username = {}\n", quote(username)));
    out.push_str(&format!("password = {}\n", quote(password)));
    if let Some(dir) = tls_dir {
        let path = |name: &str| quote(&dir.join(name).to_string_lossy());
        out.push_str(&format!("client_cert = {}\n", path("client.pem")));
        out.push_str(&format!("ca_cert = {}\n", path("ca.pem")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_is_valid_toml_with_escaped_paths() {
        let dir = Path::new("/tmp/odd \"dir\"\\tls");
        let text = config_snippet("https://localhost:8443", Some(dir), "demo", "p\"w");
        let value: toml::Table = toml::from_str(&text).expect("snippet parses");
        let api = value["api"].as_table().expect("[api]");
        assert_eq!(api["base_url"].as_str(), Some("https://localhost:8443"));
        assert_eq!(api["password"].as_str(), Some("p\"w"));
        assert_eq!(
            api["client_cert"].as_str().map(Path::new),
            Some(dir.join("client.pem").as_path())
        );
        assert_eq!(
            api["ca_cert"].as_str().map(Path::new),
            Some(dir.join("ca.pem").as_path())
        );
        let plain = config_snippet("http://127.0.0.1:1", None, "u", "p");
        assert!(!plain.contains("client_cert"));
    }
}
