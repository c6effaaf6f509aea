//! Loading the client certificate that TAE requires, in any of the forms
//! Kaspersky users hold it: the issued PKCS#12 (`.pfx`/`.p12`) with its
//! password, a combined PEM (what `curl --cert` takes), or separate PEM
//! certificate and key files, X.509 v1 or v3, the key plain or encrypted
//! (see [`super::encrypted_key`]). Everything ends as one PEM buffer with a
//! plain key, kept in secret memory, for [`super::tls`].

use std::path::{Path, PathBuf};

use p12_keystore::{KeyStore, Pkcs12ImportPolicy};
use secrecy::{ExposeSecret, SecretSlice, SecretString};

use super::encrypted_key::{self, KeyError};

/// Where a password for the certificate or key can be set, for messages.
const PASSWORD_SETTINGS: &str =
    "[api] client_cert_password, [api] client_cert_password_command or TIP_CERT_PASSWORD";

/// Why a certificate could not be used; every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// The file is missing, a directory, or unreadable.
    #[error("cannot read {path}: {reason}")]
    Read {
        /// The file we tried.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// The file is neither PEM nor PKCS#12, or holds no usable certificate or key.
    #[error("{path}: {reason}")]
    Content {
        /// The file at fault.
        path: PathBuf,
        /// What is wrong and what to do.
        reason: String,
    },
    /// The private key is not the certificate's: TLS would fail at once,
    /// so this is caught when the files are read, naming both.
    #[error("{key}: the private key does not match the certificate in {cert}")]
    KeyMismatch {
        /// The certificate file.
        cert: PathBuf,
        /// The key file (the same file for a combined PEM).
        key: PathBuf,
    },
    /// The password did not open the PKCS#12 file or the encrypted key.
    #[error("{path}: wrong certificate password (check {PASSWORD_SETTINGS})")]
    WrongPassword {
        /// The PKCS#12 file or the encrypted key file.
        path: PathBuf,
    },
    /// The PKCS#12 file or the key is protected and no password is set.
    #[error("{path}: {what}: set {PASSWORD_SETTINGS}")]
    NeedsPassword {
        /// The PKCS#12 file or the encrypted key file.
        path: PathBuf,
        /// What is protected, e.g. "the private key is encrypted".
        what: &'static str,
    },
}

impl IdentityError {
    /// The file the error is about (for a mismatch, the key file), so the
    /// config can name the setting that points at it.
    pub fn path(&self) -> &Path {
        match self {
            Self::Read { path, .. }
            | Self::Content { path, .. }
            | Self::WrongPassword { path }
            | Self::NeedsPassword { path, .. } => path,
            Self::KeyMismatch { key, .. } => key,
        }
    }
}

/// Where the client certificate comes from.
#[derive(Debug, Clone)]
pub struct IdentityFiles {
    /// Combined PEM, certificate-only PEM (with `key`), or PKCS#12.
    pub cert: PathBuf,
    /// Separate PEM key, when `cert` holds only the certificate.
    pub key: Option<PathBuf>,
    /// The password of the PKCS#12 file or of an encrypted PEM key.
    pub password: Option<SecretString>,
}

/// A loaded client identity: certificate chain and key as one PEM buffer,
/// plus what the status bar and expiry warnings need to know about it.
#[derive(Clone)]
pub struct ClientIdentity {
    pem: SecretSlice<u8>,
    /// The leaf certificate's subject, e.g. `CN=analyst`.
    pub subject: String,
    /// Expiry of the leaf certificate, seconds since the Unix epoch.
    pub not_after: i64,
    /// Expiry as a readable date.
    pub not_after_text: String,
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("subject", &self.subject)
            .field("not_after", &self.not_after_text)
            .finish_non_exhaustive()
    }
}

