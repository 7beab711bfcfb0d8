//! Synthetic chart text: sentences of real report texts (the corpus's `train_text.jsonl`
//! when given, else a small built-in set) reshuffled per document, with OCR-like slips.

use std::collections::HashMap;
use std::path::Path;

use crate::model::DocType;

/// A small deterministic PRNG (SplitMix64): reproducible archives without a dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Sentences by document type.
pub struct TextSource {
    by_type: HashMap<DocType, Vec<String>>,
    all: Vec<String>,
}

const BUILT_IN: &[(&str, &str)] = &[
    ("progress_note", "Patient seen in follow up. Knee pain improved with physical therapy. Continue current medications. Blood pressure well controlled. Return to clinic in six weeks. Denies chest pain or shortness of breath. Plan reviewed with the patient who agrees."),
    ("discharge_summary", "Admitted with community acquired pneumonia. Treated with intravenous antibiotics and discharged in stable condition. Follow up with primary care in one week. Discharge medications reconciled. Hospital course was uncomplicated."),
    ("radiology_report", "Chest radiograph two views. Small right pneumothorax without mediastinal shift. No focal consolidation. Heart size is normal. Impression: small pneumothorax, recommend follow up imaging."),
    ("operative_report", "Preoperative diagnosis: acute appendicitis. Procedure: laparoscopic appendectomy. Estimated blood loss minimal. The patient tolerated the procedure well and was taken to recovery in stable condition."),
    ("pathology_report", "Specimen received in formalin labeled appendix. Gross description: tubular tissue measuring six centimeters. Microscopic: acute suppurative appendicitis. No dysplasia or malignancy identified."),
    ("history_and_physical", "Chief complaint: abdominal pain for two days. History of present illness as follows. Past medical history of hypertension and diabetes. Review of systems otherwise negative. Physical examination reveals tenderness in the right lower quadrant."),
    ("emergency_report", "Presented to the emergency department after a fall. Vital signs stable on arrival. Laceration repaired with sutures. Tetanus updated. Discharged home with wound care instructions."),
    ("consent_form", "I consent to the procedure described above. The risks, benefits and alternatives have been explained to me. I have had the opportunity to ask questions. Signature of patient or legal representative."),
    ("face_sheet", "Admission face sheet. Insurance primary carrier and policy number. Emergency contact and relationship. Attending physician and admitting diagnosis. Address and telephone on file."),
    ("correspondence", "Dear Doctor, thank you for referring this patient to our clinic. We saw him today for evaluation of persistent cough. Our recommendations are summarized below. Please do not hesitate to contact us."),
];

impl TextSource {
    /// Sentences of `train_text.jsonl` in `corpus` when it exists, else the built-in set.
    pub fn load(corpus: Option<&Path>) -> TextSource {
        let mut by_type: HashMap<DocType, Vec<String>> = HashMap::new();
        let jsonl = corpus
            .map(|c| c.join("train_text.jsonl"))
            .and_then(|p| std::fs::read_to_string(p).ok());
        match jsonl {
            Some(text) => {
                for line in text.lines() {
                    let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                        continue;
                    };
                    if let (Some(t), Some(x)) = (v["doc_type"].as_str(), v["text"].as_str()) {
                        add(&mut by_type, t, x);
                    }
                }
            }
            None => {
                for (t, x) in BUILT_IN {
                    add(&mut by_type, t, x);
                }
            }
        }
        if by_type.values().all(Vec::is_empty) {
            for (t, x) in BUILT_IN {
                add(&mut by_type, t, x);
            }
        }
        let all = by_type.values().flatten().cloned().collect();
        TextSource { by_type, all }
    }

    /// Types that have sentences.
    pub fn types(&self) -> Vec<DocType> {
        let mut t: Vec<DocType> = self
            .by_type
            .iter()
            .filter(|(_, s)| !s.is_empty())
            .map(|(t, _)| *t)
            .collect();
        t.sort_by_key(|t| t.as_str());
        t
    }

    /// About `chars` characters of text of this type, with OCR-like slips.
    pub fn page(&self, rng: &mut Rng, doc_type: DocType, chars: usize) -> String {
        let pool = self
            .by_type
            .get(&doc_type)
            .filter(|p| !p.is_empty())
            .unwrap_or(&self.all);
        let mut out = String::with_capacity(chars + 200);
        while out.len() < chars {
            let s = rng.pick(pool);
            out.push_str(&ocr_slips(rng, s));
            out.push(if rng.below(5) == 0 { '\n' } else { ' ' });
        }
        out
    }

    /// A sentence to draw query words and phrases from.
    pub fn sentence(&self, rng: &mut Rng) -> &str {
        rng.pick(&self.all).as_str()
    }
}

fn add(by_type: &mut HashMap<DocType, Vec<String>>, doc_type: &str, text: &str) {
    let Some(t) = DocType::parse(doc_type) else {
        return;
    };
    let sentences = by_type.entry(t).or_default();
    for s in text.split(['.', '\n']) {
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if s.len() >= 20 {
            sentences.push(format!("{s}."));
        }
    }
}

/// About one character in a hundred read wrongly, as tesseract does on poor scans.
fn ocr_slips(rng: &mut Rng, s: &str) -> String {
    s.chars()
        .map(|c| {
            if rng.below(100) != 0 {
                return c;
            }
            match c {
                'e' => 'c',
                'l' => '1',
                'o' => '0',
                'i' => 'l',
                'a' => 'o',
                'S' => '5',
                _ => c,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_is_deterministic_and_text_has_the_size_asked() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        assert_eq!(a.next_u64(), b.next_u64());
        let src = TextSource::load(None);
        assert_eq!(src.types().len(), 10);
        let page = src.page(&mut a, DocType::RadiologyReport, 1500);
        assert!(page.len() >= 1500 && page.len() < 2500, "{}", page.len());
    }
}
