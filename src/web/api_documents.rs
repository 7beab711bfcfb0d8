//! Search, documents, pages, originals and patients (permission `read`). Every search,
//! view and download is audited with the user; destroyed documents answer 410 Gone with
//! their certificate of destruction.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::Authed;
use super::extract::{JsonBody, PathParams, QueryParams};
use super::{ApiError, AppState};

use crate::service::search::SearchRequest;

pub async fn search(
    State(state): State<Arc<AppState>>,
    user: Authed,
    QueryParams(p): QueryParams<SearchRequest>,
) -> Result<Json<Value>, ApiError> {
    let actor = user.actor();
    // Checked before a reader is taken: a bad request waits for nothing.
    crate::service::search::query(p.clone(), crate::service::Door::Web)?;
    let results = state
        .read(move |a, _| {
            let (q, results) =
                crate::service::search::search(a, &actor, p, crate::service::Door::Web)?;
            Ok(json!({
                "total": results.total,
                "offset": q.offset,
                "limit": q.limit,
                "hits": results.hits,
                "facets": results.facets,
            }))
        })
        .await?;
    Ok(Json(results))
}

pub async fn document(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(id): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = user.actor();
    let body = state
        .read(move |a, st| {
            let v = match crate::service::documents::show(
                a,
                &st.settings.schedule,
                &actor,
                &id,
                None,
                "web",
            )? {
                crate::service::documents::Shown::Live(v) => v,
                crate::service::documents::Shown::Destroyed(t) => {
                    return Err(ApiError::gone(
                        &t.doc_id,
                        &t.certificate_id,
                        &t.destroyed_at,
                    ))
                }
            };
            let doc = &v.document;
            Ok(json!({
                "doc_id": doc.doc_id,
                "doc_type": doc.doc_type.as_str(),
                "doc_type_confidence": doc.doc_type_confidence,
                "patient": doc.patient,
                "service_date": doc.service_date,
                "source": {
                    "path": doc.source_path,
                    "scan_sha256": doc.scan_sha256,
                    "files": v.files,
                    "other_documents_in_scan": v.other_documents_in_scan,
                },
                "pages": v.pages.iter().map(|p| json!({
                    "page_no": p.page_no,
                    "width_px": p.width_px,
                    "height_px": p.height_px,
                    "ocr_confidence": p.ocr_confidence,
                    "has_image": p.image_blob.is_some(),
                })).collect::<Vec<_>>(),
                "scan_documents": v.scan_documents.iter().map(|(id, pages)| json!({
                    "doc_id": id,
                    "pages": pages,
                })).collect::<Vec<_>>(),
                "retention": v.retention,
                "review_flags": v.review_flags,
                "corrections": v.corrections,
            }))
        })
        .await?;
    Ok(Json(body))
}

pub async fn text(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(id): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = user.actor();
    state
        .read(move |a, _| {
            let doc = crate::service::documents::text(a, &actor, &id, "web")?;
            Ok(Json(json!({
                "doc_id": doc.doc_id,
                "pages": doc.pages.iter().map(|p| json!({"page_no": p.page_no, "text": p.text})).collect::<Vec<_>>(),
            })))
        })
        .await
}

#[derive(Debug, Deserialize)]
pub struct PageParams {
    #[serde(default)]
    pub q: String,
}

pub async fn page(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams((id, page)): PathParams<(String, u32)>,
    QueryParams(p): QueryParams<PageParams>,
) -> Result<Json<crate::service::pages::PageShown>, ApiError> {
    let actor = user.actor();
    state
        .read(move |a, _| {
            Ok(Json(crate::service::pages::page(
                a, &actor, &id, page, &p.q, "web",
            )?))
        })
        .await
}

fn jpeg_response(bytes: Vec<u8>) -> Response {
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=300"),
    );
    resp
}

pub async fn page_image(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams((id, page)): PathParams<(String, u32)>,
) -> Result<Response, ApiError> {
    let actor = user.actor();
    let bytes = state
        .read(move |a, _| crate::service::pages::image(a, &actor, &id, page, "web"))
        .await?;
    Ok(jpeg_response(bytes))
}

pub async fn page_thumbnail(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams((id, page)): PathParams<(String, u32)>,
) -> Result<Response, ApiError> {
    let actor = user.actor();
    let bytes = state
        .read(move |a, _| crate::service::pages::thumbnail_source(a, &actor, &id, page))
        .await?;
    let small = tokio::task::spawn_blocking(move || {
        let img = image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg)
            .map_err(|e| ApiError::internal(format!("page image unreadable: {e}")))?
            .to_luma8();
        Ok::<_, ApiError>(crate::imaging::viewer::viewer_jpeg(&img, 240, 70))
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))??;
    Ok(jpeg_response(small))
}

