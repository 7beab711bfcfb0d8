//! Page worker: imaging and OCR for one page at a time, with one warm tesseract engine
//! owned by the thread for its whole life.

use std::time::Instant;

use crossbeam_channel::{Receiver, Sender};

use super::{Event, PageJob, Unreadable};
use crate::config::{OrientationMethod, PipelineConfig};
use crate::imaging::orientation::OsdEngine;
use crate::imaging::prepare::prepare_for_ocr;
use crate::imaging::{blank, viewer};
use crate::model::{OcrPage, OcrWord, PageKind, PageResult, ReviewFlag, TextSource};
use crate::ocr::{OcrEngine, TesseractEngine};
use crate::split::barcode::reduced_for_barcodes;
use crate::split::separator::{looks_like_separator_sheet, BarcodeVerdict, SeparatorPolicy};

pub(crate) fn run(config: &PipelineConfig, jobs: Receiver<PageJob>, events: Sender<Event>) {
    let mut engine = match TesseractEngine::new(
        &config.ocr.language,
        config.ocr.page_seg_mode,
        &config.ocr.variables,
    ) {
        Ok(e) => e,
        Err(e) => {
            let _ = events.send(Event::Fatal(e.to_string()));
            return;
        }
    };
    let mut osd = match config.imaging.orientation {
        OrientationMethod::Off => None,
        // The layout turns pages; OSD is the second opinion on pages that read poorly
        // both ways (without its data file, those pages keep the better reading).
        OrientationMethod::Layout => OsdEngine::new().ok(),
        OrientationMethod::Osd => match OsdEngine::new() {
            Ok(o) => Some(o),
            Err(e) => {
                let _ = events.send(Event::Fatal(e.to_string()));
                return;
            }
        },
    };
    let policy = match SeparatorPolicy::new(&config.barcodes) {
        Ok(p) => p,
        Err(e) => {
            let _ = events.send(Event::Fatal(e.to_string()));
            return;
        }
    };
    for job in jobs.iter() {
        crate::clock::page_delay();
        let result = process_page(config, &policy, &mut engine, osd.as_mut(), job.page);
        let event = Event::Page {
            scan_idx: job.scan_idx,
            result,
        };
        if events.send(event).is_err() {
            return;
        }
    }
}

