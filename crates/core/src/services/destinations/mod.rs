//! Where one may call: the destinations the policy allows, named and ordered for each language
//! the API answers in. Depends only on the settings and the names' source, so it is built once
//! at start and read by every request.

use crate::domain::{Destination, DestinationPolicy, PhoneNumber};
use crate::ports::{NameLanguage, RegionNames};

/// One destination as listed for a reader of one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedDestination {
    /// ISO 3166-1 alpha-2 code.
    pub code: String,
    pub calling_code: u16,
    pub name: String,
    pub example: PhoneNumber,
}

/// The allowed destinations in every [`NameLanguage`], each list sorted by name in its
/// language (the names' source's collation; ties by code).
#[derive(Debug, Clone)]
pub struct DestinationCatalog {
    lists: Vec<(NameLanguage, Vec<ListedDestination>)>,
}

impl DestinationCatalog {
    /// A country the names' source cannot name in a language is shown with its English name,
    /// or failing that its code, and a warning is logged: listed under a poor name rather
    /// than hidden, since the policy does allow it.
    pub fn new(policy: &DestinationPolicy, names: &dyn RegionNames) -> Self {
        let destinations = policy.destinations();
        let lists = NameLanguage::ALL
            .into_iter()
            .map(|language| (language, listed(&destinations, names, language)))
            .collect();
        Self { lists }
    }

    /// The destinations as listed for `language`.
    pub fn list(&self, language: NameLanguage) -> &[ListedDestination] {
        self.lists
            .iter()
            .find(|(listed, _)| *listed == language)
            .map(|(_, list)| list.as_slice())
            .unwrap_or_default()
    }
}

fn listed(
    destinations: &[Destination],
    names: &dyn RegionNames,
    language: NameLanguage,
) -> Vec<ListedDestination> {
    let mut list: Vec<ListedDestination> = destinations
        .iter()
        .map(|destination| ListedDestination {
            code: destination.code.clone(),
            calling_code: destination.calling_code,
            name: name_of(&destination.code, names, language),
            example: destination.example.clone(),
        })
        .collect();
    list.sort_by(|left, right| {
        names
            .compare(&left.name, &right.name, language)
            .then_with(|| left.code.cmp(&right.code))
    });
    list
}

fn name_of(code: &str, names: &dyn RegionNames, language: NameLanguage) -> String {
    if let Some(name) = names.name(code, language) {
        return name;
    }
    tracing::warn!(
        code,
        language = language.tag(),
        "no country name in this language"
    );
    names
        .name(code, NameLanguage::English)
        .unwrap_or_else(|| code.to_owned())
}

#[cfg(test)]
mod tests;
