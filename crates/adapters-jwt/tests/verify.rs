//! Verification rules of `JwtTokenIssuer`, with tokens crafted by hand or by the JWT library.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use calls_adapters_jwt::{JwtConfig, JwtTokenIssuer, MAX_TOKEN_BYTES};
use calls_core::domain::{Email, PasswordHash, User, UserId};
use calls_core::ports::{TokenError, TokenIssuer};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const SECRET: &[u8] = b"test-secret-that-is-long-enough-for-hs256";

fn issuer() -> JwtTokenIssuer {
    JwtTokenIssuer::from_secret_bytes(SECRET, JwtConfig::default()).expect("valid config")
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0)
        .single()
        .expect("valid date")
}

fn user() -> User {
    User {
        id: UserId::new(),
        email: Email::parse("alice@example.com").expect("valid email"),
        password_hash: PasswordHash::new("$argon2id$unused".into()),
        created_at: now(),
        sessions_valid_after: None,
    }
}

/// Signs arbitrary claims with the shared secret, as another implementation would.
fn sign(claims: &Value, alg: Algorithm) -> String {
    jsonwebtoken::encode(&Header::new(alg), claims, &EncodingKey::from_secret(SECRET))
        .expect("signing works")
}

/// Assembles a compact JWS from raw parts, for headers the library refuses to write.
fn assemble(header: &Value, claims: &Value, signature: &[u8]) -> String {
    let part = |value: &Value| URL_SAFE_NO_PAD.encode(value.to_string());
    format!(
        "{}.{}.{}",
        part(header),
        part(claims),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

/// The claims the Go backend wrote: no `jti`.
fn go_claims(user_id: &str, at: DateTime<Utc>) -> Value {
    json!({
        "user_id": user_id,
        "email": "alice@example.com",
        "exp": (at + TimeDelta::hours(24)).timestamp(),
        "iat": at.timestamp(),
        "nbf": at.timestamp(),
    })
}

fn refused(token: &str, at: DateTime<Utc>) -> String {
    match issuer().verify(token, at) {
        Err(TokenError::Invalid(reason)) => reason,
        Err(other) => panic!("expected Invalid, got {other:?}"),
        Ok(_) => panic!("token was accepted"),
    }
}

#[test]
fn round_trip_returns_the_claims() {
    let user = user();
    let issued = issuer().issue(&user, now()).expect("issued");
    assert_eq!(issued.expires_at, now() + TimeDelta::hours(24));
    let verified = issuer().verify(&issued.token, now()).expect("valid");
    assert_eq!(verified.user_id, user.id);
    assert_eq!(verified.email, "alice@example.com");
    assert_eq!(verified.expires_at, issued.expires_at);
    assert!(verified.revocation_key.as_str().starts_with("jti:"));
    assert!(!verified.revocation_key.as_str().contains(&issued.token));
}

#[test]
fn issued_claims_match_the_go_claim_names() {
    let issued = issuer().issue(&user(), now()).expect("issued");
    let claims: Value = jsonwebtoken::dangerous::insecure_decode::<Value>(&issued.token)
        .expect("decodes")
        .claims;
    for name in ["user_id", "email", "exp", "iat", "nbf", "jti"] {
        assert!(claims.get(name).is_some(), "claim {name} missing");
    }
    assert_eq!(claims["iat"], json!(now().timestamp()));
    assert_eq!(claims["nbf"], json!(now().timestamp()));
}

#[test]
fn lifetime_is_configurable() {
    let config = JwtConfig {
        lifetime: Duration::from_secs(600),
        ..JwtConfig::default()
    };
    let issuer = JwtTokenIssuer::from_secret_bytes(SECRET, config).expect("valid config");
    let issued = issuer.issue(&user(), now()).expect("issued");
    assert_eq!(issued.expires_at, now() + TimeDelta::minutes(10));
}

#[test]
fn tampered_signature_is_refused() {
    let issued = issuer().issue(&user(), now()).expect("issued");
    let (message, signature) = issued.token.rsplit_once('.').expect("three parts");
    let mut bytes = URL_SAFE_NO_PAD.decode(signature).expect("base64");
    bytes[0] ^= 1;
    let forged = format!("{message}.{}", URL_SAFE_NO_PAD.encode(bytes));
    assert_eq!(refused(&forged, now()), "signature does not match");
}

#[test]
fn tampered_claims_are_refused() {
    let issued = issuer().issue(&user(), now()).expect("issued");
    let parts: Vec<&str> = issued.token.split('.').collect();
    let other = go_claims(&UserId::new().to_string(), now());
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(other.to_string()),
        parts[2]
    );
    assert_eq!(refused(&forged, now()), "signature does not match");
}

#[test]
fn a_different_secret_is_refused() {
    let other = JwtTokenIssuer::from_secret_bytes(&[9; 32], JwtConfig::default()).expect("valid");
    let issued = other.issue(&user(), now()).expect("issued");
    refused(&issued.token, now());
}

#[test]
fn alg_none_is_refused() {
    let claims = go_claims(&UserId::new().to_string(), now());
    for alg in ["none", "None", "NONE"] {
        let token = assemble(&json!({"alg": alg, "typ": "JWT"}), &claims, b"");
        refused(&token, now());
        let token = token.trim_end_matches('.').to_owned() + ".";
        refused(&token, now());
    }
}

#[test]
fn other_hmac_algorithms_are_refused_even_with_the_right_secret() {
    let claims = go_claims(&UserId::new().to_string(), now());
    for alg in [Algorithm::HS384, Algorithm::HS512] {
        let token = sign(&claims, alg);
        assert_eq!(refused(&token, now()), "algorithm not allowed");
    }
}

#[test]
fn asymmetric_algorithms_are_refused() {
    // The classic confusion attack: an "RS256" token MACed with the secret as if it were a key.
    let claims = go_claims(&UserId::new().to_string(), now());
    for alg in ["RS256", "ES256", "PS256", "EdDSA"] {
        let token = assemble(&json!({"alg": alg, "typ": "JWT"}), &claims, &[1; 32]);
        refused(&token, now());
    }
}

#[test]
fn expired_tokens_are_refused_beyond_the_leeway_only() {
    let issued = issuer().issue(&user(), now()).expect("issued");
    let exp = issued.expires_at;
    assert!(
        issuer().verify(&issued.token, exp).is_ok(),
        "at exp, within leeway"
    );
    assert!(
        issuer()
            .verify(&issued.token, exp + TimeDelta::seconds(29))
            .is_ok()
    );
    assert_eq!(
        refused(&issued.token, exp + TimeDelta::seconds(30)),
        "expired"
    );
    assert_eq!(refused(&issued.token, exp + TimeDelta::days(3)), "expired");
}

#[test]
fn leeway_is_configurable() {
    let config = JwtConfig {
        leeway: Duration::ZERO,
        ..JwtConfig::default()
    };
    let strict = JwtTokenIssuer::from_secret_bytes(SECRET, config).expect("valid config");
    let issued = strict.issue(&user(), now()).expect("issued");
    assert!(
        strict
            .verify(&issued.token, issued.expires_at - TimeDelta::seconds(1))
            .is_ok()
    );
    assert!(strict.verify(&issued.token, issued.expires_at).is_err());
}

#[test]
fn not_before_in_the_future_is_refused() {
    let mut claims = go_claims(&UserId::new().to_string(), now());
    claims["nbf"] = json!((now() + TimeDelta::minutes(5)).timestamp());
    assert_eq!(
        refused(&sign(&claims, Algorithm::HS256), now()),
        "not valid yet (nbf in the future)"
    );
    claims["nbf"] = json!((now() + TimeDelta::seconds(10)).timestamp());
    assert!(
        issuer()
            .verify(&sign(&claims, Algorithm::HS256), now())
            .is_ok()
    );
}

#[test]
fn issued_in_the_future_is_refused() {
    let mut claims = go_claims(&UserId::new().to_string(), now());
    claims["iat"] = json!((now() + TimeDelta::hours(1)).timestamp());
    assert_eq!(
        refused(&sign(&claims, Algorithm::HS256), now()),
        "issued in the future"
    );
}

#[test]
fn missing_or_malformed_claims_are_refused() {
    let base = go_claims(&UserId::new().to_string(), now());
    let cases: [(&str, Value, &str); 7] = [
        ("user_id", Value::Null, "missing user_id"),
        ("user_id", json!("42"), "user_id is not a UUID"),
        (
            "user_id",
            json!(42),
            "header or claims are not the expected JSON",
        ),
        ("exp", Value::Null, "missing exp"),
        (
            "exp",
            json!("tomorrow"),
            "header or claims are not the expected JSON",
        ),
        ("email", Value::Null, "missing email"),
        ("jti", json!("not-a-uuid"), "jti is not a UUID"),
    ];
    for (claim, value, reason) in cases {
        let mut claims = base.clone();
        let map = claims.as_object_mut().expect("object");
        if value.is_null() {
            map.remove(claim);
        } else {
            map.insert(claim.to_owned(), value);
        }
        assert_eq!(
            refused(&sign(&claims, Algorithm::HS256), now()),
            reason,
            "{claim}"
        );
    }
}

#[test]
fn fractional_numeric_dates_are_accepted() {
    let mut claims = go_claims(&UserId::new().to_string(), now());
    claims["exp"] = json!((now() + TimeDelta::hours(1)).timestamp() as f64 + 0.5);
    let verified = issuer()
        .verify(&sign(&claims, Algorithm::HS256), now())
        .expect("valid");
    assert_eq!(verified.expires_at, now() + TimeDelta::hours(1));
}

#[test]
fn go_tokens_without_jti_are_accepted_and_revocable_by_hash() {
    let user_id = UserId::new();
    let token = sign(&go_claims(&user_id.to_string(), now()), Algorithm::HS256);
    let verified = issuer()
        .verify(&token, now() + TimeDelta::hours(1))
        .expect("valid");
    assert_eq!(verified.user_id, user_id);
    assert_eq!(verified.email, "alice@example.com");
    assert_eq!(verified.expires_at, now() + TimeDelta::hours(24));
    let digest: String = Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    assert_eq!(verified.revocation_key.as_str(), format!("sha256:{digest}"));
}

#[test]
fn foreign_token_types_and_critical_extensions_are_refused() {
    let claims = go_claims(&UserId::new().to_string(), now());
    let mut header = Header::new(Algorithm::HS256);
    header.typ = Some("at+jwt".into());
    let token =
        jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(SECRET)).expect("signed");
    assert_eq!(refused(&token, now()), "unexpected token type");

    let mut header = Header::new(Algorithm::HS256);
    header.crit = Some(vec!["exp".into()]);
    let token =
        jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(SECRET)).expect("signed");
    assert_eq!(
        refused(&token, now()),
        "critical header extensions are not supported"
    );
}

