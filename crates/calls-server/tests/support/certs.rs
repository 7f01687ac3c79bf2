//! Throw-away certificates for the HTTPS tests: a test CA and a server certificate it signs
//! for `localhost` and 127.0.0.1, written as PEM files (the chain file holds the server's
//! certificate, then the CA's, as an operator's full-chain file does).

// Each test binary uses only part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};

pub struct TestCertificates {
    /// The CA's certificate: what clients trust.
    pub ca_pem: String,
    /// Server certificate, then the CA's.
    pub chain_file: PathBuf,
    pub key_file: PathBuf,
    /// The server's private key, PEM (a test checks it is never echoed).
    pub key_pem: String,
}

impl TestCertificates {
    /// Generates the CA and the server certificate and writes them under `dir`.
    pub fn generate(dir: &Path) -> Self {
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "calls-platform test CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca.self_signed(&ca_key).expect("CA certificate");
        let issuer = Issuer::new(ca, ca_key);

        let key = KeyPair::generate().expect("server key");
        let mut server =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
                .expect("server params");
        server
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        let server_cert = server.signed_by(&key, &issuer).expect("server certificate");

        let chain_file = dir.join("fullchain.pem");
        let key_file = dir.join("privkey.pem");
        std::fs::write(
            &chain_file,
            format!("{}{}", server_cert.pem(), ca_cert.pem()),
        )
        .expect("chain written");
        let key_pem = key.serialize_pem();
        std::fs::write(&key_file, &key_pem).expect("key written");
        Self {
            ca_pem: ca_cert.pem(),
            chain_file,
            key_file,
            key_pem,
        }
    }

    /// A PEM private key that belongs to no certificate here.
    pub fn unrelated_key_pem() -> String {
        KeyPair::generate().expect("key").serialize_pem()
    }
}