impl ClientIdentity {
    /// Loads the files, whichever form they are in.
    pub fn load(files: &IdentityFiles) -> Result<Self, IdentityError> {
        let cert = read(&files.cert)?;
        if looks_like_pem(&cert) {
            let mut combined = cert;
            if let Some(key_path) = &files.key {
                combined.push(b'\n');
                combined.extend_from_slice(&read(key_path)?);
            }
            let key = files.key.as_deref().unwrap_or(&files.cert);
            return Self::from_pem_files(combined, &files.cert, key, files.password.as_ref());
        }
        if files.key.is_some() {
            return Err(content(
                &files.cert,
                "is not a PEM certificate, but [api] client_key is set; a PKCS#12 file carries its own key",
            ));
        }
        // PKCS#12 is DER: an ASN.1 SEQUENCE, first byte 0x30.
        if cert.first() != Some(&0x30) {
            return Err(content(
                &files.cert,
                "is neither a PEM certificate nor a PKCS#12 file",
            ));
        }
        let pem = match &files.password {
            Some(password) => pkcs12_to_pem(&cert, password.expose_secret(), &files.cert)?,
            // `openssl pkcs12 -export -passout pass:` makes files whose
            // password is empty; curl opens them without one, so do we.
            None => pkcs12_to_pem(&cert, "", &files.cert).map_err(|e| match e {
                IdentityError::WrongPassword { path } => IdentityError::NeedsPassword {
                    path,
                    what: "the PKCS#12 file is protected by a password",
                },
                other => other,
            })?,
        };
        Self::from_pem(pem, &files.cert)
    }

    /// Checks a PEM buffer holding certificate(s) and a key; `origin` names it
    /// in errors (a path, or a label for in-memory material).
    pub fn from_pem(pem_bytes: Vec<u8>, origin: &Path) -> Result<Self, IdentityError> {
        Self::from_pem_files(pem_bytes, origin, origin, None)
    }

    /// [`ClientIdentity::from_pem`] for a certificate and a key that may come
    /// from two files, so a mismatch names both; an encrypted key is
    /// unlocked with `password`.
    fn from_pem_files(
        pem_bytes: Vec<u8>,
        origin: &Path,
        key_origin: &Path,
        password: Option<&SecretString>,
    ) -> Result<Self, IdentityError> {
        let blocks = pem::parse_many(&pem_bytes)
            .map_err(|e| content(origin, &format!("is not valid PEM ({e})")))?;
        let leaf = blocks
            .iter()
            .find(|b| b.tag() == "CERTIFICATE")
            .ok_or_else(|| {
                content(
                    origin,
                    "holds no certificate (expected -----BEGIN CERTIFICATE-----)",
                )
            })?;
        let key = blocks
            .iter()
            .find(|b| b.tag().ends_with("PRIVATE KEY"))
            .ok_or_else(|| {
                content(
                    origin,
                    "holds no private key: use a PEM with certificate and key, or set [api] client_key",
                )
            })?;
        let plain = encrypted_key::decrypt(key, password).map_err(|e| match e {
            KeyError::NeedsPassword => IdentityError::NeedsPassword {
                path: key_origin.to_owned(),
                what: "the private key is encrypted",
            },
            KeyError::WrongPassword => IdentityError::WrongPassword {
                path: key_origin.to_owned(),
            },
            KeyError::Unsupported(reason) => content(key_origin, &reason),
        })?;
        let key_der = plain
            .as_ref()
            .map_or(key.contents(), |k| k.der.expose_secret());
        if keys_differ(leaf.contents(), key_der) {
            return Err(IdentityError::KeyMismatch {
                cert: origin.to_owned(),
                key: key_origin.to_owned(),
            });
        }
        let (subject, not_after, not_after_text) = describe_leaf(leaf.contents(), origin)?;
        let pem = match plain {
            None => SecretSlice::from(pem_bytes),
            Some(plain) => with_plain_key(&blocks, &plain),
        };
        Ok(Self {
            pem,
            subject,
            not_after,
            not_after_text,
        })
    }

    /// The PEM buffer for `reqwest::Identity::from_pem`.
    pub fn pem(&self) -> &[u8] {
        self.pem.expose_secret()
    }

    /// Whole days until expiry (negative once expired), from `now` in Unix seconds.
    pub fn days_left(&self, now: i64) -> i64 {
        (self.not_after - now).div_euclid(86_400)
    }
}

