//! Facet counts (document type, year of service, retention status) of the documents a
//! query matches, counted in the same pass over the matches as the top hits and the total:
//! per segment, each match's column values (term ordinals, `YYYYMMDD` day) index small
//! arrays; ordinals become strings once per segment.
//!
//! Before this, facets ran the query a second time through tantivy's aggregation framework
//! (JSON request, per-document dynamic buckets): at 1M documents on 15 segments facet
//! queries took 67.5 ms at p99 against 14 ms for the same term without facets.

use std::collections::{BTreeMap, HashMap};

pub use crate::model::search::Facets;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Years of service counted in an array from this year on (others in a map).
const FIRST_YEAR: i64 = 1800;
const YEARS: usize = 400;

/// Counts the matches by `doc_type`, `retention_status` and year of `service_day`.
pub struct FacetCollector;

/// One segment's counts, keyed by value.
#[derive(Default)]
pub struct SegmentFacets {
    doc_type: HashMap<String, u64>,
    retention_status: HashMap<String, u64>,
    year: BTreeMap<i64, u64>,
}

pub struct SegmentFacetCollector {
    doc_type: Option<StrColumn>,
    retention_status: Option<StrColumn>,
    service_day: Option<Column<i64>>,
    doc_type_counts: Vec<u64>,
    status_counts: Vec<u64>,
    year_counts: Vec<u64>,
    other_years: BTreeMap<i64, u64>,
}

