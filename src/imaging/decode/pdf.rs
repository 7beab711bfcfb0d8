//! PDF scans: each page's largest embedded image, taken as embedded (no re-render).
//!
//! Supports the filters scanners write: DCTDecode (JPEG), CCITTFaxDecode (Group 4 and
//! Group 3 1-D), FlateDecode / LZWDecode raw pixels (1 or 8 bits, gray or RGB). The page's
//! `/Rotate` is applied so the image is the page as a viewer shows it.

use image::GrayImage;
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::{plausible_dpi, DecodeError, DecodeLimits};
use crate::model::PageImage;

pub struct PdfPages {
    doc: Document,
    page_ids: Vec<ObjectId>,
}

impl PdfPages {
    pub fn open(bytes: &[u8]) -> Result<PdfPages, DecodeError> {
        if has_encrypt_entry(bytes) {
            return Err(DecodeError::Encrypted);
        }
        let doc = Document::load_mem(bytes).map_err(|e| {
            DecodeError::Structure(format!(
                "not a readable PDF ({e}); the file may be truncated"
            ))
        })?;
        if doc.is_encrypted() {
            return Err(DecodeError::Encrypted);
        }
        let page_ids: Vec<ObjectId> = doc.get_pages().into_values().collect();
        Ok(PdfPages { doc, page_ids })
    }

    pub fn num_pages(&self) -> usize {
        self.page_ids.len()
    }

    pub fn decode_page(
        &mut self,
        page_no: u32,
        limits: DecodeLimits,
    ) -> Result<PageImage, DecodeError> {
        let err = |m: String| DecodeError::page(page_no, m);
        let page_id = *self
            .page_ids
            .get(page_no as usize - 1)
            .ok_or_else(|| err("no such page".into()))?;
        self.doc
            .get_dictionary(page_id)
            .map_err(|e| err(format!("page object unreadable: {e}")))?;
        let stream = self
            .largest_image(page_id)
            .ok_or_else(|| err("page holds no scanned image".into()))?;
        let dict = &stream.dict;
        let width = self.int(dict, b"Width").unwrap_or(0).max(0) as u64;
        let height = self.int(dict, b"Height").unwrap_or(0).max(0) as u64;
        limits.check(page_no, width, height)?;
        let (w, h) = (width as u32, height as u32);
        let mut image =
            decode_image_stream(&self.doc, stream, w, h, limits.max_page_pixels).map_err(err)?;
        let rotate = self
            .inherited(page_id, b"Rotate")
            .and_then(|o| o.as_i64().ok());
        image = match rotate.unwrap_or(0).rem_euclid(360) {
            90 => image::imageops::rotate90(&image),
            180 => image::imageops::rotate180(&image),
            270 => image::imageops::rotate270(&image),
            _ => image,
        };
        let media_width_pt = self
            .inherited(page_id, b"MediaBox")
            .and_then(|o| o.as_array().ok())
            .and_then(|a| {
                let v: Vec<f32> = a.iter().filter_map(number).collect();
                (v.len() == 4).then(|| (v[2] - v[0]).abs())
            });
        let dpi_meta = media_width_pt.filter(|&p| p > 0.0).map(|p| {
            let rotated = matches!(rotate.unwrap_or(0).rem_euclid(360), 90 | 270);
            let px = if rotated { h } else { w };
            px as f64 / (p as f64 / 72.0)
        });
        let (iw, ih) = image.dimensions();
        Ok(PageImage {
            page_no,
            dpi: plausible_dpi(dpi_meta, iw, ih),
            image,
        })
    }

    fn int(&self, dict: &Dictionary, key: &[u8]) -> Option<i64> {
        let obj = dict.get(key).ok()?;
        let (_, obj) = self.doc.dereference(obj).ok()?;
        obj.as_i64().ok()
    }

    /// A page attribute, looked up through the page tree (`/Parent`) when inherited.
    fn inherited(&self, page_id: ObjectId, key: &[u8]) -> Option<&Object> {
        let mut id = page_id;
        for _ in 0..64 {
            let dict = self.doc.get_dictionary(id).ok()?;
            if let Ok(obj) = dict.get(key) {
                return self.doc.dereference(obj).ok().map(|(_, o)| o);
            }
            id = dict.get(b"Parent").ok()?.as_reference().ok()?;
        }
        None
    }

