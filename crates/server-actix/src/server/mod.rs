//! Building and running the HTTP server: plain HTTP or native HTTPS on one port, draining on
//! SIGTERM/SIGINT, the client's address behind trusted proxies.

mod drain;
mod draining_io;
mod head_language;
mod parse_errors;
mod stop;
mod tls;

pub use drain::{Drain, IDLE_GRACE};
pub use parse_errors::JsonParseErrors;
pub use stop::stopping;
pub use tls::{TlsConfig, TlsError, TlsFile, TlsFiles, load_tls};

use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use actix_http::{Extensions, HttpServiceBuilder, Protocol, error::DispatchError};
use actix_service::{ServiceFactoryExt, fn_service, map_config};
use actix_tls::accept::rustls_0_23::{Acceptor, TlsStream};
use actix_web::dev::{AppConfig, Server};
use actix_web::middleware::from_fn;
use actix_web::{App, web};
use tokio::net::TcpStream;

use crate::forwarding::{Forwarding, TrustedProxies};
use crate::i18n::localise;
use crate::metrics::{Metrics, RecordMetrics};
use crate::middleware::{
    CorsOrigins, ExchangeObserver, ObserverHandle, cors, observe, request_id, security_headers,
};
use crate::routes;
use crate::state::AppState;
use drain::{ConnectionActivity, close_when_draining};
use draining_io::DrainingIo;
use stop::{StopSequence, stop_on_signal};

/// How long actix-server's own stop waits, after the stop sequence's grace period.
const ACTIX_STOP_TIMEOUT_SECS: u64 = 1;

/// As actix-tls's default: a client gets three seconds to complete its TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Clone)]
pub struct HttpSettings {
    /// How long in-flight requests may run after SIGTERM/SIGINT before the process exits.
    pub shutdown_timeout: Duration,
    /// Worker threads; `None` means one per core.
    pub workers: Option<usize>,
    /// Where requests are counted, when a metrics listener serves them; `None` counts nothing.
    pub metrics: Option<Metrics>,
    /// Sees every exchange as the client gets it (the API tests' spec check); `None` in a
    /// normal server.
    pub observer: Option<ExchangeObserver>,
    /// Browser origins allowed to read the API's responses (none by default).
    pub cors_origins: CorsOrigins,
    /// Peers whose forwarding headers name the client (none by default).
    pub trusted_proxies: TrustedProxies,
    /// Serve HTTPS, not HTTP, on the port (`server.tls.*`); `None` serves plain HTTP.
    pub tls: Option<TlsConfig>,
}

impl std::fmt::Debug for HttpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSettings")
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("workers", &self.workers)
            .field("metrics", &self.metrics.is_some())
            .field("observer", &self.observer.is_some())
            .field("cors_origins", &self.cors_origins)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            shutdown_timeout: Duration::from_secs(10),
            workers: None,
            metrics: None,
            observer: None,
            cors_origins: CorsOrigins::default(),
            trusted_proxies: TrustedProxies::default(),
            tls: None,
        }
    }
}

/// The HTTP/1.1 service for connections of type `DrainingIo<$io>`: each connection's
/// [`ConnectionActivity`] becomes connection data that [`close_when_draining`] reads.
macro_rules! http_service {
    ($io:ty, $local:expr, $app:expr) => {
        HttpServiceBuilder::<DrainingIo<$io>, _>::default()
            .local_addr($local)
            // As `HttpServer` does: a second for a client to read the last answer.
            .client_disconnect_timeout(Duration::from_secs(1))
            .on_connect_ext(|io: &DrainingIo<$io>, data: &mut Extensions| {
                data.insert(io.activity());
            })
            // Only URL generation (unused here) reads the configured host and address;
            // `HttpServer`'s constructor for them is crate-private.
            .finish(map_config($app, |()| AppConfig::default()))
    };
}

