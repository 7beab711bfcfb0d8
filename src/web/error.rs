//! API errors: every failure answers `{code, message}` (plus `certificate_id` for a
//! destroyed document) with the HTTP status of its code. [`CODES`] is the one table of
//! codes; the OpenAPI document and the README list it.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::archive::ArchiveError;
use crate::index::IndexError;
use crate::purge::PurgeError;

/// (code, HTTP status, when).
pub const CODES: &[(&str, u16, &str)] = &[
    (
        "bad_request",
        400,
        "a parameter or body field is missing or malformed",
    ),
    (
        "invalid_query",
        400,
        "the search query cannot be understood",
    ),
    (
        "unauthenticated",
        401,
        "no session, or the session expired: log in",
    ),
    ("login_failed", 401, "wrong user name or password"),
    (
        "csrf_failed",
        403,
        "a state-changing request without the session's X-CSRF-Token",
    ),
    ("forbidden", 403, "the user's role does not allow this"),
    (
        "not_found",
        404,
        "no such document, page, job, hold, certificate or route",
    ),
    (
        "method_not_allowed",
        405,
        "the route exists but not with this method",
    ),
    (
        "refused",
        409,
        "the request conflicts with the record's state (e.g. approving one's own purge plan)",
    ),
    (
        "gone",
        410,
        "the document was destroyed under the retention schedule; see certificate_id",
    ),
    (
        "payload_too_large",
        413,
        "the upload is larger than the server accepts",
    ),
    (
        "unsupported_media_type",
        415,
        "the upload is not a PDF, TIFF, PNG, JPEG, BMP, GIF or WebP file, or the body is not JSON",
    ),
    (
        "too_many_attempts",
        429,
        "too many failed logins for this user: wait and try again",
    ),
    (
        "internal",
        500,
        "the server failed; the error is logged without patient data",
    ),
    (
        "busy",
        503,
        "the archive is busy (another chartvault process is writing): try again",
    ),
    (
        "index_incomplete",
        503,
        "the search index is being rebuilt or a rebuild was interrupted: search would miss documents",
    ),
];

#[derive(Debug, Clone, Serialize)]
pub struct ApiError {
    #[serde(skip)]
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_id: Option<String>,
}

impl ApiError {
    pub fn new(code: &'static str, message: impl Into<String>) -> ApiError {
        let status = CODES
            .iter()
            .find(|(c, _, _)| *c == code)
            .and_then(|(_, s, _)| StatusCode::from_u16(*s).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError {
            status,
            code,
            message: message.into(),
            certificate_id: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new("bad_request", message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new("not_found", message)
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        let message = message.into();
        // Messages of internal errors name files and ids, never patient data.
        tracing::error!(%message, "request failed");
        ApiError::new("internal", message)
    }

    pub fn gone(doc_id: &str, certificate_id: &str, destroyed_at: &str) -> ApiError {
        let mut e = ApiError::new(
            "gone",
            format!(
                "document {doc_id} was destroyed on {destroyed_at} under the retention schedule (certificate of destruction {certificate_id})"
            ),
        );
        e.certificate_id = Some(certificate_id.to_string());
        e
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status;
        (status, axum::Json(self)).into_response()
    }
}

impl From<ArchiveError> for ApiError {
    fn from(e: ArchiveError) -> ApiError {
        match e {
            ArchiveError::Index(IndexError::Busy) => ApiError::new("busy", e.to_string()),
            ArchiveError::IndexIncomplete => ApiError::new("index_incomplete", e.to_string()),
            ArchiveError::Index(IndexError::Query(_))
            | ArchiveError::Index(IndexError::Date(_)) => {
                ApiError::new("invalid_query", e.to_string())
            }
            ArchiveError::Setup(m) => ApiError::bad_request(m),
            ArchiveError::Refused(m) => ApiError::new("refused", m),
            other => ApiError::internal(other.to_string()),
        }
    }
}

impl From<IndexError> for ApiError {
    fn from(e: IndexError) -> ApiError {
        ApiError::from(ArchiveError::from(e))
    }
}

impl From<crate::catalog::CatalogError> for ApiError {
    fn from(e: crate::catalog::CatalogError) -> ApiError {
        ApiError::from(ArchiveError::from(e))
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> ApiError {
        ApiError::from(ArchiveError::from(e))
    }
}

impl From<PurgeError> for ApiError {
    fn from(e: PurgeError) -> ApiError {
        match e {
            PurgeError::NoJob(id) => ApiError::not_found(format!("no purge job {id}")),
            PurgeError::Refused(m) => ApiError::new("refused", m),
            PurgeError::Archive(a) => a.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_code_has_a_status_and_codes_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for (code, status, _) in super::CODES {
            assert!(seen.insert(*code), "{code} twice");
            assert!(axum::http::StatusCode::from_u16(*status).is_ok());
            assert_eq!(super::ApiError::new(code, "x").status.as_u16(), *status);
        }
    }
}
