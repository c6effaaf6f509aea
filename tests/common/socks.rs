//! A small SOCKS5 proxy on loopback (RFC 1928, CONNECT only; no
//! authentication or RFC 1929 user name and password). It remembers what
//! it was asked to connect to (a name for `socks5h://`, an address for
//! `socks5://`), the credentials it saw and how many connections it took,
//! and relays bytes to the target. It only ever connects to loopback, every
//! step has a deadline, and it stops (with every relay) when dropped.
#![allow(dead_code)] // each test binary uses a different subset

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// How long a client may take over the handshake.
const HANDSHAKE_DEADLINE: Duration = Duration::from_secs(10);
/// How long one relayed connection may last.
const RELAY_DEADLINE: Duration = Duration::from_secs(60);
/// Most connections served; past that the proxy stops accepting.
const MAX_CONNECTIONS: usize = 256;

/// What a client asked to connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A host name, resolved here (`socks5h://`).
    Domain(String, u16),
    /// An address the client resolved itself (`socks5://`).
    Ip(SocketAddr),
}

#[derive(Default)]
struct Seen {
    targets: Mutex<Vec<Target>>,
    credentials: Mutex<Vec<(String, String)>>,
    connections: AtomicUsize,
}

/// A running proxy; dropping it stops it.
pub struct SocksServer {
    addr: SocketAddr,
    seen: Arc<Seen>,
    task: tokio::task::JoinHandle<()>,
}

impl SocksServer {
    /// Starts a proxy that needs no authentication.
    pub async fn open() -> SocksServer {
        Self::start(None).await
    }

    /// Starts a proxy that only lets `user`/`password` through.
    pub async fn with_login(user: &str, password: &str) -> SocksServer {
        Self::start(Some((user.to_owned(), password.to_owned()))).await
    }

    async fn start(login: Option<(String, String)>) -> SocksServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind socks");
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Seen::default());
        let login = Arc::new(login);
        let task = tokio::spawn({
            let seen = seen.clone();
            async move {
                // Owned here: dropping the accept task aborts every relay.
                let mut relays = JoinSet::new();
                while seen.connections.load(Ordering::SeqCst) < MAX_CONNECTIONS {
                    let Ok((client, _)) = listener.accept().await else {
                        break;
                    };
                    seen.connections.fetch_add(1, Ordering::SeqCst);
                    let (seen, login) = (seen.clone(), login.clone());
                    relays.spawn(async move {
                        let _ = serve(client, &seen, login.as_ref().as_ref()).await;
                    });
                    while relays.try_join_next().is_some() {}
                }
                while relays.join_next().await.is_some() {}
            }
        });
        SocksServer { addr, seen, task }
    }

    /// `socks5://127.0.0.1:PORT` with `scheme` and optional `user:password@`.
    pub fn url(&self, scheme: &str, login: Option<(&str, &str)>) -> String {
        let login = login.map(|(u, p)| format!("{u}:{p}@")).unwrap_or_default();
        format!("{scheme}://{login}{}", self.addr)
    }

    /// Every CONNECT target asked for, in order.
    pub fn targets(&self) -> Vec<Target> {
        self.seen.targets.lock().unwrap().clone()
    }

    /// Every user name and password offered, in order.
    pub fn credentials(&self) -> Vec<(String, String)> {
        self.seen.credentials.lock().unwrap().clone()
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.seen.connections.load(Ordering::SeqCst)
    }
}

