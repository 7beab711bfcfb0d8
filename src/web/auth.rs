//! Logins, sessions and the permission check of every route.
//!
//! A login sets an HttpOnly, SameSite=Strict session cookie and returns the session's
//! CSRF token; every request that changes something must echo it in `X-CSRF-Token`.
//! Scripts may ask for a bearer token instead (`"bearer": true`), sent as
//! `Authorization: Bearer ...` (no cookie, so no CSRF check). The catalog keeps only
//! SHA-256 hashes of session tokens. Five failed logins for a user name lock it for
//! fifteen minutes. Logins, failures and logouts are audited.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::{ApiError, AppState};
use crate::access::{password, Permission, Role};
use crate::store::sha256_hex;

pub const COOKIE: &str = "cv_session";
const MAX_FAILURES: u32 = 5;
const LOCKOUT: Duration = Duration::from_secs(15 * 60);

/// The logged-in user of a request.
#[derive(Debug, Clone)]
pub struct Authed {
    pub username: String,
    pub role: Role,
    pub csrf: String,
}

impl Authed {
    pub fn require(&self, p: Permission) -> Result<(), ApiError> {
        if self.role.can(p) {
            Ok(())
        } else {
            Err(ApiError::new(
                "forbidden",
                format!(
                    "your role ({}) does not allow this (needs permission {})",
                    self.role.as_str(),
                    p.as_str()
                ),
            ))
        }
    }
}

fn random_token() -> String {
    use rand_core::RngCore;
    let mut b = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut b);
    hex::encode(b)
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
                    return Err(ApiError::new("unauthenticated", "log in first"));
                }
            },
        };
        let hash = sha256_hex(token.as_bytes());
        let session = state
            .read(move |a, _| Ok(a.catalog.session(&hash)?))
            .await?
            .ok_or_else(|| ApiError::new("unauthenticated", "the session expired: log in again"))?;
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
                    "csrf_failed",
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

/// Failed logins per user name.
#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginThrottle {
    fn locked(&self, user: &str) -> bool {
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.get(user)
            .is_some_and(|(n, at)| *n >= MAX_FAILURES && at.elapsed() < LOCKOUT)
    }

    fn failed(&self, user: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let e = map.entry(user.to_string()).or_insert((0, Instant::now()));
        if e.1.elapsed() >= LOCKOUT {
            *e = (0, Instant::now());
        }
        e.0 += 1;
        e.1 = Instant::now();
    }

    fn succeeded(&self, user: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(user);
    }
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
    body: super::routes::JsonBody<LoginBody>,
) -> Result<Response, ApiError> {
    let body = body.0;
    if body.username.is_empty() || body.username.len() > 64 {
        return Err(ApiError::new("login_failed", "wrong user name or password"));
    }
    if state.logins.locked(&body.username) {
        return Err(ApiError::new(
            "too_many_attempts",
            "too many failed logins for this user; try again in 15 minutes",
        ));
    }
    let hours = state.settings.session_hours;
    let outcome = state
        .read(move |a, st| {
            let user = a.catalog.user(&body.username)?;
            let ok = match &user {
                Some(u) if u.disabled_at.is_none() => {
                    password::verify(&body.password, &u.password_hash)
                }
                _ => {
                    password::verify_dummy(&body.password);
                    false
                }
            };
            let Some(user) = user.filter(|_| ok) else {
                st.logins.failed(&body.username);
                a.catalog.audit(
                    &body.username,
                    "login_failed",
                    &body.username,
                    serde_json::json!({}),
                )?;
                return Ok(None);
            };
            st.logins.succeeded(&user.username);
            let token = random_token();
            let csrf = random_token();
            let expires = chrono::Utc::now() + chrono::Duration::hours(hours);
            a.catalog.create_session(
                &sha256_hex(token.as_bytes()),
                &user.username,
                &csrf,
                &expires.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            )?;
            a.catalog.audit(
                &user.username,
                "login",
                &user.username,
                serde_json::json!({"bearer": body.bearer}),
            )?;
            Ok(Some((user, token, csrf, body.bearer)))
        })
        .await?;
    let Some((user, token, csrf, bearer)) = outcome else {
        return Err(ApiError::new("login_failed", "wrong user name or password"));
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
        "{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}",
        hours * 3600
    );
    let mut resp = Json(body).into_response();
    if !bearer {
        if let Ok(v) = cookie.parse() {
            resp.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    Ok(resp)
}

pub async fn me(user: Authed) -> Json<serde_json::Value> {
    Json(me_json(&user))
}

pub async fn logout(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    user: Authed,
) -> Result<Response, ApiError> {
    let token = bearer_token(&headers).or_else(|| cookie_token(&headers));
    state
        .read(move |a, _| {
            if let Some(t) = token {
                a.catalog.end_session(&sha256_hex(t.as_bytes()))?;
            }
            a.catalog.audit(
                &user.username,
                "logout",
                &user.username,
                serde_json::json!({}),
            )?;
            Ok(())
        })
        .await?;
    let mut resp = Json(serde_json::json!({"logged_out": true})).into_response();
    if let Ok(v) = format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0").parse() {
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
    fn throttle_locks_after_five_failures() {
        let t = LoginThrottle::default();
        for _ in 0..4 {
            t.failed("u");
        }
        assert!(!t.locked("u"));
        t.failed("u");
        assert!(t.locked("u"));
        t.succeeded("u");
        assert!(!t.locked("u"));
    }
}
