//! PDF pages, decoded by what the page really is.
//!
//! Each page is first *surveyed*: its content is interpreted (hayro) without drawing, and
//! what it would draw is counted: pictures with where they land, visible glyphs with their
//! text, filled or stroked shapes, invisible text (an OCR layer someone else made).
//!
//! - **A scanner page** (one picture covering the page, nothing else visible) is decoded at
//!   the picture's own resolution, turned and mirrored as the page places it (/Rotate, the
//!   picture's matrix). A plain JPEG picture is decoded straight to grey (the fast path the
//!   dev corpus measures); every other encoding (CCITT, JBIG2, JPEG 2000, Flate or LZW with
//!   predictors, palettes, /Decode arrays, soft masks) goes through hayro's decoders.
//! - **Any other page** (vector drawing, several pictures, stencil masks, text) is rendered
//!   at [`RENDER_DPI`] (less if the page would exceed the pixel limit).
//! - **Real text**: when a page shows glyphs whose characters are known, that text becomes
//!   the page's text layer ([`TextLayer`]) instead of an OCR reading; an invisible text layer
//!   is never trusted (its quality is unknown) and the page is read by OCR.
//!
//! Files encrypted with an owner password only (empty user password) open like any other;
//! a file that needs a password to open is refused with that reason.

use std::sync::{Arc, Mutex};

use hayro::hayro_interpret::font::Glyph as PdfGlyph;
use hayro::hayro_interpret::font::GlyphRun;
use hayro::hayro_interpret::hayro_syntax::page::Page;
use hayro::hayro_interpret::hayro_syntax::Filter;
use hayro::hayro_interpret::hayro_syntax::{DecryptionError, LoadPdfError, Pdf};
use hayro::hayro_interpret::util::TransformExt;
use hayro::hayro_interpret::{
    interpret_page, BlendMode, ClipPath, Context, Device, DrawMode, DrawProps, Image, ImageData,
    ImageDrawProps, InterpreterCache, InterpreterSettings, InterpreterWarning, SoftMask,
};
use hayro::kurbo::{Affine, BezPath, Point, Rect};
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{render, PixmapSettings, RenderCache, RenderSettings};
use image::GrayImage;

mod annotations;
mod integrity;

use super::{luma, over_white, plausible_dpi, DecodeError, DecodeLimits};
use crate::model::{OcrPage, OcrWord, PageImage, TextLayer};
use annotations::text_not_drawn;

/// Resolution at which non-scanner pages are rendered: tesseract's preferred input.
pub const RENDER_DPI: f64 = 300.0;
/// Below this a page that is too large for the pixel limit is refused rather than read.
const MIN_RENDER_DPI: f64 = 100.0;
/// A picture covering this share of the page (and nothing else drawn) is a scanned page.
const SCAN_COVERAGE: f64 = 0.85;
/// The pictures one page draws, summed, are held to this many pages' worth of pixels.
const DRAWN_PAGES_BUDGET: u64 = 4;
/// The smallest print a picture can carry legibly: 6 pt drawn on the page (the small print
/// of forms and labels), 10 pixels in the picture itself (below that no letter is legible
/// to a person or to OCR).
const MIN_PRINT_PT: f64 = 6.0;
const MIN_PRINT_PX: u32 = 10;

pub struct PdfPages {
    pdf: Pdf,
    /// The form says its fields' appearances are stale (`/AcroForm /NeedAppearances`):
    /// a viewer draws the values afresh, hayro draws the saved boxes.
    stale_fields: bool,
}

