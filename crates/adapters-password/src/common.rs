//! The `CommonPasswords` port, answered with zxcvbn.

use calls_core::domain::Password;
use calls_core::ports::CommonPasswords;

/// Flags passwords an attacker would try early.
///
/// **Rule:** a password is common when zxcvbn estimates that fewer than `10^min_guesses_log10`
/// guesses find it; the default is `10^6` (zxcvbn score 0 or 1, "too guessable").
///
/// Why this rule: zxcvbn matches the password against its frequency-ranked dictionaries (about
/// 30 000 leaked passwords, English words, names, TV and film vocabulary) including l33t
/// substitutions, reversed words, capitalisation, keyboard walks (`qwertyuiop`), sequences
/// (`12345678`), repeats and dates, and estimates how many guesses a cracker ordering its
/// guesses that way would need. "Within the first million guesses" is what a password list
/// check is meant to catch: `password`, `password1`, `Password123`, `iloveyou123`, `letmein!`,
/// `football` all need fewer than 10^5. A longer bar (e.g. score 3) would also reject
/// reasonable passphrases and start acting as a composition rule, which NIST SP 800-63B
/// advises against; online guessing beyond this is the login throttle's job.
///
/// zxcvbn only looks at the first 100 characters, which also bounds the cost of the check.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CommonPasswordList {
    min_guesses_log10: f64,
}

impl CommonPasswordList {
    /// The default threshold: 10^6 guesses.
    pub const DEFAULT_MIN_GUESSES_LOG10: f64 = 6.0;

    pub fn new() -> Self {
        Self {
            min_guesses_log10: Self::DEFAULT_MIN_GUESSES_LOG10,
        }
    }

    /// Uses another threshold, as the base-10 logarithm of the estimated guesses.
    pub fn with_min_guesses_log10(min_guesses_log10: f64) -> Self {
        Self { min_guesses_log10 }
    }
}

impl Default for CommonPasswordList {
    fn default() -> Self {
        Self::new()
    }
}

impl CommonPasswords for CommonPasswordList {
    fn is_common(&self, password: &Password) -> bool {
        zxcvbn::zxcvbn(password.expose(), &[]).guesses_log10() < self.min_guesses_log10
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn common(raw: &str) -> bool {
        CommonPasswordList::default().is_common(&Password::for_login(raw.to_owned()).expect("ok"))
    }

    #[test]
    fn rejects_well_known_passwords_and_their_usual_variants() {
        for raw in [
            "password",
            "password1",
            "Password123",
            "Password123!",
            "P@ssw0rd",
            "12345678",
            "11111111",
            "abcdefgh",
            "qwertyuiop",
            "1q2w3e4r5t",
            "iloveyou123",
            "football",
            "Football1!",
            "letmein!",
            "trustno1",
            "monkey123",
        ] {
            assert!(common(raw), "{raw} should be common");
        }
    }

    #[test]
    fn accepts_passphrases_and_random_strings() {
        for raw in [
            "correct horse battery staple",
            "Tr0ub4dor&3xyz!",
            "x7Kp2mQv9LzR",
            "aZ3$kP9!qW2e",
            "hG5tY8uJ1kL0",
            "blue-elephant-42",
        ] {
            assert!(!common(raw), "{raw} should be accepted");
        }
    }

    #[test]
    fn accepts_generated_random_strings() {
        // Twelve characters from a 62-symbol alphabet, from a fixed-seed generator so a failure
        // reproduces.
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..50 {
            let raw: String = (0..12)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    let index = usize::try_from(state % 62).expect("below 62");
                    char::from(ALPHABET[index])
                })
                .collect();
            assert!(!common(&raw), "{raw} should be accepted");
        }
    }

    #[test]
    fn threshold_is_configurable() {
        let strict = CommonPasswordList::with_min_guesses_log10(10.0);
        let password = Password::new("mycatisfluffy".to_owned()).expect("valid");
        assert!(!CommonPasswordList::default().is_common(&password));
        assert!(strict.is_common(&password));
    }
}
