use super::*;
use crate::ports::MockRegionNames;

/// Names that are the code (English) or the code reversed (Russian), ordered by code points,
/// with no Russian name for FR.
fn names() -> MockRegionNames {
    let mut names = MockRegionNames::new();
    names
        .expect_name()
        .returning(|code, language| match (code, language) {
            (_, NameLanguage::English) => Some(format!("name of {code}")),
            ("FR", NameLanguage::Russian) => None,
            (_, NameLanguage::Russian) => Some(code.chars().rev().collect()),
        });
    names
        .expect_compare()
        .returning(|left, right, _| left.cmp(right));
    names
}

fn policy(countries: &[&str]) -> DestinationPolicy {
    DestinationPolicy::new(countries, [""; 0]).expect("valid policy")
}

#[test]
fn each_language_lists_the_allowed_countries_sorted_by_their_names() {
    let catalog = DestinationCatalog::new(&policy(&["DE", "ES", "GB"]), &names());
    let codes = |language| -> Vec<String> {
        catalog
            .list(language)
            .iter()
            .map(|listed| listed.code.clone())
            .collect()
    };
    assert_eq!(codes(NameLanguage::English), ["DE", "ES", "GB"]);
    // "BG" < "ED" < "SE"
    assert_eq!(codes(NameLanguage::Russian), ["GB", "DE", "ES"]);
    let germany = &catalog.list(NameLanguage::English)[0];
    assert_eq!(germany.name, "name of DE");
    assert_eq!(germany.calling_code, 49);
    assert_eq!(germany.example.region(), Some("DE"));
}

#[test]
fn a_missing_name_falls_back_to_english() {
    let catalog = DestinationCatalog::new(&policy(&["FR"]), &names());
    assert_eq!(catalog.list(NameLanguage::Russian)[0].name, "name of FR");
}

#[test]
fn the_lists_follow_the_policy() {
    let all = DestinationPolicy::allow_all();
    let catalog = DestinationCatalog::new(&all, &names());
    for language in NameLanguage::ALL {
        assert_eq!(
            catalog.list(language).len(),
            all.destinations().len(),
            "{language:?}"
        );
    }
}