impl PdfPages {
    pub fn open(bytes: &[u8]) -> Result<PdfPages, DecodeError> {
        // A PDF ends with its trailer: without it the file was cut short, and the pages a
        // reader would recover from the rest are not the whole scan.
        let end = bytes.len()
            - bytes
                .iter()
                .rev()
                .take_while(|b| b.is_ascii_whitespace() || **b == 0)
                .count();
        let tail = &bytes[end.saturating_sub(1024)..end];
        if !tail.windows(5).any(|w| w == b"%%EOF") {
            return Err(DecodeError::Structure(
                "PDF is truncated: its end (the %%EOF trailer) is missing; the file may have \
                 been cut short in transfer"
                    .into(),
            ));
        }
        let pdf = Pdf::new(Arc::new(bytes.to_vec())).map_err(|e| match e {
            LoadPdfError::Decryption(DecryptionError::PasswordProtected) => DecodeError::Encrypted,
            LoadPdfError::Decryption(other) => {
                DecodeError::Structure(format!("PDF encryption cannot be read ({other:?})"))
            }
            _ => DecodeError::Structure(
                "not a readable PDF; the file may be truncated or damaged".into(),
            ),
        })?;
        let stale_fields = {
            use hayro::hayro_interpret::hayro_syntax::object::Dict;
            let xref = pdf.xref();
            xref.get::<Dict<'_>>(xref.root_id())
                .and_then(|catalog| catalog.get::<Dict<'_>>(b"AcroForm"))
                .and_then(|form| form.get::<bool>(b"NeedAppearances"))
                .unwrap_or(false)
        };
        Ok(PdfPages { pdf, stale_fields })
    }

    pub fn num_pages(&self) -> usize {
        self.pdf.pages().len()
    }

    pub fn decode_page(
        &mut self,
        page_no: u32,
        limits: DecodeLimits,
    ) -> Result<PageImage, DecodeError> {
        let err = |m: DecodeError| DecodeError::page(page_no, m);
        let pages = self.pdf.pages();
        let page = pages
            .get(page_no as usize - 1)
            .ok_or_else(|| err("no such page".into()))?;
        let (pw, ph) = page.render_dimensions();
        if !(pw > 1.0 && ph > 1.0 && pw < 200_000.0 && ph < 200_000.0) {
            return Err(err(
                format!("page size {pw}x{ph} points is not usable").into()
            ));
        }
        let (pw, ph) = (pw as f64, ph as f64);
        let warnings = Arc::new(Mutex::new(Vec::new()));
        let settings = settings(&warnings);
        let survey = Survey::of(page, &settings);
        check_warnings(&warnings).map_err(err)?;
        // Every picture is held to the pixel limit before anything decodes it (rendering
        // decodes each at its full size).
        let (lw, lh) = survey.largest;
        if lw as u64 * lh as u64 > limits.max_page_pixels {
            return Err(DecodeError::TooLarge {
                page: page_no,
                width: lw as u64,
                height: lh as u64,
                limit: limits.max_page_pixels,
            });
        }
        // A page drawing pictures worth many pages (one picture drawn thousands of times)
        // would take minutes to render: refused with the reason instead of stalling ingest.
        let budget = limits.max_page_pixels.saturating_mul(DRAWN_PAGES_BUDGET);
        if survey.drawn > budget {
            return Err(err(format!(
                "the page draws pictures totalling {} million pixels, over {DRAWN_PAGES_BUDGET} \
                 pages' worth; the file is damaged or hostile",
                survey.drawn / 1_000_000
            )
            .into()));
        }
        // (After the size checks: the check inflates every picture the page uses.)
        // Drawing instructions cut short or damaged part way, or a picture or drawing the
        // page asks for that the file does not hold, would leave the page drawn in part:
        // refused with the reason, like a picture that fails to decode.
        if let Some(problem) = integrity::damage(page) {
            return Err(err(format!("{problem} (damaged file)").into()));
        }
        let page_area = pw * ph;
        if let Some(scan) = survey.scanned_picture(page_area) {
            let (w, h) = (scan.width as u64, scan.height as u64);
            limits.check(page_no, w, h)?;
            let image =
                decode_picture(page, &settings, scan, limits.max_page_pixels).map_err(err)?;
            check_warnings(&warnings).map_err(err)?;
            let (iw, ih) = image.dimensions();
            let dpi = iw as f64 * 72.0 / scan.bbox.width().max(1.0);
            // Pixels the page shows taller than wide (a fax in normal mode, 204 x 98 DPI,
            // wrapped into a PDF) are stretched to square: squashed text reads as garbage.
            let ydpi = ih as f64 * 72.0 / scan.bbox.height().max(1.0);
            let image = if (dpi / ydpi - 1.0).abs() > 0.1 && (0.2..=5.0).contains(&(dpi / ydpi)) {
                let h = (ih as f64 * dpi / ydpi).round().max(1.0) as u32;
                image::imageops::resize(&image, iw, h, image::imageops::FilterType::Triangle)
            } else {
                image
            };
            let (iw, ih) = image.dimensions();
            return Ok(PageImage {
                page_no,
                dpi: plausible_dpi(Some(dpi), iw, ih),
                image,
                text_layer: None,
                not_drawn: text_not_drawn(page, self.stale_fields),
            });
        }
        // Rendered: at 300 DPI, or less to stay within the pixel limit.
        let fit = (limits.max_page_pixels as f64 / page_area).sqrt() * 72.0;
        let dpi = RENDER_DPI.min(fit).min(65_000.0 * 72.0 / pw.max(ph));
        if dpi < MIN_RENDER_DPI {
            let s = MIN_RENDER_DPI / 72.0;
            return Err(DecodeError::TooLarge {
                page: page_no,
                width: (pw * s) as u64,
                height: (ph * s) as u64,
                limit: limits.max_page_pixels,
            });
        }
        let scale = dpi / 72.0;
        let pixmap = render(
            page,
            &RenderCache::new(),
            &settings,
            &RenderSettings::default(),
            &PixmapSettings {
                x_scale: scale as f32,
                y_scale: scale as f32,
                bg_color: WHITE,
            },
        );
        check_warnings(&warnings).map_err(err)?;
        let (w, h) = (pixmap.width() as u32, pixmap.height() as u32);
        let gray: Vec<u8> = pixmap
            .data_as_u8_slice()
            .chunks_exact(4)
            .map(|p| luma(p[0], p[1], p[2]))
            .collect();
        let image =
            GrayImage::from_raw(w, h, gray).ok_or_else(|| err("rendering failed".into()))?;
        let text_layer = survey.text_layer(scale);
        Ok(PageImage {
            page_no,
            dpi: dpi.round() as u32,
            image,
            text_layer,
            not_drawn: text_not_drawn(page, self.stale_fields),
        })
    }
}

fn settings(warnings: &Arc<Mutex<Vec<InterpreterWarning>>>) -> InterpreterSettings {
    let sink = warnings.clone();
    InterpreterSettings {
        warning_sink: Arc::new(move |w| {
            if let Ok(mut v) = sink.lock() {
                v.push(w);
            }
        }),
        ..InterpreterSettings::default()
    }
}

/// A picture that fails to decode leaves a hole in the page: the page is refused with the
/// reason, never archived as if whole. (A missing font is drawn with a standard one.)
fn check_warnings(
    warnings: &Arc<Mutex<Vec<InterpreterWarning>>>,
) -> Result<(), super::DecodeError> {
    let seen = warnings.lock().map(|v| v.clone()).unwrap_or_default();
    if seen
        .iter()
        .any(|w| matches!(w, InterpreterWarning::ImageDecodeFailure))
    {
        return Err(super::DecodeError::from(
            "a picture on the page is damaged or in an unsupported encoding",
        ));
    }
    // A font hayro cannot load is drawn with a standard one (and its text, when mapped, is
    // still the page's text), so it does not refuse the page.
    Ok(())
}

/// Where one picture lands on the page.
#[derive(Debug, Clone, Copy)]
struct Picture {
    /// Maps the picture's pixels (0..width, 0..height, row 0 first) to page points.
    transform: Affine,
    bbox: Rect,
    width: u32,
    height: u32,
}

/// One visible glyph, in page points (y down).
#[derive(Debug, Clone)]
struct Glyph {
    text: String,
    /// Baseline origin and the far end of its advance.
    origin: Point,
    end: Point,
    /// Em size along the glyph's vertical.
    size: f64,
}

impl Picture {
    /// Whether the picture is large enough, on the page and in its own pixels, to hold a
    /// line of print (one short word: twice as wide as tall).
    fn can_hold_text(&self) -> bool {
        let (w, h) = (self.bbox.width(), self.bbox.height());
        let (short, long) = (w.min(h), w.max(h));
        let (px_short, px_long) = (self.width.min(self.height), self.width.max(self.height));
        short >= MIN_PRINT_PT
            && long >= 2.0 * MIN_PRINT_PT
            && px_short >= MIN_PRINT_PX
            && px_long >= 2 * MIN_PRINT_PX
    }
}

/// What a page draws, counted without drawing it.
#[derive(Default)]
struct Survey {
    pictures: Vec<Picture>,
    stencils: usize,
    shapes: usize,
    glyphs: Vec<Glyph>,
    /// Visible glyphs whose character is unknown (no Unicode mapping).
    unmapped: usize,
    /// Visible glyphs not set upright (turned, mirrored, vertical): lines cannot be read off
    /// their positions, so such a page is read by OCR.
    turned: usize,
    invisible: usize,
    /// The largest picture (raster or stencil) drawn, as (width, height) in its pixels.
    largest: (u32, u32),
    /// Pixels of every picture drawn, summed (a picture drawn twice counts twice: rendering
    /// decodes it each time).
    drawn: u64,
}

impl Survey {
    fn of(page: &Page<'_>, settings: &InterpreterSettings) -> Survey {
        let cache = InterpreterCache::new();
        let transform = page.initial_transform(true).to_kurbo();
        let (w, h) = page.render_dimensions();
        let mut ctx = Context::new(
            transform,
            Rect::new(0.0, 0.0, w as f64, h as f64),
            &cache,
            page.xref(),
            settings.clone(),
        );
        let mut survey = Survey::default();
        interpret_page(page, &mut ctx, &mut survey);
        survey
    }

