//! The retention desk (report, holds, purge jobs, certificates), the audit log and users.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::Authed;
use super::extract::{JsonBody, PathParams, QueryParams};
use super::{ApiError, AppState};
use crate::access::{password, valid_username, Role};
use crate::purge;

fn today() -> NaiveDate {
    crate::clock::today()
}

#[derive(Debug, Deserialize)]
pub struct AsOf {
    pub as_of: Option<NaiveDate>,
}

pub async fn report(
    State(state): State<Arc<AppState>>,
    QueryParams(p): QueryParams<AsOf>,
) -> Result<Json<Value>, ApiError> {
    state
        .read(move |a, st| {
            let r = a.retention_report(&st.settings.schedule, p.as_of.unwrap_or_else(today))?;
            Ok(Json(serde_json::to_value(r).unwrap_or_default()))
        })
        .await
}

#[derive(Debug, Deserialize)]
pub struct HoldList {
    #[serde(default)]
    pub all: bool,
}

pub async fn holds(
    State(state): State<Arc<AppState>>,
    user: Authed,
    QueryParams(p): QueryParams<HoldList>,
) -> Result<Json<Value>, ApiError> {
    let actor = user.actor();
    state
        .read(move |a, st| {
            let list = crate::service::holds::list(a, &st.settings.schedule, &actor, p.all, "web")?;
            Ok(Json(json!({"holds": list})))
        })
        .await
}

pub async fn place_hold(
    State(state): State<Arc<AppState>>,
    user: Authed,
    JsonBody(h): JsonBody<crate::service::holds::PlaceHold>,
) -> Result<Json<crate::service::holds::PlacedHold>, ApiError> {
    let actor = user.actor();
    state
        .write(move |a, st| {
            crate::service::holds::place(a, &st.settings.schedule, &actor, &h).map(Json)
        })
        .await
}

#[derive(Debug, Deserialize)]
pub struct ReleaseHold {
    pub reason: String,
}

pub async fn release_hold(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(id): PathParams<String>,
    JsonBody(r): JsonBody<ReleaseHold>,
) -> Result<Json<Value>, ApiError> {
    let actor = user.actor();
    state
        .write(move |a, st| {
            crate::service::holds::release(a, &st.settings.schedule, &actor, &id, &r.reason)?;
            Ok(Json(json!({"hold_id": id, "released_by": actor.name})))
        })
        .await
}

pub async fn purge_jobs(
    State(state): State<Arc<AppState>>,
    user: Authed,
) -> Result<Json<Value>, ApiError> {
    let actor = user.actor();
    state
        .read(move |a, _| {
            let jobs = crate::service::purge::jobs(a, &actor)?;
            Ok(Json(json!({"jobs": jobs})))
        })
        .await
}

pub async fn plan(
    State(state): State<Arc<AppState>>,
    user: Authed,
    JsonBody(p): JsonBody<crate::service::purge::PlanRequest>,
) -> Result<Json<crate::service::purge::Planned>, ApiError> {
    let actor = user.actor();
    state
        .write(move |a, st| {
            crate::service::purge::plan(a, &st.settings.schedule, &actor, &p, "web").map(Json)
        })
        .await
}

pub async fn purge_job(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(id): PathParams<String>,
) -> Result<Json<crate::service::purge::JobDetail>, ApiError> {
    let actor = user.actor();
    state
        .read(move |a, _| crate::service::purge::job(a, &actor, &id, true, "web").map(Json))
        .await
}

pub async fn approve(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(id): PathParams<String>,
) -> Result<Json<crate::service::purge::Approved>, ApiError> {
    let actor = user.actor();
    state
        .write(move |a, st| {
            crate::service::purge::approve(a, &st.settings.schedule, &actor, &id, "web").map(Json)
        })
        .await
}

pub async fn execute(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(id): PathParams<String>,
) -> Result<Json<crate::service::purge::Executed>, ApiError> {
    let actor = user.actor();
    state
        .write(move |a, st| {
            crate::service::purge::execute(a, &st.settings.schedule, &actor, &id, "web").map(Json)
        })
        .await
}

pub async fn cancel(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(id): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = user.actor();
    state
        .write(move |a, _| {
            crate::service::purge::cancel(a, &actor, &id, "web")?;
            Ok(Json(json!({"job_id": id, "state": "cancelled"})))
        })
        .await
}

