//! International phone numbers, validated against libphonenumber's metadata.

use std::fmt;

use phonenumber::Mode;

/// A dialable number in E.164 form (`+` and 8 to 15 digits) that libphonenumber recognises as a
/// valid number of its country. The ISO 3166 region it belongs to is derived once, here.
#[derive(Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    e164: String,
    region: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneNumberError {
    #[error("phone_number is required")]
    Empty,
    #[error("phone_number must be in E.164 form: '+' followed by 8 to 15 digits, e.g. +4930123456")]
    NotE164,
    #[error("phone_number is not a valid number for its country")]
    NotValidForCountry,
}

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<Self, PhoneNumberError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(PhoneNumberError::Empty);
        }
        let digits = raw.strip_prefix('+').ok_or(PhoneNumberError::NotE164)?;
        if !(8..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PhoneNumberError::NotE164);
        }
        let parsed =
            phonenumber::parse(None, raw).map_err(|_| PhoneNumberError::NotValidForCountry)?;
        if !phonenumber::is_valid(&parsed) {
            return Err(PhoneNumberError::NotValidForCountry);
        }
        let e164 = parsed.format().mode(Mode::E164).to_string();
        let region = parsed.country().id().map(|id| id.as_ref().to_owned());
        Ok(Self { e164, region })
    }

    /// libphonenumber's example number `national` of the country `region` (calling code
    /// `country_code`), taken as valid without running the patterns (see
    /// `DestinationPolicy::destinations`); `None` when it is not of E.164 length.
    pub(crate) fn metadata_example(
        country_code: u16,
        national: &str,
        region: &str,
    ) -> Option<Self> {
        let e164 = format!("+{country_code}{national}");
        let digits = e164.len() - 1;
        let shape_ok = (8..=15).contains(&digits) && e164[1..].bytes().all(|b| b.is_ascii_digit());
        shape_ok.then(|| Self {
            e164,
            region: Some(region.to_owned()),
        })
    }

    pub fn as_e164(&self) -> &str {
        &self.e164
    }

    /// ISO 3166-1 alpha-2 code of the number's country, when the number maps to one
    /// (numbers of non-geographic services such as `+800` do not).
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The number as people write it internationally (`+49 30 901820`): libphonenumber's
    /// grouping for its country. Only for display; the API takes [`as_e164`](Self::as_e164).
    pub fn international(&self) -> String {
        phonenumber::parse(None, &self.e164)
            .map(|parsed| parsed.format().mode(Mode::International).to_string())
            .unwrap_or_else(|_| self.e164.clone())
    }

    /// The form that may appear in logs.
    pub fn masked(&self) -> String {
        mask_phone_number(&self.e164)
    }
}

/// Hides all but the last four digits (`+4930123456` -> `+*****3456`), for logs.
pub fn mask_phone_number(number: &str) -> String {
    let total = number.chars().count();
    number
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if c.is_ascii_digit() && i + 4 < total {
                '*'
            } else {
                c
            }
        })
        .collect()
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.e164)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_numbers_and_derives_the_country() {
        let de = PhoneNumber::parse("+4930901820").expect("Berlin landline");
        assert_eq!(de.as_e164(), "+4930901820");
        assert_eq!(de.region(), Some("DE"));
        let us = PhoneNumber::parse(" +14155552671 ").expect("US number");
        assert_eq!(us.region(), Some("US"));
        let gb = PhoneNumber::parse("+442079460958").expect("London landline");
        assert_eq!(gb.region(), Some("GB"));
    }

    #[test]
    fn the_international_form_groups_the_digits() {
        let de = PhoneNumber::parse("+4930901820").expect("Berlin landline");
        assert_eq!(de.international(), "+49 30 901820");
    }

    #[test]
    fn refuses_what_is_not_e164() {
        for raw in [
            "4930901820",
            "+49 30 901820",
            "+49-30-901820",
            "+1234567",
            "+1234567890123456",
            "+49abc",
        ] {
            assert_eq!(
                PhoneNumber::parse(raw),
                Err(PhoneNumberError::NotE164),
                "{raw}"
            );
        }
        assert_eq!(PhoneNumber::parse(""), Err(PhoneNumberError::Empty));
    }

    #[test]
    fn refuses_numbers_that_do_not_exist_in_their_country() {
        // Well-formed E.164 but not a valid number plan entry.
        for raw in ["+10000000000", "+999123456789", "+4900000000"] {
            assert_eq!(
                PhoneNumber::parse(raw),
                Err(PhoneNumberError::NotValidForCountry),
                "{raw}"
            );
        }
    }

    #[test]
    fn masking_keeps_only_the_last_four_digits() {
        assert_eq!(mask_phone_number("+4930901820"), "+******1820");
        let number = PhoneNumber::parse("+4930901820").expect("valid");
        assert!(!format!("{number:?}").contains("4930"));
    }
}
