//! `openprm`: the portal, its demo, migrations and user administration in one
//! binary. Parses the command line, resolves the configuration, installs
//! logging and hands over to the subcommand.

/// Every request allocates and frees many small buffers (rows, JSON, headers,
/// and SQLite's copy of every value it hands over) on a handful of threads at
/// once; mimalloc does that with far less locking and fragmentation than the
/// system allocator. Its `override` feature routes SQLite's C allocations to
/// it as well.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;
mod commands;
mod config;
mod demo;
mod error;
mod telemetry;

use std::{io::Write, process::ExitCode};

use clap::Parser;

use crate::{
    cli::{Cli, Command, GlobalArgs, ImportCommand, UserCommand},
    config::{Config, Settings},
    error::CliError,
};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "error: {}", error.one_line());
            ExitCode::from(error.exit_code())
        }
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    let config = load_config(&cli.global)?;
    telemetry::init(&config.log, config.log_format)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match &cli.command {
            Command::Serve => commands::serve::run(&config, false).await,
            Command::Demo => commands::serve::run(&config, true).await,
            Command::Migrate => commands::migrate::run(&config).await,
            Command::User(UserCommand::Add(args)) => commands::user_add::run(&config, args).await,
            Command::Import(ImportCommand::Leads(args)) => {
                commands::import_leads::run(&config, args).await
            }
        }
    })
}

/// Reads the three sources of settings and resolves them.
fn load_config(global: &GlobalArgs) -> Result<Config, CliError> {
    let dir = std::env::current_dir()?;
    let file = config::load_file(global.config.as_deref(), &dir)?;
    let env = Settings::from_env(|name| std::env::var(name).ok());
    let file = file
        .as_ref()
        .map(|(path, settings)| (path.as_path(), settings));
    Ok(config::resolve(&global.settings(), &env, file)?)
}
