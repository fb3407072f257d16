//! `openprm migrate`: apply the migrations and exit.

use crate::{
    commands::{open_store, say},
    config::{Config, redact_url},
    error::CliError,
};

pub async fn run(config: &Config) -> Result<(), CliError> {
    let store = open_store(config, 1).await?;
    store.close().await;
    say(&format!(
        "The database {} is up to date.",
        redact_url(&config.database_url)
    ));
    Ok(())
}
