//! Logins, sessions and the permission check of every route.
//!
//! A login sets an HttpOnly, SameSite=Strict session cookie and returns the session's
//! CSRF token; every request that changes something must echo it in `X-CSRF-Token`.
//! Scripts may ask for a bearer token instead (`"bearer": true`), sent as
//! `Authorization: Bearer ...` (no cookie, so no CSRF check). The catalog keeps only
//! SHA-256 hashes of session tokens. Failed logins slow down further attempts for that user
//! name from that address (growing delays, see [`LoginThrottle`]); an administrator can
//! clear them. Logins, failures, unlocks and logouts are audited.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::{ApiError, AppState};
use crate::access::{Permission, Role};

pub const COOKIE: &str = "cv_session";

/// The logged-in user of a request.
#[derive(Debug, Clone)]
pub struct Authed {
    pub username: String,
    pub role: Role,
    pub csrf: String,
}

impl Authed {
    pub fn require(&self, p: Permission) -> Result<(), ApiError> {
        self.actor().require(p)
    }

    /// The user as the service layer sees them.
    pub fn actor(&self) -> crate::service::Actor {
        crate::service::Actor::user(&self.username, self.role)
    }
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

fn bearer_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
}

impl FromRequestParts<Arc<AppState>> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        // Already checked by the router's `authorize` layer.
        if let Some(user) = parts.extensions.get::<Authed>() {
            return Ok(user.clone());
        }
        let (token, by_cookie) = match bearer_token(&parts.headers) {
            Some(t) => (t, false),
            None => match cookie_token(&parts.headers) {
                Some(t) => (t, true),
                None => {
                    return Err(ApiError::new(
                        crate::service::Code::Unauthenticated,
                        "log in first",
                    ));
                }
            },
        };
        let session = state
            .read(move |a, _| crate::service::sessions::session(a, &token))
            .await?
            .ok_or_else(|| {
                ApiError::new(
                    crate::service::Code::Unauthenticated,
                    "the session expired: log in again",
                )
            })?;
        let role = Role::parse(&session.role)
            .ok_or_else(|| ApiError::internal(format!("user has unknown role {}", session.role)))?;
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if by_cookie && !safe {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !constant_time_eq(sent.as_bytes(), session.csrf.as_bytes()) {
                return Err(ApiError::new(
                    crate::service::Code::CsrfFailed,
                    "missing or wrong X-CSRF-Token header (reload the page)",
                ));
            }
        }
        Ok(Authed {
            username: session.username,
            role,
            csrf: session.csrf,
        })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Failed logins per (source address, user name), with delays that grow with each
/// failure: after [`FREE_FAILURES`] failures the next attempt from that address waits 2 s,
/// then 4 s, 8 s ... up to [`MAX_DELAY`]. Someone else's failures from another address never
/// lock a user out (the old per-name lock let anyone lock the admin out for good); an
/// administrator can clear a user's delays (`POST /api/v1/users/{name}/unlock`).
#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<(IpAddr, String), (u32, Instant)>>,
}

impl LoginThrottle {
    /// How long `ip` must still wait before trying `user` again, if at all.
    fn wait(&self, ip: IpAddr, user: &str) -> Option<Duration> {
        let ip = source(ip);
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let (n, at) = map.get(&(ip, user.to_string()))?;
        let delay = delay_after(*n)?;
        delay.checked_sub(at.elapsed())
    }

    fn failed(&self, ip: IpAddr, user: &str) {
        let ip = source(ip);
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        // Forget stale entries so the map cannot grow without bound.
        if map.len() > 10_000 {
            map.retain(|_, (_, at)| at.elapsed() < MAX_DELAY);
        }
        let e = map
            .entry((ip, user.to_string()))
            .or_insert((0, Instant::now()));
        if e.1.elapsed() >= MAX_DELAY {
            *e = (0, Instant::now());
        }
        e.0 += 1;
        e.1 = Instant::now();
    }

    fn succeeded(&self, ip: IpAddr, user: &str) {
        let ip = source(ip);
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&(ip, user.to_string()));
    }

    /// Clears every delay on `user` (an administrator's unlock). Returns how many sources
    /// were waiting.
    pub fn unlock(&self, user: &str) -> usize {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let before = map.len();
        map.retain(|(_, u), _| u != user);
        before - map.len()
    }
}

