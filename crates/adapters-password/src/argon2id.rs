//! argon2id: the current scheme. Synchronous and slow; callers run it on the hashing pool.

use argon2::password_hash::Error as PhcError;
use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use calls_core::ports::{HashingError, PasswordCheck};

/// Memory cost of new hashes in KiB (19 MiB): OWASP's first argon2id recommendation.
pub const CURRENT_M_COST_KIB: u32 = 19_456;
/// Passes over memory of new hashes.
pub const CURRENT_T_COST: u32 = 2;
/// Lanes of new hashes.
pub const CURRENT_P_COST: u32 = 1;
/// Output bytes of new hashes.
pub const CURRENT_OUTPUT_LEN: usize = 32;
const CURRENT_VERSION: u32 = 0x13;
const MIN_SALT_LEN: usize = 16;

/// Stored hashes asking for more than this are refused instead of computed: a corrupted or
/// planted row must not make one login allocate gigabytes or spin for minutes.
const MAX_M_COST_KIB: u32 = 256 * 1024;
const MAX_T_COST: u32 = 16;
const MAX_P_COST: u32 = 16;

fn current() -> Result<Argon2<'static>, HashingError> {
    let params = Params::new(
        CURRENT_M_COST_KIB,
        CURRENT_T_COST,
        CURRENT_P_COST,
        Some(CURRENT_OUTPUT_LEN),
    )
    .map_err(|err| HashingError::Failed(format!("argon2 parameters: {err}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// A new PHC string with the current parameters and a random 16-byte salt.
pub(crate) fn hash(password: &[u8]) -> Result<String, HashingError> {
    current()?
        .hash_password(password)
        .map(|hash| hash.to_string())
        .map_err(|err| HashingError::Failed(format!("argon2: {err}")))
}

/// Checks `password` against any argon2 PHC string, with the parameters the string names.
pub(crate) fn verify(password: &[u8], stored: &str) -> Result<PasswordCheck, HashingError> {
    let parsed = PasswordHash::new(stored).map_err(|_| HashingError::UnknownFormat)?;
    let algorithm =
        Algorithm::new(parsed.algorithm.as_str()).map_err(|_| HashingError::UnknownFormat)?;
    let params = Params::try_from(&parsed).map_err(|_| HashingError::UnknownFormat)?;
    if params.m_cost() > MAX_M_COST_KIB
        || params.t_cost() > MAX_T_COST
        || params.p_cost() > MAX_P_COST
    {
        return Err(HashingError::Failed(
            "stored argon2 hash asks for more resources than allowed".to_owned(),
        ));
    }
    match Argon2::default().verify_password(password, &parsed) {
        Ok(()) => Ok(PasswordCheck::Match {
            needs_rehash: is_outdated(&parsed, algorithm, &params),
        }),
        Err(PhcError::PasswordInvalid) => Ok(PasswordCheck::Mismatch),
        Err(_) => Err(HashingError::UnknownFormat),
    }
}

/// Anything but exactly the current algorithm, version and parameters gets rehashed, so raising
/// the parameters later upgrades accounts one login at a time.
fn is_outdated(parsed: &PasswordHash, algorithm: Algorithm, params: &Params) -> bool {
    algorithm != Algorithm::Argon2id
        || parsed.version != Some(CURRENT_VERSION)
        || params.m_cost() != CURRENT_M_COST_KIB
        || params.t_cost() != CURRENT_T_COST
        || params.p_cost() != CURRENT_P_COST
        || parsed.hash.as_ref().map(|output| output.len()) != Some(CURRENT_OUTPUT_LEN)
        || parsed.salt.as_ref().map(|salt| salt.len()) < Some(MIN_SALT_LEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash_with(algorithm: Algorithm, m: u32, t: u32, p: u32, password: &[u8]) -> String {
        let params = Params::new(m, t, p, Some(32)).expect("valid params");
        Argon2::new(algorithm, Version::V0x13, params)
            .hash_password(password)
            .expect("hashes")
            .to_string()
    }

    #[test]
    fn new_hashes_use_the_current_parameters() {
        let stored = hash(b"correct horse").expect("hashes");
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "unexpected prefix"
        );
        assert_eq!(
            verify(b"correct horse", &stored),
            Ok(PasswordCheck::Match {
                needs_rehash: false
            })
        );
        assert_eq!(
            verify(b"correct horsf", &stored),
            Ok(PasswordCheck::Mismatch)
        );
    }

    #[test]
    fn other_parameters_or_variants_need_a_rehash() {
        for stored in [
            hash_with(Algorithm::Argon2id, 8192, 1, 1, b"pw"),
            hash_with(Algorithm::Argon2id, CURRENT_M_COST_KIB, 3, 1, b"pw"),
            hash_with(Algorithm::Argon2i, CURRENT_M_COST_KIB, 2, 1, b"pw"),
        ] {
            assert_eq!(
                verify(b"pw", &stored),
                Ok(PasswordCheck::Match { needs_rehash: true })
            );
            assert_eq!(verify(b"px", &stored), Ok(PasswordCheck::Mismatch));
        }
    }

    #[test]
    fn malformed_strings_are_unknown() {
        for stored in [
            "$argon2id$",
            "$argon2id$garbage",
            "$argon2x$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
            "$argon2id$v=19$m=19456,t=2,p=1$!!!$!!!",
        ] {
            assert_eq!(
                verify(b"pw", stored),
                Err(HashingError::UnknownFormat),
                "{stored}"
            );
        }
    }

    #[test]
    fn excessive_stored_parameters_are_refused_without_computing() {
        let stored = "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$\
                      AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assert!(matches!(
            verify(b"pw", stored),
            Err(HashingError::Failed(_))
        ));
    }

    #[test]
    fn long_passwords_are_not_truncated() {
        let long = "a".repeat(200);
        let stored = hash(long.as_bytes()).expect("hashes");
        let mut other = long.clone().into_bytes();
        other[199] = b'b';
        assert_eq!(verify(&other, &stored), Ok(PasswordCheck::Mismatch));
    }
}
