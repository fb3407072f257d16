//! A headless Chromium driven through chromedriver, one private browser per test.
//!
//! Each [`Browser`] starts its own chromedriver on a free port and gives
//! Chromium a fresh, empty profile, so tests share no cookies, storage or
//! cache and may run in parallel. [`run_browser_test`] wraps a test body and
//! saves `target/screenshots/FAILED-<name>.png` when the body fails or panics,
//! so a red CI run shows what the browser saw.
//!
//! When chromedriver or Chromium is missing the suite skips itself, except
//! under `CI=true` (see [`crate::db::ci_demands_everything`]), where a missing
//! browser fails the test: the browser suite must never pass by not running.

// Failing the test that called it is this module's job, and panicking is how a
// Rust test fails.
#![allow(clippy::panic)]

use std::fmt;
use std::net::{Ipv4Addr, TcpListener};
use std::ops::Deref;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::error::{CmdError, ErrorStatus};
use fantoccini::wd::TimeoutConfiguration;
use fantoccini::{Client, ClientBuilder, Locator};
use futures::FutureExt;
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

/// The desktop window every browser starts with.
pub const DESKTOP: (u32, u32) = (1280, 900);
/// A phone-sized window (an iPhone 12–15 viewport), for `resize`.
pub const PHONE: (u32, u32) = (390, 844);

/// How long one browser test body may run before it counts as hung.
const BODY_TIMEOUT: Duration = Duration::from_secs(180);
/// How long [`Browser::click_and_wait`] waits for the next page.
const PAGE_TIMEOUT: Duration = Duration::from_secs(15);
/// How long chromedriver gets to open its port.
const DRIVER_START_TIMEOUT: Duration = Duration::from_secs(20);

/// The arguments every Chromium gets; the profile, window size and language
/// are added per browser.
const CHROMIUM_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
];

/// What a browser test body returns.
pub type BrowserResult = Result<(), Box<dyn std::error::Error>>;

/// A browser operation that failed.
#[derive(Debug)]
pub enum BrowserError {
    WebDriver(fantoccini::error::CmdError),
    Io(std::io::Error),
    /// The next page did not arrive in time.
    Timeout(String),
    /// The portal showed something other than what the step expects.
    Unexpected(String),
}

impl fmt::Display for BrowserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BrowserError::WebDriver(e) => write!(f, "webdriver: {e}"),
            BrowserError::Io(e) => write!(f, "i/o: {e}"),
            BrowserError::Timeout(what) => write!(f, "timed out: {what}"),
            BrowserError::Unexpected(what) => write!(f, "unexpected: {what}"),
        }
    }
}

impl std::error::Error for BrowserError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BrowserError::WebDriver(e) => Some(e),
            BrowserError::Io(e) => Some(e),
            BrowserError::Timeout(_) | BrowserError::Unexpected(_) => None,
        }
    }
}

impl From<fantoccini::error::CmdError> for BrowserError {
    fn from(e: fantoccini::error::CmdError) -> Self {
        BrowserError::WebDriver(e)
    }
}

impl From<std::io::Error> for BrowserError {
    fn from(e: std::io::Error) -> Self {
        BrowserError::Io(e)
    }
}

/// A headless Chromium with its own chromedriver and profile. Derefs to the
/// fantoccini [`Client`], so `browser.goto(url)` and `browser.find(..)` work.
///
/// Dropping it kills chromedriver and the Chromium it started; [`close`]
/// ends the WebDriver session politely first.
///
/// [`close`]: Browser::close
pub struct Browser {
    pub client: Client,
    // Field order is drop order: the session handle, then the processes, then
    // the profile folder they were using.
    driver: Driver,
    _profile: tempfile::TempDir,
}

impl Deref for Browser {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

impl Browser {
    /// A browser with English as its language, or `None` when chromedriver or
    /// Chromium is not installed. Under `CI=true` a missing browser panics.
    pub async fn start() -> Option<Browser> {
        Self::launch(None).await
    }

    /// A browser whose UI language and `Accept-Language` are `lang`, e.g. `"da"`.
    pub async fn start_with_language(lang: &str) -> Option<Browser> {
        Self::launch(Some(lang)).await
    }

    async fn launch(lang: Option<&str>) -> Option<Browser> {
        let Some(programs) = Programs::find() else {
            if crate::db::ci_demands_everything() {
                panic!(
                    "CI=true but chromedriver and chromium are not both installed: the browser suite must run"
                );
            }
            eprintln!("skipping browser test: chromedriver and chromium are not both installed");
            return None;
        };
        match Self::try_launch(&programs, lang).await {
            Ok(browser) => Some(browser),
            Err(e) => panic!("could not start a headless browser: {e}"),
        }
    }

