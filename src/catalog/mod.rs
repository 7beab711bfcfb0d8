//! The catalog: SQLite source of truth for scans, pages, documents and events.
//!
//! Input: committed scans from the pipeline ([`ScanCommit`]), quarantine records. Output:
//! [`DocumentRecord`]s and scan rows for export, index and `show`. Every scan is committed
//! in one transaction (WAL, synchronous=FULL), so a crash leaves a scan either fully
//! recorded or absent. The search index is derived from here (`indexed` marks what the
//! index has committed).

mod audit;
mod audit_query;
mod disclosures;
mod json;
mod purge;
mod resplit;
mod retention;
mod review;
mod saved;
mod schema;
mod shredded;
mod users;

pub use crate::model::PageView;
pub use audit::{AuditEntry, AuditVerification};
pub use audit_query::{AuditFilter, PatientSubjects, SubjectOf};
pub use disclosures::{DisclosedDocument, Disclosure, NewDisclosure, ReleaseReplay};
pub use purge::{purge_sha256, JobRow, ManifestEntry, NewPurgeJob, PurgeItem, Tombstone};
pub use resplit::{DocumentRewrite, PageMove, Regrouping, ScanLayout};
pub use retention::RetentionRow;
pub use review::{ModelRow, PageReading, ReviewItem};
pub use users::{AccountChange, UserChange};
pub use users::{Session, User};

use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::Arc;

use crate::keys::{doc_key_id, scan_key_id, KeyError, KeyStore};

use crate::model::{DocType, DocumentDraft, DocumentRecord, PageKind, PageRecord, Patient};

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("catalog database error: {0}")]
    Sql(rusqlite::Error),
    #[error("catalog record is damaged: {0}")]
    Corrupt(String),
    #[error("catalog is from a newer ChartVault (schema {found}, this build knows {known})")]
    TooNew { found: i64, known: i64 },
    #[error(transparent)]
    Keys(#[from] KeyError),
}

impl From<rusqlite::Error> for CatalogError {
    fn from(e: rusqlite::Error) -> CatalogError {
        match e {
            // A JSON column that did not parse inside a row mapper (`json::column`).
            rusqlite::Error::FromSqlConversionFailure(_, _, inner)
                if inner.downcast_ref::<CatalogError>().is_some() =>
            {
                match inner.downcast::<CatalogError>() {
                    Ok(c) => *c,
                    Err(other) => CatalogError::Corrupt(other.to_string()),
                }
            }
            other => CatalogError::Sql(other),
        }
    }
}

/// One page as committed.
#[derive(Debug, Clone)]
pub struct PageCommit {
    pub page_no: u32,
    pub kind: PageKind,
    pub doc_id: Option<String>,
    pub dpi: u32,
    pub width_px: u32,
    pub height_px: u32,
    pub rotation_deg: u32,
    pub skew_deg: f32,
    pub barcode: Option<String>,
    pub ocr_confidence: Option<f32>,
    pub text: Option<String>,
    pub text_source: crate::model::TextSource,
    pub words_blob: Option<String>,
    pub image_blob: Option<String>,
    /// What reading the page found doubtful.
    pub doubts: Vec<crate::model::ReviewFlag>,
}

/// A quarantined scan as the catalog lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct QuarantineRecord {
    pub sha256: Option<String>,
    pub source_path: String,
    pub reason: String,
    pub at: String,
    /// The sealed original in the store, when it was kept.
    pub blob: Option<String>,
}

/// Everything recorded for one successfully ingested scan.
#[derive(Debug, Clone)]
pub struct ScanCommit {
    pub sha256: String,
    pub source_path: String,
    /// Original bytes in the store: one blob for a file, one per file for a folder batch.
    pub files: Vec<(String, String)>,
    pub pages: Vec<PageCommit>,
    pub documents: Vec<DocumentDraft>,
    /// When the scan is committed (RFC 3339, UTC): its `ingested_at`, and the day its
    /// documents' retention was assigned from, read once so the two cannot straddle midnight.
    pub committed_at: String,
    /// Each document's retention decision, assigned before the commit and stored in its
    /// transaction (a crash never leaves a committed document without one).
    pub retention: Vec<(String, crate::model::retention::Decision)>,
}

