//! `TestApp`: the application started on a free port with a fresh database.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Once};

use actix_web::dev::ServerHandle;
use calls_adapters_postgres::testing::TestDatabase;
use calls_server::settings::{self, DatabaseTarget, Settings};
use calls_server::startup::{Application, Storage, open_storage};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

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
#[macro_export]
macro_rules! on_all_backends {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite).await {
                    super::$test(app).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Postgres).await {
                    super::$test(app).await;
                }
            }
        }
    )*};
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
    /// A fresh app on a fresh database; `None` (test skipped, loudly) when PostgreSQL is
    /// required but absent and `REQUIRE_POSTGRES` is not set.
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, |_| {}).await
    }

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

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn post_json_authed(&self, path: &str, token: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn put_json_authed(&self, path: &str, token: &str, body: &Value) -> Response {
        self.client
            .put(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn get_authed(&self, path: &str, token: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request sent")
    }

    /// `POST /api/auth/logout` with `token`.
    pub async fn logout(&self, token: &str) -> Response {
        self.client
            .post(self.url("/api/auth/logout"))
            .bearer_auth(token)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn register(&self, email: &str, password: &str) -> Response {
        self.post_json(
            "/api/auth/register",
            &json!({ "email": email, "password": password }),
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post_json(
            "/api/auth/login",
            &json!({ "email": email, "password": password }),
        )
        .await
    }

    /// Registers a new random user and returns it signed in.
    pub async fn new_user(&self) -> TestUser {
        let email = format!("user-{}@example.com", uuid::Uuid::new_v4().simple());
        let password = "a sufficiently long passphrase".to_owned();
        let response = self.register(&email, &password).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.expect("json");
        TestUser {
            id: body["user"]["id"].as_str().expect("id").to_owned(),
            token: body["token"].as_str().expect("token").to_owned(),
            email,
            password,
        }
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

#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub email: String,
    pub password: String,
    pub token: String,
}

/// Asserts the contract's error body and returns it.
pub async fn assert_error(response: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(response.status(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "content type {content_type}"
    );
    let body: Value = response.json().await.expect("json error body");
    assert_eq!(body["error"], code, "error code in {body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "message in {body}"
    );
    assert_eq!(
        body.as_object().map(|o| o.len()),
        Some(2),
        "exactly error and message: {body}"
    );
    body
}
