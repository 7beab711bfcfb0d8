//! JSON columns read back from the catalog. A value that does not parse is a damaged
//! record ([`CatalogError::Corrupt`]), never an empty default: an unreadable hold snapshot
//! read as "no documents" would let a held record be destroyed.

use serde::de::DeserializeOwned;

use super::CatalogError;

/// Parses a JSON column's text; `what` names the record and column in the error.
pub(crate) fn parse<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, CatalogError> {
    serde_json::from_str(text)
        .map_err(|e| CatalogError::Corrupt(format!("{what} is not readable JSON: {e}")))
}

/// [`parse`] of a nullable column.
pub(crate) fn parse_opt<T: DeserializeOwned>(
    text: Option<&str>,
    what: &str,
) -> Result<Option<T>, CatalogError> {
    text.map(|t| parse(t, what)).transpose()
}

/// A document's `retention` column: its last decision, or `None` when there is none or the
/// document was destroyed (the column then holds the destruction marker written by
/// `record_destruction`: class, `"status": "destroyed"`, certificate id).
pub(crate) fn retention(
    text: Option<&str>,
    doc_id: &str,
) -> Result<Option<crate::model::retention::Decision>, CatalogError> {
    let Some(text) = text else {
        return Ok(None);
    };
    let what = format!("document {doc_id} retention");
    let value: serde_json::Value = parse(text, &what)?;
    if value.get("status").and_then(|s| s.as_str()) == Some("destroyed")
        && value.get("certificate_id").is_some()
        && value.get("candidates").is_none()
    {
        return Ok(None);
    }
    serde_json::from_value(value)
        .map(Some)
        .map_err(|e| CatalogError::Corrupt(format!("{what} is not readable JSON: {e}")))
}

/// A JSON column inside a row mapper (which must answer `rusqlite::Error`); the error
/// becomes [`CatalogError::Corrupt`] when it leaves the catalog.
pub(crate) fn column<T: DeserializeOwned>(
    r: &rusqlite::Row,
    idx: usize,
    what: &str,
) -> rusqlite::Result<T> {
    let text: String = r.get(idx)?;
    parse(&text, what).map_err(|e| conversion(idx, e))
}

/// [`column`] of a nullable column.
pub(crate) fn column_opt<T: DeserializeOwned>(
    r: &rusqlite::Row,
    idx: usize,
    what: &str,
) -> rusqlite::Result<Option<T>> {
    let text: Option<String> = r.get(idx)?;
    parse_opt(text.as_deref(), what).map_err(|e| conversion(idx, e))
}

pub(crate) fn conversion(idx: usize, e: CatalogError) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_json_is_an_error_never_a_default() {
        assert_eq!(parse::<Vec<String>>("[\"a\"]", "x").unwrap(), ["a"]);
        let e = parse::<Vec<String>>("[\"a\"", "hold H-0001 snapshot").unwrap_err();
        assert!(matches!(e, CatalogError::Corrupt(m) if m.contains("hold H-0001 snapshot")));
        assert_eq!(parse_opt::<Vec<u32>>(None, "x").unwrap(), None);
        // Through a row mapper and back out of the catalog.
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let err = conn
            .query_row("SELECT '{broken'", [], |r| {
                column::<Vec<u32>>(r, 0, "pages")
            })
            .unwrap_err();
        assert!(matches!(CatalogError::from(err), CatalogError::Corrupt(m) if m.contains("pages")));
        // A destroyed document's marker is no decision; anything else unreadable is damage.
        let marker = r#"{"class":"CLIN-CORE","status":"destroyed","certificate_id":"C-1"}"#;
        assert_eq!(retention(Some(marker), "d1").unwrap(), None);
        assert!(retention(Some(r#"{"class":"CLIN-CORE","status":"retained"}"#), "d1").is_err());
    }
}
