//! The account export and the destination list (issue 19, items 5 and 7).

use std::num::NonZeroU32;
use std::sync::Arc;

use calls_adapters_cldr::CldrRegionNames;
use calls_core::domain::DestinationPolicy;
use calls_core::services::{DestinationCatalog, ExportService};
use calls_server_actix::country_list::CountryListings;

use super::StartupError;
use super::storage::Storage;
use crate::settings::{ExportSettings, SettingsError};

/// More than this per page buys nothing (a page is already milliseconds of database time)
/// and costs memory per export in flight.
const MAX_PAGE_SIZE: u32 = 10_000;

pub fn export_service(
    settings: &ExportSettings,
    storage: &Storage,
) -> Result<ExportService, StartupError> {
    let page_size = NonZeroU32::new(settings.page_size)
        .filter(|size| size.get() <= MAX_PAGE_SIZE)
        .ok_or_else(|| {
            SettingsError::invalid(
                "export.page_size",
                format!("must be 1 to {MAX_PAGE_SIZE}, not {}", settings.page_size),
            )
        })?;
    Ok(ExportService::new(
        storage.users.clone(),
        storage.export.clone(),
        page_size,
    ))
}

/// The names are loaded now (a broken data build stops the start); the list itself is
/// rendered on first use (see `CountryListings`).
pub fn country_listings(policy: DestinationPolicy) -> Result<Arc<CountryListings>, StartupError> {
    let names =
        CldrRegionNames::new().map_err(|error| StartupError::CountryNames(error.to_string()))?;
    Ok(Arc::new(CountryListings::new(move || {
        DestinationCatalog::new(&policy, &names)
    })))
}
