//! Which destinations the operator lets users call: the first line of defence against toll
//! fraud (a stolen account dialling premium-rate numbers). Checked before anything reaches the
//! voice provider, and again when the provider asks us what to dial.

use std::collections::BTreeSet;
use std::fmt;

use super::PhoneNumber;

/// Allowed countries (empty: all) and blocked number prefixes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DestinationPolicy {
    allowed_countries: BTreeSet<String>,
    blocked_prefixes: Vec<String>,
}

/// A setting of the policy that cannot be right; names the offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DestinationPolicyError {
    #[error("'{0}' is not an ISO 3166-1 alpha-2 country code (two letters, such as DE)")]
    BadCountry(String),
    #[error("'{0}' is not an E.164 prefix ('+' followed by 1 to 15 digits, such as +1900)")]
    BadPrefix(String),
}

/// Why a destination is refused. The text is safe to show the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DestinationRefusal {
    #[error("calls to {0} are not allowed")]
    CountryNotAllowed(String),
    #[error("calls to numbers without a country are not allowed")]
    NoCountry,
    #[error("calls to this number range are not allowed")]
    BlockedPrefix,
}

impl DestinationPolicy {
    /// Every destination allowed: the default when the operator configures nothing.
    pub fn allow_all() -> Self {
        Self::default()
    }

    /// Country codes are case-insensitive; blank entries (from `A,,B` or a trailing comma) are
    /// skipped.
    pub fn new<C, P>(
        allowed_countries: C,
        blocked_prefixes: P,
    ) -> Result<Self, DestinationPolicyError>
    where
        C: IntoIterator,
        C::Item: AsRef<str>,
        P: IntoIterator,
        P::Item: AsRef<str>,
    {
        let mut countries = BTreeSet::new();
        for raw in allowed_countries {
            let code = raw.as_ref().trim();
            if code.is_empty() {
                continue;
            }
            if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(DestinationPolicyError::BadCountry(code.to_owned()));
            }
            countries.insert(code.to_ascii_uppercase());
        }
        let mut prefixes = Vec::new();
        for raw in blocked_prefixes {
            let prefix = raw.as_ref().trim();
            if prefix.is_empty() {
                continue;
            }
            let well_formed = prefix.strip_prefix('+').is_some_and(|digits| {
                (1..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
            });
            if !well_formed {
                return Err(DestinationPolicyError::BadPrefix(prefix.to_owned()));
            }
            prefixes.push(prefix.to_owned());
        }
        Ok(Self {
            allowed_countries: countries,
            blocked_prefixes: prefixes,
        })
    }

    /// Whether the allowed countries include `code` (upper case); true for every code when none
    /// are set. The blocked prefixes still apply to each number ([`check`](Self::check)).
    pub(super) fn allows_country(&self, code: &str) -> bool {
        self.allowed_countries.is_empty() || self.allowed_countries.contains(code)
    }

    /// Whether `number` may be called. Blocked prefixes win over allowed countries.
    pub fn check(&self, number: &PhoneNumber) -> Result<(), DestinationRefusal> {
        if self
            .blocked_prefixes
            .iter()
            .any(|prefix| number.as_e164().starts_with(prefix.as_str()))
        {
            return Err(DestinationRefusal::BlockedPrefix);
        }
        if self.allowed_countries.is_empty() {
            return Ok(());
        }
        match number.region() {
            Some(region) if self.allowed_countries.contains(region) => Ok(()),
            Some(region) => Err(DestinationRefusal::CountryNotAllowed(region.to_owned())),
            None => Err(DestinationRefusal::NoCountry),
        }
    }
}

impl fmt::Display for DestinationPolicy {
    /// One line for the start-up log: what the operator configured.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.allowed_countries.is_empty() {
            f.write_str("all countries")?;
        } else {
            let list: Vec<&str> = self.allowed_countries.iter().map(String::as_str).collect();
            write!(f, "countries {}", list.join(","))?;
        }
        if !self.blocked_prefixes.is_empty() {
            write!(f, " except {}", self.blocked_prefixes.join(","))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(raw: &str) -> PhoneNumber {
        PhoneNumber::parse(raw).expect("valid test number")
    }

    #[test]
    fn the_default_allows_everything() {
        let policy = DestinationPolicy::allow_all();
        assert_eq!(policy.check(&number("+4930901820")), Ok(()));
        assert_eq!(policy.check(&number("+19005550123")), Ok(()));
    }

    #[test]
    fn only_listed_countries_are_allowed() {
        let policy = DestinationPolicy::new(["de", " FR "], [""; 0]).expect("valid");
        assert_eq!(policy.check(&number("+4930901820")), Ok(()));
        assert_eq!(policy.check(&number("+33142685300")), Ok(()));
        assert_eq!(
            policy.check(&number("+442071838750")),
            Err(DestinationRefusal::CountryNotAllowed("GB".into()))
        );
    }

    #[test]
    fn blocked_prefixes_win_over_allowed_countries() {
        let policy = DestinationPolicy::new(["US"], ["+1900"]).expect("valid");
        assert_eq!(
            policy.check(&number("+19005550123")),
            Err(DestinationRefusal::BlockedPrefix)
        );
        assert_eq!(policy.check(&number("+12025550123")), Ok(()));
    }

    #[test]
    fn non_geographic_numbers_are_refused_when_countries_are_listed() {
        let policy = DestinationPolicy::new(["DE"], [""; 0]).expect("valid");
        assert_eq!(
            policy.check(&number("+80012345678")),
            Err(DestinationRefusal::NoCountry)
        );
    }

    #[test]
    fn malformed_settings_name_the_bad_value() {
        assert_eq!(
            DestinationPolicy::new(["DEU"], [""; 0]),
            Err(DestinationPolicyError::BadCountry("DEU".into()))
        );
        assert_eq!(
            DestinationPolicy::new([""; 0], ["1900"]),
            Err(DestinationPolicyError::BadPrefix("1900".into()))
        );
        assert_eq!(
            DestinationPolicy::new([""; 0], ["+19x"]),
            Err(DestinationPolicyError::BadPrefix("+19x".into()))
        );
    }

    #[test]
    fn blank_entries_are_ignored() {
        let policy = DestinationPolicy::new(["", " "], ["", "+1900", ""]).expect("valid");
        assert_eq!(policy.to_string(), "all countries except +1900");
    }
}
