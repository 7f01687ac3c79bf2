//! Logging: `tracing` to stdout, as text for people or JSON for log pipelines.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::settings::{LogFormat, LogSettings};

/// Installs the global subscriber. A second call (tests building several apps) is a no-op.
pub fn init(settings: &LogSettings) {
    let filter = EnvFilter::try_new(&settings.level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    // The stop closes the listener on purpose; actix-server's accept thread would log that as
    // an error (see `calls_server_actix::stopping`).
    let not_the_stopped_listener = filter_fn(|meta| {
        !(meta.target().starts_with("actix_server::accept") && calls_server_actix::stopping())
    });
    let _ = match settings.format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .finish()
            .with(not_the_stopped_listener)
            .try_init(),
        LogFormat::Text => builder.finish().with(not_the_stopped_listener).try_init(),
    };
}
