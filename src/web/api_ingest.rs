//! Uploads, ingest progress and the QA queue (permission `ingest`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::api_documents::safe_file_name;
use super::auth::Authed;
use super::extract::{JsonBody, PathParams, QueryParams};
use super::ingest_queue::Origin;
use super::{ApiError, AppState};
use crate::archive::Regroup;
use crate::service::review::{DocumentFix, FixOutcome, RegroupOutcome};

#[derive(Debug, Deserialize)]
pub struct UploadParams {
    pub filename: Option<String>,
}

/// The scan formats we ingest, told by their first bytes (not by the name).
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    use crate::imaging::decode::Format;
    // The decoder's own recognition: what it accepts here is what it can read.
    Some(match crate::imaging::decode::sniff(bytes).ok()? {
        Format::Pdf => "pdf",
        Format::Tiff => "tif",
        Format::Png => "png",
        Format::Jpeg => "jpg",
        Format::Bmp => "bmp",
        Format::Gif => "gif",
        Format::WebP => "webp",
    })
}

pub async fn upload(
    State(state): State<Arc<AppState>>,
    user: Authed,
    QueryParams(p): QueryParams<UploadParams>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                crate::service::Code::PayloadTooLarge,
                format!(
                    "the upload is larger than {} MB",
                    state.settings.max_upload_bytes / (1024 * 1024)
                ),
            )
        } else {
            ApiError::bad_request(format!("cannot read the upload: {}", e.body_text()))
        }
    })?;
    let name = safe_file_name(p.filename.as_deref().unwrap_or("scan"));
    if body.is_empty() {
        return Err(ApiError::bad_request(format!(
            "{name}: the upload is empty"
        )));
    }
    let Some(kind) = sniff(&body) else {
        return Err(ApiError::new(
            crate::service::Code::UnsupportedMediaType,
            format!("{name}: not a PDF, TIFF, PNG, JPEG, BMP, GIF or WebP file"),
        ));
    };
    // The stored name keeps the sniffed type, whatever the name claimed.
    let stem = name
        .rsplit_once('.')
        .map_or(name.as_str(), |(s, _)| s)
        .to_string();
    let id = state.ingest.new_id();
    let file = format!("{id:06}-{stem}.{kind}");
    let dest = state.ingest.inbox.join(&file);
    let part = state.ingest.inbox.join(format!("{file}.part"));
    let bytes = body.len();
    let q = state.clone();
    let display = name.clone();
    tokio::task::spawn_blocking(move || -> Result<(), ApiError> {
        std::fs::write(&part, &body)
            .and_then(|_| std::fs::File::open(&part)?.sync_all())
            .and_then(|_| std::fs::rename(&part, &dest))
            .map_err(|e| ApiError::internal(format!("cannot keep the upload in the inbox: {e}")))?;
        q.ingest.enqueue_with_id(id, dest, display, Origin::Upload);
        Ok(())
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))??;
    let actor = user.actor();
    state
        .read(move |a, _| {
            crate::service::ingest::record_upload(a, &actor, &id.to_string(), bytes, kind)
        })
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"job_id": id, "file": name, "state": "queued"})),
    ))
}

pub async fn jobs(State(state): State<Arc<AppState>>) -> Result<Json<Value>, ApiError> {
    let jobs = state.ingest.views();
    let running = jobs.iter().filter(|j| j.state == "running").count();
    let queued = jobs.iter().filter(|j| j.state == "queued").count();
    Ok(Json(json!({
        "watching": state.settings.watch.as_ref().map(|w| w.display().to_string()),
        "running": running,
        "queued": queued,
        "jobs": jobs,
    })))
}

pub async fn review(
    State(state): State<Arc<AppState>>,
    user: Authed,
) -> Result<Json<Value>, ApiError> {
    let actor = user.actor();
    state
        .read(move |a, _| {
            let (total, items) = crate::service::review::queue(a, &actor, "web")?;
            Ok(Json(json!({"total": total, "items": items})))
        })
        .await
}

pub async fn fix_document(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(id): PathParams<String>,
    JsonBody(fix): JsonBody<DocumentFix>,
) -> Result<Json<FixOutcome>, ApiError> {
    let actor = user.actor();
    state
        .write(move |a, st| {
            crate::service::review::fix(a, &st.settings.schedule, &actor, &id, &fix).map(Json)
        })
        .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitBody {
    pub page: u32,
}

pub async fn split_document(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(id): PathParams<String>,
    JsonBody(body): JsonBody<SplitBody>,
) -> Result<Json<RegroupOutcome>, ApiError> {
    regroup(state, user, id, Regroup::SplitAt(body.page)).await
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    /// The document of the same scan the page goes to.
    pub to: String,
}

/// QA fix: a page belongs to another document of its scan.
pub async fn move_page(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams((id, page)): PathParams<(String, u32)>,
    JsonBody(body): JsonBody<MoveBody>,
) -> Result<Json<RegroupOutcome>, ApiError> {
    regroup(state, user, id, Regroup::MovePage { page, to: body.to }).await
}

pub async fn merge_document(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(id): PathParams<String>,
) -> Result<Json<RegroupOutcome>, ApiError> {
    regroup(state, user, id, Regroup::MergeIntoPrevious).await
}

async fn regroup(
    state: Arc<AppState>,
    user: Authed,
    id: String,
    how: Regroup,
) -> Result<Json<RegroupOutcome>, ApiError> {
    let actor = user.actor();
    state
        .write(move |a, st| {
            let s = &st.settings;
            crate::service::review::regroup(a, &s.config, &s.schedule, &actor, &id, how).map(Json)
        })
        .await
}

/// Turns a page and reads it again: read on a reader handle (the OCR run holds no writer),
/// stored by the writer.
pub async fn turn_page(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams((id, page)): PathParams<(String, u32)>,
    JsonBody(body): JsonBody<crate::service::pages::TurnPage>,
) -> Result<Json<crate::service::pages::TurnedPage>, ApiError> {
    let actor = user.actor();
    let reader_actor = actor.clone();
    let reading = state
        .read(move |a, st| {
            let s = &st.settings;
            crate::service::pages::read_turn(
                a,
                &s.config,
                &s.schedule,
                &reader_actor,
                &id,
                page,
                &body,
            )
        })
        .await?;
    state
        .write(move |a, st| {
            crate::service::pages::store_turn(a, &st.settings.schedule, &actor, &reading).map(Json)
        })
        .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn sniffs_scan_formats() {
        assert_eq!(super::sniff(b"%PDF-1.4 ..."), Some("pdf"));
        assert_eq!(super::sniff(b"II*\0...."), Some("tif"));
        assert_eq!(super::sniff(b"\x89PNG\r\n\x1a\n.."), Some("png"));
        assert_eq!(super::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("jpg"));
        assert_eq!(super::sniff(b"<html>"), None);
        assert_eq!(super::sniff(b""), None);
    }
}
