//! One module per subcommand, and what they share: opening the database.

pub mod import_leads;
pub mod migrate;
pub mod serve;
pub mod user_add;

use anyhow::Context;
use openprm_store::Store;

use crate::{
    config::{Config, redact_url},
    error::CliError,
};

/// Opens the configured database and brings its schema up to date.
pub async fn open_store(config: &Config, max_connections: u32) -> Result<Store, CliError> {
    let shown = redact_url(&config.database_url);
    let store = Store::connect(&config.database_url, max_connections)
        .await
        .with_context(|| format!("cannot open the database {shown}"))?;
    store
        .migrate()
        .await
        .with_context(|| format!("cannot migrate the database {shown}"))?;
    Ok(store)
}

/// Writes a line for the person at the terminal. A closed standard output is
/// not worth failing a command over, so the error is dropped.
pub fn say(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}
