//! `calls-server`: reads the configuration, picks the adapters, serves the API.

use std::process::ExitCode;

use clap::Parser;

use calls_server::cli::{Cli, Command};
use calls_server::{settings, startup, telemetry};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = |name: &str| std::env::var(name).ok();
    let settings = match settings::load(&env) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("calls-server: {err}");
            return ExitCode::FAILURE;
        }
    };
    telemetry::init(&settings.log);
    let result = actix_web::rt::System::new().block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => startup::serve(settings, &env).await,
            Command::Migrate => startup::migrate_only(&settings, &env).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err}");
            eprintln!("calls-server: {err}");
            ExitCode::FAILURE
        }
    }
}