fn describe_leaf(der: &[u8], origin: &Path) -> Result<(String, i64, String), IdentityError> {
    let (_, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|e| content(origin, &format!("the certificate cannot be parsed ({e})")))?;
    if cert.is_ca() {
        return Err(content(
            origin,
            "is a CA certificate, not a client certificate: use the certificate Kaspersky issued to you",
        ));
    }
    let not_after = cert.validity().not_after;
    Ok((
        cert.subject().to_string(),
        not_after.timestamp(),
        crate::times::rfc3339_ms(not_after.timestamp().saturating_mul(1000)),
    ))
}

fn pkcs12_to_pem(der: &[u8], password: &str, path: &Path) -> Result<Vec<u8>, IdentityError> {
    let store = KeyStore::from_pkcs12(der, password, Pkcs12ImportPolicy::Relaxed).map_err(|e| {
        let msg = e.to_string();
        if msg.to_ascii_lowercase().contains("mac") {
            IdentityError::WrongPassword {
                path: path.to_owned(),
            }
        } else {
            content(
                path,
                &format!("is neither PEM nor a readable PKCS#12 file ({msg})"),
            )
        }
    })?;
    let (_, chain) = store.private_key_chain().ok_or_else(|| {
        content(
            path,
            "the PKCS#12 file holds no private key with a certificate",
        )
    })?;
    let mut blocks: Vec<pem::Pem> = chain
        .certs()
        .iter()
        .map(|c| pem::Pem::new("CERTIFICATE", c.as_der().to_vec()))
        .collect();
    blocks.push(pem::Pem::new("PRIVATE KEY", chain.key().as_der().to_vec()));
    Ok(pem::encode_many(&blocks).into_bytes())
}

/// The certificates of `blocks` and the unlocked key as one PEM buffer,
/// built in memory that is wiped when dropped (the encrypted key and any
/// text between the blocks are left out).
fn with_plain_key(blocks: &[pem::Pem], key: &encrypted_key::PlainKey) -> SecretSlice<u8> {
    use base64::Engine;
    use secrecy::zeroize::Zeroizing;
    let der = key.der.expose_secret();
    let certs: String = blocks
        .iter()
        .filter(|b| b.tag() == "CERTIFICATE")
        .map(pem::encode)
        .collect();
    let mut b64 = Zeroizing::new(String::with_capacity(der.len().div_ceil(3) * 4));
    base64::engine::general_purpose::STANDARD.encode_string(der, &mut b64);
    let label = &key.label;
    // The exact size, so that turning the buffer into the secret's box
    // does not reallocate (and leave an unwiped copy behind).
    let len = certs.len() + 2 * label.len() + 32 + b64.len() + b64.len().div_ceil(64);
    let mut out = Zeroizing::new(Vec::with_capacity(len));
    out.extend_from_slice(certs.as_bytes());
    out.extend_from_slice(format!("-----BEGIN {label}-----\n").as_bytes());
    for line in b64.as_bytes().chunks(64) {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out.extend_from_slice(format!("-----END {label}-----\n").as_bytes());
    debug_assert_eq!(out.len(), len);
    SecretSlice::from(std::mem::take(&mut *out))
}

/// True only when the key is readable and provably not the certificate's
/// (a key type rustls cannot read is left for the TLS set-up to report).
/// The certificate is read with x509-parser, which takes X.509 v1 as well
/// as v3 (rustls's own check goes through webpki, which refuses v1).
fn keys_differ(leaf: &[u8], key: &[u8]) -> bool {
    use rustls::pki_types::PrivateKeyDer;
    use secrecy::zeroize::Zeroize;
    let Ok(mut key) = PrivateKeyDer::try_from(key.to_vec()) else {
        return false;
    };
    let signer = rustls::crypto::ring::sign::any_supported_type(&key);
    // This copy of the key is only for the check: wipe it.
    key.zeroize();
    let Ok(signer) = signer else {
        return false;
    };
    let Some(key_spki) = signer.public_key() else {
        return false;
    };
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(leaf) else {
        return false;
    };
    cert.public_key().raw != key_spki.as_ref()
}

fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"-----BEGIN ")
}

fn read(path: &Path) -> Result<Vec<u8>, IdentityError> {
    crate::fs::read_regular(path, crate::fs::SMALL_FILE_CAP).map_err(|e| IdentityError::Read {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

fn content(path: &Path, reason: &str) -> IdentityError {
    IdentityError::Content {
        path: path.to_owned(),
        reason: reason.to_owned(),
    }
}
