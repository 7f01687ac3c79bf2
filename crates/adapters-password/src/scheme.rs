//! Recognises which scheme a stored hash uses, before any expensive work.

use calls_core::ports::HashingError;

/// The stored-hash formats this adapter can verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// A PHC string `$argon2id$...` (or the older `argon2i`/`argon2d` variants).
    Argon2,
    /// `$2a$`, `$2b$` or `$2y$`: bcrypt as the Go backend wrote it (`$2a$10$...`). `$2x$`
    /// (the buggy crypt_blowfish variant) is deliberately not accepted.
    Bcrypt,
}

pub(crate) fn identify(stored: &str) -> Result<Scheme, HashingError> {
    if stored.starts_with("$argon2") {
        Ok(Scheme::Argon2)
    } else if ["$2a$", "$2b$", "$2y$"]
        .iter()
        .any(|prefix| stored.starts_with(prefix))
    {
        Ok(Scheme::Bcrypt)
    } else {
        Err(HashingError::UnknownFormat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_supported_prefixes() {
        assert_eq!(identify("$argon2id$v=19$..."), Ok(Scheme::Argon2));
        for prefix in ["$2a$", "$2b$", "$2y$"] {
            assert_eq!(identify(&format!("{prefix}10$abc")), Ok(Scheme::Bcrypt));
        }
    }

    #[test]
    fn refuses_everything_else() {
        for stored in [
            "",
            "password",
            "$2x$10$abc",
            "$1$abc",
            "$scrypt$ln=16",
            "2a$10$",
        ] {
            assert_eq!(
                identify(stored),
                Err(HashingError::UnknownFormat),
                "{stored}"
            );
        }
    }
}
