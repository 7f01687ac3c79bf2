//! Builds the adapters and use cases from the settings.

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use calls_adapters_jwt::{JwtConfig, JwtTokenIssuer};
use calls_adapters_password::{Argon2BcryptHasher, CommonPasswordList, HasherConfig};
use calls_core::ports::{Clock, Mailer, SystemClock};
use calls_core::services::{
    AccountService, AuthDeps, AuthService, CallService, PasswordResetService, VoiceService,
};
use calls_server_actix::forwarding::TrustedProxies;
use calls_server_actix::middleware::CorsOrigins;
use calls_server_actix::{AppState, HttpSettings};

use super::StartupError;
use super::export::{country_listings, export_service};
use super::password_reset::password_resets;
use super::secrets::jwt_secret;
use super::storage::Storage;
use super::throttle::login_throttle;
use super::voice::wire_voice;
use crate::settings::{Settings, SettingsError};

pub struct Wired {
    pub state: AppState,
    pub http: HttpSettings,
    pub auth: AuthService,
    pub voice: VoiceService,
    /// With a mail server: the use case (for its purge job) and the mailer (for the metrics).
    pub password_resets: Option<PasswordResetService>,
    pub mailer: Option<Arc<dyn Mailer>>,
}

pub fn wire(settings: &Settings, storage: &Storage) -> Result<Wired, StartupError> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let jwt_config = JwtConfig {
        lifetime: Duration::from_secs(settings.auth.token_ttl_secs),
        leeway: Duration::from_secs(settings.auth.token_leeway_secs),
    };
    let tokens = JwtTokenIssuer::new(&jwt_secret(&settings.auth.jwt_secret)?, jwt_config)
        .map_err(|err| SettingsError::invalid("JWT_SECRET", err.to_string()))?;
    let hasher_config = match NonZeroUsize::new(settings.auth.hash_concurrency) {
        Some(max_concurrent_hashes) => HasherConfig {
            max_concurrent_hashes,
        },
        None => HasherConfig::default(),
    };
    let auth = AuthService::new(AuthDeps {
        users: storage.users.clone(),
        hasher: Arc::new(Argon2BcryptHasher::new(hasher_config)),
        common_passwords: Arc::new(CommonPasswordList::new()),
        tokens: Arc::new(tokens),
        revocations: storage.revocations.clone(),
        throttle: login_throttle(&settings.auth.throttle, storage),
        clock: clock.clone(),
    })
    .with_refusal_pause(Duration::from_millis(
        settings.auth.throttle.refusal_pause_ms,
    ));
    let voice = wire_voice(&settings.voip, storage, clock.clone())?;
    let calls = CallService::new(storage.calls.clone(), storage.history.clone(), clock);
    let workers = match settings.server.workers {
        0 => None,
        n => Some(n),
    };
    let http = HttpSettings {
        shutdown_timeout: Duration::from_secs(settings.server.shutdown_timeout_secs),
        workers,
        // Set by start-up when METRICS_ADDR names a listener.
        metrics: None,
        observer: None,
        cors_origins: CorsOrigins::new(&settings.cors.allowed_origins)
            .map_err(|err| SettingsError::invalid("CORS_ALLOWED_ORIGINS", err.to_string()))?,
        trusted_proxies: TrustedProxies::parse(&settings.server.trusted_proxies)
            .map_err(|err| SettingsError::invalid("TRUSTED_PROXIES", err.to_string()))?,
        // Set by start-up, which loads the files before the database is opened.
        tls: None,
    };
    let resets = password_resets(
        &settings.mail,
        &settings.auth.password_reset,
        storage,
        auth.clone(),
    )?;
    let mut account = AccountService::new(auth.clone(), voice.service.clone());
    if let Some(resets) = &resets {
        account = account.with_password_resets(resets.service.clone());
    }
    let (password_resets, mailer) = match resets {
        Some(resets) => (Some(resets.service), Some(resets.mailer)),
        None => (None, None),
    };
    let state = AppState {
        auth: auth.clone(),
        account,
        calls,
        voice: voice.service.clone(),
        webhooks: voice.webhooks.clone(),
        database: storage.health.clone(),
        export: export_service(&settings.export, storage)?,
        countries: country_listings(voice.destinations)?,
        password_resets: password_resets.clone(),
    };
    Ok(Wired {
        state,
        http,
        auth,
        voice: voice.service,
        password_resets,
        mailer,
    })
}
