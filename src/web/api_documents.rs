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
use super::routes::{PathParams, QueryParams};
use super::{ApiError, AppState};
use crate::access::Permission;
use crate::archive::Archive;
use crate::index::{SearchQuery, SortOrder};
use crate::model::OcrWord;
use crate::store::sha256_hex;

pub const MAX_LIMIT: usize = 100;
pub const MAX_OFFSET: usize = 10_000;

#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    pub q: String,
    pub mrn: Option<String>,
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub year: Option<i32>,
    pub retention_status: Option<String>,
    pub eligible_before: Option<String>,
    #[serde(default)]
    pub fuzzy: bool,
    #[serde(default)]
    pub facets: bool,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
    pub sort: Option<String>,
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

pub fn search_query(p: SearchParams) -> Result<SearchQuery, ApiError> {
    if p.q.len() > 2000 {
        return Err(ApiError::new(
            "invalid_query",
            "the query is longer than 2000 characters",
        ));
    }
    let doc_type = non_empty(p.doc_type);
    if let Some(t) = &doc_type {
        if crate::model::DocType::parse(t).is_none() {
            return Err(ApiError::bad_request(format!(
                "unknown document type {t:?}"
            )));
        }
    }
    let status = non_empty(p.retention_status);
    if let Some(s) = &status {
        if crate::retention::RetentionStatus::parse(s).is_none() {
            return Err(ApiError::bad_request(format!(
                "unknown retention status {s:?}"
            )));
        }
    }
    let sort = match non_empty(p.sort) {
        None => SortOrder::Relevance,
        Some(s) => SortOrder::parse(&s).ok_or_else(|| {
            ApiError::bad_request(format!("unknown sort {s:?} (relevance, newest, oldest)"))
        })?,
    };
    let (mut from, mut to) = (non_empty(p.from), non_empty(p.to));
    for d in [&from, &to, &p.eligible_before].into_iter().flatten() {
        crate::index::date_key(d).map_err(|e| ApiError::bad_request(e.to_string()))?;
    }
    if let Some(y) = p.year {
        if !(1800..=2200).contains(&y) {
            return Err(ApiError::bad_request(format!("year {y} is out of range")));
        }
        from = Some(format!("{y}-01-01"));
        to = Some(format!("{y}-12-31"));
    }
    let limit = p.limit.unwrap_or(20);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::bad_request(format!(
            "limit must be 1 to {MAX_LIMIT}"
        )));
    }
    let offset = p.offset.unwrap_or(0);
    if offset > MAX_OFFSET {
        return Err(ApiError::bad_request(format!(
            "offset must be at most {MAX_OFFSET}"
        )));
    }
    Ok(SearchQuery {
        text: p.q,
        mrn: non_empty(p.mrn),
        doc_type,
        from,
        to,
        limit,
        offset,
        retention_status: status,
        eligible_before: non_empty(p.eligible_before),
        fuzzy: p.fuzzy,
        facets: p.facets,
        sort,
    })
}

