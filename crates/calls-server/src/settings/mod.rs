//! Layered configuration: `config/default.toml` (compiled in), then the file named by
//! `CALLS_CONFIG`, then environment variables with the Go backend's names.

mod database_target;
mod env;
mod error;
mod layers;
mod migration_plan;
mod model;
mod pooler;

pub use database_target::DatabaseTarget;
pub use error::SettingsError;
pub use layers::load;
pub use migration_plan::{MIGRATE_NEEDS_DIRECT_URL, MigrationPlan};
pub use model::{
    AuthSettings, CorsSettings, DatabaseSettings, ExportSettings, LogFormat, LogSettings,
    MailSettings, MetricsSettings, PasswordResetSettings, ReaperSettings, ServerSettings, Settings,
    ThrottleSettings, TlsSettings, VoipProviderKind, VoipSettings,
};
pub use pooler::PoolerMode;
