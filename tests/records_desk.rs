//! The records desk's questions, over real HTTP and the command line: who looked at this
//! patient's chart (by patient, user and days, page by page, as CSV), and accounts changed
//! on purpose (adding never overwrites; role, password, disable and enable are their own
//! audited steps).

mod common;

use common::server::{add_user, Server};
use serde_json::{json, Value};

const PW: &str = "correct-horse-battery";

fn archive_with_users() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    common::ingest_samples(&archive);
    for role in ["viewer", "clerk", "admin"] {
        add_user(&archive, role, role, PW);
    }
    add_user(&archive, "admin2", "admin", PW);
    (dir, archive)
}

fn entries(v: &Value) -> Vec<Value> {
    v["entries"].as_array().unwrap().clone()
}

#[test]
fn the_audit_log_answers_who_looked_at_a_patient() {
    let (_dir, archive) = archive_with_users();
    let server = Server::start(&archive, &[]);
    let viewer = server.login("viewer", PW);
    let hits = viewer.get("/api/v1/search?q=patient&limit=50").json();
    let hits = hits["hits"].as_array().unwrap().clone();
    let mine = hits.iter().find(|h| h["mrn"].is_string()).unwrap().clone();
    let mrn = mine["mrn"].as_str().unwrap().to_string();
    let doc = mine["doc_id"].as_str().unwrap().to_string();
    let other = hits
        .iter()
        .find(|h| h["mrn"].is_string() && h["mrn"] != mine["mrn"])
        .expect("a second patient in the samples")
        .clone();
    let other_doc = other["doc_id"].as_str().unwrap().to_string();
    assert_eq!(viewer.get(&format!("/api/v1/documents/{doc}")).status, 200);
    assert_eq!(
        viewer.get(&format!("/api/v1/documents/{other_doc}")).status,
        200
    );

    // Looking the patient up by name counts as looking at them too (the lookup records whom
    // it showed, by keyed tag).
    if let Some(name) = mine["patient_name"].as_str() {
        let word = name
            .split(|c: char| !c.is_alphanumeric())
            .find(|w| w.len() > 2)
            .unwrap();
        let r = viewer.get(&format!("/api/v1/patients?name={word}"));
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let admin = server.login("admin", PW);
    let r = admin.get(&format!("/api/v1/audit?mrn={mrn}&limit=1000"));
    assert_eq!(r.status, 200, "{}", r.text());
    let found = entries(&r.json());
    let view = found
        .iter()
        .find(|e| e["action"] == "view" && e["subject"] == doc.as_str())
        .unwrap_or_else(|| panic!("the viewer's look at {doc}: {found:?}"));
    assert_eq!(view["user"], "viewer");
    // The subject in words: the document and its patient, not a bare id.
    let label = view["subject_label"].as_str().unwrap();
    assert!(label.contains(&mrn), "{label}");
    if let Some(name) = mine["patient_name"].as_str() {
        assert!(label.contains(name), "{label}");
    }
    if mine["patient_name"].is_string() {
        assert!(
            found.iter().any(|e| e["action"] == "patient_lookup"),
            "{found:?}"
        );
    }
    // The search that listed the document counts too; the other patient's view does not.
    assert!(found.iter().any(|e| e["action"] == "search"), "{found:?}");
    assert!(
        !found.iter().any(|e| e["subject"] == other_doc.as_str()),
        "{found:?}"
    );

    // Days: nothing happened tomorrow; the whole of today holds the view.
    let today = chrono::Utc::now().date_naive();
    let tomorrow = today.succ_opt().unwrap();
    let r = admin.get(&format!("/api/v1/audit?mrn={mrn}&from={tomorrow}"));
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(entries(&r.json()).is_empty(), "{}", r.text());
    let r = admin.get(&format!(
        "/api/v1/audit?mrn={mrn}&user=viewer&from={today}&to={today}"
    ));
    assert!(entries(&r.json())
        .iter()
        .any(|e| e["subject"] == doc.as_str()));

    // Page by page, newest last within a page; `older` reads the page before.
    let first = admin.get("/api/v1/audit?user=viewer&limit=1").json();
    let before = first["older"].as_i64().expect("an older page");
    let page = admin
        .get(&format!(
            "/api/v1/audit?user=viewer&limit=1&before={before}"
        ))
        .json();
    let (a, b) = (&entries(&first)[0], &entries(&page)[0]);
    assert!(b["seq"].as_i64() < a["seq"].as_i64(), "{a} {b}");

    // Bad filters are refused with a reason.
    for q in [
        "from=2026-13-01",
        "from=2026-02-02&to=2026-02-01",
        "limit=0",
    ] {
        let r = admin.get(&format!("/api/v1/audit?{q}"));
        assert_eq!(r.status, 400, "{q}: {}", r.text());
    }

    // The CSV file: a header and one line per entry; taking it away is audited.
    let r = admin.get(&format!("/api/v1/audit/export?mrn={mrn}&limit=1000"));
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.header("content-type").unwrap().starts_with("text/csv"));
    assert!(r
        .header("content-disposition")
        .unwrap()
        .contains("attachment"));
    let csv = r.text();
    assert!(csv.starts_with("seq,at,user,action,subject,subject_label,detail,hash\r\n"));
    assert!(csv.contains(&format!("\"{doc}\"")), "{csv}");
    let log = admin.get("/api/v1/audit?user=admin&limit=1000").json();
    let actions: Vec<String> = entries(&log)
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert!(actions.contains(&"audit_export".to_string()), "{actions:?}");
    assert!(actions.contains(&"audit_search".to_string()), "{actions:?}");
    // A viewer may not read the log.
    assert_eq!(viewer.get("/api/v1/audit").status, 403);
    drop(server);

    // The command line answers the same question.
    let o = common::run(
        &archive,
        &["audit", "list", "--mrn", &mrn, "--by", "viewer"],
    );
    assert!(o.status.success(), "{}", common::stderr(&o));
    let out = common::stdout(&o);
    assert!(
        out.lines()
            .any(|l| l.contains(" view ") && l.contains(&doc)),
        "{out}"
    );
    let o = common::run(&archive, &["audit", "list", "--mrn", &mrn, "--csv"]);
    assert!(common::stdout(&o).starts_with("seq,at,user,action"));
    let o = common::run(&archive, &["audit", "verify"]);
    assert!(o.status.success(), "{}", common::stdout(&o));
}