    async fn try_launch(programs: &Programs, lang: Option<&str>) -> Result<Browser, String> {
        let profile = tempfile::Builder::new()
            .prefix("openprm-browser-")
            .tempdir()
            .map_err(|e| format!("profile folder: {e}"))?;
        let driver = Driver::spawn(&programs.chromedriver, profile.path()).await?;

        let lang = lang.unwrap_or("en-US");
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| a.to_string()).collect();
        args.push(format!(
            "--user-data-dir={}",
            profile.path().join("chromium").display()
        ));
        args.push(format!("--window-size={},{}", DESKTOP.0, DESKTOP.1));
        args.push(format!("--lang={lang}"));
        args.push(format!("--accept-lang={lang}"));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": programs.chromium.display().to_string(),
                "args": args,
                "prefs": { "intl.accept_languages": lang },
            },
        });
        let Value::Object(capabilities) = capabilities else {
            return Err("capabilities are not a JSON object".to_string());
        };

        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .map_err(|e| {
                format!(
                    "new WebDriver session: {e}; chromedriver said: {}",
                    driver.log_tail()
                )
            })?;
        let browser = Browser {
            client,
            driver,
            _profile: profile,
        };
        let timeouts = TimeoutConfiguration::new(
            Some(Duration::from_secs(30)),
            Some(Duration::from_secs(30)),
            Some(Duration::ZERO),
        );
        browser
            .client
            .update_timeouts(timeouts)
            .await
            .map_err(|e| format!("timeouts: {e}"))?;
        browser
            .resize(DESKTOP.0, DESKTOP.1)
            .await
            .map_err(|e| format!("window size: {e}"))?;
        Ok(browser)
    }

    /// Saves a PNG of the viewport as `<workspace>/target/screenshots/<name>.png`
    /// and returns its path.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf, BrowserError> {
        let png = self.client.screenshot().await?;
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{}.png", file_name(name)));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Saves the whole page (not just the window) at desktop and at phone
    /// size, as `<name>.png` and `<name>-phone.png`, and returns to the
    /// desktop size.
    pub async fn screenshots(&self, name: &str) -> Result<(), BrowserError> {
        for (suffix, (width, height)) in [("", DESKTOP), ("-phone", PHONE)] {
            self.resize(width, height).await?;
            let full = self
                .client
                .execute(
                    "return Math.ceil(document.documentElement.scrollHeight);",
                    vec![],
                )
                .await?
                .as_u64()
                .unwrap_or(u64::from(height));
            let full = u32::try_from(full).unwrap_or(height).clamp(height, 6000);
            self.resize(width, full).await?;
            self.screenshot(&format!("{name}{suffix}")).await?;
        }
        self.resize(DESKTOP.0, DESKTOP.1).await
    }

    /// Signs `user` in through the login page of the portal at `base_url`
    /// and checks that Home follows.
    pub async fn sign_in(
        &self,
        base_url: &str,
        user: &crate::app::TestUser,
    ) -> Result<(), BrowserError> {
        self.goto(&format!("{base_url}/login")).await?;
        self.fill(Locator::Id("email"), &user.email).await?;
        self.fill(Locator::Id("password"), &user.password).await?;
        self.click_and_wait(Locator::Css("form[action='/login'] button[type=submit]"))
            .await?;
        let path = self.path().await?;
        if path != "/" {
            return Err(BrowserError::Unexpected(format!(
                "signing in as {} led to {path}, not Home",
                user.email
            )));
        }
        Ok(())
    }

    /// Makes the page's viewport `width` by `height` CSS pixels, e.g.
    /// [`PHONE`] for a phone-sized screenshot.
    pub async fn resize(&self, width: u32, height: u32) -> Result<(), BrowserError> {
        self.client.set_window_size(width, height).await?;
        // The window includes browser chrome even when headless on some
        // versions; grow it by the difference so the viewport is exact.
        let inner = self
            .client
            .execute("return [window.innerWidth, window.innerHeight];", vec![])
            .await?;
        let measured = |i: usize| {
            inner
                .get(i)
                .and_then(Value::as_u64)
                .and_then(|v| u32::try_from(v).ok())
        };
        if let (Some(w), Some(h)) = (measured(0), measured(1))
            && (w, h) != (width, height)
        {
            let grow = |want: u32, got: u32| (2 * want).saturating_sub(got);
            self.client
                .set_window_size(grow(width, w), grow(height, h))
                .await?;
        }
        Ok(())
    }

    /// Types `value` into the field `locator` finds, replacing what it held.
    pub async fn fill(&self, locator: Locator<'_>, value: &str) -> Result<(), BrowserError> {
        let field = self.client.find(locator).await?;
        field.clear().await?;
        field.send_keys(value).await?;
        Ok(())
    }

    /// Clicks what `locator` finds (a link, a submit button) and waits until
    /// the next page has replaced this one and finished loading. It also
    /// notices a form shown again at the same URL, with its errors.
    pub async fn click_and_wait(&self, locator: Locator<'_>) -> Result<(), BrowserError> {
        // A mark on this page's window; a new page has a new window object.
        self.client
            .execute("window.__openprmOldPage = true;", vec![])
            .await?;
        self.client.find(locator).await?.click().await?;
        let deadline = Instant::now() + PAGE_TIMEOUT;
        loop {
            let check = "return window.__openprmOldPage === undefined && document.readyState === 'complete';";
            match self.client.execute(check, vec![]).await {
                Ok(Value::Bool(true)) => return Ok(()),
                Ok(_) => {}
                // Scripts can fail while one page gives way to the next.
                Err(e) if is_transient(&e) => {}
                Err(e) => return Err(e.into()),
            }
            if Instant::now() > deadline {
                let url = self
                    .client
                    .current_url()
                    .await
                    .map(|u| u.to_string())
                    .unwrap_or_default();
                return Err(BrowserError::Timeout(format!(
                    "no new page within {PAGE_TIMEOUT:?} after a click, still at {url}"
                )));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The text of the first element `css` matches.
    pub async fn text(&self, css: &str) -> Result<String, BrowserError> {
        self.retrying(async || self.client.find(Locator::Css(css)).await?.text().await)
            .await
    }

    /// The texts of every element `css` matches, in page order.
    pub async fn texts(&self, css: &str) -> Result<Vec<String>, BrowserError> {
        self.retrying(async || {
            let mut texts = Vec::new();
            for element in self.client.find_all(Locator::Css(css)).await? {
                texts.push(element.text().await?);
            }
            Ok(texts)
        })
        .await
    }

    /// Runs a read of the page again while it fails in a way that only means
    /// chromedriver had not yet caught up with a new page (a stale element, a
    /// node "not in the document"); chromedriver can lag so under load.
    async fn retrying<T>(
        &self,
        read: impl AsyncFn() -> Result<T, CmdError>,
    ) -> Result<T, BrowserError> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match read().await {
                Err(e) if is_transient(&e) && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                result => return Ok(result?),
            }
        }
    }

    /// The path of the current page, such as `/password`.
    pub async fn path(&self) -> Result<String, BrowserError> {
        Ok(self.client.current_url().await?.path().to_string())
    }

    /// The visible text of the whole page.
    pub async fn page_text(&self) -> Result<String, BrowserError> {
        let script = "return document.body ? document.body.innerText : '';";
        let text = self
            .retrying(async || self.client.execute(script, vec![]).await)
            .await?;
        Ok(text.as_str().unwrap_or_default().to_string())
    }

    /// Ends the WebDriver session (Chromium exits) and stops chromedriver.
    pub async fn close(self) {
        let Browser {
            client,
            mut driver,
            _profile,
        } = self;
        let _ = tokio::time::timeout(Duration::from_secs(10), client.close()).await;
        driver.stop().await;
    }
}

