//! ChartVault turns scanned paper medical charts into a searchable, compliant archive.
//!
//! # Data flow (one way)
//! ```text
//! ingest ──ScanInput──▶ imaging::decode ──PageImage──▶ imaging (blank, viewer image)
//!   ──▶ ocr ──PageResult──▶ split ──DocumentDraft──▶ store (blobs) ──▶ catalog (one
//!   transaction per scan) ──▶ index (tantivy, derived) ──▶ scan acknowledged
//! ```
//! `pipeline` is the only module that wires stages together; every type crossing a stage
//! boundary lives in `model`.
//!
//! # Glossary
//! - **scan**: one input as fed by the scanner: a PDF or TIFF file, an image, or a folder
//!   batch of page images. Identified by the SHA-256 of its bytes.
//! - **page**: one image of a scan, numbered from 1 in scan order.
//! - **document**: consecutive content pages of a scan that belong together (a discharge
//!   summary, a consent form), with a type and patient fields.
//! - **record**: an archived document as read back from the catalog.
//! - **quarantine**: where a scan that cannot be read goes, with its reason.

pub mod access;
pub mod archive;
pub mod catalog;
pub mod classify;
pub mod cli;
pub mod clock;
pub mod config;
pub mod corpus;
pub mod describe;
pub mod eval;
pub mod export;
pub mod extract;
pub mod imaging;
pub mod index;
pub mod ingest;
pub mod keys;
pub mod model;
pub mod ocr;
pub mod pipeline;
pub mod purge;
pub mod release;
pub mod retention;
pub mod scale;
pub mod scheduler;
pub mod service;
pub mod split;
pub mod store;
pub mod web;
