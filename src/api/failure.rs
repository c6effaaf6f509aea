//! What a request that got no HTTP answer means. TLS refusals and problems
//! with the server's certificate become one sentence saying what is wrong
//! and what to check (never a Rust debug dump) and are never retried;
//! timeouts and other network errors are transient.

use rustls::{AlertDescription, CertificateError};

use super::client::root_cause;
use super::outcome::{Answer, Outcome};

/// Maps a failure with no HTTP answer to an [`Answer`].
pub(super) fn network_answer(e: reqwest::Error) -> Answer {
    let e = e.without_url();
    let cause = root_cause(&e);
    tracing::debug!(cause = %cause, "no answer");
    let tls = find_tls_error(&e);
    let refusal = match tls {
        Some(rustls::Error::AlertReceived(alert)) => {
            refuses_certificate(*alert).then(|| words(&format!("{alert:?}")))
        }
        _ => alert_in_text(&cause),
    };
    let (outcome, transient) = match tls {
        _ if refusal.is_some() => (
            Outcome::CertificateRequired {
                detail: format!(
                    "the server refused the client certificate (TLS alert: {})",
                    refusal.unwrap_or_default()
                ),
            },
            false,
        ),
        Some(rustls::Error::InvalidCertificate(cert)) => (
            Outcome::Error {
                detail: certificate_problem("the server's certificate", cert),
            },
            false,
        ),
        _ if e.is_timeout() => (
            Outcome::Error {
                detail: "timed out waiting for the server ([api] timeout_secs)".into(),
            },
            true,
        ),
        _ => (
            Outcome::Error {
                detail: format!("network error: {cause}"),
            },
            true,
        ),
    };
    Answer {
        outcome,
        status: None,
        transient,
        retry_after: None,
    }
}

/// The rustls error somewhere in the chain. TLS errors travel inside an
/// `io::Error`, whose `source()` skips the error it wraps, so each
/// `io::Error` is opened too.
pub(super) fn find_tls_error<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a rustls::Error> {
    let mut current = Some(e);
    while let Some(err) = current {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(tls) = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| find_tls_error(inner))
        {
            return Some(tls);
        }
        current = err.source();
    }
    None
}

/// TLS alerts a server sends when it does not accept our certificate
/// (`DecryptError`: the certificate's signature did not verify).
const CERT_ALERTS: [AlertDescription; 7] = [
    AlertDescription::CertificateRequired,
    AlertDescription::UnknownCA,
    AlertDescription::BadCertificate,
    AlertDescription::CertificateUnknown,
    AlertDescription::DecryptError,
    AlertDescription::AccessDenied,
    AlertDescription::HandshakeFailure,
];

fn refuses_certificate(alert: AlertDescription) -> bool {
    CERT_ALERTS.contains(&alert)
}

/// The certificate alert named in an error's text. With TLS 1.3 the server
/// refuses a client certificate after the handshake, and HTTP/2 passes the
/// alert on as text only (it keeps an I/O error's message, not the error),
/// so here the words are all there is.
fn alert_in_text(cause: &str) -> Option<String> {
    let (_, alert) = cause.split_once("received fatal alert: ")?;
    let alert: String = alert
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    CERT_ALERTS
        .into_iter()
        .find(|a| format!("{a:?}") == alert)
        .map(|_| words(&alert))
}

/// One sentence about a certificate rustls refused (`what` names it:
/// "the server's certificate"); only an unknown issuer points at
/// `[api] ca_cert`.
pub(super) fn certificate_problem(what: &str, e: &CertificateError) -> String {
    use CertificateError as C;
    match e {
        C::NotValidForNameContext {
            expected,
            presented,
        } => {
            let names: Vec<String> = presented.iter().filter_map(|n| presented_name(n)).collect();
            let names = if names.is_empty() {
                "names no host".to_owned()
            } else {
                format!("is for {}", names.join(", "))
            };
            format!(
                "{what} is not valid for {} (it {names}): check [api] base_url",
                crate::text::sanitize(&expected.to_str())
            )
        }
        C::NotValidForName => format!("{what} is not valid for this host: check [api] base_url"),
        C::ExpiredContext { not_after, .. } => {
            format!("{what} expired on {}", utc(not_after.as_secs()))
        }
        C::Expired => format!("{what} has expired"),
        C::NotValidYetContext { not_before, .. } => format!(
            "{what} is not valid before {}: check this computer's clock",
            utc(not_before.as_secs())
        ),
        C::NotValidYet => format!("{what} is not valid yet: check this computer's clock"),
        C::UnknownIssuer => format!(
            "{what} is not trusted (issued by an unknown CA): set [api] ca_cert to the CA that signed it"
        ),
        // A CA of the same name as one we trust, but another key: as
        // unknown an issuer as any.
        C::BadSignature => format!(
            "{what} is not trusted (its signature does not verify with the trusted CA of that name): set [api] ca_cert to the CA that signed it"
        ),
        C::BadEncoding => format!("{what} is malformed"),
        C::Revoked => format!("{what} has been revoked"),
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => {
            format!("{what} is not meant for a TLS server (extended key usage)")
        }
        C::UnsupportedSignatureAlgorithmContext { .. }
        | C::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            format!("{what} is signed with an algorithm that is not supported")
        }
        C::UnhandledCriticalExtension => {
            format!("{what} has a critical extension that is not supported")
        }
        C::Other(other) => format!("{what} is unusable ({})", words(&other.to_string())),
        _ => format!("{what} was refused"),
    }
}

