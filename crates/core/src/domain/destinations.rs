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
    /// Computed from the metadata on each call (a few milliseconds): build it once at start.
    pub fn destinations(&self) -> Vec<Destination> {
        let mut listed: Vec<Destination> = DATABASE
            .iter()
            .filter(|metadata| is_country_code(metadata.id()))
            // Before any number is parsed: validating the examples is the costly part.
            .filter(|metadata| self.allows_country(metadata.id()))
            .filter_map(|metadata| {
                let descriptors = metadata.descriptors();
                let example = [descriptors.fixed_line(), descriptors.mobile()]
                    .into_iter()
                    .flatten()
                    .filter_map(|descriptor| descriptor.example())
                    .filter_map(|national| {
                        PhoneNumber::parse(&format!("+{}{national}", metadata.country_code())).ok()
                    })
                    // A number shared by several countries (the NANP's +1) is this country's
                    // example only if it is attributed to it.
                    .filter(|number| number.region() == Some(metadata.id()))
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
    fn a_country_whose_examples_are_all_blocked_is_not_listed() {
        let policy = DestinationPolicy::new(["DE", "FR"], ["+49"]).expect("valid");
        assert_eq!(codes(&policy), ["FR"]);
    }
}
