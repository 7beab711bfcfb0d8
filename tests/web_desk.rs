//! A records department's day in a real headless Chromium against a real `chartvault serve`,
//! one walk per role: every step leaves a screenshot in target/screenshots/ and passes an
//! axe-core accessibility check (no serious or critical WCAG 2.1 AA violation).
//!
//! Skips when chromedriver is not installed, unless CHARTVAULT_REQUIRE_BROWSER=1 (CI sets it).

mod common;

use common::browser::*;
use common::server::{add_user, Server};
use fantoccini::{Client, Locator};
use std::time::{Duration, Instant};

const PW: &str = common::PW;

/// Waits until `sel` is gone or no longer says `text`.
async fn until_gone(c: &Client, sel: &str, text: &str) {
    let start = Instant::now();
    loop {
        let now = match c.find(Locator::Css(sel)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if !now.contains(text) {
            return;
        }
        assert!(start.elapsed() < WAIT, "{sel} still says {text:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn fill(c: &Client, sel: &str, value: &str) {
    let f = css(c, sel).await;
    f.clear().await.unwrap();
    f.send_keys(value).await.unwrap();
}

/// Sets an input's value directly (a date input takes typed dates in the browser's own
/// order, so typing would depend on the locale).
async fn set_value(c: &Client, id: &str, value: &str) {
    c.execute(
        "document.getElementById(arguments[0]).value = arguments[1]; return 1;",
        vec![id.into(), value.into()],
    )
    .await
    .unwrap();
}

/// What `fetch(url)` in the page answers: its status and text.
async fn fetch(c: &Client, url: &str) -> (u64, String) {
    let v = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then((r) => r.text().then((t) => done([r.status, t])));",
            vec![url.into()],
        )
        .await
        .unwrap();
    (
        v[0].as_u64().unwrap(),
        v[1].as_str().unwrap_or("").to_string(),
    )
}

/// The title the browser shows for the current screen.
async fn title(c: &Client) -> String {
    c.title().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_privacy_officer_and_an_administrator_at_work() {
    let Some(driver_bin) = chromedriver() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    common::ingest_samples(&archive);
    add_user(&archive, "admin", "admin", PW);
    add_user(&archive, "reader", "viewer", PW);
    add_user(&archive, "temp", "viewer", PW);
    let docs = common::of_kind(&common::export(&archive), "document")
        .into_iter()
        .filter(|d| d["patient"]["mrn"].is_string())
        .cloned()
        .collect::<Vec<_>>();
    let doc = docs[0]["doc_id"].as_str().unwrap().to_string();
    let mrn = docs[0]["patient"]["mrn"].as_str().unwrap().to_string();
    let server = Server::start(&archive, &[]);
    let base = format!("http://{}", server.addr);
    let (_driver, driver_url) = start_driver(&driver_bin);
    let c = browser(&driver_url, &dir.path().join("chromium-profile")).await;

    // A viewer reads a chart.
    log_in(&c, &base, "reader").await;
    c.goto(&format!("{base}/#/doc/{doc}")).await.unwrap();
    css(&c, "#page-frame img").await;
    css(&c, "#logout").await.click().await.unwrap();
    css(&c, "#login-user").await;

    // The privacy officer asks who looked at this patient's chart today.
    log_in(&c, &base, "admin").await;
    c.goto(&format!("{base}/#/audit")).await.unwrap();
    text_of(&c, "main h1", "Audit log").await;
    assert!(
        title(&c).await.starts_with("Audit log"),
        "{}",
        title(&c).await
    );
    step(&c, "desk-audit-1-log").await;
    fill(&c, "#audit-mrn", &mrn).await;
    let today = chrono::Utc::now().date_naive();
    // A date input takes the date typed in the browser's own order; set it directly.
    for id in ["audit-from", "audit-to"] {
        set_value(&c, id, &today.to_string()).await;
    }
    css(&c, "#audit-submit").await.click().await.unwrap();
    let table = text_of(&c, "#audit-table", "Viewed document").await;
    assert!(table.contains("reader"), "{table}");
    assert!(table.contains(&format!("MRN {mrn}")), "{table}");
    // Words, not hashes or raw JSON.
    assert!(!table.contains("{\""), "{table}");
    step(&c, "desk-audit-2-patient").await;
    let href = css(&c, "#audit-export")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(href.contains(&format!("mrn={mrn}")), "{href}");
    let (_, csv) = fetch(&c, &href).await;
    assert!(csv.starts_with("seq,at,user,action"), "{csv}");
    assert!(csv.contains(&doc), "{csv}");

    // The administrator: a user added twice is refused, then reset, disabled, enabled.
    c.goto(&format!("{base}/#/users")).await.unwrap();
    text_of(&c, "main h1", "Users").await;
    step(&c, "desk-users-1-list").await;
    fill(&c, "#user-new-name", "temp").await;
    fill(&c, "#user-new-password", "another-password-9").await;
    css(&c, "#user-add-submit").await.click().await.unwrap();
    let said = text_of(&c, "#user-add-result", "exists already").await;
    assert_eq!(
        css(&c, "#user-add-result")
            .await
            .attr("role")
            .await
            .unwrap()
            .as_deref(),
        Some("alert"),
        "{said}"
    );
    step(&c, "desk-users-2-taken-name").await;
    fill(&c, "#user-password-temp", "a-reset-password-7").await;
    css(&c, "#user-password-submit-temp")
        .await
        .click()
        .await
        .unwrap();
    text_of(&c, "#flash", "Password of temp reset").await;
    css(&c, "#user-disable-temp").await;
    c.execute("window.confirm = () => true; return 1;", vec![])
        .await
        .unwrap();
    css(&c, "#user-disable-temp").await.click().await.unwrap();
    text_of(&c, "#flash", "temp disabled").await;
    text_of(&c, "#user-row-temp", "Disabled").await;
    step(&c, "desk-users-3-disabled").await;
    css(&c, "#user-enable-temp").await.click().await.unwrap();
    text_of(&c, "#flash", "may log in again").await;
    until_gone(&c, "#user-row-temp", "Disabled").await;
    css(&c, "#user-unlock-temp").await.click().await.unwrap();
    text_of(&c, "#flash", "Login delays on temp cleared").await;
    // One's own row offers nothing that would lock oneself out.
    let own = css(&c, "#user-row-admin").await.text().await.unwrap();
    assert!(own.contains("another administrator"), "{own}");
    assert!(c.find(Locator::Css("#user-disable-admin")).await.is_err());
    step(&c, "desk-users-4-done").await;

    // The reset password works; the log names who did each change.
    c.goto(&format!("{base}/#/audit?action=user_update"))
        .await
        .unwrap();
    let t = text_of(&c, "#audit-table", "Changed user").await;
    assert!(t.contains("admin") && t.contains("temp"), "{t}");
    c.close().await.unwrap();
    let s = server.login("temp", "a-reset-password-7");
    assert_eq!(s.get("/api/v1/session").status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn him_staff_find_a_patient_and_release_records_with_an_authorization() {
    let Some(driver_bin) = chromedriver() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    common::ingest_samples(&archive);
    add_user(&archive, "him", "clerk", PW);
    let docs = common::of_kind(&common::export(&archive), "document")
        .into_iter()
        .filter(|d| d["patient"]["name"].is_string() && d["patient"]["dob"].is_string())
        .cloned()
        .collect::<Vec<_>>();
    let p = docs[0]["patient"].clone();
    let (mrn, name, dob) = (
        p["mrn"].as_str().unwrap().to_string(),
        p["name"].as_str().unwrap().to_string(),
        p["dob"].as_str().unwrap().to_string(),
    );
    let server = Server::start(&archive, &[]);
    let base = format!("http://{}", server.addr);
    let (_driver, driver_url) = start_driver(&driver_bin);
    let c = browser(&driver_url, &dir.path().join("chromium-profile")).await;
    log_in(&c, &base, "him").await;

    // Find the patient by name (other order, lower case) and date of birth.
    css(&c, "#nav-patients").await.click().await.unwrap();
    text_of(&c, "main h1", "Find a patient").await;
    let typed: Vec<String> = name
        .split(|ch: char| !ch.is_alphanumeric())
        .filter(|w| w.len() > 1)
        .map(str::to_lowercase)
        .rev()
        .collect();
    fill(&c, "#lookup-name", &typed.join(" ")).await;
    set_value(&c, "lookup-dob", &dob.to_string()).await;
    css(&c, "#lookup-submit").await.click().await.unwrap();
    let found = text_of(&c, "#lookup-table", &mrn).await;
    assert!(found.contains(&dob), "{found}");
    // What was typed is not in the address (browser history keeps that).
    let url = c.current_url().await.unwrap().to_string().to_lowercase();
    assert!(!url.contains(&typed[0]) && !url.contains(&dob), "{url}");
    step(&c, "him-1-find-patient").await;
    c.find(Locator::Css("#lookup-table a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let ids = text_of(&c, "#patient-ids", &mrn).await;
    assert!(ids.contains("Date of Birth"), "{ids}");
    step(&c, "him-2-patient").await;

    // Open a document and add it to a release.
    c.find(Locator::Css("#patient table a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    css(&c, "#add-release").await.click().await.unwrap();
    text_of(&c, "#nav-release", "(1)").await;
    css(&c, "#nav-release").await.click().await.unwrap();
    let listed = text_of(&c, "#roi-documents", &mrn).await;
    assert!(listed.contains("1 documents to release"), "{listed}");
    fill(&c, "#roi-requester", "Jane Roe, attorney at law").await;
    fill(&c, "#roi-recipient", "Roe & Partners").await;
    fill(&c, "#roi-purpose", "personal injury claim").await;
    css(&c, "#roi-basis")
        .await
        .select_by_value("authorization")
        .await
        .unwrap();
    // Without the authorization on file the release is refused, and the refusal is read out.
    css(&c, "#roi-submit").await.click().await.unwrap();
    text_of(&c, "#roi-result", "on file").await;
    let role = css(&c, "#roi-result").await.attr("role").await.unwrap();
    assert_eq!(role.as_deref(), Some("alert"));
    step(&c, "him-3-release-refused").await;
    css(&c, "#roi-on-file").await.click().await.unwrap();
    let expires = chrono::Utc::now()
        .date_naive()
        .checked_add_days(chrono::Days::new(90))
        .unwrap();
    set_value(&c, "roi-expires", &expires.to_string()).await;
    css(&c, "#roi-submit").await.click().await.unwrap();
    text_of(
        &c,
        "#roi-result",
        "recorded in the accounting of disclosures",
    )
    .await;
    css(&c, "#roi-download").await;
    step(&c, "him-4-released").await;

    // The patient's accounting lists it, with a download of the same PDF again.
    c.goto(&format!("{base}/#/patient/{mrn}")).await.unwrap();
    let acc = text_of(&c, "#accounting", "Jane Roe, attorney at law").await;
    assert!(acc.contains("Signed authorization"), "{acc}");
    assert!(acc.contains(&expires.to_string()), "{acc}");
    let href = c
        .find(Locator::Css("#accounting a[download]"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let (status, _) = fetch(&c, &href).await;
    assert_eq!(status, 200);
    step(&c, "him-5-accounting").await;
    css(&c, "#accounting-report").await.click().await.unwrap();
    let report = text_of(&c, "#accounting-print", "Accounting of Disclosures").await;
    assert!(
        report.contains(&mrn) && report.contains("Roe & Partners"),
        "{report}"
    );
    css(&c, "#accounting-print-button").await;
    assert!(title(&c).await.starts_with("Accounting of Disclosures"));
    step(&c, "him-6-accounting-report").await;

    // A search kept under a name, and its hits picked together for the next release.
    c.goto(&format!("{base}/#/search?q=discharge"))
        .await
        .unwrap();
    css(&c, ".hit-link").await;
    fill(&c, "#save-name", "discharge summaries").await;
    css(&c, "#save-submit").await.click().await.unwrap();
    text_of(&c, "#flash", "Search saved as").await;
    text_of(&c, "#saved-searches", "discharge summaries").await;
    css(&c, "#pick-all").await.click().await.unwrap();
    css(&c, "#bulk-release").await.click().await.unwrap();
    text_of(&c, "#flash", "added to the release").await;
    let nav = css(&c, "#nav-release").await.text().await.unwrap();
    assert!(!nav.contains("(0)"), "{nav}");
    step(&c, "him-7-saved-search-and-bulk").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_works_the_qa_queue_and_turns_a_page() {
    let Some(driver_bin) = chromedriver() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    common::ingest_samples(&archive);
    add_user(&archive, "clerk", "clerk", PW);
    let server = Server::start(&archive, &[]);
    let base = format!("http://{}", server.addr);
    let (_driver, driver_url) = start_driver(&driver_bin);
    let c = browser(&driver_url, &dir.path().join("chromium-profile")).await;
    log_in(&c, &base, "clerk").await;

    // Upload two files: a scan the archive holds already, and a file that is no scan. Each
    // gets its own result line; the job says "duplicate", never a green "done".
    css(&c, "#nav-ingest").await.click().await.unwrap();
    let dup = common::samples().join("scans/discharge_summary.png");
    let bad = dir.path().join("notes.pdf");
    std::fs::write(&bad, b"these are typed notes, not a scan").unwrap();
    css(&c, "#upload-files")
        .await
        .send_keys(&format!("{}\n{}", dup.display(), bad.display()))
        .await
        .unwrap();
    css(&c, "#upload-submit").await.click().await.unwrap();
    let lines = text_of(&c, "#upload-results", "refused").await;
    let lines = if lines.contains("queued") {
        lines
    } else {
        text_of(&c, "#upload-results", "queued").await
    };
    assert!(
        lines.contains("discharge_summary.png") && lines.contains("notes.pdf"),
        "{lines}"
    );
    text_of(&c, "#jobs-table", "Already archived (duplicate)").await;
    step(&c, "clerk-0-uploads").await;

    // The QA queue says whose document waits and why, with a preview.
    let queue = text_of(&c, "#qa-table", "Date of Service").await;
    assert!(queue.contains("MRN"), "{queue}");
    css(&c, "#qa-table img.thumb").await;
    step(&c, "clerk-1-qa-queue").await;

    // One item after another.
    css(&c, "#qa-start").await.click().await.unwrap();
    css(&c, "#qa-next").await;
    css(&c, "#page-frame img").await;
    text_of(&c, "#page-of", "Page 1 of").await;
    step(&c, "clerk-2-qa-item").await;

    // The keyboard: ? lists the shortcuts, Esc closes the list; + zooms.
    let body = c.find(Locator::Css("body")).await.unwrap();
    body.send_keys("?").await.unwrap();
    text_of(&c, "#shortcuts-dialog", "next page").await;
    step(&c, "clerk-3-shortcuts").await;
    css(&c, "#shortcuts-close").await.click().await.unwrap();
    until_gone(&c, "body", "Keyboard shortcuts\nn or").await;
    css(&c, "#zoom-in").await.click().await.unwrap();
    text_of(&c, "#zoom-level", "125%").await;
    css(&c, "#zoom-fit").await.click().await.unwrap();
    text_of(&c, "#zoom-level", "100%").await;

    // Turn the page upside down and back: each time read again from the original.
    css(&c, "#turn-180").await.click().await.unwrap();
    text_of(&c, "#flash", "turned and read again").await;
    css(&c, "#page-frame img").await;
    step(&c, "clerk-4-turned").await;
    css(&c, "#turn-180").await.click().await.unwrap();
    let said = text_of(&c, "#flash", "turned and read again").await;
    assert!(said.contains("confidence"), "{said}");

    // Several at once from the queue: set a type and confirm.
    css(&c, "#nav-ingest").await.click().await.unwrap();
    css(&c, "#qa-table input[type=checkbox]")
        .await
        .click()
        .await
        .unwrap();
    css(&c, "#qa-bulk-type")
        .await
        .select_by_value("progress_note")
        .await
        .unwrap();
    css(&c, "#qa-bulk-reclassify").await.click().await.unwrap();
    text_of(&c, "#flash", "1 of 1").await;
    step(&c, "clerk-5-bulk").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retention_officer_holds_a_patient_and_certifies_a_purge() {
    let Some(driver_bin) = chromedriver() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    common::ingest_samples(&archive);
    for (name, role) in [
        ("officer", "retention_officer"),
        ("approver1", "approver"),
        ("approver2", "approver"),
    ] {
        add_user(&archive, name, role, PW);
    }
    let docs = common::of_kind(&common::export(&archive), "document")
        .into_iter()
        .filter(|d| d["patient"]["mrn"].is_string())
        .cloned()
        .collect::<Vec<_>>();
    let mrn = docs[0]["patient"]["mrn"].as_str().unwrap().to_string();
    // Decades on: the samples' documents have reached the end of their retention.
    common::set_clock(&archive, "2060-01-15");
    let server = Server::start(&archive, &[]);
    let base = format!("http://{}", server.addr);
    let (_driver, driver_url) = start_driver(&driver_bin);
    let c = browser(&driver_url, &dir.path().join("chromium-profile")).await;
    log_in(&c, &base, "officer").await;

    // Hold a patient, and see what the hold covers.
    c.goto(&format!("{base}/#/patient/{mrn}")).await.unwrap();
    fill(&c, "#hold-matter", "Doe v. General").await;
    fill(&c, "#hold-reason", "litigation").await;
    css(&c, "#hold-submit").await.click().await.unwrap();
    text_of(&c, "#hold-result", "placed").await;
    css(&c, "#nav-retention").await.click().await.unwrap();
    let desk = text_of(&c, "#holds", "Doe v. General").await;
    assert!(desk.contains(&mrn), "{desk}");
    // Classes in words, not only codes.
    text_of(&c, "#retention-report", "Core clinical record").await;
    step(&c, "officer-1-desk").await;
    c.find(Locator::Css("#holds a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let held = text_of(&c, "#hold-documents", &mrn).await;
    assert!(held.contains("Date of Service"), "{held}");
    step(&c, "officer-2-hold").await;

    // Plan a purge (dry run), review it: the held patient is not in it.
    c.goto(&format!("{base}/#/retention")).await.unwrap();
    css(&c, "#plan-submit").await.click().await.unwrap();
    let said = text_of(&c, "#flash", "Planned").await;
    let job = said
        .split_whitespace()
        .find(|w| w.starts_with("PJ-"))
        .unwrap()
        .trim_end_matches(':')
        .to_string();
    c.goto(&format!("{base}/#/retention?job={job}"))
        .await
        .unwrap();
    let review = text_of(&c, "#job", &job).await;
    assert!(
        !review.contains(&mrn),
        "a held patient in the plan: {review}"
    );
    step(&c, "officer-3-plan").await;

    // Two approvers approve (not the officer who planned it); the officer executes.
    for a in ["approver1", "approver2"] {
        let s = server.login(a, PW);
        let r = s.send(
            "POST",
            &format!("/api/v1/purge-jobs/{job}/approve"),
            &serde_json::json!({}),
        );
        assert_eq!(r.status, 200, "{a}: {}", r.text());
    }
    c.goto(&format!("{base}/#/retention")).await.unwrap();
    c.execute("window.confirm = () => true; return 1;", vec![])
        .await
        .unwrap();
    css(&c, "#purge-jobs button.danger")
        .await
        .click()
        .await
        .unwrap();
    let done = text_of(&c, "#flash", "certificate").await;
    assert!(done.contains("destroyed"), "{done}");
    step(&c, "officer-4-executed").await;

    // The certificate of destruction: printable, styled, in HIM words, with signature lines.
    let href = c
        .find(Locator::Css("#purge-jobs a[href*='certificates']"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    c.goto(&format!("{base}{href}")).await.unwrap();
    let cert = text_of(&c, "body", "Certificate of Destruction").await;
    for want in ["Records custodian", "Witness", "Totals"] {
        assert!(cert.contains(want), "{want}: {cert}");
    }
    // Document types in words, no byte counts, no all-zero hash.
    for not in [
        "_note",
        "_report",
        "_summary",
        "face_sheet",
        "bytes",
        "0000000000",
    ] {
        assert!(!cert.contains(not), "{not}: {cert}");
    }
    // Its own style applies (the page's security policy allows exactly that style).
    let font = c
        .execute("return getComputedStyle(document.body).fontFamily;", vec![])
        .await
        .unwrap();
    assert!(font.as_str().unwrap_or("").contains("Georgia"), "{font}");
    step(&c, "officer-5-certificate").await;
    c.close().await.unwrap();
}