#[derive(Debug, Deserialize)]
pub struct OriginalParams {
    pub file: Option<u32>,
}

/// A file name safe for Content-Disposition: letters, digits, `.`, `-`, `_`.
pub fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let clean = clean.trim_start_matches('.').to_string();
    if clean.is_empty() {
        "scan".into()
    } else {
        clean
    }
}

fn content_type_of(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    match lower.rsplit('.').next().unwrap_or("") {
        "pdf" => "application/pdf",
        "tif" | "tiff" => "image/tiff",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        _ => "application/octet-stream",
    }
}

pub async fn original(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(id): PathParams<String>,
    QueryParams(p): QueryParams<OriginalParams>,
) -> Result<Response, ApiError> {
    let actor = user.actor();
    let file = state
        .read(move |a, _| {
            let n = p.file.unwrap_or(1);
            crate::service::pages::original(a, &actor, &id, n, "web")
        })
        .await?;
    let name = safe_file_name(&file.name);
    Ok(super::attachment(file.bytes, content_type_of(&name), &name))
}

pub async fn patient(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(mrn): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = user.actor();
    state
        .read(move |a, _| {
            let p = crate::service::patients::documents(a, &actor, &mrn, "web")?;
            Ok(Json(json!({
                "mrn": p.mrn,
                "name": p.name,
                "dob": p.dob,
                // Every date of birth the documents read, newest first: more than one
                // is a discrepancy for a person to check.
                "dobs": p.documents.iter().filter_map(|h| h.dob.clone()).fold(Vec::<String>::new(), |mut v, d| { if !v.contains(&d) { v.push(d); } v }),
                "total": p.total,
                "documents": p.documents.iter().map(|h| json!({
                    "doc_id": h.doc_id,
                    "doc_type": h.doc_type,
                    "service_date": h.service_date,
                    "pages": h.pages,
                })).collect::<Vec<_>>(),
            })))
        })
        .await
}

/// Patients by name and/or date of birth.
pub async fn patient_lookup(
    State(state): State<Arc<AppState>>,
    user: Authed,
    QueryParams(l): QueryParams<crate::service::patients::PatientLookup>,
) -> Result<Json<crate::service::patients::PatientMatches>, ApiError> {
    let actor = user.actor();
    state
        .read(move |a, _| {
            Ok(Json(crate::service::patients::lookup(
                a, &actor, &l, "web",
            )?))
        })
        .await
}

/// The document's own pages as one PDF (never another document of its scan).
pub async fn document_pdf(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    let actor = user.actor();
    let (id, bytes) = state
        .read(move |a, _| crate::service::documents::pdf(a, &actor, &id, "web"))
        .await?;
    Ok(super::attachment(
        bytes,
        "application/pdf",
        &format!("{id}.pdf"),
    ))
}

/// The user's saved searches.
pub async fn saved_searches(
    State(state): State<Arc<AppState>>,
    user: Authed,
) -> Result<Json<Value>, ApiError> {
    let actor = user.actor();
    state
        .read(move |a, _| {
            let list = crate::service::search::saved(a, &actor)?;
            Ok(Json(json!({"saved": list})))
        })
        .await
}

pub async fn save_search(
    State(state): State<Arc<AppState>>,
    user: Authed,
    JsonBody(s): JsonBody<crate::service::search::SaveSearch>,
) -> Result<Json<crate::service::search::SavedSearch>, ApiError> {
    let actor = user.actor();
    state
        .read(move |a, _| crate::service::search::save(a, &actor, &s).map(Json))
        .await
}

pub async fn delete_saved_search(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(id): PathParams<i64>,
) -> Result<Json<Value>, ApiError> {
    let actor = user.actor();
    state
        .read(move |a, _| {
            crate::service::search::delete_saved(a, &actor, id)?;
            Ok(Json(json!({"deleted": id})))
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_file_names_are_flattened() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("..\\..\\boot.ini"), "boot.ini");
        assert_eq!(safe_file_name("a b\"c\r\n.pdf"), "a_b_c__.pdf");
        assert_eq!(safe_file_name(".."), "scan");
        assert_eq!(safe_file_name(""), "scan");
    }
}
