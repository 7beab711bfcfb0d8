//! HTTPS in `chartvault serve` (rustls), Secure cookies and HSTS whenever browsers reach the
//! service over HTTPS, and the client address behind a trusted TLS proxy. Against a real
//! server on a port, with a real TLS client that trusts only the test's own certificate.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use common::server::{add_user, http, parse, Resp, Server};

const PW: &str = "correct-horse-battery";

/// A self-signed certificate for `localhost`: (cert file, key file, cert PEM).
fn certificate(dir: &Path, name: &str) -> (PathBuf, PathBuf, String) {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert = dir.join(format!("{name}.crt"));
    let key = dir.join(format!("{name}.key"));
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
    (cert, key, ck.cert.pem())
}

fn client_config(trusted_pem: Option<&str>) -> Arc<rustls::ClientConfig> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    if let Some(pem) = trusted_pem {
        for c in rustls::pki_types::CertificateDer::pem_slice_iter(pem.as_bytes()) {
            roots.add(c.unwrap()).unwrap();
        }
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

/// One HTTPS/1.1 request to `addr` as `localhost`, trusting only `trusted_pem`.
fn https(
    addr: &str,
    trusted_pem: Option<&str>,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Resp> {
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let conn = rustls::ClientConnection::new(client_config(trusted_pem), name).unwrap();
    let sock = TcpStream::connect(addr)?;
    sock.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut tls = rustls::StreamOwned::new(conn, sock);
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    tls.write_all(req.as_bytes())?;
    tls.write_all(body)?;
    tls.flush()?;
    let mut raw = Vec::new();
    match tls.read_to_end(&mut raw) {
        Ok(_) => {}
        // A server that closes without close_notify after a complete response.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !raw.is_empty() => {}
        Err(e) => return Err(e),
    }
    Ok(parse(&raw))
}

fn login_body(user: &str, password: &str) -> Vec<u8> {
    serde_json::json!({"username": user, "password": password})
        .to_string()
        .into_bytes()
}

#[test]
fn serve_speaks_https_with_secure_cookies_and_hsts() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let (cert, key, pem) = certificate(dir.path(), "server");
    // The archive is created on first use: add the user first.
    add_user(&archive, "clerk1", "clerk", PW);
    let server = Server::start(
        &archive,
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );

    let health = https(&server.addr, Some(&pem), "GET", "/api/v1/health", &[], b"").unwrap();
    assert_eq!(health.status, 200, "{}", health.text());
    let hsts = health
        .header("strict-transport-security")
        .expect("HSTS over HTTPS");
    assert!(hsts.contains("max-age="), "{hsts}");

    let login = https(
        &server.addr,
        Some(&pem),
        "POST",
        "/api/v1/session",
        &[("Content-Type", "application/json")],
        &login_body("clerk1", PW),
    )
    .unwrap();
    assert_eq!(login.status, 200, "{}", login.text());
    let set_cookie = login.header("set-cookie").expect("a session cookie");
    assert!(set_cookie.contains("; Secure"), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let me = https(
        &server.addr,
        Some(&pem),
        "GET",
        "/api/v1/session",
        &[("Cookie", &cookie)],
        b"",
    )
    .unwrap();
    assert_eq!(me.status, 200, "{}", me.text());
    assert_eq!(me.json()["username"], "clerk1");

    // A client that does not trust the certificate gets no answer.
    assert!(
        https(&server.addr, None, "GET", "/api/v1/health", &[], b"").is_err(),
        "a client without the certificate completed a handshake"
    );
    // Plain HTTP on the HTTPS port: no HTTP answer, nothing in clear text.
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    assert!(
        !raw.starts_with(b"HTTP/1."),
        "plain HTTP answered on the HTTPS port: {:?}",
        String::from_utf8_lossy(&raw)
    );
}

#[test]
fn plain_http_sends_no_secure_flag_and_no_hsts() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    add_user(&archive, "clerk1", "clerk", PW);
    let server = Server::start(&archive, &[]);
    let health = server.request("GET", "/api/v1/health", &[], b"");
    assert_eq!(health.status, 200);
    assert!(health.header("strict-transport-security").is_none());
    let login = server.request(
        "POST",
        "/api/v1/session",
        &[("Content-Type", "application/json")],
        &login_body("clerk1", PW),
    );
    assert_eq!(login.status, 200, "{}", login.text());
    let set_cookie = login.header("set-cookie").unwrap();
    // A Secure cookie would never come back over plain HTTP: login would not hold.
    assert!(!set_cookie.contains("Secure"), "{set_cookie}");
}

fn login_from(server: &Server, forwarded_for: &str, password: &str) -> Resp {
    server.request(
        "POST",
        "/api/v1/session",
        &[
            ("Content-Type", "application/json"),
            ("X-Forwarded-For", forwarded_for),
        ],
        &login_body("admin", password),
    )
}

#[test]
fn behind_a_trusted_proxy_each_client_has_its_own_login_delays() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    add_user(&archive, "admin", "admin", PW);
    let server = Server::start(&archive, &["--trusted-proxy", "127.0.0.1"]);
    // Someone behind the proxy guesses until delays start...
    for _ in 0..3 {
        assert_eq!(login_from(&server, "203.0.113.1", "wrong").status, 401);
    }
    let r = login_from(&server, "203.0.113.1", PW);
    assert_eq!(r.status, 429, "{}", r.text());
    // ...and the administrator, behind the same proxy, still logs in.
    let r = login_from(&server, "203.0.113.2", PW);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.header("set-cookie").unwrap().contains("; Secure"));
    assert!(r.header("strict-transport-security").is_some());
    // What a client writes before the proxy's own entry is not believed.
    let r = login_from(&server, "203.0.113.2, 203.0.113.1", PW);
    assert_eq!(r.status, 429, "{}", r.text());
}