impl Collector for FacetCollector {
    type Fruit = Facets;
    type Child = SegmentFacetCollector;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCollector> {
        let fast = segment.fast_fields();
        let doc_type = fast.str("doc_type")?;
        let retention_status = fast.str("retention_status")?;
        let service_day = fast.column_opt::<i64>("service_day")?;
        let terms = |c: &Option<StrColumn>| c.as_ref().map_or(0, |c| c.num_terms());
        Ok(SegmentFacetCollector {
            doc_type_counts: vec![0; terms(&doc_type)],
            status_counts: vec![0; terms(&retention_status)],
            doc_type,
            retention_status,
            service_day,
            year_counts: vec![0; YEARS],
            other_years: BTreeMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<SegmentFacets>) -> tantivy::Result<Facets> {
        let mut all = SegmentFacets::default();
        for s in segments {
            for (k, n) in s.doc_type {
                *all.doc_type.entry(k).or_default() += n;
            }
            for (k, n) in s.retention_status {
                *all.retention_status.entry(k).or_default() += n;
            }
            for (k, n) in s.year {
                *all.year.entry(k).or_default() += n;
            }
        }
        Ok(Facets {
            doc_type: most_frequent_first(all.doc_type),
            retention_status: most_frequent_first(all.retention_status),
            // Latest year first.
            year: all.year.into_iter().rev().collect(),
        })
    }
}

fn most_frequent_first(counts: HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

fn count_ord(column: &Option<StrColumn>, counts: &mut [u64], doc: DocId) {
    if let Some(c) = column {
        if let Some(ord) = c.ords().first(doc) {
            if let Some(n) = counts.get_mut(ord as usize) {
                *n += 1;
            }
        }
    }
}

/// The counted strings of one column's ordinals.
fn named(column: &Option<StrColumn>, counts: &[u64]) -> HashMap<String, u64> {
    let mut out = HashMap::new();
    let Some(c) = column else {
        return out;
    };
    for (ord, &n) in counts.iter().enumerate() {
        let mut name = String::new();
        if n > 0 && matches!(c.ord_to_str(ord as u64, &mut name), Ok(true)) {
            out.insert(name, n);
        }
    }
    out
}

impl SegmentCollector for SegmentFacetCollector {
    type Fruit = SegmentFacets;

    fn collect(&mut self, doc: DocId, _: Score) {
        count_ord(&self.doc_type, &mut self.doc_type_counts, doc);
        count_ord(&self.retention_status, &mut self.status_counts, doc);
        if let Some(day) = self.service_day.as_ref().and_then(|c| c.first(doc)) {
            let year = day.div_euclid(10_000);
            match usize::try_from(year - FIRST_YEAR) {
                Ok(i) if i < YEARS => self.year_counts[i] += 1,
                _ => *self.other_years.entry(year).or_default() += 1,
            }
        }
    }

    fn harvest(self) -> SegmentFacets {
        let mut year = self.other_years;
        for (i, &n) in self.year_counts.iter().enumerate() {
            if n > 0 {
                *year.entry(FIRST_YEAR + i as i64).or_default() += n;
            }
        }
        SegmentFacets {
            doc_type: named(&self.doc_type, &self.doc_type_counts),
            retention_status: named(&self.retention_status, &self.status_counts),
            year,
        }
    }
}

#[cfg(test)]
mod tests {
    use tantivy::query::Query;

    use super::Facets;
    use crate::index::{ArchiveIndex, IndexError, SearchQuery};
    use crate::model::{DocType, DocumentRecord, PageRecord, Patient};
    use crate::retention::{Decision, RetentionStatus};

    /// The former implementation: tantivy's aggregations over the same fast fields.
    fn aggregated(searcher: &tantivy::Searcher, query: &dyn Query) -> Result<Facets, IndexError> {
        use tantivy::aggregation::agg_req::Aggregations;
        use tantivy::aggregation::agg_result::{AggregationResult, BucketResult};
        use tantivy::aggregation::{AggregationCollector, Key};
        let request: Aggregations = serde_json::from_value(serde_json::json!({
            "doc_type": {"terms": {"field": "doc_type", "size": 50}},
            "retention_status": {"terms": {"field": "retention_status", "size": 20}},
            // service_day is YYYYMMDD: buckets of 10000 are years.
            "year": {"histogram": {"field": "service_day", "interval": 10000.0, "min_doc_count": 1}},
        }))
        .map_err(|e| IndexError::Query(format!("facet request: {e}")))?;
        let collector = AggregationCollector::from_aggs(request, Default::default());
        let results = searcher.search(query, &collector)?;
        let mut facets = Facets::default();
        for (name, result) in results.0 {
            let AggregationResult::BucketResult(buckets) = result else {
                continue;
            };
            match buckets {
                BucketResult::Terms { buckets, .. } => {
                    let counts = buckets
                        .into_iter()
                        .map(|b| {
                            let key = match b.key {
                                Key::Str(s) => s,
                                other => format!("{other:?}"),
                            };
                            (key, b.doc_count)
                        })
                        .collect();
                    match name.as_str() {
                        "doc_type" => facets.doc_type = counts,
                        _ => facets.retention_status = counts,
                    }
                }
                BucketResult::Histogram { buckets } => {
                    let list = match buckets {
                        tantivy::aggregation::agg_result::BucketEntries::Vec(v) => v,
                        tantivy::aggregation::agg_result::BucketEntries::HashMap(m) => {
                            m.into_values().collect()
                        }
                    };
                    let mut years: Vec<(i64, u64)> = list
                        .into_iter()
                        .filter_map(|b| match b.key {
                            Key::F64(k) => Some(((k / 10_000.0).round() as i64, b.doc_count)),
                            Key::I64(k) => Some((k / 10_000, b.doc_count)),
                            Key::U64(k) => Some((k as i64 / 10_000, b.doc_count)),
                            _ => None,
                        })
                        .filter(|(_, n)| *n > 0)
                        .collect();
                    years.sort_by_key(|b| std::cmp::Reverse(b.0));
                    facets.year = years;
                }
                _ => {}
            }
        }
        Ok(facets)
    }

    fn record(i: usize) -> DocumentRecord {
        let statuses = [
            RetentionStatus::Retained,
            RetentionStatus::Eligible,
            RetentionStatus::OnHold,
        ];
        // Dates of service over several years, one before the counting array, some absent.
        let service_date = match i % 7 {
            0 => None,
            1 => Some("1795-03-04".to_string()),
            k => Some(format!("{}-0{}-1{}", 1990 + (i % 13), k, i % 9)),
        };
        DocumentRecord {
            doc_id: format!("d{i}"),
            scan_sha256: "s".into(),
            source_path: "p".into(),
            doc_type: DocType::ALL[i % 5],
            doc_type_confidence: 1.0,
            patient: Patient::default(),
            service_date,
            pages: vec![PageRecord {
                page_no: 1,
                rotation_deg: 0,
                skew_deg: 0.0,
                ocr_confidence: 90.0,
                text: if i.is_multiple_of(3) {
                    "knee pain"
                } else {
                    "chest pain"
                }
                .into(),
                words_blob: None,
                image_blob: None,
                text_source: Default::default(),
            }],
            retention: (!i.is_multiple_of(4)).then(|| Decision {
                class: "adult".into(),
                status: statuses[i % 3],
                retain_through: None,
                eligible_on: None,
                binding_rule: None,
                candidates: vec![],
                missing: vec![],
                holds: vec![],
                schedule: "s".into(),
                schedule_hash: "h".into(),
                as_of: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            }),
        }
    }

    fn sorted(mut f: Facets) -> Facets {
        f.doc_type.sort();
        f.retention_status.sort();
        f
    }

    #[test]
    fn one_pass_counts_equal_the_aggregation_framework_counts() {
        let dir = tempfile::tempdir().unwrap();
        let config = crate::config::PipelineConfig::embedded().index;
        let mut index = ArchiveIndex::open(dir.path(), &config).unwrap();
        index.begin_writing().unwrap();
        // Three segments, with deleted documents in the first.
        for batch in 0..3 {
            for i in batch * 100..(batch + 1) * 100 {
                index.upsert(&record(i)).unwrap();
            }
            index.commit().unwrap();
        }
        for i in (0..50).step_by(5) {
            index.delete_doc(&format!("d{i}")).unwrap();
        }
        index.commit().unwrap();
        for text in ["pain", "knee", "nothingmatches"] {
            let q = SearchQuery {
                text: text.into(),
                limit: 5,
                facets: true,
                ..SearchQuery::default()
            };
            let got = index.search(&q).unwrap().facets.unwrap();
            let query = index.build_query(&q).unwrap().0;
            let want = aggregated(&index.reader.searcher(), &query).unwrap();
            assert_eq!(
                format!("{:?}", sorted(got.clone())),
                format!("{:?}", sorted(want))
            );
            if text == "pain" {
                assert_eq!(got.doc_type.iter().map(|d| d.1).sum::<u64>(), 290);
                assert!(
                    got.year.iter().any(|y| y.0 == 1795),
                    "years before 1800 count"
                );
                assert!(got.year.windows(2).all(|w| w[0].0 > w[1].0), "latest first");
                let counts: Vec<u64> = got.doc_type.iter().map(|d| d.1).collect();
                assert!(
                    counts.windows(2).all(|w| w[0] >= w[1]),
                    "most frequent first"
                );
            }
        }
    }
}
