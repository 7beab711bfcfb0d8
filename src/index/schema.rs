//! Index schema and analyzer. `schemas/index.json` is generated from [`build_schema`].

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST, STORED,
    STRING,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::Index;

pub const TEXT_ANALYZER: &str = "chart_text";
/// Adjacent pairs of frequent words of the text analyzer's output ([`super::pairs`]). The
/// name carries the version of the word list: a new list needs a new name (the index is
/// then rebuilt when an archive opens).
pub const PAIR_ANALYZER: &str = "chart_text_pairs_f2";

#[derive(Debug, Clone, Copy)]
pub struct IndexFields {
    pub doc_id: Field,
    pub scan_sha256: Field,
    pub source_path: Field,
    pub mrn: Field,
    pub patient_name: Field,
    pub dob: Field,
    pub doc_type: Field,
    pub service_date: Field,
    pub service_day: Field,
    pub pages: Field,
    pub text: Field,
    /// Adjacent word pairs of `text`, for phrase queries (indexed only).
    pub text_pairs: Field,
    pub retention_class: Field,
    pub retention_status: Field,
    /// Eligible-on date as YYYYMMDD (absent when never or not yet known).
    pub eligible_day: Field,
}

pub fn build_schema() -> (Schema, IndexFields) {
    let mut b = Schema::builder();
    let analyzed = |stored: bool| {
        let idx = TextFieldIndexing::default()
            .set_tokenizer(TEXT_ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let o = TextOptions::default().set_indexing_options(idx);
        if stored {
            o.set_stored()
        } else {
            o
        }
    };
    let fields = IndexFields {
        doc_id: b.add_text_field("doc_id", STRING | STORED),
        scan_sha256: b.add_text_field("scan_sha256", STRING | STORED),
        source_path: b.add_text_field("source_path", STRING | STORED),
        mrn: b.add_text_field("mrn", STRING | STORED),
        patient_name: b.add_text_field("patient_name", analyzed(true)),
        dob: b.add_text_field("dob", STRING | STORED),
        doc_type: b.add_text_field("doc_type", STRING | STORED | FAST),
        service_date: b.add_text_field("service_date", STRING | STORED),
        service_day: b.add_i64_field(
            "service_day",
            NumericOptions::default().set_indexed().set_fast(),
        ),
        pages: b.add_text_field("pages", STORED),
        text: b.add_text_field("text", analyzed(true)),
        text_pairs: b.add_text_field(
            "text_pairs",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(PAIR_ANALYZER)
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
        retention_class: b.add_text_field("retention_class", STRING | STORED),
        retention_status: b.add_text_field("retention_status", STRING | STORED | FAST),
        eligible_day: b.add_i64_field(
            "eligible_day",
            NumericOptions::default().set_indexed().set_fast(),
        ),
    };
    (b.build(), fields)
}

pub fn register_analyzer(index: &Index) {
    let analyzer = super::analysis::analysis()
        .filter(super::shared_tokens::RecordTokens)
        .build();
    index.tokenizers().register(
        PAIR_ANALYZER,
        TextAnalyzer::from(super::pairs::PairTokenizer {
            inner: analyzer.clone(),
        }),
    );
    index.tokenizers().register(TEXT_ANALYZER, analyzer);
}

#[cfg(test)]
mod tests {
    #[test]
    fn committed_schema_matches_the_code() {
        let (schema, _) = super::build_schema();
        let generated = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/index.json");
        if std::env::var_os("CHARTVAULT_WRITE_SCHEMAS").is_some() {
            std::fs::write(path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert_eq!(
            committed, generated,
            "schemas/index.json is stale: rerun with CHARTVAULT_WRITE_SCHEMAS=1"
        );
    }
}
