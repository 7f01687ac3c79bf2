//! Verification of a presented token at a caller-given instant.

use calls_core::domain::UserId;
use calls_core::ports::{TokenError, VerifiedToken};
use chrono::{DateTime, TimeDelta, Utc};
use jsonwebtoken::{Algorithm, TokenData};
use uuid::Uuid;

use crate::claims::PresentedClaims;
use crate::issuer::JwtTokenIssuer;
use crate::reason::{describe, invalid};
use crate::revocation::revocation_key;

/// Longest token even looked at. Ours are about 350 bytes; the cap keeps an attacker from making
/// us base64-decode and parse megabytes per request.
pub const MAX_TOKEN_BYTES: usize = 4096;

pub(crate) fn verify(
    issuer: &JwtTokenIssuer,
    token: &str,
    now: DateTime<Utc>,
) -> Result<VerifiedToken, TokenError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(invalid("token too long"));
    }
    check_header(token)?;
    let TokenData { claims, .. } =
        jsonwebtoken::decode::<PresentedClaims>(token, &issuer.decoding, &issuer.validation)
            .map_err(|err| invalid(describe(&err)))?;
    let leeway = TimeDelta::seconds(issuer.leeway_secs);
    check_claims(claims, token, now, leeway)
}

/// Header rules beyond what `decode` enforces. `alg` is checked here too so that the reason is
/// precise, even though `decode` would refuse it again.
fn check_header(token: &str) -> Result<(), TokenError> {
    let header = jsonwebtoken::decode_header(token).map_err(|err| invalid(describe(&err)))?;
    if header.alg != Algorithm::HS256 {
        return Err(invalid("algorithm not allowed"));
    }
    // RFC 7515 §4.1.11: extensions we do not understand must not be ignored.
    if header.crit.is_some() {
        return Err(invalid("critical header extensions are not supported"));
    }
    // RFC 8725 §3.11: only plain JWTs are access tokens here (the Go backend wrote "JWT").
    if header
        .typ
        .as_deref()
        .is_some_and(|typ| !typ.eq_ignore_ascii_case("JWT"))
    {
        return Err(invalid("unexpected token type"));
    }
    Ok(())
}

fn check_claims(
    claims: PresentedClaims,
    token: &str,
    now: DateTime<Utc>,
    leeway: TimeDelta,
) -> Result<VerifiedToken, TokenError> {
    let expires_at =
        numeric_date(claims.exp.as_ref(), "exp")?.ok_or_else(|| invalid("missing exp"))?;
    if now >= expires_at + leeway {
        return Err(invalid("expired"));
    }
    if let Some(not_before) = numeric_date(claims.nbf.as_ref(), "nbf")?
        && not_before > now + leeway
    {
        return Err(invalid("not valid yet (nbf in the future)"));
    }
    let issued_at = numeric_date(claims.iat.as_ref(), "iat")?;
    // One second more than the leeway: a token issued right after its user ended every session
    // carries the cutoff, up to a second ahead of the clock, as its `iat` (see `issue`).
    if let Some(issued_at) = issued_at
        && issued_at > now + leeway + TimeDelta::seconds(1)
    {
        return Err(invalid("issued in the future"));
    }
    let user_id: UserId = claims
        .user_id
        .ok_or_else(|| invalid("missing user_id"))?
        .parse()
        .map_err(|_| invalid("user_id is not a UUID"))?;
    let email = claims.email.ok_or_else(|| invalid("missing email"))?;
    let jti = claims
        .jti
        .map(|jti| Uuid::parse_str(&jti).map_err(|_| invalid("jti is not a UUID")))
        .transpose()?;
    Ok(VerifiedToken {
        user_id,
        email,
        expires_at,
        revocation_key: revocation_key(jti, token),
        // Without an `iat`, a token counts as issued at the epoch: ending the user's sessions
        // ends it too.
        issued_at: issued_at.unwrap_or(DateTime::UNIX_EPOCH),
    })
}

/// Reads an RFC 7519 NumericDate (seconds since the epoch, fractions allowed and rounded down).
fn numeric_date(
    value: Option<&serde_json::Number>,
    claim: &str,
) -> Result<Option<DateTime<Utc>>, TokenError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let seconds = match value.as_i64() {
        Some(seconds) => Some(seconds),
        None => value
            .as_f64()
            .filter(|seconds| seconds.is_finite() && seconds.abs() < 1e15)
            // In range by the filter above; `as` only drops the fraction.
            .map(|seconds| seconds.floor() as i64),
    };
    seconds
        .and_then(|seconds| DateTime::from_timestamp(seconds, 0))
        .map(Some)
        .ok_or_else(|| TokenError::Invalid(format!("{claim} is out of range")))
}
