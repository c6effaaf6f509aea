//! The one HTTP client: builds the rescan PUT exactly as the vendor's curl
//! example does and maps whatever comes back to an [`Answer`].

use std::net::IpAddr;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, HeaderValue, LOCATION, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::failure::{self, network_answer};
use super::identity::ClientIdentity;
use super::outcome::{self, Answer};
use super::params::{MASK, RescanParams, Reveal, TaskId};
use super::proxy::{Proxy, socks_answer};

/// The path prefix of the rescan endpoint; the task id is the next segment.
pub const ENDPOINT_PATH: [&str; 4] = ["api", "attribution", "tasks", "file_from_url"];
/// What we call ourselves on the wire.
pub const USER_AGENT: &str = concat!("tae-rescan/", env!("CARGO_PKG_VERSION"));
/// Most bytes of an answer body we read; the rest is dropped.
const BODY_READ_LIMIT: usize = 64 * 1024;

/// Makes `ring` rustls's process-wide crypto provider, which the pooled
/// client then uses. Called first thing by the binary. ring is the only
/// provider built in (aws-lc-rs, rustls's default, seeds its random
/// generator from CPU jitter on first use, ~40 ms of CPU per process, a
/// third of a 2,000-request bulk run; ring reads the OS generator). A no-op
/// when a provider is already installed.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Everything needed to talk to TIP, already validated by `config`.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// `https://tip.kaspersky.com`, or the simulator.
    pub base_url: Url,
    /// Basic-auth user name.
    pub username: String,
    /// Basic-auth password.
    pub password: SecretString,
    /// The client certificate; TAE refuses requests without one.
    pub identity: Option<ClientIdentity>,
    /// Extra trusted CA certificates (PEM), added to the system roots.
    pub ca_pem: Option<Vec<u8>>,
    /// Only these roots are trusted (the embedded simulator's CA).
    pub ca_only: bool,
    /// The proxy to go through (the config already folded in the proxy
    /// variables); `None` connects directly.
    pub proxy: Option<Proxy>,
    /// Per-request timeout, connection included.
    pub timeout: Duration,
}

/// Why a client could not be built: always a configuration problem.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// A setting is unusable; the message names it.
    #[error("{0}")]
    Setting(String),
}

/// One pooled HTTP client reused for every request of a run.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: Url,
    /// `Basic base64(user:password)`, built once and marked sensitive so
    /// neither reqwest nor hyper ever prints it.
    authorization: HeaderValue,
    /// The proxy, to explain its failures (shown with its password masked).
    proxy: Option<Proxy>,
}

