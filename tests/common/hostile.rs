//! A hostile server for tests: real TLS with the simulator's generated PKI
//! (client certificate required), or plain HTTP, answering each request as
//! a script says (any status, any headers, a fixed, huge or endless body).
//! It counts what reaches it (TCP connections, finished TLS handshakes,
//! requests and body bytes sent), so a test can prove that nothing went
//! somewhere it must not.
#![allow(dead_code)] // each test binary uses a different subset

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ServerConfig, WebPkiClientVerifier};
use tae_rescan::sim::Pki;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

/// How the server speaks.
#[derive(Clone)]
pub enum Tls {
    /// HTTPS with the PKI's server certificate; a client certificate signed
    /// by the PKI's CA is required.
    Mutual(Pki),
    /// HTTPS with this server certificate and key (PEM), for certificates
    /// that are wrong on purpose; client certificates as in `Mutual`.
    Custom {
        /// The PKI whose CA client certificates must be signed by.
        pki: Pki,
        /// The server certificate chain (PEM).
        cert_pem: String,
        /// Its key (PEM).
        key_pem: String,
    },
    /// Plain HTTP.
    Plain,
}

/// What the body of a reply is made of.
#[derive(Clone, Debug)]
pub enum Body {
    /// These bytes.
    Fixed(Bytes),
    /// 16 KiB chunks of `x`, `total` bytes in all, or without end.
    Repeat {
        /// `None` = the body never ends.
        total: Option<u64>,
    },
}

/// One scripted answer.
#[derive(Clone, Debug)]
pub struct Reply {
    /// The HTTP status code.
    pub status: u16,
    /// Headers, sent as given.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
}

impl Reply {
    /// An answer with this status, no headers and an empty body.
    pub fn status(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: Body::Fixed(Bytes::new()),
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets a fixed body.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = Body::Fixed(body.into());
        self
    }

    /// A body of `total` bytes, streamed.
    pub fn huge(mut self, total: u64) -> Self {
        self.body = Body::Repeat { total: Some(total) };
        self
    }

    /// A body that never ends.
    pub fn endless(mut self) -> Self {
        self.body = Body::Repeat { total: None };
        self
    }
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// 0 for the first request the server received.
    pub index: usize,
    /// `PUT`, `GET`, ...
    pub method: String,
    /// Path and query as sent.
    pub path_and_query: String,
    /// Whether an `Authorization` header came with it.
    pub authorization: bool,
}

/// Decides the answer to each request.
pub type Script = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

/// The same answer to every request.
pub fn always(reply: Reply) -> Script {
    Arc::new(move |_| reply.clone())
}

/// What reached the server so far.
#[derive(Default)]
struct Counters {
    connections: AtomicUsize,
    handshakes: AtomicUsize,
    body_bytes: AtomicU64,
    requests: Mutex<Vec<Seen>>,
}