pub async fn search(
    State(state): State<Arc<AppState>>,
    user: Authed,
    QueryParams(p): QueryParams<SearchParams>,
) -> Result<Json<Value>, ApiError> {
    user.require(Permission::Read)?;
    let q = search_query(p)?;
    let results = state
        .read(move |a, _| {
            a.search_ready()?;
            let results = a.index.search(&q)?;
            let ids: Vec<&str> = results.hits.iter().map(|h| h.doc_id.as_str()).collect();
            // The query may name a patient: the audit log keeps its hash and the ids shown.
            a.catalog.audit(
                &user.username,
                "search",
                &sha256_hex(format!("{q:?}").as_bytes())[..16],
                json!({"total": results.total, "returned": ids, "via": "web"}),
            )?;
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

/// A document that is still kept: 410 Gone (with the certificate) for a destroyed one,
/// whose catalog row remains as an emptied shell, and 404 for an unknown id.
pub(super) fn live_document(
    a: &Archive,
    id: &str,
) -> Result<crate::model::DocumentRecord, ApiError> {
    if let Some(t) = a.catalog.tombstone(id)? {
        return Err(ApiError::gone(
            &t.doc_id,
            &t.certificate_id,
            &t.destroyed_at,
        ));
    }
    a.catalog
        .document(id)?
        .ok_or_else(|| ApiError::not_found(format!("no document with id {id}")))
}

pub async fn document(
    State(state): State<Arc<AppState>>,
    user: Authed,
    PathParams(id): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    user.require(Permission::Read)?;
    let body = state
        .read(move |a, st| {
            let doc = live_document(a, &id)?;
            let today = crate::clock::today();
            let decision = a
                .decisions(&st.settings.schedule, today, Some(std::slice::from_ref(&doc.doc_id)))?
                .pop()
                .map(|(_, d)| d);
            let views = a.catalog.page_views(&doc.doc_id)?;
            let flags = a.catalog.review_flags(&doc.doc_id)?.unwrap_or_default();
            let corrections: Vec<Value> = a
                .catalog
                .corrections(&doc.doc_id)?
                .into_iter()
                .map(|(field, old, new, by, at)| json!({"field": field, "old": old, "new": new, "user": by, "at": at}))
                .collect();
            let files = a.catalog.scan_file_rows(&doc.scan_sha256)?;
            let others = a.catalog.documents_in_scan(&doc.scan_sha256)?.saturating_sub(1);
            a.catalog
                .audit(&user.username, "view", &doc.doc_id, json!({"via": "web"}))?;
            Ok(json!({
                "doc_id": doc.doc_id,
                "doc_type": doc.doc_type.as_str(),
                "doc_type_confidence": doc.doc_type_confidence,
                "patient": doc.patient,
                "service_date": doc.service_date,
                "source": {
                    "path": doc.source_path,
                    "scan_sha256": doc.scan_sha256,
                    "files": files.len(),
                    "other_documents_in_scan": others,
                },
                "pages": views.iter().map(|p| json!({
                    "page_no": p.page_no,
                    "width_px": p.width_px,
                    "height_px": p.height_px,
                    "ocr_confidence": p.ocr_confidence,
                    "has_image": p.image_blob.is_some(),
                })).collect::<Vec<_>>(),
                "retention": decision,
                "review_flags": flags,
                "corrections": corrections,
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
    user.require(Permission::Read)?;
    state
        .read(move |a, _| {
            let doc = live_document(a, &id)?;
            a.catalog
                .audit(&user.username, "view_text", &doc.doc_id, json!({"via": "web"}))?;
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
    user.require(Permission::Read)?;
    state
        .read(move |a, _| {
            let v = page_view(a, &id, page)?;
            let words: Vec<OcrWord> = match &v.words_blob {
                Some(b) => serde_json::from_slice(&a.store.get(b)?).unwrap_or_default(),
                None => vec![],
            };
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
    user.require(Permission::Read)?;
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
    user: Authed,
    PathParams((id, page)): PathParams<(String, u32)>,
) -> Result<Response, ApiError> {
    user.require(Permission::Read)?;
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
    user.require(Permission::Read)?;
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
    user.require(Permission::Read)?;
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

    #[test]
    fn search_parameters_are_checked() {
        let bad = |p: SearchParams| search_query(p).unwrap_err().code;
        assert_eq!(
            bad(SearchParams {
                limit: Some(1000),
                ..Default::default()
            }),
            "bad_request"
        );
        assert_eq!(
            bad(SearchParams {
                from: Some("2020-13-01".into()),
                ..Default::default()
            }),
            "bad_request"
        );
        assert_eq!(
            bad(SearchParams {
                doc_type: Some("x".into()),
                ..Default::default()
            }),
            "bad_request"
        );
        assert_eq!(
            bad(SearchParams {
                sort: Some("x".into()),
                ..Default::default()
            }),
            "bad_request"
        );
        let q = search_query(SearchParams {
            year: Some(2019),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(q.from.as_deref(), Some("2019-01-01"));
        assert_eq!(q.to.as_deref(), Some("2019-12-31"));
    }
}
