//! The archive's operations, written once for every front door. `cli/` and `web/` are
//! adapters: they parse, call one function here, and print or serialise its typed answer.
//! Each function checks the actor's permission, validates its input and leaves its audit
//! entry; a failure is a [`ServiceError`] whose [`Code`] gives the HTTP status and the CLI
//! exit code.
//!
//! Who may take the archive writer: only the functions here that change the record, for
//! as long as one change takes (an ingest takes it per scan commit, never for an OCR run).

pub mod audit;
pub mod documents;
pub mod error;
pub mod holds;
pub mod ingest;
pub mod maintenance;
pub mod pages;
pub mod patients;
pub mod purge;
pub mod quarantine;
pub mod releases;
pub mod retention;
pub mod review;
pub mod search;
pub mod sessions;
pub mod users;

pub use error::{Code, ServiceError};

use crate::access::{Permission, Role};
use crate::archive::Archive;
use crate::model::DocumentRecord;

/// Who asks: a web user with a role, or the operator at the console (the CLI runs as an
/// account that can open the archive folder and its key store, so it holds every
/// permission; two-person rules still apply to it by name).
#[derive(Debug, Clone)]
pub struct Actor {
    pub name: String,
    role: Option<Role>,
}

impl Actor {
    pub fn user(name: &str, role: Role) -> Actor {
        Actor {
            name: name.to_string(),
            role: Some(role),
        }
    }

    pub fn operator(name: &str) -> Actor {
        Actor {
            name: name.to_string(),
            role: None,
        }
    }

    pub fn role(&self) -> Option<Role> {
        self.role
    }

    pub fn require(&self, p: Permission) -> Result<(), ServiceError> {
        match self.role {
            None => Ok(()),
            Some(role) if role.can(p) => Ok(()),
            Some(role) => Err(ServiceError::new(
                Code::Forbidden,
                format!(
                    "your role ({}) does not allow this (needs permission {})",
                    role.as_str(),
                    p.as_str()
                ),
            )),
        }
    }
}

/// Which front door asks: the audit log names it, and the web keeps answers small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    Cli,
    Web,
}

impl Door {
    pub fn as_str(self) -> &'static str {
        match self {
            Door::Cli => "cli",
            Door::Web => "web",
        }
    }
}

/// A document that exists and was not destroyed (a destroyed one answers [`Code::Gone`]
/// with its certificate of destruction).
pub fn live_document(a: &Archive, id: &str) -> Result<DocumentRecord, ServiceError> {
    if let Some(t) = a.catalog.tombstone(id)? {
        return Err(ServiceError::gone(
            &t.doc_id,
            &t.certificate_id,
            &t.destroyed_at,
        ));
    }
    a.catalog
        .document(id)?
        .ok_or_else(|| ServiceError::not_found(format!("no document with id {id}")))
}

/// A document's pages as a PDF builder takes them: each page image with its OCR words (pages
/// without an image are left out). Release PDFs and the document download share it.
pub fn pdf_pages(
    a: &Archive,
    doc_id: &str,
) -> Result<Vec<crate::release::ReleasePage>, ServiceError> {
    let mut pages = Vec::new();
    for v in a.catalog.page_views(doc_id)? {
        let Some(image) = &v.image_blob else { continue };
        pages.push(crate::release::ReleasePage {
            words: page_words(a, doc_id, v.page_no, v.words_blob.as_deref())?,
            jpeg: a.store.get(image)?,
            width_px: v.width_px,
            height_px: v.height_px,
            dpi: v.dpi,
        });
    }
    Ok(pages)
}

/// The OCR words of a page from its blob; damaged words are an error, never an empty page
/// (a release PDF without its text layer, or a viewer without hit boxes, would pass as
/// complete).
pub fn page_words(
    a: &Archive,
    doc_id: &str,
    page_no: u32,
    blob: Option<&str>,
) -> Result<Vec<crate::model::OcrWord>, ServiceError> {
    let Some(blob) = blob else {
        return Ok(Vec::new());
    };
    // The parser's message can quote a word of the page: only its position is kept.
    serde_json::from_slice(&a.store.get(blob)?).map_err(|e| {
        ServiceError::internal(format!(
            "the word boxes of page {page_no} of document {doc_id} are damaged (unreadable \
             at line {}, column {})",
            e.line(),
            e.column()
        ))
    })
}
