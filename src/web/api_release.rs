//! Release of information and the accounting of disclosures (permission `release`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::Authed;
use super::extract::{JsonBody, PathParams};
use super::{ApiError, AppState};
use crate::catalog::DisclosedDocument;
use crate::model::OcrWord;
use crate::release::{build_pdf, CoverSheet, ReleasePage};
use crate::store::sha256_hex;

pub const MAX_DOCUMENTS: usize = 200;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseRequest {
    pub doc_ids: Vec<String>,
    pub recipient: String,
    pub purpose: String,
}

fn required(name: &str, v: &str) -> Result<String, ApiError> {
    crate::model::text::free_text(name, v, crate::model::text::MAX_FIELD_CHARS)
        .map_err(|e| ApiError::bad_request(e.to_string()))
}

pub async fn create(
    State(state): State<Arc<AppState>>,
    user: Authed,
    JsonBody(req): JsonBody<ReleaseRequest>,
) -> Result<Response, ApiError> {
    let recipient = required("recipient", &req.recipient)?;
    let purpose = required("purpose", &req.purpose)?;
    let mut ids = req.doc_ids;
    ids.dedup();
    if ids.is_empty() || ids.len() > MAX_DOCUMENTS {
        return Err(ApiError::bad_request(format!(
            "select 1 to {MAX_DOCUMENTS} documents to release"
        )));
    }
    let (id, pdf) = state
        .read(move |a, st| {
            let mut pages = Vec::new();
            let mut docs = Vec::new();
            for doc_id in &ids {
                let doc = crate::service::live_document(a, doc_id)?;
                for v in a.catalog.page_views(doc_id)? {
                    let Some(image) = &v.image_blob else { continue };
                    let words: Vec<OcrWord> =
                        crate::service::page_words(a, doc_id, v.page_no, v.words_blob.as_deref())?;
                    pages.push(ReleasePage {
                        jpeg: a.store.get(image)?,
                        width_px: v.width_px,
                        height_px: v.height_px,
                        dpi: v.dpi,
                        words,
                    });
                }
                docs.push((
                    DisclosedDocument {
                        doc_id: doc.doc_id.clone(),
                        doc_type: doc.doc_type.as_str().to_string(),
                        service_date: doc.service_date.clone(),
                    },
                    doc.patient.mrn.clone(),
                ));
            }
            let now = chrono::Utc::now();
            let id = format!(
                "ROI-{}-{}",
                now.format("%Y%m%d"),
                &sha256_hex(format!("{}{:?}{}", now.to_rfc3339(), ids, user.username).as_bytes())
                    [..8]
            );
            let cover = CoverSheet {
                disclosure_id: id.clone(),
                recipient: recipient.clone(),
                purpose: purpose.clone(),
                released_by: user.username.clone(),
                released_at: now.format("%Y-%m-%d %H:%M UTC").to_string(),
                facility: st.settings.schedule.facility.clone(),
                documents: docs.len(),
                pages: pages.len(),
            };
            let pdf = build_pdf(&cover, &pages)
                .map_err(|e| ApiError::internal(format!("cannot build the release PDF: {e}")))?;
            a.catalog.record_disclosure(
                &id,
                &user.username,
                &recipient,
                &purpose,
                pages.len() as u32,
                &sha256_hex(&pdf),
                &docs,
            )?;
            Ok((id, pdf))
        })
        .await?;
    let mut resp = pdf.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{id}.pdf\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        h.insert("x-disclosure-id", v);
    }
    Ok(resp)
}

pub async fn show(
    State(state): State<Arc<AppState>>,
    PathParams(id): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    state
        .read(move |a, _| {
            let d = a
                .catalog
                .disclosure(&id)?
                .ok_or_else(|| ApiError::not_found(format!("no disclosure {id}")))?;
            Ok(Json(serde_json::to_value(d).unwrap_or_default()))
        })
        .await
}

pub async fn accounting(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(mrn): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    state
        .read(move |a, _| {
            let list = a.catalog.disclosures_for_mrn(mrn.trim())?;
            let tag = a.keys.mrn_tag(mrn.trim());
            a.catalog.audit(
                &user.username,
                "accounting",
                &format!("mrn:{}", &tag[..16.min(tag.len())]),
                json!({"disclosures": list.len()}),
            )?;
            Ok(Json(json!({
                "mrn": mrn.trim(),
                "generated_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "disclosures": list,
            })))
        })
        .await
}
