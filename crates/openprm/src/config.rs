//! Configuration: each setting comes from its flag, else its `OPENPRM_*`
//! environment variable, else the optional TOML file, else its default.
//!
//! Reading the three sources is kept apart from [`resolve`], a pure function
//! that layers them, fills in the defaults and checks every value, so that the
//! precedence and the error messages are tested without touching the process.

use std::{
    fmt,
    net::SocketAddr,
    path::{Path, PathBuf},
    str::FromStr,
};

use serde::Deserialize;
use url::Url;

/// The file read when `--config` is not given, if it exists.
pub const DEFAULT_FILE: &str = "openprm.toml";

const DEFAULT_DATABASE_URL: &str = "sqlite://openprm.db";
const DEFAULT_BIND: &str = "127.0.0.1:8080";
const DEFAULT_MAIL_DIR: &str = "./mail";
const DEFAULT_LOG: &str = "info";

/// One layer of settings, as given: every value optional, nothing checked yet.
/// It is also the shape of the configuration file, whose unknown keys are errors.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub database_url: Option<String>,
    pub bind: Option<String>,
    pub base_url: Option<String>,
    pub smtp_url: Option<String>,
    pub mail_dir: Option<String>,
    pub mail_from: Option<String>,
    pub log: Option<String>,
    pub log_format: Option<String>,
}

type Getter = fn(&Settings) -> Option<&String>;

/// The settings' keys, as spelled in the file, with their getters.
const KEYS: [(&str, Getter); 8] = [
    ("database_url", |s| s.database_url.as_ref()),
    ("bind", |s| s.bind.as_ref()),
    ("base_url", |s| s.base_url.as_ref()),
    ("smtp_url", |s| s.smtp_url.as_ref()),
    ("mail_dir", |s| s.mail_dir.as_ref()),
    ("mail_from", |s| s.mail_from.as_ref()),
    ("log", |s| s.log.as_ref()),
    ("log_format", |s| s.log_format.as_ref()),
];

impl Settings {
    /// The settings found in the environment, through `lookup` (`std::env::var` in
    /// the binary, a map in tests).
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Settings {
        let var = |key: &str| lookup(&env_var(key));
        Settings {
            database_url: var("database_url"),
            bind: var("bind"),
            base_url: var("base_url"),
            smtp_url: var("smtp_url"),
            mail_dir: var("mail_dir"),
            mail_from: var("mail_from"),
            log: var("log"),
            log_format: var("log_format"),
        }
    }

    /// Parses a configuration file's text; `path` only names it in errors.
    pub fn from_toml(text: &str, path: &Path) -> Result<Settings, ConfigError> {
        toml::from_str(text).map_err(|e| {
            let line = e.span().map(|span| {
                text.as_bytes()[..span.start.min(text.len())]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()
                    + 1
            });
            let message = e.message().replace("unknown field", "unknown key");
            let reason = match line {
                Some(line) => format!("line {line}: {message}"),
                None => message,
            };
            ConfigError::File {
                path: path.to_owned(),
                reason,
            }
        })
    }

    /// A setting's value if it is given and not blank.
    fn get(&self, key: &str) -> Option<&str> {
        KEYS.iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, get)| get(self))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// Reads the configuration file: `explicit` (which must exist) or else
