//! The `calls-server` binary itself: sub-commands, and refusing to start on bad configuration
//! with one line that names the setting.

mod support;

use std::process::{Command, Output};

use support::certs::TestCertificates;

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_calls-server"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The process refused to start, and what it printed names each of `named` (the setting, the
/// value at fault) and contains none of `absent` (a secret it must not echo, a setting it must
/// not report); returns what it printed.
fn assert_refused(output: &Output, named: &[&str], absent: &[&str]) -> String {
    let text = stderr(output);
    assert!(!output.status.success(), "must not start: {text}");
    for name in named {
        assert!(text.contains(name), "{name} named in: {text}");
    }
    for absent in absent {
        assert!(!text.contains(absent), "{absent} must not be in: {text}");
    }
    text
}

#[test]
fn help_lists_the_subcommands() {
    let output = run(&["--help"], &[]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("serve") && text.contains("migrate"), "{text}");
}

#[test]
fn migrate_creates_and_migrates_an_embedded_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested").join("calls.db");
    let url = format!("sqlite://{}", path.display());
    let output = run(&["migrate"], &[("DATABASE_URL", &url)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        path.exists(),
        "database file created under a missing directory"
    );
    let again = run(&["migrate"], &[("DATABASE_URL", &url)]);
    assert!(
        again.status.success(),
        "migrating twice is fine: {}",
        stderr(&again)
    );
}

#[test]
fn an_unknown_database_scheme_stops_the_start() {
    let output = run(&["migrate"], &[("DATABASE_URL", "mysql://localhost/calls")]);
    assert_refused(&output, &["DATABASE_URL", "mysql"], &[]);
}

#[test]
fn an_unreachable_database_stops_the_start_quickly() {
    let started = std::time::Instant::now();
    let output = run(
        &["migrate"],
        &[("DATABASE_URL", "postgres://postgres@127.0.0.1:1/none")],
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "fails fast"
    );
    // No credentials in the message.
    let named = ["database (postgres at 127.0.0.1:1/none)"];
    assert_refused(&output, &named, &["postgres@"]);
}

#[test]
fn a_short_jwt_secret_stops_the_start() {
    let output = serve_with(&[("JWT_SECRET", "too-short")]);
    assert_refused(&output, &["JWT_SECRET", "32 bytes"], &["too-short"]);
}

#[test]
fn an_invalid_setting_is_named() {
    let output = run(&["migrate"], &[("SERVER_PORT", "eighty")]);
    assert_refused(&output, &["SERVER_PORT"], &[]);
}

#[test]
fn an_unknown_pooler_is_named() {
    let output = run(&["migrate"], &[("DATABASE_POOLER", "pgpool")]);
    let text = assert_refused(&output, &["database.pooler", "pgpool"], &[]);
    assert_eq!(text.trim().lines().count(), 1, "one line: {text}");
}

#[test]
fn a_pooler_or_a_migration_url_for_sqlite_is_refused() {
    let output = serve_with(&[("DATABASE_POOLER", "transaction")]);
    assert_refused(&output, &["database.pooler", "SQLite"], &[]);
    let output = serve_with(&[("DATABASE_MIGRATION_URL", "postgres://u:hunter2@db/calls")]);
    assert_refused(&output, &["database.migration_url"], &["hunter2"]);
}

/// Refused before any connection is tried: nothing listens on port 1, and the message is not
/// a connection failure.
#[test]
fn migrate_through_a_transaction_pooler_needs_the_direct_url() {
    let pooler = [
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:1/calls"),
        ("DATABASE_POOLER", "transaction"),
    ];
    let output = run(&["migrate"], &pooler);
    assert_refused(
        &output,
        &["DATABASE_MIGRATION_URL", "transaction"],
        &["cannot connect"],
    );
    let not_postgres = [
        pooler[0],
        pooler[1],
        ("DATABASE_MIGRATION_URL", "mysql://u:hunter2@db/calls"),
    ];
    let output = run(&["migrate"], &not_postgres);
    assert_refused(&output, &["database.migration_url"], &["hunter2"]);
}

