//! The `text` field's analysis: words, lower-cased, ASCII-folded, stemmed.

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};

/// The text analysis, as a builder so the recording filter can be added last.
pub(super) fn analysis(
) -> tantivy::tokenizer::TextAnalyzerBuilder<impl tantivy::tokenizer::Tokenizer> {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(super::stem_cache::CachedEnglishStemmer)
}

/// The `text` field's analysis without recording its tokens (for word lists).
pub fn plain_analyzer() -> TextAnalyzer {
    analysis().build()
}
