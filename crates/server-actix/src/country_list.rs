//! The rendered answers of `GET /api/countries`, one per language, each with its `ETag`.
//!
//! The list depends only on the settings (the destination policy) and the names' data, so it
//! is rendered once per process and then served from memory. Rendering formats every
//! country's example number with libphonenumber, a third of a second of CPU (its pattern cache
//! holds 100 regular expressions, fewer than the countries need), so it is done on the
//! blocking pool, on the first request; concurrent first requests wait for the same render.
//! Not at start: the patterns it compiles leave about 15 MiB resident (glibc keeps the
//! freed compilation memory in its arena), which a process that is never asked for the list
//! should not carry (docs/BENCHMARKS.md measures it).

use std::sync::Arc;

use actix_web::web::Bytes;
use calls_core::ports::NameLanguage;
use calls_core::services::DestinationCatalog;
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

use crate::dto::countries::{CountriesResponse, CountryDto};

/// One language's answer.
#[derive(Debug, Clone)]
pub struct RenderedList {
    pub body: Bytes,
    /// A strong validator: the first 128 bits of the body's SHA-256, quoted, so it changes
    /// with the body and only with it (the same on every instance with the same settings and
    /// data, which a cache behind a load balancer needs).
    pub etag: String,
}

type Build = dyn Fn() -> DestinationCatalog + Send + Sync;

/// Renders on first use, once.
pub struct CountryListings {
    build: Arc<Build>,
    rendered: OnceCell<Arc<Vec<(NameLanguage, RenderedList)>>>,
}

impl std::fmt::Debug for CountryListings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CountryListings")
            .field("rendered", &self.rendered.initialized())
            .finish_non_exhaustive()
    }
}

/// The render did not complete (its blocking task was cancelled at shutdown, or panicked).
#[derive(Debug, thiserror::Error)]
#[error("the destination list could not be rendered")]
pub struct RenderFailed;

impl CountryListings {
    /// `build` makes the catalog from the settings (policy and names); it is called once.
    pub fn new(build: impl Fn() -> DestinationCatalog + Send + Sync + 'static) -> Self {
        Self {
            build: Arc::new(build),
            rendered: OnceCell::new(),
        }
    }

    /// The answer for `language`.
    pub async fn get(&self, language: NameLanguage) -> Result<RenderedList, RenderFailed> {
        let rendered = self
            .rendered
            .get_or_try_init(|| async {
                let build = Arc::clone(&self.build);
                tokio::task::spawn_blocking(move || Arc::new(render(&build())))
                    .await
                    .map_err(|_| RenderFailed)
            })
            .await?;
        rendered
            .iter()
            .find(|(rendered, _)| *rendered == language)
            .map(|(_, list)| list.clone())
            .ok_or(RenderFailed)
    }
}

fn render(catalog: &DestinationCatalog) -> Vec<(NameLanguage, RenderedList)> {
    NameLanguage::ALL
        .into_iter()
        .map(|language| {
            let response = CountriesResponse {
                language: language.tag(),
                countries: catalog
                    .list(language)
                    .iter()
                    .map(CountryDto::from)
                    .collect(),
            };
            // Strings only: serialising cannot fail; an empty list would be the fallback.
            let body = serde_json::to_vec(&response).unwrap_or_else(|_| b"{}".to_vec());
            let digest = Sha256::digest(&body);
            let hex: String = digest[..16]
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect();
            (
                language,
                RenderedList {
                    body: Bytes::from(body),
                    etag: format!("\"{hex}\""),
                },
            )
        })
        .collect()
}