#[test]
fn accounts_are_changed_on_purpose_never_by_adding_again() {
    let (_dir, archive) = archive_with_users();
    let server = Server::start(&archive, &[]);
    let admin = server.login("admin", PW);
    // Adding a taken name is refused and changes nothing.
    let r = admin.send(
        "POST",
        "/api/v1/users",
        &json!({"username": "viewer", "role": "admin", "password": "another-password-1"}),
    );
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("exists already"), "{}", r.text());
    let viewer = server.login("viewer", PW);
    assert_eq!(viewer.get("/api/v1/session").json()["role"], "viewer");

    // A new role: the user's sessions end, and the next login has it.
    let r = admin.send(
        "POST",
        "/api/v1/users/viewer/role",
        &json!({"role": "clerk"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(viewer.get("/api/v1/session").status, 401);
    let again = server.login("viewer", PW);
    assert_eq!(again.get("/api/v1/session").json()["role"], "clerk");
    let r = admin.send(
        "POST",
        "/api/v1/users/viewer/role",
        &json!({"role": "boss"}),
    );
    assert_eq!(r.status, 400, "{}", r.text());

    // A reset password: the old one no longer works.
    let r = admin.send(
        "POST",
        "/api/v1/users/viewer/password",
        &json!({"password": "a-fresh-password-2"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let login = |user: &str, pw: &str| {
        server
            .request(
                "POST",
                "/api/v1/session",
                &[("Content-Type", "application/json")],
                json!({"username": user, "password": pw})
                    .to_string()
                    .as_bytes(),
            )
            .status
    };
    assert_eq!(login("viewer", PW), 401);
    assert_eq!(login("viewer", "a-fresh-password-2"), 200);
    let r = admin.send(
        "POST",
        "/api/v1/users/viewer/password",
        &json!({"password": "short"}),
    );
    assert_eq!(r.status, 400, "{}", r.text());

    // Disable and enable; never one's own account.
    let r = admin.send("POST", "/api/v1/users/viewer/disable", &json!({}));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(login("viewer", "a-fresh-password-2"), 401);
    let r = admin.send("POST", "/api/v1/users/viewer/enable", &json!({}));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(login("viewer", "a-fresh-password-2"), 200);
    for path in ["disable", "role"] {
        let r = admin.send(
            "POST",
            &format!("/api/v1/users/admin/{path}"),
            &json!({"role": "viewer"}),
        );
        assert_eq!(r.status, 409, "{}", r.text());
        assert!(r.text().contains("another administrator"), "{}", r.text());
    }
    let r = admin.send("POST", "/api/v1/users/nobody/disable", &json!({}));
    assert_eq!(r.status, 404, "{}", r.text());

    // Each change is in the log with who made it.
    let log = admin
        .get("/api/v1/audit?action=user_update&limit=100")
        .json();
    let changes: Vec<Value> = entries(&log);
    assert_eq!(changes.len(), 3, "{changes:?}");
    assert!(changes
        .iter()
        .all(|e| e["user"] == "admin" && e["subject"] == "viewer"));
    assert!(!log.to_string().contains("a-fresh-password-2"));
    drop(server);

    // The command line: add refuses a taken name; the account that runs it is named even
    // where the environment names no user.
    let o = common::command(&archive)
        .args(["user", "add", "viewer", "--role", "admin"])
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
    assert!(!o.status.success());
    assert!(
        common::stderr(&o).contains("exists already"),
        "{}",
        common::stderr(&o)
    );
    let o = common::bin()
        .env_remove("USER")
        .env_remove("LOGNAME")
        .args(["--archive", archive.to_str().unwrap()])
        .args(["user", "set-role", "viewer", "--role", "viewer"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::stderr(&o));
    let o = common::run(&archive, &["audit", "list", "--action", "user_update"]);
    let last = common::stdout(&o).lines().last().unwrap_or("").to_string();
    assert!(!last.contains(" unknown "), "{last}");
}

#[test]
fn staff_find_a_patient_by_name_and_date_of_birth() {
    let (_dir, archive) = archive_with_users();
    let server = Server::start(&archive, &[]);
    let viewer = server.login("viewer", PW);
    // A patient the samples hold, with name and date of birth read.
    let docs = common::of_kind(&common::export(&archive), "document")
        .into_iter()
        .filter(|d| d["patient"]["name"].is_string() && d["patient"]["dob"].is_string())
        .cloned()
        .collect::<Vec<_>>();
    let p = &docs[0]["patient"];
    let (mrn, name, dob) = (
        p["mrn"].as_str().unwrap(),
        p["name"].as_str().unwrap(),
        p["dob"].as_str().unwrap(),
    );
    // The words of the name in another order and case, without the comma.
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 1)
        .map(str::to_lowercase)
        .rev()
        .collect();
    let typed = words.join(" ");
    for q in [
        format!("name={}", typed.replace(' ', "+")),
        format!("dob={dob}"),
        format!("name={}&dob={dob}", typed.replace(' ', "+")),
    ] {
        let r = viewer.get(&format!("/api/v1/patients?{q}"));
        assert_eq!(r.status, 200, "{q}: {}", r.text());
        let found = r.json()["patients"].as_array().unwrap().clone();
        let hit = found
            .iter()
            .find(|x| x["mrn"] == mrn)
            .unwrap_or_else(|| panic!("{q}: {found:?}"));
        assert_eq!(hit["dob"], dob);
        assert!(hit["documents"].as_u64().unwrap() >= 1);
    }
    // Another date of birth finds nobody by that name.
    let r = viewer.get(&format!(
        "/api/v1/patients?name={}&dob=1900-01-01",
        typed.replace(' ', "+")
    ));
    assert_eq!(r.json()["patients"], json!([]), "{}", r.text());
    for q in ["", "name=", "dob=1990-02-30", "name=%2C%2C"] {
        let r = viewer.get(&format!("/api/v1/patients?{q}"));
        assert_eq!(r.status, 400, "{q}: {}", r.text());
    }
    // The patient view names the date of birth; an unknown MRN says so.
    let r = viewer
        .get(&format!("/api/v1/patients/{mrn}/documents"))
        .json();
    assert!(r["dobs"].as_array().unwrap().contains(&json!(dob)), "{r}");
    assert_eq!(r["dob"], r["dobs"][0]);
    let r = viewer.get("/api/v1/patients/00000000/documents").json();
    assert_eq!(r["total"], 0);
    // The lookups are audited, never with what was typed.
    let admin = server.login("admin", PW);
    let log = admin
        .get("/api/v1/audit?action=patient_lookup&limit=100")
        .json();
    assert_eq!(entries(&log).len(), 4, "{log}");
    assert!(!log.to_string().to_lowercase().contains(&words[0]), "{log}");
}

#[test]
fn a_release_says_who_asked_on_what_basis_and_for_which_patient() {
    let (_dir, archive) = archive_with_users();
    let server = Server::start(&archive, &[]);
    let clerk = server.login("clerk", PW);
    let docs = common::of_kind(&common::export(&archive), "document")
        .into_iter()
        .filter(|d| d["patient"]["mrn"].is_string())
        .cloned()
        .collect::<Vec<_>>();
    let a = &docs[0];
    let b = docs
        .iter()
        .find(|d| d["patient"]["mrn"] != a["patient"]["mrn"])
        .expect("two patients in the samples");
    let (a_id, b_id) = (a["doc_id"].as_str().unwrap(), b["doc_id"].as_str().unwrap());
    let base = json!({"doc_ids": [a_id], "requester": "Jane Roe, attorney", "recipient": "Roe & Partners",
        "purpose": "personal injury claim", "basis": "authorization"});
    let with = |extra: Value| {
        let mut v = base.clone();
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        clerk.send("POST", "/api/v1/releases", &v)
    };
    let today = chrono::Utc::now().date_naive();
    let cases = [
        (json!({}), 409, "on file"),
        (json!({"authorization_on_file": true}), 400, "expiry"),
        (
            json!({"authorization_on_file": true, "authorization_expires": "2001-01-01"}),
            409,
            "expired on 2001-01-01",
        ),
        (json!({"basis": "gossip"}), 400, "basis must be one of"),
        (json!({"requester": " "}), 400, "requester"),
        (
            json!({"basis": "legal", "authorization_on_file": false}),
            409,
            "on file",
        ),
        (
            json!({"basis": "treatment", "doc_ids": [a_id, b_id]}),
            409,
            "2 different patients",
        ),
    ];
    for (extra, status, says) in cases {
        let r = with(extra.clone());
        assert_eq!(r.status, status, "{extra}: {}", r.text());
        assert!(r.text().contains(says), "{extra}: {}", r.text());
    }
    let expires = today.succ_opt().unwrap().to_string();
    let r = with(json!({"authorization_on_file": true, "authorization_expires": expires}));
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.header("x-disclosure-id").unwrap().to_string();
    let cover = lopdf::Document::load_mem(&r.body)
        .unwrap()
        .extract_text(&[1])
        .unwrap();
    for want in ["Jane Roe", &expires, a["patient"]["mrn"].as_str().unwrap()] {
        assert!(cover.contains(want), "{want}: {cover}");
    }
    let d = clerk.get(&format!("/api/v1/releases/{id}")).json();
    assert_eq!(d["requester"], "Jane Roe, attorney");
    assert_eq!(d["basis"], "authorization");
    assert_eq!(d["authorization_expires"], expires.as_str());
    // Two patients in one release only when the clerk says so; the cover names both.
    let r = with(json!({"basis": "treatment", "doc_ids": [a_id, b_id], "several_patients": true}));
    assert_eq!(r.status, 200, "{}", r.text());
    let cover = lopdf::Document::load_mem(&r.body)
        .unwrap()
        .extract_text(&[1])
        .unwrap();
    for d in [a, b] {
        let mrn = d["patient"]["mrn"].as_str().unwrap();
        assert!(cover.contains(mrn), "{mrn}: {cover}");
    }
    // A correction after the release: the same PDF can no longer be built, and says why.
    let r = clerk.send(
        "PATCH",
        &format!("/api/v1/documents/{a_id}"),
        &json!({"patient": {"name": "CORRECTED, NAME"}}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let r = clerk.get(&format!("/api/v1/releases/{id}/pdf"));
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("changed since"), "{}", r.text());
}

#[test]
fn a_page_turned_by_a_clerk_is_read_again_from_the_original() {
    let (_dir, archive) = archive_with_users();
    let server = Server::start(&archive, &[]);
    let clerk = server.login("clerk", PW);
    let hits = clerk.get("/api/v1/search?q=discharge").json();
    let doc = hits["hits"][0]["doc_id"].as_str().unwrap().to_string();
    let page = hits["hits"][0]["pages"][0].as_u64().unwrap();
    let url = format!("/api/v1/documents/{doc}/pages/{page}");
    let before = clerk.get(&url).json();
    let image_before = clerk.get(&format!("{url}/image")).body;
    // Upside down: the reading is garbage, and says so.
    let r = clerk.send("POST", &format!("{url}/turn"), &json!({"turn": 180}));
    assert_eq!(r.status, 200, "{}", r.text());
    let t = r.json();
    assert!(
        t["confidence_after"].as_f64().unwrap() < t["confidence_before"].as_f64().unwrap() - 20.0,
        "{t}"
    );
    let turned = clerk.get(&url).json();
    assert_ne!(turned["text"], before["text"]);
    assert_ne!(clerk.get(&format!("{url}/image")).body, image_before);
    // Turned back: the page reads as it did, and search finds it by its words again.
    let r = clerk.send("POST", &format!("{url}/turn"), &json!({"turn": 180}));
    assert_eq!(r.status, 200, "{}", r.text());
    let back = clerk.get(&url).json();
    let (a, b) = (
        before["ocr_confidence"].as_f64().unwrap(),
        back["ocr_confidence"].as_f64().unwrap(),
    );
    assert!((a - b).abs() < 3.0, "{a} vs {b}");
    assert!(back["text"]
        .as_str()
        .unwrap()
        .to_uppercase()
        .contains("DISCHARGE"));
    let found = clerk.get("/api/v1/search?q=discharge").json();
    assert!(found["hits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["doc_id"] == doc.as_str()));
    // A quarter turn right: the page lies on its side (width and height swap), and a
    // quarter turn left brings it back.
    let upright = clerk.get(&format!("{url}/image")).body;
    let r = clerk.send("POST", &format!("{url}/turn"), &json!({"turn": 90}));
    assert_eq!(r.status, 200, "{}", r.text());
    let side = clerk.get(&url).json();
    // Turned clockwise, as the person sees it: the new image is the old one turned right,
    // not left.
    let turned = clerk.get(&format!("{url}/image")).body;
    let (right, left) = (
        image_distance(&upright, &turned, image::imageops::rotate90),
        image_distance(&upright, &turned, image::imageops::rotate270),
    );
    assert!(
        right * 2.0 < left,
        "turned right differs by {right}, left by {left}"
    );
    assert_eq!(side["width_px"], back["height_px"], "{side}");
    assert_eq!(side["height_px"], back["width_px"], "{side}");
    let r = clerk.send("POST", &format!("{url}/turn"), &json!({"turn": 270}));
    assert_eq!(r.status, 200, "{}", r.text());
    let again = clerk.get(&url).json();
    assert_eq!(again["width_px"], back["width_px"]);
    assert!(
        (again["ocr_confidence"].as_f64().unwrap() - a).abs() < 3.0,
        "{again}"
    );
    // Refused: other angles, pages of other documents; viewers may not turn pages.
    let r = clerk.send("POST", &format!("{url}/turn"), &json!({"turn": 45}));
    assert_eq!(r.status, 400, "{}", r.text());
    let r = clerk.send(
        "POST",
        &format!("/api/v1/documents/{doc}/pages/999/turn"),
        &json!({"turn": 90}),
    );
    assert_eq!(r.status, 404, "{}", r.text());
    let viewer = server.login("viewer", PW);
    let r = viewer.send("POST", &format!("{url}/turn"), &json!({"turn": 90}));
    assert_eq!(r.status, 403, "{}", r.text());
    // A document on legal hold keeps its pages as they are.
    let admin = server.login("admin", PW);
    let r = admin.send(
        "POST",
        "/api/v1/holds",
        &json!({"matter": "m", "reason": "r", "scope": {"kind": "document", "doc_id": doc}}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let r = clerk.send("POST", &format!("{url}/turn"), &json!({"turn": 90}));
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("legal hold"), "{}", r.text());
    // Each turn is audited with its confidences.
    let log = admin.get("/api/v1/audit?action=rotate_page").json();
    assert_eq!(entries(&log).len(), 4, "{log}");
    assert!(entries(&log)[0]["detail"]["confidence_before"].is_number());
    drop(server);
    let o = common::run(&archive, &["verify"]);
    assert!(o.status.success(), "{}", common::stdout(&o));
}

#[test]
fn a_document_downloads_as_its_own_pages_only() {
    let (_dir, archive) = archive_with_users();
    let server = Server::start(&archive, &[]);
    let viewer = server.login("viewer", PW);
    // A document whose scan holds other documents (the chart batch with separators).
    let docs = common::of_kind(&common::export(&archive), "document")
        .into_iter()
        .filter(|d| d["source"]["path"] == "chart_with_separators.tif")
        .cloned()
        .collect::<Vec<_>>();
    assert!(docs.len() > 1);
    let d = &docs[0];
    let id = d["doc_id"].as_str().unwrap();
    let r = viewer.get(&format!("/api/v1/documents/{id}/pdf"));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/pdf"));
    let pdf = lopdf::Document::load_mem(&r.body).unwrap();
    assert_eq!(
        pdf.get_pages().len(),
        d["pages"].as_array().unwrap().len(),
        "only this document's pages"
    );
    // Searchable: the page's words are in the file.
    let text = pdf.extract_text(&[1]).unwrap();
    assert!(!text.trim().is_empty(), "no text layer");
    let admin = server.login("admin", PW);
    let log = admin.get("/api/v1/audit?action=download_pdf").json();
    assert_eq!(entries(&log).len(), 1, "{log}");
    assert_eq!(entries(&log)[0]["user"], "viewer");
}

#[test]
fn saved_searches_are_each_users_own_and_sealed() {
    let (dir, archive) = archive_with_users();
    let server = Server::start(&archive, &[]);
    let viewer = server.login("viewer", PW);
    let q = "q=pneumothorax&type=discharge_summary";
    let r = viewer.send(
        "POST",
        "/api/v1/saved-searches",
        &json!({"name": "chest", "query": q}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    // The same name replaces it; a query that is no search is refused.
    let r = viewer.send(
        "POST",
        "/api/v1/saved-searches",
        &json!({"name": "chest", "query": "q=pneumothorax"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let list = viewer.get("/api/v1/saved-searches").json();
    assert_eq!(list["saved"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["saved"][0]["query"], "q=pneumothorax");
    for bad in [
        json!({"name": "x", "query": "limit=0"}),
        json!({"name": "", "query": "q=a"}),
        json!({"name": "x", "query": "from=2020-13-01"}),
    ] {
        let r = viewer.send("POST", "/api/v1/saved-searches", &bad);
        assert_eq!(r.status, 400, "{bad}: {}", r.text());
    }
    // Another user sees none of them and cannot delete them.
    let clerk = server.login("clerk", PW);
    assert_eq!(
        clerk.get("/api/v1/saved-searches").json()["saved"],
        json!([])
    );
    let r = clerk.send(
        "DELETE",
        &format!("/api/v1/saved-searches/{id}"),
        &json!({}),
    );
    assert_eq!(r.status, 404, "{}", r.text());
    // The words are not in the catalog as text.
    drop(server);
    assert!(
        common::files_containing(dir.path(), b"pneumothorax")
            .iter()
            .all(|f| !f.contains("catalog")),
        "{:?}",
        common::files_containing(dir.path(), b"pneumothorax")
    );
    let server = Server::start(&archive, &[]);
    let viewer = server.login("viewer", PW);
    let r = viewer.send(
        "DELETE",
        &format!("/api/v1/saved-searches/{id}"),
        &json!({}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        viewer.get("/api/v1/saved-searches").json()["saved"],
        json!([])
    );
}

/// Mean grey difference between `after` and `before` turned by `turn`, both shrunk to a
/// small common size (the images come from different resolutions).
fn image_distance(
    before: &[u8],
    after: &[u8],
    turn: fn(&image::GrayImage) -> image::GrayImage,
) -> f64 {
    let small = |bytes: &[u8]| image::load_from_memory(bytes).unwrap().into_luma8();
    let (b, a) = (turn(&small(before)), small(after));
    let size = |img: &image::GrayImage| {
        image::imageops::resize(img, 60, 80, image::imageops::FilterType::Triangle)
    };
    let (b, a) = (size(&b), size(&a));
    b.pixels()
        .zip(a.pixels())
        .map(|(x, y)| (x.0[0] as f64 - y.0[0] as f64).abs())
        .sum::<f64>()
        / (60.0 * 80.0)
}

#[test]
fn a_page_moves_to_another_document_of_its_scan_and_back() {
    let (_dir, archive) = archive_with_users();
    let server = Server::start(&archive, &[]);
    let clerk = server.login("clerk", PW);
    let chart = |lines: &[Value]| -> Vec<(String, Vec<u64>)> {
        let mut v: Vec<(String, Vec<u64>)> = common::of_kind(lines, "document")
            .into_iter()
            .filter(|d| d["source"]["path"] == "chart_with_separators.tif")
            .map(|d| {
                let pages = d["pages"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["source_page"].as_u64().unwrap())
                    .collect();
                (d["doc_id"].as_str().unwrap().to_string(), pages)
            })
            .collect();
        v.sort_by_key(|(_, p)| p[0]);
        v
    };
    // The chart batch: two one-page documents (a separator sheet between them).
    let before = chart(&common::export(&archive));
    assert_eq!(before.len(), 2, "{before:?}");
    let (a, b) = (before[0].clone(), before[1].clone());
    let moved = b.1[0];
    // The document view lists where a page may go.
    let d = clerk.get(&format!("/api/v1/documents/{}", b.0)).json();
    assert_eq!(d["scan_documents"].as_array().unwrap().len(), 2, "{d}");
    // The second document's page joins the first; left without pages, it is merged away.
    let r = clerk.send(
        "POST",
        &format!("/api/v1/documents/{}/pages/{moved}/move", b.0),
        &json!({"to": a.0}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["removed"], b.0.as_str(), "{}", r.text());
    drop(server);
    let mut joined = a.1.clone();
    joined.push(moved);
    assert_eq!(
        chart(&common::export(&archive)),
        vec![(a.0.clone(), joined)]
    );
    // Split again where it was: the documents are as they were (the same ids).
    let o = common::run(
        &archive,
        &[
            "review",
            "split",
            &a.0,
            "--at-page",
            &moved.to_string(),
            "--user",
            "jdoe",
        ],
    );
    assert!(o.status.success(), "{}", common::stderr(&o));
    assert_eq!(chart(&common::export(&archive)), before);
    // A page never goes to another scan's document.
    let other_scan = common::of_kind(&common::export(&archive), "document")
        .into_iter()
        .find(|d| d["source"]["path"] != "chart_with_separators.tif")
        .unwrap()["doc_id"]
        .as_str()
        .unwrap()
        .to_string();
    let o = common::run(
        &archive,
        &[
            "review",
            "move",
            &a.0,
            "--page",
            &a.1[0].to_string(),
            "--to",
            &other_scan,
            "--user",
            "jdoe",
        ],
    );
    assert!(!o.status.success());
    assert!(
        common::stderr(&o).contains("same scan"),
        "{}",
        common::stderr(&o)
    );
    assert_eq!(chart(&common::export(&archive)), before);
    let o = common::run(&archive, &["audit", "list", "--action", "move_page"]);
    assert_eq!(
        common::stdout(&o).lines().count(),
        1,
        "{}",
        common::stdout(&o)
    );
    let o = common::run(&archive, &["verify"]);
    assert!(o.status.success(), "{}", common::stdout(&o));
}
