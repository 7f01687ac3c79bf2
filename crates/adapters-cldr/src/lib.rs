//! `RegionNames` from the Unicode CLDR: country names and a locale-aware collation per
//! language, through ICU4X's compiled data (no data files, nothing loaded at run time).
//!
//! CLDR is the maintained source the operating systems and browsers use; its names are the
//! standard (not the short) ones, e.g. "United States", "Hong Kong SAR China", "Соединенные
//! Штаты". The order is CLDR's collation of the language (Russian: `Ё` with `Е`, English:
//! `Å` with `A`), so the list reads as a native speaker expects.
//!
//! The data is the CLDR release the `icu_experimental` and `icu_collator` versions in
//! `Cargo.lock` were built with: a dependency update is a data update.

mod names;

pub use names::{CldrRegionNames, LoadError};
