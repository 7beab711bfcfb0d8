//! The one error of every archive operation: a stable [`Code`] (the API's `code` field, its
//! HTTP status and the CLI's exit code all come from it) and a sentence for the user.
//! Messages name files, ids and fields, never patient data.

use serde::Serialize;

use crate::archive::ArchiveError;
use crate::index::IndexError;
use crate::purge::PurgeError;

/// Stable error codes. Outside tools match on [`Code::as_str`]; never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    BadRequest,
    InvalidQuery,
    Unauthenticated,
    LoginFailed,
    CsrfFailed,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Refused,
    Gone,
    PayloadTooLarge,
    UnsupportedMediaType,
    TooManyAttempts,
    Internal,
    Busy,
    IndexIncomplete,
}

impl Code {
    pub const ALL: [Code; 16] = [
        Code::BadRequest,
        Code::InvalidQuery,
        Code::Unauthenticated,
        Code::LoginFailed,
        Code::CsrfFailed,
        Code::Forbidden,
        Code::NotFound,
        Code::MethodNotAllowed,
        Code::Refused,
        Code::Gone,
        Code::PayloadTooLarge,
        Code::UnsupportedMediaType,
        Code::TooManyAttempts,
        Code::Internal,
        Code::Busy,
        Code::IndexIncomplete,
    ];

    /// (code, HTTP status, when): the one table; the OpenAPI document and README list it.
    const fn row(self) -> (&'static str, u16, &'static str) {
        match self {
            Code::BadRequest => (
                "bad_request",
                400,
                "a parameter or body field is missing or malformed",
            ),
            Code::InvalidQuery => (
                "invalid_query",
                400,
                "the search query cannot be understood",
            ),
            Code::Unauthenticated => (
                "unauthenticated",
                401,
                "no session, or the session expired: log in",
            ),
            Code::LoginFailed => ("login_failed", 401, "wrong user name or password"),
            Code::CsrfFailed => (
                "csrf_failed",
                403,
                "a state-changing request without the session's X-CSRF-Token",
            ),
            Code::Forbidden => ("forbidden", 403, "the user's role does not allow this"),
            Code::NotFound => (
                "not_found",
                404,
                "no such document, page, job, hold, certificate or route",
            ),
            Code::MethodNotAllowed => (
                "method_not_allowed",
                405,
                "the route exists but not with this method",
            ),
            Code::Refused => (
                "refused",
                409,
                "the request conflicts with the record's state (e.g. approving one's own purge plan)",
            ),
            Code::Gone => (
                "gone",
                410,
                "the document was destroyed under the retention schedule; see certificate_id",
            ),
            Code::PayloadTooLarge => (
                "payload_too_large",
                413,
                "the upload is larger than the server accepts",
            ),
            Code::UnsupportedMediaType => (
                "unsupported_media_type",
                415,
                "the upload is not a PDF, TIFF, PNG, JPEG, BMP, GIF or WebP file, or the body is not JSON",
            ),
            Code::TooManyAttempts => (
                "too_many_attempts",
                429,
                "too many failed logins for this user: wait and try again",
            ),
            Code::Internal => (
                "internal",
                500,
                "the server failed; the error is logged without patient data",
            ),
            Code::Busy => (
                "busy",
                503,
                "the archive is busy (another chartvault process is writing): try again",
            ),
            Code::IndexIncomplete => (
                "index_incomplete",
                503,
                "the search index is being rebuilt or a rebuild was interrupted: search would miss documents",
            ),
        }
    }

    pub const fn as_str(self) -> &'static str {
        self.row().0
    }

    pub const fn http_status(self) -> u16 {
        self.row().1
    }

    pub const fn when(self) -> &'static str {
        self.row().2
    }

    /// The CLI's exit code: 2, "error: the command did not do what was asked" (the CLI's
    /// exit code 1 is for a command that ran and found problems, never an error).
    pub const fn exit_code(self) -> u8 {
        2
    }
}

/// A failed operation: its code and a sentence for the user.
#[derive(Debug, Clone, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct ServiceError {
    pub code: Code,
    pub message: String,
    /// The certificate of destruction of a destroyed document ([`Code::Gone`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_id: Option<String>,
}

impl ServiceError {
    pub fn new(code: Code, message: impl Into<String>) -> ServiceError {
        ServiceError {
            code,
            message: message.into(),
            certificate_id: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ServiceError {
        ServiceError::new(Code::BadRequest, message)
    }

    pub fn not_found(message: impl Into<String>) -> ServiceError {
        ServiceError::new(Code::NotFound, message)
    }

    pub fn refused(message: impl Into<String>) -> ServiceError {
        ServiceError::new(Code::Refused, message)
    }

    pub fn internal(message: impl Into<String>) -> ServiceError {
        let message = message.into();
        // Messages of internal errors name files and ids, never patient data.
        tracing::error!(%message, "operation failed");
        ServiceError::new(Code::Internal, message)
    }

    pub fn gone(doc_id: &str, certificate_id: &str, destroyed_at: &str) -> ServiceError {
        let mut e = ServiceError::new(
            Code::Gone,
            format!(
                "document {doc_id} was destroyed on {destroyed_at} under the retention schedule (certificate of destruction {certificate_id})"
            ),
        );
        e.certificate_id = Some(certificate_id.to_string());
        e
    }

    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }
}

impl From<ArchiveError> for ServiceError {
    fn from(e: ArchiveError) -> ServiceError {
        match e {
            ArchiveError::Index(IndexError::Busy) => ServiceError::new(Code::Busy, e.to_string()),
            ArchiveError::IndexIncomplete => {
                ServiceError::new(Code::IndexIncomplete, e.to_string())
            }
            ArchiveError::Index(IndexError::Query(_))
            | ArchiveError::Index(IndexError::Date(_)) => {
                ServiceError::new(Code::InvalidQuery, e.to_string())
            }
            ArchiveError::Setup(m) => ServiceError::bad_request(m),
            ArchiveError::Refused(m) => ServiceError::refused(m),
            other => ServiceError::internal(other.to_string()),
        }
    }
}

impl From<IndexError> for ServiceError {
    fn from(e: IndexError) -> ServiceError {
        ServiceError::from(ArchiveError::from(e))
    }
}

impl From<crate::catalog::CatalogError> for ServiceError {
    fn from(e: crate::catalog::CatalogError) -> ServiceError {
        ServiceError::from(ArchiveError::from(e))
    }
}

impl From<crate::store::StoreError> for ServiceError {
    fn from(e: crate::store::StoreError) -> ServiceError {
        ServiceError::from(ArchiveError::from(e))
    }
}

impl From<PurgeError> for ServiceError {
    fn from(e: PurgeError) -> ServiceError {
        match e {
            PurgeError::NoJob(id) => ServiceError::not_found(format!("no purge job {id}")),
            PurgeError::Refused(m) => ServiceError::refused(m),
            PurgeError::Archive(a) => a.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_with_a_real_status() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "{} twice", code.as_str());
            assert!((400..600).contains(&code.http_status()));
            // The serialized form is the stable string.
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::json!(code.as_str())
            );
        }
    }
}
