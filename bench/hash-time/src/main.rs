//! Prints the time of one argon2id hash and one verification as the server computes them, as
//! JSON: crates/adapters-password/src/argon2id.rs (m=12288 KiB, t=3, p=1, 32-byte output, 16-byte
//! salt), in a block buffer allocated once and reused for every hash, as each of the server's
//! hashing threads does. Verification is the same computation plus a comparison.
//! Usage: bench-hash-time [iterations]

use std::time::Instant;

use argon2::{Algorithm, Argon2, Block, Params, Version};

const M_COST_KIB: u32 = 12_288;
const T_COST: u32 = 3;
const P_COST: u32 = 1;

fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(|a, b| a.total_cmp(b));
    let n = samples.len();
    if n % 2 == 1 {
        samples[n / 2]
    } else {
        (samples[n / 2 - 1] + samples[n / 2]) / 2.0
    }
}

fn main() {
    let iterations: usize = std::env::args()
        .nth(1)
        .and_then(|raw| raw.parse().ok())
        .unwrap_or(15);
    let params = Params::new(M_COST_KIB, T_COST, P_COST, Some(32)).expect("parameters");
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let password = b"Bench-Passw0rd!x";
    let salt = [7u8; 16];
    let mut memory = vec![Block::new(); params.block_count()];
    let mut stored = [0u8; 32];
    // Warm-up: pages the block buffer in once, as a hashing thread's first hash does.
    argon
        .hash_password_into_with_memory(password, &salt, &mut stored, &mut memory[..])
        .expect("hash");
    let mut hash_ms = Vec::with_capacity(iterations);
    let mut verify_ms = Vec::with_capacity(iterations);
    for index in 0..iterations {
        let mut out = [0u8; 32];
        let fresh_salt = [index as u8; 16];
        let start = Instant::now();
        argon
            .hash_password_into_with_memory(password, &fresh_salt, &mut out, &mut memory[..])
            .expect("hash");
        hash_ms.push(start.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(out);
        let start = Instant::now();
        argon
            .hash_password_into_with_memory(password, &salt, &mut out, &mut memory[..])
            .expect("verify");
        assert_eq!(out, stored, "verification computes the stored hash");
        verify_ms.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    let hash_min = hash_ms.iter().copied().fold(f64::INFINITY, f64::min);
    let verify_min = verify_ms.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "{{\"iterations\":{iterations},\"hash_median_ms\":{:.3},\"hash_min_ms\":{hash_min:.3},\"verify_median_ms\":{:.3},\"verify_min_ms\":{verify_min:.3},\"phc_prefix\":\"$argon2id$v=19$m={M_COST_KIB},t={T_COST},p={P_COST}\"}}",
        median(&mut hash_ms),
        median(&mut verify_ms),
    );
}
