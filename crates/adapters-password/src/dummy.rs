//! The hash that unknown accounts are "verified" against.

use std::sync::OnceLock;

use crate::argon2id;

/// An argon2id hash with the current parameters (and a random salt), computed on first use and
/// kept for the life of the process. `None` only if hashing itself failed.
///
/// The password inside is no secret: the result of a dummy verification is thrown away, so
/// knowing it gains nothing. It only has to cost exactly what a real verification costs.
pub(crate) fn dummy_hash() -> Option<&'static str> {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    DUMMY
        .get_or_init(|| argon2id::hash(b"calls-platform: no account has this password").ok())
        .as_deref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uses_the_current_parameters_and_is_computed_once() {
        let first = dummy_hash().expect("hashing works");
        assert!(first.starts_with("$argon2id$v=19$m=12288,t=3,p=1$"));
        let second = dummy_hash().expect("hashing works");
        assert!(std::ptr::eq(first, second));
    }
}
