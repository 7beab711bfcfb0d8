//! Text features for the document-type model: lower-cased word unigrams and bigrams.
//!
//! Numbers, punctuation and one-letter tokens are dropped: they carry dates, MRNs and OCR
//! noise rather than the kind of document.

/// Word tokens of `text`: runs of ASCII letters (after folding case), at least two long.
pub fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|t| t.len() >= 2)
        .map(|t| t.to_ascii_lowercase())
        .collect()
}

/// Unigrams and adjacent bigrams ("discharge summary") of `text`, with repeats.
pub fn terms(text: &str) -> Vec<String> {
    let toks = tokens(text);
    let mut out = Vec::with_capacity(toks.len() * 2);
    for (i, t) in toks.iter().enumerate() {
        out.push(t.clone());
        if let Some(next) = toks.get(i + 1) {
            out.push(format!("{t} {next}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_numbers_and_single_letters_and_folds_case() {
        assert_eq!(
            tokens("DISCHARGE Summary: 07/11/1997 a MRN 12345678"),
            vec!["discharge", "summary", "mrn"]
        );
    }

    #[test]
    fn bigrams_follow_unigrams() {
        assert_eq!(
            terms("Operative report"),
            vec!["operative", "operative report", "report"]
        );
    }
}