fn process_page(
    config: &PipelineConfig,
    policy: &SeparatorPolicy,
    engine: &mut dyn OcrEngine,
    osd: Option<&mut OsdEngine>,
    mut page: crate::model::PageImage,
) -> Result<PageResult, Unreadable> {
    let (mut osd_prepare, mut osd_check) = match config.imaging.orientation {
        OrientationMethod::Osd => (osd, None),
        _ => (None, osd),
    };
    let t0 = Instant::now();
    // Paper is most of any document page: a page mostly dark is stored with its polarity
    // inverted (a WhiteIsZero file read the other way, a negative). It is turned to dark on
    // light before anything looks at it, and the reading is checked against the page as
    // stored below, the better one kept.
    let mut inverted = crate::imaging::blank::mostly_dark(&page.image);
    if inverted {
        image::imageops::invert(&mut page.image);
    }
    // Real text the file carries (a born-digital page) stands in for OCR.
    let text_layer = page.text_layer.take();
    let verdict = blank::detect(&page.image, page.dpi, config.imaging.blank_max_ink_fraction);
    let blank_ms = t0.elapsed().as_millis() as u64;
    let tb = Instant::now();
    let mut barcode_copy = None;
    // A page carrying real text is never blank, however light its ink.
    // Text the file holds but does not draw (a form field's value): never blank either.
    let not_drawn = std::mem::take(&mut page.not_drawn);
    let has_text = !not_drawn.is_empty()
        || text_layer
            .as_ref()
            .is_some_and(|t| !t.page.words.is_empty());
    let mut doubts = Vec::new();
    let mut ocr_readings = 0;
    // The ink test errs towards blank (faint or light type, a line in the margin): a page
    // it takes for blank is read, and one carrying words tesseract trusts is kept.
    let mut looks_blank = verdict.is_blank && !has_text;
    if looks_blank {
        let (words, readings) = carries_words(engine, &page.image, page.dpi)
            .map_err(|e| format!("page {}: {e}", page.page_no))?;
        ocr_readings += readings;
        if words {
            looks_blank = false;
            doubts.push(ReviewFlag::NearlyBlankPage);
        }
    }
    let blank_ms = blank_ms + tb.elapsed().as_millis() as u64;
    let tb = Instant::now();
    let barcode_verdict = if looks_blank {
        None
    } else {
        barcode_copy = reduced_for_barcodes(&page.image, page.dpi);
        let (copy, copy_dpi) = match &barcode_copy {
            Some(c) => (c, page.dpi * c.width() / page.image.width().max(1)),
            None => (&page.image, page.dpi),
        };
        let mut v = policy.judge_page(copy);
        let separator =
            |v: &BarcodeVerdict| matches!(v.kind, PageKind::Separator | PageKind::DocSeparator);
        // A page with little print whose code did not read at the reduced resolution (fine
        // bars sampled out of phase) is read again at full resolution: a separator sheet
        // missed costs a merged document.
        if !separator(&v) && barcode_copy.is_some() && looks_like_separator_sheet(copy, copy_dpi) {
            let full = policy.judge_page(&page.image);
            if separator(&full) {
                v = full;
            }
        }
        // A separator's code on a page of content does not make it a separator sheet:
        // the page is kept as content (its code recorded) and flagged. Letters are
        // counted at full resolution here (reduced, a blurred page's letters run together
        // and a short page of content counts like a sheet).
        // A page holding text it does not draw (form field values) is not a bare sheet
        // either.
        if separator(&v)
            && (!not_drawn.is_empty() || !looks_like_separator_sheet(&page.image, page.dpi))
        {
            v.kind = PageKind::Content;
            v.mrn = None;
            doubts.push(ReviewFlag::SeparatorCodeOnContent);
        }
        Some(v)
    };
    let barcode_ms = tb.elapsed().as_millis() as u64;
    let t0 = Instant::now();
    let kind = match &barcode_verdict {
        None => PageKind::Blank,
        Some(v) => v.kind,
    };
    let prepared = if kind == PageKind::Content && text_layer.is_none() {
        // The page is levelled and turned: its barcode copy no longer shows it.
        barcode_copy = None;
        Some(prepare_for_ocr(config, osd_prepare.take(), &mut page))
    } else {
        None
    };
    let mut rotation_deg = prepared.map_or(0, |p| p.rotation_deg);
    let skew_deg = prepared.map_or(0.0, |p| p.skew_deg);
    // Thin strokes are read thickened (OCR only; the viewer keeps the levelled scan).
    let thick = if kind == PageKind::Content && text_layer.is_none() {
        crate::imaging::thicken::for_ocr(
            &page.image,
            page.dpi,
            config.imaging.thicken_below_stroke_px,
            config.imaging.thicken_min_dpi,
        )
    } else {
        None
    };
    let mut imaging_ms = blank_ms + t0.elapsed().as_millis() as u64;
    let t1 = Instant::now();
    let mut ocr = None;
    let mut text_source = TextSource::Ocr;
    if let (PageKind::Content, Some(layer)) = (kind, text_layer) {
        text_source = TextSource::PdfText;
        let mut words = layer.page;
        if layer.ocr_pictures {
            let mut read = |img: &image::GrayImage| {
                ocr_readings += 1;
                engine
                    .recognize(img, page.dpi)
                    .map_err(|e| Unreadable(format!("page {}: {e}", page.page_no)))
            };
            let pictures = read_pictures(&page.image, &words, config, &mut read)?;
            // The page is as doubtful as its worst part: poor picture text is not hidden
            // behind the PDF text's certainty.
            let worst = if pictures.words.is_empty() {
                words.confidence
            } else {
                words.confidence.min(pictures.confidence)
            };
            append_reading(&mut words, pictures);
            words.confidence = worst;
        }
        ocr = Some(words);
    } else if kind == PageKind::Content {
        let mut read = |img: &image::GrayImage| {
            ocr_readings += 1;
            engine
                .recognize(img, page.dpi)
                .map_err(|e| Unreadable(format!("page {}: {e}", page.page_no)))
        };
        let thickened = thick.is_some();
        let first = thick.as_ref().unwrap_or(&page.image);
        let mut best = read(first)?;
        // Orientation checks itself against the page's text. A poor reading (an up/down
        // call the layout got wrong, or 90 taken for 270) is compared with the page read
        // turned 180 degrees, and the better kept. Two readings within a few points of
        // each other are no evidence either way (a worn page reads badly both ways): then
        // tesseract's orientation detection decides when it is sure, else the layout's
        // call stands.
        let sure = |o: &crate::imaging::orientation::Orientation| {
            o.confidence >= config.imaging.orientation_min_confidence
        };
        // OSD's opinion of the page as it lies now, asked at most once.
        let mut opinion = None;
        let mut asked = false;
        // A sparse page (a stamp, a signature line, a footer) gave the layout a few lines
        // to judge up from down by: it is read both ways too, and the reading with clearly
        // more text tesseract trusts wins before confidences are compared.
        let sparse = best.words.len() < SPARSE_PAGE_WORDS;
        if best.confidence < config.imaging.recheck_below_ocr_confidence || sparse {
            let second = read(&image::imageops::rotate180(first))?;
            let (kept, other) = (trusted_chars(&best), trusted_chars(&second));
            let clearly = |a: usize, b: usize| a > b + b / 4 + 2;
            let turn = if sparse && clearly(other, kept) {
                true
            } else if sparse && clearly(kept, other) {
                false
            } else if (second.confidence - best.confidence).abs() < READINGS_TIE {
                asked = true;
                opinion = osd_check
                    .as_mut()
                    .and_then(|o| o.detect(&page.image, page.dpi))
                    .filter(sure);
                opinion.is_some_and(|o| o.rotation_deg == 180)
            } else {
                second.confidence > best.confidence
            };
            if turn {
                page.image = image::imageops::rotate180(&page.image);
                rotation_deg = (rotation_deg + 180) % 360;
                best = second;
                opinion = None;
            }
        }
        // A reading not clearly good (or poor both ways) asks tesseract's orientation
        // detection, an independent judge, and reads the page its way when it disagrees;
        // the better reading is kept. Only a page that reads poorly every way, in what the
        // detection takes for another script (which the OCR language cannot judge), follows
        // the detection alone: a worn Latin page can look like Hebrew to it, and a fair
        // reading says the text is Latin and the right way up.
        if best.confidence < config.imaging.orientation_check_below_ocr_confidence {
            if !asked {
                opinion = osd_check
                    .as_mut()
                    .and_then(|o| o.detect(&page.image, page.dpi))
                    .filter(sure);
            }
            if let Some(turn) = opinion {
                if let Some(upright) =
                    crate::imaging::orientation::make_upright(&page.image, turn.rotation_deg)
                {
                    let second = read(&upright)?;
                    let unreadable = best.confidence < config.imaging.recheck_below_ocr_confidence;
                    if second.confidence > best.confidence || (!turn.latin && unreadable) {
                        page.image = upright;
                        rotation_deg = (rotation_deg + turn.rotation_deg) % 360;
                        best = second;
                    }
                }
            }
        }
        // Turned to dark on light and still poor: read the page as stored, keep the better.
        if inverted && best.confidence < config.imaging.recheck_below_ocr_confidence {
            let mut stored = page.image.clone();
            image::imageops::invert(&mut stored);
            let second = read(&stored)?;
            if second.confidence > best.confidence {
                page.image = stored;
                best = second;
                inverted = false;
            }
        }
        // Read as scanned and still poor: faint or broken strokes the stroke test let pass
        // (or a resolution too low to thicken up front). Read it thickened, keep the better.
        if !thickened && best.confidence < config.imaging.thicken_below_ocr_confidence {
            let second = read(&crate::imaging::thicken::thicken(&page.image))?;
            if second.confidence > best.confidence {
                best = second;
            }
        }
        // A header date OCR garbled is read again from the line, enlarged.
        let (w, h) = page.image.dimensions();
        for line in crate::ocr::reread::garbled_date_lines(&best) {
            let Some(region) = crate::ocr::reread::line_region(&best, line, w, h) else {
                continue;
            };
            for variant in crate::ocr::reread::variants(&page.image, region) {
                // A second look that fails leaves the first reading as it was.
                let Ok(again) = read(&variant) else {
                    break;
                };
                if let Some(words) = crate::ocr::reread::better_line(&best, line, &again, region, 2)
                {
                    crate::ocr::reread::replace_line(&mut best, line, words);
                    break;
                }
            }
        }
        // A dark page whose reading stays poor either way (a photograph, an image study)
        // is shown as it was stored, not as its negative.
        if inverted && best.confidence < config.imaging.recheck_below_ocr_confidence {
            image::imageops::invert(&mut page.image);
        }
        ocr = Some(best);
    }
    // The file's undrawn text goes into the page's text (searchable, exported); the image
    // lacks it, so a person is asked to look.
    if !not_drawn.is_empty() {
        doubts.push(ReviewFlag::ContentNotDrawn);
        if let Some(o) = ocr.as_mut() {
            for t in &not_drawn {
                if !o.text.is_empty() {
                    o.text.push('\n');
                }
                o.text.push_str(t);
            }
        }
    }
    let ocr_ms = t1.elapsed().as_millis() as u64;
    let t2 = Instant::now();
    let viewer_jpeg = viewer::viewer_jpeg_reusing(
        &page.image,
        barcode_copy.as_ref(),
        config.imaging.viewer_long_side_px,
        config.imaging.viewer_jpeg_quality,
    );
    imaging_ms += t2.elapsed().as_millis() as u64;
    let (w, h) = page.image.dimensions();
    Ok(PageResult {
        page_no: page.page_no,
        kind,
        dpi: page.dpi,
        width_px: w,
        height_px: h,
        rotation_deg,
        skew_deg,
        barcode: barcode_verdict.as_ref().and_then(|v| v.barcode.clone()),
        start: barcode_verdict.as_ref().and_then(|v| v.start.clone()),
        separator_mrn: barcode_verdict.and_then(|v| v.mrn),
        ocr,
        text_source,
        viewer_jpeg,
        imaging_ms,
        barcode_ms,
        ocr_ms,
        ocr_readings,
        doubts,
    })
}

