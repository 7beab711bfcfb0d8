//! Parsing tesseract's TSV output into words and reading-order text.

use crate::model::{OcrPage, OcrWord};

/// Builds an [`OcrPage`] from tesseract TSV (level 5 rows are words). Lines are keyed by
/// (block, paragraph, line); text joins words by one space and lines by `\n`, with no
/// empty lines. `confidence` is the mean word confidence.
pub fn parse_tsv(tsv: &str) -> OcrPage {
    let mut words = Vec::new();
    let mut line_key: Option<(u32, u32, u32)> = None;
    let mut line_idx: u32 = 0;
    let mut text = String::new();
    for row in tsv.lines() {
        let cols: Vec<&str> = row.split('\t').collect();
        if cols.len() < 12 || cols[0] != "5" {
            continue;
        }
        let num = |i: usize| cols[i].trim().parse::<i64>().unwrap_or(0).max(0) as u32;
        let word = cols[11].trim();
        if word.is_empty() {
            continue;
        }
        let key = (num(2), num(3), num(4));
        match line_key {
            Some(k) if k == key => text.push(' '),
            Some(_) => {
                line_idx += 1;
                text.push('\n');
            }
            None => {}
        }
        line_key = Some(key);
        text.push_str(word);
        words.push(OcrWord {
            text: word.to_string(),
            left: num(6),
            top: num(7),
            width: num(8),
            height: num(9),
            conf: cols[10].trim().parse::<f32>().unwrap_or(0.0).max(0.0),
            line: line_idx,
        });
    }
    let confidence = if words.is_empty() {
        0.0
    } else {
        words.iter().map(|w| w.conf).sum::<f32>() / words.len() as f32
    };
    OcrPage {
        text,
        words,
        confidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_grouped_into_lines() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
5\t1\t1\t1\t1\t1\t10\t10\t30\t12\t95.5\tHello\n\
5\t1\t1\t1\t1\t2\t45\t10\t30\t12\t90\tworld\n\
5\t1\t1\t1\t2\t1\t10\t30\t30\t12\t80\tNext\n\
5\t1\t2\t1\t1\t1\t10\t60\t30\t12\t70\tblock\n";
        let page = parse_tsv(tsv);
        assert_eq!(page.text, "Hello world\nNext\nblock");
        assert_eq!(page.words.len(), 4);
        assert_eq!(page.words[2].line, 1);
        assert_eq!(page.words[0].left, 10);
        assert!((page.confidence - 83.875).abs() < 0.01);
    }
}
