//! A second look at header lines whose date OCR garbled.
//!
//! A date of service or of birth printed in a header and read as `Gs lad` or `01/99/2024`
//! is a field lost for the whole document (and with the date of service, its retention
//! date). The line is cut out of the page, enlarged twice (small or worn print reads
//! better larger), and read again, then read thickened too (broken strokes); a reading
//! that holds the same labels with every date read replaces the line's words. Nothing is
//! guessed: a line that still reads badly is left as it was read.

use image::{imageops, GrayImage};

use crate::extract::date_labels_read;
use crate::extract::labels::{DateKind, Label};
use crate::model::{OcrPage, OcrWord};

/// Only the first lines of a page are header lines.
const HEADER_LINES: u32 = 20;
/// At most this many lines of a page are read again.
const MAX_LINES: usize = 3;

/// The header lines of a reading holding a date label whose date was not read.
pub fn garbled_date_lines(reading: &OcrPage) -> Vec<u32> {
    let mut out = Vec::new();
    for (i, line) in reading.text.split('\n').enumerate() {
        let i = i as u32;
        if i >= HEADER_LINES || out.len() >= MAX_LINES {
            break;
        }
        if date_labels_read(line).iter().any(|(_, read)| !read) || unlabelled_date(line) {
            out.push(i);
        }
    }
    out
}

/// A line with a caption holding `Date` (its wording garbled: `Vizit Date:-01/`, `Date of
/// Servige: Gs lad`) followed by something other than captions, and no date on it.
fn unlabelled_date(line: &str) -> bool {
    static P: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let p = P.get_or_init(|| {
        regex::Regex::new(r"(?i)\bd[a@]t[eo]\b[^:;]{0,20}[:;]").expect("date caption")
    });
    let Some(m) = p.find(line) else {
        return false;
    };
    let after = &line[m.end()..];
    // `Date Signed:` and the like are never a date of service or of birth.
    let other = crate::extract::labels::find_labels(line).iter().any(|l| {
        l.label == Label::Date(DateKind::Other) && l.start <= m.start() && l.end >= m.start()
    });
    !other
        && crate::extract::find_dates(line).is_empty()
        && after.chars().any(char::is_alphanumeric)
        // A row of captions (`Date: Sex:`) holds no date yet.
        && !crate::extract::only_other_captions(after)
}