/// [`DEFAULT_FILE`] in `dir` if it is there.
pub fn load_file(
    explicit: Option<&Path>,
    dir: &Path,
) -> Result<Option<(PathBuf, Settings)>, ConfigError> {
    let path = match explicit {
        Some(path) => path.to_owned(),
        None => {
            let default = dir.join(DEFAULT_FILE);
            if !default.is_file() {
                return Ok(None);
            }
            PathBuf::from(DEFAULT_FILE)
        }
    };
    let full = if path.is_absolute() {
        path.clone()
    } else {
        dir.join(&path)
    };
    let text = std::fs::read_to_string(&full).map_err(|e| ConfigError::File {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    let settings = Settings::from_toml(&text, &path)?;
    Ok(Some((path, settings)))
}

/// The environment variable of a setting: `bind` → `OPENPRM_BIND`.
pub fn env_var(key: &str) -> String {
    format!("OPENPRM_{}", key.to_ascii_uppercase())
}

/// Where a value came from, to name it when it is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Flag(&'static str),
    Env(&'static str),
    File(&'static str, PathBuf),
    Default(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(key) => write!(f, "--{}", key.replace('_', "-")),
            Origin::Env(key) => f.write_str(&env_var(key)),
            Origin::File(key, path) => write!(f, "`{key}` in {}", path.display()),
            Origin::Default(key) => write!(f, "the default {key}"),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("invalid value {value:?} for {origin}: {reason}")]
    Invalid {
        origin: Origin,
        value: String,
        reason: String,
    },
    #[error("configuration file {}: {reason}", path.display())]
    File { path: PathBuf, reason: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// The configuration in force, every value checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub database_url: String,
    pub bind: SocketAddr,
    /// The public base URL without a trailing slash.
    pub base_url: String,
    /// Whether the base URL was derived from the listen address, and so should
    /// follow the port actually bound (`--bind 127.0.0.1:0`).
    pub base_url_from_bind: bool,
    pub smtp_url: Option<String>,
    pub mail_dir: PathBuf,
    pub mail_from: String,
    /// The domain of Message-IDs: the host of the base URL.
    pub message_domain: String,
    pub log: String,
    pub log_format: LogFormat,
}

impl Config {
    /// The base URL once the listener is bound.
    pub fn base_url_for(&self, bound: SocketAddr) -> String {
        if self.base_url_from_bind {
            format!("http://{bound}")
        } else {
            self.base_url.clone()
        }
    }
}

/// Layers the sources (flags beat environment beat file beat defaults) and
/// checks every value. `file` carries the file's path for error messages.
pub fn resolve(
    flags: &Settings,
    env: &Settings,
    file: Option<(&Path, &Settings)>,
) -> Result<Config, ConfigError> {
    let pick = |key: &'static str, default: Option<String>| -> Option<(String, Origin)> {
        if let Some(v) = flags.get(key) {
            return Some((v.to_owned(), Origin::Flag(key)));
        }
        if let Some(v) = env.get(key) {
            return Some((v.to_owned(), Origin::Env(key)));
        }
        if let Some((path, settings)) = file
            && let Some(v) = settings.get(key)
        {
            return Some((v.to_owned(), Origin::File(key, path.to_owned())));
        }
        default.map(|d| (d, Origin::Default(key)))
    };
    let invalid = |(value, origin): (String, Origin), reason: &str| ConfigError::Invalid {
        origin,
        value,
        reason: reason.to_owned(),
    };
    let required = |key: &'static str, default: &str| {
        pick(key, Some(default.to_owned()))
            .unwrap_or_else(|| (default.to_owned(), Origin::Default(key)))
    };

    let database_url = required("database_url", DEFAULT_DATABASE_URL);
    let db = database_url.0.to_ascii_lowercase();
    if !(db.starts_with("sqlite:")
        || db.starts_with("postgres://")
        || db.starts_with("postgresql://"))
    {
        return Err(invalid(
            database_url,
            "expected sqlite://FILE or postgres://USER@HOST/DATABASE",
        ));
    }

    let bind_value = required("bind", DEFAULT_BIND);
    let bind = SocketAddr::from_str(&bind_value.0).map_err(|_| {
        invalid(
            bind_value.clone(),
            "expected an IP address and port, such as 127.0.0.1:8080 or [::]:8080",
        )
    })?;

    let (base_url, base_url_from_bind, host) = match pick("base_url", None) {
        Some(given) => {
            let host = check_url(&given.0, &["http", "https"])
                .map_err(|reason| invalid(given.clone(), &reason))?;
            (given.0.trim_end_matches('/').to_owned(), false, host)
        }
        None => {
            let url = format!("http://{bind}");
            let host = check_url(&url, &["http"])
                .map_err(|reason| invalid(bind_value.clone(), &reason))?;
            (url, true, host)
        }
    };

    let smtp_url = match pick("smtp_url", None) {
        Some(given) => {
            check_url(&given.0, &["smtp", "smtps"])
                .map_err(|reason| invalid(given.clone(), &reason))?;
            Some(given.0)
        }
        None => None,
    };

    let mail_dir = PathBuf::from(required("mail_dir", DEFAULT_MAIL_DIR).0);

    let mail_from = match pick("mail_from", None) {
        Some(given) => {
            if !is_mailbox(&given.0) {
                return Err(invalid(
                    given,
                    "expected an address such as no-reply@example.com or OpenPRM <no-reply@example.com>",
                ));
            }
            given.0
        }
        None => format!("OpenPRM <no-reply@{host}>"),
    };

    let log = required("log", DEFAULT_LOG);
    if let Err(e) = tracing_subscriber::EnvFilter::try_new(&log.0) {
        return Err(invalid(
            log,
            &format!("not a log filter ({e}); try info, debug or openprm=debug,sqlx=warn"),
        ));
    }

    let log_format_value = required("log_format", "text");
    let log_format = match log_format_value.0.to_ascii_lowercase().as_str() {
        "text" => LogFormat::Text,
        "json" => LogFormat::Json,
        _ => return Err(invalid(log_format_value, "expected text or json")),
    };

    Ok(Config {
        database_url: database_url.0,
        bind,
        base_url,
        base_url_from_bind,
        smtp_url,
        mail_dir,
        mail_from,
        message_domain: host,
        log: log.0,
        log_format,
    })
}

/// Checks a URL's scheme and host; answers its host.
fn check_url(value: &str, schemes: &[&str]) -> Result<String, String> {
    let expected = || {
        let list: Vec<String> = schemes.iter().map(|s| format!("{s}://")).collect();
        format!("expected a URL starting with {}", list.join(" or "))
    };
    let url = Url::parse(value).map_err(|e| format!("{} ({e})", expected()))?;
    if !schemes.contains(&url.scheme()) {
        return Err(expected());
    }
    match url.host_str() {
        Some(host) if !host.is_empty() => Ok(host.to_owned()),
        _ => Err("the URL has no host".to_owned()),
    }
}

/// `local@domain` or `Name <local@domain>`.
fn is_mailbox(value: &str) -> bool {
    let address = match value.split_once('<') {
        Some((_, rest)) => match rest.strip_suffix('>') {
            Some(address) => address,
            None => return false,
        },
        None => value,
    };
    match address.trim().split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !address.trim().contains(char::is_whitespace)
        }
        None => false,
    }
}

