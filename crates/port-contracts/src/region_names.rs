//! Contract of the [`RegionNames`] port: every country users may call has a name in every
//! language, the names are the well-known ones, and the order is a reader's, not the code
//! points'.

use std::cmp::Ordering;

use calls_core::domain::DestinationPolicy;
use calls_core::ports::{NameLanguage, RegionNames};

/// Every country of the phone-number metadata (what an unrestricted deployment lists) has a
/// non-empty name in every language.
pub fn names_every_callable_country<N: RegionNames>(names: &N) {
    let destinations = DestinationPolicy::allow_all().destinations();
    assert!(!destinations.is_empty());
    for language in NameLanguage::ALL {
        for destination in &destinations {
            let name = names.name(&destination.code, language);
            assert!(
                name.as_deref().is_some_and(|name| !name.trim().is_empty()),
                "{} has no {language:?} name: {name:?}",
                destination.code
            );
        }
    }
}

/// The names are the usual ones, in the language's script.
pub fn names_are_in_the_language<N: RegionNames>(names: &N) {
    assert_eq!(
        names.name("DE", NameLanguage::English).as_deref(),
        Some("Germany")
    );
    assert_eq!(
        names.name("DE", NameLanguage::Russian).as_deref(),
        Some("Германия")
    );
    assert_eq!(
        names.name("FR", NameLanguage::Russian).as_deref(),
        Some("Франция")
    );
    let russian = names.name("JP", NameLanguage::Russian).unwrap_or_default();
    assert!(
        russian.chars().all(|c| !c.is_ascii_alphabetic()),
        "a Russian name is not in Latin letters: {russian:?}"
    );
}

/// Only ISO 3166-1 alpha-2 codes (upper case) are names' keys.
pub fn refuses_what_is_not_a_country_code<N: RegionNames>(names: &N) {
    for code in ["", "D", "de", "DEU", "419", "4"] {
        assert_eq!(names.name(code, NameLanguage::English), None, "{code:?}");
    }
}

/// The order is the language's collation: accents and `Ё` do not send a name to the end, as
/// comparing code points would; equal names compare equal.
pub fn orders_names_as_a_reader_does<N: RegionNames>(names: &N) {
    assert_eq!(
        names.compare("Åland Islands", "Albania", NameLanguage::English),
        Ordering::Less,
        "Å sorts with A in English"
    );
    assert_eq!(
        names.compare("Ёж", "Едем", NameLanguage::Russian),
        Ordering::Greater,
        "Ё sorts with Е in Russian"
    );
    assert_eq!(
        names.compare("Египет", "Эстония", NameLanguage::Russian),
        Ordering::Less
    );
    for language in NameLanguage::ALL {
        assert_eq!(
            names.compare("Chad", "Chad", language),
            Ordering::Equal,
            "{language:?}"
        );
    }
}

/// One `#[test]` per rule, for the adapter `$names` (an expression, evaluated per test).
#[macro_export]
macro_rules! region_names_contract_tests {
    ($names:expr) => {
        $crate::region_names_contract_tests!(@rules $names;
            names_every_callable_country,
            names_are_in_the_language,
            refuses_what_is_not_a_country_code,
            orders_names_as_a_reader_does,
        );
    };
    (@rules $names:expr; $($rule:ident),* $(,)?) => {
        mod region_names_contract {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[test]
                fn $rule() {
                    $crate::region_names::$rule(&$names);
                }
            )*
        }
    };
}
