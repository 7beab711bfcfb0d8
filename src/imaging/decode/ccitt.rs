//! CCITT fax data (Group 3 one- and two-dimensional, Group 4) to grey pixels, for TIFF
//! strips; PDF pages decode theirs through the renderer's own copy of the same decoder.

use hayro_ccitt::{DecodeSettings, DecoderContext, EncodingMode};

/// How one block of fax data is coded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FaxParams {
    pub mode: EncodingMode,
    pub columns: u32,
    pub rows: u32,
    /// Rows begin on a byte (TIFF compression 2, or T4Options bit 2).
    pub byte_aligned: bool,
    /// Lines end with EOL codes (TIFF compression 3).
    pub end_of_line: bool,
    /// Bits are stored least significant first (TIFF FillOrder 2).
    pub lsb_first: bool,
}

/// Rows collected from the decoder, one byte per pixel: fax white is `white`.
struct Rows {
    pixels: Vec<u8>,
    columns: usize,
    rows: usize,
    max_rows: usize,
    white: u8,
}

impl hayro_ccitt::Decoder for Rows {
    fn push_row(&mut self, changes: &[u32]) {
        if self.rows >= self.max_rows {
            return;
        }
        let black = 255 - self.white;
        let start = self.pixels.len();
        self.pixels.resize(start + self.columns, self.white);
        let row = &mut self.pixels[start..];
        for pair in changes.chunks(2) {
            let from = (pair[0] as usize).min(self.columns);
            let to = pair
                .get(1)
                .map_or(self.columns, |&t| (t as usize).min(self.columns));
            if from < to {
                row[from..to].fill(black);
            }
        }
        self.rows += 1;
    }
}

/// Decodes one block of fax data into `params.rows` rows of grey pixels (fax white becomes
/// 255 when `white_is_fax_white`, else 0). Returns the pixels and the number of rows the
/// data really held: fewer than asked means the data is damaged or cut short.
pub(crate) fn decode(
    data: &[u8],
    params: FaxParams,
    white_is_fax_white: bool,
) -> Result<(Vec<u8>, u32), super::DecodeError> {
    if params.columns == 0
        || params.columns > 100_000
        || params.rows > 1_000_000
        || params.columns as u64 * params.rows as u64 > 400_000_000
    {
        return Err(super::DecodeError::from(format!(
            "fax image size {}x{} is not supported",
            params.columns, params.rows
        )));
    }
    let reversed;
    let data = if params.lsb_first {
        reversed = data.iter().map(|b| b.reverse_bits()).collect::<Vec<u8>>();
        &reversed[..]
    } else {
        data
    };
    let columns = params.columns as usize;
    let mut rows = Rows {
        pixels: Vec::with_capacity(columns * params.rows as usize),
        columns,
        rows: 0,
        max_rows: params.rows as usize,
        white: if white_is_fax_white { 255 } else { 0 },
    };
    let settings = DecodeSettings {
        columns: params.columns,
        rows: params.rows,
        end_of_block: true,
        end_of_line: params.end_of_line,
        rows_are_byte_aligned: params.byte_aligned,
        encoding: params.mode,
        strict: false,
    };
    let mut ctx = DecoderContext::new(settings);
    let outcome = hayro_ccitt::decode(data, &mut rows, &mut ctx);
    let got = rows.rows as u32;
    if got < params.rows {
        let why = match outcome {
            Err(e) => format!("{e:?}"),
            Ok(_) => "data ends early".into(),
        };
        return Err(super::DecodeError::from(format!(
            "fax data is damaged or cut short after {got} of {} lines ({why})",
            params.rows
        )));
    }
    Ok((rows.pixels, got))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_paint_black_between_changes() {
        let mut rows = Rows {
            pixels: Vec::with_capacity(20),
            columns: 10,
            rows: 0,
            max_rows: 2,
            white: 255,
        };
        hayro_ccitt::Decoder::push_row(&mut rows, &[2, 4, 8]);
        hayro_ccitt::Decoder::push_row(&mut rows, &[]);
        hayro_ccitt::Decoder::push_row(&mut rows, &[0]);
        assert_eq!(
            &rows.pixels[..10],
            &[255, 255, 0, 0, 255, 255, 255, 255, 0, 0]
        );
        assert_eq!(&rows.pixels[10..20], &[255; 10]);
        assert_eq!(rows.rows, 2, "a third row beyond the image is dropped");
    }
}
