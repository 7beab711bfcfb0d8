//! Legal holds: what a hold covers and whether a document falls in it (retention.md §4).

use chrono::NaiveDate;

pub use crate::model::retention::Hold;
pub use crate::model::retention::HoldScope;

impl Hold {
    pub fn is_active(&self) -> bool {
        self.released_at.is_none()
    }
}

/// A document as hold scopes see it.
#[derive(Debug, Clone)]
pub struct HoldSubject<'a> {
    pub doc_id: &'a str,
    pub mrn: Option<&'a str>,
    pub class: &'a str,
    pub service_date: Option<NaiveDate>,
}

/// Whether an active hold covers the document. Query holds need the set of ids the query
/// matches now (`query_hits`); `None` means it could not be run, and the caller fails closed.
pub fn covers(hold: &Hold, doc: &HoldSubject, query_hits: Option<&[String]>) -> Option<bool> {
    if !hold.is_active() {
        return Some(false);
    }
    Some(match &hold.scope {
        HoldScope::Mrn { mrn } => doc.mrn == Some(mrn.as_str()),
        HoldScope::Document { doc_id } => doc.doc_id == doc_id,
        HoldScope::Class { class, from, to } => {
            // A document without a service date cannot be shown outside the range: held.
            doc.class == class && doc.service_date.is_none_or(|d| d >= *from && d <= *to)
        }
        HoldScope::Query { .. } => {
            if hold.snapshot.iter().any(|id| id == doc.doc_id) {
                return Some(true);
            }
            query_hits?.iter().any(|id| id == doc.doc_id)
        }
    })
}

/// Why the holds could not be read (every document is then held).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct HoldsUnreadable(pub String);

/// The active holds as one evaluation sees them: the holds (or why they could not be
/// read) and, for each saved-search hold, the ids its search matches now (none when it
/// could not be run).
#[derive(Debug, Clone)]
pub struct HoldsNow {
    pub holds: Result<Vec<Hold>, HoldsUnreadable>,
    pub query_hits: Vec<(String, Option<Vec<String>>)>,
}

/// Which active holds cover a document. Holds that cannot be read, or one that cannot be
/// evaluated, make it held (fail closed).
pub fn check(subject: &HoldSubject, now: &HoldsNow) -> crate::retention::HoldCheck {
    use crate::retention::HoldCheck;
    let holds = match &now.holds {
        Ok(h) => h,
        Err(e) => return HoldCheck::Unknown(e.to_string()),
    };
    let mut held = Vec::new();
    for h in holds {
        let hits = now
            .query_hits
            .iter()
            .find(|(id, _)| *id == h.id)
            .and_then(|(_, hits)| hits.as_deref());
        match covers(h, subject, hits) {
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

/// Whether an active hold covers a quarantined scan (named `item_id` in purge jobs, its
/// class `class`). Its patient and words cannot be read, so a patient or saved-search hold
/// cannot be shown not to cover it: it does (fail closed). A class hold covers it when it
/// names its class (there is no date of service to compare); a document hold only when it
/// names the scan itself.
pub fn covers_quarantined(hold: &Hold, item_id: &str, class: &str) -> bool {
    if !hold.is_active() {
        return false;
    }
    match &hold.scope {
        HoldScope::Mrn { .. } | HoldScope::Query { .. } => true,
        HoldScope::Class { class: c, .. } => c == class,
        HoldScope::Document { doc_id } => doc_id == item_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hold(scope: HoldScope) -> Hold {
        Hold {
            id: "H-0001".into(),
            matter: "Doe v. Hospital".into(),
            reason: "litigation".into(),
            scope,
            snapshot: vec!["dsnap".into()],
            placed_by: "officer".into(),
            placed_at: "2026-01-01T00:00:00Z".into(),
            released_by: None,
            released_at: None,
            release_reason: None,
        }
    }

    fn subject<'a>(id: &'a str, mrn: Option<&'a str>, svc: Option<&str>) -> HoldSubject<'a> {
        HoldSubject {
            doc_id: id,
            mrn,
            class: "CLIN-CORE",
            service_date: svc.map(|s| s.parse().unwrap()),
        }
    }

    #[test]
    fn scopes_match_what_they_name() {
        let h = hold(HoldScope::Mrn {
            mrn: "00412345".into(),
        });
        assert_eq!(
            covers(&h, &subject("d1", Some("00412345"), None), None),
            Some(true)
        );
        assert_eq!(
            covers(&h, &subject("d1", Some("00412346"), None), None),
            Some(false)
        );
        assert_eq!(covers(&h, &subject("d1", None, None), None), Some(false));
        let h = hold(HoldScope::Class {
            class: "CLIN-CORE".into(),
            from: "2010-01-01".parse().unwrap(),
            to: "2010-12-31".parse().unwrap(),
        });
        assert_eq!(
            covers(&h, &subject("d", None, Some("2010-06-01")), None),
            Some(true)
        );
        assert_eq!(
            covers(&h, &subject("d", None, Some("2011-06-01")), None),
            Some(false)
        );
        assert_eq!(
            covers(&h, &subject("d", None, None), None),
            Some(true),
            "unknown date: held"
        );
    }

    #[test]
    fn query_holds_use_snapshot_and_fail_closed() {
        let h = hold(HoldScope::Query {
            text: "pneumothorax".into(),
            doc_type: None,
            from: None,
            to: None,
        });
        assert_eq!(covers(&h, &subject("dsnap", None, None), None), Some(true));
        assert_eq!(
            covers(&h, &subject("dnew", None, None), Some(&["dnew".into()])),
            Some(true)
        );
        assert_eq!(
            covers(&h, &subject("dnew", None, None), Some(&[])),
            Some(false)
        );
        assert_eq!(
            covers(&h, &subject("dnew", None, None), None),
            None,
            "cannot tell"
        );
    }

    #[test]
    fn a_quarantined_scan_is_held_by_anything_that_might_name_it() {
        let q = "quarantine:ab12";
        let mrn = hold(HoldScope::Mrn { mrn: "1".into() });
        assert!(covers_quarantined(&mrn, q, "QUARANTINE"));
        let query = hold(HoldScope::Query {
            text: "x".into(),
            doc_type: None,
            from: None,
            to: None,
        });
        assert!(covers_quarantined(&query, q, "QUARANTINE"));
        let class = |c: &str| {
            hold(HoldScope::Class {
                class: c.into(),
                from: "2010-01-01".parse().unwrap(),
                to: "2010-12-31".parse().unwrap(),
            })
        };
        assert!(covers_quarantined(&class("QUARANTINE"), q, "QUARANTINE"));
        assert!(!covers_quarantined(&class("CLIN-CORE"), q, "QUARANTINE"));
        let doc = |d: &str| hold(HoldScope::Document { doc_id: d.into() });
        assert!(!covers_quarantined(&doc("d1"), q, "QUARANTINE"));
        assert!(covers_quarantined(&doc(q), q, "QUARANTINE"));
        let mut released = mrn.clone();
        released.released_at = Some("2026-02-01T00:00:00Z".into());
        assert!(!covers_quarantined(&released, q, "QUARANTINE"));
    }

    #[test]
    fn released_holds_cover_nothing() {
        let mut h = hold(HoldScope::Document {
            doc_id: "d1".into(),
        });
        h.released_at = Some("2026-02-01T00:00:00Z".into());
        assert_eq!(covers(&h, &subject("d1", None, None), None), Some(false));
    }
}
