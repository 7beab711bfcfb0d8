//! The web UI in a real headless Chromium, driven over WebDriver (chromedriver) against a real
//! `chartvault serve`: log in, search, open a document, see a hit highlighted on the page image,
//! place a legal hold, log out, and see a viewer refused the retention desk.
//!
//! Skips when chromedriver is not installed, unless CHARTVAULT_REQUIRE_BROWSER=1 (CI sets it).
//! Screenshots go to target/screenshots (or CHARTVAULT_SCREENSHOTS).

mod common;

use common::browser::*;
use common::server::{add_user, Server};
use fantoccini::Locator;
use std::time::{Duration, Instant};

const PW: &str = common::PW;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_search_view_hold_and_viewer_is_refused_the_retention_desk() {
    let Some(driver_bin) = chromedriver() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    common::ingest_samples(&archive);
    add_user(&archive, "officer", "retention_officer", PW);
    add_user(&archive, "reader", "viewer", PW);
    add_user(&archive, "clerk", "clerk", PW);
    // The chart batch's two documents, in page order.
    let mut chart_docs: Vec<(u64, String)> = common::of_kind(&common::export(&archive), "document")
        .iter()
        .filter(|d| d["source"]["path"] == "chart_with_separators.tif")
        .map(|d| {
            let first = d["source"]["pages"][0].as_u64().unwrap();
            (first, d["doc_id"].as_str().unwrap().to_string())
        })
        .collect();
    chart_docs.sort();
    let chart_docs: Vec<String> = chart_docs.into_iter().map(|(_, id)| id).collect();
    assert_eq!(chart_docs.len(), 2);
    let server = Server::start(&archive, &[]);
    let base = format!("http://{}", server.addr);
    let (_driver, driver_url) = start_driver(&driver_bin);
    let c = browser(&driver_url, &dir.path().join("chromium-profile")).await;

    // A wrong password is refused with a message, not a crash.
    c.goto(&format!("{base}/#/login")).await.unwrap();
    css(&c, "#login-user")
        .await
        .send_keys("officer")
        .await
        .unwrap();
    css(&c, "#login-pass")
        .await
        .send_keys("not-the-password")
        .await
        .unwrap();
    css(&c, "#login-submit").await.click().await.unwrap();
    text_of(&c, "#login-msg", "wrong user name or password").await;

    // Log in and search.
    log_in(&c, &base, "officer").await;
    let q = css(&c, "#q").await;
    q.send_keys("discharge").await.unwrap();
    css(&c, "#search-submit").await.click().await.unwrap();
    css(&c, ".hit-link").await;
    text_of(&c, "#results", "documents").await;
    let marks = c
        .find_all(Locator::Css("#results .snippet mark"))
        .await
        .unwrap();
    assert!(!marks.is_empty(), "no highlighted snippet in the results");
    // Facets are links that narrow the search.
    text_of(&c, ".facets", "Discharge summary (").await;
    step(&c, "1-search").await;
    c.find(Locator::Css(".facets a.facet"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_of(&c, ".facets a.active", "(").await;
    css(&c, ".hit-link").await;
    // The chart batch is left for the clerk's split fix below, so its documents must not be
    // the one put on hold: open the first result outside it.
    let mut link = None;
    for l in c.find_all(Locator::Css(".hit-link")).await.unwrap() {
        let href = l.attr("href").await.unwrap().unwrap_or_default();
        if !chart_docs.iter().any(|d| href.contains(d.as_str())) {
            link = Some(l);
            break;
        }
    }
    let link = link.expect("a discharge summary outside the chart batch");

    // Open it: the page image with the hit boxed on it.
    link.click().await.unwrap();
    let img = css(&c, "#page-frame img").await;
    let start = Instant::now();
    loop {
        let loaded = c
            .execute(
                "return arguments[0].complete && arguments[0].naturalWidth > 0",
                vec![serde_json::to_value(&img).unwrap()],
            )
            .await
            .unwrap();
        if loaded == serde_json::Value::Bool(true) {
            break;
        }
        assert!(start.elapsed() < WAIT, "the page image did not load");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let hit = css(&c, "#page-frame .hit-box").await;
    let (hx, hy, w, h) = hit.rectangle().await.unwrap();
    let (ix, iy, iw, ih) = img.rectangle().await.unwrap();
    assert!(w > 2.0 && h > 2.0, "hit box is {w}x{h}");
    assert!(
        hx >= ix && hy >= iy && hx + w <= ix + iw + 1.0 && hy + h <= iy + ih + 1.0,
        "hit box ({hx},{hy} {w}x{h}) is not on the page image ({ix},{iy} {iw}x{ih})"
    );
    let title = hit.attr("title").await.unwrap().unwrap_or_default();
    assert!(
        title.to_lowercase().contains("discharge"),
        "boxed word is {title:?}"
    );
    let marked = text_of(&c, "#ocr-text mark", "").await;
    assert!(
        marked.to_lowercase().contains("discharge"),
        "OCR text marks {marked:?}"
    );
    step(&c, "2-document").await;
    // Match after match, then the end of the document is said.
    css(&c, "#hit-next").await.click().await.unwrap();
    text_of(&c, "#flash", "Match 1 of").await;
    let mut said = String::new();
    for _ in 0..40 {
        css(&c, "#hit-next").await.click().await.unwrap();
        said = css(&c, "#flash").await.text().await.unwrap();
        if said.contains("No more matches") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(said.contains("No more matches"), "{said}");

    // Place a legal hold on it; reopening shows the document on hold.
    css(&c, "#hold-matter")
        .await
        .send_keys("Doe v. General Hospital")
        .await
        .unwrap();
    css(&c, "#hold-reason")
        .await
        .send_keys("litigation notice")
        .await
        .unwrap();
    css(&c, "#hold-submit").await.click().await.unwrap();
    text_of(&c, "#hold-result", "placed").await;
    c.refresh().await.unwrap();
    text_of(&c, "#retention-status", "on hold").await;
    step(&c, "3-hold").await;
    css(&c, "#nav-retention").await.click().await.unwrap();
    text_of(&c, "#holds", "Doe v. General Hospital").await;
    step(&c, "4-retention-desk").await;

    // Log out; a viewer is refused the retention desk.
    css(&c, "#logout").await.click().await.unwrap();
    css(&c, "#login-user").await;
    log_in(&c, &base, "reader").await;
    // The desk is not offered to a viewer, and typing its address does not open it.
    assert!(c.find(Locator::Css("#nav-retention")).await.is_err());
    c.goto(&format!("{base}/#/retention")).await.unwrap();
    text_of(
        &c,
        "#denied",
        "You do not have access to the retention desk",
    )
    .await;
    assert!(c.find(Locator::Css("#holds")).await.is_err());
    step(&c, "5-viewer-denied").await;

    // A clerk fixes a split in the QA form: merge the second document of the chart batch
    // into the first, then split it again where it began.
    css(&c, "#logout").await.click().await.unwrap();
    css(&c, "#login-user").await;
    log_in(&c, &base, "clerk").await;
    let second = chart_docs[1].clone();
    c.goto(&format!("{base}/#/doc/{second}")).await.unwrap();
    css(&c, "#merge-previous").await.click().await.unwrap();
    c.accept_alert().await.unwrap();
    let merged = text_of(&c, "#flash", "Merged").await;
    assert!(merged.contains(&chart_docs[0]), "{merged}");
    css(&c, "#split-page")
        .await
        .select_by_index(0)
        .await
        .unwrap();
    // A split is shown before it is made: which pages go where.
    css(&c, "#split-submit").await.click().await.unwrap();
    text_of(&c, "#split-preview", "become a new document").await;
    step(&c, "6-split-preview").await;
    css(&c, "#split-confirm").await.click().await.unwrap();
    let split = text_of(&c, "#flash", "Split into").await;
    assert!(
        split.contains(&second),
        "the split-off document keeps its id: {split}"
    );
    step(&c, "6-split-fixed").await;
    // And undone at once: the documents are one again, then split again as they were.
    css(&c, "#undo-regroup").await.click().await.unwrap();
    text_of(&c, "#flash", "Undo the split: done").await;
    css(&c, "#split-submit").await.click().await.unwrap();
    css(&c, "#split-confirm").await.click().await.unwrap();
    text_of(&c, "#flash", "Split into").await;

    // The QA form shows each document's own type (the list comes from the server), and
    // Save without changes changes nothing: a consent form, an H&P or an ED report never
    // turns into the first entry of the list.
    let before = common::export(&archive);
    for d in common::of_kind(&before, "document") {
        let id = d["doc_id"].as_str().unwrap();
        let t = d["doc_type"].as_str().unwrap();
        c.goto(&format!("{base}/#/doc/{id}")).await.unwrap();
        // The view of this document, not the one before it still on screen.
        text_of(&c, "div.meta", &format!("Document {id}")).await;
        css(&c, "#fix-type").await;
        text_of(&c, "#page-frame", "").await;
        let shown = c
            .execute("return document.getElementById('fix-type').value", vec![])
            .await
            .unwrap();
        assert_eq!(
            shown,
            serde_json::json!(t),
            "the QA form of {id} shows its type"
        );
        css(&c, "#fix-save").await.click().await.unwrap();
        text_of(&c, "#fix-result", "Nothing changed").await;
    }
    step(&c, "7-qa-save-unchanged").await;
    let after = common::export(&archive);
    let types = |lines: &[serde_json::Value]| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = common::of_kind(lines, "document")
            .iter()
            .map(|d| (d["doc_id"].to_string(), d["doc_type"].to_string()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        types(&before),
        types(&after),
        "Save without changes changed a type"
    );
    c.close().await.unwrap();

    // The archive agrees, and the audit log names the browser's users.
    let after: Vec<String> = common::of_kind(&common::export(&archive), "document")
        .iter()
        .filter(|d| d["source"]["path"] == "chart_with_separators.tif")
        .map(|d| d["doc_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(after.len(), 2);
    let audit = common::run(&archive, &["audit", "verify"]);
    assert!(audit.status.success(), "{}", common::stdout(&audit));
    let list = common::stdout(&common::run(&archive, &["audit", "list", "--limit", "500"]));
    for (user, action) in [
        ("officer", "hold_place"),
        ("officer", "search"),
        ("reader", "login"),
        ("clerk", "merge_documents"),
        ("clerk", "split_document"),
    ] {
        assert!(
            list.lines().any(|l| l.contains(user) && l.contains(action)),
            "no {action} by {user} in the audit log"
        );
    }
}
