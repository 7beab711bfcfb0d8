//! Word pairs for fast phrase search: the `text_pairs` field indexes two adjacent analysed
//! words of the text as one term ("knee pain" → `knee pain`) when both are frequent words,
//! so a two-word phrase of frequent words is one posting-list look-up instead of
//! intersecting two long lists and checking positions, and a longer phrase checks
//! positions only in documents holding all its pairs. (At 1M documents a common-word
//! phrase took 270 ms at p99 without them.)
//!
//! Only pairs of frequent words: a phrase with a rarer word is answered from positions,
//! driven by that word's shorter posting list. The frequent words are the 954 in at least
//! 5% of the corpus's clinical report texts ([`FREQUENT_WORDS`], `tools/frequent_words.py`).
//! Pairs of every two words were most of the index's distinct terms and 62% of indexing
//! time (`bench indexing --documents 30000`, one run: 3,270 documents/s with every pair,
//! 4,190 with pairs of the words in 2% of texts, 5,478 with this list, 8,934 without pairs).

use std::sync::OnceLock;

use rustc_hash::FxHashSet;

use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy::Term;

/// One word per line, unanalysed; `#` starts a comment line. Part of the index format:
/// see [`super::schema::PAIR_ANALYZER`].
pub const FREQUENT_WORDS: &str = include_str!("frequent_words.txt");

/// The analysed forms (folded, lowercased, stemmed) of [`FREQUENT_WORDS`].
fn frequent() -> &'static FxHashSet<String> {
    static SET: OnceLock<FxHashSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        let mut analyzer = super::analysis::plain_analyzer();
        let mut set = FxHashSet::default();
        for line in FREQUENT_WORDS.lines().filter(|l| !l.starts_with('#')) {
            let mut stream = analyzer.token_stream(line);
            while stream.advance() {
                set.insert(stream.token().text.clone());
            }
        }
        set
    })
}

/// Whether the index holds the pair term of these two adjacent analysed words.
pub fn pair_indexed(a: &str, b: &str) -> bool {
    is_frequent(a) && is_frequent(b)
}

fn is_frequent(word: &str) -> bool {
    frequent().contains(word)
}

/// Emits the pairs of adjacent frequent-word tokens of an inner analyzer, each at the
/// position of its first word.
#[derive(Clone)]
pub struct PairTokenizer {
    pub inner: TextAnalyzer,
}

/// Pairs made as the words come: from the `text` field's recorded analysis of the same
/// text when there is one ([`super::shared_tokens`]), else from the inner analyzer; one
/// reused token, no per-word copies kept.
pub struct PairStream<'a> {
    words: Words<'a>,
    /// The current word's text, and the previous word's text and start offset.
    word: String,
    prev: String,
    prev_from: usize,
    has_prev: bool,
    /// Whether the previous word is a frequent word.
    prev_frequent: bool,
    /// Position of the next pair (the position of its first word).
    next_position: usize,
    token: Token,
}

enum Words<'a> {
    Analysed(tantivy::tokenizer::BoxTokenStream<'a>),
    Recorded {
        recording: Option<super::shared_tokens::Recording>,
        next: usize,
    },
}

impl Tokenizer for PairTokenizer {
    type TokenStream<'a> = PairStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PairStream<'a> {
        let words = match super::shared_tokens::take_recording_of(text) {
            Some(recording) => Words::Recorded {
                recording: Some(recording),
                next: 0,
            },
            None => Words::Analysed(self.inner.token_stream(text)),
        };
        PairStream {
            words,
            word: String::new(),
            prev: String::new(),
            prev_from: 0,
            has_prev: false,
            prev_frequent: false,
            next_position: 0,
            token: Token::default(),
        }
    }
}

impl PairStream<'_> {
    /// Moves to the next word, copied into `self.word`: its offsets, or `None` at the end.
    fn next_word(&mut self) -> Option<(usize, usize)> {
        self.word.clear();
        match &mut self.words {
            Words::Analysed(stream) => {
                if !stream.advance() {
                    return None;
                }
                let t = stream.token();
                self.word.push_str(&t.text);
                Some((t.offset_from, t.offset_to))
            }
            Words::Recorded { recording, next } => {
                let rec = recording.as_ref()?;
                if *next >= rec.len() {
                    return None;
                }
                let (text, from, to) = rec.token(*next);
                *next += 1;
                self.word.push_str(text);
                Some((from, to))
            }
        }
    }
}

