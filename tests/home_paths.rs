//! `~` in configured paths is the home directory: the real binary reaches
//! the simulator with its certificate and CA named `~/...` in the config
//! file and in `TIP_CLIENT_CERT`.

mod common;

use common::{Fixture, PASSWORD, run_cli};
use tae_rescan::sim::Behaviours;

#[tokio::test(flavor = "multi_thread")]
async fn tilde_paths_in_the_config_file_and_environment_are_the_home_directory() {
    let f = Fixture::start(Behaviours::default()).await;
    // The config lives elsewhere, so `~/client.pem` cannot happen to
    // resolve next to it; HOME (set by run_cli) holds the certificates.
    std::fs::create_dir(f.path("conf")).unwrap();
    let config = f.write(
        "conf/config.toml",
        format!(
            "[api]\nbase_url = \"{}\"\nusername = \"{}\"\nclient_cert = \"~/client.pem\"\nca_cert = \"~/ca.pem\"\n",
            f.sim.base_url(),
            common::USER
        )
        .as_bytes(),
    );
    let cfg = config.to_str().unwrap();
    let home = f.dir.path();
    let (code, out, err) = run_cli(
        &["rescan", "--config", cfg, "home-1"],
        &[("TIP_PASSWORD", PASSWORD)],
        None,
        home,
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("home-1") && out.contains("accepted"), "{out}");

    // From the environment, which overrides the file (another copy, so the
    // file's value cannot be what worked).
    f.write("env-client.pem", f.pki.client_combined_pem().as_bytes());
    let (code, out, err) = run_cli(
        &["rescan", "--config", cfg, "home-2"],
        &[
            ("TIP_PASSWORD", PASSWORD),
            ("TIP_CLIENT_CERT", "~/env-client.pem"),
        ],
        None,
        home,
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("home-2") && out.contains("accepted"), "{out}");
    let sent = f.sim.record().requests();
    assert_eq!(sent.len(), 2, "{sent:#?}");
    assert!(
        sent.iter()
            .all(|r| r.client_cert_cn.as_deref() == Some("tae-demo"))
    );
}
