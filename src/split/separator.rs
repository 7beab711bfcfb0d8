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

/// Letters a separator sheet may carry besides its code: a title, the code's text and a
/// short paragraph of instructions (the sheets we know print 40 to 150). A page with more
/// (five full lines of print and up) is a page of content whatever its barcode says; a
/// separator sheet printed with more is kept as content and flagged, which costs a missed
/// boundary, never a lost page.
pub const SEPARATOR_MAX_LETTERS: usize = 400;

/// Whether a page whose barcode matches a separator rule looks like a separator sheet:
/// little printed on it besides the code. `dpi` is the resolution of `image`.
pub fn looks_like_separator_sheet(image: &GrayImage, dpi: u32) -> bool {
    let boxes = mark_boxes(image, dpi, SEPARATOR_MAX_LETTERS + 1);
    boxes.len() <= SEPARATOR_MAX_LETTERS && text_lines(&boxes) <= SEPARATOR_MAX_LINES
}

/// Lines of print a separator sheet may carry: a title, the code's text and a few lines of
/// instructions. Letters are counted too, but a page of short lines (a form's header, a
/// wristband label, a signature block) has few letters and many lines: lines tell it from
/// a sheet, and blur that runs letters together does not merge lines.
pub const SEPARATOR_MAX_LINES: usize = 8;

/// Lines of print on a page either way it lies: runs of three or more letter marks whose
/// centres follow one another along one axis (within three letter heights: the gap of a
/// word space in any font) and agree across it (within half a letter height, so lines
/// never merge). Counted along rows and along columns; the way the page's text runs is
/// the one whose runs hold more of its marks.
fn text_lines(boxes: &[[usize; 4]]) -> usize {
    let (rows, columns) = (runs(boxes, false), runs(boxes, true));
    // Equal shares: the way with the longer runs (fewer of them).
    if (rows.1, columns.0) >= (columns.1, rows.0) {
        rows.0
    } else {
        columns.0
    }
}

/// Runs of three marks or more along rows (or columns), and how many marks they hold.
fn runs(boxes: &[[usize; 4]], columns: bool) -> (usize, usize) {
    let n = boxes.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let centre = |b: &[usize; 4]| {
        let (x, y) = ((b[0] + b[2]) as f32 / 2.0, (b[1] + b[3]) as f32 / 2.0);
        if columns {
            (y, x)
        } else {
            (x, y)
        }
    };
    let size = |b: &[usize; 4]| ((b[2] - b[0] + 1).max(b[3] - b[1] + 1)) as f32;
    for i in 0..n {
        for j in i + 1..n {
            let ((ai, ci), (aj, cj)) = (centre(&boxes[i]), centre(&boxes[j]));
            let h = size(&boxes[i]).max(size(&boxes[j]));
            if (ai - aj).abs() <= 3.0 * h && (ci - cj).abs() <= 0.5 * h {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                parent[a] = b;
            }
        }
    }
    let mut sizes = std::collections::HashMap::new();
    for i in 0..n {
        *sizes.entry(root(&mut parent, i)).or_insert(0usize) += 1;
    }
    let long = sizes.values().filter(|&&k| k >= 3);
    (long.clone().count(), long.sum())
}

/// Letter-sized marks on a page (connected ink, a fifth darker than the paper or more, 0.04
/// to 0.45 inch tall and wide, at most four times longer one way than the other: a code's
/// bars are not letters). Counted the same whichever way the page lies; counting stops at
/// `enough`.
pub fn letter_marks(image: &GrayImage, dpi: u32, enough: usize) -> usize {
    mark_boxes(image, dpi, enough).len()
}