impl TokenStream for PairStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            let Some((from, to)) = self.next_word() else {
                return false;
            };
            let frequent = is_frequent(&self.word);
            let pair = self.has_prev && self.prev_frequent && frequent;
            if self.has_prev && !pair {
                self.next_position += 1;
            }
            if !pair {
                self.has_prev = true;
                self.prev_frequent = frequent;
                std::mem::swap(&mut self.prev, &mut self.word);
                self.prev_from = from;
                continue;
            }
            self.token.text.clear();
            self.token.text.push_str(&self.prev);
            self.token.text.push(' ');
            self.token.text.push_str(&self.word);
            self.token.offset_from = self.prev_from;
            self.token.offset_to = to;
            self.token.position = self.next_position;
            self.next_position += 1;
            self.token.position_length = 1;
            self.prev_frequent = frequent;
            std::mem::swap(&mut self.prev, &mut self.word);
            self.prev_from = from;
            return true;
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

impl Drop for PairStream<'_> {
    fn drop(&mut self) {
        if let Words::Recorded {
            recording: Some(r), ..
        } = &mut self.words
        {
            super::shared_tokens::give_back(std::mem::take(r));
        }
    }
}

fn pair_text(a: &str, b: &str) -> String {
    format!("{a} {b}")
}

/// Rewrites exact phrases on `text` to use `pairs`: a two-word phrase of frequent words
/// becomes the pair's term; a longer one keeps its phrase check behind the pairs the index
/// holds. A phrase without such a pair is left to the positions. Same matches.
pub fn accelerate(query: &dyn Query, text: Field, pairs: Field) -> Box<dyn Query> {
    if let Some(b) = query.downcast_ref::<BooleanQuery>() {
        let clauses = b
            .clauses()
            .iter()
            .map(|(occur, q)| (*occur, accelerate(q.as_ref(), text, pairs)))
            .collect();
        return Box::new(BooleanQuery::new(clauses));
    }
    if let Some(p) = query.downcast_ref::<PhraseQuery>() {
        // Only exact phrases: a slop lets words sit apart, which pairs cannot see.
        let exact = format!("{p:?}").contains("slop: 0");
        let words: Vec<String> = p
            .phrase_terms()
            .iter()
            .filter_map(|t| t.value().as_str().map(str::to_string))
            .collect();
        if p.field() == text && exact && words.len() >= 2 {
            let pair_terms: Vec<Term> = words
                .windows(2)
                .filter(|w| pair_indexed(&w[0], &w[1]))
                .map(|w| Term::from_field_text(pairs, &pair_text(&w[0], &w[1])))
                .collect();
            if pair_terms.is_empty() {
                return query.box_clone();
            }
            if words.len() == 2 {
                return Box::new(TermQuery::new(
                    pair_terms[0].clone(),
                    IndexRecordOption::WithFreqs,
                ));
            }
            let mut clauses: Vec<(Occur, Box<dyn Query>)> =
                vec![(Occur::Must, Box::new(p.clone()))];
            for t in pair_terms {
                clauses.push((
                    Occur::Must,
                    Box::new(TermQuery::new(t, IndexRecordOption::Basic)),
                ));
            }
            return Box::new(BooleanQuery::new(clauses));
        }
    }
    query.box_clone()
}

#[cfg(test)]
mod tests {
    use crate::index::test_record as record;
    use crate::index::{ArchiveIndex, SearchQuery};

    /// The pair tokens of `text`: (text, position, offset_from, offset_to).
    fn pair_tokens(text: &str) -> Vec<(String, usize, usize, usize)> {
        let dir = tempfile::tempdir().unwrap();
        let index =
            tantivy::Index::create_in_dir(dir.path(), crate::index::build_schema().0).unwrap();
        crate::index::schema::register_analyzer(&index);
        let mut pairs = index
            .tokenizers()
            .get(crate::index::schema::PAIR_ANALYZER)
            .unwrap();
        let mut stream = pairs.token_stream(text);
        let mut got = Vec::new();
        while stream.advance() {
            let t = stream.token();
            got.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
        }
        got
    }

    #[test]
    fn pairs_are_adjacent_analysed_words_with_positions_and_offsets() {
        assert_eq!(
            pair_tokens("Knee pain, severe knee"),
            vec![
                ("knee pain".to_string(), 0, 0, 9),
                ("pain sever".to_string(), 1, 5, 17),
                ("sever knee".to_string(), 2, 11, 22),
            ]
        );
        assert!(pair_tokens("alone").is_empty(), "one word makes no pair");
    }

