//! Destruction safety with the real binary on the test clock (`test-hooks` build): the
//! reproductions of the issue "records destroyed years early, two-person approval
//! bypassed" kept as regression tests, and the edges of the rule "destroy only on or after
//! each document's own eligible-on date, checked against the real date at execution".

mod common;
use common::server::add_user;
use common::*;
use std::path::Path;

/// Samples ingested, accounts: officer1 (plans), officer2 (executes), approver1/2, admin1.
fn archive_with_staff(dir: &Path) -> std::path::PathBuf {
    let archive = dir.join("archive");
    set_clock(&archive, "2026-12-06");
    ingest_samples(&archive);
    for (name, role) in [
        ("officer1", "retention_officer"),
        ("officer2", "retention_officer"),
        ("approver1", "approver"),
        ("approver2", "approver"),
        ("admin1", "admin"),
        ("reader1", "viewer"),
    ] {
        add_user(&archive, name, role, PW);
    }
    archive
}

/// (doc_id, eligible_on) of every document with an eligible-on date, earliest first.
fn eligible_dates(archive: &Path) -> Vec<(String, chrono::NaiveDate)> {
    let mut out: Vec<(String, chrono::NaiveDate)> = of_kind(&export(archive), "document")
        .iter()
        .filter_map(|d| {
            let e = d["retention"]["eligible_on"].as_str()?;
            Some((
                d["doc_id"].as_str()?.to_string(),
                chrono::NaiveDate::parse_from_str(e, "%Y-%m-%d").ok()?,
            ))
        })
        .collect();
    out.sort_by_key(|(_, e)| *e);
    out
}

fn destroyed(archive: &Path) -> Vec<String> {
    of_kind(&export(archive), "document")
        .iter()
        .filter(|d| d["retention"]["status"] == "destroyed")
        .map(|d| d["doc_id"].as_str().unwrap().to_string())
        .collect()
}

fn job_of(plan_output: &str) -> String {
    plan_output
        .split_whitespace()
        .find(|w| w.starts_with("PJ-"))
        .unwrap_or_else(|| panic!("no job in {plan_output}"))
        .to_string()
}

fn refused(o: &std::process::Output, why: &str) {
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(o), stderr(o));
    assert!(stderr(o).contains(why), "wanted {why:?} in: {}", stderr(o));
}

