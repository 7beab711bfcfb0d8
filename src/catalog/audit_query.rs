//! Reading the audit log the way a privacy officer asks: by user, action, date range and
//! patient, a page at a time (newest first, then older pages by sequence number), and the
//! subjects of entries put in words (which patient a `mrn:` tag or a document id stands for).

use rusqlite::{params_from_iter, types::Value, OptionalExtension};

use super::audit::AuditEntry;
use super::{Catalog, CatalogError};
use crate::keys::doc_key_id;

/// Which entries to read. Every filter given must hold.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub user: Option<String>,
    pub action: Option<String>,
    /// `at` from this instant on (RFC 3339 text compares in time order).
    pub at_from: Option<String>,
    /// `at` before this instant.
    pub at_before: Option<String>,
    /// Only entries older than this sequence number (the next page back).
    pub before_seq: Option<i64>,
    /// A patient: entries whose subject is one of these (`mrn:` tag, document ids), or that
    /// list one of the documents in their detail (`returned` of a search, `documents` of a
    /// release, a hold's view, the QA queue) or the patient's tag (`patients` of a lookup).
    pub patient: Option<PatientSubjects>,
    pub limit: usize,
}

#[derive(Debug, Clone, Default)]
pub struct PatientSubjects {
    pub subjects: Vec<String>,
    pub doc_ids: Vec<String>,
}

/// What an entry's subject stands for, in words a person reads.
#[derive(Debug, Clone, PartialEq)]
pub enum SubjectOf {
    Patient {
        mrn: String,
        name: Option<String>,
    },
    Scan {
        source_path: String,
    },
    Document {
        doc_type: String,
        service_date: Option<String>,
        mrn: Option<String>,
        name: Option<String>,
        destroyed: bool,
    },
}

impl Catalog {
    /// The newest `limit` entries that pass the filter, oldest first.
    pub fn audit_search(&self, f: &AuditFilter) -> Result<Vec<AuditEntry>, CatalogError> {
        let mut sql = String::from(
            "SELECT seq, at, user, action, subject, detail, prev_hash, hash FROM audit_log WHERE 1",
        );
        let mut args: Vec<Value> = Vec::new();
        let mut arg = |sql: &mut String, clause: &str, v: Value| {
            args.push(v);
            sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
        };
        if let Some(u) = &f.user {
            arg(&mut sql, " AND user = ?", Value::Text(u.clone()));
        }
        if let Some(a) = &f.action {
            arg(&mut sql, " AND action = ?", Value::Text(a.clone()));
        }
        if let Some(t) = &f.at_from {
            arg(&mut sql, " AND at >= ?", Value::Text(t.clone()));
        }
        if let Some(t) = &f.at_before {
            arg(&mut sql, " AND at < ?", Value::Text(t.clone()));
        }
        if let Some(s) = f.before_seq {
            arg(&mut sql, " AND seq < ?", Value::Integer(s));
        }
        if let Some(p) = &f.patient {
            // Parameters for the subject list and the document list, each used once.
            let list = |args: &mut Vec<Value>, items: &[String]| -> String {
                if items.is_empty() {
                    return "NULL".into();
                }
                items
                    .iter()
                    .map(|s| {
                        args.push(Value::Text(s.clone()));
                        format!("?{}", args.len())
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let mut subjects = p.subjects.clone();
            subjects.extend(p.doc_ids.iter().cloned());
            let subj = list(&mut args, &subjects);
            let docs = list(&mut args, &p.doc_ids);
            let tags = list(&mut args, &p.subjects);
            sql.push_str(&format!(
                " AND (subject IN ({subj}) OR (json_valid(detail) AND (
                    EXISTS (SELECT 1 FROM json_each(detail, '$.returned') WHERE value IN ({docs}))
                    OR EXISTS (SELECT 1 FROM json_each(detail, '$.documents')
                               WHERE value IN ({docs}))
                    OR EXISTS (SELECT 1 FROM json_each(detail, '$.patients')
                               WHERE value IN ({tags})))))"
            ));
        }
        args.push(Value::Integer(f.limit as i64));
        sql.push_str(&format!(" ORDER BY seq DESC LIMIT ?{}", args.len()));
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), super::audit::entry_row)?;
        let mut v = rows.collect::<Result<Vec<_>, _>>()?;
        v.reverse();
        Ok(v)
    }

    /// Every document (live or destroyed) of the patient with this MRN tag.
    pub fn doc_ids_of_tag(&self, tag: &str) -> Result<Vec<String>, CatalogError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT doc_id FROM documents WHERE mrn_tag = ?1 ORDER BY doc_id")?;
        let ids = stmt
            .query_map([tag], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(ids)
    }

    /// The patient an audit subject `mrn:<first 16 of the tag>` stands for, from a live
    /// document of theirs; `None` when no live document carries the MRN any more.
    pub fn patient_of_tag_prefix(&self, prefix: &str) -> Result<Option<SubjectOf>, CatalogError> {
        let row: Option<(String, Option<String>, Option<String>)> = self
            .conn
            .query_row(
                "SELECT doc_id, mrn, patient_name FROM documents
                 WHERE substr(mrn_tag, 1, ?2) = ?1 AND mrn IS NOT NULL
                   AND COALESCE(retention_status, '') <> 'destroyed'
                 ORDER BY created_at DESC LIMIT 1",
                rusqlite::params![prefix, prefix.len() as i64],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((doc_id, mrn, name)) = row else {
            return Ok(None);
        };
        let key = doc_key_id(&doc_id);
        let Some(mrn) = self.keys.open_text(&key, mrn)? else {
            return Ok(None);
        };
        Ok(Some(SubjectOf::Patient {
            mrn,
            name: self.keys.open_text(&key, name)?,
        }))
    }

    /// The document an audit subject names, with its patient while it is live.
    pub fn document_subject(&self, doc_id: &str) -> Result<Option<SubjectOf>, CatalogError> {
        type Row = (
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let row: Option<Row> = self
            .conn
            .query_row(
                "SELECT doc_type, service_date, mrn, patient_name, retention_status
                 FROM documents WHERE doc_id = ?1",
                [doc_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let Some((doc_type, service_date, mrn, name, status)) = row else {
            return Ok(None);
        };
        let destroyed = status.as_deref() == Some("destroyed");
        let key = doc_key_id(doc_id);
        // A destroyed document's fields are erased and its key shredded: nothing to open.
        let open = |v: Option<String>| -> Result<Option<String>, CatalogError> {
            if destroyed {
                return Ok(None);
            }
            Ok(self.keys.open_text(&key, v)?)
        };
        Ok(Some(SubjectOf::Document {
            doc_type,
            service_date,
            mrn: open(mrn)?,
            name: open(name)?,
            destroyed,
        }))
    }

    /// The scan an audit subject (its SHA-256) names: where it came from.
    pub fn scan_subject(&self, sha256: &str) -> Result<Option<SubjectOf>, CatalogError> {
        let path: Option<String> = self
            .conn
            .query_row(
                "SELECT source_path FROM scans WHERE sha256 = ?1 ORDER BY id DESC LIMIT 1",
                [sha256],
                |r| r.get(0),
            )
            .optional()?;
        Ok(path.map(|source_path| SubjectOf::Scan { source_path }))
    }
}
