//! Every route of the service in one table ([`ROUTES`]): method, path, who may call it,
//! what it does. The router below registers the handlers; the OpenAPI document
//! (`schemas/openapi.json`, served at `/api/v1/openapi.json`) is generated from the table,
//! and the role-matrix test walks it.

use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;

use super::{api_documents as docs, api_ingest as ingest, api_release as release};
use super::{api_retention as retention, auth, ui, ApiError, AppState};
use crate::access::Permission;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    /// Any logged-in user.
    Session,
    Needs(Permission),
}

pub struct RouteDoc {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    pub summary: &'static str,
    /// Query parameters.
    pub query: &'static [&'static str],
    /// What a successful call answers with (JSON unless named).
    pub returns: &'static str,
}

const fn r(
    method: &'static str,
    path: &'static str,
    access: Access,
    summary: &'static str,
    query: &'static [&'static str],
    returns: &'static str,
) -> RouteDoc {
    RouteDoc {
        method,
        path,
        access,
        summary,
        query,
        returns,
    }
}

use Access::{Needs, Public, Session};
use Permission::*;

const JSON: &str = "application/json";

pub const ROUTES: &[RouteDoc] = &[
    r("GET", "/api/v1/health", Public, "Service is up", &[], JSON),
    r("GET", "/api/v1/openapi.json", Public, "This API's OpenAPI document", &[], JSON),
    r("POST", "/api/v1/session", Public, "Log in: {username, password, bearer?}; sets the session cookie, returns the CSRF token", &[], JSON),
    r("GET", "/api/v1/session", Session, "The logged-in user, role, permissions and CSRF token", &[], JSON),
    r("DELETE", "/api/v1/session", Session, "Log out", &[], JSON),
    r("GET", "/api/v1/document-types", Session, "Document types the archive knows: [{value, label}] (the UI's lists come from here)", &[], JSON),
    r("GET", "/api/v1/search", Needs(Read), "Full-text search with filters, facets, highlighted snippets, paging and sort", &["q", "mrn", "type", "from", "to", "year", "retention_status", "eligible_before", "fuzzy", "facets", "limit", "offset", "sort"], JSON),
    r("GET", "/api/v1/documents/{id}", Needs(Read), "A document's metadata, pages, retention and review state (410 when destroyed)", &[], JSON),
    r("PATCH", "/api/v1/documents/{id}", Needs(Ingest), "QA fix: {doc_type?, patient?: {mrn?, name?, dob?}, confirm?}", &[], JSON),
    r("POST", "/api/v1/documents/{id}/split", Needs(Ingest), "QA fix of a split: {page} (its number in the scan) starts a new document; answers both documents", &[], JSON),
    r("POST", "/api/v1/documents/{id}/merge-previous", Needs(Ingest), "QA fix of a split: the document joins the one before it in its scan", &[], JSON),
    r("GET", "/api/v1/documents/{id}/text", Needs(Read), "The document's OCR text, page by page", &[], JSON),
    r("GET", "/api/v1/documents/{id}/pages/{page}", Needs(Read), "One page: size, text, word boxes, and which words are hits of q", &["q"], JSON),
    r("GET", "/api/v1/documents/{id}/pages/{page}/image", Needs(Read), "The page image", &[], "image/jpeg"),
    r("GET", "/api/v1/documents/{id}/pages/{page}/thumbnail", Needs(Read), "A small page image", &[], "image/jpeg"),
    r("GET", "/api/v1/documents/{id}/original", Needs(Read), "The original scan file (file = 1.. for folder batches)", &["file"], "application/octet-stream"),
    r("GET", "/api/v1/patients/{mrn}/documents", Needs(Read), "Every document of a patient, newest first", &[], JSON),
    r("GET", "/api/v1/patients/{mrn}/disclosures", Needs(Release), "Accounting of disclosures for a patient (HIPAA 164.528)", &[], JSON),
    r("POST", "/api/v1/releases", Needs(Release), "Release of information: {doc_ids, recipient, purpose} -> one searchable PDF, recorded as a disclosure", &[], "application/pdf"),
    r("GET", "/api/v1/releases/{id}", Needs(Release), "A recorded disclosure", &[], JSON),
    r("POST", "/api/v1/ingest", Needs(Ingest), "Upload one scan (raw body: PDF, TIFF, PNG or JPEG) to be ingested", &["filename"], JSON),
    r("GET", "/api/v1/ingest/jobs", Needs(Ingest), "Ingest jobs (uploads and the watched folder) with progress", &[], JSON),
    r("GET", "/api/v1/review", Needs(Ingest), "QA queue: unclassified, low OCR confidence, uncertain split, patient conflicts", &[], JSON),
    r("GET", "/api/v1/retention/report", Needs(RetentionRead), "Retention status report", &["as_of"], JSON),
    r("GET", "/api/v1/holds", Needs(RetentionRead), "Legal holds (active unless all=true)", &["all"], JSON),
    r("POST", "/api/v1/holds", Needs(Hold), "Place a hold: {matter, reason, scope: {kind: mrn|document|query|class, ...}}", &[], JSON),
    r("POST", "/api/v1/holds/{id}/release", Needs(Hold), "Release a hold: {reason}", &[], JSON),
    r("GET", "/api/v1/purge-jobs", Needs(RetentionRead), "Purge jobs", &[], JSON),
    r("POST", "/api/v1/purge-jobs", Needs(Purge), "Plan a purge (dry run): {as_of?, approvals?}", &[], JSON),
    r("GET", "/api/v1/purge-jobs/{id}", Needs(RetentionRead), "A purge job with approvals and its documents for review", &[], JSON),
    r("POST", "/api/v1/purge-jobs/{id}/approve", Needs(Approve), "Approve a planned job (never one's own)", &[], JSON),
    r("POST", "/api/v1/purge-jobs/{id}/execute", Needs(Purge), "Execute an approved job: destroy, verify, certify", &[], JSON),
    r("POST", "/api/v1/purge-jobs/{id}/cancel", Needs(Purge), "Cancel a job before execution", &[], JSON),
    r("GET", "/api/v1/certificates/{id}", Needs(RetentionRead), "A certificate of destruction (format=html for the printable page)", &["format"], JSON),
    r("GET", "/api/v1/audit", Needs(Audit), "Audit log entries, newest last", &["limit", "user", "action"], JSON),
    r("GET", "/api/v1/users", Needs(Admin), "Users and roles", &[], JSON),
    r("POST", "/api/v1/users", Needs(Admin), "Add or update a user: {username, role, password}", &[], JSON),
    r("POST", "/api/v1/users/{id}/unlock", Needs(Admin), "Clear the login delays failed attempts put on a user (every address)", &[], JSON),
];

