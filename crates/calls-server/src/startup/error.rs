//! Why the server could not start: one line, naming the setting or resource at fault.

use crate::settings::SettingsError;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("database ({database}): {reason}")]
    Database { database: String, reason: String },
    #[error("cannot listen on {address}: {reason}")]
    Bind { address: String, reason: String },
    /// The voice provider's settings are incomplete or invalid; the message names them.
    #[error("{0}")]
    Voice(String),
    /// The compiled CLDR data is unusable (a broken build).
    #[error("country names: {0}")]
    CountryNames(String),
    #[error("server error: {0}")]
    Serve(String),
}
