//! Building the export lines of contract §3 from the catalog.

use std::collections::HashMap;

use crate::catalog::{Catalog, CatalogError, ScanRow};
use crate::model::export::EXPORT_VERSION;
use crate::model::{
    DocumentRecord, ExportDocument, ExportPage, ExportRetention, ExportScan, ExportSource,
};
use crate::retention::Decision;

pub fn scan_line(row: &ScanRow) -> ExportScan {
    ExportScan {
        v: EXPORT_VERSION,
        kind: "scan".into(),
        source: ExportSource {
            path: row.source_path.clone(),
            sha256: row.sha256.clone(),
            pages: None,
        },
        page_count: row.page_count,
        separator_pages: row.separator_pages.clone(),
        blank_pages: row.blank_pages.clone(),
        documents: row.documents.clone(),
        status: row.status.clone(),
        error: row.error.clone(),
    }
}

/// The contract's retention object from a decision (`None`: never computed, which only an
/// archive from before retention existed can show: reported as indeterminate).
pub fn retention_line(decision: Option<&Decision>) -> ExportRetention {
    match decision {
        Some(d) => ExportRetention {
            class: d.class.clone(),
            status: d.status.as_str().into(),
            eligible_on: d.eligible_on.map(|e| e.to_string()),
            binding_rule: d.binding_rule.clone(),
            retain_through: d.retain_through.map(|e| e.to_string()),
            missing: d.missing.clone(),
            schedule: Some(d.schedule.clone()),
            as_of: Some(d.as_of.to_string()),
            certificate_id: None,
        },
        None => ExportRetention {
            class: "UNASSIGNED".into(),
            status: "indeterminate".into(),
            eligible_on: None,
            binding_rule: Some("retention not computed yet".into()),
            retain_through: None,
            missing: vec![],
            schedule: None,
            as_of: None,
            certificate_id: None,
        },
    }
}

pub fn document_line(d: &DocumentRecord, decision: Option<&Decision>) -> ExportDocument {
    ExportDocument {
        v: EXPORT_VERSION,
        kind: "document".into(),
        doc_id: d.doc_id.clone(),
        source: ExportSource {
            path: d.source_path.clone(),
            sha256: Some(d.scan_sha256.clone()),
            pages: Some(d.page_numbers()),
        },
        doc_type: d.doc_type.as_str().into(),
        doc_type_confidence: d.doc_type_confidence,
        patient: d.patient.clone(),
        service_date: d.service_date.clone(),
        pages: d
            .pages
            .iter()
            .map(|p| ExportPage {
                source_page: p.page_no,
                rotation_deg: p.rotation_deg,
                skew_deg: p.skew_deg,
                ocr_confidence: p.ocr_confidence,
                text: p.text.clone(),
                text_source: p.text_source,
            })
            .collect(),
        retention: retention_line(decision.or(d.retention.as_ref())),
    }
}

/// Calls `emit` with every export line (scans, then documents) as JSON.
pub fn tombstone_line(t: &crate::catalog::Tombstone) -> crate::model::export::ExportTombstone {
    crate::model::export::ExportTombstone {
        v: EXPORT_VERSION,
        kind: "document".into(),
        doc_id: t.doc_id.clone(),
        doc_type: t.doc_type.clone(),
        retention: ExportRetention {
            class: t.class.clone(),
            status: "destroyed".into(),
            eligible_on: None,
            binding_rule: None,
            retain_through: None,
            missing: vec![],
            schedule: None,
            as_of: None,
            certificate_id: Some(t.certificate_id.clone()),
        },
    }
}

/// `decisions`: retention as of the export date, by document id (documents missing from
/// it use their stored decision).
pub fn export_all(
    catalog: &Catalog,
    decisions: &HashMap<String, Decision>,
    mut emit: impl FnMut(String) -> std::io::Result<()>,
) -> Result<(usize, usize), ExportError> {
    let scans = catalog.scans()?;
    for row in &scans {
        emit(serde_json::to_string(&scan_line(row))?)?;
    }
    let ids = catalog.all_doc_ids()?;
    for id in &ids {
        if let Some(t) = catalog.tombstone(id)? {
            emit(serde_json::to_string(&tombstone_line(&t))?)?;
        } else if let Some(d) = catalog.document(id)? {
            emit(serde_json::to_string(&document_line(
                &d,
                decisions.get(id),
            ))?)?;
        }
    }
    Ok((scans.len(), ids.len()))
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("cannot serialize export line: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot write export: {0}")]
    Io(#[from] std::io::Error),
}