#[test]
fn tokens_for_an_audience_are_refused() {
    let mut claims = go_claims(&UserId::new().to_string(), now());
    claims["aud"] = json!("another-service");
    refused(&sign(&claims, Algorithm::HS256), now());
}

#[test]
fn garbage_is_refused() {
    let huge = "a".repeat(MAX_TOKEN_BYTES + 1);
    for garbage in [
        "",
        "abc",
        "a.b",
        "a.b.c",
        "...",
        "a.b.c.d",
        "eyJhbGciOiJIUzI1NiJ9..",
        "Bearer x.y.z",
        "ü.ö.ä",
        huge.as_str(),
    ] {
        refused(garbage, now());
    }
    assert_eq!(refused(&huge, now()), "token too long");
}

#[test]
fn refusal_reasons_never_quote_the_token() {
    let mut claims = go_claims(&UserId::new().to_string(), now());
    claims["exp"] = json!("secret-looking-value");
    let reason = refused(&sign(&claims, Algorithm::HS256), now());
    assert!(!reason.contains("secret-looking-value"));
}

#[test]
fn issue_time_is_never_before_the_users_cutoff() {
    // Right after the user ended every session at 12:00:00.4, the cutoff is 12:00:01: a token
    // issued at 12:00:00.5 must carry it as its `iat`, or it would be born dead.
    let at = now() + TimeDelta::milliseconds(500);
    let cutoff = now() + TimeDelta::seconds(1);
    let user = User {
        sessions_valid_after: Some(cutoff),
        ..user()
    };
    let issued = issuer().issue(&user, at).expect("issued");
    let claims: Value = jsonwebtoken::dangerous::insecure_decode::<Value>(&issued.token)
        .expect("decodes")
        .claims;
    assert_eq!(
        claims["iat"],
        json!(cutoff.timestamp()),
        "iat is the cutoff"
    );
    assert_eq!(
        claims["nbf"],
        json!(at.timestamp()),
        "nbf stays the real time"
    );
    let verified = issuer().verify(&issued.token, at).expect("valid at once");
    assert_eq!(verified.issued_at, cutoff);
    assert_eq!(verified.session().issued_at, cutoff);
    assert_eq!(verified.session().user_id, user.id);

    // With no leeway at all, the second ahead is still tolerated, and no more.
    let strict = JwtTokenIssuer::from_secret_bytes(
        SECRET,
        JwtConfig {
            leeway: Duration::ZERO,
            ..JwtConfig::default()
        },
    )
    .expect("valid config");
    let token = strict.issue(&user, at).expect("issued").token;
    assert!(
        strict.verify(&token, at).is_ok(),
        "a cutoff a second ahead verifies"
    );
    let mut claims = go_claims(&user.id.to_string(), now());
    claims["iat"] = json!((now() + TimeDelta::seconds(2)).timestamp());
    assert!(
        strict
            .verify(&sign(&claims, Algorithm::HS256), now())
            .is_err()
    );

    // A cutoff in the past changes nothing: iat is the issue time.
    let old = User {
        sessions_valid_after: Some(now() - TimeDelta::hours(1)),
        ..user
    };
    let issued = issuer().issue(&old, at).expect("issued");
    let verified = issuer().verify(&issued.token, at).expect("valid");
    assert_eq!(verified.issued_at.timestamp(), at.timestamp());
}

#[test]
fn tokens_without_iat_count_as_issued_at_the_epoch() {
    let mut claims = go_claims(&UserId::new().to_string(), now());
    claims.as_object_mut().expect("object").remove("iat");
    let verified = issuer()
        .verify(&sign(&claims, Algorithm::HS256), now())
        .expect("valid without iat");
    assert_eq!(verified.issued_at, DateTime::UNIX_EPOCH);
}