/// The boxes (x0, y0, x1, y1) of the letter marks [`letter_marks`] counts.
fn mark_boxes(image: &GrayImage, dpi: u32, enough: usize) -> Vec<[usize; 4]> {
    let mut boxes = Vec::new();
    let (w, h) = image.dimensions();
    let (w, h) = (w as usize, h as usize);
    if w == 0 || h == 0 {
        return boxes;
    }
    // Any mark a fifth darker than the paper may be print: grey or faded type (a light
    // printer, a poor copy) counts as fully as black. Erring towards ink errs towards
    // "content", which keeps a page; a sheet read as content costs a flagged boundary.
    let paper = crate::imaging::blank::percentile(image, 0.9) as usize;
    let ink = (paper as f32 * 0.8) as u8;
    // 1: ink not yet visited; 0: paper or visited.
    let mut state: Vec<u8> = image.as_raw().iter().map(|&p| u8::from(p <= ink)).collect();
    let dpi = dpi.max(50) as f32;
    let (small, large) = ((0.04 * dpi) as usize, (0.45 * dpi) as usize);
    let mut stack = Vec::new();
    for start in 0..state.len() {
        if state[start] == 0 {
            continue;
        }
        state[start] = 0;
        stack.push(start);
        let (mut x0, mut x1, mut y0, mut y1) = (w, 0, h, 0);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
            let neighbours = [
                (x > 0).then(|| i - 1),
                (x + 1 < w).then(|| i + 1),
                (y > 0).then(|| i - w),
                (y + 1 < h).then(|| i + w),
            ];
            for j in neighbours.into_iter().flatten() {
                if state[j] == 1 {
                    state[j] = 0;
                    stack.push(j);
                }
            }
        }
        let (bw, bh) = (x1 - x0 + 1, y1 - y0 + 1);
        let (short, long) = (bw.min(bh), bw.max(bh));
        // Letters of 6 to 30 point type, either way up.
        if (small..=large).contains(&long) && long <= 4 * short {
            boxes.push([x0, y0, x1, y1]);
            if boxes.len() >= enough {
                break;
            }
        }
    }
    boxes
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pages of the sample chart: patient separator, content, document separator
    /// (upside down), content.
    fn sample_chart() -> Vec<crate::model::PageImage> {
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
        (1..=scan.num_pages() as u32)
            .map(|n| scan.decode_page(n, limits).unwrap())
            .collect()
    }

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
        let policy = policy();
        let mut kinds = Vec::new();
        for (page_no, page) in sample_chart().into_iter().enumerate() {
            let page_no = page_no + 1;
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

    /// A 150 DPI page with a big Code 128 and `lines` rows of letter-sized marks.
    fn sheet(lines: u32) -> GrayImage {
        sheet_with(lines, rxing::BarcodeFormat::CODE_128, 900, 220)
    }

    fn sheet_with(lines: u32, format: rxing::BarcodeFormat, w: i32, h: i32) -> GrayImage {
        use rxing::Writer;
        let mut page = GrayImage::from_pixel(1275, 1650, image::Luma([240]));
        let code = rxing::MultiFormatWriter
            .encode("MRN00412345", &format, w, h)
            .unwrap();
        for y in 0..code.getHeight() {
            for x in 0..code.getWidth() {
                if code.get(x, y) {
                    page.put_pixel(180 + x, 200 + y, image::Luma([15]));
                }
            }
        }
        print_lines(&mut page, lines, 50);
        page
    }

    /// Prints `lines` lines of `letters` letter-sized marks (an open box each) under the code.
    fn print_lines(page: &mut GrayImage, lines: u32, letters: u32) {
        for line in 0..lines {
            let y = 520 + line * 30;
            for c in 0..letters {
                for dy in 0..14 {
                    for dx in 0..8 {
                        if dx < 2 || !(2..=11).contains(&dy) {
                            page.put_pixel(150 + c * 16 + dx, y + dy, image::Luma([25]));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_separator_sheet_is_a_code_and_a_few_lines() {
        // 50 letters a line.
        for lines in [0, 3, 8] {
            for page in [sheet(lines), image::imageops::rotate90(&sheet(lines))] {
                assert_eq!(letter_marks(&page, 150, usize::MAX), 50 * lines as usize);
                assert!(looks_like_separator_sheet(&page, 150), "{lines} lines");
            }
        }
        for lines in [9, 30] {
            for page in [sheet(lines), image::imageops::rotate270(&sheet(lines))] {
                assert!(!looks_like_separator_sheet(&page, 150), "{lines} lines");
            }
        }
    }

    /// Print in grey (a light printer, a poor copy: here 40% darker than the paper) beside a
    /// black label code is print all the same: a page of it is no sheet (generated seed
    /// 8080: two such pages holding a patient label were taken for separator sheets).
    #[test]
    fn grey_print_counts_as_print() {
        let mut page = sheet(0);
        print_lines(&mut page, 30, 50);
        for p in page.pixels_mut() {
            if p.0[0] == 25 {
                p.0[0] = 150;
            }
        }
        assert_eq!(letter_marks(&page, 150, usize::MAX), 1500);
        assert!(!looks_like_separator_sheet(&page, 150));
    }

    /// A page of many short lines (a form's header, a wristband label, a signature block)
    /// carries few letters but is no sheet (generated seed 9907: two such pages holding a
    /// patient's code were taken for separator sheets).
    #[test]
    fn many_short_lines_are_not_a_sheet() {
        let mut page = sheet(0);
        print_lines(&mut page, 12, 12);
        assert_eq!(letter_marks(&page, 150, usize::MAX), 144);
        for p in [page.clone(), image::imageops::rotate90(&page)] {
            assert!(!looks_like_separator_sheet(&p, 150));
        }
    }

    /// A two-dimensional code's modules are no lines of print: QR and Data Matrix
    /// separator sheets with a few lines are sheets, at 1 to 2 inches across at 150 DPI.
    #[test]
    fn two_dimensional_codes_are_no_lines_of_print() {
        for (format, size) in [
            (rxing::BarcodeFormat::QR_CODE, 150),
            (rxing::BarcodeFormat::QR_CODE, 300),
            (rxing::BarcodeFormat::DATA_MATRIX, 150),
            (rxing::BarcodeFormat::DATA_MATRIX, 300),
        ] {
            let page = sheet_with(3, format, size, size);
            let marks = mark_boxes(&page, 150, usize::MAX);
            assert!(
                looks_like_separator_sheet(&page, 150),
                "{format:?} {size}px: {} marks, {} lines",
                marks.len(),
                text_lines(&marks)
            );
        }
    }

    #[test]
    fn the_sample_separator_sheets_look_like_separator_sheets() {
        let pages = sample_chart();
        for page_no in [1usize, 3] {
            let page = pages[page_no - 1].clone();
            let sheet = if page_no == 3 {
                image::imageops::rotate180(&page.image)
            } else {
                page.image
            };
            assert!(
                looks_like_separator_sheet(&sheet, page.dpi),
                "page {page_no}"
            );
        }
    }
}
