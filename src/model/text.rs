//! Free-text fields people type (a hold's matter and reason, a release's recipient and
//! purpose): one rule for every front door.

/// Why a free-text field was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("{0} is required")]
    Missing(String),
    #[error("{0} must contain letters or digits (only spaces or invisible characters given)")]
    NoText(String),
    #[error("{0} contains control or text-direction characters")]
    Control(String),
    #[error("{name} is longer than {max} characters")]
    TooLong { name: String, max: usize },
}

/// The field trimmed, when it is a real text: not empty, some letter or digit (a
/// zero-width space alone is not a purpose), no control characters, at most `max`
/// characters.
pub fn free_text(name: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::Missing(name.into()));
    }
    // Control characters, and the bidirectional overrides that make a text read otherwise
    // than it is stored.
    let bidi = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if v.chars().any(|c| c.is_control() || bidi(c)) {
        return Err(FieldError::Control(name.into()));
    }
    if !v.chars().any(char::is_alphanumeric) {
        return Err(FieldError::NoText(name.into()));
    }
    if v.chars().count() > max {
        return Err(FieldError::TooLong {
            name: name.into(),
            max,
        });
    }
    Ok(v.to_string())
}

/// Longest matter, reason, recipient or purpose accepted.
pub const MAX_FIELD_CHARS: usize = 500;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_text_only() {
        assert_eq!(
            free_text("purpose", "  Continuity of care ", 500).unwrap(),
            "Continuity of care"
        );
        assert!(matches!(
            free_text("purpose", "\u{200b}", 500),
            Err(FieldError::NoText(_))
        ));
        assert!(matches!(
            free_text("purpose", " \u{200b}\u{2060} ", 500),
            Err(FieldError::NoText(_))
        ));
        assert!(matches!(
            free_text("purpose", "   ", 500),
            Err(FieldError::Missing(_))
        ));
        assert!(matches!(
            free_text("matter", "a\nb", 500),
            Err(FieldError::Control(_))
        ));
        assert!(matches!(
            free_text("matter", "Doe \u{202E}latipsoH", 500),
            Err(FieldError::Control(_))
        ));
        let long = "x".repeat(1_900_000);
        assert!(matches!(
            free_text("matter", &long, 500),
            Err(FieldError::TooLong { .. })
        ));
        assert_eq!(
            free_text("matter", "Doe v. Hôpital", 500).unwrap(),
            "Doe v. Hôpital"
        );
    }
}
