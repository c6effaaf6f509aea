//! A throw-away certificate authority for the simulator: server certificate,
//! client certificate (PEM and password-protected PKCS#12), written to and
//! reused from a directory so a user can point a real client at the simulator.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

use super::error::SimError;

/// Subject CN of the generated CA.
pub const CA_CN: &str = "tae-rescan simulator CA";
/// Subject CN of the default client certificate.
pub const CLIENT_CN: &str = "tae-demo";

const ONE_DAY: Duration = Duration::from_secs(24 * 3600);
/// Leaf certificates live two years (like a vendor-issued client certificate).
const LEAF_LIFETIME: Duration = Duration::from_secs(2 * 365 * 24 * 3600);
/// The CA lives ten years so a reused directory keeps working.
const CA_LIFETIME: Duration = Duration::from_secs(10 * 365 * 24 * 3600);
/// 9999-12-31T23:59:59Z, the last instant X.509 can express.
const MAX_UNIX_SECS: u64 = 253_402_300_799;

/// File names inside a TLS directory, in the order they are written.
const FILES: [&str; 9] = [
    "ca.pem",
    "ca-key.pem",
    "server.pem",
    "server-key.pem",
    "client.pem",
    "client-cert.pem",
    "client-key.pem",
    "client.p12",
    "client.p12.password",
];

/// The simulator's whole PKI: a CA, the server certificate it signed, and one
/// client identity in every form a real TIP user meets (PEM pair, combined PEM,
/// PKCS#12 with a password).
///
/// Exists so demo mode, tests and benchmarks can run real mutual TLS without
/// any external tool.
#[derive(Clone)]
pub struct Pki {
    /// The CA certificate (PEM); clients trust it to reach the simulator.
    pub ca_cert_pem: String,
    /// The CA private key (PKCS#8 PEM); needed to issue more client certificates.
    pub ca_key_pem: String,
    /// The server certificate for `localhost`, `127.0.0.1` and `::1` (PEM).
    pub server_cert_pem: String,
    /// The server private key (PKCS#8 PEM).
    pub server_key_pem: String,
    /// The client certificate with CN `tae-demo` (PEM).
    pub client_cert_pem: String,
    /// The client private key (PKCS#8 PEM).
    pub client_key_pem: String,
    /// The client certificate chain and key as PKCS#12, like Kaspersky ships it.
    pub client_p12: Vec<u8>,
    /// The random password protecting [`Pki::client_p12`].
    pub client_p12_password: String,
}

impl std::fmt::Debug for Pki {
    /// Keys and passwords are never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pki")
            .field("ca", &CA_CN)
            .field("client", &CLIENT_CN)
            .finish_non_exhaustive()
    }
}