impl Client {
    /// Builds the pooled client; fails at start-up (not on the first request)
    /// when the certificate, key, CA or proxy are unusable.
    pub fn new(settings: &ClientSettings) -> Result<Self, ClientError> {
        let mut builder = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .pool_idle_timeout(Duration::from_secs(60))
            // A redirect would re-send the PUT (credentials, client
            // certificate, unzip password) to wherever it points, or turn
            // it into a GET whose 200 looks accepted: never follow one.
            .redirect(reqwest::redirect::Policy::none())
            .tls_backend_rustls();
        // Identity and trusted roots: our own rustls config (X.509 v1).
        builder = builder.tls_backend_preconfigured(super::tls::client_config(settings)?);
        builder = match &settings.proxy {
            Some(p) => builder.proxy(
                p.to_reqwest()
                    .map_err(|e| ClientError::Setting(format!("[api] proxy {p}: {e}")))?,
            ),
            None if is_loopback(&settings.base_url) => builder.no_proxy(),
            // The platform's own proxy settings (the variables were
            // already read, and found unset, by the config).
            None => builder,
        };
        // A key that does not match its certificate was already refused by
        // `ClientIdentity`, naming both files.
        let http = builder
            .build()
            .map_err(|e| ClientError::Setting(format!("cannot set up TLS: {}", root_cause(&e))))?;
        Ok(Self {
            http,
            base_url: settings.base_url.clone(),
            authorization: basic_auth(settings)?,
            proxy: settings.proxy.clone(),
        })
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// Sends one rescan and maps the answer. Never panics, never returns the
    /// URL (which may carry an unzip password) in an error.
    pub async fn rescan(&self, task: &TaskId, params: &RescanParams) -> Answer {
        self.rescan_noting_status(task, params, || {}).await
    }

    /// [`Client::rescan`], calling `on_status` as soon as the status line has
    /// arrived, before the body is read: from then on the verdict is the
    /// server's, so a cancel must let the answer be recorded.
    pub async fn rescan_noting_status(
        &self,
        task: &TaskId,
        params: &RescanParams,
        on_status: impl FnOnce(),
    ) -> Answer {
        tracing::debug!(url = %endpoint_url(&self.base_url, task, params, Reveal::Masked), "PUT");
        let url = endpoint_url(&self.base_url, task, params, Reveal::Secret);
        let request = self
            .http
            .put(url)
            .header(AUTHORIZATION, self.authorization.clone())
            .header(CONTENT_LENGTH, "0");
        match request.send().await {
            Ok(response) => {
                on_status();
                read_answer(response, task).await
            }
            Err(e) => match self.proxy.as_ref().and_then(|p| socks_answer(&e, p)) {
                Some(answer) => answer,
                None => network_answer(e),
            },
        }
    }
}

/// The certificates of a PEM bundle given as `[api] ca_cert`; `None` when
/// it holds none. The config checks this when it reads the file, so the
/// error names the file and the config.
pub fn ca_certificates(pem: &[u8]) -> Option<Vec<reqwest::Certificate>> {
    reqwest::Certificate::from_pem_bundle(pem)
        .ok()
        .filter(|certs| !certs.is_empty())
}

fn basic_auth(settings: &ClientSettings) -> Result<HeaderValue, ClientError> {
    use base64::Engine;
    let credentials = format!(
        "{}:{}",
        settings.username,
        settings.password.expose_secret()
    );
    let encoded = base64::engine::general_purpose::STANDARD.encode(credentials);
    let mut value = HeaderValue::from_str(&format!("Basic {encoded}")).map_err(|_| {
        ClientError::Setting("[api] username: contains characters that cannot be sent".into())
    })?;
    value.set_sensitive(true);
    Ok(value)
}

async fn read_answer(mut response: reqwest::Response, task: &TaskId) -> Answer {
    let status = response.status().as_u16();
    if response.status().is_redirection() {
        let location = response
            .headers()
            .get(LOCATION)
            .map(|v| redirect_target(response.url(), v.as_bytes()));
        tracing::debug!(task = %task, status, "redirect not followed");
        return outcome::redirected(status, location.as_deref());
    }
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                body.extend_from_slice(&chunk);
                if body.len() >= BODY_READ_LIMIT {
                    body.truncate(BODY_READ_LIMIT);
                    break;
                }
            }
            Ok(None) => break,
            // The status arrived; a body cut short does not change the verdict.
            Err(_) => break,
        }
    }
    let answer = outcome::from_response(status, &body, task.as_str(), retry_after);
    tracing::debug!(task = %task, status, outcome = answer.outcome.label(), "answer");
    answer
}

/// Where a redirect points, safe to print: resolved against the request
/// URL, without its query or fragment (which can carry secrets), without
/// any `user:password@`, sanitised and capped.
fn redirect_target(request: &Url, location: &[u8]) -> String {
    let raw = String::from_utf8_lossy(location);
    let raw = raw.trim();
    match request.join(raw) {
        Ok(mut url) => {
            url.set_query(None);
            url.set_fragment(None);
            let _ = url.set_username("");
            let _ = url.set_password(None);
            crate::text::sanitize_capped(url.as_str(), 300)
        }
        // Not a URL: keep what comes before a query or fragment, and
        // after any `user:password@`.
        Err(_) => {
            let cut = raw.split(['?', '#']).next().unwrap_or_default();
            let cut = cut.rsplit_once('@').map_or(cut, |(_, host)| host);
            crate::text::sanitize_capped(cut, 300)
        }
    }
}

/// `Retry-After` as seconds or an HTTP date. Seconds beyond what a
/// `u64` holds mean "a very long time" (the longest `Duration`), a date
/// in the past means now; anything else (a sign, a fraction, garbage) is
/// malformed and gives `None`, so the normal backoff applies.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(
            value.parse::<u64>().unwrap_or(u64::MAX),
        ));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// The innermost meaningful cause of an error chain, one line, no URL.