    #[test]
    fn phrases_through_pairs_match_exactly_what_positions_match() {
        let dir = tempfile::tempdir().unwrap();
        let config = crate::config::PipelineConfig::embedded().index;
        let mut index = ArchiveIndex::open(dir.path(), &config).unwrap();
        index.begin_writing().unwrap();
        index
            .upsert(&record("d1", "Knee pain improved with therapy."))
            .unwrap();
        index.upsert(&record("d2", "Pain. Knee swollen.")).unwrap();
        index
            .upsert(&record("d3", "Knee and pain improved"))
            .unwrap();
        index.commit().unwrap();
        let ids = |text: &str| {
            let q = SearchQuery {
                text: text.into(),
                limit: 10,
                ..SearchQuery::default()
            };
            let r = index.search(&q).unwrap();
            let mut ids: Vec<String> = r.hits.iter().map(|h| h.doc_id.clone()).collect();
            ids.sort();
            (ids, r.hits.first().map(|h| h.highlights.len()).unwrap_or(0))
        };
        let (two, highlights) = ids("\"knee pain\"");
        assert_eq!(two, ["d1"]);
        assert!(highlights > 0, "snippets still highlight the phrase");
        assert_eq!(ids("\"knee pain improved\"").0, ["d1"]);
        assert_eq!(ids("\"pain improved\"").0, ["d1", "d3"]);
        // Stemmed like the text: "improves" finds "improved".
        assert_eq!(ids("\"pain improves\"").0, ["d1", "d3"]);
        // A slop is left to the positions.
        assert_eq!(ids("\"knee pain\"~1").0, ["d1", "d3"]);
        assert!(ids("\"swollen knee\"").0.is_empty());
        // A rare word: no pair term, the positions answer.
        assert!(!super::pair_indexed("knee", "swollen"));
        assert_eq!(ids("\"knee swollen\"").0, ["d2"]);
        // Mixed: the frequent pair narrows, the positions decide.
        assert_eq!(ids("\"pain knee swollen\"").0, ["d2"]);
        assert!(ids("\"knee swollen pain\"").0.is_empty());
    }

    #[test]
    fn only_pairs_of_frequent_words_are_made_at_their_first_words_position() {
        let got = pair_tokens("knee xylophone pain severe");
        assert_eq!(got, vec![("pain sever".to_string(), 2, 15, 26)]);
    }

    #[test]
    fn the_frequent_word_list_is_the_one_the_pair_analyzer_name_stands_for() {
        use sha2::{Digest, Sha256};
        let hash = hex::encode(Sha256::digest(super::FREQUENT_WORDS.as_bytes()));
        assert_eq!(
            (crate::index::schema::PAIR_ANALYZER, hash.as_str()),
            (
                "chart_text_pairs_f2",
                "03fb42c75207f5eb7dee1b67309e61d416165210571a1c14ff869b140567f49e"
            ),
            "a changed word list changes which pairs an index holds: give PAIR_ANALYZER a \
             new name (archives then rebuild their index) and pin the new hash here"
        );
        assert!(super::pair_indexed("the", "patient"));
        assert!(!super::pair_indexed("the", "xylophone"));
    }

    #[test]
    fn an_exact_two_word_phrase_becomes_one_pair_term() {
        use tantivy::query::{PhraseQuery, TermQuery};
        let (_, f) = crate::index::build_schema();
        let phrase = PhraseQuery::new(vec![
            tantivy::Term::from_field_text(f.text, "knee"),
            tantivy::Term::from_field_text(f.text, "pain"),
        ]);
        let q = super::accelerate(&phrase, f.text, f.text_pairs);
        let t = q.downcast_ref::<TermQuery>().expect("a term query");
        assert_eq!(t.term().value().as_str(), Some("knee pain"));
        let mut slop = phrase.clone();
        slop.set_slop(1);
        let q = super::accelerate(&slop, f.text, f.text_pairs);
        assert!(q.downcast_ref::<PhraseQuery>().is_some());
        let rare = PhraseQuery::new(vec![
            tantivy::Term::from_field_text(f.text, "xylophon"),
            tantivy::Term::from_field_text(f.text, "pain"),
        ]);
        let q = super::accelerate(&rare, f.text, f.text_pairs);
        assert!(
            q.downcast_ref::<PhraseQuery>().is_some(),
            "left to positions"
        );
    }
}
