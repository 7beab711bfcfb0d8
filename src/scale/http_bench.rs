//! Search latency over HTTP against a running `chartvault serve`, as a client sees it: log in,
//! then `GET /api/v1/search` (20 hits with snippets, as the web UI asks, every search audited)
//! for each kind of query, interleaved with a reference request in the same loop:
//! `GET /api/v1/session` (same connection set-up, session check and JSON, no index work), the
//! floor for HTTP on this machine. One TCP connection per request, so set-up is counted;
//! `--clients N` runs N such clients at once.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::bench::{make_query, summarize_kind, Latency, KINDS};
use super::generate::patients_for;
use super::text::{Rng, TextSource};
use crate::index::SearchQuery;

#[derive(Debug, Clone, Serialize)]
pub struct HttpBench {
    pub url: String,
    pub documents: u64,
    /// Concurrent clients.
    pub clients: usize,
    pub kinds: Vec<Latency>,
    /// `GET /api/v1/session`, interleaved with the searches.
    pub reference: Latency,
    /// Every search request of every kind together.
    pub all_searches: Latency,
}

#[derive(Debug, thiserror::Error)]
pub enum HttpBenchError {
    #[error("{0} is not an http://host:port address")]
    BadUrl(String),
    #[error("cannot reach {addr}: {source}")]
    Connect {
        addr: String,
        source: std::io::Error,
    },
    #[error("{what} answered {status}: {body}")]
    Status {
        what: String,
        status: u16,
        body: String,
    },
    #[error("malformed answer to {0}")]
    Malformed(String),
}

struct Client {
    addr: String,
    cookie: String,
}

struct Answer {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &str,
    body: &[u8],
) -> Result<Answer, HttpBenchError> {
    let connect = |source| HttpBenchError::Connect {
        addr: addr.to_string(),
        source,
    };
    let mut s = TcpStream::connect(addr).map_err(connect)?;
    s.set_read_timeout(Some(Duration::from_secs(120)))
        .map_err(connect)?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n{headers}\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).map_err(connect)?;
    s.write_all(body).map_err(connect)?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(connect)?;
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| HttpBenchError::Malformed(path.to_string()))?;
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| HttpBenchError::Malformed(path.to_string()))?;
    Ok(Answer {
        status,
        headers: head,
        body: raw[end + 4..].to_vec(),
    })
}

fn expect_ok(what: &str, a: Answer) -> Result<Answer, HttpBenchError> {
    if a.status == 200 {
        return Ok(a);
    }
    Err(HttpBenchError::Status {
        what: what.to_string(),
        status: a.status,
        body: String::from_utf8_lossy(&a.body).chars().take(300).collect(),
    })
}

impl Client {
    fn login(addr: &str, user: &str, password: &str) -> Result<Client, HttpBenchError> {
        let body = serde_json::json!({"username": user, "password": password}).to_string();
        let a = request(
            addr,
            "POST",
            "/api/v1/session",
            "Content-Type: application/json\r\n",
            body.as_bytes(),
        )?;
        let a = expect_ok("login", a)?;
        let cookie = a
            .headers
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("set-cookie")
                    .then(|| v.trim().split(';').next().unwrap_or("").to_string())
            })
            .ok_or_else(|| HttpBenchError::Malformed("login (no session cookie)".into()))?;
        Ok(Client {
            addr: addr.to_string(),
            cookie,
        })
    }

    fn get(&self, path: &str) -> Result<Answer, HttpBenchError> {
        let a = request(
            &self.addr,
            "GET",
            path,
            &format!("Cookie: {}\r\n", self.cookie),
            b"",
        )?;
        expect_ok(path.split('?').next().unwrap_or(path), a)
    }
}

/// Percent-encodes a query-string value.
fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The web UI's request for a query: 20 hits with snippets.
fn search_path(q: &SearchQuery) -> String {
    let mut p = vec!["limit=20".to_string()];
    if !q.text.is_empty() {
        p.push(format!("q={}", enc(&q.text)));
    }
    if let Some(m) = &q.mrn {
        p.push(format!("mrn={}", enc(m)));
    }
    if let Some(f) = &q.from {
        p.push(format!("from={f}"));
    }
    if let Some(t) = &q.to {
        p.push(format!("to={t}"));
    }
    if q.facets {
        p.push("facets=true".into());
    }
    if q.fuzzy {
        p.push("fuzzy=true".into());
    }
    format!("/api/v1/search?{}", p.join("&"))
}

fn total_of(body: &[u8]) -> u64 {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["total"].as_u64())
        .unwrap_or(0)
}

/// Per kind (and the reference, last): request times in ms, total hits, first example.
struct Samples {
    times: Vec<Vec<f64>>,
    hits: Vec<u64>,
    examples: Vec<String>,
}

