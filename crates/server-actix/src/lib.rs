//! The HTTP layer of the calls platform on actix-web: routes, extractors, DTOs, error mapping.
//!
//! It depends on `calls-core` alone and knows nothing of the adapters behind it
//! (`scripts/check-core-deps.sh` fails CI otherwise). Even the voice provider's webhooks are
//! only moved here: [`extractors::WebhookForm`] hands the request to the core's
//! `WebhookService` and `ProviderWebhooks` port, whose adapter knows the provider's parameters,
//! signatures and reply documents; the route sends back the document it renders.

pub mod country_list;
pub mod dto;
pub mod error;
pub mod extractors;
pub mod forwarding;
pub mod i18n;
pub mod metrics;
pub mod middleware;
pub mod routes;
mod server;
pub mod state;

pub use error::{ApiError, ErrorCode};
pub use i18n::Language;
pub use server::{
    Drain, HttpSettings, IDLE_GRACE, TlsConfig, TlsError, TlsFile, TlsFiles, build_server,
    load_tls, stopping,
};
pub use state::AppState;