/// The source a failed login counts against: the address, or for IPv6 its /64 network
/// (one host is usually given a whole /64, so single addresses would give a guesser
/// millions of fresh starts). An IPv4 address mapped into IPv6 counts as itself.
fn source(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// Failures allowed before delays start.
const FREE_FAILURES: u32 = 3;
/// The longest delay between attempts.
const MAX_DELAY: Duration = Duration::from_secs(15 * 60);

fn delay_after(failures: u32) -> Option<Duration> {
    if failures < FREE_FAILURES {
        return None;
    }
    let exp = (failures - FREE_FAILURES + 1).min(20);
    Some(Duration::from_secs(1u64 << exp).min(MAX_DELAY))
}

#[derive(Debug, Deserialize)]
pub struct LoginBody {
    pub username: String,
    pub password: String,
    /// Return a bearer token for scripts instead of relying on the cookie.
    #[serde(default)]
    pub bearer: bool,
}

fn me_json(a: &Authed) -> serde_json::Value {
    serde_json::json!({
        "username": a.username,
        "role": a.role.as_str(),
        "permissions": a.role.permissions(),
        "csrf": a.csrf,
    })
}

pub async fn login(
    State(state): State<Arc<AppState>>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    body: super::extract::JsonBody<LoginBody>,
) -> Result<Response, ApiError> {
    let body = body.0;
    if body.username.is_empty() || body.username.len() > 64 {
        return Err(ApiError::new(
            crate::service::Code::LoginFailed,
            "wrong user name or password",
        ));
    }
    let peer = peer.map(|c| c.0 .0);
    let ip: IpAddr = state.settings.transport.client_ip(peer, &headers);
    if let Some(wait) = state.logins.wait(ip, &body.username) {
        return Err(ApiError::new(
            crate::service::Code::TooManyAttempts,
            format!(
                "too many failed logins for this user from your address; try again in {} s \
                 (an administrator can unlock the account)",
                wait.as_secs().max(1)
            ),
        ));
    }
    let hours = state.settings.session_hours;
    let bearer = body.bearer;
    let outcome = state
        .read(move |a, st| {
            // Counted as failed until it succeeds: an error on the way (the audit entry
            // cannot be written) never gives a guesser a free attempt.
            st.logins.failed(ip, &body.username);
            let r = crate::service::sessions::login(
                a,
                &body.username,
                &body.password,
                hours,
                body.bearer,
            )?;
            if let Some(l) = &r {
                st.logins.succeeded(ip, &l.user.username);
            }
            Ok(r.map(|l| (l.user, l.token, l.csrf)))
        })
        .await?;
    let Some((user, token, csrf)) = outcome else {
        return Err(ApiError::new(
            crate::service::Code::LoginFailed,
            "wrong user name or password",
        ));
    };
    let role = Role::parse(&user.role).unwrap_or(Role::Viewer);
    let authed = Authed {
        username: user.username,
        role,
        csrf,
    };
    let mut body = me_json(&authed);
    if bearer {
        body["token"] = serde_json::Value::String(token.clone());
    }
    let cookie = format!(
        "{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
        hours * 3600,
        secure_attribute(&state, peer)
    );
    let mut resp = Json(body).into_response();
    if !bearer {
        if let Ok(v) = cookie.parse() {
            resp.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    Ok(resp)
}

/// `; Secure` when browsers reach the service over HTTPS: the cookie then never travels in
/// clear text.
fn secure_attribute(state: &AppState, peer: Option<std::net::SocketAddr>) -> &'static str {
    if state.settings.transport.request_is_https(peer) {
        "; Secure"
    } else {
        ""
    }
}

pub async fn me(user: Authed) -> Json<serde_json::Value> {
    Json(me_json(&user))
}

pub async fn logout(
    State(state): State<Arc<AppState>>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    user: Authed,
) -> Result<Response, ApiError> {
    let token = bearer_token(&headers).or_else(|| cookie_token(&headers));
    state
        .read(move |a, _| crate::service::sessions::logout(a, &user.username, token.as_deref()))
        .await?;
    let mut resp = Json(serde_json::json!({"logged_out": true})).into_response();
    let secure = secure_attribute(&state, peer.map(|c| c.0 .0));
    if let Ok(v) =
        format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{secure}").parse()
    {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; cv_session=abc; b=2".parse().unwrap());
        assert_eq!(cookie_token(&h).as_deref(), Some("abc"));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn delays_grow_per_address_and_an_unlock_clears_them() {
        let t = LoginThrottle::default();
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..FREE_FAILURES - 1 {
            t.failed(a, "admin");
        }
        assert!(t.wait(a, "admin").is_none(), "a few mistakes cost nothing");
        t.failed(a, "admin");
        let first = t.wait(a, "admin").expect("a delay");
        t.failed(a, "admin");
        let second = t.wait(a, "admin").expect("a longer delay");
        assert!(second > first, "{second:?} > {first:?}");
        // Another address is not held up by them.
        assert!(t.wait(b, "admin").is_none());
        assert_eq!(t.unlock("admin"), 1);
        assert!(t.wait(a, "admin").is_none());
        t.failed(a, "admin");
        t.succeeded(a, "admin");
        assert!(t.wait(a, "admin").is_none());
        assert_eq!(delay_after(1000), Some(MAX_DELAY));
    }

    #[test]
    fn an_ipv6_network_counts_as_one_source() {
        let t = LoginThrottle::default();
        // A guesser walking the addresses of its /64 meets the same delay.
        for i in 0..FREE_FAILURES {
            let ip: IpAddr = format!("2001:db8:1:2::{:x}", i + 1).parse().unwrap();
            t.failed(ip, "admin");
        }
        let next: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert!(t.wait(next, "admin").is_some());
        // Another network is not held up.
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(t.wait(other, "admin").is_none());
        // An IPv4 client seen through an IPv6 socket is that IPv4 address.
        let v4: IpAddr = "192.0.2.9".parse().unwrap();
        t.failed(v4, "root");
        t.failed(v4, "root");
        t.failed(v4, "root");
        let mapped: IpAddr = "::ffff:192.0.2.9".parse().unwrap();
        assert!(t.wait(mapped, "root").is_some());
    }
}
