//! A real `chartvault serve` on 127.0.0.1:0 and a small HTTP/1.1 client that sends exactly
//! what a test writes (hostile paths included), one connection per request.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

pub struct Server {
    child: Child,
    pub addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Adds a user through the CLI (password on stdin).
pub fn add_user(archive: &Path, name: &str, role: &str, password: &str) {
    user_with_password(archive, &["user", "add", name, "--role", role], password);
}

/// Resets a user's password through the CLI (password on stdin).
#[allow(dead_code)]
pub fn reset_password(archive: &Path, name: &str, password: &str) {
    user_with_password(archive, &["user", "reset-password", name], password);
}

fn user_with_password(archive: &Path, args: &[&str], password: &str) {
    let name = args[2];
    let mut child = super::command(archive)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run user add");
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{} {name}: {}",
        args[1],
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Server {
    /// A server without the daily retention sweep, so tests see only their own changes.
    pub fn start(archive: &Path, extra: &[&str]) -> Server {
        let mut args = vec!["--no-sweep"];
        args.extend_from_slice(extra);
        Server::launch(archive, &args)
    }

    /// A server as staff run it: the retention sweep runs in it.
    pub fn start_sweeping(archive: &Path) -> Server {
        Server::launch(archive, &[])
    }

    /// A server without the sweep, with extra environment (test seams such as
    /// `CHARTVAULT_TEST_PAGE_DELAY_MS`).
    pub fn start_with_env(archive: &Path, env: &[(&str, &str)]) -> Server {
        Server::launch_env(archive, &["--no-sweep"], env)
    }

    fn launch(archive: &Path, extra: &[&str]) -> Server {
        Server::launch_env(archive, extra, &[])
    }

    fn launch_env(archive: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
        // On the archive's test clock when one is set (super::set_clock).
        let mut child = super::command(archive)
            .envs(env.iter().copied())
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start chartvault serve");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let mut addr = None;
        for line in lines.by_ref() {
            let line = line.expect("server output");
            let rest = line
                .split(" on http://")
                .nth(1)
                .or_else(|| line.split(" on https://").nth(1));
            if let Some(rest) = rest {
                addr = Some(rest.trim_end_matches('/').to_string());
                break;
            }
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let addr = addr.expect("server printed its address");
        Server { child, addr }
    }

    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
        http(&self.addr, method, path, headers, body)
    }

    pub fn login(&self, user: &str, password: &str) -> Session {
        let body = serde_json::json!({"username": user, "password": password}).to_string();
        let r = self.request(
            "POST",
            "/api/v1/session",
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        );
        assert_eq!(r.status, 200, "login {user}: {}", r.text());
        let cookie = r
            .header("set-cookie")
            .and_then(|c| c.split(';').next())
            .expect("session cookie")
            .to_string();
        assert!(r.header("set-cookie").unwrap().contains("HttpOnly"));
        let csrf = r.json()["csrf"].as_str().unwrap().to_string();
        Session {
            addr: self.addr.clone(),
            cookie,
            csrf,
        }
    }
}

pub struct Session {
    pub addr: String,
    pub cookie: String,
    pub csrf: String,
}

impl Session {
    pub fn get(&self, path: &str) -> Resp {
        http(&self.addr, "GET", path, &[("Cookie", &self.cookie)], b"")
    }

    /// A JSON request with the cookie and the CSRF token.
    pub fn send(&self, method: &str, path: &str, body: &serde_json::Value) -> Resp {
        let b = body.to_string();
        http(
            &self.addr,
            method,
            path,
            &[
                ("Cookie", &self.cookie),
                ("X-CSRF-Token", &self.csrf),
                ("Content-Type", "application/json"),
            ],
            b.as_bytes(),
        )
    }

    pub fn upload(&self, name: &str, bytes: &[u8]) -> Resp {
        http(
            &self.addr,
            "POST",
            &format!("/api/v1/ingest?filename={name}"),
            &[
                ("Cookie", &self.cookie),
                ("X-CSRF-Token", &self.csrf),
                ("Content-Type", "application/octet-stream"),
            ],
            bytes,
        )
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

pub fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
    let mut s = TcpStream::connect(addr).expect("connect to server");
    s.set_read_timeout(Some(Duration::from_secs(300))).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    // The server may answer (413) before reading a large body; a reset then is fine.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    parse(&raw)
}

/// An HTTP/1.1 response as read from the wire.
pub fn parse(raw: &[u8]) -> Resp {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP response: {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        while let Some(nl) = rest.windows(2).position(|w| w == b"\r\n") {
            let size =
                usize::from_str_radix(String::from_utf8_lossy(&rest[..nl]).trim(), 16).unwrap_or(0);
            if size == 0 || rest.len() < nl + 2 + size {
                break;
            }
            out.extend_from_slice(&rest[nl + 2..nl + 2 + size]);
            rest = &rest[(nl + 4 + size).min(rest.len())..];
        }
        body = out;
    }
    Resp {
        status,
        headers,
        body,
    }
}

/// Polls `f` until it returns Some, for at most `secs` seconds.
pub fn wait_for<T>(secs: u64, mut f: impl FnMut() -> Option<T>) -> T {
    let start = std::time::Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed().as_secs() < secs, "timed out after {secs} s");
        std::thread::sleep(Duration::from_millis(250));
    }
}
