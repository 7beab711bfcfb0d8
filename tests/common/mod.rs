//! Helpers for integration tests: run the real `chartvault` binary.
#![allow(dead_code)]

pub mod pdf;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_chartvault"))
}

pub fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

pub fn run(archive: &Path, args: &[&str]) -> Output {
    command(archive)
        .args(args)
        .output()
        .expect("run chartvault")
}

/// `chartvault --archive ARCHIVE`, on the archive's test clock when one is set.
pub fn command(archive: &Path) -> Command {
    let mut c = bin();
    c.arg("--archive").arg(archive);
    let clock = clock_file(archive);
    if clock.exists() {
        c.env("CHARTVAULT_TEST_CLOCK", clock);
    }
    c
}

/// The file holding an archive's test clock (beside the archive).
pub fn clock_file(archive: &Path) -> PathBuf {
    let mut name = archive.file_name().unwrap_or_default().to_os_string();
    name.push(".test-clock");
    archive.with_file_name(name)
}

/// Sets "today" for every later command on `archive` and for servers started on it (a
/// running server reads the file at each use). Needs the `test-hooks` build.
#[cfg(feature = "test-hooks")]
pub fn set_clock(archive: &Path, day: &str) {
    std::fs::write(clock_file(archive), day).unwrap();
}

#[cfg(not(feature = "test-hooks"))]
pub fn set_clock(_archive: &Path, _day: &str) {
    panic!(
        "this test moves the clock: run the tests as the README says, \
         `cargo test --release --features test-hooks`"
    );
}

/// The password every test account gets.
pub const PW: &str = "correct-horse-battery";

/// `purge approve JOB` as `user`, giving `password` on stdin as the CLI asks.
pub fn approve_as(archive: &Path, user: &str, password: &str, job: &str) -> Output {
    use std::io::Write;
    let mut child = command(archive)
        .args(["--user", user, "purge", "approve", job])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run purge approve");
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    child.wait_with_output().unwrap()
}

/// `purge approve JOB` as `user` with the test password.
pub fn approve(archive: &Path, user: &str, job: &str) -> Output {
    approve_as(archive, user, PW, job)
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

/// `chartvault --user USER ARGS...`, giving the test password on stdin to the steps that
/// ask for the account's password (purge plan and approve).
pub fn cv(archive: &Path, user: &str, args: &[&str]) -> std::process::Output {
    use std::io::Write;
    let mut child = command(archive)
        .args(["--user", user])
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run chartvault");
    // A command that reads nothing may have exited already.
    let _ = writeln!(child.stdin.take().unwrap(), "{PW}");
    child.wait_with_output().expect("run chartvault")
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

/// A retention officer (`officer1`) places a litigation hold on a patient's records.
pub fn hold_mrn(archive: &Path, matter: &str, mrn: &str) {
    ok(&cv(
        archive,
        "officer1",
        &[
            "hold",
            "place",
            "--matter",
            matter,
            "--reason",
            "litigation",
            "--mrn",
            mrn,
        ],
    ));
}

/// Ingest the samples, add the accounts (officer1 retention officer, approver1 and
/// approver2 approvers), hold patient 90000033 (radiology report), move the test clock to
/// 2045-01-01 (the sample documents became eligible in 2028 and 2030), plan as of that day
/// and get two approvals. Returns the job id.
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
    server::add_user(archive, "officer1", "retention_officer", PW);
    server::add_user(archive, "approver1", "approver", PW);
    server::add_user(archive, "approver2", "approver", PW);
    hold_mrn(archive, "Case 17", "90000033");
    set_clock(archive, "2045-01-01");
    let plan = ok(&cv(archive, "officer1", &["purge", "plan"]));
    assert!(plan.contains("4 documents eligible"), "{plan}");
    assert!(plan.contains("excluded: on_hold (1)") && plan.contains("excluded: indeterminate (1)"));
    let job = plan.split_whitespace().nth(2).unwrap().to_string();
    assert!(job.starts_with("PJ-20450101-"), "{job}");
    // The initiator cannot approve; one person cannot approve twice.
    let o = approve(archive, "officer1", &job);
    assert_eq!(o.status.code(), Some(2));
    // (a retention officer may not approve at all; an admin who plans is refused as the
    // initiator: tests/purge_safety.rs)
    assert!(stderr(&o).contains("may not approve"), "{}", stderr(&o));
    ok(&approve(archive, "approver1", &job));
    let o = approve(archive, "approver1", &job);
    assert!(stderr(&o).contains("already approved"));
    // Not enough approvals yet: execution refused.
    let o = cv(archive, "exec1", &["purge", "execute", &job]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("needs 2 approvals"), "{}", stderr(&o));
    ok(&approve(archive, "approver2", &job));
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

pub mod browser;
pub mod server;
