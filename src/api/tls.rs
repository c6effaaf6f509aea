//! The rustls client configuration, built here rather than by reqwest so
//! that an X.509 v1 client certificate works: reqwest hands certificate and
//! key to rustls's `with_client_auth_cert`, which checks that they match by
//! parsing the certificate with webpki, and webpki refuses anything but v3
//! (`UnsupportedCertVersion`) although OpenSSL servers, and curl, take v1.
//! The match is already checked by [`super::identity`], for v1 too.
//!
//! Everything else is what reqwest would build: the system trust store plus
//! `[api] ca_cert` (or only the simulator's CA), TLS 1.2 and 1.3, ALPN h2 and
//! http/1.1, and the process's crypto provider (ring, installed by
//! [`super::client::install_crypto_provider`]).

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::client::{ClientError, ClientSettings, root_cause};
use super::identity::ClientIdentity;

/// The TLS configuration for [`super::Client`], for reqwest's
/// `tls_backend_preconfigured`.
pub fn client_config(settings: &ClientSettings) -> Result<rustls::ClientConfig, ClientError> {
    let provider = CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .map_err(|e| setting(format!("cannot set up TLS: {e}")))?;
    let extra_roots = match &settings.ca_pem {
        Some(pem) => ca_roots(pem)?,
        None => Vec::new(),
    };
    let builder = if settings.ca_only {
        let mut roots = rustls::RootCertStore::empty();
        for cert in extra_roots {
            roots.add(cert).map_err(|e| {
                setting(format!(
                    "[api] ca_cert: the CA certificate is unusable ({e})"
                ))
            })?;
        }
        builder.with_root_certificates(roots)
    } else {
        let verifier = if extra_roots.is_empty() {
            rustls_platform_verifier::Verifier::new(provider.clone())
        } else {
            rustls_platform_verifier::Verifier::new_with_extra_roots(extra_roots, provider.clone())
        }
        .map_err(|e| {
            setting(format!(
                "cannot read the system's trusted certificates: {e}"
            ))
        })?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
    };
    let mut config = match &settings.identity {
        Some(identity) => builder.with_client_cert_resolver(Arc::new(
            rustls::sign::SingleCertAndKey::from(certified_key(identity, &provider)?),
        )),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// Certificate chain and signing key, without rustls's webpki-based
/// consistency check (see the module comment).
fn certified_key(
    identity: &ClientIdentity,
    provider: &CryptoProvider,
) -> Result<rustls::sign::CertifiedKey, ClientError> {
    let unusable = |detail: String| {
        setting(format!(
            "[api] client_cert: the certificate or key is unusable ({detail})"
        ))
    };
    let chain = CertificateDer::pem_slice_iter(identity.pem())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unusable(root_cause(&e)))?;
    if chain.is_empty() {
        return Err(unusable("no certificate".into()));
    }
    let key =
        PrivateKeyDer::from_pem_slice(identity.pem()).map_err(|e| unusable(root_cause(&e)))?;
    let signer = provider
        .key_provider
        .load_private_key(key)
        .map_err(|e| unusable(format!("the private key cannot sign: {e}")))?;
    Ok(rustls::sign::CertifiedKey::new(chain, signer))
}

/// The certificates of `[api] ca_cert`.
fn ca_roots(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, ClientError> {
    let roots = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| setting(format!("[api] ca_cert: the file is not valid PEM ({e})")))?;
    if roots.is_empty() {
        return Err(setting(
            "[api] ca_cert: the file holds no PEM certificate".into(),
        ));
    }
    Ok(roots)
}

fn setting(message: String) -> ClientError {
    ClientError::Setting(message)
}
