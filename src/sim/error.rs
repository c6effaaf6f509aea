//! The one error type of the simulator: every message is a single human line
//! that names the file, path, address or spec involved.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::text::io_reason;

/// Everything that can go wrong while setting up or starting the simulator.
///
/// Exists so callers (demo mode, tests, benchmarks) get one `thiserror` enum
/// whose `Display` can be shown to a user as is.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// Reading, writing or creating a file or directory failed.
    #[error("cannot {action} {}: {}", path.display(), io_reason(source))]
    Io {
        /// What was being done ("read", "write", "create directory", ...).
        action: &'static str,
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },

    /// A PEM file (or in-memory PEM) could not be used.
    #[error("{}: {reason}", path.display())]
    BadPem {
        /// The file involved (or a label such as `<generated CA>`).
        path: PathBuf,
        /// Why it is unusable.
        reason: String,
    },

    /// Generating or signing a certificate failed.
    #[error("cannot generate {what}: {reason}")]
    Cert {
        /// Which certificate or key ("the simulator CA", "client cert 'x'", ...).
        what: String,
        /// The error reported by the certificate library.
        reason: String,
    },

    /// Writing or reading the PKCS#12 bundle failed.
    #[error("PKCS#12 {}: {reason}", path.display())]
    P12 {
        /// The file involved (or `<generated>`).
        path: PathBuf,
        /// Why it failed.
        reason: String,
    },

    /// The rustls server configuration could not be built.
    #[error("TLS setup for the simulator failed: {0}")]
    Tls(String),

    /// Binding the listening socket failed.
    #[error("cannot listen on {addr}: {}", io_reason(source))]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },

    /// Plain HTTP was asked for on an address other people could reach.
    #[error(
        "refusing plain HTTP on {addr}: without TLS the simulator only listens on a loopback address (127.0.0.1 or ::1)"
    )]
    PlainNotLoopback {
        /// The non-loopback address that was asked for.
        addr: SocketAddr,
    },

    /// The no-client-certificate listener was asked for on an address other
    /// people could reach: it trusts every connection.
    #[error(
        "refusing the no-client-certificate listener on {addr}: it trusts every connection, so it only listens on a loopback address (127.0.0.1 or ::1)"
    )]
    NoCertNotLoopback {
        /// The non-loopback address that was asked for.
        addr: SocketAddr,
    },

    /// The no-client-certificate listener was asked for without TLS, where
    /// no listener asks for a certificate anyway.
    #[error("the no-client-certificate listener needs TLS (it cannot be combined with plain HTTP)")]
    NoCertWithoutTls,

    /// A behaviour spec such as `503x2` or `slow:1500ms` could not be parsed.
    #[error("bad behaviour spec \"{spec}\": {reason}")]
    BadBehaviour {
        /// The spec as given.
        spec: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A shares spec such as `404=0.1,drop=0.05` could not be parsed.
    #[error("bad shares spec \"{spec}\": {reason}")]
    BadShares {
        /// The spec as given.
        spec: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A demo task list (TOML) could not be parsed.
    #[error("{source_name}: {reason}")]
    DemoTasks {
        /// Where the list came from, e.g. `assets/demo-tasks.toml`.
        source_name: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl SimError {
    /// Shorthand for [`SimError::Io`].
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        SimError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