    fn largest_image(&self, page_id: ObjectId) -> Option<&lopdf::Stream> {
        let resources = self.inherited(page_id, b"Resources")?.as_dict().ok()?;
        let xobjects = resources.get(b"XObject").ok()?;
        let (_, xobjects) = self.doc.dereference(xobjects).ok()?;
        let xobjects = xobjects.as_dict().ok()?;
        xobjects
            .iter()
            .filter_map(|(_, v)| {
                let (_, obj) = self.doc.dereference(v).ok()?;
                let stream = obj.as_stream().ok()?;
                let subtype = stream.dict.get(b"Subtype").ok()?.as_name().ok()?;
                (subtype == b"Image").then_some(stream)
            })
            .max_by_key(|s| {
                self.int(&s.dict, b"Width").unwrap_or(0) * self.int(&s.dict, b"Height").unwrap_or(0)
            })
    }
}

fn number(o: &Object) -> Option<f32> {
    match o {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
}

/// True when the file's trailer names an `/Encrypt` dictionary.
fn has_encrypt_entry(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(4096)..];
    tail.windows(8).any(|w| w == b"/Encrypt")
}

fn filters(dict: &Dictionary) -> Vec<Vec<u8>> {
    match dict.get(b"Filter") {
        Ok(Object::Name(n)) => vec![n.clone()],
        Ok(Object::Array(a)) => a
            .iter()
            .filter_map(|o| o.as_name().ok().map(|n| n.to_vec()))
            .collect(),
        _ => vec![],
    }
}

fn decode_parms<'a>(doc: &'a Document, dict: &'a Dictionary) -> Option<&'a Dictionary> {
    let obj = dict.get(b"DecodeParms").ok()?;
    let (_, obj) = doc.dereference(obj).ok()?;
    match obj {
        Object::Dictionary(d) => Some(d),
        Object::Array(a) => a.iter().rev().find_map(|o| o.as_dict().ok()),
        _ => None,
    }
}

/// Whether the image's `/Decode` array inverts a 1-channel image.
fn decode_inverted(dict: &Dictionary) -> bool {
    dict.get(b"Decode")
        .ok()
        .and_then(|o| o.as_array().ok())
        .and_then(|a| a.first().and_then(number))
        .is_some_and(|first| first >= 0.5)
}

fn decode_image_stream(
    doc: &Document,
    stream: &lopdf::Stream,
    width: u32,
    height: u32,
    max_pixels: u64,
) -> Result<GrayImage, String> {
    let dict = &stream.dict;
    let filters = filters(dict);
    let last = filters.last().map(|f| f.as_slice());
    let mut image = match last {
        Some(b"DCTDecode") | Some(b"DCT") => {
            let data = if filters.len() > 1 {
                pre_decoded(stream)?
            } else {
                stream.content.clone()
            };
            super::jpeg::decode_gray(&data, max_pixels)?
        }
        Some(b"CCITTFaxDecode") | Some(b"CCF") => {
            let data = if filters.len() > 1 {
                pre_decoded(stream)?
            } else {
                stream.content.clone()
            };
            let parms = decode_parms(doc, dict);
            let get = |k: &[u8]| {
                parms
                    .and_then(|p| p.get(k).ok())
                    .and_then(|o| o.as_i64().ok())
            };
            let k = get(b"K").unwrap_or(0);
            let columns = get(b"Columns").unwrap_or(1728) as u32;
            let rows = get(b"Rows").map(|r| r as u32).unwrap_or(height);
            let black_is_1 = parms
                .and_then(|p| p.get(b"BlackIs1").ok())
                .and_then(|o| o.as_bool().ok())
                .unwrap_or(false);
            let mut img = super::tiff::decode_ccitt(&data, k, columns, rows)?;
            if black_is_1 {
                image::imageops::invert(&mut img);
            }
            img
        }
        Some(b"JBIG2Decode") => return Err("JBIG2 images are not supported".into()),
        Some(b"JPXDecode") => return Err("JPEG 2000 images are not supported".into()),
        _ => {
            let data = stream
                .get_plain_content()
                .map_err(|e| format!("cannot decompress image data: {e}"))?;
            raw_pixels(doc, dict, &data, width, height)?
        }
    };
    if decode_inverted(dict) && !matches!(last, Some(b"DCTDecode") | Some(b"DCT")) {
        image::imageops::invert(&mut image);
    }
    if image.dimensions() != (width, height) && width > 0 && height > 0 {
        // Trust the decoded data over the dictionary, but refuse absurd mismatches.
        let (w, h) = image.dimensions();
        if (w as u64) * (h as u64) > (width as u64) * (height as u64) * 4 {
            return Err(format!(
                "image data is {w}x{h} but the PDF says {width}x{height}"
            ));
        }
    }
    Ok(image)
}

