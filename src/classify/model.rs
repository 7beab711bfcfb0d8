//! The statistical document-type model: multinomial logistic regression over TF-IDF
//! weighted word unigrams and bigrams, trained with class-balanced AdaGrad.
//!
//! Training is deterministic (fixed shuffle seed) so a model rebuilt from the same data is
//! byte-identical. Models are stored as zstd-compressed JSON ([`TextModel::to_bytes`]).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::features::terms;
use crate::model::DocType;

/// A labelled training text.
#[derive(Debug, Clone)]
pub struct Example {
    pub text: String,
    pub doc_type: DocType,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainingParams {
    /// A term must occur in at least this many training texts.
    pub min_df: usize,
    /// Keep at most this many terms (most frequent first).
    pub max_terms: usize,
    pub epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
}

impl Default for TrainingParams {
    fn default() -> Self {
        TrainingParams {
            min_df: 2,
            max_terms: 20_000,
            epochs: 30,
            learning_rate: 0.5,
            l2: 1e-5,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TextModel {
    pub format: u32,
    /// Where the training data came from, for people reading the file.
    pub trained_on: String,
    pub examples: usize,
    pub classes: Vec<DocType>,
    pub terms: Vec<String>,
    pub idf: Vec<f32>,
    /// `weights[class][term]`.
    pub weights: Vec<Vec<f32>>,
    pub bias: Vec<f32>,
    pub params: TrainingParams,
    #[serde(skip)]
    term_index: HashMap<String, usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("the model file is damaged: {0}")]
    Damaged(String),
    #[error("need training texts of at least two document types, got {0}")]
    TooFewClasses(usize),
}

type SparseVec = Vec<(usize, f32)>;

impl TextModel {
    pub fn train(
        examples: &[Example],
        params: &TrainingParams,
        trained_on: &str,
    ) -> Result<TextModel, ModelError> {
        let mut classes: Vec<DocType> = examples.iter().map(|e| e.doc_type).collect();
        classes.sort_by_key(|t| t.as_str());
        classes.dedup();
        if classes.len() < 2 {
            return Err(ModelError::TooFewClasses(classes.len()));
        }
        // Vocabulary by document frequency.
        let mut df: HashMap<String, usize> = HashMap::new();
        let docs_terms: Vec<Vec<String>> = examples.iter().map(|e| terms(&e.text)).collect();
        for t in &docs_terms {
            let mut uniq: Vec<&String> = t.iter().collect();
            uniq.sort();
            uniq.dedup();
            for u in uniq {
                *df.entry(u.clone()).or_default() += 1;
            }
        }
        let mut vocab: Vec<(String, usize)> = df
            .into_iter()
            .filter(|(_, n)| *n >= params.min_df)
            .collect();
        vocab.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        vocab.truncate(params.max_terms);
        vocab.sort();
        let n = examples.len() as f32;
        let idf: Vec<f32> = vocab
            .iter()
            .map(|(_, d)| ((1.0 + n) / (1.0 + *d as f32)).ln() + 1.0)
            .collect();
        let mut model = TextModel {
            format: 1,
            trained_on: trained_on.to_string(),
            examples: examples.len(),
            classes: classes.clone(),
            terms: vocab.into_iter().map(|(t, _)| t).collect(),
            idf,
            weights: vec![Vec::new(); classes.len()],
            bias: vec![0.0; classes.len()],
            params: params.clone(),
            term_index: HashMap::new(),
        };
        model.build_index();
        let nt = model.terms.len();
        model.weights = vec![vec![0.0; nt]; classes.len()];
        let xs: Vec<SparseVec> = docs_terms.iter().map(|t| model.vectorize(t)).collect();
        let ys: Vec<usize> = examples
            .iter()
            .map(|e| classes.iter().position(|c| *c == e.doc_type).unwrap_or(0))
            .collect();
        // Balanced class weights: n / (k * count).
        let mut counts = vec![0usize; classes.len()];
        for y in &ys {
            counts[*y] += 1;
        }
        let k = classes.len() as f32;
        let class_w: Vec<f32> = counts
            .iter()
            .map(|c| n / (k * (*c).max(1) as f32))
            .collect();
        let mut g2w = vec![vec![1e-8f32; nt]; classes.len()];
        let mut g2b = vec![1e-8f32; classes.len()];
        let mut order: Vec<usize> = (0..xs.len()).collect();
        let mut rng = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..params.epochs {
            for i in (1..order.len()).rev() {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                order.swap(i, (rng % (i as u64 + 1)) as usize);
            }
            for &i in &order {
                let probs = model.probabilities(&xs[i]);
                for (c, p) in probs.iter().enumerate() {
                    let target = if c == ys[i] { 1.0 } else { 0.0 };
                    let g = (p - target) * class_w[ys[i]];
                    for &(t, v) in &xs[i] {
                        let grad = g * v + params.l2 * model.weights[c][t];
                        g2w[c][t] += grad * grad;
                        model.weights[c][t] -= params.learning_rate * grad / g2w[c][t].sqrt();
                    }
                    g2b[c] += g * g;
                    model.bias[c] -= params.learning_rate * g / g2b[c].sqrt();
                }
            }
        }
        // Round so the stored file is small and diffs stay readable.
        for row in model.weights.iter_mut() {
            for w in row.iter_mut() {
                *w = (*w * 1e4).round() / 1e4;
            }
        }
        Ok(model)
    }

    fn build_index(&mut self) {
        self.term_index = self
            .terms
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i))
            .collect();
    }