/// A running hostile server; dropping it stops it and every connection.
pub struct Hostile {
    addr: SocketAddr,
    tls: bool,
    counters: Arc<Counters>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Hostile {
    /// Listens on a free port of 127.0.0.1 and answers by `script`.
    pub async fn start(tls: Tls, script: Script) -> Hostile {
        let acceptor = acceptor(&tls);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let counters = Arc::new(Counters::default());
        let task = tokio::spawn(accept_loop(listener, acceptor, script, counters.clone()));
        Hostile {
            addr,
            tls: !matches!(tls, Tls::Plain),
            counters,
            task,
        }
    }

    /// `https://localhost:PORT` (the PKI's server certificate names
    /// localhost), or `http://127.0.0.1:PORT` for plain HTTP.
    pub fn base_url(&self) -> String {
        if self.tls {
            format!("https://localhost:{}", self.addr.port())
        } else {
            format!("http://127.0.0.1:{}", self.addr.port())
        }
    }

    /// TCP connections accepted.
    pub fn connections(&self) -> usize {
        self.counters.connections.load(Ordering::SeqCst)
    }

    /// TLS handshakes completed.
    pub fn handshakes(&self) -> usize {
        self.counters.handshakes.load(Ordering::SeqCst)
    }

    /// Body bytes handed to the connection (for huge and endless bodies).
    pub fn body_bytes_sent(&self) -> u64 {
        self.counters.body_bytes.load(Ordering::SeqCst)
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<Seen> {
        self.counters.requests.lock().unwrap().clone()
    }
}

fn acceptor(tls: &Tls) -> Option<TlsAcceptor> {
    let (pki, cert_pem, key_pem) = match tls {
        Tls::Plain => return None,
        Tls::Mutual(pki) => (pki, &pki.server_cert_pem, &pki.server_key_pem),
        Tls::Custom {
            pki,
            cert_pem,
            key_pem,
        } => (pki, cert_pem, key_pem),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(pki.ca_cert_pem.as_bytes()).unwrap())
        .unwrap();
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .unwrap();
    let chain = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).unwrap();
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Some(TlsAcceptor::from(Arc::new(config)))
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: Option<TlsAcceptor>,
    script: Script,
    counters: Arc<Counters>,
) {
    // Dropped (aborting every connection) when the server is dropped.
    let mut conns = JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        counters.connections.fetch_add(1, Ordering::SeqCst);
        let (acceptor, script, counters) = (acceptor.clone(), script.clone(), counters.clone());
        conns.spawn(async move {
            match acceptor {
                None => serve(TokioIo::new(stream), script, counters).await,
                Some(acceptor) => {
                    let Ok(tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    counters.handshakes.fetch_add(1, Ordering::SeqCst);
                    serve(TokioIo::new(tls), script, counters).await;
                }
            }
        });
        while conns.try_join_next().is_some() {}
    }
}

async fn serve<I>(io: TokioIo<I>, script: Script, counters: Arc<Counters>)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        let seen = {
            let mut requests = counters.requests.lock().unwrap();
            let seen = Seen {
                index: requests.len(),
                method: req.method().to_string(),
                path_and_query: req
                    .uri()
                    .path_and_query()
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
                authorization: req.headers().contains_key(hyper::header::AUTHORIZATION),
            };
            requests.push(seen.clone());
            seen
        };
        let reply = script(&seen);
        let counters = counters.clone();
        async move { Ok::<_, Infallible>(respond(reply, counters)) }
    });
    let _ = auto::Builder::new(TokioExecutor::new())
        .serve_connection(io, service)
        .await;
}

fn respond(reply: Reply, counters: Arc<Counters>) -> hyper::Response<BoxBody<Bytes, Infallible>> {
    let body = match reply.body {
        Body::Fixed(bytes) => Full::new(bytes).boxed(),
        Body::Repeat { total } => {
            const CHUNK: Bytes = Bytes::from_static(&[b'x'; 16 * 1024]);
            let stream = futures_util::stream::unfold(total, move |left| {
                let counters = counters.clone();
                async move {
                    let n = match left {
                        Some(0) => return None,
                        Some(left) => left.min(CHUNK.len() as u64),
                        None => CHUNK.len() as u64,
                    };
                    counters.body_bytes.fetch_add(n, Ordering::SeqCst);
                    let frame = Frame::data(CHUNK.slice(..n as usize));
                    Some((Ok(frame), left.map(|l| l - n)))
                }
            });
            StreamBody::new(stream).boxed()
        }
    };
    let mut response = hyper::Response::new(body);
    *response.status_mut() = hyper::StatusCode::from_u16(reply.status).expect("a valid status");
    for (name, value) in reply.headers {
        response.headers_mut().append(
            hyper::header::HeaderName::from_bytes(name.as_bytes()).expect("header name"),
            hyper::header::HeaderValue::from_bytes(value.as_bytes()).expect("header value"),
        );
    }
    response
}