fn serve_with(extra: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("calls.db").display());
    let mut env = vec![
        ("DATABASE_URL", url.as_str()),
        ("SERVER_PORT", "0"),
        ("SERVER_HOST", "127.0.0.1"),
    ];
    env.extend_from_slice(extra);
    run(&["serve"], &env)
}

#[test]
fn twilio_without_its_settings_stops_the_start_naming_them() {
    let output = serve_with(&[
        ("VOIP_PROVIDER", "twilio"),
        ("VOIP_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef"),
    ]);
    let missing = [
        "VOIP_AUTH_TOKEN",
        "VOIP_FROM_NUMBER",
        "VOICE_PUBLIC_BASE_URL",
    ];
    // A given setting is not reported missing.
    let text = assert_refused(&output, &missing, &["VOIP_ACCOUNT_SID,"]);
    assert!(
        !text.ends_with("VOIP_ACCOUNT_SID\n"),
        "a given setting is not reported missing: {text}"
    );
    let error_lines = text.lines().filter(|line| line.contains("missing")).count();
    assert_eq!(error_lines, 1, "one line: {text}");
}

/// The settings of a complete Twilio REST setup, plus `extra`.
fn twilio_with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut env = vec![
        ("VOIP_PROVIDER", "twilio"),
        ("VOIP_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef"),
        ("VOIP_AUTH_TOKEN", "0123456789abcdef0123456789abcdef"),
        ("VOIP_FROM_NUMBER", "+14155550100"),
        ("VOICE_PUBLIC_BASE_URL", "https://calls.example.com"),
    ];
    env.extend_from_slice(extra);
    env
}

#[test]
fn a_half_configured_api_key_or_voice_sdk_stops_the_start() {
    let output = serve_with(&twilio_with(&[(
        "VOIP_API_KEY_SID",
        "SK0123456789abcdef0123456789abcdef",
    )]));
    assert_refused(
        &output,
        &["VOIP_API_KEY_SECRET"],
        &["0123456789abcdef0123456789abcdef\""],
    );
    let output = serve_with(&twilio_with(&[(
        "VOIP_TWIML_APP_SID",
        "AP0123456789abcdef0123456789abcdef",
    )]));
    assert_refused(&output, &["VOIP_API_KEY_SID", "VOIP_API_KEY_SECRET"], &[]);
}

#[test]
fn plain_http_to_twilio_or_from_it_stops_the_start_naming_the_setting() {
    for (setting, url) in [
        ("TWILIO_API_BASE_URL", "http://api.twilio.com"),
        ("VOICE_PUBLIC_BASE_URL", "http://calls.example.com"),
    ] {
        let output = serve_with(&twilio_with(&[(setting, url)]));
        let text = assert_refused(
            &output,
            &[setting, "https://"],
            &["0123456789abcdef0123456789abcdef"],
        );
        let naming: Vec<&str> = text.lines().filter(|line| line.contains(setting)).collect();
        assert_eq!(naming.len(), 1, "one line names {setting}: {text}");
    }
}

#[test]
fn a_malformed_destination_policy_is_named() {
    let output = serve_with(&[("VOIP_ALLOWED_COUNTRIES", "DE,Germany")]);
    assert_refused(&output, &["VOIP_ALLOWED_COUNTRIES", "Germany"], &[]);
    let output = serve_with(&[("VOIP_BLOCKED_PREFIXES", "1900")]);
    assert_refused(&output, &["VOIP_BLOCKED_PREFIXES"], &[]);
}

