//! The proxy requests go through: an `http://`, `https://`, `socks5://` or
//! `socks5h://` URL, possibly with `user:password@`. The password is a
//! secret like the account's: this type is the only holder of it, shows
//! itself as `socks5h://user:***@host:port` (Display and Debug alike) and
//! hands the full URL to nobody but reqwest.

use std::fmt;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::client::root_cause;
use super::outcome::{Answer, Outcome};
use super::params::MASK;

/// The schemes this build can use, as the error message lists them.
const SCHEMES: [&str; 4] = ["http", "https", "socks5", "socks5h"];
/// The port a SOCKS proxy listens on when the URL names none.
const SOCKS_DEFAULT_PORT: u16 = 1080;

/// Why a proxy URL cannot be used; the message never repeats the URL (it
/// may hold a password).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    /// Not a URL at all.
    #[error("not a proxy URL; use e.g. socks5h://127.0.0.1:1080 or http://proxy.example:3128")]
    NotAUrl,
    /// A URL whose scheme we cannot use (`socks4://`, `ftp://` ...).
    #[error(
        "scheme '{0}' is not supported; use http://, https://, socks5:// or socks5h:// (e.g. socks5h://127.0.0.1:1080)"
    )]
    Scheme(String),
    /// A URL with no host, or with a path, query or fragment.
    #[error("must be scheme://[user:password@]host[:port] and nothing more")]
    Shape,
}

/// A validated proxy URL whose password never prints. Shared, not copied:
/// settings holding one stay small.
#[derive(Clone)]
pub struct Proxy(Arc<Parts>);

struct Parts {
    /// The URL without its password: safe to show once masked.
    shown: Url,
    /// The password as written in the URL (percent-encoded).
    password: Option<SecretString>,
    /// `NO_PROXY` hosts, when the proxy came from the proxy variables.
    no_proxy: Option<String>,
}

impl Proxy {
    /// Parses and checks a proxy URL.
    pub fn parse(text: &str) -> Result<Self, ProxyError> {
        let mut url = Url::parse(text.trim()).map_err(|_| ProxyError::NotAUrl)?;
        // `user:pw@host:1080` or `localhost:1080` parse as a scheme and a
        // path: no `//`, so not what anyone means by a proxy URL.
        if url.cannot_be_a_base() {
            return Err(ProxyError::NotAUrl);
        }
        let scheme = url.scheme().to_ascii_lowercase();
        if !SCHEMES.contains(&scheme.as_str()) {
            return Err(ProxyError::Scheme(crate::text::sanitize_capped(
                &scheme, 40,
            )));
        }
        let host_ok = url.host_str().is_some_and(|h| !h.is_empty());
        let path_ok = matches!(url.path(), "" | "/");
        if !host_ok || !path_ok || url.query().is_some() || url.fragment().is_some() {
            return Err(ProxyError::Shape);
        }
        if scheme.starts_with("socks") && url.port().is_none() {
            let _ = url.set_port(Some(SOCKS_DEFAULT_PORT));
        }
        let password = url
            .password()
            .filter(|p| !p.is_empty())
            .map(|p| SecretString::from(p.to_owned()));
        let _ = url.set_password(None);
        Ok(Self(Arc::new(Parts {
            shown: url,
            password,
            no_proxy: None,
        })))
    }

    /// The same proxy, skipped for the hosts of a `NO_PROXY` list (used
    /// when it came from the standard proxy variables, as curl does).
    pub fn with_no_proxy(self, list: Option<String>) -> Self {
        let parts = Parts {
            shown: self.0.shown.clone(),
            password: self.0.password.clone(),
            no_proxy: list.filter(|l| !l.trim().is_empty()),
        };
        Self(Arc::new(parts))
    }

    /// `socks5`, `socks5h`, `http` or `https`.
    pub fn scheme(&self) -> &str {
        self.0.shown.scheme()
    }

    /// `host:port`, as the URL names them.
    fn host_port(&self) -> String {
        let host = self.0.shown.host_str().unwrap_or_default();
        match self.0.shown.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }

    /// The URL with its user but without its password, for a command
    /// shown to people (the curl command).
    pub fn without_password(&self) -> String {
        let text = self.0.shown.as_str();
        text.strip_suffix('/').unwrap_or(text).to_owned()
    }

    /// True when the URL holds a password.
    pub fn has_password(&self) -> bool {
        self.0.password.is_some()
    }

    /// The `NO_PROXY` hosts it skips, when it came from the proxy variables.
    pub fn no_proxy(&self) -> Option<&str> {
        self.0.no_proxy.as_deref()
    }