/// Fewer words than this is a sparse page (about five lines of print): the layout's
/// up/down evidence, ink above and below each line's core, is too little to stand alone.
const SPARSE_PAGE_WORDS: usize = 50;

/// Mean confidences of two readings closer than this are no evidence of which way is up:
/// readings of one page the right and the wrong way up differ by 20 points and more.
const READINGS_TIE: f32 = 10.0;

/// Whether a page carries words tesseract trusts (upright or turned 180 degrees) that do
/// not read better mirrored: show-through of the other side of the sheet is mirrored text,
/// and reads better flipped. Returns the verdict and the readings it took.
fn carries_words(
    engine: &mut dyn OcrEngine,
    image: &image::GrayImage,
    dpi: u32,
) -> Result<(bool, u32), crate::ocr::OcrError> {
    use image::imageops::{flip_horizontal, flip_vertical, rotate180};
    // Read at about 150 DPI: plenty for print, and a quarter of the work of 300 DPI on a
    // page that is mostly paper (tesseract's layout analysis scans all of it).
    let factor = (dpi / 150).max(1);
    let reduced;
    let (image, dpi) = if factor > 1 {
        reduced = crate::imaging::reduce::box_reduce(image, factor);
        (&reduced, dpi / factor)
    } else {
        (image, dpi)
    };
    // Trusted letters of the better of two readings; a page on which tesseract finds no
    // word at all (paper, specks) is not read the other way.
    let mut best = |a: &image::GrayImage, b: &image::GrayImage| {
        let first = engine.recognize(a, dpi)?;
        if first.words.is_empty() {
            return Ok::<(usize, u32), crate::ocr::OcrError>((0, 1));
        }
        let second = engine.recognize(b, dpi)?;
        Ok((trusted_chars(&first).max(trusted_chars(&second)), 2))
    };
    let (straight, n) = best(image, &rotate180(image))?;
    if straight == 0 {
        return Ok((false, n));
    }
    // Mirrored left-right, and top-bottom (the same turned 180 degrees).
    let (mirrored, m) = best(&flip_horizontal(image), &flip_vertical(image))?;
    Ok((straight > mirrored, n + m))
}

