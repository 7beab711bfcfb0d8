//! Document classification: readable rules plus a statistical text model.
//!
//! Input: a document's text (its first page separately, for title rules). Output: a
//! [`Classification`]: the type, its probability, every type's probability and the rules
//! that fired. The combined score of a type is the model's log-probability plus the weights
//! of the rules that point to it; a softmax turns scores into probabilities. Below
//! `classify.min_confidence` the type is `unclassified` and the document goes to review.
//!
//! The model shipped with the binary is `pipelines/models/doctype.json.zst` (rebuild:
//! `chartvault train --corpus ../shared/corpus --out pipelines/models/doctype.json.zst`);
//! `chartvault train` into an archive stores a newer version there.

pub mod features;
pub mod model;
pub mod rules;
pub mod training;

pub use model::{Example, ModelError, TextModel, TrainingParams};
pub use rules::{Rule, RuleConfig, RuleError, RuleHit, RuleScope};

use serde::Deserialize;

use crate::model::DocType;

/// The model embedded in the binary.
pub const EMBEDDED_MODEL: &[u8] = include_bytes!("../../pipelines/models/doctype.json.zst");

/// Score of a type the model has never seen (it can still win on rules).
const UNSEEN_TYPE_LOG_PROB: f32 = -7.0;

/// `[classify]` in the pipeline file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassifyConfig {
    /// Below this probability a document is `unclassified` and goes to review.
    pub min_confidence: f32,
    /// How many non-empty lines at the top of the first page title rules look at.
    pub title_lines: usize,
    #[serde(default)]
    pub rules: Vec<RuleConfig>,
}

/// Why a classifier cannot be built or trained.
#[derive(Debug, thiserror::Error)]
pub enum ClassifyError {
    #[error("classify.rules[{index}]: {problem}")]
    Rule { index: usize, problem: RuleError },
    #[error("embedded document-type model: {0}")]
    EmbeddedModel(ModelError),
    #[error(transparent)]
    Corpus(#[from] crate::corpus::ManifestError),
    /// `train_text.jsonl` cannot be read or a line does not parse.
    #[error("{0}")]
    TrainText(String),
}

impl ClassifyConfig {
    fn compile_rules(&self) -> Result<Vec<Rule>, ClassifyError> {
        self.rules
            .iter()
            .enumerate()
            .map(|(index, r)| {
                Rule::compile(r).map_err(|problem| ClassifyError::Rule { index, problem })
            })
            .collect()
    }

    /// Whether every rule compiles (the pipeline file is checked when it is loaded).
    pub fn check(&self) -> Result<(), ClassifyError> {
        self.compile_rules().map(|_| ())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    pub doc_type: DocType,
    /// Probability of the chosen type (of the best type when unclassified).
    pub confidence: f32,
    /// The most probable type even when below the threshold.
    pub best_guess: DocType,
    pub rule_hits: Vec<RuleHit>,
}

pub struct Classifier {
    rules: Vec<Rule>,
    model: Option<TextModel>,
    min_confidence: f32,
    title_lines: usize,
}

impl Classifier {
    pub fn new(
        config: &ClassifyConfig,
        model: Option<TextModel>,
    ) -> Result<Classifier, ClassifyError> {
        let rules = config.compile_rules()?;
        Ok(Classifier {
            rules,
            model,
            min_confidence: config.min_confidence,
            title_lines: config.title_lines,
        })
    }

    /// The classifier with the model embedded in the binary.
    pub fn with_embedded_model(config: &ClassifyConfig) -> Result<Classifier, ClassifyError> {
        let model = TextModel::from_bytes(EMBEDDED_MODEL).map_err(ClassifyError::EmbeddedModel)?;
        Classifier::new(config, Some(model))
    }

    pub fn classify(&self, first_page: &str, text: &str) -> Classification {
        let types: Vec<DocType> = DocType::ALL
            .into_iter()
            .filter(|t| *t != DocType::Unclassified)
            .collect();
        let mut scores: Vec<f32> = match &self.model {
            Some(m) => {
                let lp = m.log_probabilities(text);
                types
                    .iter()
                    .map(|t| {
                        lp.iter()
                            .find(|(c, _)| c == t)
                            .map(|(_, p)| *p)
                            .unwrap_or(UNSEEN_TYPE_LOG_PROB)
                    })
                    .collect()
            }
            None => vec![0.0; types.len()],
        };
        let titles = rules::title_lines(first_page, self.title_lines);
        let rule_hits = rules::apply(&self.rules, &titles, text);
        for h in &rule_hits {
            if let Some(i) = types.iter().position(|t| *t == h.doc_type) {
                scores[i] += h.weight;
            }
        }
        let probs = model::softmax(&scores);
        let (best, p) = probs
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, p)| (types[i], *p))
            .unwrap_or((DocType::Unclassified, 0.0));
        let empty = text.trim().is_empty();
        // A document whose title names one type, and whose text points nowhere else (that
        // type scores best), is that type even when the model, trained on other wordings,
        // spreads its probability: the title is the document saying what it is.
        let mut titled: Vec<DocType> = rule_hits
            .iter()
            .filter(|h| h.scope == RuleScope::Title && h.weight > 0.0)
            .map(|h| h.doc_type)
            .collect();
        titled.dedup();
        // No rule may point elsewhere (`CONSULTATION` over `Dear Dr. Lee,` is a letter's
        // subject as much as an H&P's title).
        let elsewhere = rule_hits
            .iter()
            .any(|h| h.weight > 0.0 && Some(h.doc_type) != titled.first().copied());
        let named = titled.len() == 1 && titled[0] == best && !elsewhere;
        Classification {
            doc_type: if (p >= self.min_confidence || named) && !empty {
                best
            } else {
                DocType::Unclassified
            },
            confidence: if empty { 0.0 } else { p },
            best_guess: best,
            rule_hits,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classifier(scope: &str) -> Classifier {
        let config: ClassifyConfig = toml::from_str(&format!(
            r#"
min_confidence = 0.99
title_lines = 10
[[rules]]
doc_type = "history_and_physical"
pattern = 'h\s*&\s*p'
weight = 2.0
scope = "{scope}"
"#
        ))
        .unwrap();
        Classifier::new(&config, None).unwrap()
    }

    /// A title naming the type decides when the scores point nowhere else, however
    /// spread they are; the same words in the body do not.
    #[test]
    fn a_title_naming_the_type_decides() {
        let page = "Greer Surgical Associates\nH&P\nCHIEF COMPLAINT: a fall";
        let c = classifier("title").classify(page, page);
        assert_eq!(c.doc_type, DocType::HistoryAndPhysical, "{c:?}");
        assert!(c.confidence < 0.99);
        let c = classifier("text").classify(page, page);
        assert_eq!(c.doc_type, DocType::Unclassified, "{c:?}");
        assert_eq!(c.best_guess, DocType::HistoryAndPhysical);
        // Another type's rule firing too leaves the document to review.
        let mut two = classifier("title");
        two.rules.push(
            Rule::compile(&toml::from_str(
                "doc_type = \"correspondence\"\npattern = '^dear'\nweight = 1.0\nscope = \"text\"",
            )
            .unwrap())
            .unwrap(),
        );
        let letter = "Greer Surgical Associates\nH&P\nDear Dr. Lee,";
        let c = two.classify(letter, letter);
        assert_eq!(c.doc_type, DocType::Unclassified, "{c:?}");
    }
}
