//! Every route of the service in one table ([`ROUTES`]): method, path, who may call it,
//! what it does, which handler answers. The router is built from the table; the OpenAPI document
//! (`schemas/openapi.json`, served at `/api/v1/openapi.json`) is generated from the table,
//! and the role-matrix test walks it.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::extract::{FromRequestParts, Request};
use axum::routing::{delete, get, patch, post, MethodRouter};
use axum::Router;

use super::{api_documents as docs, api_ingest as ingest, api_release as release};
use super::{api_retention as retention, auth, ui, ApiError, AppState, Settings};
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
    /// The handler, built with the server's settings (an upload's size limit).
    pub handler: Handler,
}

/// Builds a route's handler ([`RouteDoc::handler`]).
pub type Handler = fn(&Settings) -> MethodRouter<Arc<AppState>>;

const fn r(
    method: &'static str,
    path: &'static str,
    access: Access,
    summary: &'static str,
    query: &'static [&'static str],
    returns: &'static str,
    handler: Handler,
) -> RouteDoc {
    RouteDoc {
        method,
        path,
        access,
        summary,
        query,
        returns,
        handler,
    }
}

use Access::{Needs, Public, Session};
use Permission::*;

const JSON: &str = "application/json";
const CSV: &str = "text/csv";
const AUDIT_QUERY: &[&str] = &["limit", "user", "action", "mrn", "from", "to", "before"];

