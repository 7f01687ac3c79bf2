//! Command line: `calls-server [serve|migrate]`.

use clap::{Parser, Subcommand};

/// The calls platform API server. Configuration comes from config/default.toml, the file named by
/// CALLS_CONFIG, and environment variables (see README).
#[derive(Debug, Parser)]
#[command(name = "calls-server", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, Subcommand)]
pub enum Command {
    /// Apply pending migrations, then serve the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
}
