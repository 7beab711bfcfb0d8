//! Building the export lines of contract §3 from the catalog.

use crate::catalog::{Catalog, CatalogError, ScanRow};
use crate::model::export::EXPORT_VERSION;
use crate::model::{
    DocType, DocumentRecord, ExportDocument, ExportPage, ExportRetention, ExportScan, ExportSource,
};

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

/// Retention as far as it is known without a schedule: unclassified documents map to the
/// UNCLASSIFIED class, which is never eligible (retention.md §2.1).
fn retention_of(doc_type: DocType) -> ExportRetention {
    match doc_type {
        DocType::Unclassified => ExportRetention {
            class: "UNCLASSIFIED".into(),
            status: "indeterminate".into(),
            eligible_on: None,
            binding_rule: Some("unclassified documents are never eligible".into()),
        },
        _ => ExportRetention {
            class: "UNASSIGNED".into(),
            status: "indeterminate".into(),
            eligible_on: None,
            binding_rule: Some("no retention schedule loaded".into()),
        },
    }
}

pub fn document_line(d: &DocumentRecord) -> ExportDocument {
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
            })
            .collect(),
        retention: retention_of(d.doc_type),
    }
}

/// Calls `emit` with every export line (scans, then documents) as JSON.
pub fn export_all(
    catalog: &Catalog,
    mut emit: impl FnMut(String) -> std::io::Result<()>,
) -> Result<(usize, usize), ExportError> {
    let scans = catalog.scans()?;
    for row in &scans {
        emit(serde_json::to_string(&scan_line(row))?)?;
    }
    let ids = catalog.all_doc_ids()?;
    for id in &ids {
        if let Some(d) = catalog.document(id)? {
            emit(serde_json::to_string(&document_line(&d))?)?;
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