/// A name from rustls's list of the names a certificate presents, which
/// comes as `DnsName("host")` or `IpAddress(1.2.3.4)`; other kinds are
/// left out.
fn presented_name(raw: &str) -> Option<String> {
    let inner = raw
        .strip_prefix("DnsName(\"")
        .and_then(|s| s.strip_suffix("\")"))
        .or_else(|| {
            raw.strip_prefix("IpAddress(")
                .and_then(|s| s.strip_suffix(')'))
        })?;
    Some(crate::text::sanitize_capped(inner, 256))
}

/// `UnsupportedCertVersion` as `unsupported cert version`: the identifiers
/// rustls and webpki print for their errors, made readable. Other text is
/// only sanitised.
pub(super) fn words(raw: &str) -> String {
    if raw.is_empty() || !raw.chars().all(|c| c.is_ascii_alphanumeric()) {
        return crate::text::sanitize_capped(raw, 200);
    }
    let mut out = String::with_capacity(raw.len() + 8);
    let chars: Vec<char> = raw.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
        let prev_lower = i > 0 && chars[i - 1].is_ascii_lowercase();
        if i > 0 && c.is_ascii_uppercase() && (prev_lower || next_lower) {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Seconds since 1970 as `2026-01-31T12:00:00.000Z`.
fn utc(secs: u64) -> String {
    i64::try_from(secs)
        .ok()
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map(crate::times::rfc3339)
        .unwrap_or_else(|| format!("{secs} s after 1970"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::{ServerName, UnixTime};
    use std::time::Duration;

    #[test]
    fn identifiers_become_words() {
        assert_eq!(words("UnsupportedCertVersion"), "unsupported cert version");
        assert_eq!(words("UnknownCA"), "unknown ca");
        assert_eq!(words("not an id: \u{1b}"), "not an id: \\e");
    }

    #[test]
    fn every_certificate_error_is_a_sentence_without_debug_text() {
        let name = ServerName::try_from("tip.example.com").unwrap().to_owned();
        let t = |s| UnixTime::since_unix_epoch(Duration::from_secs(s));
        let cases = [
            CertificateError::NotValidForNameContext {
                expected: name,
                presented: vec![
                    "DnsName(\"other.example\")".into(),
                    "IpAddress(10.0.0.1)".into(),
                ],
            },
            CertificateError::ExpiredContext {
                time: t(1_800_000_000),
                not_after: t(1_577_836_800),
            },
            CertificateError::NotValidYetContext {
                time: t(1),
                not_before: t(1_577_836_800),
            },
            CertificateError::UnknownIssuer,
            CertificateError::BadSignature,
            CertificateError::Revoked,
            CertificateError::UnknownRevocationStatus,
            CertificateError::ApplicationVerificationFailure,
            CertificateError::Other(rustls::OtherError(std::sync::Arc::new(
                std::io::Error::other("UnsupportedCertVersion"),
            ))),
        ];
        for case in &cases {
            let text = certificate_problem("the server's certificate", case);
            assert!(text.starts_with("the server's certificate "), "{text}");
            for debug in ["{", "(\"", "Context", "Other(", "OtherError"] {
                assert!(!text.contains(debug), "{text}");
            }
            assert_eq!(
                text.contains("ca_cert"),
                matches!(
                    case,
                    CertificateError::UnknownIssuer | CertificateError::BadSignature
                ),
                "{text}"
            );
        }
        assert_eq!(
            certificate_problem("the server's certificate", &cases[0]),
            "the server's certificate is not valid for tip.example.com \
             (it is for other.example, 10.0.0.1): check [api] base_url"
        );
        assert_eq!(
            certificate_problem("the server's certificate", &cases[1]),
            "the server's certificate expired on 2020-01-01T00:00:00.000Z"
        );
        assert!(
            certificate_problem("the server's certificate", &cases[8])
                .contains("(unsupported cert version)")
        );
    }
}