/// Binds the API to an already-bound listener (port 0 in tests) and returns the server future.
/// On SIGTERM/SIGINT it drains (see [`stop`] and [`drain`]): no new connections, every
/// connection already accepted served and every request already received answered with
/// `Connection: close`, idle connections closed; then it stops.
///
/// Built from actix-server and actix-http rather than `HttpServer` for two reasons: each
/// connection's socket is wrapped in [`JsonParseErrors`], so that requests actix-http refuses
/// before the application runs still get the contract's JSON error body, and in
/// [`DrainingIo`], which ends idle connections when draining. With TLS the same wrappers sit on
/// the decrypted stream, after actix-tls's rustls handshake.
pub fn build_server(
    listener: TcpListener,
    state: AppState,
    settings: &HttpSettings,
) -> std::io::Result<Server> {
    let state = web::Data::new(state);
    let metrics = settings.metrics.clone();
    let observer = settings
        .observer
        .clone()
        .map(|o| web::Data::new(ObserverHandle(o)));
    let cors_origins = web::Data::new(settings.cors_origins.clone());
    let forwarding = web::Data::new(Forwarding {
        trusted_proxies: settings.trusted_proxies.clone(),
        native_tls: settings.tls.is_some(),
    });
    let local = listener.local_addr()?;
    let app = move || {
        let mut app = App::new()
            .app_data(state.clone())
            .app_data(cors_origins.clone())
            .app_data(forwarding.clone());
        if let Some(observer) = &observer {
            app = app.app_data(observer.clone());
        }
        app.configure(routes::configure)
            .default_service(web::to(routes::route_not_found))
            // Innermost first. Panics are caught per resource (see `routes`), inside these,
            // so a panic's 500 is still localised and still gets the headers and the log line.
            // Innermost, so that the other middlewares' headers land on the localised answer.
            .wrap(from_fn(localise))
            .wrap(from_fn(security_headers))
            // Outside the routes, so that a preflight never reaches the 405 of an OPTIONS.
            .wrap(from_fn(cors))
            .wrap(from_fn(request_id))
            .wrap(RecordMetrics::new(metrics.clone()))
            // Sees every answer as the client gets it.
            .wrap(from_fn(observe))
            // Outermost: every answer given while draining closes its connection.
            .wrap(from_fn(close_when_draining))
    };
    let drain = Drain::default();
    let stop = StopSequence::new(settings.shutdown_timeout);
    stop.watch_listener(&listener)?;
    let builder = actix_server::Server::build()
        // The stop sequence has waited out the grace period already; this bounds only what
        // actix-server's own stop finds (a connection still in its TLS handshake).
        .shutdown_timeout(ACTIX_STOP_TIMEOUT_SECS)
        // Replaces actix-server's own signal handling (which would stop without draining,
        // drops the connections its workers have not started serving, and treats SIGINT as an
        // immediate stop).
        .shutdown_signal(stop_on_signal(drain.clone(), stop.clone()));
    let mut server = match settings.tls.clone() {
        None => builder.listen("calls-api", listener, move || {
            let app = app();
            let drain = drain.clone();
            fn_service(move |io: TcpStream| {
                let activity = ConnectionActivity::new(drain.clone());
                async move {
                    let peer = io.peer_addr().ok();
                    let io = DrainingIo::new(JsonParseErrors::new(io), activity);
                    Ok::<_, DispatchError>((io, Protocol::Http1, peer))
                }
            })
            .and_then(http_service!(JsonParseErrors<TcpStream>, local, app))
        })?,
        Some(tls) => builder.listen("calls-api", listener, move || {
            let app = app();
            let drain = drain.clone();
            let mut acceptor = Acceptor::new((*tls.0).clone());
            acceptor.set_handshake_timeout(TLS_HANDSHAKE_TIMEOUT);
            acceptor
                .map_err(|err| {
                    DispatchError::Io(std::io::Error::other(format!("TLS handshake: {err:?}")))
                })
                .and_then(fn_service(move |io: TlsStream<TcpStream>| {
                    let activity = ConnectionActivity::new(drain.clone());
                    async move {
                        let peer: Option<SocketAddr> = io.get_ref().0.peer_addr().ok();
                        let io = DrainingIo::new(JsonParseErrors::new(io), activity);
                        Ok::<_, DispatchError>((io, Protocol::Http1, peer))
                    }
                }))
                .and_then(http_service!(
                    JsonParseErrors<TlsStream<TcpStream>>,
                    local,
                    app
                ))
        })?,
    };
    if let Some(workers) = settings.workers {
        server = server.workers(workers);
    }
    let server = server.run();
    stop.set_server(server.handle());
    Ok(server)
}
