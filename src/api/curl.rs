//! The request as a curl command (the dashboard's `y`), for people to run
//! by hand: the same request with the TLS and proxy settings in effect, so
//! it works as shown. Secrets never appear in it: curl asks for the
//! account's password (and a certificate's) itself.

use std::path::{Path, PathBuf};

use url::Url;

use super::client::endpoint_url;
use super::params::{RescanParams, Reveal, TaskId};
use super::proxy::Proxy;
use crate::shell::ShellLine;

/// The settings the command carries besides the request: the files of the
/// client certificate, its separate key and the trusted CA, and the proxy.
#[derive(Debug, Clone, Default)]
pub struct CurlSetup {
    /// The client certificate (`--cert`): PEM, or PKCS#12 by its extension.
    pub cert: Option<PathBuf>,
    /// A separate PEM key (`--key`).
    pub key: Option<PathBuf>,
    /// The CA to trust (`--cacert`).
    pub ca_cert: Option<PathBuf>,
    /// The proxy (`--proxy`, and `--noproxy` for a `NO_PROXY` list).
    pub proxy: Option<Proxy>,
}

impl CurlSetup {
    /// True when the proxy's password is set: the command leaves it out
    /// (curl would not ask for it), which the person must be told.
    pub fn lacks_proxy_password(&self) -> bool {
        self.proxy.as_ref().is_some_and(Proxy::has_password)
    }
}

/// The request as a curl command: `-u 'USER'` (curl asks for the
/// password), the certificate, key, CA and proxy of `setup`, and the URL
/// with secret parameters as `***`.
///
/// Every argument is quoted for a POSIX shell, so the command runs as shown
/// whatever the user name, a path or the URL holds (`'`, spaces, `$`,
/// backticks). A value with characters that must not reach a terminal raw
/// (newlines, escapes, bidi marks) is spelled with `printf` octal escapes
/// instead, so the text is both safe to draw and exact when pasted.
pub fn curl_command(
    base: &Url,
    username: &str,
    setup: &CurlSetup,
    task: &TaskId,
    params: &RescanParams,
) -> String {
    let url = endpoint_url(base, task, params, Reveal::Masked);
    let mut line = ShellLine::default();
    let mut args = vec!["-u".to_owned(), line.word(username)];
    let mut option = |name: &str, value: &str| {
        args.push(name.to_owned());
        args.push(line.word(value));
    };
    if let Some(cert) = &setup.cert {
        if is_pkcs12(cert) {
            option("--cert-type", "P12");
        }
        option("--cert", &cert_argument(cert));
    }
    if let Some(key) = &setup.key {
        option("--key", &key.to_string_lossy());
    }
    if let Some(ca) = &setup.ca_cert {
        option("--cacert", &ca.to_string_lossy());
    }
    if let Some(proxy) = &setup.proxy {
        option("--proxy", &proxy.without_password());
        if let Some(list) = proxy.no_proxy() {
            option("--noproxy", list);
        }
    }
    let url = line.word(url.as_str());
    format!(
        "{}curl {} -X PUT --header 'Content-Length: 0' {url}",
        line.setup(),
        args.join(" ")
    )
}

/// `.p12` or `.pfx`: curl reads PEM unless told otherwise.
fn is_pkcs12(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("p12") || e.eq_ignore_ascii_case("pfx"))
}

/// A `--cert` value: curl reads `FILE:PASSWORD` there, so a `:` (and the
/// `\` that escapes it) in the path is escaped.
fn cert_argument(path: &Path) -> String {
    path.to_string_lossy()
        .replace('\\', "\\\\")
        .replace(':', "\\:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pkcs12_certificate_is_named_so_and_colons_in_its_path_are_escaped() {
        assert!(is_pkcs12(Path::new("/a/tip.PFX")) && is_pkcs12(Path::new("b.p12")));
        assert!(!is_pkcs12(Path::new("/a/tip.pem")));
        assert_eq!(
            cert_argument(Path::new("/c:d/e\\f.pem")),
            "/c\\:d/e\\\\f.pem"
        );
    }
}
