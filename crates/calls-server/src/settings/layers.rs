//! Reads and merges the three layers, then checks the result.

use toml::Value;

use super::{Settings, SettingsError, env};

const DEFAULTS: &str = include_str!("../../../../config/default.toml");

/// Loads the configuration. `env` is the environment (a closure, so tests can pass their own).
pub fn load(env: &dyn Fn(&str) -> Option<String>) -> Result<Settings, SettingsError> {
    let mut config: Value = toml::from_str(DEFAULTS)
        .map_err(|err| SettingsError::invalid("config/default.toml", err.to_string()))?;
    if let Some(path) = env("CALLS_CONFIG").filter(|path| !path.trim().is_empty()) {
        let text = std::fs::read_to_string(&path).map_err(|err| SettingsError::File {
            path: path.clone(),
            reason: err.to_string(),
        })?;
        let overlay: Value = toml::from_str(&text).map_err(|err| SettingsError::File {
            path: path.clone(),
            reason: err.to_string(),
        })?;
        merge(&mut config, overlay);
    }
    env::apply(&mut config, env)?;
    serde_path_to_error::deserialize(config).map_err(|err| {
        let setting = err.path().to_string();
        SettingsError::invalid(setting, err.into_inner().message().to_owned())
    })
}

/// Deep merge: tables merge key by key, anything else is replaced.
fn merge(base: &mut Value, overlay: Value) {
    match (base, overlay) {
        (Value::Table(base), Value::Table(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, overlay) => *base = overlay,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::io::Write as _;

    use secrecy::ExposeSecret;

    use super::*;
    use crate::settings::{LogFormat, VoipProviderKind};

    fn load_with(vars: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let env: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        load(&|name| env.get(name).cloned())
    }

    #[test]
    fn defaults_need_no_configuration() {
        let settings = load_with(&[]).expect("defaults load");
        assert_eq!(settings.server.port, 8080);
        assert_eq!(settings.database.sqlite_path, "./data/calls.db");
        assert_eq!(settings.database.max_connections, 25);
        assert_eq!(settings.voip.provider, VoipProviderKind::Mock);
        assert_eq!(settings.voip.max_active_calls_per_user, 1);
        assert!(settings.cors.allowed_origins.is_empty());
    }

    #[test]
    fn go_backend_variables_override_the_defaults() {
        let settings = load_with(&[
            ("SERVER_PORT", "9090"),
            ("JWT_SECRET_KEY", "from-the-older-name"),
            ("LOG_FORMAT", "json"),
            ("VOIP_ALLOWED_COUNTRIES", "DE, FR,,US"),
            ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
        ])
        .expect("valid");
        assert_eq!(settings.server.port, 9090);
        assert_eq!(
            settings.auth.jwt_secret.expose_secret(),
            "from-the-older-name"
        );
        assert_eq!(settings.log.format, LogFormat::Json);
        assert_eq!(settings.voip.allowed_countries, ["DE", "FR", "US"]);
        assert_eq!(settings.cors.allowed_origins, ["https://app.example.com"]);
    }

    #[test]
    fn jwt_secret_wins_over_jwt_secret_key() {
        let settings =
            load_with(&[("JWT_SECRET_KEY", "older"), ("JWT_SECRET", "newer")]).expect("valid");
        assert_eq!(settings.auth.jwt_secret.expose_secret(), "newer");
    }

    #[test]
    fn the_calls_config_file_sits_between_defaults_and_environment() {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        writeln!(
            file,
            "[server]\nport = 7000\nhost = \"127.0.0.1\"\n[log]\nlevel = \"debug\""
        )
        .expect("written");
        let path = file.path().to_string_lossy().into_owned();
        let settings =
            load_with(&[("CALLS_CONFIG", &path), ("SERVER_PORT", "7001")]).expect("valid");
        assert_eq!(settings.server.port, 7001, "environment wins over the file");
        assert_eq!(settings.server.host, "127.0.0.1", "file wins over defaults");
        assert_eq!(settings.log.level, "debug");
        assert_eq!(
            settings.server.shutdown_timeout_secs, 10,
            "untouched defaults stay"
        );
    }

    #[test]
    fn mistakes_name_the_setting() {
        let err = load_with(&[("SERVER_PORT", "eighty")]).expect_err("not a number");
        assert!(err.to_string().contains("SERVER_PORT"), "{err}");
        let err = load_with(&[("SERVER_PORT", "70000")]).expect_err("out of range");
        assert!(err.to_string().contains("port"), "{err}");
        let err = load_with(&[("VOIP_PROVIDER", "skype")]).expect_err("unknown provider");
        assert!(err.to_string().contains("skype"), "{err}");
        let err = load_with(&[("CALLS_CONFIG", "/nonexistent/calls.toml")]).expect_err("missing");
        assert!(err.to_string().contains("CALLS_CONFIG"), "{err}");
    }

    #[test]
    fn unknown_keys_in_a_file_are_refused() {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        writeln!(file, "[server]\nprot = 1").expect("written");
        let path = file.path().to_string_lossy().into_owned();
        let err = load_with(&[("CALLS_CONFIG", &path)]).expect_err("typo");
        assert!(err.to_string().contains("prot"), "{err}");
    }
}