/// Runs a browser test body against a fresh browser (English unless `lang`
/// says otherwise). The body borrows the browser, so the harness still holds
/// it afterwards: when the body returns an error, panics or runs longer than
/// three minutes, the page is saved as `target/screenshots/FAILED-<name>.png`
/// and the test fails. Without a browser (outside CI) the test is skipped.
///
/// ```ignore
/// run_browser_test("browser_login_page", None, async |b| {
///     b.goto(&app.url("/login")).await?;
///     b.screenshot("login").await?;
///     Ok(())
/// })
/// .await;
/// ```
///
/// Bodies may nest a second `run_browser_test` for a second user; a failure
/// inside it then leaves a screenshot of both browsers.
pub async fn run_browser_test<F>(name: &str, lang: Option<&str>, body: F)
where
    F: AsyncFnOnce(&Browser) -> BrowserResult,
{
    let browser = match lang {
        Some(lang) => Browser::start_with_language(lang).await,
        None => Browser::start().await,
    };
    let Some(browser) = browser else {
        return;
    };

    let outcome = tokio::time::timeout(
        BODY_TIMEOUT,
        AssertUnwindSafe(body(&browser)).catch_unwind(),
    )
    .await;
    let failure = match outcome {
        Ok(Ok(Ok(()))) => None,
        Ok(Ok(Err(e))) => Some(Failure::Error(e.to_string())),
        Ok(Err(panic)) => Some(Failure::Panic(panic)),
        Err(_) => Some(Failure::Error(format!(
            "timed out after {} s",
            BODY_TIMEOUT.as_secs()
        ))),
    };
    let Some(failure) = failure else {
        browser.close().await;
        return;
    };

    let shot = match browser.screenshot(&format!("FAILED-{name}")).await {
        Ok(path) => format!("screenshot: {}", path.display()),
        Err(e) => format!("no screenshot: {e}"),
    };
    let url = browser
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    browser.close().await;
    match failure {
        Failure::Error(e) => panic!("browser test {name} failed at {url}: {e} ({shot})"),
        Failure::Panic(panic) => {
            eprintln!("browser test {name} panicked at {url} ({shot})");
            std::panic::resume_unwind(panic)
        }
    }
}