    /// True for `socks5://` and `socks5h://`.
    pub fn is_socks(&self) -> bool {
        self.scheme().starts_with("socks")
    }

    /// The proxy as reqwest uses it, password included.
    pub fn to_reqwest(&self) -> Result<reqwest::Proxy, ProxyError> {
        let mut full = self.0.shown.clone();
        if let Some(p) = &self.0.password {
            full.set_password(Some(p.expose_secret()))
                .map_err(|_| ProxyError::Shape)?;
        }
        let proxy = reqwest::Proxy::all(full.as_str()).map_err(|_| ProxyError::NotAUrl)?;
        Ok(match &self.0.no_proxy {
            Some(list) => proxy.no_proxy(reqwest::NoProxy::from_string(list)),
            None => proxy,
        })
    }
}

impl fmt::Display for Proxy {
    /// `socks5h://user:***@host:port`; without a password, the URL as is.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.0.shown.clone();
        if self.0.password.is_some() {
            let _ = shown.set_password(Some(MASK));
        }
        let text = shown.as_str();
        let text = text.strip_suffix('/').unwrap_or(text);
        f.write_str(&crate::text::sanitize(text))
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Proxy({self})")
    }
}

/// The answer for a request that failed inside the SOCKS handshake, or
/// `None` when `e` is some other failure. A proxy that refuses our
/// credentials is told once, not retried; a proxy that cannot reach the
/// server is a network error like any other.
pub fn socks_answer(e: &reqwest::Error, proxy: &Proxy) -> Option<Answer> {
    if !proxy.is_socks() {
        return None;
    }
    let cause = root_cause(e);
    let lower = cause.to_ascii_lowercase();
    if !lower.contains("socks") {
        return None;
    }
    const REFUSED: [&str; 3] = [
        "credentials not accepted",
        "does not support user/pass",
        "implements authentication incorrectly",
    ];
    let refused = REFUSED.iter().any(|r| lower.contains(r));
    let detail = if refused && proxy.0.password.is_none() && proxy.0.shown.username().is_empty() {
        // We offered no login; the proxy wants one (the library's text
        // then reads as if we had offered one).
        format!(
            "the SOCKS proxy {proxy} wants a user name and password: put them in [api] proxy as {}://USER:PASSWORD@{}",
            proxy.scheme(),
            proxy.host_port()
        )
    } else if refused {
        format!(
            "the SOCKS proxy {proxy} did not accept the user name and password of [api] proxy ({cause})"
        )
    } else {
        format!("cannot go through the SOCKS proxy {proxy} ({cause})")
    };
    tracing::debug!(cause = %cause, "socks failure");
    Some(Answer {
        outcome: Outcome::Error { detail },
        status: None,
        transient: !refused,
        retry_after: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_masked_everywhere_it_prints() {
        let p = Proxy::parse("socks5h://ana:s3cr%40t@127.0.0.1:9050").unwrap();
        assert_eq!(p.to_string(), "socks5h://ana:***@127.0.0.1:9050");
        assert_eq!(format!("{p:?}"), "Proxy(socks5h://ana:***@127.0.0.1:9050)");
        assert!(!format!("{p:?}{p}").contains("s3cr"));
    }

    #[test]
    fn socks_gets_its_default_port_and_http_stays_as_written() {
        assert_eq!(
            Proxy::parse("socks5://localhost").unwrap().to_string(),
            "socks5://localhost:1080"
        );
        assert_eq!(
            Proxy::parse("http://proxy.example:3128")
                .unwrap()
                .to_string(),
            "http://proxy.example:3128"
        );
    }

    #[test]
    fn unusable_schemes_and_shapes_are_refused_without_echoing() {
        for (text, want) in [
            ("socks4://u:pw@h:1", ProxyError::Scheme("socks4".into())),
            ("socks4a://h:1", ProxyError::Scheme("socks4a".into())),
            ("ftp://h", ProxyError::Scheme("ftp".into())),
            ("corporate proxy", ProxyError::NotAUrl),
            ("localhost:1080", ProxyError::NotAUrl),
            ("u:pw@127.0.0.1:1080", ProxyError::NotAUrl),
            ("socks5://h:1/path", ProxyError::Shape),
            ("socks5://u:pw@h:1?x=1", ProxyError::Shape),
        ] {
            assert_eq!(Proxy::parse(text).unwrap_err(), want, "{text}");
        }
    }

    #[test]
    fn reqwest_takes_every_accepted_scheme() {
        for text in [
            "http://u:p@h:1",
            "https://h:1",
            "socks5://h",
            "socks5h://u:p@h:2",
        ] {
            assert!(Proxy::parse(text).unwrap().to_reqwest().is_ok(), "{text}");
        }
    }
}
