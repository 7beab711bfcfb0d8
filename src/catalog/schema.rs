//! Catalog tables and migrations.

use rusqlite::Connection;

use super::CatalogError;

pub const SCHEMA_VERSION: i64 = 12;

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

/// Classification and review: where a type came from, review flags, field provenance,
/// hand corrections, model versions.
const V2: &str = "
ALTER TABLE documents ADD COLUMN doc_type_source TEXT NOT NULL DEFAULT 'model';
ALTER TABLE documents ADD COLUMN boundary_confidence REAL NOT NULL DEFAULT 1.0;
ALTER TABLE documents ADD COLUMN review_flags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE documents ADD COLUMN provenance TEXT NOT NULL DEFAULT '[]';
CREATE INDEX documents_review ON documents(review_flags) WHERE review_flags <> '[]';
CREATE TABLE doc_corrections (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id    TEXT NOT NULL,
    field     TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    user      TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX doc_corrections_doc ON doc_corrections(doc_id);
CREATE TABLE models (
    version    INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    file       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    trained_on TEXT NOT NULL,
    examples   INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
";

/// Retention: per-document decision, legal holds, the hash-chained audit log.
const V3: &str = "
ALTER TABLE documents ADD COLUMN retention_class TEXT;
ALTER TABLE documents ADD COLUMN retention_status TEXT;
ALTER TABLE documents ADD COLUMN eligible_on TEXT;
ALTER TABLE documents ADD COLUMN retention TEXT;
CREATE INDEX documents_retention ON documents(retention_status, eligible_on);
CREATE TABLE holds (
    id             TEXT PRIMARY KEY,
    matter         TEXT NOT NULL,
    reason         TEXT NOT NULL,
    scope_kind     TEXT NOT NULL CHECK (scope_kind IN ('mrn', 'document', 'query', 'class')),
    scope          TEXT NOT NULL,
    snapshot       TEXT NOT NULL DEFAULT '[]',
    placed_by      TEXT NOT NULL,
    placed_at      TEXT NOT NULL,
    released_by    TEXT,
    released_at    TEXT,
    release_reason TEXT
);
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    user      TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
";

/// Purge jobs, approvals, per-document progress, tombstones (hash-chained destruction
/// log), certificates of destruction.
const V4: &str = "
CREATE TABLE purge_jobs (
    id                 TEXT PRIMARY KEY,
    state              TEXT NOT NULL CHECK (state IN ('planned', 'approved', 'executing',
                           'verified', 'certified', 'cancelled')),
    as_of              TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    schedule_label     TEXT NOT NULL,
    schedule_hash      TEXT NOT NULL,
    manifest           TEXT NOT NULL,
    manifest_hash      TEXT NOT NULL,
    excluded           TEXT NOT NULL,
    required_approvals INTEGER NOT NULL,
    approvals_expire   TEXT NOT NULL,
    executed_by        TEXT,
    started_at         TEXT,
    finished_at        TEXT,
    verification       TEXT,
    certificate_id     TEXT
);
CREATE TABLE purge_approvals (
    job_id        TEXT NOT NULL REFERENCES purge_jobs(id),
    user          TEXT NOT NULL,
    manifest_hash TEXT NOT NULL,
    at            TEXT NOT NULL,
    PRIMARY KEY (job_id, user)
);
CREATE TABLE purge_items (
    job_id  TEXT NOT NULL REFERENCES purge_jobs(id),
    doc_id  TEXT NOT NULL,
    state   TEXT NOT NULL CHECK (state IN ('pending', 'destroyed', 'skipped')),
    reason  TEXT,
    -- Which of the plan's patients (0..n) the document belongs to: counts, never identities.
    patient_slot INTEGER,
    -- Blobs to delete once the catalog no longer refers to them (resumable cleanup).
    blobs   TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (job_id, doc_id)
);
CREATE TABLE tombstones (
    seq             INTEGER PRIMARY KEY,
    doc_id          TEXT NOT NULL UNIQUE,
    class           TEXT NOT NULL,
    doc_type        TEXT NOT NULL,
    schedule_hash   TEXT NOT NULL,
    service_year    INTEGER,
    page_count      INTEGER NOT NULL,
    bytes           INTEGER NOT NULL,
    original_sha256 TEXT NOT NULL,
    job_id          TEXT NOT NULL,
    certificate_id  TEXT NOT NULL,
    destroyed_at    TEXT NOT NULL,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL
);
CREATE TRIGGER tombstones_no_update BEFORE UPDATE ON tombstones
    BEGIN SELECT RAISE(ABORT, 'the destruction log is append-only'); END;
CREATE TRIGGER tombstones_no_delete BEFORE DELETE ON tombstones
    BEGIN SELECT RAISE(ABORT, 'the destruction log is append-only'); END;
CREATE TABLE certificates (
    id        TEXT PRIMARY KEY,
    job_id    TEXT NOT NULL UNIQUE,
    issued_at TEXT NOT NULL,
    body      TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
";

/// Crypto-shredding: patient fields, page text and barcodes are sealed under the document's
/// (or scan's) key; MRN look-ups go through a keyed hash. The plaintext MRN index goes.
const V5: &str = "
ALTER TABLE documents ADD COLUMN mrn_tag TEXT;
DROP INDEX documents_mrn;
CREATE INDEX documents_mrn_tag ON documents(mrn_tag);
";

/// Scale: "is this blob still used" and "the documents of this scan" (purge) must not scan
/// every page or document (at 1M documents that made a purge take hours).
const V6: &str = "
CREATE INDEX documents_scan ON documents(scan_sha256);
CREATE INDEX pages_words_blob ON pages(words_blob) WHERE words_blob IS NOT NULL;
CREATE INDEX pages_image_blob ON pages(image_blob) WHERE image_blob IS NOT NULL;
CREATE INDEX scan_files_blob ON scan_files(blob);
";

/// The web service: local users with roles, login sessions, and releases of information
/// (disclosures) with the documents each one carried, looked up per patient by MRN tag.
const V7: &str = "
CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    disabled_at   TEXT
);
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    username    TEXT NOT NULL REFERENCES users(username),
    csrf        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE TABLE disclosures (
    id          TEXT PRIMARY KEY,
    at          TEXT NOT NULL,
    user        TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    pages       INTEGER NOT NULL,
    pdf_sha256  TEXT NOT NULL
);
CREATE TABLE disclosure_docs (
    disclosure_id TEXT NOT NULL REFERENCES disclosures(id),
    doc_id        TEXT NOT NULL,
    doc_type      TEXT NOT NULL,
    service_date  TEXT,
    mrn_tag       TEXT,
    PRIMARY KEY (disclosure_id, doc_id)
);
CREATE INDEX disclosure_docs_mrn ON disclosure_docs(mrn_tag);
";

/// A purge job may be a `forecast` (planned as of a date after its day: reviewed, never
/// approved or executed). SQLite cannot change a CHECK constraint in place: the table is
/// rebuilt with the same columns (foreign keys are off meanwhile; see `migrate`).
/// Where each page's text came from (`ocr` or `pdf_text`); pages archived before are OCR.
const V9: &str = "ALTER TABLE pages ADD COLUMN text_source TEXT NOT NULL DEFAULT 'ocr';";

/// What reading each page found doubtful (JSON list of review flags), so regrouping keeps
/// it; pages archived before have none recorded.
const V10: &str = "ALTER TABLE pages ADD COLUMN doubts TEXT NOT NULL DEFAULT '[]';";

/// A release records who asked, on what basis, the authorization on file and its expiry,
/// and what its cover sheet said (date text, facility) with the documents in release order,
/// so the same PDF can be built again later (checked against its recorded hash).
const V11: &str = "
ALTER TABLE disclosures ADD COLUMN requester TEXT;
ALTER TABLE disclosures ADD COLUMN basis TEXT;
ALTER TABLE disclosures ADD COLUMN authorization_on_file INTEGER;
ALTER TABLE disclosures ADD COLUMN authorization_expires TEXT;
ALTER TABLE disclosures ADD COLUMN cover_date TEXT;
ALTER TABLE disclosures ADD COLUMN facility TEXT;
ALTER TABLE disclosure_docs ADD COLUMN seq INTEGER;
";

/// A user's saved searches (the query sealed: search words may name a patient).
const V12: &str = "
CREATE TABLE saved_searches (
    id          INTEGER PRIMARY KEY,
    username    TEXT NOT NULL,
    name        TEXT NOT NULL,
    query       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (username, name)
);
";
const V8: &str = "
CREATE TABLE purge_jobs_v8 (
    id                 TEXT PRIMARY KEY,
    state              TEXT NOT NULL CHECK (state IN ('forecast', 'planned', 'approved',
                           'executing', 'verified', 'certified', 'cancelled')),
    as_of              TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    schedule_label     TEXT NOT NULL,
    schedule_hash      TEXT NOT NULL,
    manifest           TEXT NOT NULL,
    manifest_hash      TEXT NOT NULL,
    excluded           TEXT NOT NULL,
    required_approvals INTEGER NOT NULL,
    approvals_expire   TEXT NOT NULL,
    executed_by        TEXT,
    started_at         TEXT,
    finished_at        TEXT,
    verification       TEXT,
    certificate_id     TEXT
);
INSERT INTO purge_jobs_v8 SELECT id, state, as_of, created_by, created_at, schedule_label,
    schedule_hash, manifest, manifest_hash, excluded, required_approvals, approvals_expire,
    executed_by, started_at, finished_at, verification, certificate_id FROM purge_jobs;
DROP TABLE purge_jobs;
ALTER TABLE purge_jobs_v8 RENAME TO purge_jobs;
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
    if version < 2 {
        conn.execute_batch(&format!("BEGIN; {V2} PRAGMA user_version = 2; COMMIT;"))?;
    }
    if version < 3 {
        conn.execute_batch(&format!("BEGIN; {V3} PRAGMA user_version = 3; COMMIT;"))?;
    }
    if version < 4 {
        conn.execute_batch(&format!("BEGIN; {V4} PRAGMA user_version = 4; COMMIT;"))?;
    }
    if version < 5 {
        conn.execute_batch(&format!("BEGIN; {V5} PRAGMA user_version = 5; COMMIT;"))?;
    }
    if version < 6 {
        conn.execute_batch(&format!("BEGIN; {V6} PRAGMA user_version = 6; COMMIT;"))?;
    }
    if version < 7 {
        conn.execute_batch(&format!("BEGIN; {V7} PRAGMA user_version = 7; COMMIT;"))?;
    }
    if version < 8 {
        // Rebuilding a table other tables refer to: foreign keys off (a no-op inside a
        // transaction, so around it), every reference checked before the commit, on again
        // after whatever happened.
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        let upgrade = || -> Result<(), CatalogError> {
            conn.execute_batch(&format!("BEGIN; {V8}"))?;
            let broken: i64 =
                conn.query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
                    r.get(0)
                })?;
            if broken > 0 {
                return Err(CatalogError::Corrupt(format!(
                    "{broken} rows would refer to missing purge jobs after the schema upgrade"
                )));
            }
            conn.execute_batch("PRAGMA user_version = 8; COMMIT;")?;
            Ok(())
        };
        let done = upgrade();
        if done.is_err() {
            let _ = conn.execute_batch("ROLLBACK;");
        }
        conn.pragma_update(None, "foreign_keys", "ON")?;
        done?;
    }
    if version < 9 {
        conn.execute_batch(&format!("BEGIN; {V9} PRAGMA user_version = 9; COMMIT;"))?;
    }
    if version < 10 {
        conn.execute_batch(&format!("BEGIN; {V10} PRAGMA user_version = 10; COMMIT;"))?;
    }
    if version < 11 {
        conn.execute_batch(&format!("BEGIN; {V11} PRAGMA user_version = 11; COMMIT;"))?;
    }
    if version < 12 {
        conn.execute_batch(&format!("BEGIN; {V12} PRAGMA user_version = 12; COMMIT;"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_version_7_catalog_with_purge_jobs_upgrades_and_accepts_forecasts() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        for v in [
            super::V1,
            super::V2,
            super::V3,
            super::V4,
            super::V5,
            super::V6,
            super::V7,
        ] {
            conn.execute_batch(v).unwrap();
        }
        conn.pragma_update(None, "user_version", 7).unwrap();
        conn.execute_batch(
            "INSERT INTO purge_jobs VALUES ('PJ-1', 'certified', '2026-01-01', 'o', 't', 'l',
               'h', '[]', 'mh', '{}', 2, 'e', 'x', 's', 'f', NULL, 'COD-1');
             INSERT INTO purge_approvals VALUES ('PJ-1', 'a', 'mh', 't');
             INSERT INTO purge_items(job_id, doc_id, state) VALUES ('PJ-1', 'd1', 'destroyed');",
        )
        .unwrap();
        super::migrate(&conn).unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, super::SCHEMA_VERSION);
        let state: String = conn
            .query_row("SELECT state FROM purge_jobs WHERE id = 'PJ-1'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(state, "certified");
        conn.execute(
            "INSERT INTO purge_jobs(id, state, as_of, created_by, created_at, schedule_label,
               schedule_hash, manifest, manifest_hash, excluded, required_approvals,
               approvals_expire) VALUES ('PJ-2', 'forecast', '2040-01-01', 'o', 't', 'l', 'h',
               '[]', 'mh', '{}', 2, 'e')",
            [],
        )
        .unwrap();
        // Foreign keys are back on and still point at the rebuilt table.
        assert!(conn
            .execute(
                "INSERT INTO purge_items(job_id, doc_id, state) VALUES ('PJ-9', 'd', 'pending')",
                []
            )
            .is_err());
        conn.execute(
            "INSERT INTO purge_items(job_id, doc_id, state) VALUES ('PJ-2', 'd', 'pending')",
            [],
        )
        .unwrap();
    }

    #[test]
    fn blob_use_lookups_are_indexed() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        super::migrate(&conn).unwrap();
        let plan: Vec<String> = conn
            .prepare(
                "EXPLAIN QUERY PLAN SELECT (SELECT COUNT(*) FROM pages WHERE words_blob = ?1)
                      + (SELECT COUNT(*) FROM pages WHERE image_blob = ?1)
                      + (SELECT COUNT(*) FROM scan_files WHERE blob = ?1)
                      + (SELECT COUNT(*) FROM documents WHERE scan_sha256 = ?1)",
            )
            .unwrap()
            .query_map(["x"], |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(
            plan.iter()
                .all(|p| !p.starts_with("SCAN ") || p == "SCAN CONSTANT ROW"),
            "full table scans: {plan:?}"
        );
    }
}