/// Applies every filter but the last (e.g. Flate before DCT).
fn pre_decoded(stream: &lopdf::Stream) -> Result<Vec<u8>, String> {
    let mut s = stream.clone();
    let mut fs = filters(&stream.dict);
    fs.pop();
    s.dict.set(
        "Filter",
        Object::Array(fs.into_iter().map(Object::Name).collect()),
    );
    s.decompressed_content()
        .map_err(|e| format!("cannot decompress image data: {e}"))
}

fn raw_pixels(
    doc: &Document,
    dict: &Dictionary,
    data: &[u8],
    width: u32,
    height: u32,
) -> Result<GrayImage, String> {
    let bpc = dict
        .get(b"BitsPerComponent")
        .ok()
        .and_then(|o| o.as_i64().ok())
        .unwrap_or(if dict.get(b"ImageMask").is_ok() { 1 } else { 8 });
    let components = match dict.get(b"ColorSpace").ok().map(|o| doc.dereference(o)) {
        Some(Ok((_, Object::Name(n)))) => match n.as_slice() {
            b"DeviceRGB" | b"CalRGB" => 3,
            b"DeviceCMYK" => 4,
            _ => 1,
        },
        Some(Ok((_, Object::Array(a)))) => match a.first().and_then(|o| o.as_name().ok()) {
            Some(b"ICCBased") => a
                .get(1)
                .and_then(|r| doc.dereference(r).ok())
                .and_then(|(_, o)| o.as_stream().ok())
                .and_then(|s| s.dict.get(b"N").ok()?.as_i64().ok())
                .unwrap_or(1) as usize,
            Some(b"Indexed") => return Err("indexed-colour images are not supported".into()),
            _ => 1,
        },
        _ => 1,
    };
    let (w, h) = (width as usize, height as usize);
    match (bpc, components) {
        // PDF DeviceGray 1-bit: 0 is black, 1 is white.
        (1, 1) => super::expand_bits(data, width, height, true)
            .ok_or_else(|| "image data is truncated".to_string()),
        (8, 1) => GrayImage::from_raw(width, height, data[..data.len().min(w * h)].to_vec())
            .ok_or_else(|| "image data is truncated".to_string()),
        (8, n) if n == 3 || n == 4 => {
            if data.len() < w * h * n {
                return Err("image data is truncated".into());
            }
            Ok(GrayImage::from_fn(width, height, |x, y| {
                let i = (y as usize * w + x as usize) * n;
                let v = match n {
                    3 => luma(data[i], data[i + 1], data[i + 2]),
                    _ => {
                        let k = data[i + 3] as u32;
                        let c = |v: u8| (255 - (v as u32 + k).min(255)) as u8;
                        luma(c(data[i]), c(data[i + 1]), c(data[i + 2]))
                    }
                };
                image::Luma([v])
            }))
        }
        _ => Err(format!(
            "{bpc}-bit images with {components} colour components are not supported"
        )),
    }
}

fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((r as u32 * 299 + g as u32 * 587 + b as u32 * 114) / 1000) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypt_entry_is_detected() {
        assert!(has_encrypt_entry(
            b"%PDF-1.4 ... trailer << /Encrypt 5 0 R >>"
        ));
        assert!(!has_encrypt_entry(
            b"%PDF-1.4 ... trailer << /Root 1 0 R >>"
        ));
    }

    #[test]
    fn truncated_pdf_is_a_clear_error() {
        let err = PdfPages::open(b"%PDF-1.4\n1 0 obj << /Type /Catalog")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("not a readable PDF"), "{err}");
    }
}
