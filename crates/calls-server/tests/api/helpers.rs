//! `TestApp`: the application started on a free port with a fresh database, and the macro
//! that runs a test once per backend. What a test sends is in `requests.rs`, what it sets up in
//! `fixtures.rs` (and, for calls with chosen start times, `seeding.rs`), what it checks in
//! `assertions.rs`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Once};

use actix_web::dev::ServerHandle;
use calls_adapters_postgres::testing::TestDatabase;
use calls_server::settings::{self, DatabaseTarget, Settings};
use calls_server::startup::{Application, Storage, open_storage};

use crate::spec_check::SPEC;

pub const JWT_SECRET: &str = "test-secret-that-is-at-least-32-bytes-long!";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Keeps the test's database alive for as long as the app (and its second instances) run.
enum DatabaseGuard {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres(#[allow(dead_code)] TestDatabase),
}

pub struct TestApp {
    /// What the spec check found wrong with this app's responses; checked when the app drops.
    spec_violations: Arc<Mutex<Vec<String>>>,
    pub base: String,
    pub client: reqwest::Client,
    pub backend: Backend,
    pub database_url: String,
    /// `http://127.0.0.1:<port>` of the metrics listener, when the settings set `metrics.addr`.
    pub metrics_base: Option<String>,
    handle: ServerHandle,
    _database: Option<DatabaseGuard>,
}

/// Runs each named `async fn(TestApp)` once per backend: `mod name { sqlite, postgres }`.
/// `on_all_backends!(with customize: a, b)` starts those apps with `customize(&mut Settings)`
/// applied (a function of the calling module), for tests that all need the same settings.
#[macro_export]
macro_rules! on_all_backends {
    (with $customize:ident: $($test:ident),* $(,)?) => {
        $crate::on_all_backends!(@settings super::$customize; $($test),*);
    };
    ($($test:ident),* $(,)?) => {
        $crate::on_all_backends!(@settings |_| {}; $($test),*);
    };
    (@settings $customize:expr; $($test:ident),*) => {$(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let backend = $crate::helpers::Backend::Sqlite;
                $crate::helpers::run_on(backend, $customize, super::$test).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let backend = $crate::helpers::Backend::Postgres;
                $crate::helpers::run_on(backend, $customize, super::$test).await;
            }
        }
    )*};
}

/// Starts an app on `backend` with `customize` applied and runs `test` on it; skipped (as
/// [`TestApp::spawn_with`] says) when the backend is absent and not required.
pub async fn run_on<Test: Future<Output = ()>>(
    backend: Backend,
    customize: impl FnOnce(&mut Settings),
    test: impl FnOnce(TestApp) -> Test,
) {
    if let Some(app) = TestApp::spawn_with(backend, customize).await {
        test(app).await;
    }
}

fn init_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if let Ok(level) = std::env::var("TEST_LOG") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(level)
                .with_test_writer()
                .try_init();
        }
    });
}

impl TestApp {
    /// A fresh app on a fresh database, with `customize` applied to its settings; `None`
    /// (test skipped, loudly) when PostgreSQL is absent and `REQUIRE_POSTGRES` is not set.
    pub async fn spawn_with(
        backend: Backend,
        customize: impl FnOnce(&mut Settings),
    ) -> Option<Self> {
        init_logs();
        let (guard, database_url) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("calls.db").display());
                (DatabaseGuard::Sqlite(dir), url)
            }
            Backend::Postgres => {
                let database = tokio::task::block_in_place(TestDatabase::create)?;
                let url = database.url().to_owned();
                (DatabaseGuard::Postgres(database), url)
            }
        };
        let mut app = Self::start(backend, &database_url, customize).await;
        app._database = Some(guard);
        Some(app)
    }

    /// A second, independent instance on the same database (no shared memory with `self`).
    pub async fn another_instance(&self) -> TestApp {
        Self::start(self.backend, &self.database_url, |_| {}).await
    }

    /// Like [`Self::another_instance`], with its own settings (e.g. the same provider's).
    pub async fn another_instance_with(&self, customize: impl FnOnce(&mut Settings)) -> TestApp {
        Self::start(self.backend, &self.database_url, customize).await
    }

    async fn start(
        backend: Backend,
        database_url: &str,
        customize: impl FnOnce(&mut Settings),
    ) -> Self {
        let env: HashMap<&str, String> = HashMap::from([
            ("DATABASE_URL", database_url.to_owned()),
            ("JWT_SECRET", JWT_SECRET.to_owned()),
            ("SERVER_HOST", "127.0.0.1".to_owned()),
            ("SERVER_PORT", "0".to_owned()),
        ]);
        let mut settings = settings::load(&|name| env.get(name).cloned()).expect("test settings");
        settings.server.workers = 1;
        settings.database.max_connections = 8;
        settings.database.min_idle = 1;
        customize(&mut settings);
        let spec_violations = Arc::new(Mutex::new(Vec::new()));
        let violations = spec_violations.clone();
        let observer: calls_server_actix::middleware::ExchangeObserver =
            Arc::new(move |exchange| {
                if let Err(violation) = SPEC.check(exchange) {
                    violations.lock().expect("violations").push(violation);
                }
            });
        let application =
            Application::build_observed(settings, &|name| env.get(name).cloned(), Some(observer))
                .await
                .expect("application starts");
        let base = format!("http://127.0.0.1:{}", application.port());
        let metrics_base = application
            .metrics_port()
            .map(|port| format!("http://127.0.0.1:{port}"));
        let handle = application.handle();
        tokio::spawn(application.run_until_stopped());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            spec_violations,
            base,
            client,
            backend,
            database_url: database_url.to_owned(),
            metrics_base,
            handle,
            _database: None,
        }
    }

    /// Direct access to the app's database through the storage ports, for setting up data the
    /// API cannot create (legacy rows) and checking what was written.
    pub async fn storage(&self) -> Storage {
        let env = HashMap::from([("DATABASE_URL", self.database_url.clone())]);
        let settings = settings::load(&|name| env.get(name).cloned()).expect("settings");
        let target = DatabaseTarget::resolve(&settings.database, &|_| None).expect("target");
        open_storage(target, &settings.database)
            .await
            .expect("storage opens")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// `/metrics` on the metrics listener; panics when the app has none.
    pub fn metrics_url(&self) -> String {
        let base = self
            .metrics_base
            .as_deref()
            .expect("this app was started without metrics.addr");
        format!("{base}/metrics")
    }

    /// Stops the app as SIGTERM would (`Drop` does it too, later).
    pub async fn stop(&self) {
        self.handle.stop(true).await;
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(handle.stop(false));
        });
        let violations = std::mem::take(&mut *self.spec_violations.lock().expect("violations"));
        if !violations.is_empty() && !std::thread::panicking() {
            panic!(
                "responses that openapi.yml does not describe:\n  {}",
                violations.join("\n  ")
            );
        }
    }
}