impl Pki {
    /// Generates a fresh CA ("tae-rescan simulator CA"), a server certificate
    /// for localhost/127.0.0.1/::1 and a client certificate with CN "tae-demo",
    /// both signed by the CA, plus a PKCS#12 of the client protected by a
    /// random password.
    pub fn generate() -> Result<Pki, SimError> {
        let now = SystemTime::now();
        let ca_key = new_key("the simulator CA key")?;
        let mut ca_params = CertificateParams::default();
        ca_params.distinguished_name = rcgen::DistinguishedName::new();
        ca_params.distinguished_name.push(DnType::CommonName, CA_CN);
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        set_validity(
            &mut ca_params,
            now - ONE_DAY,
            now + CA_LIFETIME,
            "the simulator CA",
        )?;
        let ca_cert = ca_params
            .self_signed(&ca_key)
            .map_err(|e| cert_err("the simulator CA", e))?;
        let issuer = Issuer::new(ca_params, &ca_key);

        let server_key = new_key("the server key")?;
        let mut server_params =
            CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into(), "::1".into()])
                .map_err(|e| cert_err("the server certificate", e))?;
        server_params.distinguished_name = rcgen::DistinguishedName::new();
        server_params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        server_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        server_params.use_authority_key_identifier_extension = true;
        set_validity(
            &mut server_params,
            now - ONE_DAY,
            now + LEAF_LIFETIME,
            "the server certificate",
        )?;
        let server_cert = server_params
            .signed_by(&server_key, &issuer)
            .map_err(|e| cert_err("the server certificate", e))?;

        let (client_cert_pem, client_key_pem) =
            sign_client(&issuer, CLIENT_CN, now - ONE_DAY, now + LEAF_LIFETIME)?;
        let client_p12_password = random_password();
        let ca_cert_pem = ca_cert.pem();
        let client_p12 = build_p12(
            &client_cert_pem,
            &client_key_pem,
            &ca_cert_pem,
            &client_p12_password,
        )?;
        Ok(Pki {
            ca_cert_pem,
            ca_key_pem: ca_key.serialize_pem(),
            server_cert_pem: server_cert.pem(),
            server_key_pem: server_key.serialize_pem(),
            client_cert_pem,
            client_key_pem,
            client_p12,
            client_p12_password,
        })
    }

    /// Reuses the files in `dir` if all of them are present, otherwise creates
    /// `dir` and writes a fresh set (keys, PKCS#12 and its password file with
    /// mode 0600). Returns the PKI and whether it was newly created.
    ///
    /// Files: `ca.pem`, `ca-key.pem`, `server.pem`, `server-key.pem`,
    /// `client.pem` (certificate and key, like a `curl --cert` file),
    /// `client-cert.pem`, `client-key.pem`, `client.p12`, `client.p12.password`.
    pub fn load_or_create(dir: &Path) -> Result<(Pki, bool), SimError> {
        if FILES.iter().all(|f| dir.join(f).is_file()) {
            return Ok((Self::load(dir)?, false));
        }
        let pki = Self::generate()?;
        pki.write_to(dir)?;
        Ok((pki, true))
    }

    /// The client certificate followed by its key in one PEM text: what
    /// `reqwest::Identity::from_pem` and `curl --cert` expect.
    pub fn client_combined_pem(&self) -> String {
        combine(&self.client_cert_pem, &self.client_key_pem)
    }

    /// Issues another client certificate signed by this CA, valid from
    /// `not_before` to `not_after`, so tests can exercise expiring, expired or
    /// differently named identities. Returns `(cert_pem, key_pem)`.
    pub fn issue_client(
        &self,
        cn: &str,
        not_before: SystemTime,
        not_after: SystemTime,
    ) -> Result<(String, String), SimError> {
        let ca_key = KeyPair::from_pem(&self.ca_key_pem).map_err(|e| SimError::BadPem {
            path: PathBuf::from("<CA key>"),
            reason: e.to_string(),
        })?;
        let issuer =
            Issuer::from_ca_cert_pem(&self.ca_cert_pem, &ca_key).map_err(|e| SimError::BadPem {
                path: PathBuf::from("<CA certificate>"),
                reason: e.to_string(),
            })?;
        sign_client(&issuer, cn, not_before, not_after)
    }

    /// Reads a complete TLS directory and checks that the CA can still sign.
    fn load(dir: &Path) -> Result<Pki, SimError> {
        let read = |name: &str| -> Result<String, SimError> {
            let path = dir.join(name);
            fs::read_to_string(&path).map_err(|e| SimError::io("read", path, e))
        };
        let p12_path = dir.join("client.p12");
        let client_p12 = fs::read(&p12_path).map_err(|e| SimError::io("read", &p12_path, e))?;
        let pki = Pki {
            ca_cert_pem: read("ca.pem")?,
            ca_key_pem: read("ca-key.pem")?,
            server_cert_pem: read("server.pem")?,
            server_key_pem: read("server-key.pem")?,
            client_cert_pem: read("client-cert.pem")?,
            client_key_pem: read("client-key.pem")?,
            client_p12,
            client_p12_password: read("client.p12.password")?
                .trim_end_matches(['\r', '\n'])
                .to_owned(),
        };
        for (name, text) in [
            ("ca-key.pem", &pki.ca_key_pem),
            ("server-key.pem", &pki.server_key_pem),
            ("client-key.pem", &pki.client_key_pem),
        ] {
            KeyPair::from_pem(text).map_err(|e| SimError::BadPem {
                path: dir.join(name),
                reason: format!("not a usable private key ({e})"),
            })?;
        }
        for (name, text) in [
            ("ca.pem", &pki.ca_cert_pem),
            ("server.pem", &pki.server_cert_pem),
            ("client-cert.pem", &pki.client_cert_pem),
        ] {
            check_cert_pem(text, &dir.join(name))?;
        }
        Ok(pki)
    }

    /// Writes every file of the set into `dir`, creating it (0700 on Unix).
    pub(crate) fn write_to(&self, dir: &Path) -> Result<(), SimError> {
        fs::create_dir_all(dir).map_err(|e| SimError::io("create directory", dir, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
                .map_err(|e| SimError::io("set permissions on", dir, e))?;
        }
        let password_line = format!("{}\n", self.client_p12_password);
        let combined = self.client_combined_pem();
        let files: [(&str, &[u8], bool); 9] = [
            ("ca.pem", self.ca_cert_pem.as_bytes(), false),
            ("ca-key.pem", self.ca_key_pem.as_bytes(), true),
            ("server.pem", self.server_cert_pem.as_bytes(), false),
            ("server-key.pem", self.server_key_pem.as_bytes(), true),
            ("client.pem", combined.as_bytes(), true),
            ("client-cert.pem", self.client_cert_pem.as_bytes(), false),
            ("client-key.pem", self.client_key_pem.as_bytes(), true),
            ("client.p12", &self.client_p12, true),
            ("client.p12.password", password_line.as_bytes(), true),
        ];
        for (name, data, secret) in files {
            write_file(&dir.join(name), data, secret)?;
        }
        Ok(())
    }
}

