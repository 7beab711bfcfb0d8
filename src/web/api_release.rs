//! Release of information and the accounting of disclosures (permission `release`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderValue;
use axum::response::Response;
use axum::Json;
use serde_json::{json, Value};

use super::auth::Authed;
use super::extract::{JsonBody, PathParams};
use super::{ApiError, AppState};

use crate::service::releases::ReleaseRequest;

pub async fn create(
    State(state): State<Arc<AppState>>,
    user: Authed,
    JsonBody(req): JsonBody<ReleaseRequest>,
) -> Result<Response, ApiError> {
    let actor = user.actor();
    let r = state
        .read(move |a, st| {
            crate::service::releases::release(a, &st.settings.schedule.facility, &actor, &req)
        })
        .await?;
    let id = r.disclosure_id;
    let mut resp = super::attachment(r.pdf, "application/pdf", &format!("{id}.pdf"));
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-disclosure-id", v);
    }
    Ok(resp)
}

pub async fn show(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(id): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = user.actor();
    state
        .read(move |a, _| {
            let d = crate::service::releases::disclosure(a, &actor, &id)?;
            Ok(Json(serde_json::to_value(d).unwrap_or_default()))
        })
        .await
}

pub async fn accounting(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(mrn): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = user.actor();
    state
        .read(move |a, _| {
            let (mrn, list) = crate::service::releases::accounting(a, &actor, &mrn)?;
            Ok(Json(json!({
                "mrn": mrn,
                "generated_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "disclosures": list,
            })))
        })
        .await
}

/// A past release's PDF again (built anew and checked against its recorded hash).
pub async fn download(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    let actor = user.actor();
    let r = state
        .read(move |a, _| crate::service::releases::reproduce(a, &actor, &id))
        .await?;
    Ok(super::attachment(
        r.pdf,
        "application/pdf",
        &format!("{}.pdf", r.disclosure_id),
    ))
}
