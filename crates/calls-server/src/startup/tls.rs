//! `server.tls.*`: both files or neither; loaded and checked at start, before the database is
//! opened, so a bad certificate stops the server at once with one line naming the setting.

use calls_server_actix::{TlsConfig, TlsFile, TlsFiles, load_tls};

use super::StartupError;
use crate::settings::{SettingsError, TlsSettings};

const CERT: &str = "TLS_CERT_FILE";
const KEY: &str = "TLS_KEY_FILE";

/// The TLS configuration to serve with; `None` for plain HTTP.
pub fn load(settings: &TlsSettings) -> Result<Option<TlsConfig>, StartupError> {
    let (cert, key) = (settings.cert_file.trim(), settings.key_file.trim());
    let files = match (cert.is_empty(), key.is_empty()) {
        (true, true) => return Ok(None),
        (false, true) => {
            return Err(SettingsError::invalid(
                KEY,
                format!("{CERT} is set, so {KEY} must be too (both or neither)"),
            )
            .into());
        }
        (true, false) => {
            return Err(SettingsError::invalid(
                CERT,
                format!("{KEY} is set, so {CERT} must be too (both or neither)"),
            )
            .into());
        }
        (false, false) => TlsFiles {
            cert_file: cert.into(),
            key_file: key.into(),
        },
    };
    load_tls(&files).map(Some).map_err(|err| {
        let setting = match err.file {
            TlsFile::Certificate => CERT,
            TlsFile::Key => KEY,
        };
        SettingsError::invalid(setting, err.reason).into()
    })
}
