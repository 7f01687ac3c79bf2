//! The destinations a deployment lets its users call, listed: every country of
//! libphonenumber's metadata (the same metadata that validates the numbers users dial) that
//! the [`DestinationPolicy`] allows, with an example number it would accept.

use phonenumber::metadata::DATABASE;

use super::{DestinationPolicy, PhoneNumber};

/// One country users may call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// ISO 3166-1 alpha-2 code, upper case.
    pub code: String,
    /// The country calling code, without `+` (`49`).
    pub calling_code: u16,
    /// A number of this country that [`PhoneNumber::parse`] accepts and the policy allows:
    /// libphonenumber's example fixed-line number, else its example mobile number.
    pub example: PhoneNumber,
}

impl DestinationPolicy {
    /// Every destination this policy allows, ordered by code. A country is listed when the
    /// allowed countries include it (or none are set) and one of its example numbers passes
    /// [`check`](Self::check): so a country whose example numbers all lie in blocked prefixes
    /// is left out rather than shown with an example that would be refused. Non-geographic
    /// services (`+800`, metadata region `001`) are not countries and are never listed.
    ///
    /// The example of a country with a calling code of its own is taken as the metadata
    /// states it, not validated again here: validating every country's example compiles every
    /// country's number patterns (about 17 MB of transient allocations that glibc then keeps
    /// as the process's resident memory). Only countries that share a calling code run the
    /// patterns, since only they tell which country an example belongs to. The tests parse
    /// every listed example with [`PhoneNumber::parse`] and require it to be valid for its own
    /// country, so an upgrade of the metadata that broke that would fail them.
    ///
    /// Computed from the metadata on each call (under a millisecond): build it once.
    pub fn destinations(&self) -> Vec<Destination> {
        let mut listed: Vec<Destination> = DATABASE
            .iter()
            .filter(|metadata| is_country_code(metadata.id()))
            // Before any number is parsed: validating the examples is the costly part.
            .filter(|metadata| self.allows_country(metadata.id()))
            .filter_map(|metadata| {
                let descriptors = metadata.descriptors();
                let shares_its_code = DATABASE
                    .by_code(&metadata.country_code())
                    .is_some_and(|regions| regions.len() > 1);
                let example = [descriptors.fixed_line(), descriptors.mobile()]
                    .into_iter()
                    .flatten()
                    .filter_map(|descriptor| descriptor.example())
                    .filter_map(|national| {
                        let code = metadata.country_code();
                        if shares_its_code {
                            // Which country a number of a shared code (the NANP's +1, +7,
                            // +39, ...) belongs to is only known by its patterns: validated,
                            // and taken only if attributed to this country.
                            PhoneNumber::parse(&format!("+{code}{national}"))
                                .ok()
                                .filter(|number| number.region() == Some(metadata.id()))
                        } else {
                            PhoneNumber::metadata_example(code, national, metadata.id())
                        }
                    })
                    .find(|number| self.check(number).is_ok())?;
                Some(Destination {
                    code: metadata.id().to_owned(),
                    calling_code: metadata.country_code(),
                    example,
                })
            })
            .collect();
        listed.sort_by(|left, right| left.code.cmp(&right.code));
        listed
    }
}

fn is_country_code(id: &str) -> bool {
    id.len() == 2 && id.bytes().all(|byte| byte.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(policy: &DestinationPolicy) -> Vec<String> {
        policy
            .destinations()
            .into_iter()
            .map(|destination| destination.code)
            .collect()
    }

    #[test]
    fn everything_allowed_lists_every_country_of_the_metadata() {
        let listed = DestinationPolicy::allow_all().destinations();
        let countries = DATABASE
            .iter()
            .filter(|metadata| is_country_code(metadata.id()))
            .count();
        // Countries without any valid example number (none in the current metadata, but the
        // rule allows it) are the only ones left out.
        assert!(
            listed.len() + 5 >= countries && listed.len() > 200,
            "{} listed of {countries} countries",
            listed.len()
        );
        let germany = listed
            .iter()
            .find(|destination| destination.code == "DE")
            .expect("Germany is listed");
        assert_eq!(germany.calling_code, 49);
        assert_eq!(germany.example.region(), Some("DE"));
        assert!(listed.iter().all(|destination| destination.code != "001"));
        assert!(listed.windows(2).all(|pair| pair[0].code < pair[1].code));
    }

    #[test]
    fn only_the_allowed_countries_are_listed() {
        let policy = DestinationPolicy::new(["fr", "DE"], [""; 0]).expect("valid");
        assert_eq!(codes(&policy), ["DE", "FR"]);
    }

    #[test]
    fn every_example_passes_the_policy_and_belongs_to_its_country() {
        let policy = DestinationPolicy::new([""; 0], ["+1900", "+49900"]).expect("valid");
        for destination in policy.destinations() {
            assert_eq!(
                policy.check(&destination.example),
                Ok(()),
                "{destination:?}"
            );
            assert_eq!(
                destination.example.region(),
                Some(destination.code.as_str())
            );
            assert!(
                destination
                    .example
                    .as_e164()
                    .starts_with(&format!("+{}", destination.calling_code))
            );
        }
    }

    #[test]
    fn every_listed_example_is_a_valid_number_of_its_own_country() {
        // What the listing takes on trust, checked with the validation users' numbers get.
        let listed = DestinationPolicy::allow_all().destinations();
        let wrong: Vec<String> = listed
            .iter()
            .filter(|destination| {
                PhoneNumber::parse(destination.example.as_e164())
                    .map(|parsed| parsed.region() != Some(destination.code.as_str()))
                    .unwrap_or(true)
            })
            .map(|destination| format!("{} {}", destination.code, destination.example.as_e164()))
            .collect();
        assert!(
            wrong.is_empty(),
            "examples not valid for their country: {wrong:?}"
        );
    }

    #[test]
    fn a_country_whose_examples_are_all_blocked_is_not_listed() {
        let policy = DestinationPolicy::new(["DE", "FR"], ["+49"]).expect("valid");
        assert_eq!(codes(&policy), ["FR"]);
    }
}
