//! Helpers for integration tests: run the real `chartvault` binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_chartvault"))
}

pub fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

pub fn run(archive: &Path, args: &[&str]) -> Output {
    bin()
        .arg("--archive")
        .arg(archive)
        .args(args)
        .output()
        .expect("run chartvault")
}

/// Ingests the committed sample scans into `archive` (created).
pub fn ingest_samples(archive: &Path) {
    let o = run(
        archive,
        &[
            "ingest",
            "--quiet",
            samples().join("scans").to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "ingest samples: {}", stderr(&o));
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Parses `export` output into JSON values.
pub fn export(archive: &Path) -> Vec<serde_json::Value> {
    let o = run(archive, &["export"]);
    assert!(o.status.success(), "export failed: {}", stderr(&o));
    stdout(&o)
        .lines()
        .map(|l| {
            // Every line has the typed shape of the contract (schemas/export.schema.json).
            serde_json::from_str::<chartvault::model::export::ExportLine>(l)
                .unwrap_or_else(|e| panic!("export line does not fit the contract: {e}: {l}"));
            serde_json::from_str(l).expect("export line is JSON")
        })
        .collect()
}

pub fn of_kind<'a>(lines: &'a [serde_json::Value], kind: &str) -> Vec<&'a serde_json::Value> {
    lines.iter().filter(|l| l["kind"] == kind).collect()
}

pub fn cv(archive: &Path, user: &str, args: &[&str]) -> std::process::Output {
    let mut full = vec!["--user", user];
    full.extend_from_slice(args);
    run(archive, &full)
}

pub fn ok(o: &std::process::Output) -> String {
    assert!(
        o.status.success(),
        "stdout: {}\nstderr: {}",
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

/// Every file under `dir` whose bytes contain `needle`.
pub fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if e.file_type().is_file() {
            let bytes = std::fs::read(e.path()).unwrap_or_default();
            if bytes.windows(needle.len()).any(|w| w == needle) {
                out.push(e.path().display().to_string());
            }
        }
    }
    out
}

/// Ingest the samples, hold patient 90000033 (radiology report), plan as of 2045 and get
/// two approvals. Returns the job id.
pub fn approved_job(archive: &Path) -> String {
    ok(&cv(
        archive,
        "clerk1",
        &[
            "ingest",
            "--quiet",
            samples().join("scans").to_str().unwrap(),
        ],
    ));
    ok(&cv(
        archive,
        "officer1",
        &[
            "hold",
            "place",
            "--matter",
            "Case 17",
            "--reason",
            "litigation",
            "--mrn",
            "90000033",
        ],
    ));
    let plan = ok(&cv(
        archive,
        "officer1",
        &["purge", "plan", "--as-of", "2045-01-01"],
    ));
    assert!(plan.contains("4 documents eligible"), "{plan}");
    assert!(plan.contains("excluded: on_hold (1)") && plan.contains("excluded: indeterminate (1)"));
    let job = plan.split_whitespace().nth(2).unwrap().to_string();
    // The initiator cannot approve; one person cannot approve twice.
    let o = cv(archive, "officer1", &["purge", "approve", &job]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot approve it"));
    ok(&cv(archive, "approver1", &["purge", "approve", &job]));
    let o = cv(archive, "approver1", &["purge", "approve", &job]);
    assert!(stderr(&o).contains("already approved"));
    // Not enough approvals yet: execution refused.
    let o = cv(archive, "exec1", &["purge", "execute", &job]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("needs 2 approvals"), "{}", stderr(&o));
    ok(&cv(archive, "approver2", &["purge", "approve", &job]));
    job
}

/// The certificate id `purge execute` printed.
pub fn certificate_id(out: &str) -> String {
    out.split("certificate of destruction ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no certificate in: {out}"))
        .to_string()
}

pub mod server;
