//! Prints the time of one argon2id hash and one verification with the server's parameters
//! (crates/adapters-password/src/argon2id.rs: m=19456 KiB, t=2, p=1, 32-byte output), as JSON.
//! Usage: bench-hash-time [iterations]

use std::time::Instant;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use argon2::password_hash::phc::PasswordHash;

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
    let params = Params::new(19_456, 2, 1, Some(32)).expect("parameters");
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let password = b"Bench-Passw0rd!x";
    // Warm-up: page in the 19 MiB block buffer once.
    let phc = argon.hash_password(password).expect("hash").to_string();
    let parsed = PasswordHash::new(&phc).expect("own hash");
    let mut hash_ms = Vec::with_capacity(iterations);
    let mut verify_ms = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let start = Instant::now();
        let fresh = argon.hash_password(password).expect("hash");
        hash_ms.push(start.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(fresh);
        let start = Instant::now();
        Argon2::default()
            .verify_password(password, &parsed)
            .expect("verify");
        verify_ms.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    let hash_min = hash_ms.iter().copied().fold(f64::INFINITY, f64::min);
    let verify_min = verify_ms.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "{{\"iterations\":{iterations},\"hash_median_ms\":{:.3},\"hash_min_ms\":{hash_min:.3},\"verify_median_ms\":{:.3},\"verify_min_ms\":{verify_min:.3},\"phc_prefix\":\"{}\"}}",
        median(&mut hash_ms),
        median(&mut verify_ms),
        phc.split('$').take(4).collect::<Vec<_>>().join("$"),
    );
}
