//! Edit distances for OCR error rates.

/// Folds all whitespace (spaces, newlines) to single spaces and trims.
pub fn normalize_text(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn levenshtein<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    if a.is_empty() {
        return b.len();
    }
    if b.is_empty() {
        return a.len();
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for (i, x) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(x != y);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

pub fn char_edit_distance(truth: &str, got: &str) -> usize {
    let a: Vec<char> = truth.chars().collect();
    let b: Vec<char> = got.chars().collect();
    levenshtein(&a, &b)
}

pub fn word_edit_distance(truth: &str, got: &str) -> usize {
    let a: Vec<&str> = truth.split(' ').filter(|w| !w.is_empty()).collect();
    let b: Vec<&str> = got.split(' ').filter(|w| !w.is_empty()).collect();
    levenshtein(&a, &b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(char_edit_distance("kitten", "sitting"), 3);
        assert_eq!(char_edit_distance("", "abc"), 3);
        assert_eq!(word_edit_distance("a b c", "a x c d"), 2);
        assert_eq!(normalize_text(" a\n b  c "), "a b c");
    }
}