impl Drop for SocksServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One client: greeting, optional login, CONNECT, then relay.
async fn serve(
    mut client: TcpStream,
    seen: &Seen,
    login: Option<&(String, String)>,
) -> std::io::Result<()> {
    let target = tokio::time::timeout(HANDSHAKE_DEADLINE, handshake(&mut client, seen, login))
        .await
        .map_err(|_| std::io::Error::other("handshake deadline"))??;
    let Some(mut upstream) = connect_loopback(&target).await else {
        // Reply 5: connection refused.
        client.write_all(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
        return Ok(());
    };
    seen.targets.lock().unwrap().push(target);
    let local = upstream.local_addr()?;
    let mut reply = vec![5, 0, 0];
    match local.ip() {
        IpAddr::V4(ip) => {
            reply.push(1);
            reply.extend_from_slice(&ip.octets());
        }
        IpAddr::V6(ip) => {
            reply.push(4);
            reply.extend_from_slice(&ip.octets());
        }
    }
    reply.extend_from_slice(&local.port().to_be_bytes());
    client.write_all(&reply).await?;
    let _ = tokio::time::timeout(
        RELAY_DEADLINE,
        tokio::io::copy_bidirectional(&mut client, &mut upstream),
    )
    .await;
    Ok(())
}

async fn handshake(
    client: &mut TcpStream,
    seen: &Seen,
    login: Option<&(String, String)>,
) -> std::io::Result<Target> {
    let bad = |what: &str| std::io::Error::other(what.to_owned());
    let mut head = [0u8; 2];
    client.read_exact(&mut head).await?;
    if head[0] != 5 {
        return Err(bad("not SOCKS5"));
    }
    let mut methods = vec![0u8; head[1] as usize];
    client.read_exact(&mut methods).await?;
    let wanted = if login.is_some() { 2 } else { 0 };
    if !methods.contains(&wanted) {
        client.write_all(&[5, 0xff]).await?;
        return Err(bad("no acceptable method"));
    }
    client.write_all(&[5, wanted]).await?;
    if let Some((user, password)) = login {
        // RFC 1929: VER=1, ULEN, UNAME, PLEN, PASSWD.
        let mut ver = [0u8; 2];
        client.read_exact(&mut ver).await?;
        let mut u = vec![0u8; ver[1] as usize];
        client.read_exact(&mut u).await?;
        let mut plen = [0u8; 1];
        client.read_exact(&mut plen).await?;
        let mut p = vec![0u8; plen[0] as usize];
        client.read_exact(&mut p).await?;
        let offered = (
            String::from_utf8_lossy(&u).into_owned(),
            String::from_utf8_lossy(&p).into_owned(),
        );
        let ok = ver[0] == 1 && offered.0 == *user && offered.1 == *password;
        seen.credentials.lock().unwrap().push(offered);
        client.write_all(&[1, if ok { 0 } else { 1 }]).await?;
        if !ok {
            return Err(bad("wrong credentials"));
        }
    }
    let mut request = [0u8; 4];
    client.read_exact(&mut request).await?;
    if request[0] != 5 || request[1] != 1 {
        // Reply 7: command not supported (only CONNECT is).
        client.write_all(&[5, 7, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
        return Err(bad("not CONNECT"));
    }
    let target = match request[3] {
        1 => {
            let mut ip = [0u8; 4];
            client.read_exact(&mut ip).await?;
            Target::Ip(SocketAddr::new(
                Ipv4Addr::from(ip).into(),
                read_port(client).await?,
            ))
        }
        4 => {
            let mut ip = [0u8; 16];
            client.read_exact(&mut ip).await?;
            Target::Ip(SocketAddr::new(
                Ipv6Addr::from(ip).into(),
                read_port(client).await?,
            ))
        }
        3 => {
            let mut len = [0u8; 1];
            client.read_exact(&mut len).await?;
            let mut name = vec![0u8; len[0] as usize];
            client.read_exact(&mut name).await?;
            let name = String::from_utf8_lossy(&name).into_owned();
            Target::Domain(name, read_port(client).await?)
        }
        _ => {
            client.write_all(&[5, 8, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
            return Err(bad("address type"));
        }
    };
    Ok(target)
}

async fn read_port(client: &mut TcpStream) -> std::io::Result<u16> {
    let mut port = [0u8; 2];
    client.read_exact(&mut port).await?;
    Ok(u16::from_be_bytes(port))
}

/// Connects to the target if it is (or resolves to) a loopback address.
async fn connect_loopback(target: &Target) -> Option<TcpStream> {
    let candidates: Vec<SocketAddr> = match target {
        Target::Ip(addr) => vec![*addr],
        Target::Domain(name, port) => tokio::net::lookup_host((name.as_str(), *port))
            .await
            .ok()?
            .collect(),
    };
    for addr in candidates.into_iter().filter(|a| a.ip().is_loopback()) {
        let connect = tokio::time::timeout(HANDSHAKE_DEADLINE, TcpStream::connect(addr));
        if let Ok(Ok(stream)) = connect.await {
            return Some(stream);
        }
    }
    None
}
