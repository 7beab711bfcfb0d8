//! How requests reach `serve`: plain HTTP on a trusted network, HTTPS in this process
//! (rustls: `--tls-cert`, `--tls-key`), or HTTP behind a TLS-terminating proxy named with
//! `--trusted-proxy`. Decides whether cookies are `Secure` and HSTS is sent, and which
//! address a request comes from (login throttling is per address).

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::http::HeaderMap;

/// The certificate chain and private key files (PEM) `serve` speaks HTTPS with.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// What `serve` was told about the connection between the browser and itself.
#[derive(Debug, Clone, Default)]
pub struct Transport {
    /// HTTPS in this process.
    pub tls: Option<TlsFiles>,
    /// Reverse proxies (by address) that terminate HTTPS in front of `serve`: requests from
    /// them are taken as HTTPS and their client address is the last `X-Forwarded-For` entry.
    pub trusted_proxies: Vec<IpAddr>,
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {what} {}: {source}", path.display())]
    Read {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{what} {} holds no {expected} in PEM form", path.display())]
    Empty {
        what: &'static str,
        path: PathBuf,
        expected: &'static str,
    },
    #[error("{what} {} is not valid PEM: {detail}", path.display())]
    Pem {
        what: &'static str,
        path: PathBuf,
        detail: String,
    },
    #[error("the TLS certificate {} and key {} do not make a usable pair: {detail}", cert.display(), key.display())]
    Config {
        cert: PathBuf,
        key: PathBuf,
        detail: String,
    },
}

impl Transport {
    /// Whether browsers are meant to reach `serve` over HTTPS only (HTTPS here, or a TLS
    /// proxy in front).
    pub fn https(&self) -> bool {
        self.tls.is_some() || !self.trusted_proxies.is_empty()
    }

    /// Whether this request came over HTTPS: always with TLS here; behind a proxy, when
    /// it came from the proxy (a direct plain-HTTP client gets no `Secure` cookie, which
    /// its browser would drop, and no HSTS).
    pub fn request_is_https(&self, peer: Option<SocketAddr>) -> bool {
        self.tls.is_some() || self.is_proxy(peer)
    }

    fn is_proxy(&self, peer: Option<SocketAddr>) -> bool {
        peer.is_some_and(|p| self.trusted_proxies.contains(&p.ip().to_canonical()))
    }

    /// The address a request comes from: the peer, or for a trusted proxy the address it
    /// appended to `X-Forwarded-For` (the last entry; earlier ones are the client's word).
    /// An IPv4 peer on a dual-stack socket (`::ffff:a.b.c.d`) is that IPv4 address, and an
    /// entry with a port (`a.b.c.d:p`, `[v6]:p`) is its address.
    pub fn client_ip(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> IpAddr {
        let peer_ip = peer
            .map(|p| p.ip().to_canonical())
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        if !self.is_proxy(peer) {
            return peer_ip;
        }
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .and_then(|s| forwarded_ip(s.trim()))
            .unwrap_or(peer_ip)
    }

    /// The rustls server configuration, when `serve` speaks HTTPS itself. Checked before
    /// the archive is opened, so a wrong file is reported at once.
    pub fn server_config(&self) -> Result<Option<Arc<rustls::ServerConfig>>, TlsError> {
        let Some(files) = &self.tls else {
            return Ok(None);
        };
        server_config(files).map(Some)
    }
}

/// An `X-Forwarded-For` entry's address, with or without a port.
fn forwarded_ip(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

fn read(what: &'static str, path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        what,
        path: path.to_path_buf(),
        source,
    })
}

fn server_config(files: &TlsFiles) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let cert_pem = read("TLS certificate", &files.cert)?;
    let certs = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Pem {
            what: "TLS certificate",
            path: files.cert.clone(),
            detail: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(TlsError::Empty {
            what: "TLS certificate",
            path: files.cert.clone(),
            expected: "certificate",
        });
    }
    let key_pem = read("TLS key", &files.key)?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| match e {
        rustls::pki_types::pem::Error::NoItemsFound => TlsError::Empty {
            what: "TLS key",
            path: files.key.clone(),
            expected: "private key",
        },
        e => TlsError::Pem {
            what: "TLS key",
            path: files.key.clone(),
            detail: e.to_string(),
        },
    })?;
    let config_error = |detail: String| TlsError::Config {
        cert: files.cert.clone(),
        key: files.key.clone(),
        detail,
    };
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| config_error(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| config_error(e.to_string()))?;
    // The service speaks HTTP/1.1 (as without TLS).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn forwarded_addresses_count_only_from_a_trusted_proxy() {
        let proxy: SocketAddr = "10.0.0.5:40000".parse().unwrap();
        let stranger: SocketAddr = "192.0.2.7:40000".parse().unwrap();
        let t = Transport {
            tls: None,
            trusted_proxies: vec!["10.0.0.5".parse().unwrap()],
        };
        // The proxy appends the address it saw; what the client wrote before it is ignored.
        let h = headers(&["203.0.113.9, 198.51.100.4"]);
        assert_eq!(
            t.client_ip(Some(proxy), &h),
            "198.51.100.4".parse::<IpAddr>().unwrap()
        );
        let h = headers(&["203.0.113.9", "198.51.100.4"]);
        assert_eq!(
            t.client_ip(Some(proxy), &h),
            "198.51.100.4".parse::<IpAddr>().unwrap()
        );
        // Anyone else's header is their own word: the peer address stands.
        assert_eq!(t.client_ip(Some(stranger), &h), stranger.ip());
        // A proxy that sent no usable header: its own address.
        assert_eq!(t.client_ip(Some(proxy), &headers(&["junk"])), proxy.ip());
        // Entries with ports; the proxy seen through a dual-stack socket.
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            t.client_ip(Some(proxy), &headers(&["198.51.100.4:5555"])),
            ip("198.51.100.4")
        );
        assert_eq!(
            t.client_ip(Some(proxy), &headers(&["[2001:db8::7]:443"])),
            ip("2001:db8::7")
        );
        let mapped: SocketAddr = "[::ffff:10.0.0.5]:40000".parse().unwrap();
        assert_eq!(
            t.client_ip(Some(mapped), &headers(&["198.51.100.4"])),
            ip("198.51.100.4")
        );
        assert!(t.request_is_https(Some(mapped)));
        // A direct client beside the proxy is plain HTTP.
        assert!(!t.request_is_https(Some(stranger)));
        assert!(t.https());
        assert!(!Transport::default().https());
    }

    #[test]
    fn wrong_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let cert = dir.path().join("cert.pem");
        let key = dir.path().join("key.pem");
        let t = Transport {
            tls: Some(TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
            }),
            trusted_proxies: vec![],
        };
        let e = t.server_config().unwrap_err().to_string();
        assert!(e.contains("cert.pem"), "{e}");
        std::fs::write(&cert, "not a certificate\n").unwrap();
        let e = t.server_config().unwrap_err().to_string();
        assert!(e.contains("holds no certificate"), "{e}");
    }
}
