//! API errors: every failure answers `{code, message}` (plus `certificate_id` for a
//! destroyed document) with the HTTP status of its code. The codes are the service layer's
//! ([`crate::service::Code`]): the CLI's exit code comes from the same value.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub use crate::service::ServiceError as ApiError;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(self)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::Code;

    #[test]
    fn every_code_answers_its_status() {
        for code in Code::ALL {
            let r = ApiError::new(code, "x").into_response();
            assert_eq!(r.status().as_u16(), code.http_status());
        }
    }
}
