//! Retention over the archive: evaluate holds (fail closed), compute decisions, store them
//! and re-index what changed.

use chrono::NaiveDate;

use super::{Archive, ArchiveError};
use crate::catalog::RetentionRow;
use crate::index::SearchQuery;
use crate::retention::holds::{covers, HoldSubject};
use crate::retention::{decide, Decision, Hold, HoldCheck, HoldScope, Schedule};

impl Archive {
    /// Ids of the documents a saved query matches now.
    pub fn query_ids(&self, scope: &HoldScope) -> Result<Vec<String>, ArchiveError> {
        let HoldScope::Query {
            text,
            doc_type,
            from,
            to,
        } = scope
        else {
            return Ok(Vec::new());
        };
        let q = SearchQuery {
            text: text.clone(),
            doc_type: doc_type.clone(),
            from: from.map(|d| d.to_string()),
            to: to.map(|d| d.to_string()),
            ..SearchQuery::default()
        };
        Ok(self.index.matching_ids(&q)?)
    }

    /// Retention decisions as of `as_of` for `ids` (all live documents when `None`),
    /// without storing them.
    pub fn decisions(
        &self,
        schedule: &Schedule,
        as_of: NaiveDate,
        ids: Option<&[String]>,
    ) -> Result<Vec<(String, Decision)>, ArchiveError> {
        let rows = self.catalog.retention_rows(ids)?;
        // Holds that cannot be read make every document held (fail closed).
        let holds: Result<Vec<Hold>, String> = self.catalog.holds(true).map_err(|e| e.to_string());
        let query_hits: Vec<(String, Option<Vec<String>>)> = match &holds {
            Ok(hs) => hs
                .iter()
                .filter(|h| matches!(h.scope, HoldScope::Query { .. }))
                .map(|h| (h.id.clone(), self.query_ids(&h.scope).ok()))
                .collect(),
            Err(_) => Vec::new(),
        };
        Ok(rows
            .iter()
            .map(|row| {
                let check = hold_check(schedule, row, &holds, &query_hits);
                (
                    row.doc_id.clone(),
                    decide(schedule, &row.facts, &check, as_of),
                )
            })
            .collect())
    }

    /// Computes and stores decisions, then re-indexes documents whose status changed.
    /// The caller holds the index writer. Returns (documents evaluated, changed).
    pub fn recompute_retention(
        &mut self,
        schedule: &Schedule,
        as_of: NaiveDate,
        ids: Option<&[String]>,
    ) -> Result<(usize, usize), ArchiveError> {
        let decisions = self.decisions(schedule, as_of, ids)?;
        let changed = self.catalog.set_retention(&decisions)?;
        self.sync_index()?;
        Ok((decisions.len(), changed))
    }
}

fn hold_check(
    schedule: &Schedule,
    row: &RetentionRow,
    holds: &Result<Vec<Hold>, String>,
    query_hits: &[(String, Option<Vec<String>>)],
) -> HoldCheck {
    let holds = match holds {
        Ok(h) => h,
        Err(e) => return HoldCheck::Unknown(e.clone()),
    };
    let subject = HoldSubject {
        doc_id: &row.doc_id,
        mrn: row.mrn.as_deref(),
        class: &schedule.class_of(row.facts.doc_type).id,
        service_date: row.facts.service_date,
    };
    let mut held = Vec::new();
    for h in holds {
        let hits = query_hits
            .iter()
            .find(|(id, _)| *id == h.id)
            .and_then(|(_, hits)| hits.as_deref());
        match covers(h, &subject, hits) {
            Some(true) => held.push(h.id.clone()),
            Some(false) => {}
            None => return HoldCheck::Unknown(format!("hold {} could not be evaluated", h.id)),
        }
    }
    if held.is_empty() {
        HoldCheck::Clear
    } else {
        HoldCheck::Held(held)
    }
}
