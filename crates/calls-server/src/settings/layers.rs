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
    config
        .try_into::<Settings>()
        .map_err(|err| SettingsError::invalid("configuration", err.message().to_owned()))
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