/// The URL with any password replaced, safe to print or log.
pub fn redact_url(value: &str) -> String {
    match Url::parse(value) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::collections::HashMap;

    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Settings {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (env_var(k), v.to_string()))
            .collect();
        Settings::from_env(|name| map.get(name).cloned())
    }

    fn resolve_all(
        flags: &[(&str, &str)],
        env: &[(&str, &str)],
        file: &[(&str, &str)],
    ) -> Result<Config, ConfigError> {
        let file = settings(file);
        resolve(
            &settings(flags),
            &settings(env),
            Some((Path::new("openprm.toml"), &file)),
        )
    }

    #[test]
    fn defaults_apply_when_nothing_is_given() {
        let config = resolve(&Settings::default(), &Settings::default(), None).unwrap();
        assert_eq!(config.database_url, "sqlite://openprm.db");
        assert_eq!(config.bind, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(config.base_url, "http://127.0.0.1:8080");
        assert!(config.base_url_from_bind);
        assert_eq!(config.smtp_url, None);
        assert_eq!(config.mail_dir, PathBuf::from("./mail"));
        assert_eq!(config.mail_from, "OpenPRM <no-reply@127.0.0.1>");
        assert_eq!(config.message_domain, "127.0.0.1");
        assert_eq!(config.log, "info");
        assert_eq!(config.log_format, LogFormat::Text);
    }

    #[test]
    fn flags_beat_environment_beat_file_beat_defaults() {
        let config = resolve_all(
            &[("database_url", "sqlite://flag.db")],
            &[("database_url", "sqlite://env.db"), ("log", "debug")],
            &[
                ("database_url", "sqlite://file.db"),
                ("log", "warn"),
                ("log_format", "json"),
            ],
        )
        .unwrap();
        assert_eq!(config.database_url, "sqlite://flag.db");
        assert_eq!(config.log, "debug");
        assert_eq!(config.log_format, LogFormat::Json);
        assert_eq!(config.bind, "127.0.0.1:8080".parse().unwrap());
    }

    #[test]
    fn blank_values_count_as_unset() {
        let config = resolve_all(
            &[],
            &[("smtp_url", "  ")],
            &[("smtp_url", "smtp://mail.example.com")],
        )
        .unwrap();
        assert_eq!(config.smtp_url.as_deref(), Some("smtp://mail.example.com"));
    }

    #[test]
    fn base_url_defaults_to_the_bind_address_and_names_the_mail_domain() {
        let config = resolve_all(&[("bind", "0.0.0.0:9000")], &[], &[]).unwrap();
        assert_eq!(config.base_url, "http://0.0.0.0:9000");
        let bound = "0.0.0.0:41234".parse().unwrap();
        assert_eq!(config.base_url_for(bound), "http://0.0.0.0:41234");

        let config =
            resolve_all(&[], &[("base_url", "https://prm.nordlys.example/")], &[]).unwrap();
        assert_eq!(config.base_url, "https://prm.nordlys.example");
        assert_eq!(config.base_url_for(bound), "https://prm.nordlys.example");
        assert_eq!(config.message_domain, "prm.nordlys.example");
        assert_eq!(config.mail_from, "OpenPRM <no-reply@prm.nordlys.example>");
    }

    #[test]
    fn explicit_mail_settings_are_kept() {
        let config = resolve_all(
            &[("mail_dir", "/var/spool/openprm")],
            &[("smtp_url", "smtps://user:secret@smtp.example.com:465")],
            &[("mail_from", "Nordlys Partners <partners@nordlys.example>")],
        )
        .unwrap();
        assert_eq!(config.mail_dir, PathBuf::from("/var/spool/openprm"));
        assert_eq!(
            config.smtp_url.as_deref(),
            Some("smtps://user:secret@smtp.example.com:465")
        );
        assert_eq!(
            config.mail_from,
            "Nordlys Partners <partners@nordlys.example>"
        );
    }

    #[test]
    fn bad_values_are_named_with_their_origin() {
        let error = resolve_all(&[], &[("bind", "localhost")], &[]).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("OPENPRM_BIND") && message.contains("127.0.0.1:8080"),
            "{message}"
        );

        let error = resolve_all(&[("base_url", "prm.example.com")], &[], &[]).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("--base-url") && message.contains("http://"),
            "{message}"
        );

        let error = resolve_all(&[], &[], &[("base_url", "ftp://prm.example.com")]).unwrap_err();
        assert!(
            error.to_string().contains("`base_url` in openprm.toml"),
            "{error}"
        );

        for (key, value) in [
            ("database_url", "mysql://db"),
            ("smtp_url", "http://mail.example.com"),
            ("mail_from", "nobody"),
            ("log_format", "xml"),
            ("log", "info,[[["),
        ] {
            let error = resolve_all(&[(key, value)], &[], &[]).unwrap_err();
            assert!(
                matches!(error, ConfigError::Invalid { .. }),
                "{key}: {error}"
            );
        }
    }

    #[test]
    fn the_file_rejects_unknown_keys_by_name() {
        let text = "bind = \"127.0.0.1:9000\"\ndatabase = \"sqlite://x.db\"\n";
        let error = Settings::from_toml(text, Path::new("openprm.toml")).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("unknown key `database`") && message.contains("line 2"),
            "{message}"
        );
    }

    #[test]
    fn the_file_reads_every_key() {
        let text = r#"
            database_url = "postgres://openprm@db/openprm"
            bind = "0.0.0.0:8080"
            base_url = "https://prm.example.com"
            smtp_url = "smtp://mail.example.com:25"
            mail_dir = "/tmp/mail"
            mail_from = "no-reply@example.com"
            log = "debug"
            log_format = "json"
        "#;
        let settings = Settings::from_toml(text, Path::new("x.toml")).unwrap();
        for (key, get) in KEYS {
            assert!(get(&settings).is_some(), "{key}");
        }
    }

    #[test]
    fn passwords_are_hidden_from_printed_urls() {
        assert_eq!(
            redact_url("postgres://prm:s3cret@db:5432/prm"),
            "postgres://prm:***@db:5432/prm"
        );
        assert_eq!(redact_url("sqlite://openprm.db"), "sqlite://openprm.db");
    }
}