pub fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = e.source();
    while let Some(err) = current {
        let s = err.to_string();
        if !s.is_empty() && !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        current = err.source();
    }
    // rustls prints certificate errors as Rust debug text
    // (`Other(OtherError(..))`): say it in words instead.
    if let Some(rustls::Error::InvalidCertificate(cert)) = failure::find_tls_error(e) {
        return failure::certificate_problem("the certificate", cert);
    }
    let text = parts.last().cloned().unwrap_or_else(|| e.to_string());
    crate::text::sanitize_capped(&without_byte_literals(&text), 300)
}

/// `reason (b"too_many_continuations")` as `reason (too_many_continuations)`:
/// h2 names some reasons as Rust byte strings, which mean nothing to people.
fn without_byte_literals(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("b\"") {
        let starts_word = rest[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        match rest[at + 2..].find('"') {
            Some(end) if starts_word => {
                out.push_str(&rest[..at]);
                out.push_str(&rest[at + 2..at + 2 + end]);
                rest = &rest[at + 3 + end..];
            }
            _ => {
                out.push_str(&rest[..at + 2]);
                rest = &rest[at + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The full request URL; `Reveal::Masked` gives the one to show people.
pub fn endpoint_url(base: &Url, task: &TaskId, params: &RescanParams, reveal: Reveal) -> Url {
    let mut url = base.clone();
    if let Ok(mut segments) = url.path_segments_mut() {
        segments
            .pop_if_empty()
            .extend(ENDPOINT_PATH)
            .push(task.as_str());
    }
    let pairs = params.query_pairs(reveal);
    if !pairs.is_empty() {
        url.query_pairs_mut().extend_pairs(pairs);
    }
    url
}

/// The request as text for `--dry-run`: method, URL and headers, with every
/// secret shown as `***`.
pub fn describe_request(
    base: &Url,
    username: &str,
    task: &TaskId,
    params: &RescanParams,
) -> String {
    let url = endpoint_url(base, task, params, Reveal::Masked);
    format!(
        "PUT {url}\nAuthorization: Basic {MASK} (user {user})\nContent-Length: 0\nUser-Agent: {USER_AGENT}",
        user = crate::text::sanitize(username)
    )
}

/// True when `url` points at this machine: the only place plain `http://`
/// is allowed, and where a configured proxy could not help anyway.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_string_literals_become_words() {
        assert_eq!(
            without_byte_literals(
                r#"connection error detected: detected excessive load generating behavior (b"too_many_continuations")"#
            ),
            "connection error detected: detected excessive load generating behavior (too_many_continuations)"
        );
        assert_eq!(without_byte_literals("plain b\"x"), "plain b\"x");
        assert_eq!(without_byte_literals(r#"a verb"x""#), r#"a verb"x""#);
    }

    #[test]
    fn retry_after_huge_values_saturate_and_malformed_ones_are_ignored() {
        let secs = |s: &str| parse_retry_after(s).map(|d| d.as_secs());
        assert_eq!(secs("120"), Some(120));
        assert_eq!(secs(" 7 "), Some(7));
        assert_eq!(secs("999999999"), Some(999_999_999));
        assert_eq!(secs("18446744073709551616"), Some(u64::MAX));
        assert_eq!(secs(&"9".repeat(10_000)), Some(u64::MAX));
        assert_eq!(secs("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert!(secs("Fri, 31 Dec 9999 23:59:59 GMT").unwrap() > 200_000_000_000);
        for bad in ["", "-1", "+5", "1.5", "1e3", "soon", "12 s", "Mon, 32 Foo"] {
            assert_eq!(secs(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_redirect_target_loses_query_fragment_and_credentials() {
        let request = Url::parse("https://tip.example/api/x/t1?unzip_password=s3cr3t").unwrap();
        let target = |l: &str| redirect_target(&request, l.as_bytes());
        assert_eq!(
            target("https://u:p@sso.example:8443/login?next=%2F#f"),
            "https://sso.example:8443/login"
        );
        assert_eq!(target("/login?x=1"), "https://tip.example/login");
        assert_eq!(target("?page=2"), "https://tip.example/api/x/t1");
        assert_eq!(target("http://[bad?q=1"), "http://[bad");
        assert_eq!(target("https://u:p@[bad/x?q"), "[bad/x");
        assert!(!target("/a\u{1b}[2Jb").contains('\u{1b}'));
    }
}