pub const ROUTES: &[RouteDoc] = &[
    r("GET", "/api/v1/health", Public, "Service is up", &[], JSON, |_| get(health)),
    r("GET", "/api/v1/openapi.json", Public, "This API's OpenAPI document", &[], JSON, |_| get(openapi_handler)),
    r("POST", "/api/v1/session", Public, "Log in: {username, password, bearer?}; sets the session cookie, returns the CSRF token", &[], JSON, |_| post(auth::login)),
    r("GET", "/api/v1/session", Session, "The logged-in user, role, permissions and CSRF token", &[], JSON, |_| get(auth::me)),
    r("DELETE", "/api/v1/session", Session, "Log out", &[], JSON, |_| delete(auth::logout)),
    r("GET", "/api/v1/document-types", Session, "Document types the archive knows: [{value, label}] (the UI's lists come from here)", &[], JSON, |_| get(document_types)),
    r("GET", "/api/v1/search", Needs(Read), "Full-text search with filters, facets, highlighted snippets, paging and sort", &["q", "mrn", "type", "from", "to", "year", "retention_status", "eligible_before", "fuzzy", "facets", "limit", "offset", "sort"], JSON, |_| get(docs::search)),
    r("GET", "/api/v1/documents/{id}", Needs(Read), "A document's metadata, pages, retention and review state (410 when destroyed)", &[], JSON, |_| get(docs::document)),
    r("PATCH", "/api/v1/documents/{id}", Needs(Ingest), "QA fix: {doc_type?, patient?: {mrn?, name?, dob?}, confirm?}", &[], JSON, |_| patch(ingest::fix_document)),
    r("POST", "/api/v1/documents/{id}/split", Needs(Ingest), "QA fix of a split: {page} (its number in the scan) starts a new document; answers both documents", &[], JSON, |_| post(ingest::split_document)),
    r("POST", "/api/v1/documents/{id}/pages/{page}/turn", Needs(Ingest), "Turn a page clockwise by {turn: 90|180|270} and read it again from the original scan; the new reading replaces the old", &[], JSON, |_| post(ingest::turn_page)),
    r("POST", "/api/v1/documents/{id}/pages/{page}/move", Needs(Ingest), "QA fix: the page (its number in the scan) belongs to another document of its scan: {to}; a document left without pages is merged away", &[], JSON, |_| post(ingest::move_page)),
    r("POST", "/api/v1/documents/{id}/merge-previous", Needs(Ingest), "QA fix of a split: the document joins the one before it in its scan", &[], JSON, |_| post(ingest::merge_document)),
    r("GET", "/api/v1/documents/{id}/text", Needs(Read), "The document's OCR text, page by page", &[], JSON, |_| get(docs::text)),
    r("GET", "/api/v1/documents/{id}/pages/{page}", Needs(Read), "One page: size, text, word boxes, and which words are hits of q", &["q"], JSON, |_| get(docs::page)),
    r("GET", "/api/v1/documents/{id}/pages/{page}/image", Needs(Read), "The page image", &[], "image/jpeg", |_| get(docs::page_image)),
    r("GET", "/api/v1/documents/{id}/pages/{page}/thumbnail", Needs(Read), "A small page image", &[], "image/jpeg", |_| get(docs::page_thumbnail)),
    r("GET", "/api/v1/documents/{id}/pdf", Needs(Read), "The document's own pages as one searchable PDF (never another document of its scan)", &[], "application/pdf", |_| get(docs::document_pdf)),
    r("GET", "/api/v1/documents/{id}/original", Needs(Read), "The original scan file (file = 1.. for folder batches)", &["file"], "application/octet-stream", |_| get(docs::original)),
    r("GET", "/api/v1/saved-searches", Needs(Read), "The user's saved searches", &[], JSON, |_| get(docs::saved_searches)),
    r("POST", "/api/v1/saved-searches", Needs(Read), "Keep a search under a name: {name, query} (the search page's parameters; the same name replaces it)", &[], JSON, |_| post(docs::save_search)),
    r("DELETE", "/api/v1/saved-searches/{id}", Needs(Read), "Delete one of the user's saved searches", &[], JSON, |_| delete(docs::delete_saved_search)),
    r("GET", "/api/v1/patients", Needs(Read), "Patients by name and/or date of birth, one per MRN (audited without what was typed)", &["name", "dob"], JSON, |_| get(docs::patient_lookup)),
    r("GET", "/api/v1/patients/{mrn}/documents", Needs(Read), "Every document of a patient, newest first", &[], JSON, |_| get(docs::patient)),
    r("GET", "/api/v1/patients/{mrn}/disclosures", Needs(Release), "Accounting of disclosures for a patient (HIPAA 164.528)", &[], JSON, |_| get(release::accounting)),
    r("POST", "/api/v1/releases", Needs(Release), "Release of information: {doc_ids, requester, recipient, purpose, basis, authorization_on_file?, authorization_expires?, several_patients?} -> one searchable PDF, recorded as a disclosure", &[], "application/pdf", |_| post(release::create)),
    r("GET", "/api/v1/releases/{id}", Needs(Release), "A recorded disclosure", &[], JSON, |_| get(release::show)),
    r("GET", "/api/v1/releases/{id}/pdf", Needs(Release), "A past release's PDF, built again and checked against its recorded hash", &[], "application/pdf", |_| get(release::download)),
    r("POST", "/api/v1/ingest", Needs(Ingest), "Upload one scan (raw body: PDF, TIFF, PNG or JPEG) to be ingested", &["filename"], JSON, |s| post(ingest::upload).layer(DefaultBodyLimit::max(s.max_upload_bytes))),
    r("GET", "/api/v1/ingest/jobs", Needs(Ingest), "Ingest jobs (uploads and the watched folder) with progress", &[], JSON, |_| get(ingest::jobs)),
    r("GET", "/api/v1/review", Needs(Ingest), "QA queue: unclassified, low OCR confidence, uncertain split, patient conflicts", &[], JSON, |_| get(ingest::review)),
    r("GET", "/api/v1/retention/report", Needs(RetentionRead), "Retention status report", &["as_of"], JSON, |_| get(retention::report)),
    r("GET", "/api/v1/holds", Needs(RetentionRead), "Legal holds (active unless all=true)", &["all"], JSON, |_| get(retention::holds)),
    r("POST", "/api/v1/holds", Needs(Hold), "Place a hold: {matter, reason, scope: {kind: mrn|document|query|class, ...}}", &[], JSON, |_| post(retention::place_hold)),
    r("GET", "/api/v1/holds/{id}", Needs(RetentionRead), "A legal hold with the documents it covers", &[], JSON, |_| get(retention::hold)),
    r("POST", "/api/v1/holds/{id}/release", Needs(Hold), "Release a hold: {reason}", &[], JSON, |_| post(retention::release_hold)),
    r("GET", "/api/v1/purge-jobs", Needs(RetentionRead), "Purge jobs", &[], JSON, |_| get(retention::purge_jobs)),
    r("POST", "/api/v1/purge-jobs", Needs(Purge), "Plan a purge (dry run): {as_of?, approvals?}", &[], JSON, |_| post(retention::plan)),
    r("GET", "/api/v1/purge-jobs/{id}", Needs(RetentionRead), "A purge job with approvals and its documents for review", &[], JSON, |_| get(retention::purge_job)),
    r("POST", "/api/v1/purge-jobs/{id}/approve", Needs(Approve), "Approve a planned job (never one's own)", &[], JSON, |_| post(retention::approve)),
    r("POST", "/api/v1/purge-jobs/{id}/execute", Needs(Purge), "Execute an approved job: destroy, verify, certify", &[], JSON, |_| post(retention::execute)),
    r("POST", "/api/v1/purge-jobs/{id}/cancel", Needs(Purge), "Cancel a job before execution", &[], JSON, |_| post(retention::cancel)),
    r("GET", "/api/v1/certificates/{id}", Needs(RetentionRead), "A certificate of destruction (format=html for the printable page)", &["format"], JSON, |_| get(retention::certificate)),
    r("GET", "/api/v1/audit", Needs(Audit), "Audit log entries, newest last, with the `before` of the page before them; by user, action, patient (MRN), days", AUDIT_QUERY, JSON, |_| get(retention::audit)),
    r("GET", "/api/v1/audit/export", Needs(Audit), "The same entries as a CSV file (audited)", AUDIT_QUERY, CSV, |_| get(retention::audit_export)),
    r("GET", "/api/v1/users", Needs(Admin), "Users and roles", &[], JSON, |_| get(retention::users)),
    r("POST", "/api/v1/users", Needs(Admin), "Add a user: {username, role, password} (never changes an existing one)", &[], JSON, |_| post(retention::add_user)),
    r("POST", "/api/v1/users/{id}/role", Needs(Admin), "Give a user another role: {role} (their sessions end)", &[], JSON, |_| post(retention::set_user_role)),
    r("POST", "/api/v1/users/{id}/password", Needs(Admin), "Reset a user's password: {password} (their sessions end)", &[], JSON, |_| post(retention::reset_user_password)),
    r("POST", "/api/v1/users/{id}/disable", Needs(Admin), "Disable a user (their sessions end; the history keeps the name)", &[], JSON, |_| post(retention::disable_user)),
    r("POST", "/api/v1/users/{id}/enable", Needs(Admin), "Let a disabled user log in again", &[], JSON, |_| post(retention::enable_user)),
    r("POST", "/api/v1/users/{id}/unlock", Needs(Admin), "Clear the login delays failed attempts put on a user (every address)", &[], JSON, |_| post(retention::unlock_user)),
];

