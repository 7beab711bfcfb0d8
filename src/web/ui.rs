//! The web UI: one page, its script modules and its style, compiled into the binary (no
//! CDN; works offline). The scripts talk only to `/api/v1`; each screen is a module.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

const INDEX: &str = include_str!("ui/index.html");

/// Every file under `/ui/`: name, body, content type.
const ASSETS: &[(&str, &str, &str)] = &[
    ("app.css", include_str!("ui/app.css"), CSS),
    ("app.js", include_str!("ui/app.js"), JS),
    ("core.js", include_str!("ui/core.js"), JS),
    ("search.js", include_str!("ui/search.js"), JS),
    ("document.js", include_str!("ui/document.js"), JS),
    ("patient.js", include_str!("ui/patient.js"), JS),
    ("ingest.js", include_str!("ui/ingest.js"), JS),
    ("release.js", include_str!("ui/release.js"), JS),
    ("retention.js", include_str!("ui/retention.js"), JS),
    ("audit.js", include_str!("ui/audit.js"), JS),
    ("users.js", include_str!("ui/users.js"), JS),
];
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/",
            get(|| async { asset(INDEX, "text/html; charset=utf-8") }),
        )
        .route("/ui/{file}", get(ui_file))
}

async fn ui_file(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, body, ty)) => asset(body, ty),
        None => (StatusCode::NOT_FOUND, "no such file").into_response(),
    }
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut resp = body.into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

#[cfg(test)]
mod tests {
    /// Every module a script imports is served.
    #[test]
    fn every_imported_module_is_served() {
        for (name, body, _) in super::ASSETS {
            for line in body.lines().filter(|l| l.starts_with("import ")) {
                let from = line.rsplit("from \"./").next().unwrap();
                let file = from.trim_end_matches("\";");
                assert!(
                    super::ASSETS.iter().any(|(n, _, _)| *n == file),
                    "{name} imports {file}, which is not served"
                );
            }
        }
    }
}