pub fn router(state: Arc<AppState>) -> Router {
    let upload_limit = state.settings.max_upload_bytes;
    let api = Router::new()
        .route("/api/v1/health", get(health))
        .route("/api/v1/openapi.json", get(openapi_handler))
        .route(
            "/api/v1/session",
            post(auth::login).get(auth::me).delete(auth::logout),
        )
        .route("/api/v1/document-types", get(document_types))
        .route("/api/v1/search", get(docs::search))
        .route(
            "/api/v1/documents/{id}",
            get(docs::document).patch(ingest::fix_document),
        )
        .route("/api/v1/documents/{id}/split", post(ingest::split_document))
        .route(
            "/api/v1/documents/{id}/merge-previous",
            post(ingest::merge_document),
        )
        .route("/api/v1/documents/{id}/text", get(docs::text))
        .route("/api/v1/documents/{id}/pages/{page}", get(docs::page))
        .route(
            "/api/v1/documents/{id}/pages/{page}/image",
            get(docs::page_image),
        )
        .route(
            "/api/v1/documents/{id}/pages/{page}/thumbnail",
            get(docs::page_thumbnail),
        )
        .route("/api/v1/documents/{id}/original", get(docs::original))
        .route("/api/v1/patients/{mrn}/documents", get(docs::patient))
        .route(
            "/api/v1/patients/{mrn}/disclosures",
            get(release::accounting),
        )
        .route("/api/v1/releases", post(release::create))
        .route("/api/v1/releases/{id}", get(release::show))
        .route(
            "/api/v1/ingest",
            post(ingest::upload).layer(axum::extract::DefaultBodyLimit::max(upload_limit)),
        )
        .route("/api/v1/ingest/jobs", get(ingest::jobs))
        .route("/api/v1/review", get(ingest::review))
        .route("/api/v1/retention/report", get(retention::report))
        .route(
            "/api/v1/holds",
            get(retention::holds).post(retention::place_hold),
        )
        .route("/api/v1/holds/{id}/release", post(retention::release_hold))
        .route(
            "/api/v1/purge-jobs",
            get(retention::purge_jobs).post(retention::plan),
        )
        .route("/api/v1/purge-jobs/{id}", get(retention::purge_job))
        .route("/api/v1/purge-jobs/{id}/approve", post(retention::approve))
        .route("/api/v1/purge-jobs/{id}/execute", post(retention::execute))
        .route("/api/v1/purge-jobs/{id}/cancel", post(retention::cancel))
        .route("/api/v1/certificates/{id}", get(retention::certificate))
        .route("/api/v1/audit", get(retention::audit))
        .route(
            "/api/v1/users",
            get(retention::users).post(retention::add_user),
        )
        .route("/api/v1/users/{id}/unlock", post(retention::unlock_user))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            authorize,
        ))
        .method_not_allowed_fallback(method_not_allowed);
    api.merge(ui::router())
        .fallback(not_found)
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

async fn security_headers(mut resp: axum::response::Response) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let h = resp.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; frame-ancestors 'none'",
        ),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// Checks the session (and CSRF token) and the route's permission from [`ROUTES`] before
