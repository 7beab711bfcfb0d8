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
use super::extract::{PathParams, QueryParams};
use super::{ApiError, AppState};
use crate::archive::Archive;
use crate::index::{SearchQuery, SortOrder};
use crate::model::OcrWord;
use crate::service::live_document;
use crate::service::search::SearchRequest;
use crate::store::sha256_hex;

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

/// Query terms as the index analyzes them (field filters and operators left out).
fn hit_terms(a: &Archive, q: &str) -> std::collections::HashSet<String> {
    let words: Vec<&str> = q
        .split_whitespace()
        .filter(|w| !w.contains(':') && !w.starts_with('-'))
        .filter(|w| !matches!(*w, "OR" | "AND" | "NOT"))
        .collect();
    a.index.analyze(&words.join(" ")).into_iter().collect()
}

fn page_view(a: &Archive, id: &str, page: u32) -> Result<crate::catalog::PageView, ApiError> {
    live_document(a, id)?;
    a.catalog
        .page_views(id)?
        .into_iter()
        .find(|p| p.page_no == page)
        .ok_or_else(|| ApiError::not_found(format!("document {id} has no page {page}")))
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
) -> Result<Json<Value>, ApiError> {
    state
        .read(move |a, _| {
            let v = page_view(a, &id, page)?;
            let words: Vec<OcrWord> =
                crate::service::page_words(a, &id, page, v.words_blob.as_deref())?;
            let terms = hit_terms(a, &p.q);
            let hits: Vec<usize> = if terms.is_empty() {
                vec![]
            } else {
                words
                    .iter()
                    .enumerate()
                    .filter(|(_, w)| a.index.analyze(&w.text).iter().any(|t| terms.contains(t)))
                    .map(|(i, _)| i)
                    .collect()
            };
            a.catalog.audit(
                &user.username,
                "view_page",
                &id,
                json!({"page": page, "via": "web"}),
            )?;
            Ok(Json(json!({
                "doc_id": id,
                "page_no": v.page_no,
                "width_px": v.width_px,
                "height_px": v.height_px,
                "dpi": v.dpi,
                "ocr_confidence": v.ocr_confidence,
                "text": v.text,
                "words": words,
                "hits": hits,
            })))
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

fn page_jpeg(a: &Archive, id: &str, page: u32) -> Result<Vec<u8>, ApiError> {
    let v = page_view(a, id, page)?;
    let blob = v
        .image_blob
        .ok_or_else(|| ApiError::not_found(format!("page {page} of {id} has no image")))?;
    Ok(a.store.get(&blob)?)
}

pub async fn page_image(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams((id, page)): PathParams<(String, u32)>,
) -> Result<Response, ApiError> {
    state
        .read(move |a, _| {
            let bytes = page_jpeg(a, &id, page)?;
            a.catalog.audit(
                &user.username,
                "view_image",
                &id,
                json!({"page": page, "via": "web"}),
            )?;
            Ok(jpeg_response(bytes))
        })
        .await
}

pub async fn page_thumbnail(
    State(state): State<Arc<AppState>>,
    PathParams((id, page)): PathParams<(String, u32)>,
) -> Result<Response, ApiError> {
    let bytes = state.read(move |a, _| page_jpeg(a, &id, page)).await?;
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
    state
        .read(move |a, _| {
            let doc = live_document(a, &id)?;
            let files = a.catalog.scan_files(&doc.scan_sha256)?;
            let n = p.file.unwrap_or(1);
            let (name, blob) = files
                .get((n as usize).wrapping_sub(1))
                .cloned()
                .ok_or_else(|| {
                    ApiError::not_found(format!(
                        "the scan of {id} has {} files, not {n}",
                        files.len()
                    ))
                })?;
            if !a.store.contains(&blob) {
                return Err(ApiError::not_found(format!(
                    "the original file of {id} is no longer kept (redacted or destroyed)"
                )));
            }
            let bytes = a.store.get(&blob)?;
            a.catalog.audit(
                &user.username,
                "download",
                &doc.doc_id,
                json!({"file": n, "sha256": sha256_hex(&bytes), "via": "web"}),
            )?;
            let name = safe_file_name(&name);
            let mut resp = bytes.into_response();
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type_of(&name)),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            Ok(resp)
        })
        .await
}

pub async fn patient(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(mrn): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    let mrn = mrn.trim().to_string();
    if mrn.is_empty() || mrn.len() > 40 {
        return Err(ApiError::bad_request("an MRN is 1 to 40 characters"));
    }
    state
        .read(move |a, _| {
            let q = SearchQuery {
                mrn: Some(mrn.clone()),
                limit: 1000,
                sort: SortOrder::Newest,
                ..SearchQuery::default()
            };
            a.search_ready()?;
            let results = a.index.search(&q)?;
            let tag = a.keys.mrn_tag(&mrn);
            a.catalog.audit(
                &user.username,
                "view_patient",
                &format!("mrn:{}", &tag[..16.min(tag.len())]),
                json!({"documents": results.total, "via": "web"}),
            )?;
            let name = results.hits.iter().find_map(|h| h.patient_name.clone());
            Ok(Json(json!({
                "mrn": mrn,
                "name": name,
                "total": results.total,
                "documents": results.hits.iter().map(|h| json!({
                    "doc_id": h.doc_id,
                    "doc_type": h.doc_type,
                    "service_date": h.service_date,
                    "pages": h.pages,
                })).collect::<Vec<_>>(),
            })))
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
