//! Retention schedules (`pipelines/retention.toml`): profiles of classes, each class with
//! its document types, terms (trigger + period), minor rule, cutoff and disposition.
//! Validated at load; the file's SHA-256 is recorded on every decision and certificate.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::model::retention::QUARANTINED_SCAN;
use crate::model::DocType;

pub const DEFAULT_RETENTION_TOML: &str = include_str!("../../pipelines/retention.toml");

#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("cannot read retention schedule {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid retention schedule {path}: {message}")]
    Invalid { path: String, message: String },
}

/// What starts a term's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The document's date of service.
    ServiceDate,
    /// The latest date of service of any live document of the patient (moves when a newer
    /// document is ingested).
    PatientLastService,
    /// When the document was ingested.
    IngestedAt,
    /// The document's own date (a letter's or report's date): the date of service, since
    /// that is the date printed in the header.
    DocumentDate,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::ServiceDate => "service_date",
            Trigger::PatientLastService => "patient_last_service",
            Trigger::IngestedAt => "ingested_at",
            Trigger::DocumentDate => "document_date",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub trigger: Trigger,
    #[serde(default)]
    pub years: u32,
    #[serde(default)]
    pub months: u32,
}

/// For patients under `age_of_majority` at the date of service: keep until
/// `dob + (age_of_majority + years_after_majority)` years.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MinorRule {
    pub age_of_majority: u32,
    pub years_after_majority: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// Eligible for destruction once every term has run.
    Destroy,
    /// Kept for ever.
    Permanent,
    /// Never eligible until a person classifies the document (status `indeterminate`).
    Review,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Cutoff {
    #[default]
    None,
    /// Triggers move to Dec 31 of their year (annual purges).
    YearEnd,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionClass {
    pub id: String,
    pub description: String,
    pub doc_types: Vec<String>,
    pub disposition: Disposition,
    #[serde(default)]
    pub cutoff: Cutoff,
    #[serde(default)]
    pub terms: Vec<Term>,
    #[serde(default)]
    pub minor: Option<MinorRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub id: String,
    pub version: String,
    pub description: String,
    pub classes: Vec<RetentionClass>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleFile {
    version: u32,
    facility: String,
    active_profile: String,
    /// Distinct people (never the initiator) who must approve every purge job: the
    /// facility's policy, at least two; no plan request can lower it.
    #[serde(default = "default_purge_approvals")]
    purge_approvals: u32,
    profiles: Vec<Profile>,
}

/// Two-person control: the fewest approvals a purge job may need.
pub const MIN_PURGE_APPROVALS: u32 = 2;

fn default_purge_approvals() -> u32 {
    MIN_PURGE_APPROVALS
}

/// A loaded, validated schedule with its active profile.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// SHA-256 of the schedule file's bytes.
    pub hash: String,
    pub facility: String,
    /// Approvals every purge job needs (at least [`MIN_PURGE_APPROVALS`]).
    pub purge_approvals: u32,
    pub profile: Profile,
    pub profiles: Vec<Profile>,
}

impl Schedule {
    pub fn embedded() -> Schedule {
        // Checked by a unit test; failing here would be a build defect.
        Schedule::parse(DEFAULT_RETENTION_TOML, "<embedded default>", None)
            .unwrap_or_else(|e| panic!("embedded pipelines/retention.toml is invalid: {e}"))
    }

    pub fn load(path: &Path, profile: Option<&str>) -> Result<Schedule, ScheduleError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScheduleError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Schedule::parse(&text, &path.display().to_string(), profile)
    }

    /// Parses and validates; `profile` overrides the file's `active_profile`.
    pub fn parse(
        text: &str,
        origin: &str,
        profile: Option<&str>,
    ) -> Result<Schedule, ScheduleError> {
        let invalid = |message: String| ScheduleError::Invalid {
            path: origin.to_string(),
            message,
        };
        let file: ScheduleFile =
            toml::from_str(text).map_err(|e| invalid(e.message().to_string()))?;
        if file.version != 1 {
            return Err(invalid(format!(
                "version {} is not supported (expected 1)",
                file.version
            )));
        }
        if !(MIN_PURGE_APPROVALS..=10).contains(&file.purge_approvals) {
            return Err(invalid(format!(
                "purge_approvals = {}: a purge needs {MIN_PURGE_APPROVALS} to 10 approvals \
                 (two-person control)",
                file.purge_approvals
            )));
        }
        let mut ids = HashSet::new();
        for p in &file.profiles {
            if !ids.insert(p.id.as_str()) {
                return Err(invalid(format!("profile {} is defined twice", p.id)));
            }
            validate_profile(p, origin)?;
        }
        let wanted = profile.unwrap_or(&file.active_profile);
        let active = file
            .profiles
            .iter()
            .find(|p| p.id == wanted)
            .cloned()
            .ok_or_else(|| {
                invalid(format!(
                    "no profile {wanted:?} (profiles: {})",
                    file.profiles
                        .iter()
                        .map(|p| p.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
        Ok(Schedule {
            hash: crate::store::sha256_hex(text.as_bytes()),
            facility: file.facility,
            purge_approvals: file.purge_approvals,
            profile: active,
            profiles: file.profiles,
        })
    }

    /// The class quarantined scans fall in, when the active profile has one (without one
    /// they are never eligible).
    pub fn quarantine_class(&self) -> Option<&RetentionClass> {
        self.profile
            .classes
            .iter()
            .find(|c| c.doc_types.iter().any(|t| t == QUARANTINED_SCAN))
    }

    /// The class a document type maps to in the active profile.
    pub fn class_of(&self, doc_type: DocType) -> &RetentionClass {
        class_of(&self.profile, doc_type)
    }

    /// `profile-id@version#hash-prefix`: how decisions and certificates name the schedule.
    pub fn label(&self) -> String {
        format!(
            "{}@{}#{}",
            self.profile.id,
            self.profile.version,
            &self.hash[..12]
        )
    }
}

fn class_of(p: &Profile, doc_type: DocType) -> &RetentionClass {
    // Validation guarantees every type maps to exactly one class.
    p.classes
        .iter()
        .find(|c| c.doc_types.iter().any(|t| t == doc_type.as_str()))
        .unwrap_or(&p.classes[0])
}

fn validate_profile(p: &Profile, origin: &str) -> Result<(), ScheduleError> {
    let bad = |m: String| ScheduleError::Invalid {
        path: origin.to_string(),
        message: format!("profile {}: {m}", p.id),
    };
    if p.classes.is_empty() {
        return Err(bad(String::from("has no classes")));
    }
    let mut class_ids = HashSet::new();
    let mut mapped = HashSet::new();
    for c in &p.classes {
        if !class_ids.insert(c.id.as_str()) {
            return Err(bad(format!("class {} is defined twice", c.id)));
        }
        if c.doc_types.iter().any(|t| t == QUARANTINED_SCAN) {
            validate_quarantine_class(c, |m| bad(format!("class {}: {m}", c.id)))?;
        }
        for t in &c.doc_types {
            if t == QUARANTINED_SCAN {
                if !mapped.insert(t.as_str()) {
                    return Err(bad(format!("{t} is in two classes")));
                }
                continue;
            }
            if DocType::parse(t).is_none() {
                return Err(bad(format!("class {}: unknown document type {t:?}", c.id)));
            }
            if !mapped.insert(t.as_str()) {
                return Err(bad(format!("document type {t} is in two classes")));
            }
        }
        if c.disposition == Disposition::Destroy && c.terms.is_empty() {
            return Err(bad(format!(
                "class {}: a destroy class needs at least one term",
                c.id
            )));
        }
        for t in &c.terms {
            if t.years == 0 && t.months == 0 || t.years > 200 || t.months > 2400 {
                return Err(bad(format!(
                    "class {}: term periods must be 1 month to 200 years",
                    c.id
                )));
            }
        }
        if let Some(m) = &c.minor {
            if !(1..=30).contains(&m.age_of_majority) || m.years_after_majority > 100 {
                return Err(bad(format!("class {}: implausible minor rule", c.id)));
            }
        }
    }
    for t in DocType::ALL {
        if !mapped.contains(t.as_str()) {
            return Err(bad(format!("document type {} is in no class", t.as_str())));
        }
    }
    Ok(())
}

/// A quarantined scan has no type, patient or dates but the day it was quarantined: its
/// class holds nothing else, counts from that day only and has no minor rule (the
/// patient's age cannot be known; the period itself must cover the longest a minor's
/// record could need).
fn validate_quarantine_class(
    c: &RetentionClass,
    bad: impl Fn(String) -> ScheduleError,
) -> Result<(), ScheduleError> {
    if c.doc_types.len() != 1 {
        return Err(bad(format!(
            "{QUARANTINED_SCAN} must be the only entry of its class (its scans have no type)"
        )));
    }
    if c.minor.is_some() {
        return Err(bad(format!(
            "no minor rule for {QUARANTINED_SCAN}: the patient's age cannot be known; \
             make the period cover the longest a minor's record could need"
        )));
    }
    if c.terms.iter().any(|t| t.trigger != Trigger::IngestedAt) {
        return Err(bad(format!(
            "{QUARANTINED_SCAN} terms count from ingested_at (the day the scan was \
             quarantined): it has no other date"
        )));
    }
    Ok(())
}

/// The JSON Schema of `pipelines/retention.toml`, as committed in
/// `schemas/retention.schema.json`.
pub fn schedule_json_schema() -> String {
    serde_json::to_string_pretty(&schemars::schema_for!(ScheduleFile)).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_retention_schema_matches_the_code() {
        let generated = schedule_json_schema();
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/retention.schema.json");
        if std::env::var_os("CHARTVAULT_WRITE_SCHEMAS").is_some() {
            std::fs::write(path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert_eq!(
            committed, generated,
            "schemas/retention.schema.json is stale: CHARTVAULT_WRITE_SCHEMAS=1 cargo test"
        );
    }

    #[test]
    fn embedded_schedule_is_valid_and_maps_every_type() {
        let s = Schedule::embedded();
        assert_eq!(s.profile.id, "AHIMA-baseline");
        assert_eq!(s.class_of(DocType::DischargeSummary).id, "CLIN-CORE");
        assert_eq!(s.class_of(DocType::Unclassified).id, "UNCLASSIFIED");
        assert_eq!(s.class_of(DocType::Correspondence).id, "CORR");
        for p in ["CA", "NY", "TX", "NC", "MA"] {
            let s = Schedule::parse(DEFAULT_RETENTION_TOML, "x", Some(p)).unwrap();
            assert_eq!(s.profile.id, p);
        }
    }

    #[test]
    fn errors_name_what_is_wrong() {
        let bad = DEFAULT_RETENTION_TOML.replacen("\"correspondence\"", "\"memo\"", 1);
        let e = Schedule::parse(&bad, "r.toml", None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown document type \"memo\""), "{e}");
        let e = Schedule::parse(DEFAULT_RETENTION_TOML, "r.toml", Some("XX"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("no profile \"XX\""), "{e}");
        let bad = DEFAULT_RETENTION_TOML.replacen("years = 10", "years = 0", 1);
        let e = Schedule::parse(&bad, "r.toml", None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("term periods"), "{e}");
    }

    #[test]
    fn purge_approvals_come_from_the_policy_and_are_never_fewer_than_two() {
        assert_eq!(Schedule::embedded().purge_approvals, 2);
        for n in ["0", "1"] {
            let bad = DEFAULT_RETENTION_TOML.replacen(
                "purge_approvals = 2",
                &format!("purge_approvals = {n}"),
                1,
            );
            let e = Schedule::parse(&bad, "r.toml", None)
                .unwrap_err()
                .to_string();
            assert!(e.contains("two-person control"), "{e}");
        }
        let three =
            DEFAULT_RETENTION_TOML.replacen("purge_approvals = 2", "purge_approvals = 3", 1);
        assert_eq!(
            Schedule::parse(&three, "r.toml", None)
                .unwrap()
                .purge_approvals,
            3
        );
        // A schedule that does not say gets the minimum.
        let silent = DEFAULT_RETENTION_TOML.replacen("purge_approvals = 2", "", 1);
        assert_eq!(
            Schedule::parse(&silent, "r.toml", None)
                .unwrap()
                .purge_approvals,
            2
        );
    }
}