/// Letters and digits in the words of a reading that tesseract is sure of (confidence 60
/// or more, three characters or more: not a speck read as a dot or a lone letter).
fn trusted_chars(reading: &OcrPage) -> usize {
    reading
        .words
        .iter()
        .filter(|w| w.conf >= 60.0)
        .map(|w| w.text.chars().filter(|c| c.is_alphanumeric()).count())
        .filter(|n| *n >= 3)
        .sum()
}

/// OCR of the pictures on a page with real text: the page read with its own words
/// blanked out; a poor reading is tried turned 180 degrees too (a scan placed upside down
/// inside a fax cover) and the better kept, boxes mapped back onto the page.
fn read_pictures(
    image: &image::GrayImage,
    own: &OcrPage,
    config: &PipelineConfig,
    read: &mut dyn FnMut(&image::GrayImage) -> Result<OcrPage, Unreadable>,
) -> Result<OcrPage, Unreadable> {
    let masked = blank_out_words(image, &own.words);
    let pictures = read(&masked)?;
    if pictures.words.is_empty()
        || pictures.confidence >= config.imaging.recheck_below_ocr_confidence
    {
        return Ok(pictures);
    }
    let turned = read(&image::imageops::rotate180(&masked))?;
    if turned.confidence > pictures.confidence {
        let (w, h) = masked.dimensions();
        return Ok(turned_back(turned, w, h));
    }
    Ok(pictures)
}

