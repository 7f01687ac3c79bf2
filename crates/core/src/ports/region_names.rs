//! Country names for people, in the languages the API answers in.

use std::cmp::Ordering;

/// A language the destination list is offered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NameLanguage {
    English,
    Russian,
}

impl NameLanguage {
    /// Every supported language, English (the fallback) first.
    pub const ALL: [Self; 2] = [Self::English, Self::Russian];

    /// The BCP 47 tag, as in `Content-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::English => "en",
            Self::Russian => "ru",
        }
    }
}

/// Names and their order are presentation data from a maintained source (the Unicode CLDR in
/// production), never a list typed into this code base. Lookups are in memory: no `async`.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait RegionNames: Send + Sync {
    /// The name of the ISO 3166-1 alpha-2 region `code` (upper case) in `language`; `None`
    /// when the source has no name for it.
    fn name(&self, code: &str, language: NameLanguage) -> Option<String>;

    /// How two names in `language` sort for a reader of that language (a total order).
    fn compare(&self, left: &str, right: &str, language: NameLanguage) -> Ordering;
}
