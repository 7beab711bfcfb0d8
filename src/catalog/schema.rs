//! Catalog tables and migrations.

use rusqlite::Connection;

use super::CatalogError;

pub const SCHEMA_VERSION: i64 = 1;

const V1: &str = "
CREATE TABLE scans (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256       TEXT UNIQUE,
    source_path  TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('ingested', 'quarantined')),
    error        TEXT,
    page_count   INTEGER NOT NULL,
    ingested_at  TEXT NOT NULL
);
CREATE TABLE scan_files (
    scan_sha256  TEXT NOT NULL REFERENCES scans(sha256) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    name         TEXT NOT NULL,
    blob         TEXT NOT NULL,
    PRIMARY KEY (scan_sha256, seq)
);
CREATE TABLE documents (
    doc_id              TEXT PRIMARY KEY,
    scan_sha256         TEXT NOT NULL REFERENCES scans(sha256) ON DELETE CASCADE,
    seq                 INTEGER NOT NULL,
    doc_type            TEXT NOT NULL,
    doc_type_confidence REAL NOT NULL,
    mrn                 TEXT,
    patient_name        TEXT,
    dob                 TEXT,
    service_date        TEXT,
    indexed             INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL
);
CREATE INDEX documents_mrn ON documents(mrn);
CREATE INDEX documents_unindexed ON documents(indexed) WHERE indexed = 0;
CREATE TABLE pages (
    scan_sha256    TEXT NOT NULL REFERENCES scans(sha256) ON DELETE CASCADE,
    page_no        INTEGER NOT NULL,
    kind           TEXT NOT NULL,
    doc_id         TEXT REFERENCES documents(doc_id),
    dpi            INTEGER NOT NULL,
    width_px       INTEGER NOT NULL,
    height_px      INTEGER NOT NULL,
    rotation_deg   INTEGER NOT NULL,
    skew_deg       REAL NOT NULL,
    barcode        TEXT,
    ocr_confidence REAL,
    text           TEXT,
    words_blob     TEXT,
    image_blob     TEXT,
    PRIMARY KEY (scan_sha256, page_no)
);
CREATE INDEX pages_doc ON pages(doc_id);
CREATE TABLE events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       TEXT NOT NULL,
    kind     TEXT NOT NULL,
    subject  TEXT NOT NULL,
    detail   TEXT
);
";

pub fn migrate(conn: &Connection) -> Result<(), CatalogError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(CatalogError::TooNew {
            found: version,
            known: SCHEMA_VERSION,
        });
    }
    if version < 1 {
        conn.execute_batch(&format!("BEGIN; {V1} PRAGMA user_version = 1; COMMIT;"))?;
    }
    Ok(())
}
