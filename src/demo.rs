//! Demo mode: the embedded simulator on loopback, reached over real mutual
//! TLS with freshly generated certificates, so a newcomer can drive every
//! path of the tool with no account and no config.

use std::path::Path;
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

use crate::api::{ClientIdentity, ClientSettings};
use crate::sim::{self, Behaviours, DemoTask, Pki, SimConfig, SimHandle};

/// The simulator's demo account (not a secret: it only opens the local simulator).
pub const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "demo";

/// A running demo: keep it alive as long as the settings are used.
pub struct Demo {
    /// The embedded simulator; dropping it stops it.
    pub sim: SimHandle,
    /// Client settings that reach it.
    pub settings: ClientSettings,
    /// The shipped demo tasks (ids, labels, URLs).
    pub tasks: Vec<DemoTask>,
    /// The demo's certificates on disk (`client.pem`, `ca.pem`, ...), for
    /// the curl command; removed when the demo ends. `None` when they could
    /// not be written (the demo runs all the same).
    files: Option<tempfile::TempDir>,
}

impl Demo {
    /// The files the curl command needs to reach the simulator as the
    /// dashboard does: the client certificate and the CA.
    pub fn curl_setup(&self) -> crate::api::curl::CurlSetup {
        let file = |name: &str| self.files.as_ref().map(|d| d.path().join(name));
        crate::api::curl::CurlSetup {
            cert: file("client.pem"),
            ca_cert: file("ca.pem"),
            ..Default::default()
        }
    }
}

/// Writes the demo's certificates into a fresh private folder under the
/// temporary directory.
fn write_files(pki: &Pki) -> Result<tempfile::TempDir, String> {
    let dir = tempfile::Builder::new()
        .prefix("tae-rescan-demo-")
        .tempdir()
        .map_err(|e| crate::text::io_reason(&e))?;
    pki.write_to(dir.path()).map_err(|e| e.to_string())?;
    Ok(dir)
}

/// Generates a PKI in memory, starts the simulator with the demo tasks'
/// behaviours, and returns settings that trust only its CA.
pub async fn start() -> Result<Demo, String> {
    let pki = Pki::generate().map_err(|e| format!("demo mode: {e}"))?;
    let files = write_files(&pki)
        .map_err(|e| tracing::warn!("demo mode: the certificates for the curl command: {e}"))
        .ok();
    let tasks = sim::demo_tasks();
    let config = SimConfig {
        tls: Some(pki.clone()),
        username: DEMO_USER.into(),
        password: DEMO_PASSWORD.into(),
        behaviours: Behaviours::from_demo_tasks(&tasks),
        ..SimConfig::default()
    };
    let handle = sim::start(config)
        .await
        .map_err(|e| format!("demo mode: {e}"))?;
    let identity = ClientIdentity::from_pem(
        pki.client_combined_pem().into_bytes(),
        Path::new("the demo client certificate"),
    )
    .map_err(|e| format!("demo mode: {e}"))?;
    let base_url = Url::parse(&handle.base_url()).map_err(|e| format!("demo mode: {e}"))?;
    let settings = ClientSettings {
        base_url,
        username: DEMO_USER.into(),
        password: SecretString::from(DEMO_PASSWORD),
        identity: Some(identity),
        ca_pem: Some(pki.ca_cert_pem.into_bytes()),
        ca_only: true,
        proxy: None,
        timeout: Duration::from_secs(30),
    };
    Ok(Demo {
        sim: handle,
        settings,
        tasks,
        files,
    })
}
