//! Logging: structured `tracing` events to standard error, as text for people
//! or as JSON lines for a log collector. Standard output is left to what the
//! commands print (the address, the demo logins, a generated password).

use std::io::IsTerminal;

use tracing_subscriber::{EnvFilter, fmt};

use crate::config::LogFormat;

/// PostgreSQL's notices ("relation … already exists, skipping" at every
/// migration) arrive at INFO and say nothing an operator needs.
const QUIET: &str = "sqlx::postgres::notice=warn";

/// Installs the global subscriber. `filter` has been checked by the configuration;
/// a filter that names sqlx itself is taken as it is.
pub fn init(filter: &str, format: LogFormat) -> anyhow::Result<()> {
    let filter = if filter.contains("sqlx") {
        filter.to_owned()
    } else {
        format!("{QUIET},{filter}")
    };
    let filter = EnvFilter::try_new(filter)?;
    // Colours only for a person at a terminal who has not asked for none.
    let ansi = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let builder = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
    };
    installed.map_err(|e| anyhow::anyhow!("cannot install the logger: {e}"))
}