    /// Sublinear TF times IDF, L2-normalised.
    fn vectorize(&self, doc_terms: &[String]) -> SparseVec {
        let mut tf: HashMap<usize, f32> = HashMap::new();
        for t in doc_terms {
            if let Some(&i) = self.term_index.get(t) {
                *tf.entry(i).or_default() += 1.0;
            }
        }
        let mut v: SparseVec = tf
            .into_iter()
            .map(|(i, c)| (i, (1.0 + c.ln()) * self.idf[i]))
            .collect();
        v.sort_by_key(|(i, _)| *i);
        let norm = v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, x) in v.iter_mut() {
                *x /= norm;
            }
        }
        v
    }

    fn logits(&self, x: &SparseVec) -> Vec<f32> {
        (0..self.classes.len())
            .map(|c| self.bias[c] + x.iter().map(|&(t, v)| self.weights[c][t] * v).sum::<f32>())
            .collect()
    }

    fn probabilities(&self, x: &SparseVec) -> Vec<f32> {
        softmax(&self.logits(x))
    }

    /// Log-probability of every class of the model for `text`.
    pub fn log_probabilities(&self, text: &str) -> Vec<(DocType, f32)> {
        let x = self.vectorize(&terms(text));
        let p = self.probabilities(&x);
        self.classes
            .iter()
            .zip(p)
            .map(|(c, p)| (*c, p.max(1e-9).ln()))
            .collect()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let json = serde_json::to_vec(self).unwrap_or_default();
        zstd::encode_all(json.as_slice(), 19).unwrap_or(json)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<TextModel, ModelError> {
        let json = zstd::decode_all(bytes).map_err(|e| ModelError::Damaged(e.to_string()))?;
        let mut model: TextModel =
            serde_json::from_slice(&json).map_err(|e| ModelError::Damaged(e.to_string()))?;
        let k = model.classes.len();
        let nt = model.terms.len();
        if model.format != 1
            || model.bias.len() != k
            || model.weights.len() != k
            || model.idf.len() != nt
            || model.weights.iter().any(|r| r.len() != nt)
        {
            return Err(ModelError::Damaged(
                "inconsistent sizes or unknown format".into(),
            ));
        }
        model.build_index();
        Ok(model)
    }
}

pub fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = logits.iter().map(|l| (l - max).exp()).collect();
    let sum: f32 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(text: &str, t: DocType) -> Example {
        Example {
            text: text.into(),
            doc_type: t,
        }
    }

    fn toy() -> Vec<Example> {
        let mut v = Vec::new();
        for i in 0..6 {
            v.push(ex(
                &format!("operative report incision sutures anesthesia case {i}"),
                DocType::OperativeReport,
            ));
            v.push(ex(
                &format!("chest x-ray impression radiology findings view {i}"),
                DocType::RadiologyReport,
            ));
        }
        v
    }

    #[test]
    fn learns_separable_classes() {
        let m = TextModel::train(&toy(), &TrainingParams::default(), "toy").unwrap();
        let best = |text: &str| {
            m.log_probabilities(text)
                .into_iter()
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap()
                .0
        };
        assert_eq!(
            best("the incision was closed with sutures"),
            DocType::OperativeReport
        );
        assert_eq!(
            best("impression: clear chest findings"),
            DocType::RadiologyReport
        );
    }

    #[test]
    fn round_trips_through_bytes_and_rejects_damage() {
        let m = TextModel::train(&toy(), &TrainingParams::default(), "toy").unwrap();
        let bytes = m.to_bytes();
        let back = TextModel::from_bytes(&bytes).unwrap();
        assert_eq!(
            back.log_probabilities("sutures incision"),
            m.log_probabilities("sutures incision")
        );
        assert!(TextModel::from_bytes(&bytes[..bytes.len() / 2]).is_err());
        // Deterministic: the same data gives the same bytes.
        let again = TextModel::train(&toy(), &TrainingParams::default(), "toy").unwrap();
        assert_eq!(again.to_bytes(), bytes);
    }

    #[test]
    fn one_class_is_refused() {
        let one = vec![ex("a b c", DocType::ProgressNote)];
        assert!(TextModel::train(&one, &TrainingParams::default(), "x").is_err());
    }
}
