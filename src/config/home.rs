//! `~` in configured paths, as a shell would read it: `~` and `~/...` are
//! the home directory (`$HOME`). Config files and environment variables are
//! not read by a shell, yet people write them as if they were.

use std::path::PathBuf;

/// `raw` with a leading `~` or `~/` replaced by `home`; every other path as
/// it is. `~user` forms are refused rather than taken literally: a folder
/// really named `~bob` is far rarer than someone expecting bob's home.
pub fn expand_home(raw: &str, home: Option<&str>) -> Result<PathBuf, String> {
    let Some(rest) = raw.strip_prefix('~') else {
        return Ok(PathBuf::from(raw));
    };
    let rest = match rest.strip_prefix('/') {
        Some(rest) => rest.trim_start_matches('/'),
        None if rest.is_empty() => "",
        None => {
            let user = rest.split('/').next().unwrap_or(rest);
            return Err(format!(
                "'~{user}' (another user's home) is not supported: write the full path"
            ));
        }
    };
    let home =
        home.ok_or("'~' means the home directory, but HOME is not set: write the full path")?;
    let home = PathBuf::from(home);
    Ok(if rest.is_empty() {
        home
    } else {
        home.join(rest)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tilde_is_the_home_directory() {
        let home = Some("/home/ana");
        assert_eq!(expand_home("~", home).unwrap(), PathBuf::from("/home/ana"));
        assert_eq!(expand_home("~/", home).unwrap(), PathBuf::from("/home/ana"));
        assert_eq!(
            expand_home("~/certs/tip.pem", home).unwrap(),
            PathBuf::from("/home/ana/certs/tip.pem")
        );
        assert_eq!(
            expand_home("~//x", home).unwrap(),
            PathBuf::from("/home/ana/x")
        );
    }

    #[test]
    fn other_paths_are_left_alone() {
        let home = Some("/home/ana");
        for raw in ["/etc/tip.pem", "certs/~/x.pem", "a~b", "./~"] {
            assert_eq!(expand_home(raw, home).unwrap(), PathBuf::from(raw));
        }
        assert_eq!(expand_home("/x", None).unwrap(), PathBuf::from("/x"));
    }

    #[test]
    fn another_users_home_and_a_missing_home_are_one_clear_line() {
        let e = expand_home("~bob/tip.pem", Some("/home/ana")).unwrap_err();
        assert!(e.contains("'~bob'") && e.contains("full path"), "{e}");
        let e = expand_home("~/tip.pem", None).unwrap_err();
        assert!(e.contains("HOME is not set"), "{e}");
    }

    #[test]
    fn config_paths_from_the_file_and_the_environment_expand() {
        use crate::config::{Config, Overrides};
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        let load = |toml: &str, env: &'static [(&'static str, &'static str)]| {
            std::fs::write(&file, toml).unwrap();
            let flags = Overrides {
                config: Some(file.clone()),
                ..Overrides::default()
            };
            Config::load_with(&flags, &|k| {
                std::iter::once(("HOME", "/home/ana"))
                    .chain(env.iter().copied())
                    .find(|(name, _)| *name == k)
                    .map(|(_, v)| v.to_owned())
            })
        };
        let c = load(
            "[api]\nclient_cert = \"~/c.pem\"\nclient_key = \"~/k.pem\"\nca_cert = \"~/ca.pem\"\n",
            &[],
        )
        .unwrap();
        assert_eq!(
            c.client_cert.unwrap().value,
            PathBuf::from("/home/ana/c.pem")
        );
        assert_eq!(
            c.client_key.unwrap().value,
            PathBuf::from("/home/ana/k.pem")
        );
        assert_eq!(c.ca_cert.unwrap().value, PathBuf::from("/home/ana/ca.pem"));
        let c = load("", &[("TIP_CLIENT_CERT", "~/env.p12")]).unwrap();
        assert_eq!(
            c.client_cert.unwrap().value,
            PathBuf::from("/home/ana/env.p12")
        );
        let e = load("[api]\nca_cert = \"~bob/ca.pem\"\n", &[])
            .unwrap_err()
            .0;
        assert!(e.starts_with("[api] ca_cert in "), "{e}");
        assert!(e.contains("'~bob'"), "{e}");
    }
}