#[test]
fn beside_a_trusted_proxy_a_direct_plain_http_client_is_not_told_https() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    add_user(&archive, "admin", "admin", PW);
    // The proxy is elsewhere; this client reaches the port directly over plain HTTP: a
    // Secure cookie would never come back, so login would silently not hold.
    let server = Server::start(&archive, &["--trusted-proxy", "192.0.2.44"]);
    let r = login_from(&server, "203.0.113.1", PW);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(!r.header("set-cookie").unwrap().contains("Secure"));
    assert!(r.header("strict-transport-security").is_none());
}

#[test]
fn without_a_trusted_proxy_a_forwarded_header_is_not_believed() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    add_user(&archive, "admin", "admin", PW);
    let server = Server::start(&archive, &[]);
    for _ in 0..3 {
        assert_eq!(login_from(&server, "203.0.113.1", "wrong").status, 401);
    }
    // Claiming another address does not escape the delay.
    let r = login_from(&server, "203.0.113.2", PW);
    assert_eq!(r.status, 429, "{}", r.text());
    assert!(http(&server.addr, "GET", "/api/v1/health", &[], b"")
        .header("strict-transport-security")
        .is_none());
}

#[test]
fn serve_names_a_certificate_or_key_it_cannot_use() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let (cert, _key, _) = certificate(dir.path(), "one");
    let (_cert2, key2, _) = certificate(dir.path(), "two");
    let missing = dir.path().join("missing.key");
    let serve = |cert: &Path, key: &Path| {
        common::run(
            &archive,
            &[
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--no-sweep",
                "--tls-cert",
                cert.to_str().unwrap(),
                "--tls-key",
                key.to_str().unwrap(),
            ],
        )
    };
    let out = serve(&cert, &missing);
    assert!(!out.status.success());
    let err = common::stderr(&out);
    assert!(err.contains("missing.key"), "{err}");

    // A key that is not the certificate's.
    let out = serve(&cert, &key2);
    assert!(!out.status.success());
    let err = common::stderr(&out);
    assert!(err.contains("do not make a usable pair"), "{err}");

    // One of the pair alone is refused by the command line.
    let out = common::run(
        &archive,
        &["serve", "--no-sweep", "--tls-cert", cert.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(common::stderr(&out).contains("--tls-key"));
}
