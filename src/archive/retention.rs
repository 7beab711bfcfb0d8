//! Retention over the archive: evaluate holds (fail closed), compute decisions, store them
//! and re-index what changed.

use chrono::NaiveDate;

use super::{Archive, ArchiveError};
use crate::index::SearchQuery;
pub use crate::model::retention::{NextEligible, ReportRow, RetentionReport};
use crate::retention::assign;
use crate::retention::holds::covers_quarantined;
use crate::retention::holds::HoldsNow;
use crate::retention::{decide_quarantined, Decision, HoldCheck, HoldScope, Schedule};

impl Archive {
    /// Places a legal hold (the index writer must be open) and recomputes retention.
    /// Returns the hold id and how many documents it covers now.
    pub fn place_hold(
        &mut self,
        schedule: &Schedule,
        matter: &str,
        reason: &str,
        scope: &HoldScope,
        user: &str,
    ) -> Result<(String, usize), ArchiveError> {
        use crate::model::text::{free_text, MAX_FIELD_CHARS};
        let field = |e: crate::model::text::FieldError| ArchiveError::Setup(e.to_string());
        let matter = free_text("the hold's matter", matter, MAX_FIELD_CHARS).map_err(field)?;
        let reason = free_text("the hold's reason", reason, MAX_FIELD_CHARS).map_err(field)?;
        let (matter, reason) = (matter.as_str(), reason.as_str());
        match scope {
            HoldScope::Document { doc_id } if self.catalog.document(doc_id)?.is_none() => {
                return Err(ArchiveError::Setup(format!("no document with id {doc_id}")));
            }
            HoldScope::Class { class, from, to } => {
                if !schedule.profile.classes.iter().any(|c| &c.id == class) {
                    return Err(ArchiveError::Setup(format!(
                        "no retention class {class} in schedule {}",
                        schedule.label()
                    )));
                }
                if from > to {
                    return Err(ArchiveError::Setup(format!(
                        "the hold's dates are reversed ({from} after {to})"
                    )));
                }
            }
            _ => {}
        }
        let snapshot = self.query_ids(scope)?;
        let id = self
            .catalog
            .place_hold(matter, reason, scope, &snapshot, user)?;
        let today = crate::clock::today();
        self.recompute_retention(schedule, today, None)?;
        let covered = self
            .decisions(schedule, today, None)?
            .into_iter()
            .filter(|(_, d)| d.holds.contains(&id))
            .count();
        Ok((id, covered))
    }

    /// Releases an active hold and recomputes retention; false when there is none.
    pub fn release_hold(
        &mut self,
        schedule: &Schedule,
        id: &str,
        user: &str,
        reason: &str,
    ) -> Result<bool, ArchiveError> {
        let reason = crate::model::text::free_text(
            "the release reason",
            reason,
            crate::model::text::MAX_FIELD_CHARS,
        )
        .map_err(|e| ArchiveError::Setup(e.to_string()))?;
        if !self.catalog.release_hold(id, user, &reason)? {
            return Ok(false);
        }
        let today = crate::clock::today();
        self.recompute_retention(schedule, today, None)?;
        Ok(true)
    }

