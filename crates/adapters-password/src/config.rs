//! Tunables of the password hasher.

use std::num::NonZeroUsize;

/// How much hashing may run at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HasherConfig {
    /// Hashes computed at the same time; further requests wait (asynchronously) for a slot.
    /// Each hashing thread keeps a 12 MiB argon2id buffer and takes one CPU for about 15 ms per
    /// hash, so this bounds both the memory and the CPU that a flood of logins can take.
    /// Default: the number of CPUs (`std::thread::available_parallelism`, 1 if unknown).
    pub max_concurrent_hashes: NonZeroUsize,
}

impl Default for HasherConfig {
    fn default() -> Self {
        Self {
            max_concurrent_hashes: std::thread::available_parallelism()
                .unwrap_or(NonZeroUsize::MIN),
        }
    }
}
