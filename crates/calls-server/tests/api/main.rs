//! API tests: the real application (same wiring as the binary) on port 0, driven over HTTP,
//! once on SQLite and once on PostgreSQL.

mod assertions;
mod fixtures;
mod helpers;
mod history_support;
mod requests;
mod seeding;
mod spec_check;
mod spec_routes;
#[path = "../support/certs.rs"]
mod tls_certs;
mod voice_support;

// ---- issue 19, items 5 and 7 ----
mod account_export;
mod countries;
// ----
mod account_deletion;
mod auth;
mod calls;
mod calls_transitions;
mod calls_update;
mod cors;
mod history;
mod history_filters;
mod history_paging;
mod history_params;
mod instances;
mod language;
mod metrics;
mod password_reset;
mod proxies;
mod raw_http;
mod sessions;
mod shared_limits;
mod system;
mod tls;
mod voice_mock;
mod voice_twilio;
mod voice_twilio_reports;
