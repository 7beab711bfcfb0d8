//! Readable classification rules from `pipelines/*.toml` (`[[classify.rules]]`): a regular
//! expression, the document type it points to, and a weight added to that type's log-odds.
//!
//! Records staff edit these; the statistical model fills in where no rule fires.

use regex::Regex;
use serde::Deserialize;

use crate::model::DocType;

/// Where a rule looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleScope {
    /// Title-like lines near the top of the first page: mostly capitals, no colon.
    Title,
    /// Anywhere in the document's text.
    Text,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    pub doc_type: String,
    /// Case-insensitive regular expression; `^` and `$` match at line ends.
    pub pattern: String,
    pub weight: f32,
    pub scope: RuleScope,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub doc_type: DocType,
    pub pattern: Regex,
    pub weight: f32,
    pub scope: RuleScope,
}

/// A rule that fired, for the review screen and provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleHit {
    pub doc_type: DocType,
    pub weight: f32,
    pub matched: String,
    /// Whether it looked at the title lines or the whole text.
    pub scope: RuleScope,
}

/// Why a rule of the pipeline file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("unknown doc_type {0:?}")]
    UnknownType(String),
    #[error("{0}")]
    Pattern(#[from] regex::Error),
    #[error("weight must be a number")]
    Weight,
}

impl Rule {
    pub fn compile(c: &RuleConfig) -> Result<Rule, RuleError> {
        let doc_type = DocType::parse(&c.doc_type)
            .filter(|t| *t != DocType::Unclassified)
            .ok_or_else(|| RuleError::UnknownType(c.doc_type.clone()))?;
        let pattern = Regex::new(&format!("(?im){}", c.pattern))?;
        if !c.weight.is_finite() {
            return Err(RuleError::Weight);
        }
        Ok(Rule {
            doc_type,
            pattern,
            weight: c.weight,
            scope: c.scope,
        })
    }
}

/// Lines of the first `max_lines` lines that look like a document title.
pub fn title_lines(first_page: &str, max_lines: usize) -> Vec<&str> {
    first_page
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(max_lines)
        .filter(|l| {
            let letters: Vec<char> = l.chars().filter(|c| c.is_alphabetic()).collect();
            let upper = letters.iter().filter(|c| c.is_uppercase()).count();
            // Headings are set in capitals or in title case (`Discharge Summary`): a short
            // line whose longer words all start with a capital.
            let words: Vec<&str> = l.split_whitespace().collect();
            let long: Vec<&&str> = words.iter().filter(|w| w.len() > 3).collect();
            let title_case = words.len() <= 8
                && !long.is_empty()
                && long
                    .iter()
                    .all(|w| w.starts_with(|c: char| c.is_uppercase()));
            // Two capitals are a title when set apart (`H&P`); a shorter run of letters
            // in title case must have four.
            !l.contains(':')
                && ((letters.len() >= 2 && upper == letters.len())
                    || (letters.len() >= 4 && (upper * 10 >= letters.len() * 8 || title_case)))
        })
        .collect()
}

/// Every rule that fires on a document (each rule counts once).
pub fn apply(rules: &[Rule], titles: &[&str], text: &str) -> Vec<RuleHit> {
    let mut hits = Vec::new();
    for r in rules {
        let found = match r.scope {
            RuleScope::Title => titles
                .iter()
                .find_map(|l| r.pattern.find(l).map(|m| m.as_str().to_string())),
            RuleScope::Text => r.pattern.find(text).map(|m| m.as_str().to_string()),
        };
        if let Some(matched) = found {
            hits.push(RuleHit {
                scope: r.scope,
                doc_type: r.doc_type,
                weight: r.weight,
                matched,
            });
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(t: &str, p: &str, scope: RuleScope) -> Rule {
        Rule::compile(&RuleConfig {
            doc_type: t.into(),
            pattern: p.into(),
            weight: 5.0,
            scope,
        })
        .unwrap()
    }

    const PAGE: &str = "NEW DAVID COUNTY CLINIC\nPatient Name: DOE, JANE\nMRN: 12345678\n\
        OPERATIVE REPORT\nPREOPERATIVE DIAGNOSIS: Dural tear.\nDear colleague";

    #[test]
    fn title_lines_are_capitalised_or_title_case_lines_without_colons() {
        assert_eq!(
            title_lines(PAGE, 10),
            vec!["NEW DAVID COUNTY CLINIC", "OPERATIVE REPORT"]
        );
        assert_eq!(title_lines(PAGE, 1), vec!["NEW DAVID COUNTY CLINIC"]);
        // Title case counts too; a sentence does not.
        assert_eq!(
            title_lines(
                "Informed Consent for Procedure\nThe patient was seen today in clinic.",
                10
            ),
            vec!["Informed Consent for Procedure"]
        );
        // An abbreviation in capitals set apart is a title; a lone word in lower case or
        // a speck is not.
        assert_eq!(
            title_lines("Tel (526) 453-2277\nH&P\nok\nI", 10),
            vec!["H&P"]
        );
    }

    #[test]
    fn title_rules_look_only_at_titles_and_text_rules_everywhere() {
        let rules = vec![
            rule(
                "operative_report",
                r"^\W*operative report\W*$",
                RuleScope::Title,
            ),
            rule(
                "discharge_summary",
                r"preoperative diagnosis",
                RuleScope::Title,
            ),
            rule("correspondence", r"^dear\b", RuleScope::Text),
        ];
        let hits = apply(&rules, &title_lines(PAGE, 10), PAGE);
        let types: Vec<DocType> = hits.iter().map(|h| h.doc_type).collect();
        assert_eq!(
            types,
            vec![DocType::OperativeReport, DocType::Correspondence]
        );
    }

    #[test]
    fn bad_rules_are_refused() {
        let bad = |t: &str, p: &str| {
            Rule::compile(&RuleConfig {
                doc_type: t.into(),
                pattern: p.into(),
                weight: 1.0,
                scope: RuleScope::Text,
            })
            .is_err()
        };
        assert!(bad("memo", "x"));
        assert!(bad("unclassified", "x"));
        assert!(bad("progress_note", "("));
    }
}
