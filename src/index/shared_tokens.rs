//! One analysis per document for two fields: the `text` analyzer records the tokens it
//! makes, and the word-pair tokenizer ([`super::pairs`]) reuses them when it is handed the
//! same text, instead of tokenizing, folding and stemming the page text a second time.
//!
//! tantivy indexes a document's fields in field order on one thread, so `text` (analysed
//! and recorded) comes just before `text_pairs` (which reads the recording). The recording
//! is per thread and holds the whole source text: it is used only when the text handed to
//! the pair tokenizer is byte-for-byte the recorded one and its analysis ran to the end;
//! otherwise the pair tokenizer analyses the text itself. Same tokens either way (tested).
//!
//! Measured with `bench generate --documents 30000` (same run, same machine): the pair
//! field's own analysis cost about as much as everything else in indexing a document.

use std::cell::RefCell;

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// The tokens of the last text analysed to the end on this thread.
#[derive(Default)]
pub struct Recording {
    /// The analysed text, as given.
    source: String,
    /// Token texts, concatenated.
    words: String,
    /// Per token: end of its text in `words`, and its offsets in `source`.
    tokens: Vec<(usize, usize, usize)>,
    /// The analysis ran to the end (a stream dropped early leaves a partial recording).
    complete: bool,
}

impl Recording {
    /// Number of tokens recorded.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Token `i`: (text, offset_from, offset_to).
    pub fn token(&self, i: usize) -> (&str, usize, usize) {
        let start = if i == 0 { 0 } else { self.tokens[i - 1].0 };
        let (end, from, to) = self.tokens[i];
        (&self.words[start..end], from, to)
    }
}

thread_local! {
    static LAST: RefCell<Recording> = RefCell::new(Recording::default());
}

/// Takes this thread's recording when it is the complete analysis of `text`.
pub fn take_recording_of(text: &str) -> Option<Recording> {
    LAST.with(|cell| {
        let mut last = cell.borrow_mut();
        if last.complete && last.source == text {
            last.complete = false;
            Some(std::mem::take(&mut *last))
        } else {
            None
        }
    })
}

/// Gives a recording back once read, so its buffers are reused.
pub fn give_back(mut recording: Recording) {
    recording.complete = false;
    LAST.with(|cell| *cell.borrow_mut() = recording);
}

/// Token filter, last in the `text` analyzer: passes tokens through unchanged, recording them.
#[derive(Clone, Default)]
pub struct RecordTokens;

impl TokenFilter for RecordTokens {
    type Tokenizer<T: Tokenizer> = RecordingFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> RecordingFilter<T> {
        RecordingFilter { inner: tokenizer }
    }
}

#[derive(Clone)]
pub struct RecordingFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for RecordingFilter<T> {
    type TokenStream<'a> = RecordingStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        let mut recording = LAST.with(|cell| std::mem::take(&mut *cell.borrow_mut()));
        recording.source.clear();
        recording.words.clear();
        recording.tokens.clear();
        recording.complete = false;
        RecordingStream {
            tail: self.inner.token_stream(text),
            source: text,
            recording,
        }
    }
}

pub struct RecordingStream<'a, T> {
    tail: T,
    source: &'a str,
    recording: Recording,
}

impl<T: TokenStream> TokenStream for RecordingStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            if !self.recording.complete {
                self.recording.complete = true;
                self.recording.source.push_str(self.source);
            }
            return false;
        }
        let t = self.tail.token();
        self.recording.words.push_str(&t.text);
        self.recording
            .tokens
            .push((self.recording.words.len(), t.offset_from, t.offset_to));
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

impl<T> Drop for RecordingStream<'_, T> {
    fn drop(&mut self) {
        let recording = std::mem::take(&mut self.recording);
        LAST.with(|cell| *cell.borrow_mut() = recording);
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::TextAnalyzer;

    fn run(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
        }
        out
    }

    #[test]
    fn pairs_from_the_recorded_analysis_equal_pairs_analysed_afresh() {
        let dir = tempfile::tempdir().unwrap();
        let index =
            tantivy::Index::create_in_dir(dir.path(), crate::index::build_schema().0).unwrap();
        crate::index::schema::register_analyzer(&index);
        let tokenizers = index.tokenizers();
        let mut text = tokenizers.get(crate::index::TEXT_ANALYZER).unwrap();
        let mut pairs = tokenizers.get(super::super::schema::PAIR_ANALYZER).unwrap();
        let page = "Patient seen in follow-up; knee PAIN improved with the therapy given for the \
                    history of chest pain. Café naïve runs ran running, \
                    a-very-long-token-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx end";
        // Another text recorded last: the pair tokenizer analyses the page itself.
        run(&mut text, "something else entirely");
        let afresh = run(&mut pairs, page);
        assert!(afresh.len() > 10);
        // The page recorded last: the pair tokenizer reads the recording.
        run(&mut text, page);
        assert!(super::LAST.with(|c| c.borrow().complete));
        let recorded = run(&mut pairs, page);
        assert_eq!(recorded, afresh);
        assert!(
            !super::LAST.with(|c| c.borrow().complete),
            "a recording is used once"
        );
        // A stream dropped before its end leaves no usable recording.
        {
            let mut s = text.token_stream(page);
            s.advance();
        }
        assert!(super::take_recording_of(page).is_none());
        assert_eq!(run(&mut pairs, page), afresh);
    }
}