    /// The page's only visible content, when it is one picture covering the page, placed
    /// upright or turned by a quarter turn (a scanned page).
    fn scanned_picture(&self, page_area: f64) -> Option<&Picture> {
        if self.pictures.len() != 1 || self.stencils > 0 || self.shapes > 0 {
            return None;
        }
        if !self.glyphs.is_empty() || self.unmapped > 0 {
            return None;
        }
        let p = &self.pictures[0];
        let [a, b, c, d, _, _] = p.transform.as_coeffs();
        let axis_aligned = (b.abs() < 1e-9 && c.abs() < 1e-9) || (a.abs() < 1e-9 && d.abs() < 1e-9);
        (axis_aligned && p.bbox.area() >= SCAN_COVERAGE * page_area).then_some(p)
    }

    /// The page's real text as words in lines, in pixels at `scale` pixels per point.
    /// `None` when the page shows no text, or text whose characters are mostly unknown.
    fn text_layer(&self, scale: f64) -> Option<TextLayer> {
        let letters: usize = self
            .glyphs
            .iter()
            .map(|g| g.text.chars().filter(|c| c.is_alphanumeric()).count())
            .sum();
        // Mostly unmapped glyphs (a font without a Unicode table): the text cannot be
        // trusted, OCR reads the rendered page instead.
        if letters == 0 || self.unmapped * 10 > self.glyphs.len() + self.unmapped {
            return None;
        }
        // Any turned text (a sideways page, a margin label): OCR with its orientation step
        // reads the page; a layer built from screen positions would scramble it.
        if self.turned > 0 {
            return None;
        }
        let page = words_from_glyphs(&self.glyphs, scale);
        if page.words.is_empty() {
            return None;
        }
        // Any picture that can hold a line of print (a pasted label, a stamp, a scanned
        // signature block), and any stencil (text set as a 1-bit mask), is read by OCR too:
        // however small a part of the page, its words are part of the record.
        let ocr_pictures = self.stencils > 0 || self.pictures.iter().any(Picture::can_hold_text);
        Some(TextLayer { page, ocr_pictures })
    }
}

impl<'a> Device<'a> for Survey {
    fn draw_path(&mut self, path: &BezPath, _: DrawProps<'a>, mode: &DrawMode) {
        if !matches!(mode, DrawMode::Invisible) && !path.elements().is_empty() {
            self.shapes += 1;
        }
    }
    fn push_clip_path(&mut self, _: &ClipPath) {}
    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {}
    fn draw_glyph_run(&mut self, run: &GlyphRun<'_, 'a>, props: DrawProps<'a>, mode: &DrawMode) {
        if matches!(mode, DrawMode::Invisible) {
            self.invisible += run.glyphs().len();
            return;
        }
        // Text painted white on the page shows nothing: not part of what the page says.
        if let hayro::hayro_interpret::Paint::Color(c) = &props.paint {
            let [r, g, b, _] = c.to_rgba().to_rgba8();
            if r > 245 && g > 245 && b > 245 {
                return;
            }
        }
        for g in run.glyphs() {
            let t = props.transform * g.transform();
            let [a, b, c, d, _, _] = t.as_coeffs();
            // Upright in page space (y down): x grows along the line, y grows downward.
            if !(a > 0.0 && d < 0.0 && b.abs() < 0.05 * a && c.abs() < 0.05 * a.abs()) {
                self.turned += 1;
            }
            let text = match g.as_unicode() {
                Some(hayro::hayro_interpret::hayro_cmap::BfString::Char(c)) => c.to_string(),
                Some(hayro::hayro_interpret::hayro_cmap::BfString::String(s)) => s,
                None => {
                    self.unmapped += 1;
                    continue;
                }
            };
            if text.chars().all(|c| c == '\u{FFFD}' || c.is_control()) {
                self.unmapped += 1;
                continue;
            }
            let advance = match &**g {
                PdfGlyph::Outline(o) => o.advance_width(),
                PdfGlyph::Type3(t) => t.advance_width(),
            };
            let advance = advance.filter(|a| *a > 0.0).unwrap_or(500.0) as f64;
            let origin = t * Point::new(0.0, 0.0);
            let size = (t * Point::new(0.0, 1000.0) - origin).hypot();
            self.glyphs.push(Glyph {
                text,
                origin,
                end: t * Point::new(advance, 0.0),
                size,
            });
        }
    }
    fn draw_image(&mut self, image: Image<'a, '_>, props: ImageDrawProps<'a>) {
        let (mut w, mut h) = (image.width(), image.height());
        // A JPEG 2000 codestream states its own size, which is what its decoder allocates
        // for, whatever the dictionary says: that size is what is checked.
        if let Image::Raster(r) = &image {
            if r.stream().filters().contains(&Filter::JpxDecode) {
                (w, h) = jpx_size(&r.stream().raw_data()).unwrap_or((u32::MAX, u32::MAX));
            }
        }
        if w as u64 * h as u64 > self.largest.0 as u64 * self.largest.1 as u64 {
            self.largest = (w, h);
        }
        self.drawn = self.drawn.saturating_add(w as u64 * h as u64);
        match image {
            Image::Stencil(_) => self.stencils += 1,
            Image::Raster(r) => {
                let (width, height) = (r.width(), r.height());
                let local = Rect::new(0.0, 0.0, width as f64, height as f64);
                self.pictures.push(Picture {
                    transform: props.transform,
                    bbox: props.transform.transform_rect_bbox(local),
                    width,
                    height,
                });
            }
        }
    }
    fn pop_clip(&mut self) {}
    fn pop_transparency_group(&mut self) {}
}

/// The size a JPEG 2000 codestream declares (its SIZ marker, right after the start of the
/// codestream, in a JP2 file or bare), counted as width x (height x components) so the
/// decoder's whole allocation is held to the pixel limit. `None` when there is no SIZ.
fn jpx_size(data: &[u8]) -> Option<(u32, u32)> {
    let at = data
        .windows(4)
        .position(|w| w == [0xFF, 0x4F, 0xFF, 0x51])?
        + 4;
    let be32 = |o: usize| -> Option<u32> {
        Some(u32::from_be_bytes(
            data.get(at + o..at + o + 4)?.try_into().ok()?,
        ))
    };
    // Lsiz(2) Rsiz(2) Xsiz Ysiz XOsiz YOsiz XTsiz YTsiz XTOsiz YTOsiz Csiz(2)
    let (x, y, xo, yo) = (be32(4)?, be32(8)?, be32(12)?, be32(16)?);
    let c = u16::from_be_bytes(data.get(at + 36..at + 38)?.try_into().ok()?) as u64;
    let w = x.checked_sub(xo)?;
    let h = (y.checked_sub(yo)? as u64).saturating_mul(c.max(1));
    Some((w, h.min(u32::MAX as u64) as u32))
}

/// Decodes the page's one picture at its own resolution, placed as the page shows it.
fn decode_picture(
    page: &Page<'_>,
    settings: &InterpreterSettings,
    scan: &Picture,
    max_pixels: u64,
) -> Result<GrayImage, super::DecodeError> {
    struct Take {
        max_pixels: u64,
        out: Option<Result<GrayImage, super::DecodeError>>,
    }
    impl<'a> Device<'a> for Take {
        fn draw_path(&mut self, _: &BezPath, _: DrawProps<'a>, _: &DrawMode) {}
        fn push_clip_path(&mut self, _: &ClipPath) {}
        fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {}
        fn draw_glyph_run(&mut self, _: &GlyphRun<'_, 'a>, _: DrawProps<'a>, _: &DrawMode) {}
        fn draw_image(&mut self, image: Image<'a, '_>, _: ImageDrawProps<'a>) {
            let Image::Raster(r) = image else { return };
            if self.out.is_some() {
                return;
            }
            let stream = r.stream();
            let dict = stream.dict();
            let plain_jpeg = stream.filters().as_slice() == [Filter::DctDecode]
                && !dict.contains_key("Decode")
                && !dict.contains_key("SMask")
                && !dict.contains_key("Mask");
            if plain_jpeg {
                self.out = Some(super::jpeg::decode_gray(
                    &stream.raw_data(),
                    self.max_pixels,
                ));
                return;
            }
            let mut got = None;
            r.with_rgba(
                |data, alpha| {
                    got = Some(to_gray(data, alpha));
                },
                None,
            );
            self.out = Some(got.unwrap_or_else(|| {
                Err(super::DecodeError::from(
                    "the page's picture is damaged or in an unsupported encoding",
                ))
            }));
        }
        fn pop_clip(&mut self) {}
        fn pop_transparency_group(&mut self) {}
    }
    let cache = InterpreterCache::new();
    let (w, h) = page.render_dimensions();
    let mut ctx = Context::new(
        page.initial_transform(true).to_kurbo(),
        Rect::new(0.0, 0.0, w as f64, h as f64),
        &cache,
        page.xref(),
        settings.clone(),
    );
    let mut take = Take {
        max_pixels,
        out: None,
    };
    interpret_page(page, &mut ctx, &mut take);
    let image = take.out.unwrap_or_else(|| {
        Err(super::DecodeError::from(
            "the page's picture could not be read",
        ))
    })?;
    if image.dimensions() != (scan.width, scan.height) {
        return Err(super::DecodeError::from(format!(
            "picture data is {}x{} but the PDF says {}x{}",
            image.width(),
            image.height(),
            scan.width,
            scan.height
        )));
    }
    Ok(place(&image, scan.transform))
}

/// Picture pixels to grey on white paper (alpha, if any, is coverage).
fn to_gray(
    data: ImageData,
    alpha: Option<hayro::hayro_interpret::LumaData>,
) -> Result<GrayImage, super::DecodeError> {
    let (w, h) = (data.width(), data.height());
    let mut gray: Vec<u8> = match data {
        ImageData::Luma(l) => l.data,
        ImageData::Rgb(c) => c
            .data
            .chunks_exact(3)
            .map(|p| luma(p[0], p[1], p[2]))
            .collect(),
    };
    if let Some(a) = alpha.filter(|a| a.width == w && a.height == h) {
        for (v, &a) in gray.iter_mut().zip(&a.data) {
            *v = over_white(*v, Some(a));
        }
    }
    GrayImage::from_raw(w, h, gray).ok_or_else(|| "picture data has the wrong size".into())
}

/// Turns and mirrors a picture as `transform` (picture pixels to page, y down) places it,
/// at the picture's own resolution. Only axis-aligned placements reach here.
fn place(img: &GrayImage, transform: Affine) -> GrayImage {
    let [a, b, c, d, _, _] = transform.as_coeffs();
    let (w, h) = img.dimensions();
    if b.abs() < 1e-9 && c.abs() < 1e-9 {
        let mut out = img.clone();
        if a < 0.0 {
            image::imageops::flip_horizontal_in_place(&mut out);
        }
        if d < 0.0 {
            image::imageops::flip_vertical_in_place(&mut out);
        }
        return out;
    }
    // A quarter turn: page x follows picture y (by c), page y follows picture x (by b).
    GrayImage::from_fn(h, w, |xo, yo| {
        let yi = if c > 0.0 { xo } else { h - 1 - xo };
        let xi = if b > 0.0 { yo } else { w - 1 - yo };
        *img.get_pixel(xi, yi)
    })
}

/// Groups glyphs into words and lines (reading order: top to bottom, left to right).
fn words_from_glyphs(glyphs: &[Glyph], scale: f64) -> OcrPage {
    let mut order: Vec<&Glyph> = glyphs.iter().filter(|g| g.size > 0.5).collect();
    // Overprinted glyphs ("fake bold": the same character drawn again a hair to the side)
    // count once.
    order.sort_by(|a, b| {
        a.origin
            .y
            .total_cmp(&b.origin.y)
            .then(a.origin.x.total_cmp(&b.origin.x))
    });
    order.dedup_by(|g, kept| {
        g.text == kept.text
            && (g.origin.y - kept.origin.y).abs() < 0.1 * kept.size
            && (g.origin.x - kept.origin.x).abs() < 0.15 * kept.size
    });
    // Lines: glyphs whose baselines lie within half an em of each other.
    order.sort_by(|a, b| a.origin.y.total_cmp(&b.origin.y));
    let mut lines: Vec<Vec<&Glyph>> = Vec::new();
    for g in order {
        match lines.last_mut() {
            Some(line)
                if (g.origin.y - line[0].origin.y).abs() <= 0.5 * line[0].size.max(g.size) =>
            {
                line.push(g)
            }
            _ => lines.push(vec![g]),
        }
    }
    let mut words = Vec::new();
    let mut text_lines = Vec::new();
    for line in lines.iter_mut() {
        line.sort_by(|a, b| a.origin.x.total_cmp(&b.origin.x));
        let mut current: Vec<&Glyph> = Vec::new();
        let mut line_words: Vec<String> = Vec::new();
        let line_no = text_lines.len() as u32;
        let mut flush = |current: &mut Vec<&Glyph>, words: &mut Vec<OcrWord>| {
            let text: String = current.iter().map(|g| g.text.as_str()).collect();
            let text = text.trim().to_string();
            if !text.is_empty() {
                let size = current.iter().map(|g| g.size).fold(0.0, f64::max);
                let left = current.iter().map(|g| g.origin.x).fold(f64::MAX, f64::min);
                let right = current
                    .iter()
                    .map(|g| g.end.x.max(g.origin.x))
                    .fold(f64::MIN, f64::max);
                let base = current.iter().map(|g| g.origin.y).fold(f64::MIN, f64::max);
                let top = base - 0.8 * size;
                let px = |v: f64| (v * scale).max(0.0).round() as u32;
                words.push(OcrWord {
                    text: text.clone(),
                    left: px(left),
                    top: px(top),
                    width: px(right - left).max(1),
                    height: px(size).max(1),
                    conf: 100.0,
                    line: line_no,
                });
                line_words.push(text);
            }
            current.clear();
        };
        for g in line.iter() {
            let gap = current
                .last()
                .map(|p| g.origin.x - p.end.x.max(p.origin.x))
                .unwrap_or(0.0);
            if g.text.chars().all(char::is_whitespace) {
                flush(&mut current, &mut words);
                continue;
            }
            if !current.is_empty() && gap > 0.2 * g.size {
                flush(&mut current, &mut words);
            }
            current.push(g);
        }
        flush(&mut current, &mut words);
        if !line_words.is_empty() {
            text_lines.push(line_words.join(" "));
        }
    }
    OcrPage {
        text: text_lines.join("\n"),
        words,
        confidence: 100.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_pdf_is_a_clear_error() {
        let err = PdfPages::open(b"%PDF-1.4\n1 0 obj << /Type /Catalog")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("truncated"), "{err}");
        let err = PdfPages::open(b"%PDF-1.4\n1 0 obj << /Type /Catalog\n%%EOF\n")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("not a readable PDF"), "{err}");
    }

    #[test]
    fn jpeg2000_size_comes_from_the_codestream() {
        let mut siz = vec![0u8, 0, 0xFF, 0x4F, 0xFF, 0x51, 0, 41, 0, 0];
        for v in [1000u32, 500, 0, 0, 1000, 500, 0, 0] {
            siz.extend_from_slice(&v.to_be_bytes());
        }
        siz.extend_from_slice(&3u16.to_be_bytes());
        assert_eq!(jpx_size(&siz), Some((1000, 1500)));
        assert_eq!(jpx_size(&siz[..20]), None);
        assert_eq!(jpx_size(b"no codestream"), None);
    }

    #[test]
    fn quarter_turned_picture_is_placed_upright() {
        // A 3x2 picture drawn turned a quarter: page x follows picture y.
        let img = GrayImage::from_fn(3, 2, |x, y| image::Luma([(y * 3 + x) as u8]));
        let turned = place(&img, Affine::new([0.0, 1.0, 1.0, 0.0, 0.0, 0.0]));
        assert_eq!(turned.dimensions(), (2, 3));
        assert_eq!(turned.get_pixel(1, 0).0[0], 3, "page x=1 is picture row 1");
        let flipped = place(&img, Affine::new([-1.0, 0.0, 0.0, 1.0, 3.0, 0.0]));
        assert_eq!(flipped.get_pixel(0, 0).0[0], 2);
    }

    #[test]
    fn glyphs_group_into_words_and_lines() {
        let g = |t: &str, x: f64, y: f64| Glyph {
            text: t.into(),
            origin: Point::new(x, y),
            end: Point::new(x + 6.0, y),
            size: 12.0,
        };
        let glyphs = vec![
            g("i", 26.0, 100.0),
            g("H", 20.0, 100.0),
            g("y", 40.0, 101.0),
            g("o", 46.0, 100.0),
            g("u", 52.0, 100.0),
            g("B", 20.0, 130.0),
        ];
        let page = words_from_glyphs(&glyphs, 2.0);
        assert_eq!(page.text, "Hi you\nB");
        assert_eq!(page.words.len(), 3);
        assert_eq!(page.words[0].left, 40);
        assert_eq!(page.words[2].line, 1);
    }
}