/// Regression: `migrate` used to exit while the connection pool was opening a replacement
/// connection on another thread, and crashed (SIGSEGV in OpenSSL's exit handler) about once
/// in fifteen runs over TLS. Each run must now exit 0.
#[test]
fn migrate_over_tls_exits_cleanly_every_time() {
    let Some(database) = calls_adapters_postgres::testing::TestDatabase::create() else {
        return;
    };
    let separator = if database.url().contains('?') {
        '&'
    } else {
        '?'
    };
    let url = format!("{}{separator}sslmode=prefer", database.url());
    for attempt in 1..=15 {
        let output = run(&["migrate"], &[("DATABASE_URL", &url)]);
        assert!(
            output.status.success(),
            "attempt {attempt}: {:?} {}",
            output.status,
            stderr(&output)
        );
    }
}

#[test]
fn a_wildcard_cors_origin_is_refused() {
    let output = serve_with(&[("CORS_ALLOWED_ORIGINS", "*")]);
    assert_refused(&output, &["CORS_ALLOWED_ORIGINS", "*"], &[]);
}

#[test]
fn a_bad_trusted_proxy_entry_stops_the_start_naming_it() {
    for (value, named) in [
        ("10.0.0.0/8,proxy.internal", "proxy.internal"),
        ("10.0.0.1/8", "10.0.0.0/8"),
        ("10.0.0.0/33", "10.0.0.0/33"),
    ] {
        let output = serve_with(&[("TRUSTED_PROXIES", value)]);
        assert_refused(&output, &["TRUSTED_PROXIES", named], &[]);
    }
}

#[test]
fn tls_files_must_come_in_pairs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let certs = TestCertificates::generate(dir.path());
    let cert = certs.chain_file.to_str().expect("utf-8");
    let key = certs.key_file.to_str().expect("utf-8");
    let output = serve_with(&[("TLS_CERT_FILE", cert)]);
    assert_refused(&output, &["TLS_KEY_FILE", "both or neither"], &[]);
    let output = serve_with(&[("TLS_KEY_FILE", key)]);
    assert_refused(&output, &["TLS_CERT_FILE", "both or neither"], &[]);
}

#[test]
fn unusable_tls_files_stop_the_start_naming_the_setting() {
    let dir = tempfile::tempdir().expect("temp dir");
    let certs = TestCertificates::generate(dir.path());
    let cert = certs.chain_file.to_str().expect("utf-8").to_owned();
    let key = certs.key_file.to_str().expect("utf-8").to_owned();
    let other_key = dir.path().join("other-key.pem");
    std::fs::write(&other_key, TestCertificates::unrelated_key_pem()).expect("written");
    let other_key = other_key.to_str().expect("utf-8").to_owned();
    let missing = dir
        .path()
        .join("missing.pem")
        .to_str()
        .expect("utf-8")
        .to_owned();
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(
        &garbage,
        "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n",
    )
    .expect("written");
    let garbage = garbage.to_str().expect("utf-8").to_owned();
    let directory = dir.path().to_str().expect("utf-8").to_owned();
    // The key's body (never echoed): a line from the middle of its PEM.
    let key_line = certs.key_pem.lines().nth(1).expect("key line").to_owned();
    // (certificate file, key file, setting named, words expected)
    let cases: [(&str, &str, &str, &str); 7] = [
        (&missing, &key, "TLS_CERT_FILE", "missing.pem"),
        (&directory, &key, "TLS_CERT_FILE", "cannot read"),
        (&key, &key, "TLS_CERT_FILE", "no certificate"),
        (&garbage, &key, "TLS_CERT_FILE", "garbage.pem"),
        (&cert, &missing, "TLS_KEY_FILE", "missing.pem"),
        (&cert, &cert, "TLS_KEY_FILE", "no private key"),
        (&cert, &other_key, "TLS_KEY_FILE", "does not match"),
    ];
    for (cert_file, key_file, setting, words) in cases {
        let output = serve_with(&[("TLS_CERT_FILE", cert_file), ("TLS_KEY_FILE", key_file)]);
        let text = assert_refused(&output, &[setting, words], &[&key_line]);
        assert_eq!(text.trim().lines().count(), 1, "one line: {text}");
    }
}
