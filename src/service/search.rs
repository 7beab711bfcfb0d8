//! Full-text search with filters: `chartvault search` and `GET /api/v1/search` both call
//! [`search`], so they validate alike and leave the same audit entry.

use super::{Actor, Code, Door, ServiceError};
use crate::access::Permission;
use crate::archive::Archive;
use crate::index::{SearchQuery, SearchResults, SortOrder};
pub use crate::model::api::search::{SaveSearch, SavedSearch, SearchRequest};

/// Most hits one web answer holds (a page of results).
pub const MAX_LIMIT: usize = 100;
/// Most hits the command line prints at once (a local operator listing).
pub const MAX_CLI_LIMIT: usize = 100_000;
pub const MAX_OFFSET: usize = 10_000;
pub const MAX_QUERY_BYTES: usize = 2000;
/// Hits per page when the request names no limit.
pub const DEFAULT_LIMIT: usize = 20;

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// The index query of a request, or why it cannot be run.
pub fn query(p: SearchRequest, door: Door) -> Result<SearchQuery, ServiceError> {
    let max_limit = match door {
        Door::Web => MAX_LIMIT,
        Door::Cli => MAX_CLI_LIMIT,
    };
    if p.q.len() > MAX_QUERY_BYTES {
        return Err(ServiceError::new(
            Code::InvalidQuery,
            format!("the query is longer than {MAX_QUERY_BYTES} characters"),
        ));
    }
    let doc_type = non_empty(p.doc_type);
    if let Some(t) = &doc_type {
        if crate::model::DocType::parse(t).is_none() {
            return Err(ServiceError::bad_request(format!(
                "unknown document type {t:?}"
            )));
        }
    }
    let status = non_empty(p.retention_status);
    if let Some(s) = &status {
        if crate::retention::RetentionStatus::parse(s).is_none() {
            return Err(ServiceError::bad_request(format!(
                "unknown retention status {s:?} (retained, eligible, on_hold, indeterminate, permanent)"
            )));
        }
    }
    let sort = match non_empty(p.sort) {
        None => SortOrder::Relevance,
        Some(s) => SortOrder::parse(&s).ok_or_else(|| {
            ServiceError::bad_request(format!("unknown sort {s:?} (relevance, newest, oldest)"))
        })?,
    };
    let (mut from, mut to) = (non_empty(p.from), non_empty(p.to));
    let eligible_before = non_empty(p.eligible_before);
    for d in [&from, &to, &eligible_before].into_iter().flatten() {
        crate::index::date_key(d).map_err(|e| ServiceError::bad_request(e.to_string()))?;
    }
    if let Some(y) = p.year {
        if !(1800..=2200).contains(&y) {
            return Err(ServiceError::bad_request(format!(
                "year {y} is out of range"
            )));
        }
        from = Some(format!("{y}-01-01"));
        to = Some(format!("{y}-12-31"));
    }
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > max_limit {
        return Err(ServiceError::bad_request(format!(
            "limit must be 1 to {max_limit}"
        )));
    }
    let offset = p.offset.unwrap_or(0);
    if offset > MAX_OFFSET {
        return Err(ServiceError::bad_request(format!(
            "offset must be at most {MAX_OFFSET}"
        )));
    }
    Ok(SearchQuery {
        text: p.q,
        mrn: non_empty(p.mrn),
        doc_type,
        from,
        to,
        limit,
        offset,
        retention_status: status,
        eligible_before,
        fuzzy: p.fuzzy,
        facets: p.facets,
        sort,
        // Patients are looked up by name and birth date in `patients::lookup`.
        patient_name: None,
        dob: None,
    })
}

