//! The adapter itself: one display-name table and one collator per supported language, loaded
//! once at start.

use std::cmp::Ordering;
use std::fmt;

use calls_core::ports::{NameLanguage, RegionNames};
use icu_collator::options::CollatorOptions;
use icu_collator::{Collator, CollatorBorrowed};
use icu_experimental::displaynames::multi::RegionDisplayNames;
use icu_experimental::displaynames::{DisplayNamesOptions, Fallback};
use icu_locale_core::Locale;
use icu_locale_core::subtags::Region;

/// The compiled data lacks a language: only possible with a broken ICU4X build.
#[derive(Debug, thiserror::Error)]
#[error("no CLDR {what} data for {language}: {reason}")]
pub struct LoadError {
    what: &'static str,
    language: &'static str,
    reason: String,
}

struct Language {
    names: RegionDisplayNames,
    collator: CollatorBorrowed<'static>,
}

/// Country names and their order in every [`NameLanguage`].
pub struct CldrRegionNames {
    english: Language,
    russian: Language,
}

impl fmt::Debug for CldrRegionNames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CldrRegionNames").finish_non_exhaustive()
    }
}

impl CldrRegionNames {
    /// Loads both languages from the compiled data: microseconds, no I/O.
    pub fn new() -> Result<Self, LoadError> {
        Ok(Self {
            english: Language::load(NameLanguage::English)?,
            russian: Language::load(NameLanguage::Russian)?,
        })
    }

    fn language(&self, language: NameLanguage) -> &Language {
        match language {
            NameLanguage::English => &self.english,
            NameLanguage::Russian => &self.russian,
        }
    }
}

impl Language {
    fn load(language: NameLanguage) -> Result<Self, LoadError> {
        let tag = language.tag();
        let failed = |what: &'static str, reason: &dyn fmt::Display| LoadError {
            what,
            language: tag,
            reason: reason.to_string(),
        };
        let locale: Locale = tag.parse().map_err(|error| failed("locale", &error))?;
        let mut options = DisplayNamesOptions::default();
        // No code in place of a name: a missing name is the caller's decision.
        options.fallback = Fallback::None;
        let names = RegionDisplayNames::try_new((&locale).into(), options)
            .map_err(|error| failed("region name", &error))?;
        let collator = Collator::try_new((&locale).into(), CollatorOptions::default())
            .map_err(|error| failed("collation", &error))?;
        Ok(Self { names, collator })
    }
}

impl RegionNames for CldrRegionNames {
    fn name(&self, code: &str, language: NameLanguage) -> Option<String> {
        // `Region` also parses three-digit UN M.49 areas ("419"); only ISO 3166-1 alpha-2 is
        // asked for here.
        if code.len() != 2 || !code.bytes().all(|byte| byte.is_ascii_uppercase()) {
            return None;
        }
        let region: Region = code.parse().ok()?;
        self.language(language).names.of(region).map(str::to_owned)
    }

    fn compare(&self, left: &str, right: &str, language: NameLanguage) -> Ordering {
        // The collator's equal (canonically equivalent strings) is refined by the code points,
        // so that the order is total and the same on every run.
        self.language(language)
            .collator
            .compare(left, right)
            .then_with(|| left.cmp(right))
    }
}
