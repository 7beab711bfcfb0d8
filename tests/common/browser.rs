//! A real headless Chromium over WebDriver (chromedriver) for the browser tests: start it,
//! wait for elements and text, log in, take screenshots.
//!
//! Skips when chromedriver is not installed, unless CHARTVAULT_REQUIRE_BROWSER=1 (CI sets it).
#![allow(dead_code)]

use fantoccini::{Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const WAIT: Duration = Duration::from_secs(60);

pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn chromedriver() -> Option<PathBuf> {
    let path = std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromedriver"));
    if path.exists() {
        return Some(path);
    }
    if std::env::var("CHARTVAULT_REQUIRE_BROWSER").as_deref() == Ok("1") {
        panic!("CHARTVAULT_REQUIRE_BROWSER=1 but {} is missing (apt-get install chromium chromium-driver)", path.display());
    }
    eprintln!(
        "skipping the browser test: {} is not installed",
        path.display()
    );
    None
}

pub fn start_driver(path: &Path) -> (Driver, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let addr = format!("127.0.0.1:{port}");
    let start = Instant::now();
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "chromedriver did not listen"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (Driver(child), format!("http://{addr}"))
}

pub async fn browser(driver: &str, profile: &Path) -> Client {
    let chrome = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let caps = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chrome,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-quic", "--window-size=1400,1000",
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    });
    let serde_json::Value::Object(caps) = caps else {
        unreachable!()
    };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(driver)
        .await
        .expect("open a Chromium session")
}

pub async fn css(c: &Client, sel: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(sel))
        .await
        .unwrap_or_else(|e| panic!("no {sel} on the page: {e}"))
}

/// Waits until the element's text contains `want`, and returns the text.
pub async fn text_of(c: &Client, sel: &str, want: &str) -> String {
    let start = Instant::now();
    loop {
        let t = css(c, sel).await.text().await.unwrap_or_default();
        if t.contains(want) {
            return t;
        }
        assert!(
            start.elapsed() < WAIT,
            "{sel} never said {want:?}; it says {t:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Writes a screenshot of the page as `NAME.png` for a reviewer: into
/// `CHARTVAULT_SCREENSHOTS` when set, else `target/screenshots/`.
pub async fn shot(c: &Client, name: &str) {
    let dir = std::env::var_os("CHARTVAULT_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots"));
    let png = c.screenshot().await.expect("screenshot");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

/// One step of a walk through the UI: a screenshot for the reviewer, and no serious or
/// critical accessibility problem on the screen.
pub async fn step(c: &Client, name: &str) {
    shot(c, name).await;
    assert_accessible(c, name).await;
}

pub async fn log_in(c: &Client, base: &str, user: &str) {
    c.goto(&format!("{base}/#/login")).await.unwrap();
    for (sel, value) in [("#login-user", user), ("#login-pass", super::PW)] {
        let field = css(c, sel).await;
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }
    css(c, "#login-submit").await.click().await.unwrap();
    text_of(c, "#who", user).await;
}

/// axe-core's script (installed by tools/install-deps.sh into tools/node, or named by
/// `AXE_CORE`). `None` (the check skipped) when missing, unless CHARTVAULT_REQUIRE_BROWSER=1.
pub fn axe_source() -> Option<String> {
    let path = std::env::var_os("AXE_CORE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tools/node/node_modules/axe-core/axe.min.js")
        });
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(_) if std::env::var("CHARTVAULT_REQUIRE_BROWSER").as_deref() == Ok("1") => panic!(
            "CHARTVAULT_REQUIRE_BROWSER=1 but {} is missing (bash tools/install-deps.sh)",
            path.display()
        ),
        Err(_) => {
            eprintln!(
                "skipping accessibility checks: {} is missing",
                path.display()
            );
            None
        }
    }
}

/// Runs axe-core on the page as it is now and fails on any serious or critical violation
/// (WCAG 2.1 A and AA rules), naming the rule, its help text and where it fired.
pub async fn assert_accessible(c: &Client, screen: &str) {
    let list = accessibility_problems(c).await;
    assert!(
        list.is_empty(),
        "accessibility problems on {screen}:\n{}",
        list.join("\n")
    );
}

/// Serious and critical axe-core violations on the page as it is now.
pub async fn accessibility_problems(c: &Client) -> Vec<String> {
    let Some(src) = axe_source() else {
        return Vec::new();
    };
    let loaded = c
        .execute("return typeof window.axe === 'object';", vec![])
        .await
        .unwrap();
    if loaded != serde_json::Value::Bool(true) {
        c.execute(&format!("{src}\nreturn true;"), vec![])
            .await
            .expect("load axe-core into the page");
    }
    let found = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
              .then((r) => done(r.violations
                .filter((v) => v.impact === "serious" || v.impact === "critical")
                .map((v) => `${v.id} (${v.impact}): ${v.help}; at ${v.nodes.slice(0, 4).map((n) => n.target.join(" ")).join(" | ")}`)))
              .catch((e) => done(["axe failed: " + e]));"#,
            vec![],
        )
        .await
        .expect("run axe-core");
    serde_json::from_value(found).expect("axe-core's answer")
}
