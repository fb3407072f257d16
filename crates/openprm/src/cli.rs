//! The command line: subcommands and the flags that override configuration.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use openprm_domain::Role;

use crate::config::Settings;

/// OpenPRM, the self-hosted partner relationship management portal.
///
/// Every setting comes from a flag, else from its OPENPRM_* environment
/// variable, else from the configuration file, else from its default.
#[derive(Debug, Parser)]
#[command(name = "openprm", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Flags every subcommand accepts.
#[derive(Debug, Args)]
#[command(next_help_heading = "Configuration")]
pub struct GlobalArgs {
    /// Configuration file (TOML) [default: openprm.toml in the working directory, if present]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Database URL: sqlite://FILE (created if missing) or postgres://… [env: OPENPRM_DATABASE_URL] [default: sqlite://openprm.db]
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,

    /// Address and port to listen on [env: OPENPRM_BIND] [default: 127.0.0.1:8080]
    #[arg(long, global = true, value_name = "ADDR:PORT")]
    pub bind: Option<String>,

    /// Public address of the portal, used in links in e-mails [env: OPENPRM_BASE_URL] [default: http://<bind>]
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,

    /// SMTP server, smtp://user:pass@host:port or smtps://… [env: OPENPRM_SMTP_URL] [default: none, e-mails go to the mail folder]
    #[arg(long, global = true, value_name = "URL")]
    pub smtp_url: Option<String>,

    /// Folder that receives one .eml file per e-mail when no SMTP server is set [env: OPENPRM_MAIL_DIR] [default: ./mail]
    #[arg(long, global = true, value_name = "DIR")]
    pub mail_dir: Option<String>,

    /// Sender of e-mails [env: OPENPRM_MAIL_FROM] [default: OpenPRM <no-reply@host-of-base-url>]
    #[arg(long, global = true, value_name = "MAILBOX")]
    pub mail_from: Option<String>,

    /// Log filter, such as info or openprm=debug,sqlx=warn [env: OPENPRM_LOG] [default: info]
    #[arg(long, global = true, value_name = "FILTER")]
    pub log: Option<String>,

    /// Log format: text or json [env: OPENPRM_LOG_FORMAT] [default: text]
    #[arg(long, global = true, value_name = "FORMAT")]
    pub log_format: Option<String>,
}

impl GlobalArgs {
    /// The settings given as flags, the strongest layer of configuration.
    pub fn settings(&self) -> Settings {
        Settings {
            database_url: self.database_url.clone(),
            bind: self.bind.clone(),
            base_url: self.base_url.clone(),
            smtp_url: self.smtp_url.clone(),
            mail_dir: self.mail_dir.clone(),
            mail_from: self.mail_from.clone(),
            log: self.log.clone(),
            log_format: self.log_format.clone(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the portal: apply migrations, start the e-mail worker and serve until Ctrl-C or SIGTERM.
    Serve,
    /// Like serve, but first fill an empty database with a demo vendor, partners and users, and print their logins.
    Demo,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Bring records in from files.
    #[command(subcommand)]
    Import(ImportCommand),
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import leads from a CSV file (a header row; UTF-8 or Windows-1252; comma or semicolon).
    ///
    /// Each row is checked as a lead typed into the portal is; rows with problems and
    /// repeats of earlier rows or existing leads are listed and skipped, the rest are
    /// imported together. Exit code 0 when the file was imported (even with rows
    /// skipped), 2 when the file or a name is wrong and nothing was imported.
    Leads(ImportLeadsArgs),
}

#[derive(Debug, Args)]
pub struct ImportLeadsArgs {
    /// The CSV file
    #[arg(value_name = "FILE.csv")]
    pub file: PathBuf,

    /// Put every lead in this queue (by name, any case)
    #[arg(long, value_name = "NAME", conflicts_with = "partner")]
    pub queue: Option<String>,

    /// Put every lead in this partner account's inbox (by name, any case)
    #[arg(long, value_name = "NAME", conflicts_with = "unassigned")]
    pub partner: Option<String>,

    /// Leave the leads unassigned with the vendor (without this, --queue or
    /// --partner, the assignment rules route each lead)
    #[arg(long, conflicts_with = "queue")]
    pub unassigned: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user who can sign in at once.
    Add(UserAddArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// The user's e-mail address, which is also their user name
    #[arg(long, value_name = "E")]
    pub email: String,

    /// The user's full name
    #[arg(long, value_name = "N")]
    pub name: String,

    /// admin, channel-manager, partner-manager or partner-user
    #[arg(long, value_name = "ROLE", value_parser = parse_role)]
    pub role: Role,

    /// The partner account (by name) a partner-manager or partner-user belongs to
    #[arg(long, value_name = "NAME")]
    pub partner: Option<String>,

    /// The password; without it a strong one is generated, printed once, and must be changed at first sign-in
    #[arg(long, value_name = "P")]
    pub password: Option<String>,
}

fn parse_role(input: &str) -> Result<Role, String> {
    Role::parse(input).ok_or_else(|| {
        "expected admin, channel-manager, partner-manager or partner-user".to_owned()
    })
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_work_after_the_subcommand() {
        let cli = Cli::try_parse_from(["openprm", "migrate", "--database-url", "sqlite://x.db"]);
        let cli = cli.map_err(|e| e.to_string());
        assert_eq!(
            cli.map(|c| c.global.database_url),
            Ok(Some("sqlite://x.db".to_owned()))
        );
    }
}
