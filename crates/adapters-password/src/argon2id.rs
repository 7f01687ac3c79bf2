//! argon2id: the current scheme. Synchronous and slow; callers run it on the hashing pool.
//!
//! Parameters: OWASP's argon2id configuration m = 12 MiB, t = 3, p = 1, which the cheat sheet
//! lists as giving the same defence as m = 19 MiB, t = 2 (what this server used first) at about
//! the same CPU time. The smaller memory matters here: hashes run two at a time on a 2-core
//! machine, and docs/BENCHMARKS.md holds the server to 64 MiB of RSS under a flood of
//! registrations. Hashes with other parameters still verify and are upgraded at the next login.
//!
//! Working memory: each hashing thread keeps one block buffer for the current parameters and
//! reuses it for every hash (argon2 overwrites every block before reading it). Allocating 12 or
//! 19 MiB per hash, as `Argon2::hash_password` does, left freed buffers in glibc's per-thread
//! arenas: the benchmark saw RSS climb to 395 MiB during registrations with two hashes at a time.

use std::cell::RefCell;

use argon2::password_hash::phc::{Output, ParamsString, Salt};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};
use calls_core::ports::{HashingError, PasswordCheck};

/// Memory cost of new hashes in KiB (12 MiB).
pub const CURRENT_M_COST_KIB: u32 = 12_288;
/// Passes over memory of new hashes.
pub const CURRENT_T_COST: u32 = 3;
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

thread_local! {
    /// This thread's argon2 working memory, sized for the current parameters on first use.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

fn current_params() -> Result<Params, HashingError> {
    Params::new(
        CURRENT_M_COST_KIB,
        CURRENT_T_COST,
        CURRENT_P_COST,
        Some(CURRENT_OUTPUT_LEN),
    )
    .map_err(|err| HashingError::Failed(format!("argon2 parameters: {err}")))
}

/// Computes the raw argon2 output into `out`, in this thread's reusable memory when the
/// parameters fit in it (new hashes and hashes with smaller parameters), else in a buffer freed
/// right after (older hashes with larger parameters, until their next login upgrades them).
fn compute(
    argon2: &Argon2<'_>,
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), HashingError> {
    let blocks = params.block_count();
    let reusable = usize::try_from(CURRENT_M_COST_KIB).unwrap_or(usize::MAX);
    let result = if blocks <= reusable {
        MEMORY.with(|memory| {
            let mut memory = memory.borrow_mut();
            if memory.len() < reusable {
                memory.resize(reusable, Block::new());
            }
            argon2.hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
        })
    } else {
        argon2.hash_password_into_with_memory(password, salt, out, vec![Block::new(); blocks])
    };
    result.map_err(|err| HashingError::Failed(format!("argon2: {err}")))
}

/// A new PHC string with the current parameters and a random 16-byte salt.
pub(crate) fn hash(password: &[u8]) -> Result<String, HashingError> {
    let params = current_params()?;
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let salt = Salt::generate();
    let mut out = [0u8; CURRENT_OUTPUT_LEN];
    compute(&argon2, &params, password, &salt, &mut out)?;
    let encoded = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(CURRENT_VERSION),
        params: ParamsString::try_from(&params)
            .map_err(|err| HashingError::Failed(format!("argon2 parameters: {err}")))?,
        salt: Some(salt),
        hash: Some(Output::new(&out).map_err(|err| HashingError::Failed(err.to_string()))?),
    };
    Ok(encoded.to_string())
}

/// Checks `password` against any argon2 PHC string, with the parameters the string names.
pub(crate) fn verify(password: &[u8], stored: &str) -> Result<PasswordCheck, HashingError> {
    let parsed = PasswordHash::new(stored).map_err(|_| HashingError::UnknownFormat)?;
    let algorithm =
        Algorithm::new(parsed.algorithm.as_str()).map_err(|_| HashingError::UnknownFormat)?;
    let version = match parsed.version {
        Some(version) => Version::try_from(version).map_err(|_| HashingError::UnknownFormat)?,
        None => Version::default(),
    };
    let params = Params::try_from(&parsed).map_err(|_| HashingError::UnknownFormat)?;
    if params.m_cost() > MAX_M_COST_KIB
        || params.t_cost() > MAX_T_COST
        || params.p_cost() > MAX_P_COST
    {
        return Err(HashingError::Failed(
            "stored argon2 hash asks for more resources than allowed".to_owned(),
        ));
    }
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return Err(HashingError::UnknownFormat);
    };
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    compute(&argon2, &params, password, salt, &mut out).map_err(|_| HashingError::UnknownFormat)?;
    let computed = Output::new(&out).map_err(|_| HashingError::UnknownFormat)?;
    // `Output`'s equality is constant-time.
    if computed == *expected {
        Ok(PasswordCheck::Match {
            needs_rehash: is_outdated(&parsed, algorithm, &params),
        })
    } else {
        Ok(PasswordCheck::Mismatch)
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

    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    /// A hash made by the argon2 crate's own high-level API, independent of ours.
    fn hash_with(algorithm: Algorithm, m: u32, t: u32, p: u32, password: &[u8]) -> String {
        let params = Params::new(m, t, p, Some(32)).expect("valid params");
        Argon2::new(algorithm, Version::V0x13, params)
            .hash_password(password)
            .expect("hashes")
            .to_string()
    }

    #[test]
    fn our_hashes_verify_with_the_argon2_crates_own_verifier() {
        let stored = hash(b"correct horse").expect("hashes");
        let parsed = PasswordHash::new(&stored).expect("a PHC string");
        assert_eq!(
            Argon2::default().verify_password(b"correct horse", &parsed),
            Ok(())
        );
        assert!(
            Argon2::default()
                .verify_password(b"correct horsf", &parsed)
                .is_err()
        );
        assert_eq!(parsed.salt.expect("salt").len(), MIN_SALT_LEN);
    }

    #[test]
    fn the_reusable_memory_gives_the_same_answers_hash_after_hash() {
        // Same thread, same buffer: alternating parameters and passwords must not leak state
        // from one hash into the next.
        let small = hash_with(Algorithm::Argon2id, 8192, 1, 1, b"one");
        let current = hash(b"two").expect("hashes");
        for _ in 0..2 {
            assert_eq!(
                verify(b"one", &small),
                Ok(PasswordCheck::Match { needs_rehash: true })
            );
            assert_eq!(
                verify(b"two", &current),
                Ok(PasswordCheck::Match {
                    needs_rehash: false
                })
            );
            assert_eq!(verify(b"one", &current), Ok(PasswordCheck::Mismatch));
        }
    }

    #[test]
    fn new_hashes_use_the_current_parameters() {
        let stored = hash(b"correct horse").expect("hashes");
        assert!(
            stored.starts_with("$argon2id$v=19$m=12288,t=3,p=1$"),
            "unexpected prefix: {stored}"
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
            hash_with(Algorithm::Argon2id, CURRENT_M_COST_KIB, 2, 1, b"pw"),
            // The first parameters of this server: larger than the reusable memory.
            hash_with(Algorithm::Argon2id, 19_456, 2, 1, b"pw"),
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
            "$argon2id$v=19$m=12288,t=3,p=1$!!!$!!!",
            "$argon2id$v=19$m=12288,t=3,p=1$c2FsdHNhbHRzYWx0c2FsdA",
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
