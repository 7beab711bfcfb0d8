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
use crate::purge;

#[derive(Debug, Deserialize)]
pub struct AsOf {
    pub as_of: Option<NaiveDate>,
}

pub async fn report(
    State(state): State<Arc<AppState>>,
    user: Authed,
    QueryParams(p): QueryParams<AsOf>,
) -> Result<Json<crate::archive::RetentionReport>, ApiError> {
    let actor = user.actor();
    state
        .read(move |a, st| {
            crate::service::retention::report(a, &st.settings.schedule, &actor, p.as_of).map(Json)
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

/// One hold with the documents it covers (audited as `view_hold`).
pub async fn hold(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(id): PathParams<String>,
) -> Result<Json<crate::service::holds::HoldView>, ApiError> {
    let actor = user.actor();
    state
        .read(move |a, st| {
            crate::service::holds::show(a, &st.settings.schedule, &actor, &id, "web").map(Json)
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
        .read(move |a, _| {
            crate::service::purge::job(a, &actor, &id, true, crate::service::Door::Web).map(Json)
        })
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
                if let Ok(csp) = HeaderValue::from_str(&purge::certificate::style_csp()) {
                    resp.headers_mut()
                        .insert(header::CONTENT_SECURITY_POLICY, csp);
                }
                Ok(resp)
            } else {
                Ok(Json(v).into_response())
            }
        })
        .await
}

pub async fn audit(
    State(state): State<Arc<AppState>>,
    user: Authed,
    QueryParams(q): QueryParams<crate::service::audit::AuditQuery>,
) -> Result<Json<crate::service::audit::AuditPage>, ApiError> {
    let actor = user.actor();
    state
        .read(move |a, _| {
            let page = crate::service::audit::entries(a, &actor, &q, crate::service::Door::Web)?;
            Ok(Json(page))
        })
        .await
}

/// The same entries as [`audit`], as a CSV file to download (the export is audited).
pub async fn audit_export(
    State(state): State<Arc<AppState>>,
    user: Authed,
    QueryParams(q): QueryParams<crate::service::audit::AuditQuery>,
) -> Result<Response, ApiError> {
    let actor = user.actor();
    state
        .read(move |a, _| {
            let page = crate::service::audit::export(a, &actor, &q, crate::service::Door::Web)?;
            Ok(super::attachment(
                crate::service::audit::csv(&page).into_bytes(),
                "text/csv; charset=utf-8",
                "audit-log.csv",
            ))
        })
        .await
}

pub async fn users(
    State(state): State<Arc<AppState>>,
    user: Authed,
) -> Result<Json<Value>, ApiError> {
    let actor = user.actor();
    state
        .read(move |a, _| {
            let list = crate::service::users::list(a, &actor)?;
            Ok(Json(json!({"users": list})))
        })
        .await
}

pub async fn add_user(
    State(state): State<Arc<AppState>>,
    user: Authed,
    JsonBody(n): JsonBody<crate::service::users::NewUser>,
) -> Result<Json<crate::service::users::AddedUser>, ApiError> {
    let actor = user.actor();
    // A reader handle: the user table is the catalog's, not the index writer's; hashing a
    // password takes a moment and must not hold the writer.
    state
        .read(move |a, _| crate::service::users::add(a, &actor, &n).map(Json))
        .await
}

/// Clears the login delays on a user (after someone else's failed attempts, say).
pub async fn unlock_user(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(name): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    let cleared = state.logins.unlock(&name);
    let actor = user.actor();
    state
        .read(move |a, _| {
            crate::service::users::unlocked(a, &actor, &name, cleared)?;
            Ok(Json(json!({"username": name, "sources_cleared": cleared})))
        })
        .await
}

/// Gives a user another role.
pub async fn set_user_role(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(name): PathParams<String>,
    JsonBody(c): JsonBody<crate::service::users::RoleChange>,
) -> Result<Json<Value>, ApiError> {
    let actor = user.actor();
    state
        .read(move |a, _| {
            let role = crate::service::users::set_role(a, &actor, &name, &c.role)?;
            Ok(Json(json!({"username": name, "role": role})))
        })
        .await
}

/// Sets a user's password (an administrator's reset).
pub async fn reset_user_password(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(name): PathParams<String>,
    JsonBody(c): JsonBody<crate::service::users::PasswordReset>,
) -> Result<Json<Value>, ApiError> {
    let actor = user.actor();
    state
        .read(move |a, _| {
            crate::service::users::reset_password(a, &actor, &name, &c.password)?;
            Ok(Json(json!({"username": name, "password": "reset"})))
        })
        .await
}

pub async fn disable_user(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(name): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = user.actor();
    state
        .read(move |a, _| {
            crate::service::users::disable(a, &actor, &name)?;
            Ok(Json(json!({"username": name, "disabled": true})))
        })
        .await
}

pub async fn enable_user(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(name): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = user.actor();
    state
        .read(move |a, _| {
            crate::service::users::enable(a, &actor, &name)?;
            Ok(Json(json!({"username": name, "disabled": false})))
        })
        .await
}