#[test]
fn a_plan_as_of_a_future_date_is_a_forecast_that_destroys_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let archive = archive_with_staff(dir.path());
    let plan = ok(&cv(
        &archive,
        "officer1",
        &["purge", "plan", "--as-of", "2040-01-01"],
    ));
    assert!(plan.contains("FORECAST"), "{plan}");
    let job = job_of(&plan);
    // Numbered by the day it was made, not by the date it looks at.
    assert!(job.starts_with("PJ-20261206-"), "{job}");
    refused(&approve(&archive, "approver1", &job), "forecast");
    refused(&approve(&archive, "approver2", &job), "forecast");
    refused(
        &cv(&archive, "officer2", &["purge", "execute", &job]),
        "forecast",
    );
    // Even a job whose state was forced to approved is refused at execution.
    let conn = rusqlite::Connection::open(archive.join("catalog.db")).unwrap();
    conn.execute(
        "UPDATE purge_jobs SET state = 'approved' WHERE id = ?1",
        [&job],
    )
    .unwrap();
    drop(conn);
    refused(
        &cv(&archive, "officer2", &["purge", "execute", &job]),
        "forecast",
    );
    assert!(destroyed(&archive).is_empty());
    // The scheduler does not execute it either: it reports the refusal.
    let o = run(&archive, &["scheduler", "run-once"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(!stdout(&o).contains("executed purge job"), "{}", stdout(&o));
    assert!(stdout(&o).contains("forecast"), "{}", stdout(&o));
    assert!(destroyed(&archive).is_empty());
    let show = ok(&run(&archive, &["purge", "list"]));
    assert!(show.contains(&job), "{show}");
}

#[test]
fn nothing_is_destroyed_the_day_before_its_eligible_on_date_and_it_is_on_the_day() {
    let dir = tempfile::tempdir().unwrap();
    let archive = archive_with_staff(dir.path());
    let dates = eligible_dates(&archive);
    let (first_doc, first) = dates[0].clone();
    let due_first: Vec<&String> = dates
        .iter()
        .filter(|(_, e)| *e == first)
        .map(|(d, _)| d)
        .collect();
    let eve = first.pred_opt().unwrap();

    // The day before: nothing eligible today; a plan for tomorrow is only a forecast.
    set_clock(&archive, &eve.to_string());
    let plan = ok(&cv(&archive, "officer1", &["purge", "plan"]));
    assert!(plan.contains("0 documents eligible"), "{plan}");
    let plan = ok(&cv(
        &archive,
        "officer1",
        &["purge", "plan", "--as-of", &first.to_string()],
    ));
    assert!(plan.contains("FORECAST"), "{plan}");
    refused(&approve(&archive, "approver1", &job_of(&plan)), "forecast");

    // The day itself: eligible, approved, destroyed; the certificate is dated that day.
    set_clock(&archive, &first.to_string());
    let plan = ok(&cv(&archive, "officer1", &["purge", "plan"]));
    assert!(
        plan.contains(&format!("{} documents eligible", due_first.len())),
        "{plan}"
    );
    assert!(
        plan.contains(&format!("earliest retain-through date among them: {eve}")),
        "{plan}"
    );
    let job = job_of(&plan);
    ok(&approve(&archive, "approver1", &job));
    ok(&approve(&archive, "approver2", &job));
    let out = ok(&cv(&archive, "officer2", &["purge", "execute", &job]));
    let cert = certificate_id(&out);
    assert!(
        cert.starts_with(&format!("COD-{}-", first.format("%Y%m%d"))),
        "{cert}"
    );
    let c: serde_json::Value =
        serde_json::from_str(&ok(&run(&archive, &["purge", "certificate", &cert]))).unwrap();
    assert_eq!(c["executed_on"], first.to_string(), "{c}");
    assert!(
        c["started_at"]
            .as_str()
            .unwrap()
            .starts_with(&first.to_string()),
        "{c}"
    );
    let gone = destroyed(&archive);
    assert!(gone.contains(&first_doc));
    assert_eq!(gone.len(), due_first.len());
    // Everything destroyed had reached its own date.
    for (doc, e) in &dates {
        assert_eq!(gone.contains(doc), *e <= first, "{doc} eligible {e}");
    }
}

#[test]
fn execution_uses_today_not_the_plan_date_and_skips_what_no_longer_qualifies() {
    let dir = tempfile::tempdir().unwrap();
    let archive = archive_with_staff(dir.path());
    set_clock(&archive, "2045-01-01");
    let plan = ok(&cv(&archive, "officer1", &["purge", "plan"]));
    assert!(plan.contains("5 documents eligible"), "{plan}");
    let job = job_of(&plan);
    ok(&approve(&archive, "approver1", &job));
    ok(&approve(&archive, "approver2", &job));
    let held = of_kind(&export(&archive), "document")
        .iter()
        .filter(|d| d["patient"]["mrn"] == "90000025")
        .count();
    assert!(held >= 1);
    // After approval, a legal hold on one patient: their documents are skipped, saying so.
    ok(&cv(
        &archive,
        "officer1",
        &[
            "hold",
            "place",
            "--matter",
            "Late case",
            "--reason",
            "subpoena",
            "--mrn",
            "90000025",
        ],
    ));
    let out = ok(&cv(&archive, "officer2", &["purge", "execute", &job]));
    assert!(
        out.contains(&format!("{} documents destroyed", 5 - held)),
        "{out}"
    );
    assert!(out.contains("(5 approved"), "{out}");
    assert!(out.contains("on legal hold"), "{out}");
    let show = ok(&run(&archive, &["purge", "show", &job]));
    assert!(
        show.contains(&format!(
            "destroyed {}, skipped {held}, pending 0",
            5 - held
        )),
        "{show}"
    );
    assert!(
        show.contains("skipped ") && show.contains("on legal hold"),
        "{show}"
    );
    let c: serde_json::Value = serde_json::from_str(&ok(&run(
        &archive,
        &["purge", "certificate", &certificate_id(&out)],
    )))
    .unwrap();
    assert_eq!(c["counts"]["documents"], 5 - held);
    assert_eq!(c["counts"]["skipped_at_execution"], held);
    ok(&run(&archive, &["audit", "verify"]));
}

#[test]
fn approvals_expire() {
    let dir = tempfile::tempdir().unwrap();
    let archive = archive_with_staff(dir.path());
    set_clock(&archive, "2045-01-01");
    let job = job_of(&ok(&cv(&archive, "officer1", &["purge", "plan"])));
    ok(&approve(&archive, "approver1", &job));
    set_clock(&archive, "2045-03-01");
    refused(&approve(&archive, "approver2", &job), "approval period");
    assert!(destroyed(&archive).is_empty());
    // Approved in time but executed too late: refused as well.
    set_clock(&archive, "2045-04-01");
    let job = job_of(&ok(&cv(&archive, "officer1", &["purge", "plan"])));
    ok(&approve(&archive, "approver1", &job));
    ok(&approve(&archive, "approver2", &job));
    set_clock(&archive, "2045-06-01");
    refused(
        &cv(&archive, "officer2", &["purge", "execute", &job]),
        "expired",
    );
    assert!(destroyed(&archive).is_empty());
}

#[test]
fn two_person_control_cannot_be_bypassed_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let archive = archive_with_staff(dir.path());
    set_clock(&archive, "2045-01-01");
    let job = job_of(&ok(&cv(&archive, "officer1", &["purge", "plan"])));
    // Nobody plans under an invented name (then approves their own job as themselves), nor
    // with a role that may not purge.
    refused(
        &cv(&archive, "ghost", &["purge", "plan"]),
        "cannot plan as ghost",
    );
    refused(
        &cv(&archive, "approver1", &["purge", "plan"]),
        "may not plan",
    );
    // The initiator never approves their own plan, whatever their role.
    let own = job_of(&ok(&cv(&archive, "admin1", &["purge", "plan"])));
    refused(&approve(&archive, "admin1", &own), "cannot approve it");
    // Invented names and wrong passwords approve nothing.
    refused(&approve(&archive, "a", &job), "cannot approve as a");
    refused(&approve(&archive, "b", &job), "cannot approve as b");
    refused(
        &approve_as(&archive, "approver1", "not-the-password", &job),
        "wrong user name or password",
    );
    // A role without approval rights.
    refused(&approve(&archive, "reader1", &job), "may not approve");
    // Accounts made or changed after the plan, and the administrator who did it.
    add_user(&archive, "approver3", "approver", PW);
    refused(&approve(&archive, "approver3", &job), "was created");
    common::server::reset_password(&archive, "approver2", "a-new-password-1");
    refused(
        &approve_as(&archive, "approver2", "a-new-password-1", &job),
        "was changed",
    );
    let o = command(&archive)
        .args([
            "--user",
            "admin1",
            "user",
            "add",
            "approver4",
            "--role",
            "approver",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            writeln!(c.stdin.take().unwrap(), "{PW}")?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    refused(&approve(&archive, "admin1", &job), "changes accounts");
    // One real approval is not enough.
    ok(&approve(&archive, "approver1", &job));
    refused(
        &cv(&archive, "officer1", &["purge", "execute", &job]),
        "needs 2 approvals",
    );
    assert!(destroyed(&archive).is_empty());
    // The plan cannot lower the number either.
    let o = cv(&archive, "officer1", &["purge", "plan", "--approvals", "1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let log = ok(&run(&archive, &["audit", "list", "--limit", "1000"]));
    assert!(log.contains("purge_approve_refused"), "{log}");
}

#[test]
fn a_hold_covers_a_document_without_a_date_of_service() {
    let dir = tempfile::tempdir().unwrap();
    let archive = archive_with_staff(dir.path());
    // The consent form carries no date of service.
    let docs = export(&archive);
    let consent = of_kind(&docs, "document")
        .into_iter()
        .find(|d| d["doc_type"] == "consent_form")
        .unwrap()
        .clone();
    assert!(consent["service_date"].is_null(), "{consent}");
    let mrn = consent["patient"]["mrn"].as_str().unwrap();
    let o = ok(&cv(
        &archive,
        "officer1",
        &[
            "hold", "place", "--matter", "M", "--reason", "R", "--mrn", mrn,
        ],
    ));
    assert!(o.contains("covers 1 documents now"), "{o}");
    let after = export(&archive);
    let consent = of_kind(&after, "document")
        .into_iter()
        .find(|d| d["doc_type"] == "consent_form")
        .unwrap();
    assert_eq!(consent["retention"]["status"], "on_hold", "{consent}");
}

#[test]
fn query_and_class_holds_placed_after_approval_are_honoured_and_cancel_ends_a_job() {
    let dir = tempfile::tempdir().unwrap();
    let archive = archive_with_staff(dir.path());
    set_clock(&archive, "2045-01-01");
    let job = job_of(&ok(&cv(&archive, "officer1", &["purge", "plan"])));
    ok(&approve(&archive, "approver1", &job));
    ok(&approve(&archive, "approver2", &job));
    // A saved-search hold (the progress note's words) and a class hold on radiology.
    let docs = export(&archive);
    let id_of = |t: &str| -> Vec<String> {
        of_kind(&docs, "document")
            .iter()
            .filter(|d| d["doc_type"] == t)
            .map(|d| d["doc_id"].as_str().unwrap().to_string())
            .collect()
    };
    let knee: Vec<String> = {
        let o = ok(&run(&archive, &["search", "\"knee pain\"", "--json"]));
        let v: serde_json::Value = serde_json::from_str(&o).unwrap();
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["doc_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(!knee.is_empty());
    let radiology = id_of("radiology_report");
    ok(&cv(
        &archive,
        "officer1",
        &[
            "hold",
            "place",
            "--matter",
            "Q",
            "--reason",
            "r",
            "--query",
            "\"knee pain\"",
        ],
    ));
    ok(&cv(
        &archive,
        "officer1",
        &[
            "hold",
            "place",
            "--matter",
            "C",
            "--reason",
            "r",
            "--class",
            "RAD-REPORT",
            "--from",
            "2000-01-01",
            "--to",
            "2030-12-31",
        ],
    ));
    let out = ok(&cv(&archive, "officer2", &["purge", "execute", &job]));
    let gone = destroyed(&archive);
    for id in knee.iter().chain(radiology.iter()) {
        assert!(!gone.contains(id), "{id} was held: {out}");
        assert!(
            out.contains(&format!("skipped {id}: on legal hold")),
            "{out}"
        );
    }
    assert!(!gone.is_empty(), "{out}");

    // A cancelled job can be neither approved nor executed.
    set_clock(&archive, "2046-01-01");
    let job = job_of(&ok(&cv(&archive, "officer1", &["purge", "plan"])));
    ok(&approve(&archive, "approver1", &job));
    ok(&cv(&archive, "officer1", &["purge", "cancel", &job]));
    refused(&approve(&archive, "approver2", &job), "cancelled");
    refused(
        &cv(&archive, "officer2", &["purge", "execute", &job]),
        "cancelled",
    );
    assert_eq!(destroyed(&archive), gone);
}

#[test]
fn no_state_schedule_or_stale_approval_gets_around_the_checks() {
    let dir = tempfile::tempdir().unwrap();
    let archive = archive_with_staff(dir.path());
    set_clock(&archive, "2045-01-01");
    let job = job_of(&ok(&cv(&archive, "officer1", &["purge", "plan"])));
    // A job forced into `executing` without approvals destroys nothing.
    let conn = rusqlite::Connection::open(archive.join("catalog.db")).unwrap();
    conn.execute(
        "UPDATE purge_jobs SET state = 'executing' WHERE id = ?1",
        [&job],
    )
    .unwrap();
    refused(
        &cv(&archive, "officer2", &["purge", "execute", &job]),
        "valid approvals",
    );
    conn.execute(
        "UPDATE purge_jobs SET state = 'planned' WHERE id = ?1",
        [&job],
    )
    .unwrap();
    drop(conn);
    ok(&approve(&archive, "approver1", &job));
    ok(&approve(&archive, "approver2", &job));
    // Another schedule or profile (shorter terms) is refused.
    refused(
        &cv(
            &archive,
            "officer2",
            &["--retention-profile", "CA", "purge", "execute", &job],
        ),
        "planned under retention schedule",
    );
    // An approver whose account was disabled since no longer counts.
    ok(&cv(&archive, "admin1", &["user", "disable", "approver2"]));
    refused(
        &cv(&archive, "officer2", &["purge", "execute", &job]),
        "1 valid approvals of the 2",
    );
    assert!(destroyed(&archive).is_empty());
    let log = ok(&run(&archive, &["audit", "list", "--limit", "1000"]));
    assert!(log.contains("purge_execute_refused"), "{log}");
    // A dated saved-search hold still covers a document without a date of service.
    let o = ok(&cv(
        &archive,
        "officer1",
        &[
            "hold",
            "place",
            "--matter",
            "Q",
            "--reason",
            "r",
            "--query",
            "consent",
            "--from",
            "2000-01-01",
            "--to",
            "2001-01-01",
        ],
    ));
    assert!(o.contains("covers 1 documents now"), "{o}");
}