pub fn router(state: Arc<AppState>) -> Router {
    // Paths and methods come from the table only; two methods of one path merge.
    let api = ROUTES.iter().fold(Router::new(), |router, rd| {
        router.route(rd.path, (rd.handler)(&state.settings))
    });
    let api = api
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            authorize,
        ))
        .method_not_allowed_fallback(method_not_allowed);
    api.merge(ui::router())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .with_state(state)
}

async fn security_headers(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
    req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let https = state.settings.transport.request_is_https(peer_of(&req));
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    if https {
        // Browsers that once reached the archive over HTTPS never fall back to plain HTTP.
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // A handler may set a stricter policy of its own (the certificate page allows only its
    // inline style, by hash); every other answer gets this one.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; frame-ancestors 'none'",
            ),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// The address a request came from (the TCP peer).
pub fn peer_of(req: &Request) -> Option<std::net::SocketAddr> {
    req.extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0)
}

/// Checks the session (and CSRF token) and the route's permission from [`ROUTES`] (the one
/// place a web permission is checked) before
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
    ApiError::new(
        crate::service::Code::MethodNotAllowed,
        "this route does not take that method",
    )
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
    let codes: Vec<Value> = crate::service::Code::ALL
        .iter()
        .map(|c| json!({"code": c.as_str(), "status": c.http_status(), "when": c.when()}))
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
                        "code": {"type": "string", "enum": crate::service::Code::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>()},
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
