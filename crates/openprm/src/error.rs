//! How a command fails, and the exit code that tells a script which way.

use crate::config::ConfigError;

/// Bad input (exit code 2, like a usage error) or a fault while running (exit
/// code 1). Either prints as one line.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The caller gave something that cannot work; the message says what to change.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0:#}")]
    Failed(#[from] anyhow::Error),
}

impl CliError {
    pub fn invalid(message: impl Into<String>) -> Self {
        CliError::Invalid(message.into())
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Invalid(_) | CliError::Config(_) => 2,
            CliError::Failed(_) => 1,
        }
    }

    /// The message on a single line, however the underlying error formats itself.
    pub fn one_line(&self) -> String {
        self.to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl From<openprm_store::StoreError> for CliError {
    fn from(error: openprm_store::StoreError) -> Self {
        CliError::Failed(error.into())
    }
}

impl From<std::io::Error> for CliError {
    fn from(error: std::io::Error) -> Self {
        CliError::Failed(error.into())
    }
}
