//! Configuration errors: each one names the setting, so the process can stop with one clear line.

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read config file {path} (CALLS_CONFIG): {reason}")]
    File { path: String, reason: String },
    #[error("invalid setting {setting}: {reason}")]
    Invalid { setting: String, reason: String },
}

impl SettingsError {
    pub fn invalid(setting: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            setting: setting.into(),
            reason: reason.into(),
        }
    }
}
