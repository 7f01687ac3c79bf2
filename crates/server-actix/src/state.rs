//! What every handler can reach: the use cases, never an adapter directly.

use std::sync::Arc;

use calls_core::ports::DatabaseHealth;
use calls_core::services::{AuthService, CallService};

#[derive(Clone)]
pub struct AppState {
    pub auth: AuthService,
    pub calls: CallService,
    pub database: Arc<dyn DatabaseHealth>,
}