/// the handler runs, so that a refused caller learns nothing about its body or parameters.
async fn authorize(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
    matched: axum::extract::MatchedPath,
    req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let method = match req.method().as_str() {
        "HEAD" => "GET",
        m => m,
    };
    let Some(route) = ROUTES
        .iter()
        .find(|r| r.method == method && r.path == matched.as_str())
    else {
        return ApiError::internal(format!(
            "route {method} {} has no access rule",
            matched.as_str()
        ))
        .into_response();
    };
    let need = match route.access {
        Access::Public => return next.run(req).await,
        Access::Session => None,
        Access::Needs(p) => Some(p),
    };
    let (mut parts, body) = req.into_parts();
    let user = match auth::Authed::from_request_parts(&mut parts, &state).await {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    if let Some(p) = need {
        if let Err(e) = user.require(p) {
            return e.into_response();
        }
    }
    parts.extensions.insert(user);
    next.run(Request::from_parts(parts, body)).await
}

async fn health() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

/// The one list of document types (values the API accepts, and their labels).
async fn document_types() -> axum::Json<serde_json::Value> {
    let types: Vec<serde_json::Value> = crate::model::DocType::ALL
        .iter()
        .map(|t| serde_json::json!({"value": t.as_str(), "label": t.label()}))
        .collect();
    axum::Json(serde_json::json!({"types": types}))
}

async fn openapi_handler() -> axum::Json<serde_json::Value> {
    axum::Json(openapi())
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("no route {}", uri.path()))
}

async fn method_not_allowed() -> ApiError {
    ApiError::new("method_not_allowed", "this route does not take that method")
}

/// `Json<T>` whose rejections answer `{code, message}`.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(JsonBody(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::new(
                "unsupported_media_type",
                "send the body as JSON (Content-Type: application/json)",
            )),
            Err(JsonRejection::BytesRejection(e)) if e.status().as_u16() == 413 => Err(
                ApiError::new("payload_too_large", "the request body is too large"),
            ),
            Err(e) => Err(ApiError::bad_request(format!(
                "invalid JSON body: {}",
                e.body_text()
            ))),
        }
    }
}

/// `Query<T>` whose rejections answer `{code, message}`.
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| QueryParams(q.0))
            .map_err(|e: QueryRejection| {
                ApiError::bad_request(format!("invalid query parameters: {}", e.body_text()))
            })
    }
}

/// `Path<T>` whose rejections answer `{code, message}`.
pub struct PathParams<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PathParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| PathParams(p.0))
            .map_err(|e: PathRejection| {
                ApiError::bad_request(format!("invalid path: {}", e.body_text()))
            })
    }
}

/// The OpenAPI 3.1 document of [`ROUTES`] and the error codes.
pub fn openapi() -> serde_json::Value {
    use serde_json::{json, Map, Value};
    let mut paths = Map::new();
    for rd in ROUTES {
        let mut params: Vec<Value> = rd
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|p| json!({"name": p, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        params.extend(rd.query.iter().map(
            |q| json!({"name": q, "in": "query", "required": false, "schema": {"type": "string"}}),
        ));
        let (security, who) = match rd.access {
            Access::Public => (json!([]), "public".to_string()),
            Access::Session => (
                json!([{"session": []}, {"bearer": []}]),
                "any logged-in user".into(),
            ),
            Access::Needs(p) => (
                json!([{"session": []}, {"bearer": []}]),
                format!("permission `{}`", p.as_str()),
            ),
        };
        let op = json!({
            "summary": rd.summary,
            "description": format!("Access: {who}."),
            "parameters": params,
            "security": security,
            "responses": {
                "200": {"description": "success", "content": {rd.returns: {}}},
                "default": {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        });
        let entry = paths
            .entry(rd.path.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        entry[rd.method.to_lowercase()] = op;
    }
    let codes: Vec<Value> = super::error::CODES
        .iter()
        .map(|(c, s, why)| json!({"code": c, "status": s, "when": why}))
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "ChartVault API",
            "version": "1",
            "description": "Scanned chart archive: search, documents, release of information, retention. Errors answer {code, message}; see x-error-codes. State-changing requests with the session cookie need the X-CSRF-Token header."
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": auth::COOKIE},
                "bearer": {"type": "http", "scheme": "bearer"}
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string", "enum": super::error::CODES.iter().map(|c| c.0).collect::<Vec<_>>()},
                        "message": {"type": "string"},
                        "certificate_id": {"type": "string"}
                    }
                }
            }
        },
        "x-error-codes": codes,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn committed_openapi_matches_the_routes() {
        let generated = serde_json::to_string_pretty(&super::openapi()).unwrap() + "\n";
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/openapi.json");
        if std::env::var_os("CHARTVAULT_WRITE_SCHEMAS").is_some() {
            std::fs::write(path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert_eq!(
            committed, generated,
            "schemas/openapi.json is stale: rerun with CHARTVAULT_WRITE_SCHEMAS=1"
        );
    }

    #[test]
    fn routes_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for r in super::ROUTES {
            assert!(seen.insert((r.method, r.path)), "{} {}", r.method, r.path);
        }
    }
}