/// One client's loop: after a warm-up, `queries` rounds of one request of each kind and one
/// reference request.
fn client_loop(
    client: &Client,
    text: &TextSource,
    patients: usize,
    queries: usize,
    seed: u64,
) -> Result<Samples, HttpBenchError> {
    let mut rng = Rng::new(seed);
    let mut s = Samples {
        times: vec![Vec::new(); KINDS.len() + 1],
        hits: vec![0; KINDS.len() + 1],
        examples: vec![String::new(); KINDS.len() + 1],
    };
    let warmup = (queries / 10).max(5);
    for round in 0..queries + warmup {
        for (k, kind) in KINDS.iter().enumerate() {
            let path = search_path(&make_query(kind, &mut rng, text, patients));
            let t = Instant::now();
            let a = client.get(&path)?;
            let ms = t.elapsed().as_secs_f64() * 1e3;
            if round >= warmup {
                s.times[k].push(ms);
                s.hits[k] += total_of(&a.body);
            }
            if s.examples[k].is_empty() {
                s.examples[k] = path;
            }
        }
        let t = Instant::now();
        client.get("/api/v1/session")?;
        let ms = t.elapsed().as_secs_f64() * 1e3;
        if round >= warmup {
            s.times[KINDS.len()].push(ms);
        }
    }
    Ok(s)
}

/// Logs in as `user`; `clients` threads each run `queries` searches of each kind after a
/// warm-up (one request at a time each, so `clients` requests are in flight); logs out.
pub fn run(
    url: &str,
    user: &str,
    password: &str,
    text: &TextSource,
    queries: usize,
    clients: usize,
    seed: u64,
) -> Result<HttpBench, HttpBenchError> {
    let addr = url
        .strip_prefix("http://")
        .map(|a| a.trim_end_matches('/'))
        .filter(|a| a.contains(':') && !a.contains('/'))
        .ok_or_else(|| HttpBenchError::BadUrl(url.to_string()))?;
    let client = Client::login(addr, user, password)?;
    // Total documents: an empty query counts them all.
    let documents = total_of(&client.get("/api/v1/search?limit=1")?.body);
    let patients = patients_for(documents as usize);
    let results: Vec<Result<Samples, HttpBenchError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients.max(1) as u64)
            .map(|i| {
                let client = &client;
                scope.spawn(move || client_loop(client, text, patients, queries, seed + i))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("benchmark client thread"))
            .collect()
    });
    let _ = request(
        addr,
        "DELETE",
        "/api/v1/session",
        &format!("Cookie: {}\r\n", client.cookie),
        b"",
    );
    let mut merged = Samples {
        times: vec![Vec::new(); KINDS.len() + 1],
        hits: vec![0; KINDS.len() + 1],
        examples: vec![String::new(); KINDS.len() + 1],
    };
    for r in results {
        let mut r = r?;
        for k in 0..=KINDS.len() {
            merged.times[k].append(&mut r.times[k]);
            merged.hits[k] += r.hits[k];
            if merged.examples[k].is_empty() {
                merged.examples[k] = std::mem::take(&mut r.examples[k]);
            }
        }
    }
    let all: Vec<f64> = merged.times[..KINDS.len()]
        .iter()
        .flatten()
        .copied()
        .collect();
    let all_hits: u64 = merged.hits[..KINDS.len()].iter().sum();
    let kinds = KINDS
        .iter()
        .enumerate()
        .map(|(k, kind)| {
            summarize_kind(
                kind,
                std::mem::take(&mut merged.examples[k]),
                std::mem::take(&mut merged.times[k]),
                merged.hits[k],
            )
        })
        .collect();
    Ok(HttpBench {
        url: url.to_string(),
        documents,
        clients: clients.max(1),
        kinds,
        reference: summarize_kind(
            "reference",
            "GET /api/v1/session".into(),
            std::mem::take(&mut merged.times[KINDS.len()]),
            0,
        ),
        all_searches: summarize_kind("all", "every search above".into(), all, all_hits),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_are_encoded() {
        assert_eq!(enc("a b\"&="), "a%20b%22%26%3D");
        let q = SearchQuery {
            text: "\"chest pain\"".into(),
            fuzzy: true,
            ..SearchQuery::default()
        };
        assert_eq!(
            search_path(&q),
            "/api/v1/search?limit=20&q=%22chest%20pain%22&fuzzy=true"
        );
    }

    #[test]
    fn a_url_without_a_port_is_refused() {
        let t = TextSource::load(None);
        let e = run("https://x", "u", "p", &t, 1, 1, 1).unwrap_err();
        assert!(matches!(e, HttpBenchError::BadUrl(_)));
    }
}
