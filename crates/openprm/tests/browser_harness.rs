//! The browser harness itself, proved on a tiny static page: it starts a
//! headless Chromium, reads the page, sends the chosen language, resizes to a
//! phone, saves screenshots, and saves one more when a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;

use fantoccini::Locator;
use openprm_testkit::browser::{Browser, PHONE, run_browser_test, screenshot_dir};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Serves one small HTML page on a random port. The page echoes the request's
/// `Accept-Language`, so a test can see which language the browser sent.
async fn serve_page() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let request = String::from_utf8_lossy(&request);
                let language = request
                    .lines()
                    .find_map(|l| {
                        l.split_once(':')
                            .filter(|(k, _)| k.eq_ignore_ascii_case("accept-language"))
                    })
                    .map(|(_, v)| v.trim().to_string())
                    .unwrap_or_default();
                let body = format!(
                    "<!doctype html><html><head><meta charset=utf-8>\
                     <meta name=viewport content=\"width=device-width, initial-scale=1\">\
                     <title>Harness</title></head>\
                     <body style=\"font-family:sans-serif;margin:2rem\">\
                     <h1 id=title>OpenPRM browser harness</h1>\
                     <p>Accept-Language: <span id=lang>{language}</span></p>\
                     <button id=go onclick=\"document.getElementById('out').textContent='clicked'\">Go</button>\
                     <p id=out></p>\
                     <form action=/next><input id=q name=q><button id=send>Send</button></form>\
                     </body></html>"
                );
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn browser_harness_opens_a_page_reads_text_and_saves_screenshots() {
    let addr = serve_page().await;
    run_browser_test("browser_harness_opens_a_page", None, async |b| {
        b.goto(&format!("http://{addr}/")).await?;
        assert_eq!(
            b.find(Locator::Id("title")).await?.text().await?,
            "OpenPRM browser harness"
        );
        assert!(
            b.find(Locator::Id("lang"))
                .await?
                .text()
                .await?
                .starts_with("en-US")
        );

        b.find(Locator::Id("go")).await?.click().await?;
        assert_eq!(b.find(Locator::Id("out")).await?.text().await?, "clicked");
        assert!(b.page_text().await?.contains("clicked"));

        let viewport = b
            .execute("return [window.innerWidth, window.innerHeight];", vec![])
            .await?;
        assert_eq!(viewport, serde_json::json!([1280, 900]));
        let desktop = b.screenshot("harness-desktop").await?;
        assert!(std::fs::read(&desktop)?.starts_with(b"\x89PNG"));

        b.resize(PHONE.0, PHONE.1).await?;
        let viewport = b
            .execute("return [window.innerWidth, window.innerHeight];", vec![])
            .await?;
        assert_eq!(viewport, serde_json::json!([390, 844]));
        let phone = b.screenshot("harness-phone").await?;
        assert!(std::fs::read(&phone)?.starts_with(b"\x89PNG"));

        b.fill(Locator::Id("q"), "first").await?;
        b.fill(Locator::Id("q"), "kept").await?;
        b.click_and_wait(Locator::Id("send")).await?;
        assert_eq!(b.path().await?, "/next");
        assert_eq!(b.current_url().await?.query(), Some("q=kept"));
        // Submitting to the same URL is a new page too.
        b.click_and_wait(Locator::Id("send")).await?;
        assert_eq!(b.current_url().await?.query(), Some("q="));
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn browser_harness_sends_the_chosen_language() {
    let addr = serve_page().await;
    run_browser_test(
        "browser_harness_sends_the_chosen_language",
        Some("da"),
        async |b| {
            b.goto(&format!("http://{addr}/")).await?;
            let sent = b.find(Locator::Id("lang")).await?.text().await?;
            assert!(sent.starts_with("da"), "Accept-Language was {sent:?}");
            let navigator = b.execute("return navigator.language;", vec![]).await?;
            assert_eq!(navigator.as_str(), Some("da"));
            Ok(())
        },
    )
    .await;
}

/// Runs `run_browser_test` on its own thread and runtime and answers whether
/// it failed the test (panicked).
fn fails(name: &'static str, addr: SocketAddr, panic_in_body: bool) -> bool {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(run_browser_test(name, None, async move |b| {
            b.goto(&format!("http://{addr}/")).await?;
            if panic_in_body {
                panic!("a deliberate panic");
            }
            b.find(Locator::Id("no-such-element")).await?;
            Ok(())
        }));
    })
    .join()
    .is_err()
}

#[tokio::test]
async fn browser_harness_saves_a_screenshot_when_a_test_fails() {
    // Without a browser there is nothing to prove (and under CI this panics).
    let Some(probe) = Browser::start().await else {
        return;
    };
    probe.close().await;
    let addr = serve_page().await;

    for (name, panic_in_body) in [
        ("browser_harness_error_case", false),
        ("browser_harness_panic_case", true),
    ] {
        let shot = screenshot_dir().join(format!("FAILED-{name}.png"));
        let _ = std::fs::remove_file(&shot);
        // The page server runs on this test's runtime: wait off it.
        let failed = tokio::task::spawn_blocking(move || fails(name, addr, panic_in_body))
            .await
            .unwrap();
        assert!(failed, "{name} should have failed the test");
        let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("{}: {e}", shot.display()));
        assert!(png.starts_with(b"\x89PNG"));
        // These failures were on purpose: leave no FAILED file to alarm anyone.
        std::fs::remove_file(&shot).unwrap();
    }
}