/// Writes one file, private (0600) when `secret`, replacing what was there.
fn write_file(path: &Path, data: &[u8], secret: bool) -> Result<(), SimError> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(if secret { 0o600 } else { 0o644 });
    }
    let mut file = opts
        .open(path)
        .map_err(|e| SimError::io("create", path, e))?;
    #[cfg(unix)]
    if secret {
        // an existing file keeps its old mode on open: tighten it explicitly
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(|e| SimError::io("set permissions on", path, e))?;
    }
    file.write_all(data)
        .map_err(|e| SimError::io("write", path, e))
}

/// Signs a client-auth certificate for `cn` with `issuer`.
fn sign_client(
    issuer: &Issuer<'_, &KeyPair>,
    cn: &str,
    not_before: SystemTime,
    not_after: SystemTime,
) -> Result<(String, String), SimError> {
    let what = format!("client certificate '{cn}'");
    let key = new_key(&what)?;
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.use_authority_key_identifier_extension = true;
    set_validity(&mut params, not_before, not_after, &what)?;
    let cert = params
        .signed_by(&key, issuer)
        .map_err(|e| cert_err(&what, e))?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// Builds the PKCS#12 bundle (leaf, CA, key) that p12-keystore can read back.
fn build_p12(
    cert_pem: &str,
    key_pem: &str,
    ca_pem: &str,
    password: &str,
) -> Result<Vec<u8>, SimError> {
    let p12_err = |reason: String| SimError::P12 {
        path: PathBuf::from("<generated>"),
        reason,
    };
    let der_of = |text: &str| -> Result<Vec<u8>, SimError> {
        pem::parse(text)
            .map(|p| p.into_contents())
            .map_err(|e| p12_err(e.to_string()))
    };
    let leaf = p12_keystore::Certificate::from_der(&der_of(cert_pem)?)
        .map_err(|e| p12_err(e.to_string()))?;
    let ca = p12_keystore::Certificate::from_der(&der_of(ca_pem)?)
        .map_err(|e| p12_err(e.to_string()))?;
    let key = p12_keystore::PrivateKey::from_der(&der_of(key_pem)?)
        .map_err(|e| p12_err(e.to_string()))?;
    let chain = p12_keystore::PrivateKeyChain::new(CLIENT_CN, key, [leaf, ca]);
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry(
        CLIENT_CN,
        p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
    );
    store
        .writer(password)
        .write()
        .map_err(|e| p12_err(e.to_string()))
}

/// Checks that `text` holds at least one parseable X.509 certificate.
fn check_cert_pem(text: &str, path: &Path) -> Result<(), SimError> {
    let bad = |reason: String| SimError::BadPem {
        path: path.to_path_buf(),
        reason,
    };
    let block = pem::parse(text).map_err(|e| bad(format!("not PEM ({e})")))?;
    if block.tag() != "CERTIFICATE" {
        return Err(bad(format!(
            "expected a CERTIFICATE block, found {}",
            block.tag()
        )));
    }
    x509_parser::parse_x509_certificate(block.contents())
        .map_err(|e| bad(format!("not an X.509 certificate ({e})")))?;
    Ok(())
}

/// Sets `not_before`/`not_after` from system times (which rcgen cannot take).
fn set_validity(
    params: &mut CertificateParams,
    not_before: SystemTime,
    not_after: SystemTime,
    what: &str,
) -> Result<(), SimError> {
    let since_epoch = |t: SystemTime| -> Result<Duration, SimError> {
        let d = t.duration_since(UNIX_EPOCH).map_err(|_| SimError::Cert {
            what: what.to_owned(),
            reason: "validity dates before 1970 are not supported".into(),
        })?;
        if d.as_secs() > MAX_UNIX_SECS {
            return Err(SimError::Cert {
                what: what.to_owned(),
                reason: "validity dates after 9999 are not supported".into(),
            });
        }
        Ok(d)
    };
    if not_after <= not_before {
        return Err(SimError::Cert {
            what: what.to_owned(),
            reason: "not_after must be later than not_before".into(),
        });
    }
    let epoch = rcgen::date_time_ymd(1970, 1, 1);
    params.not_before = epoch + since_epoch(not_before)?;
    params.not_after = epoch + since_epoch(not_after)?;
    Ok(())
}

fn new_key(what: &str) -> Result<KeyPair, SimError> {
    KeyPair::generate().map_err(|e| cert_err(what, e))
}

fn cert_err(what: &str, e: rcgen::Error) -> SimError {
    SimError::Cert {
        what: what.to_owned(),
        reason: e.to_string(),
    }
}

fn combine(cert: &str, key: &str) -> String {
    let mut out = String::with_capacity(cert.len() + key.len() + 1);
    out.push_str(cert);
    if !cert.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(key);
    out
}

/// 24 random characters from an unambiguous alphabet, drawn from the
/// operating system's secure random source (fastrand only if that fails).
fn random_password() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut bytes = [0u8; 24];
    let provider = rustls::crypto::ring::default_provider();
    if provider.secure_random.fill(&mut bytes).is_err() {
        bytes.iter_mut().for_each(|b| *b = fastrand::u8(..));
    }
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}
