//! The calls platform server binary's library half: configuration, adapter selection and
//! start-up, kept out of `main.rs` so the API tests can start the very same application.

pub mod cli;
pub mod settings;
pub mod startup;
pub mod telemetry;