    pub fn retention_report(
        &self,
        schedule: &Schedule,
        as_of: NaiveDate,
    ) -> Result<RetentionReport, ArchiveError> {
        use chrono::Datelike;
        use std::collections::BTreeMap;
        let decisions = self.decisions(schedule, as_of, None)?;
        let rows = self.catalog.retention_rows(None)?;
        let year_of: BTreeMap<&str, String> = rows
            .iter()
            .map(|r| {
                let y = r
                    .facts
                    .service_date
                    .map_or("unknown".into(), |d| d.year().to_string());
                (r.doc_id.as_str(), y)
            })
            .collect();
        let mut counts: BTreeMap<(String, String, String), usize> = BTreeMap::new();
        let mut upcoming: BTreeMap<NaiveDate, usize> = BTreeMap::new();
        for (id, d) in &decisions {
            let y = year_of.get(id.as_str()).cloned().unwrap_or_default();
            *counts
                .entry((d.class.clone(), d.status.as_str().into(), y))
                .or_default() += 1;
            if let (Some(e), crate::retention::RetentionStatus::Retained) =
                (d.eligible_on, d.status)
            {
                *upcoming.entry(e).or_default() += 1;
            }
        }
        // Quarantined scans under their own class (no year of service: unreadable).
        for (_, d) in self.quarantine_decisions(schedule, as_of)? {
            *counts
                .entry((d.class.clone(), d.status.as_str().into(), "unknown".into()))
                .or_default() += 1;
            if let (Some(e), crate::retention::RetentionStatus::Retained) =
                (d.eligible_on, d.status)
            {
                *upcoming.entry(e).or_default() += 1;
            }
        }
        Ok(RetentionReport {
            as_of: as_of.to_string(),
            schedule: schedule.label(),
            counts: counts
                .into_iter()
                .map(|((class, status, service_year), documents)| ReportRow {
                    class,
                    status,
                    service_year,
                    documents,
                })
                .collect(),
            next_eligible: upcoming
                .into_iter()
                .take(10)
                .map(|(d, documents)| NextEligible {
                    eligible_on: d.to_string(),
                    documents,
                })
                .collect(),
            classes: schedule
                .profile
                .classes
                .iter()
                .map(|c| crate::model::retention::ClassInfo {
                    id: c.id.clone(),
                    description: c.description.clone(),
                })
                .collect(),
        })
    }

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
        // An incomplete index would make a saved-search hold cover too little: the error
        // makes the caller treat the hold as unknown, which holds (fail closed).
        self.search_ready()?;
        let q = SearchQuery {
            text: text.clone(),
            doc_type: doc_type.clone(),
            from: from.map(|d| d.to_string()),
            to: to.map(|d| d.to_string()),
            ..SearchQuery::default()
        };
        let mut ids = self.index.matching_ids(&q)?;
        if from.is_some() || to.is_some() {
            // A document without a date of service cannot be shown to fall outside the
            // hold's dates: it is held too (a date range must not exempt it).
            let undated = SearchQuery {
                from: None,
                to: None,
                ..q
            };
            let extra: Vec<String> = self
                .index
                .matching_ids(&undated)?
                .into_iter()
                .filter(|id| ids.binary_search(id).is_err())
                .collect();
            if !extra.is_empty() {
                for row in self.catalog.retention_rows(Some(&extra))? {
                    if row.facts.service_date.is_none() {
                        ids.push(row.doc_id);
                    }
                }
                ids.sort();
            }
        }
        Ok(ids)
    }

    /// Retention decisions as of `as_of` for `ids` (all live documents when `None`),
    /// without storing them.
    pub fn decisions(
        &self,
        schedule: &Schedule,
        as_of: NaiveDate,
        ids: Option<&[String]>,
    ) -> Result<Vec<(String, Decision)>, ArchiveError> {
        self.decisions_with(schedule, as_of, ids, &self.holds_now())
    }

    /// [`Archive::decisions`] against holds already read (one evaluation of them for
    /// several steps that hold the writer).
    pub fn decisions_with(
        &self,
        schedule: &Schedule,
        as_of: NaiveDate,
        ids: Option<&[String]>,
        holds: &HoldsNow,
    ) -> Result<Vec<(String, Decision)>, ArchiveError> {
        let rows = self.catalog.retention_rows(ids)?;
        Ok(rows
            .iter()
            .map(|row| {
                let d = assign(
                    schedule,
                    &row.doc_id,
                    row.mrn.as_deref(),
                    &row.facts,
                    holds,
                    as_of,
                );
                (row.doc_id.clone(), d)
            })
            .collect())
    }

    /// The active holds and what each saved-search hold matches now. Holds that cannot be
    /// read make every document held (fail closed).
    pub fn holds_now(&self) -> HoldsNow {
        let holds = self
            .catalog
            .holds(true)
            .map_err(|e| crate::retention::holds::HoldsUnreadable(e.to_string()));
        let query_hits = match &holds {
            Ok(hs) => hs
                .iter()
                .filter(|h| matches!(h.scope, HoldScope::Query { .. }))
                .map(|h| (h.id.clone(), self.query_ids(&h.scope).ok()))
                .collect(),
            Err(_) => Vec::new(),
        };
        HoldsNow { holds, query_hits }
    }

    /// Retention decisions as of `as_of` for every quarantined scan kept in the archive
    /// (with its id in purge jobs), without storing them. Holds that cannot be read keep
    /// every scan (fail closed).
    pub fn quarantine_decisions(
        &self,
        schedule: &Schedule,
        as_of: NaiveDate,
    ) -> Result<Vec<(crate::catalog::QuarantineRecord, Decision)>, ArchiveError> {
        // Saved searches are not run: a search hold covers every quarantined scan anyway.
        let holds = self
            .catalog
            .holds(true)
            .map_err(|e| crate::retention::holds::HoldsUnreadable(e.to_string()));
        let class = schedule
            .quarantine_class()
            .map_or("QUARANTINE", |c| c.id.as_str());
        let mut out = Vec::new();
        for rec in self.catalog.quarantined()? {
            let Some(sha) = rec.sha256.as_deref() else {
                continue;
            };
            let item = crate::model::retention::quarantine_item_id(sha, &rec.at);
            let check = match &holds {
                Err(e) => HoldCheck::Unknown(e.to_string()),
                Ok(hs) => {
                    let held: Vec<String> = hs
                        .iter()
                        .filter(|h| covers_quarantined(h, &item, class))
                        .map(|h| h.id.clone())
                        .collect();
                    if held.is_empty() {
                        HoldCheck::Clear
                    } else {
                        HoldCheck::Held(held)
                    }
                }
            };
            // The day it was (last) quarantined; a stamp that cannot be read keeps it.
            let on = rec
                .at
                .get(..10)
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            let d = match on {
                Some(on) => decide_quarantined(schedule, on, &check, as_of),
                None => {
                    let mut d = decide_quarantined(schedule, as_of, &check, as_of);
                    d.status = crate::retention::RetentionStatus::Indeterminate;
                    d.eligible_on = None;
                    d.missing = vec!["the day it was quarantined".into()];
                    d
                }
            };
            out.push((rec, d));
        }
        Ok(out)
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