/// The page with the given words painted over in white (their own text is known; what
/// remains for OCR is the text inside pictures).
fn blank_out_words(image: &image::GrayImage, words: &[OcrWord]) -> image::GrayImage {
    let mut out = image.clone();
    let (w, h) = out.dimensions();
    for word in words {
        let pad = word.height / 4;
        let x0 = word.left.saturating_sub(pad).min(w);
        let y0 = word.top.saturating_sub(pad).min(h);
        let x1 = (word.left + word.width + pad).min(w);
        let y1 = (word.top + word.height + pad).min(h);
        for y in y0..y1 {
            for x in x0..x1 {
                out.put_pixel(x, y, image::Luma([255]));
            }
        }
    }
    out
}

/// A reading of a page turned 180 degrees, its word boxes put back on the page as it lies
/// (lines in reverse order stay in reading order of the turned text).
fn turned_back(mut reading: OcrPage, w: u32, h: u32) -> OcrPage {
    for word in reading.words.iter_mut() {
        word.left = w.saturating_sub(word.left + word.width);
        word.top = h.saturating_sub(word.top + word.height);
    }
    reading
}

/// Adds an OCR reading of a page's pictures to the page's own text: the page's lines by
/// their height on the page, the pictures' reading as one block (in its own reading order)
/// where its top lies.
fn append_reading(text: &mut OcrPage, reading: OcrPage) {
    if reading.words.is_empty() || reading.text.trim().is_empty() {
        return;
    }
    let own = text.words.len() as f32;
    let read = reading.words.len() as f32;
    let confidence = (text.confidence * own + reading.confidence * read) / (own + read);
    let lines_of = |words: &[OcrWord]| {
        let mut seen: Vec<u32> = words.iter().map(|w| w.line).collect();
        seen.sort_unstable();
        seen.dedup();
        seen
    };
    // (vertical position, None for the pictures' block or Some(own line))
    let mut order: Vec<(u32, Option<u32>)> = lines_of(&text.words)
        .into_iter()
        .map(|line| {
            let of_line: Vec<&OcrWord> = text.words.iter().filter(|w| w.line == line).collect();
            let centre =
                of_line.iter().map(|w| w.top + w.height / 2).sum::<u32>() / of_line.len() as u32;
            (centre, Some(line))
        })
        .collect();
    let block_top = reading.words.iter().map(|w| w.top).min().unwrap_or(0);
    order.push((block_top, None));
    order.sort();
    let mut words = Vec::with_capacity(text.words.len() + reading.words.len());
    let mut out_lines = Vec::new();
    let mut push_line = |of_line: Vec<OcrWord>, words: &mut Vec<OcrWord>| {
        let n = out_lines.len() as u32;
        out_lines.push(
            of_line
                .iter()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        );
        words.extend(of_line.into_iter().map(|mut w| {
            w.line = n;
            w
        }));
    };
    for (_, entry) in order {
        match entry {
            Some(line) => {
                let mut of_line: Vec<OcrWord> = text
                    .words
                    .iter()
                    .filter(|w| w.line == line)
                    .cloned()
                    .collect();
                of_line.sort_by_key(|w| w.left);
                push_line(of_line, &mut words);
            }
            None => {
                for line in lines_of(&reading.words) {
                    let of_line: Vec<OcrWord> = reading
                        .words
                        .iter()
                        .filter(|w| w.line == line)
                        .cloned()
                        .collect();
                    push_line(of_line, &mut words);
                }
            }
        }
    }
    *text = OcrPage {
        text: out_lines.join("\n"),
        words,
        confidence,
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picture_reading_follows_the_page_text() {
        let word = |t: &str, line: u32| OcrWord {
            text: t.into(),
            left: 0,
            top: line * 40,
            width: 10,
            height: 10,
            conf: 90.0,
            line,
        };
        let mut own = OcrPage {
            text: "Own text\nLast".into(),
            words: vec![word("Own", 0), word("text", 0), word("Last", 3)],
            confidence: 100.0,
        };
        append_reading(
            &mut own,
            OcrPage {
                text: "Scanned".into(),
                words: vec![word("Scanned", 2)],
                confidence: 70.0,
            },
        );
        assert_eq!(own.text, "Own text\nScanned\nLast");
        assert_eq!(own.words[2].line, 1);
        assert_eq!(own.words[3].line, 2);
        assert!((own.confidence - 92.5).abs() < 0.01);
        let masked = blank_out_words(&image::GrayImage::new(20, 20), &own.words[..1]);
        assert_eq!(masked.get_pixel(5, 5).0[0], 255);
        assert_eq!(masked.get_pixel(19, 19).0[0], 0);
    }
}
