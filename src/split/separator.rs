//! Separator policy: what a barcode means, from the rules in `pipelines/*.toml`.

use image::GrayImage;
use regex::Regex;

use super::barcode::{read_barcodes_at, Effort};

use crate::config::{BarcodeAction, BarcodeRule};
use crate::model::{DocType, DocumentStart, PageKind};

#[derive(Debug, thiserror::Error)]
#[error("barcode rule {index}: invalid pattern {pattern:?}: {message}")]
pub struct RuleError {
    pub index: usize,
    pub pattern: String,
    pub message: String,
}

/// What the barcodes of one page decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarcodeVerdict {
    pub kind: PageKind,
    /// The barcode that decided it (or the first one read, if none matched a rule).
    pub barcode: Option<String>,
    /// For a patient separator: the MRN (the rule's `mrn` capture group).
    pub mrn: Option<String>,
    /// For a `document_start` code: the document it starts.
    pub start: Option<DocumentStart>,
}

pub struct SeparatorPolicy {
    rules: Vec<(Regex, BarcodeAction, Option<DocType>)>,
}

impl SeparatorPolicy {
    pub fn new(rules: &[BarcodeRule]) -> Result<SeparatorPolicy, RuleError> {
        let rules = rules
            .iter()
            .enumerate()
            .map(|(index, r)| {
                Regex::new(&r.pattern)
                    .map(|re| {
                        let doc_type = r.doc_type.as_deref().and_then(DocType::parse);
                        (re, r.action, doc_type)
                    })
                    .map_err(|e| RuleError {
                        index,
                        pattern: r.pattern.clone(),
                        message: e.to_string(),
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(SeparatorPolicy { rules })
    }

    /// Reads the barcodes of a page (reduced for barcodes, see
    /// [`super::barcode::reduced_for_barcodes`]) and judges them. A quick read goes first:
    /// when it finds a separator's code, that decides (a separator sheet carries one big
    /// level code, and the thorough read costs a separator sheet ~75 ms at 150 DPI as it
    /// searches around every code found); otherwise the thorough read decides, so pages
    /// without a code, content pages with small codes and skewed sheets are read as before.
    pub fn judge_page(&self, image: &GrayImage) -> BarcodeVerdict {
        let quick = self.judge(&read_barcodes_at(image, Effort::Quick));
        if matches!(quick.kind, PageKind::Separator | PageKind::DocSeparator) {
            return quick;
        }
        self.judge(&read_barcodes_at(image, Effort::Thorough))
    }

    /// Applies the first matching rule to the first barcode that matches any rule. A barcode
    /// that matches no rule is recorded but not acted on.
    pub fn judge(&self, barcodes: &[String]) -> BarcodeVerdict {
        for code in barcodes {
            for (re, action, doc_type) in &self.rules {
                let Some(caps) = re.captures(code) else {
                    continue;
                };
                let kind = match action {
                    BarcodeAction::PatientSeparator => PageKind::Separator,
                    BarcodeAction::DocumentSeparator => PageKind::DocSeparator,
                    BarcodeAction::Ignore | BarcodeAction::DocumentStart => PageKind::Content,
                };
                let mrn = caps.name("mrn").map(|m| m.as_str().to_string());
                let start = (*action == BarcodeAction::DocumentStart).then(|| DocumentStart {
                    doc_type: doc_type.or_else(|| {
                        caps.name("doc_type")
                            .and_then(|m| DocType::parse(&m.as_str().to_lowercase()))
                    }),
                    mrn: mrn.clone(),
                });
                return BarcodeVerdict {
                    kind,
                    barcode: Some(code.clone()),
                    mrn: if start.is_some() { None } else { mrn },
                    start,
                };
            }
        }
        BarcodeVerdict {
            kind: PageKind::Content,
            barcode: barcodes.first().cloned(),
            mrn: None,
            start: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> SeparatorPolicy {
        let c = crate::config::PipelineConfig::embedded();
        SeparatorPolicy::new(&c.barcodes).unwrap()
    }

    #[test]
    fn default_rules_map_corpus_barcodes() {
        let p = policy();
        let v = p.judge(&["MRN00412345".into()]);
        assert_eq!(v.kind, PageKind::Separator);
        assert_eq!(v.mrn.as_deref(), Some("00412345"));
        assert_eq!(p.judge(&["DOCSEP".into()]).kind, PageKind::DocSeparator);
        let face = p.judge(&["ACCT123456789".into()]);
        assert_eq!(face.kind, PageKind::Content);
        assert_eq!(face.barcode.as_deref(), Some("ACCT123456789"));
        let unknown = p.judge(&["HELLO".into()]);
        assert_eq!(unknown.kind, PageKind::Content);
        assert_eq!(unknown.barcode.as_deref(), Some("HELLO"));
    }

    #[test]
    fn a_page_is_judged_as_the_thorough_read_alone_would() {
        // The sample chart: patient separator, content, document separator (upside down),
        // content. The quick read may settle the sheets; the verdicts must not change.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/samples/scans/chart_with_separators.tif"
        );
        let limits = crate::imaging::decode::DecodeLimits {
            max_page_pixels: 100_000_000,
            max_pages: 10,
        };
        let bytes = std::fs::read(path).unwrap();
        let mut scan = crate::imaging::decode::ScanDecoder::open(bytes, limits).unwrap();
        let policy = policy();
        let mut kinds = Vec::new();
        for page_no in 1..=scan.num_pages() as u32 {
            let page = scan.decode_page(page_no, limits).unwrap();
            let small = super::super::barcode::reduced_for_barcodes(&page.image, page.dpi)
                .unwrap_or(page.image);
            let thorough = policy.judge(&read_barcodes_at(&small, Effort::Thorough));
            assert_eq!(policy.judge_page(&small), thorough, "page {page_no}");
            kinds.push(thorough.kind);
        }
        assert_eq!(kinds[0], PageKind::Separator);
        assert_eq!(kinds[1], PageKind::Content);
        assert_eq!(kinds[2], PageKind::DocSeparator);
    }

    #[test]
    fn bad_pattern_is_an_error_naming_the_rule() {
        let rules = vec![BarcodeRule {
            pattern: "(".into(),
            action: BarcodeAction::Ignore,
            doc_type: None,
        }];
        let err = SeparatorPolicy::new(&rules).err().unwrap().to_string();
        assert!(err.contains("barcode rule 0"), "{err}");
    }
}