/// The part of the page holding line `line` of `reading`: its words' box, widened by half
/// a line height above and below and a line height to the right (a date cut short), within
/// the page.
pub fn line_region(reading: &OcrPage, line: u32, width: u32, height: u32) -> Option<Region> {
    let words: Vec<&OcrWord> = reading.words.iter().filter(|w| w.line == line).collect();
    let left = words.iter().map(|w| w.left).min()?;
    let top = words.iter().map(|w| w.top).min()?;
    let right = words.iter().map(|w| w.left + w.width).max()?;
    let bottom = words.iter().map(|w| w.top + w.height).max()?;
    let pad = (bottom - top).max(8);
    let x = left.saturating_sub(pad / 2);
    let y = top.saturating_sub(pad / 2);
    let r = (right + pad).min(width);
    let b = (bottom + pad / 2).min(height);
    (r > x && b > y).then_some(Region {
        x,
        y,
        width: r - x,
        height: b - y,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// The images to read a garbled line from, best first: enlarged twice, then enlarged and
/// thickened.
pub fn variants(page: &GrayImage, region: Region) -> Vec<GrayImage> {
    let crop = imageops::crop_imm(page, region.x, region.y, region.width, region.height).to_image();
    let big = imageops::resize(
        &crop,
        region.width * 2,
        region.height * 2,
        imageops::FilterType::CatmullRom,
    );
    let thick = crate::imaging::thicken::thicken(&big);
    vec![big, thick]
}

/// The line of a re-read region that replaces the original line: the line lying where
/// the original line lies in the region (OCR may have garbled its labels too, so they are
/// not compared), holding a date label with every date read. Its words, mapped back onto
/// the page.
pub fn better_line(
    reading: &OcrPage,
    line: u32,
    reread: &OcrPage,
    region: Region,
    scale: u32,
) -> Option<Vec<OcrWord>> {
    let words = reading.words.iter().filter(|w| w.line == line);
    let (top, bottom) = words.fold((u32::MAX, 0), |(t, b), w| {
        (t.min(w.top), b.max(w.top + w.height))
    });
    if top >= bottom {
        return None;
    }
    // The original line's band, in the re-read image.
    let band = ((top - region.y) * scale, (bottom - region.y) * scale);
    let centre_in_band = |w: &&OcrWord| {
        let c = w.top + w.height / 2;
        c >= band.0 && c <= band.1
    };
    let texts: Vec<&str> = reread.text.split('\n').collect();
    let (index, _) = (0..texts.len() as u32)
        .map(|i| {
            let inside = reread
                .words
                .iter()
                .filter(|w| w.line == i)
                .filter(centre_in_band)
                .count();
            (i, inside)
        })
        .filter(|(_, n)| *n > 0)
        .max_by_key(|(_, n)| *n)?;
    let got = date_labels_read(texts[index as usize]);
    // It must span the original line (a re-read split into two blocks would drop the
    // other half) and keep every date the first reading did read.
    let span = |ws: &mut dyn Iterator<Item = (u32, u32)>| {
        ws.fold((u32::MAX, 0), |(l, r), (a, b)| (l.min(a), r.max(b)))
    };
    let (left, right) = span(
        &mut reading
            .words
            .iter()
            .filter(|w| w.line == line)
            .map(|w| (w.left, w.left + w.width)),
    );
    let (l2, r2) = span(
        &mut reread.words.iter().filter(|w| w.line == index).map(|w| {
            (
                region.x + w.left / scale,
                region.x + (w.left + w.width) / scale,
            )
        }),
    );
    let width = right.saturating_sub(left).max(1);
    let covered = r2.min(right).saturating_sub(l2.max(left)) * 10 >= width * 8;
    let original = texts_line(reading, line);
    let now = crate::extract::find_dates(texts[index as usize]);
    let kept = crate::extract::find_dates(&original)
        .iter()
        .all(|d| now.iter().any(|e| e.date == d.date));
    (covered && kept && !got.is_empty() && got.iter().all(|(_, read)| *read)).then(|| {
        reread
            .words
            .iter()
            .filter(|w| w.line == index)
            .map(|w| OcrWord {
                text: w.text.clone(),
                left: region.x + w.left / scale,
                top: region.y + w.top / scale,
                width: (w.width / scale).max(1),
                height: (w.height / scale).max(1),
                conf: w.conf,
                line: 0,
            })
            .collect()
    })
}

fn texts_line(reading: &OcrPage, line: u32) -> String {
    reading
        .text
        .split('\n')
        .nth(line as usize)
        .unwrap_or("")
        .to_string()
}

/// Replaces the words of line `line` with `words` and rebuilds the text (words joined by a
/// space, lines by `\n`, as tesseract's reading is built).
pub fn replace_line(reading: &mut OcrPage, line: u32, words: Vec<OcrWord>) {
    let at = reading
        .words
        .iter()
        .position(|w| w.line == line)
        .unwrap_or(reading.words.len());
    reading.words.retain(|w| w.line != line);
    let words = words.into_iter().map(|mut w| {
        w.line = line;
        w
    });
    reading.words.splice(at..at, words);
    let mut lines: Vec<String> = reading.text.split('\n').map(str::to_string).collect();
    if let Some(l) = lines.get_mut(line as usize) {
        *l = reading
            .words
            .iter()
            .filter(|w| w.line == line)
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
    }
    reading.text = lines.join("\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, left: u32, line: u32) -> OcrWord {
        OcrWord {
            text: text.into(),
            left,
            top: 100 + line * 40,
            width: 10 * text.len() as u32,
            height: 30,
            conf: 90.0,
            line,
        }
    }

    fn reading(lines: &[&str]) -> OcrPage {
        let mut words = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            let mut left = 50;
            for w in l.split(' ') {
                words.push(word(w, left, i as u32));
                left += 10 * w.len() as u32 + 10;
            }
        }
        OcrPage {
            text: lines.join("\n"),
            words,
            confidence: 90.0,
        }
    }

    #[test]
    fn garbled_header_dates_are_found_and_replaced() {
        let mut r = reading(&[
            "ST. LONGFORT SPECIALTY CLINIC",
            "Date of Birth: 11/12/1975",
            "Date of Servige: Gs lad",
            "Date Signed: xx",
            "Date: Sex:",
            "Vizit Date:-01/ Account: 296367110",
            "She was admitted to the ward and born in 1950.",
        ]);
        assert_eq!(garbled_date_lines(&r), vec![2, 5]);
        let region = line_region(&r, 2, 2550, 3300).unwrap();
        assert!(
            region.y < 180 && region.y + region.height > 210,
            "{region:?}"
        );
        // Readings of the region, enlarged twice: words laid out as on the page, then
        // mapped into the enlarged region, on the band of line 2 (the line above cut in at
        // the top of the region).
        let band_top = (r.words.iter().find(|w| w.line == 2).unwrap().top - region.y) * 2;
        let enlarged = |lines: &[&str], region: Region, band: u32| {
            let mut o = reading(lines);
            let n = lines.len() as u32;
            for w in o.words.iter_mut() {
                w.left = (w.left - region.x) * 2;
                w.width *= 2;
                w.height = 60;
                w.top = if w.line + 1 < n { 0 } else { band };
            }
            o
        };
        let again = enlarged(
            &["Date of Birth: 11/12/1975", "Date of Service: 03/28/2014"],
            region,
            band_top,
        );
        assert!(better_line(&r, 2, &again, region, 2).is_some());
        let still = enlarged(&["Date of Service: 03/ Z9/"], region, band_top);
        assert!(better_line(&r, 2, &still, region, 2).is_none());
        // A re-read that changes a date the first reading read is not taken, nor one
        // covering half the line.
        let r2 = reading(&["Date of Birth: 11/12/1975 Date of Service: Gs lad"]);
        let region2 = line_region(&r2, 0, 2550, 3300).unwrap();
        let band2 = (r2.words[0].top - region2.y) * 2;
        let changed = enlarged(
            &["Date of Birth: 11/12/1976 Date of Service: 03/28/2014"],
            region2,
            band2,
        );
        assert!(better_line(&r2, 0, &changed, region2, 2).is_none());
        let right = enlarged(
            &["Date of Birth: 11/12/1975 Date of Service: 03/28/2014"],
            region2,
            band2,
        );
        assert!(better_line(&r2, 0, &right, region2, 2).is_some());
        let mut half = right.clone();
        half.words.retain(|w| w.left > 600);
        half.text = half
            .words
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(better_line(&r2, 0, &half, region2, 2).is_none());
        let words = better_line(&r, 2, &again, region, 2).unwrap();
        replace_line(&mut r, 2, words);
        assert_eq!(
            r.text.split('\n').nth(2),
            Some("Date of Service: 03/28/2014")
        );
        assert!(r
            .words
            .iter()
            .filter(|w| w.line == 2)
            .all(|w| w.left >= region.x));
        assert_eq!(r.text.split('\n').count(), 7);
    }
}
