//! Session ids of the mock provider.
//!
//! Format: `MK` followed by 32 lowercase hex digits. The first 24 digits are a 96-bit seed that
//! makes the id unique, the last 8 a checksum of that seed. The checksum is what lets *any*
//! instance of the mock recognise its own ids without remembering them: calls and their session
//! ids live in the database and outlive this process, and a terminate request may reach another
//! server instance than the one that placed the call. A made-up or mistyped id fails the check
//! with overwhelming probability and is refused as an unknown session.

use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};
use uuid::Uuid;

const PREFIX: &str = "MK";
const SEED_LEN: usize = 12;
const CHECKSUM_LEN: usize = 4;
/// Separates this checksum from any other use of SHA-256 over similar bytes, and versions the
/// format should it ever change.
const CHECKSUM_DOMAIN: &[u8] = b"calls-platform/mock-voice-session/v1";

/// Where the mock gets the uniqueness of its session ids from. Injectable so tests can predict
/// the ids; a source must never repeat a seed within the life of the data.
pub trait SessionIdSource: Send + Sync {
    fn next_seed(&self) -> [u8; SEED_LEN];
}

/// 96 random bits per id: collisions are out of the question for any realistic number of calls.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomSessionIds;

impl SessionIdSource for RandomSessionIds {
    fn next_seed(&self) -> [u8; SEED_LEN] {
        // A v4 UUID is random except for its version (byte 6) and variant (byte 8) bits, so
        // bytes 0..6 and 10..16 give 96 fully random bits.
        let bytes = Uuid::new_v4().into_bytes();
        let mut seed = [0_u8; SEED_LEN];
        seed[..6].copy_from_slice(&bytes[..6]);
        seed[6..].copy_from_slice(&bytes[10..]);
        seed
    }
}

/// Counts up from a starting value, so tests know exactly which ids will be issued.
#[derive(Debug, Default)]
pub struct SequentialSessionIds {
    next: AtomicU64,
}

impl SequentialSessionIds {
    pub fn starting_at(first: u64) -> Self {
        Self {
            next: AtomicU64::new(first),
        }
    }
}

impl SessionIdSource for SequentialSessionIds {
    fn next_seed(&self) -> [u8; SEED_LEN] {
        let value = self.next.fetch_add(1, Ordering::Relaxed);
        let mut seed = [0_u8; SEED_LEN];
        seed[SEED_LEN - 8..].copy_from_slice(&value.to_be_bytes());
        seed
    }
}

/// The session id for `seed`.
pub fn session_id_from_seed(seed: [u8; SEED_LEN]) -> String {
    let mut id = String::with_capacity(PREFIX.len() + 2 * (SEED_LEN + CHECKSUM_LEN));
    id.push_str(PREFIX);
    push_hex(&mut id, &seed);
    push_hex(&mut id, &checksum(&seed));
    id
}

/// Whether `id` is a session id some mock provider issued (same format, valid checksum).
pub fn is_mock_session_id(id: &str) -> bool {
    let Some(digits) = id.strip_prefix(PREFIX) else {
        return false;
    };
    let Some(bytes) = decode_lower_hex(digits) else {
        return false;
    };
    if bytes.len() != SEED_LEN + CHECKSUM_LEN {
        return false;
    }
    let (seed, check) = bytes.split_at(SEED_LEN);
    checksum(seed) == check
}

fn checksum(seed: &[u8]) -> [u8; CHECKSUM_LEN] {
    let digest = Sha256::new()
        .chain_update(CHECKSUM_DOMAIN)
        .chain_update(seed)
        .finalize();
    let mut out = [0_u8; CHECKSUM_LEN];
    out.copy_from_slice(&digest[..CHECKSUM_LEN]);
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn push_hex(out: &mut String, bytes: &[u8]) {
    for byte in bytes {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
}

/// Decodes lowercase hex only: the mock never issues upper case, so an upper-case id is not one
/// of ours.
fn decode_lower_hex(text: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        }
    }
    let raw = text.as_bytes();
    if !raw.len().is_multiple_of(2) {
        return None;
    }
    raw.chunks_exact(2)
        .map(|pair| Some((nibble(pair[0])? << 4) | nibble(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_ids_have_the_documented_shape_and_are_recognised() {
        let id = session_id_from_seed(RandomSessionIds.next_seed());
        assert_eq!(id.len(), 34);
        assert!(id.starts_with("MK"));
        assert!(
            id[2..]
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert!(is_mock_session_id(&id));
    }

    #[test]
    fn sequential_ids_are_predictable() {
        let ids = SequentialSessionIds::starting_at(7);
        let first = session_id_from_seed(ids.next_seed());
        let second = session_id_from_seed(ids.next_seed());
        assert!(first.starts_with(&format!("MK{:024x}", 7)));
        assert!(second.starts_with(&format!("MK{:024x}", 8)));
        assert_eq!(
            first,
            session_id_from_seed([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7])
        );
    }

    #[test]
    fn look_alikes_are_refused() {
        let id = session_id_from_seed(RandomSessionIds.next_seed());
        let mut tampered = id.clone().into_bytes();
        tampered[5] = if tampered[5] == b'0' { b'1' } else { b'0' };
        let tampered = String::from_utf8(tampered).expect("ascii");
        for candidate in [
            tampered.as_str(),
            &id.to_uppercase(),
            &id[..33],
            &format!("{id}0"),
            &format!("CA{}", &id[2..]),
            "MK00000000000000000000000000000000",
            "MK",
            "",
            "MKzz000000000000000000000000000000",
        ] {
            assert!(!is_mock_session_id(candidate), "{candidate}");
        }
    }
}