/// Runs a search (audited: the query may name a patient, so the log keeps its hash and
/// the ids shown). `via` names the front door in the audit entry.
pub fn search(
    archive: &mut Archive,
    actor: &Actor,
    req: SearchRequest,
    door: Door,
) -> Result<(SearchQuery, SearchResults), ServiceError> {
    actor.require(Permission::Read)?;
    let q = query(req, door)?;
    archive.search_ready()?;
    let results = archive.index.search(&q)?;
    let ids: Vec<&str> = results.hits.iter().map(|h| h.doc_id.as_str()).collect();
    archive.catalog.audit(
        &actor.name,
        "search",
        &crate::store::sha256_hex(format!("{q:?}").as_bytes())[..16],
        serde_json::json!({"total": results.total, "returned": ids, "via": door.as_str()}),
    )?;
    Ok((q, results))
}

/// The most searches one user keeps.
pub const MAX_SAVED: usize = 100;

/// The user's saved searches, by name.
pub fn saved(archive: &Archive, actor: &Actor) -> Result<Vec<SavedSearch>, ServiceError> {
    actor.require(Permission::Read)?;
    Ok(archive.catalog.saved_searches(&actor.name)?)
}

/// Keeps a search under a name (the same name replaces it). The query is the search
/// page's parameters; it is checked as a search would be, so a saved search always runs.
pub fn save(
    archive: &mut Archive,
    actor: &Actor,
    s: &SaveSearch,
) -> Result<SavedSearch, ServiceError> {
    actor.require(Permission::Read)?;
    let name = crate::model::text::free_text("name", &s.name, 80)
        .map_err(|e| ServiceError::bad_request(e.to_string()))?;
    let req: SearchRequest = serde_urlencoded::from_str(&s.query)
        .map_err(|e| ServiceError::bad_request(format!("the saved query is not a search: {e}")))?;
    query(req, Door::Web)?;
    let existing = archive.catalog.saved_searches(&actor.name)?;
    if existing.len() >= MAX_SAVED && !existing.iter().any(|x| x.name == name) {
        return Err(ServiceError::refused(format!(
            "you keep {MAX_SAVED} saved searches already: delete one first"
        )));
    }
    let id = archive.catalog.save_search(&actor.name, &name, &s.query)?;
    archive
        .catalog
        .saved_searches(&actor.name)?
        .into_iter()
        .find(|x| x.id == id)
        .ok_or_else(|| ServiceError::internal("a saved search went missing"))
}

pub fn delete_saved(archive: &mut Archive, actor: &Actor, id: i64) -> Result<(), ServiceError> {
    actor.require(Permission::Read)?;
    if !archive.catalog.delete_saved_search(&actor.name, id)? {
        return Err(ServiceError::not_found(format!(
            "you have no saved search {id}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_requests_are_named() {
        let bad = |p: SearchRequest| query(p, Door::Web).unwrap_err().code;
        assert_eq!(
            bad(SearchRequest {
                q: "x".repeat(MAX_QUERY_BYTES + 1),
                ..Default::default()
            }),
            Code::InvalidQuery
        );
        for p in [
            SearchRequest {
                doc_type: Some("<script>".into()),
                ..Default::default()
            },
            SearchRequest {
                limit: Some(MAX_LIMIT + 1),
                ..Default::default()
            },
            SearchRequest {
                limit: Some(0),
                ..Default::default()
            },
            SearchRequest {
                from: Some("2020-02-31".into()),
                ..Default::default()
            },
            SearchRequest {
                sort: Some("random".into()),
                ..Default::default()
            },
            SearchRequest {
                year: Some(12),
                ..Default::default()
            },
        ] {
            assert_eq!(bad(p), Code::BadRequest);
        }
        let q = query(
            SearchRequest {
                year: Some(2019),
                mrn: Some("  ".into()),
                ..Default::default()
            },
            Door::Web,
        )
        .unwrap();
        // The command line may list more at once than a web page shows.
        let many = SearchRequest {
            limit: Some(500),
            ..Default::default()
        };
        assert_eq!(query(many.clone(), Door::Cli).unwrap().limit, 500);
        assert!(query(many, Door::Web).is_err());
        assert_eq!(q.from.as_deref(), Some("2019-01-01"));
        assert_eq!(q.to.as_deref(), Some("2019-12-31"));
        assert_eq!(q.mrn, None);
        assert_eq!(q.limit, DEFAULT_LIMIT);
    }
}