/// A scan row as exported.
#[derive(Debug, Clone)]
pub struct ScanRow {
    pub sha256: Option<String>,
    pub source_path: String,
    pub status: String,
    pub error: Option<String>,
    pub page_count: u32,
    pub separator_pages: Vec<u32>,
    pub blank_pages: Vec<u32>,
    pub documents: Vec<String>,
}

pub struct Catalog {
    conn: Connection,
    /// Keys sealing patient fields and page text (crypto-shredding).
    keys: Arc<KeyStore>,
    path: std::path::PathBuf,
    /// Who the audit log names for what this process does (`--user`).
    actor: String,
}

fn now() -> String {
    crate::clock::now_rfc3339()
}

impl Catalog {
    pub fn open(path: &Path, keys: Arc<KeyStore>) -> Result<Catalog, CatalogError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Deleted content is overwritten, not left in free pages (purges must erase).
        conn.pragma_update(None, "secure_delete", "ON")?;
        schema::migrate(&conn)?;
        // Audit entries from here on are keyed (the first open of an archive from before
        // audit keys anchors the key at the next entry).
        let next: i64 =
            conn.query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log", [], |r| {
                r.get(0)
            })?;
        keys.anchor_audit(next)?;
        let catalog = Catalog {
            conn,
            keys,
            path: path.to_path_buf(),
            actor: "system".into(),
        };
        catalog.tag_legacy_mrns()?;
        Ok(catalog)
    }

    pub fn keys(&self) -> &Arc<KeyStore> {
        &self.keys
    }

    /// Documents recorded before MRNs were sealed get their look-up tag.
    fn tag_legacy_mrns(&self) -> Result<(), CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT doc_id, mrn FROM documents WHERE mrn IS NOT NULL AND mrn_tag IS NULL",
        )?;
        let rows: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (id, mrn) in rows {
            if let Some(mrn) = self.keys.open_text(&doc_key_id(&id), Some(mrn))? {
                self.conn.execute(
                    "UPDATE documents SET mrn_tag = ?2 WHERE doc_id = ?1",
                    params![id, self.keys.mrn_tag(&mrn)],
                )?;
            }
        }
        Ok(())
    }

    /// Copies the write-ahead log into the database and empties it, so no old page
    /// versions (of erased content) linger in `catalog.db-wal`.
    pub fn checkpoint(&self) -> Result<(), CatalogError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// A consistent copy of the catalog while it is in use (SQLite online backup).
    pub fn backup_to(&self, dest: &Path) -> Result<(), CatalogError> {
        let mut out = Connection::open(dest)?;
        let b = rusqlite::backup::Backup::new(&self.conn, &mut out)?;
        b.run_to_completion(256, std::time::Duration::from_millis(5), None)?;
        Ok(())
    }

    /// Sets who the audit log names for this process's actions.
    pub fn set_actor(&mut self, user: &str) {
        self.actor = user.to_string();
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Status of a scan with these bytes, if any (`ingested` or `quarantined`).
    pub fn scan_status(
        &self,
        sha256: &str,
    ) -> Result<Option<crate::model::ScanStatus>, CatalogError> {
        let status: Option<String> = self
            .conn
            .query_row(
                "SELECT status FROM scans WHERE sha256 = ?1",
                [sha256],
                |r| r.get(0),
            )
            .optional()?;
        status
            .map(|s| {
                crate::model::ScanStatus::parse(&s).ok_or_else(|| {
                    CatalogError::Corrupt(format!("scan {sha256} has an unknown status {s:?}"))
                })
            })
            .transpose()
    }

    /// Records a scan, its pages and documents in one transaction.
    pub fn commit_scan(&mut self, scan: &ScanCommit) -> Result<(), CatalogError> {
        self.commit_scans(std::slice::from_ref(scan))
    }

    /// Records several scans in one transaction (all or none).
    pub fn commit_scans(&mut self, scans: &[ScanCommit]) -> Result<(), CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut head = None;
        for scan in scans {
            head = Some(insert_scan(&tx, &self.keys, &self.actor, scan)?);
        }
        tx.commit()?;
        if let Some((seq, hash)) = head {
            self.write_head(seq, &hash);
        }
        Ok(())
    }

    /// Quarantined scans, newest first: (sha256, source path, reason, when, sealed blob).
    pub fn quarantined(&self) -> Result<Vec<QuarantineRecord>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT s.sha256, s.source_path, s.error, s.ingested_at, f.blob
             FROM scans s LEFT JOIN scan_files f ON f.scan_sha256 = s.sha256 AND f.seq = 0
             WHERE s.status = 'quarantined' ORDER BY s.ingested_at DESC, s.id DESC",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(QuarantineRecord {
                    sha256: r.get(0)?,
                    source_path: r.get(1)?,
                    reason: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    at: r.get(3)?,
                    blob: r.get(4)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Removes a quarantine record whose sealed copy can no longer be read (its key was
    /// destroyed after the backup it came back from), audited as `restore_shredded`.
    pub fn forget_quarantined(&mut self, sha256: &str, user: &str) -> Result<bool, CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "DELETE FROM scans WHERE sha256 = ?1 AND status = 'quarantined'",
            [sha256],
        )?;
        if n == 0 {
            return Ok(false);
        }
        let (seq, hash) = audit::append_tx(
            &tx,
            &self.keys,
            user,
            "restore_shredded",
            sha256,
            &serde_json::json!({}),
        )?;
        tx.commit()?;
        self.write_head(seq, &hash);
        Ok(true)
    }

    /// Records a quarantined scan (replacing an earlier quarantine of the same scan).
    pub fn record_quarantine(
        &mut self,
        sha256: Option<&str>,
        source_path: &str,
        reason: &str,
        original: Option<(String, String)>,
    ) -> Result<(), CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let at = now();
        match sha256 {
            Some(h) => tx.execute(
                "DELETE FROM scans WHERE sha256 = ?1 AND status = 'quarantined'",
                [h],
            )?,
            None => tx.execute(
                "DELETE FROM scans WHERE sha256 IS NULL AND source_path = ?1",
                [source_path],
            )?,
        };
        tx.execute(
            "INSERT INTO scans(sha256, source_path, status, error, page_count, ingested_at)
             VALUES (?1, ?2, 'quarantined', ?3, 0, ?4)",
            params![sha256, source_path, reason, at],
        )?;
        // The sealed original: a blob like an archived scan's, so backups copy it.
        if let (Some(h), Some((name, blob))) = (sha256, original) {
            tx.execute(
                "INSERT INTO scan_files(scan_sha256, seq, name, blob) VALUES (?1, 0, ?2, ?3)",
                params![h, name, blob],
            )?;
        }
        tx.execute(
            "INSERT INTO events(at, kind, subject, detail) VALUES (?1, 'scan_quarantined', ?2, NULL)",
            params![at, sha256.unwrap_or("-")],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn mark_indexed(&mut self, doc_ids: &[String], indexed: bool) -> Result<(), CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for id in doc_ids {
            tx.execute(
                "UPDATE documents SET indexed = ?2 WHERE doc_id = ?1",
                params![id, indexed as i64],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn mark_all_unindexed(&mut self) -> Result<(), CatalogError> {
        self.conn.execute(
            "UPDATE documents SET indexed = 0 WHERE COALESCE(retention_status, '') <> 'destroyed'",
            [],
        )?;
        Ok(())
    }

    pub fn unindexed_doc_ids(&self) -> Result<Vec<String>, CatalogError> {
        self.ids(
            "SELECT doc_id FROM documents WHERE indexed = 0
             AND COALESCE(retention_status, '') <> 'destroyed' ORDER BY rowid",
        )
    }

    /// Documents not destroyed (what the index should hold).
    pub fn live_doc_ids(&self) -> Result<Vec<String>, CatalogError> {
        self.ids(
            "SELECT doc_id FROM documents WHERE COALESCE(retention_status, '') <> 'destroyed'
             ORDER BY rowid",
        )
    }

    pub fn all_doc_ids(&self) -> Result<Vec<String>, CatalogError> {
        self.ids("SELECT doc_id FROM documents ORDER BY rowid")
    }

    fn ids(&self, sql: &str) -> Result<Vec<String>, CatalogError> {
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn count_documents(&self) -> Result<u64, CatalogError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM documents", [], |r| r.get::<_, i64>(0))?
            as u64)
    }

    /// A document with its pages, or `None` if there is no such document.
    pub fn document(&self, doc_id: &str) -> Result<Option<DocumentRecord>, CatalogError> {
        let head = self
            .conn
            .query_row(
                "SELECT d.scan_sha256, s.source_path, d.doc_type, d.doc_type_confidence, d.mrn,
                        d.patient_name, d.dob, d.service_date, d.retention
                 FROM documents d JOIN scans s ON s.sha256 = d.scan_sha256
                 WHERE d.doc_id = ?1",
                [doc_id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, f64>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, Option<String>>(7)?,
                        r.get::<_, Option<String>>(8)?,
                    ))
                },
            )
            .optional()?;
        let Some((
            scan_sha256,
            source_path,
            doc_type,
            conf,
            mrn,
            name,
            dob,
            service_date,
            retention,
        )) = head
        else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT page_no, rotation_deg, skew_deg, ocr_confidence, text, words_blob, image_blob,
                    text_source
             FROM pages WHERE doc_id = ?1 ORDER BY page_no",
        )?;
        let rows = stmt
            .query_map([doc_id], |r| {
                Ok((
                    PageRecord {
                        page_no: r.get(0)?,
                        rotation_deg: r.get(1)?,
                        skew_deg: r.get::<_, f64>(2)? as f32,
                        ocr_confidence: r.get::<_, Option<f64>>(3)?.unwrap_or(0.0) as f32,
                        text: String::new(),
                        words_blob: r.get(5)?,
                        image_blob: r.get(6)?,
                        text_source: {
                            let v: String = r.get(7)?;
                            crate::model::TextSource::parse(&v).ok_or_else(|| {
                                rusqlite::Error::FromSqlConversionFailure(
                                    7,
                                    rusqlite::types::Type::Text,
                                    format!("unknown text source {v:?}").into(),
                                )
                            })?
                        },
                    },
                    r.get::<_, Option<String>>(4)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let key = doc_key_id(doc_id);
        let open = |v: Option<String>| self.keys.open_text(&key, v);
        let mut pages = Vec::with_capacity(rows.len());
        for (mut page, text) in rows {
            page.text = open(text)?.unwrap_or_default();
            pages.push(page);
        }
        let (mrn, name, dob) = (open(mrn)?, open(name)?, open(dob)?);
        Ok(Some(DocumentRecord {
            doc_id: doc_id.to_string(),
            scan_sha256,
            source_path,
            doc_type: DocType::parse(&doc_type).unwrap_or(DocType::Unclassified),
            doc_type_confidence: conf as f32,
            patient: Patient { mrn, name, dob },
            service_date,
            pages,
            retention: json::retention(retention.as_deref(), doc_id)?,
        }))
    }

    /// Every scan, in ingest order, with page kinds and document ids.
    pub fn scans(&self) -> Result<Vec<ScanRow>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT sha256, source_path, status, error, page_count FROM scans ORDER BY id",
        )?;
        let mut rows: Vec<ScanRow> = stmt
            .query_map([], |r| {
                Ok(ScanRow {
                    sha256: r.get(0)?,
                    source_path: r.get(1)?,
                    status: r.get(2)?,
                    error: r.get(3)?,
                    page_count: r.get(4)?,
                    separator_pages: vec![],
                    blank_pages: vec![],
                    documents: vec![],
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut kinds = self
            .conn
            .prepare("SELECT page_no, kind FROM pages WHERE scan_sha256 = ?1 ORDER BY page_no")?;
        let mut docs = self
            .conn
            .prepare("SELECT doc_id FROM documents WHERE scan_sha256 = ?1 ORDER BY seq")?;
        for row in rows.iter_mut() {
            let Some(sha) = row.sha256.clone() else {
                continue;
            };
            for k in kinds.query_map([&sha], |r| {
                Ok((r.get::<_, u32>(0)?, r.get::<_, String>(1)?))
            })? {
                let (page, kind) = k?;
                match PageKind::parse(&kind) {
                    Some(PageKind::Separator) | Some(PageKind::DocSeparator) => {
                        row.separator_pages.push(page)
                    }
                    Some(PageKind::Blank) => row.blank_pages.push(page),
                    _ => {}
                }
            }
            row.documents = docs
                .query_map([&sha], |r| r.get::<_, String>(0))?
                .collect::<Result<_, _>>()?;
        }
        Ok(rows)
    }

    /// Blob hashes referenced by the catalog (originals, words, page images).
    pub fn referenced_blobs(&self) -> Result<Vec<(String, String)>, CatalogError> {
        let mut out = Vec::new();
        let mut stmt = self
            .conn
            .prepare("SELECT name, blob FROM scan_files ORDER BY scan_sha256, seq")?;
        for r in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let (name, blob) = r?;
            out.push((format!("original {name}"), blob));
        }
        let mut stmt = self.conn.prepare(
            "SELECT scan_sha256, page_no, words_blob, image_blob FROM pages ORDER BY scan_sha256, page_no",
        )?;
        for r in stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })? {
            let (scan, page, words, image) = r?;
            let short = &scan[..scan.len().min(12)];
            if let Some(w) = words {
                out.push((format!("words of scan {short} page {page}"), w));
            }
            if let Some(i) = image {
                out.push((format!("image of scan {short} page {page}"), i));
            }
        }
        Ok(out)
    }

    /// Original file blobs of a scan: (file name, blob hash), in page order.
    /// Original files of a scan with their position: (seq, name, blob).
    pub fn scan_file_rows(&self, sha256: &str) -> Result<Vec<(u32, String, String)>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, name, blob FROM scan_files WHERE scan_sha256 = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([sha256], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub fn scan_files(&self, sha256: &str) -> Result<Vec<(String, String)>, CatalogError> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, blob FROM scan_files WHERE scan_sha256 = ?1 ORDER BY seq")?;
        let rows = stmt.query_map([sha256], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// A page row as read back for evaluation and the viewer.
#[derive(Debug, Clone)]
pub struct PageRow {
    pub page_no: u32,
    pub kind: PageKind,
    pub rotation_deg: u32,
    pub skew_deg: f32,
    pub text: Option<String>,
    pub doc_id: Option<String>,
}

impl Catalog {
    /// Every page of a scan, in page order.
    pub fn pages_of_scan(&self, sha256: &str) -> Result<Vec<PageRow>, CatalogError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT page_no, kind, rotation_deg, skew_deg, text, doc_id FROM pages
             WHERE scan_sha256 = ?1 ORDER BY page_no",
        )?;
        let rows = stmt.query_map([sha256], |r| {
            Ok(PageRow {
                page_no: r.get(0)?,
                kind: PageKind::parse(&r.get::<_, String>(1)?).unwrap_or(PageKind::Content),
                rotation_deg: r.get(2)?,
                skew_deg: r.get::<_, f64>(3)? as f32,
                text: r.get(4)?,
                doc_id: r.get(5)?,
            })
        })?;
        let mut pages: Vec<PageRow> = rows.collect::<Result<_, _>>()?;
        for p in pages.iter_mut() {
            let key = page_key_id(sha256, p.doc_id.as_deref());
            p.text = self.keys.open_text(&key, p.text.take())?;
        }
        Ok(pages)
    }
}

/// The key a page's text and images are sealed under: its document's, or for separator
/// sheets and blank backs, its scan's.
pub fn page_key_id(scan_sha256: &str, doc_id: Option<&str>) -> String {
    match doc_id {
        Some(d) => doc_key_id(d),
        None => scan_key_id(scan_sha256),
    }
}

/// Inserts one scan with its files, documents and pages, and its audit entry. The scan and
/// document keys exist already: the caller made them before sealing the scan's blobs.
fn insert_scan(
    tx: &rusqlite::Transaction,
    keys: &KeyStore,
    actor: &str,
    scan: &ScanCommit,
) -> Result<(i64, String), CatalogError> {
    let at = scan.committed_at.clone();
    tx.execute(
        "DELETE FROM scans WHERE sha256 = ?1 AND status = 'quarantined'",
        [&scan.sha256],
    )?;
    tx.execute(
        "INSERT INTO scans(sha256, source_path, status, error, page_count, ingested_at)
             VALUES (?1, ?2, 'ingested', NULL, ?3, ?4)",
        params![scan.sha256, scan.source_path, scan.pages.len() as i64, at],
    )?;
    for (seq, (name, blob)) in scan.files.iter().enumerate() {
        tx.execute(
            "INSERT INTO scan_files(scan_sha256, seq, name, blob) VALUES (?1, ?2, ?3, ?4)",
            params![scan.sha256, seq as i64, name, blob],
        )?;
    }
    for (seq, d) in scan.documents.iter().enumerate() {
        let key = doc_key_id(&d.doc_id);
        let seal = |v: &Option<String>| keys.seal_text(&key, v.as_deref());
        let decision = scan
            .retention
            .iter()
            .find(|(id, _)| *id == d.doc_id)
            .map(|(_, d)| d);
        tx.execute(
            "INSERT INTO documents(doc_id, scan_sha256, seq, doc_type, doc_type_confidence,
                   mrn, patient_name, dob, service_date, indexed, created_at,
                   boundary_confidence, review_flags, provenance, mrn_tag,
                   retention_class, retention_status, eligible_on, retention)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, ?11, ?12, ?13, ?14,
                         ?15, ?16, ?17, ?18)",
            params![
                d.doc_id,
                scan.sha256,
                seq as i64,
                d.doc_type.as_str(),
                d.doc_type_confidence,
                seal(&d.patient.mrn)?,
                seal(&d.patient.name)?,
                seal(&d.patient.dob)?,
                d.service_date,
                at,
                d.boundary_confidence,
                serde_json::to_string(&d.review).unwrap_or_else(|_| "[]".into()),
                serde_json::to_string(&d.provenance).unwrap_or_else(|_| "[]".into()),
                d.patient.mrn.as_deref().map(|m| keys.mrn_tag(m)),
                decision.map(|r| r.class.clone()),
                decision.map(|r| r.status.as_str()),
                decision.and_then(|r| r.eligible_on.map(|e| e.to_string())),
                decision.map(|r| serde_json::to_string(r).unwrap_or_default()),
            ],
        )?;
    }
    for p in &scan.pages {
        let key = page_key_id(&scan.sha256, p.doc_id.as_deref());
        tx.execute(
            "INSERT INTO pages(scan_sha256, page_no, kind, doc_id, dpi, width_px, height_px,
                   rotation_deg, skew_deg, barcode, ocr_confidence, text, words_blob, image_blob,
                   text_source, doubts)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            params![
                scan.sha256,
                p.page_no,
                p.kind.as_str(),
                p.doc_id,
                p.dpi,
                p.width_px,
                p.height_px,
                p.rotation_deg,
                p.skew_deg,
                keys.seal_text(&key, p.barcode.as_deref())?,
                p.ocr_confidence,
                keys.seal_text(&key, p.text.as_deref())?,
                p.words_blob,
                p.image_blob,
                p.text_source.as_str(),
                serde_json::to_string(&p.doubts).map_err(|e| CatalogError::Corrupt(format!(
                    "page {} doubts cannot be written: {e}",
                    p.page_no
                )))?
            ],
        )?;
    }
    let ids: Vec<&str> = scan.documents.iter().map(|d| d.doc_id.as_str()).collect();
    let (seq, hash) = audit::append_tx(
        tx,
        keys,
        actor,
        "ingest",
        &scan.sha256,
        &serde_json::json!({"pages": scan.pages.len(), "documents": ids}),
    )?;
    tx.execute(
        "INSERT INTO events(at, kind, subject, detail) VALUES (?1, 'scan_ingested', ?2, ?3)",
        params![
            at,
            scan.sha256,
            format!(
                "{} pages, {} documents",
                scan.pages.len(),
                scan.documents.len()
            )
        ],
    )?;
    Ok((seq, hash))
}