enum Failure {
    Error(String),
    Panic(Box<dyn std::any::Any + Send>),
}

/// Whether a WebDriver error only means that a page was being replaced.
fn is_transient(e: &CmdError) -> bool {
    let CmdError::Standard(e) = e else {
        return false;
    };
    match e.error {
        ErrorStatus::StaleElementReference => true,
        ErrorStatus::JavascriptError | ErrorStatus::UnknownError => [
            "does not belong to the document",
            "No node with given id",
            "Execution context was destroyed",
            "Cannot find context",
            "no such execution context",
        ]
        .iter()
        .any(|m| e.message.contains(m)),
        _ => false,
    }
}

/// `<workspace>/target/screenshots`.
pub fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots")
}

/// A screenshot name made safe as a file name.
fn file_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The two programs a browser needs.
struct Programs {
    chromedriver: PathBuf,
    chromium: PathBuf,
}

impl Programs {
    /// chromedriver from `CHROMEDRIVER` or `PATH`; Chromium from `CHROME_BIN`,
    /// Debian's real binary (skipping its shell wrapper), or `PATH`.
    fn find() -> Option<Programs> {
        let chromedriver = from_env("CHROMEDRIVER").or_else(|| on_path("chromedriver"))?;
        let chromium = from_env("CHROME_BIN")
            .or_else(|| Some(PathBuf::from("/usr/lib/chromium/chromium")).filter(|p| p.is_file()))
            .or_else(|| {
                ["chromium", "chromium-browser", "google-chrome"]
                    .into_iter()
                    .find_map(on_path)
            })?;
        Some(Programs {
            chromedriver,
            chromium,
        })
    }
}

fn from_env(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .map(PathBuf::from)
        .filter(|p| p.is_file())
}

fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// A running chromedriver. It leads its own process group so that stopping
/// it also stops every Chromium process it started, even after a panic.
struct Driver {
    child: tokio::process::Child,
    url: String,
    log: PathBuf,
}

impl Driver {
    async fn spawn(program: &Path, dir: &Path) -> Result<Driver, String> {
        let mut last_error = String::new();
        // A free port can be taken between our probe and chromedriver's bind;
        // try a few.
        for _ in 0..3 {
            let port = free_port().map_err(|e| format!("free port: {e}"))?;
            let log = dir.join(format!("chromedriver-{port}.log"));
            let child = tokio::process::Command::new(program)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .kill_on_drop(true)
                .spawn()
                .map_err(|e| format!("run {}: {e}", program.display()))?;
            let mut driver = Driver {
                child,
                url: format!("http://127.0.0.1:{port}"),
                log,
            };
            match driver.wait_until_listening(port).await {
                Ok(()) => return Ok(driver),
                Err(e) => {
                    last_error = format!("{e}; chromedriver said: {}", driver.log_tail());
                    driver.stop().await;
                }
            }
        }
        Err(last_error)
    }

    async fn wait_until_listening(&mut self, port: u16) -> Result<(), String> {
        let deadline = Instant::now() + DRIVER_START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("chromedriver exited at start ({status})"));
            }
            if tokio::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port))
                .await
                .is_ok()
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "chromedriver did not listen on port {port} within {DRIVER_START_TIMEOUT:?}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(5)..].join(" | ")
    }

    async fn stop(&mut self) {
        self.kill_group();
        let _ = self.child.kill().await;
    }

    fn kill_group(&self) {
        if let Some(pid) = self.child.id() {
            // Safety: kill(2) with a negative pid signals the process group
            // chromedriver leads (it was spawned with process_group(0)); it
            // touches no memory.
            unsafe {
                libc::kill(-(pid as libc::pid_t), libc::SIGKILL);
            }
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // kill_on_drop ends chromedriver itself; this ends its Chromium too.
        self.kill_group();
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn screenshot_names_become_safe_file_names() {
        assert_eq!(file_name("home-phone"), "home-phone");
        assert_eq!(file_name("FAILED-a/b c"), "FAILED-a_b_c");
        assert_eq!(file_name("../x"), ".._x");
    }
}
