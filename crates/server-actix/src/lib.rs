//! The HTTP layer of the calls platform on actix-web: routes, extractors, DTOs, error mapping.
//! It knows the use cases of `calls-core` and nothing of the adapters behind them.

pub mod dto;
pub mod error;
pub mod extractors;
pub mod metrics;
pub mod middleware;
pub mod routes;
mod server;
pub mod state;

pub use error::ApiError;
pub use server::{HttpSettings, build_server};
pub use state::AppState;
