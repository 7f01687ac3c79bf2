//! Native HTTPS: `server.tls.cert_file` / `server.tls.key_file` (PEM) loaded into a rustls
//! configuration, TLS 1.2 and 1.3 on the aws-lc-rs provider (the one the workspace already
//! builds for its HTTPS client), HTTP/1.1 only (ALPN `http/1.1`; actix is built without HTTP/2,
//! whose `h2` has an open advisory).
//!
//! Every way the files can be wrong is found here, at start, and named: a missing or unreadable
//! file, a file with no certificate or no private key, a key that does not belong to the
//! certificate.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Where the certificate chain (leaf first, then intermediates) and its private key are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
}

/// A loaded, checked TLS configuration, ready to serve.
#[derive(Clone)]
pub struct TlsConfig(pub(super) Arc<ServerConfig>);

impl std::fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsConfig")
    }
}

/// Which file is at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsFile {
    Certificate,
    Key,
}

#[derive(Debug, thiserror::Error)]
#[error("{reason}")]
pub struct TlsError {
    pub file: TlsFile,
    pub reason: String,
}

impl TlsError {
    fn certificate(reason: String) -> Self {
        Self {
            file: TlsFile::Certificate,
            reason,
        }
    }

    fn key(reason: String) -> Self {
        Self {
            file: TlsFile::Key,
            reason,
        }
    }
}

/// Reads and checks both files.
pub fn load_tls(files: &TlsFiles) -> Result<TlsConfig, TlsError> {
    let certificates = read_chain(&files.cert_file)?;
    let key = read_key(&files.key_file)?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|err| TlsError::certificate(format!("TLS set-up failed: {err}")))?
        .with_no_client_auth();
    let mut config = builder
        .with_single_cert(certificates, key)
        .map_err(|err| match err {
            rustls::Error::InconsistentKeys(_) => TlsError::key(format!(
                "the private key in {} does not match the certificate in {}",
                files.key_file.display(),
                files.cert_file.display()
            )),
            rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented => {
                TlsError::certificate(format!(
                    "{}: not a usable certificate: {err}",
                    files.cert_file.display()
                ))
            }
            other => TlsError::key(format!(
                "{}: not a usable private key: {other}",
                files.key_file.display()
            )),
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsConfig(Arc::new(config)))
}

fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let fail = |reason: String| TlsError::certificate(format!("{}: {reason}", path.display()));
    let certificates = CertificateDer::pem_file_iter(path)
        .map_err(|err| fail(describe(&err)))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| fail(describe(&err)))?;
    if certificates.is_empty() {
        return Err(fail(
            "no certificate in it (expected PEM \"BEGIN CERTIFICATE\" blocks, the server's first)"
                .to_owned(),
        ));
    }
    Ok(certificates)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_file(path).map_err(|err| {
        let reason = match err {
            pem::Error::NoItemsFound => {
                "no private key in it (expected a PEM \"BEGIN PRIVATE KEY\", \"BEGIN RSA PRIVATE \
                 KEY\" or \"BEGIN EC PRIVATE KEY\" block)"
                    .to_owned()
            }
            other => describe(&other),
        };
        TlsError::key(format!("{}: {reason}", path.display()))
    })
}

fn describe(err: &pem::Error) -> String {
    match err {
        pem::Error::Io(io) => format!("cannot read it: {io}"),
        other => format!("not valid PEM: {other}"),
    }
}
