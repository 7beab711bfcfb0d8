//! Queries: free text (BM25) with field filters, and snippets.

use std::ops::Bound;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{TantivyDocument, Term};

use super::writer::ArchiveIndex;
use super::{date_key, IndexError};

impl SortOrder {
    pub fn parse(s: &str) -> Option<SortOrder> {
        match s {
            "relevance" => Some(SortOrder::Relevance),
            "newest" => Some(SortOrder::Newest),
            "oldest" => Some(SortOrder::Oldest),
            _ => None,
        }
    }
}

pub use crate::model::search::{SearchHit, SearchQuery, SearchResults, SortOrder};

impl ArchiveIndex {
    /// Ids of every document the query matches (no ranking, no limit).
    pub fn matching_ids(&self, q: &SearchQuery) -> Result<Vec<String>, IndexError> {
        let searcher = self.reader.searcher();
        let query = self.build_query(q)?.0;
        let docs = searcher.search(&query, &tantivy::collector::DocSetCollector)?;
        let mut ids = Vec::with_capacity(docs.len());
        for addr in docs {
            let d: TantivyDocument = searcher.doc(addr)?;
            if let Some(id) = d.get_first(self.fields.doc_id).and_then(|v| v.as_str()) {
                ids.push(id.to_string());
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// The boolean query for `q`, and the text part (for snippets).
    #[allow(clippy::type_complexity)]
    pub(crate) fn build_query(
        &self,
        q: &SearchQuery,
    ) -> Result<(BooleanQuery, Option<Box<dyn Query>>), IndexError> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let text = q.text.trim();
        let text_query = if text.is_empty() || text == "*" {
            None
        } else {
            let mut parser = QueryParser::for_index(&self.index, vec![f.text, f.patient_name]);
            parser.set_conjunction_by_default();
            if q.fuzzy {
                for field in [f.text, f.patient_name] {
                    parser.set_field_fuzzy(field, false, 1, true);
                }
            }
            // Strict syntax first; text that is not valid syntax (an unbalanced quote, a
            // stray colon) is still searched, leniently, rather than refused.
            Some(match parser.parse_query(text) {
                Ok(q) => q,
                Err(_) => parser.parse_query_lenient(text).0,
            })
        };
        match &text_query {
            // Phrases go through the word-pair field; snippets use the query as parsed.
            Some(tq) => clauses.push((
                Occur::Must,
                super::pairs::accelerate(tq.as_ref(), f.text, f.text_pairs),
            )),
            None => clauses.push((Occur::Must, Box::new(tantivy::query::AllQuery))),
        }
        let term = |field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            ))
        };
        if let Some(m) = &q.mrn {
            clauses.push((Occur::Must, term(f.mrn, m)));
        }
        if let Some(name) = &q.patient_name {
            // Every word of the name as the field analyses it (case, accents folded).
            let mut analyzer = self.index.tokenizer_for_field(f.patient_name)?;
            let mut stream = analyzer.token_stream(name);
            let mut words = Vec::new();
            while let Some(t) = stream.next() {
                words.push(t.text.clone());
            }
            if words.is_empty() {
                // The name typed is never repeated: errors may reach a log.
                return Err(IndexError::Query(
                    "the patient name holds no word to look for".into(),
                ));
            }
            for w in words {
                clauses.push((Occur::Must, term(f.patient_name, &w)));
            }
        }
        if let Some(d) = &q.dob {
            clauses.push((Occur::Must, term(f.dob, d)));
        }
        if let Some(t) = &q.doc_type {
            clauses.push((Occur::Must, term(f.doc_type, t)));
        }
        if q.from.is_some() || q.to.is_some() {
            let lower = match &q.from {
                Some(d) => Bound::Included(Term::from_field_i64(f.service_day, date_key(d)?)),
                None => Bound::Unbounded,
            };
            let upper = match &q.to {
                Some(d) => Bound::Included(Term::from_field_i64(f.service_day, date_key(d)?)),
                None => Bound::Unbounded,
            };
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        if let Some(s) = &q.retention_status {
            clauses.push((Occur::Must, term(f.retention_status, s)));
        }
        if let Some(d) = &q.eligible_before {
            let upper = Bound::Excluded(Term::from_field_i64(f.eligible_day, date_key(d)?));
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(Bound::Unbounded, upper)),
            ));
        }
        Ok((BooleanQuery::new(clauses), text_query))
    }

    /// The benchmark reference: one analysed word as a bare tantivy term query, top 10 and
    /// count, no stored fields loaded, no snippets. Returns the count.
    pub fn reference_term_query(&self, word: &str) -> Result<usize, IndexError> {
        let f = self.fields.text;
        let mut analyzer = self.index.tokenizer_for_field(f)?;
        let mut stream = analyzer.token_stream(word);
        let Some(token) = stream.next().map(|t| t.text.clone()) else {
            return Ok(0);
        };
        let query = TermQuery::new(
            Term::from_field_text(f, &token),
            IndexRecordOption::WithFreqs,
        );
        let searcher = self.reader.searcher();
        let (_, total) = searcher.search(&query, &(TopDocs::with_limit(10), Count))?;
        Ok(total)
    }

    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults, IndexError> {
        let f = self.fields;
        let searcher = self.reader.searcher();
        let (query, text_query) = self.build_query(q)?;
        let limit = q.limit.max(1);
        let top_docs = TopDocs::with_limit(limit).and_offset(q.offset);
        let facet_counts = q.facets.then_some(super::facets::FacetCollector);
        let (top, total, facets) = match q.sort {
            SortOrder::Relevance => searcher.search(&query, &(top_docs, Count, facet_counts))?,
            SortOrder::Newest | SortOrder::Oldest => {
                let order = if q.sort == SortOrder::Newest {
                    tantivy::Order::Desc
                } else {
                    tantivy::Order::Asc
                };
                let by_date = top_docs.order_by_fast_field::<i64>("service_day", order);
                let (top, total, facets) =
                    searcher.search(&query, &(by_date, Count, facet_counts))?;
                let top = top.into_iter().map(|(_, a)| (0.0, a)).collect();
                (top, total, facets)
            }
        };
        let snippets = match &text_query {
            Some(tq) => {
                let mut g = SnippetGenerator::create(&searcher, tq.as_ref(), f.text)?;
                g.set_max_num_chars(200);
                Some(g)
            }
            None => None,
        };
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let d: TantivyDocument = searcher.doc(addr)?;
            let s = |field| {
                d.get_first(field)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            let (snippet, highlights) = match &snippets {
                Some(g) => {
                    let sn = g.snippet_from_doc(&d);
                    (
                        sn.fragment().to_string(),
                        sn.highlighted().iter().map(|r| (r.start, r.end)).collect(),
                    )
                }
                None => {
                    let t = s(f.text).unwrap_or_default();
                    let end = t.char_indices().nth(200).map(|(i, _)| i).unwrap_or(t.len());
                    (t[..end].to_string(), vec![])
                }
            };
            hits.push(SearchHit {
                doc_id: s(f.doc_id).unwrap_or_default(),
                score,
                doc_type: s(f.doc_type).unwrap_or_default(),
                source_path: s(f.source_path).unwrap_or_default(),
                pages: s(f.pages)
                    .and_then(|p| serde_json::from_str(&p).ok())
                    .unwrap_or_default(),
                mrn: s(f.mrn),
                patient_name: s(f.patient_name),
                dob: s(f.dob),
                service_date: s(f.service_date),
                snippet,
                highlights,
            });
        }
        Ok(SearchResults {
            total,
            hits,
            facets,
        })
    }
}