#[derive(Debug, Deserialize)]
pub struct CertificateFormat {
    pub format: Option<String>,
}

pub async fn certificate(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(id): PathParams<String>,
    QueryParams(f): QueryParams<CertificateFormat>,
) -> Result<Response, ApiError> {
    let html = match f.format.as_deref() {
        None | Some("json") => false,
        Some("html") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "unknown format {other:?} (json, html)"
            )))
        }
    };
    let actor = user.actor();
    state
        .read(move |a, _| {
            let v = crate::service::purge::certificate(a, &actor, &id)?;
            if html {
                let mut resp = purge::certificate::html(&v).into_response();
                resp.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                );
                Ok(resp)
            } else {
                Ok(Json(v).into_response())
            }
        })
        .await
}

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    pub limit: Option<usize>,
    pub user: Option<String>,
    pub action: Option<String>,
}

pub async fn audit(
    State(state): State<Arc<AppState>>,
    QueryParams(q): QueryParams<AuditQuery>,
) -> Result<Json<Value>, ApiError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    state
        .read(move |a, _| {
            // Filters look back over the latest 20,000 entries.
            let window = if q.user.is_some() || q.action.is_some() { 20_000 } else { limit };
            let mut entries: Vec<_> = a
                .catalog
                .audit_entries(Some(window))?
                .into_iter()
                .filter(|e| q.user.as_ref().is_none_or(|u| &e.user == u))
                .filter(|e| q.action.as_ref().is_none_or(|x| &e.action == x))
                .collect();
            let skip = entries.len().saturating_sub(limit);
            entries.drain(..skip);
            let list: Vec<Value> = entries
                .into_iter()
                .map(|e| {
                    json!({
                        "seq": e.seq, "at": e.at, "user": e.user, "action": e.action,
                        "subject": e.subject,
                        "detail": serde_json::from_str::<Value>(&e.detail).unwrap_or(Value::String(e.detail.clone())),
                        "hash": e.hash,
                    })
                })
                .collect();
            Ok(Json(json!({"entries": list})))
        })
        .await
}

pub async fn users(State(state): State<Arc<AppState>>) -> Result<Json<Value>, ApiError> {
    state
        .read(move |a, _| {
            let list: Vec<Value> = a
                .catalog
                .users()?
                .into_iter()
                .map(|u| json!({"username": u.username, "role": u.role, "created_at": u.created_at, "created_by": u.created_by, "disabled_at": u.disabled_at}))
                .collect();
            Ok(Json(json!({"users": list})))
        })
        .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub role: String,
    pub password: String,
}

pub async fn add_user(
    State(state): State<Arc<AppState>>,
    user: Authed,
    JsonBody(n): JsonBody<NewUser>,
) -> Result<Json<Value>, ApiError> {
    if !valid_username(&n.username) {
        return Err(ApiError::bad_request(
            "a user name is 1 to 64 letters, digits, '.', '_' or '-', and not a name the \
             system uses (scheduler, system)",
        ));
    }
    let role = Role::parse(&n.role).ok_or_else(|| {
        ApiError::bad_request(format!(
            "unknown role {:?} (viewer, clerk, retention_officer, approver, admin)",
            n.role
        ))
    })?;
    let hash = tokio::task::spawn_blocking(move || password::hash(&n.password))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let username = n.username;
    state
        .read(move |a, _| {
            let created = a
                .catalog
                .put_user(&username, role.as_str(), &hash, &user.username)?;
            Ok(Json(
                json!({"username": username, "role": role.as_str(), "created": created}),
            ))
        })
        .await
}

/// Clears the login delays on a user (after someone else's failed attempts, say).
pub async fn unlock_user(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(name): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    let cleared = state.logins.unlock(&name);
    state
        .read(move |a, _| {
            if a.catalog.user(&name)?.is_none() {
                return Err(ApiError::not_found(format!("no user {name}")));
            }
            a.catalog.audit(
                &user.username,
                "user_unlock",
                &name,
                json!({"sources_cleared": cleared}),
            )?;
            Ok(Json(json!({"username": name, "sources_cleared": cleared})))
        })
        .await
}
