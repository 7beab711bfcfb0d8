//! The web service over real HTTP: a `chartvault serve` on 127.0.0.1:0 in front of an
//! archive of the sample scans.

mod common;

use common::server::{add_user, wait_for, Server, Session};
use serde_json::{json, Value};

const PW: &str = "correct-horse-battery";
const ROLES: [&str; 5] = ["viewer", "clerk", "retention_officer", "approver", "admin"];

fn archive_with_users() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    common::ingest_samples(&archive);
    for role in ROLES {
        add_user(&archive, role, role, PW);
    }
    add_user(&archive, "approver2", "approver", PW);
    (dir, archive)
}

/// `POST /api/v1/purge-jobs/{job}/approve` as the session's user.
fn approve_job(s: &Session, job: &str) -> common::server::Resp {
    s.send(
        "POST",
        &format!("/api/v1/purge-jobs/{job}/approve"),
        &json!({}),
    )
}

fn discharge_doc(s: &Session) -> (String, String) {
    let r = s.get("/api/v1/search?q=discharge&type=discharge_summary&facets=true");
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert!(v["total"].as_u64().unwrap() >= 1);
    assert!(v["facets"]["doc_type"].is_array());
    let hit = &v["hits"][0];
    assert!(!hit["highlights"].as_array().unwrap().is_empty());
    (
        hit["doc_id"].as_str().unwrap().to_string(),
        hit["mrn"].as_str().unwrap().to_string(),
    )
}

#[test]
fn search_view_download_release_and_accounting() {
    let (_dir, archive) = archive_with_users();
    let server = Server::start(&archive, &[]);
    assert_eq!(
        server.request("GET", "/api/v1/search?q=x", &[], b"").status,
        401
    );
    let clerk = server.login("clerk", PW);
    let (doc, mrn) = discharge_doc(&clerk);

    let d = clerk.get(&format!("/api/v1/documents/{doc}"));
    assert_eq!(d.status, 200, "{}", d.text());
    let d = d.json();
    assert_eq!(d["doc_type"], "discharge_summary");
    assert_eq!(d["patient"]["mrn"], mrn.as_str());
    let page_no = d["pages"][0]["page_no"].as_u64().unwrap();

    // Hits on the page come with word boxes.
    let p = clerk
        .get(&format!(
            "/api/v1/documents/{doc}/pages/{page_no}?q=discharge"
        ))
        .json();
    let hits = p["hits"].as_array().unwrap();
    assert!(!hits.is_empty(), "no hit boxes: {p}");
    let w = &p["words"][hits[0].as_u64().unwrap() as usize];
    assert!(w["text"]
        .as_str()
        .unwrap()
        .to_lowercase()
        .contains("discharge"));
    assert!(w["width"].as_u64().unwrap() > 0);
    assert!(p["width_px"].as_u64().unwrap() > 0);

    let img = clerk.get(&format!("/api/v1/documents/{doc}/pages/{page_no}/image"));
    assert_eq!(img.status, 200);
    assert_eq!(img.header("content-type"), Some("image/jpeg"));
    assert!(img.body.starts_with(&[0xFF, 0xD8]));
    let thumb = clerk.get(&format!(
        "/api/v1/documents/{doc}/pages/{page_no}/thumbnail"
    ));
    assert_eq!(thumb.status, 200);
    assert!(thumb.body.len() < img.body.len());
    let orig = clerk.get(&format!("/api/v1/documents/{doc}/original"));
    assert_eq!(orig.status, 200);
    assert!(orig
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment"));
    let text = clerk.get(&format!("/api/v1/documents/{doc}/text")).json();
    assert!(text["pages"][0]["text"]
        .as_str()
        .unwrap()
        .contains("DISCHARGE"));
    assert_eq!(
        clerk
            .get(&format!("/api/v1/documents/{doc}/pages/99"))
            .status,
        404
    );

    let patient = clerk
        .get(&format!("/api/v1/patients/{mrn}/documents"))
        .json();
    assert!(patient["documents"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["doc_id"] == doc.as_str()));

    // Release of information: a searchable PDF, recorded as a disclosure.
    let r = clerk.send(
        "POST",
        "/api/v1/releases",
        &json!({"doc_ids": [doc], "requester": "Lakeside Clinic", "recipient": "Dr. Jane Lee, Lakeside Clinic", "purpose": "continuity of care", "basis": "treatment"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/pdf"));
    assert!(r.body.starts_with(b"%PDF-"));
    let disclosure = r.header("x-disclosure-id").unwrap().to_string();
    let pdf = lopdf::Document::load_mem(&r.body).unwrap();
    assert_eq!(
        pdf.get_pages().len(),
        1 + d["pages"].as_array().unwrap().len()
    );
    // The cover sheet names the patient and the document.
    let cover = pdf.extract_text(&[1]).unwrap();
    assert!(cover.contains(&mrn), "{cover}");
    // A past release downloads again, byte for byte.
    let again = clerk.get(&format!("/api/v1/releases/{disclosure}/pdf"));
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.body, r.body);
    let page_text = pdf.extract_text(&[2]).unwrap();
    assert!(
        page_text.to_uppercase().contains("DISCHARGE"),
        "no text layer: {page_text}"
    );
    let acc = clerk
        .get(&format!("/api/v1/patients/{mrn}/disclosures"))
        .json();
    let list = acc["disclosures"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], disclosure.as_str());
    assert_eq!(list[0]["recipient"], "Dr. Jane Lee, Lakeside Clinic");
    assert_eq!(list[0]["documents"][0]["doc_id"], doc.as_str());
    // Another patient has no disclosures.
    let other = clerk.get("/api/v1/patients/00000000/disclosures").json();
    assert!(other["disclosures"].as_array().unwrap().is_empty());

    // Every search, view, download and release is in the audit log with the user.
    let admin = server.login("admin", PW);
    let audit = admin.get("/api/v1/audit?user=clerk&limit=500").json();
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "login",
        "search",
        "view",
        "view_page",
        "view_image",
        "download",
        "release",
        "release_download",
        "accounting",
    ] {
        assert!(actions.contains(&a), "no {a} entry for clerk: {actions:?}");
    }
    let v = common::run(&archive, &["audit", "verify"]);
    assert!(v.status.success(), "{}", common::stdout(&v));

    // Logout ends the session.
    assert_eq!(
        clerk.send("DELETE", "/api/v1/session", &json!({})).status,
        200
    );
    assert_eq!(clerk.get("/api/v1/search?q=x").status, 401);
}

/// Permission each route needs, from the served OpenAPI document.
fn routes(server: &Server) -> Vec<(String, String, Option<String>)> {
    let doc = server
        .request("GET", "/api/v1/openapi.json", &[], b"")
        .json();
    let mut out = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let desc = op["description"].as_str().unwrap();
            let need = desc
                .split('`')
                .nth(1)
                .map(str::to_string)
                .or_else(|| (!desc.contains("public")).then(|| "session".to_string()));
            out.push((method.to_uppercase(), path.clone(), need));
        }
    }
    out
}

#[test]
fn role_matrix_holds_for_every_endpoint() {
    let (_dir, archive) = archive_with_users();
    let server = Server::start(&archive, &[]);
    let sessions: Vec<(&str, Session)> = ROLES.iter().map(|r| (*r, server.login(r, PW))).collect();
    let routes = routes(&server);
    assert!(routes.len() >= 30, "{} routes", routes.len());
    for (method, path, need) in &routes {
        if method == "DELETE" && path == "/api/v1/session" {
            continue; // logging out is checked elsewhere
        }
        let concrete = path
            .replace("{id}", "no-such-id")
            .replace("{page}", "1")
            .replace("{mrn}", "00000000");
        // Without a session: 401 unless public.
        let anon = server.request(
            method,
            &concrete,
            &[("Content-Type", "application/json")],
            b"{}",
        );
        match need {
            None => assert_ne!(anon.status, 401, "{method} {path} is public"),
            Some(_) => assert_eq!(
                anon.status,
                401,
                "{method} {path} without login: {}",
                anon.text()
            ),
        }
        for (role, s) in &sessions {
            let r = if method == "GET" {
                s.get(&concrete)
            } else {
                s.send(method, &concrete, &json!({}))
            };
            assert!(
                r.status < 500,
                "{method} {path} as {role}: {} {}",
                r.status,
                r.text()
            );
            let allowed = match need.as_deref() {
                None | Some("session") => true,
                Some(p) => chartvault::access::Role::parse(role)
                    .unwrap()
                    .permissions()
                    .iter()
                    .any(|x| x.as_str() == p),
            };
            if allowed {
                assert_ne!(
                    r.status,
                    403,
                    "{role} refused {method} {path}: {}",
                    r.text()
                );
            } else {
                assert_eq!(
                    r.status,
                    403,
                    "{role} allowed {method} {path}: {}",
                    r.text()
                );
                assert_eq!(r.json()["code"], "forbidden");
            }
        }
    }
    // A viewer cannot ingest, hold or purge.
    let viewer = &sessions[0].1;
    assert_eq!(viewer.upload("a.png", b"\x89PNG\r\n\x1a\nxx").status, 403);
    assert_eq!(
        viewer
            .send(
                "POST",
                "/api/v1/holds",
                &json!({"matter": "m", "reason": "r", "scope": {"kind": "mrn", "mrn": "1"}})
            )
            .status,
        403
    );
    assert_eq!(
        viewer.send("POST", "/api/v1/purge-jobs", &json!({})).status,
        403
    );
    assert_eq!(viewer.get("/api/v1/retention/report").status, 403);
    // A state change with the cookie but without the CSRF token is refused.
    let admin = &sessions[4].1;
    let r = common::server::http(
        &server.addr,
        "POST",
        "/api/v1/purge-jobs",
        &[
            ("Cookie", &admin.cookie),
            ("Content-Type", "application/json"),
        ],
        b"{}",
    );
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["code"], "csrf_failed");
}

#[test]
fn holds_purge_two_person_approval_and_gone() {
    let (_dir, archive) = archive_with_users();
    // A day when the sample documents are eligible (test clock: `test-hooks` build).
    common::set_clock(&archive, "2150-01-01");
    let server = Server::start(&archive, &[]);
    let officer = server.login("retention_officer", PW);
    let (doc, _) = discharge_doc(&officer);
    let h = officer.send(
        "POST",
        "/api/v1/holds",
        &json!({"matter": "Smith v. Hospital", "reason": "litigation", "scope": {"kind": "document", "doc_id": doc}}),
    );
    assert_eq!(h.status, 200, "{}", h.text());
    assert_eq!(h.json()["covers"], 1);
    let d = officer.get(&format!("/api/v1/documents/{doc}")).json();
    assert_eq!(d["retention"]["status"], "on_hold");

    // Plan as of today, 2150: everything but the held document is eligible.
    let plan = officer.send("POST", "/api/v1/purge-jobs", &json!({}));
    assert_eq!(plan.status, 200, "{}", plan.text());
    let job = plan.json()["job_id"].as_str().unwrap().to_string();
    let planned = plan.json()["documents"].as_u64().unwrap();
    assert!(planned >= 1);
    let detail = officer.get(&format!("/api/v1/purge-jobs/{job}")).json();
    assert!(!detail["manifest"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["doc_id"] == doc.as_str()));
    let victim = detail["manifest"][0]["doc_id"]
        .as_str()
        .unwrap()
        .to_string();

    // Executing before approval is refused; an officer cannot approve.
    let early = officer.send(
        "POST",
        &format!("/api/v1/purge-jobs/{job}/execute"),
        &json!({}),
    );
    assert_eq!(early.status, 409, "{}", early.text());
    assert_eq!(
        officer
            .send(
                "POST",
                &format!("/api/v1/purge-jobs/{job}/approve"),
                &json!({})
            )
            .status,
        403
    );
    for a in ["approver", "approver2"] {
        let s = server.login(a, PW);
        let r = approve_job(&s, &job);
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let e = officer.send(
        "POST",
        &format!("/api/v1/purge-jobs/{job}/execute"),
        &json!({}),
    );
    assert_eq!(e.status, 200, "{}", e.text());
    let e = e.json();
    assert_eq!(e["verified"], true);
    let cert = e["certificate_id"].as_str().unwrap().to_string();

    // Destroyed: 410 with the certificate, on every document route.
    for path in [
        format!("/api/v1/documents/{victim}"),
        format!("/api/v1/documents/{victim}/pages/1"),
        format!("/api/v1/documents/{victim}/original"),
    ] {
        let r = officer.get(&path);
        assert_eq!(r.status, 410, "{path}: {}", r.text());
        assert_eq!(r.json()["code"], "gone");
        assert_eq!(r.json()["certificate_id"], cert.as_str());
    }
    let clerk = server.login("clerk", PW);
    let r = clerk.send(
        "POST",
        "/api/v1/releases",
        &json!({"doc_ids": [victim], "requester": "x", "recipient": "x", "purpose": "y", "basis": "treatment"}),
    );
    assert_eq!(r.status, 410);
    // The held document survived.
    assert_eq!(officer.get(&format!("/api/v1/documents/{doc}")).status, 200);
    let c = officer.get(&format!("/api/v1/certificates/{cert}?format=html"));
    assert_eq!(c.status, 200);
    assert!(c.header("content-type").unwrap().starts_with("text/html"));
    assert_eq!(
        officer.get(&format!("/api/v1/certificates/{cert}")).json()["certificate_id"],
        cert.as_str()
    );

    // A plan cannot lower the number of approvals.
    let admin = server.login("admin", PW);
    let one = admin.send("POST", "/api/v1/purge-jobs", &json!({"approvals": 1}));
    assert_eq!(one.status, 400, "{}", one.text());
    assert!(
        one.text().contains("retention policy requires 2"),
        "{}",
        one.text()
    );
    // A plan after today is a forecast: it cannot be approved.
    let f = admin.send(
        "POST",
        "/api/v1/purge-jobs",
        &json!({"as_of": "2200-01-01"}),
    );
    assert_eq!(f.status, 200, "{}", f.text());
    assert_eq!(f.json()["state"], "forecast");
    let fj = f.json()["job_id"].as_str().unwrap().to_string();
    let a = server.login("approver", PW);
    let r = approve_job(&a, &fj);
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("forecast"), "{}", r.text());
    // An admin may plan and approve, but never approve their own plan.
    let own = admin.send("POST", "/api/v1/purge-jobs", &json!({}));
    assert_eq!(own.status, 200, "{}", own.text());
    assert_eq!(own.json()["required_approvals"], 2);
    let own = own.json()["job_id"].as_str().unwrap().to_string();
    let r = approve_job(&admin, &own);
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(r.json()["code"], "refused");

    // One admin alone cannot make two approvers after a plan and approve with them, nor
    // reset an approver's password and approve as them.
    let officer_job = officer.send("POST", "/api/v1/purge-jobs", &json!({}));
    let officer_job = officer_job.json()["job_id"].as_str().unwrap().to_string();
    for name in ["sock1", "sock2"] {
        let r = admin.send(
            "POST",
            "/api/v1/users",
            &json!({"username": name, "role": "approver", "password": PW}),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        let s = server.login(name, PW);
        let r = approve_job(&s, &officer_job);
        assert_eq!(r.status, 409, "{name}: {}", r.text());
        assert!(r.text().contains("was created by admin"), "{}", r.text());
    }
    // Adding a user of a taken name changes nothing; a reset is its own, audited step.
    let r = admin.send(
        "POST",
        "/api/v1/users",
        &json!({"username": "approver2", "role": "approver", "password": "reset-by-admin-1"}),
    );
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("exists already"), "{}", r.text());
    let r = admin.send(
        "POST",
        "/api/v1/users/approver2/password",
        &json!({"password": "reset-by-admin-1"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let s = server.login("approver2", "reset-by-admin-1");
    let r = approve_job(&s, &officer_job);
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("was changed"), "{}", r.text());
    // The admin who made those changes cannot approve it either.
    let r = approve_job(&admin, &officer_job);
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("changes accounts"), "{}", r.text());
    // One genuine approval: the initiator still cannot execute.
    let r = approve_job(&a, &officer_job);
    assert_eq!(r.status, 200, "{}", r.text());
    let r = officer.send(
        "POST",
        &format!("/api/v1/purge-jobs/{officer_job}/execute"),
        &json!({}),
    );
    assert_eq!(r.status, 409, "{}", r.text());
    let detail = officer
        .get(&format!("/api/v1/purge-jobs/{officer_job}"))
        .json();
    assert_eq!(detail["items"]["destroyed"], 0, "{detail}");
}

#[test]
fn hostile_input_gets_clear_4xx() {
    let (dir, archive) = archive_with_users();
    let server = Server::start(&archive, &["--max-upload-mb", "1"]);
    let clerk = server.login("clerk", PW);
    let (doc, _) = discharge_doc(&clerk);
    let checks: Vec<(String, u16)> = vec![
        ("/api/v1/documents/..%2F..%2Fcatalog.db".into(), 404),
        ("/api/v1/documents/../../etc/passwd".into(), 404),
        (format!("/api/v1/documents/{doc}/original?file=0"), 404),
        (
            format!("/api/v1/documents/{doc}/original?file=../../etc/passwd"),
            400,
        ),
        (
            format!("/api/v1/documents/{doc}/original?file=99999999999999"),
            400,
        ),
        (format!("/api/v1/documents/{doc}/pages/-1"), 400),
        (
            format!("/api/v1/documents/{doc}/pages/../../../x/image"),
            404,
        ),
        ("/api/v1/search?limit=100000".into(), 400),
        ("/api/v1/search?from=2020-02-31".into(), 400),
        ("/api/v1/search?type=%3Cscript%3E".into(), 400),
        ("/api/v1/search?q=%22unclosed%20(phrase%20AND".into(), 200),
        ("/api/v1/search?q=mrn:".into(), 200),
        ("/api/v1/nope".into(), 404),
        ("/ui/../../etc/passwd".into(), 404),
    ];
    for (path, want) in &checks {
        let r = clerk.get(path);
        assert!(
            r.status == *want || (*want == 200 && r.status == 400),
            "{path}: {} {}",
            r.status,
            r.text()
        );
        if !path.starts_with("/ui") {
            let v = r.json();
            if r.status >= 400 {
                assert!(
                    v["code"].is_string() && v["message"].is_string(),
                    "{path}: {v}"
                );
            }
        }
    }
    // Bodies: not JSON, wrong type, unknown fields, too large.
    let r = common::server::http(
        &server.addr,
        "POST",
        "/api/v1/releases",
        &[
            ("Cookie", &clerk.cookie),
            ("X-CSRF-Token", &clerk.csrf),
            ("Content-Type", "text/plain"),
        ],
        b"hello",
    );
    assert_eq!(r.status, 415);
    let r = common::server::http(
        &server.addr,
        "POST",
        "/api/v1/releases",
        &[
            ("Cookie", &clerk.cookie),
            ("X-CSRF-Token", &clerk.csrf),
            ("Content-Type", "application/json"),
        ],
        b"{\"doc_ids\": [",
    );
    assert_eq!(r.status, 400);
    let r = clerk.send(
        "POST",
        "/api/v1/releases",
        &json!({"doc_ids": [doc], "requester": "r", "recipient": "", "purpose": "p", "basis": "treatment"}),
    );
    assert_eq!(r.status, 400);
    assert_eq!(clerk.upload("scan.pdf", b"").status, 400);
    let r = clerk.upload("notes.pdf", b"<html><script>alert(1)</script></html>");
    assert_eq!(r.status, 415);
    assert_eq!(r.json()["code"], "unsupported_media_type");
    let big = vec![0x25u8; 3 * 1024 * 1024];
    let r = clerk.upload("big.pdf", &big);
    assert_eq!(r.status, 413, "{}", r.text());
    // A hostile upload name never leaves the inbox.
    let mut pdf = b"%PDF-1.4\n".to_vec();
    pdf.extend_from_slice(b"not really a pdf");
    let r = clerk.upload("..%2F..%2F..%2Fevil.pdf", &pdf);
    assert_eq!(r.status, 202, "{}", r.text());
    assert!(!dir.path().join("evil.pdf").exists());
    assert!(!archive.join("evil.pdf").exists());
    // It is quarantined with a reason, and the archive keeps what it had.
    let jobs = wait_for(60, || {
        let j = clerk.get("/api/v1/ingest/jobs").json();
        let done = j["jobs"]
            .as_array()?
            .iter()
            .all(|x| x["finished_at"].is_string());
        done.then_some(j)
    });
    let job = &jobs["jobs"][0];
    assert_eq!(job["state"], "failed", "{job}");
    assert!(job["error"].as_str().unwrap().len() > 5);
    assert_eq!(clerk.get(&format!("/api/v1/documents/{doc}")).status, 200);
    // Repeated failures delay further attempts from this address (growing delays), even
    // with the right password.
    for _ in 0..3 {
        let r = server.request(
            "POST",
            "/api/v1/session",
            &[("Content-Type", "application/json")],
            br#"{"username":"viewer","password":"wrong-password"}"#,
        );
        assert_eq!(r.status, 401);
    }
    let r = server.request(
        "POST",
        "/api/v1/session",
        &[("Content-Type", "application/json")],
        format!(r#"{{"username":"viewer","password":"{PW}"}}"#).as_bytes(),
    );
    assert_eq!(r.status, 429);
    assert!(r.text().contains("try again in"), "{}", r.text());
    // An administrator clears the delays; the user logs in at once (audited).
    let admin = server.login("admin", PW);
    let u = admin.send("POST", "/api/v1/users/viewer/unlock", &json!({}));
    assert_eq!(u.status, 200, "{}", u.text());
    assert_eq!(u.json()["sources_cleared"], 1, "{}", u.text());
    let _viewer = server.login("viewer", PW);
    let u = admin.send("POST", "/api/v1/users/nobody/unlock", &json!({}));
    assert_eq!(u.status, 404, "{}", u.text());
    // Free-text fields: a zero-width space is no purpose, a matter has a length limit, a
    // release reason too; the same rule on the command line.
    let r = clerk.send(
        "POST",
        "/api/v1/releases",
        &json!({"doc_ids": [doc], "requester": "Dr. Who", "recipient": "Dr. Who", "purpose": "\u{200b}", "basis": "treatment"}),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("letters or digits"), "{}", r.text());
    let officer = server.login("retention_officer", PW);
    let r = officer.send(
        "POST",
        "/api/v1/holds",
        &json!({"matter": "m".repeat(600), "reason": "r", "scope": {"kind": "mrn", "mrn": "1"}}),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("longer than 500"), "{}", r.text());
    drop(server); // the command line writes once the service is gone
    let o = common::run(
        &archive,
        &[
            "hold", "place", "--matter", "\u{200b}", "--reason", "r", "--mrn", "1",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", common::stdout(&o));
    assert!(
        common::stderr(&o).contains("letters or digits"),
        "{}",
        common::stderr(&o)
    );
}

#[test]
fn uploads_and_watch_folder_are_ingested_with_progress() {
    let (dir, archive) = archive_with_users();
    let watch = dir.path().join("scanner");
    std::fs::create_dir_all(&watch).unwrap();
    let server = Server::start(&archive, &["--watch", watch.to_str().unwrap()]);
    let clerk = server.login("clerk", PW);

    // An upload of a new scan (a sample turned 90 degrees, so a different file).
    let png = image::open(common::samples().join("scans/discharge_summary.png")).unwrap();
    let mut bytes = Vec::new();
    png.rotate90()
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    let r = clerk.upload("rotated.png", &bytes);
    assert_eq!(r.status, 202, "{}", r.text());
    let id = r.json()["job_id"].as_u64().unwrap();

    // Files dropped into the watched folder: one good, one corrupt.
    std::fs::copy(
        common::samples().join("scans/consent_form.pdf"),
        watch.join("again.pdf"),
    )
    .unwrap();
    std::fs::write(watch.join("broken.pdf"), b"%PDF-1.7\n garbage").unwrap();

    let jobs = wait_for(240, || {
        let j = clerk.get("/api/v1/ingest/jobs").json();
        let list = j["jobs"].as_array()?.clone();
        (list.len() == 3 && list.iter().all(|x| x["finished_at"].is_string())).then_some(list)
    });
    let by_file = |f: &str| jobs.iter().find(|j| j["file"] == f).unwrap().clone();
    let up = jobs.iter().find(|j| j["id"] == id).unwrap();
    assert_eq!(up["state"], "done", "{up}");
    assert!(up["documents"].as_u64().unwrap() >= 1);
    assert!(up["pages_total"].as_u64().unwrap() >= 1);
    assert_eq!(up["pages_done"], up["pages_total"]);
    let again = by_file("again.pdf");
    assert_eq!(again["state"], "done");
    assert_eq!(again["duplicate"], true, "{again}");
    assert_eq!(by_file("broken.pdf")["state"], "failed");
    assert!(watch.join("done/again.pdf").exists());
    assert!(watch.join("failed/broken.pdf").exists());
    let reason = std::fs::read_to_string(watch.join("failed/broken.pdf.reason.txt")).unwrap();
    assert!(!reason.trim().is_empty());
    assert!(!watch.join("again.pdf").exists());
    // The uploaded scan is searchable at once, and left the inbox.
    let r = clerk
        .get("/api/v1/search?q=discharge&type=discharge_summary")
        .json();
    assert!(r["total"].as_u64().unwrap() >= 3, "{r}");
    assert_eq!(std::fs::read_dir(archive.join("inbox")).unwrap().count(), 0);
    let _: Value = r;
}

#[test]
fn serve_runs_the_retention_sweep_and_audits_logins() {
    let (_dir, archive) = archive_with_users();
    let server = Server::start_sweeping(&archive);
    let admin = server.login("admin", PW);
    // A failed login is audited too (user name only, never the password).
    let bad = server.request(
        "POST",
        "/api/v1/session",
        &[("Content-Type", "application/json")],
        br#"{"username":"clerk","password":"not-it-at-all"}"#,
    );
    assert_eq!(bad.status, 401);
    let entries = wait_for(60, || {
        let a = admin.get("/api/v1/audit?action=retention_sweep").json();
        let e = a["entries"].as_array()?.clone();
        (!e.is_empty()).then_some(e)
    });
    assert_eq!(entries[0]["user"], "scheduler", "{:?}", entries[0]);
    assert!(entries[0]["detail"]["documents"].as_u64().unwrap() >= 1);
    let audit = admin.get("/api/v1/audit?limit=500").json();
    let all = audit["entries"].as_array().unwrap();
    assert!(all
        .iter()
        .any(|e| e["action"] == "login" && e["user"] == "admin"));
    assert!(all
        .iter()
        .any(|e| e["action"] == "login_failed" && e["subject"] == "clerk"));
    assert!(!audit.to_string().contains("not-it-at-all"));
    // The sweep computed every document's retention status.
    let (doc, _) = discharge_doc(&admin);
    let d = admin.get(&format!("/api/v1/documents/{doc}")).json();
    assert!(d["retention"]["status"].is_string(), "{d}");
}

/// The documents of one scan, by its source file name, in page order.
fn documents_of(s: &Session, file: &str) -> Vec<(String, Vec<u64>)> {
    let hits = s.get("/api/v1/search?limit=100").json();
    let mut out: Vec<(String, Vec<u64>)> = hits["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["doc_id"].as_str().unwrap().to_string())
        .filter_map(|id| {
            let d = s.get(&format!("/api/v1/documents/{id}")).json();
            (d["source"]["path"] == file).then(|| {
                let pages = d["pages"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["page_no"].as_u64().unwrap())
                    .collect();
                (id, pages)
            })
        })
        .collect();
    out.sort_by_key(|(_, p)| p[0]);
    out
}

#[test]
fn a_clerk_fixes_a_split_by_merging_and_splitting() {
    let (_dir, archive) = archive_with_users();
    let server = Server::start(&archive, &[]);
    let clerk = server.login("clerk", PW);
    let docs = documents_of(&clerk, "chart_with_separators.tif");
    assert_eq!(docs.len(), 2, "{docs:?}");
    let (a, b) = (docs[0].clone(), docs[1].clone());
    let b_text = clerk.get(&format!("/api/v1/documents/{}/text", b.0)).json()["pages"][0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    let b_mrn = clerk.get(&format!("/api/v1/documents/{}", b.0)).json()["patient"]["mrn"].clone();
    assert!(b_mrn.is_string());

    // Refused: the first document has none before it; a viewer may not; a first page
    // cannot start a new document.
    let r = clerk.send(
        "POST",
        &format!("/api/v1/documents/{}/merge-previous", a.0),
        &json!({}),
    );
    assert_eq!(r.status, 409, "{}", r.text());
    let viewer = server.login("viewer", PW);
    let r = viewer.send(
        "POST",
        &format!("/api/v1/documents/{}/merge-previous", b.0),
        &json!({}),
    );
    assert_eq!(r.status, 403);
    let r = clerk.send(
        "POST",
        &format!("/api/v1/documents/{}/split", a.0),
        &json!({"page": a.1[0]}),
    );
    assert_eq!(r.status, 400, "{}", r.text());

    // Merge: b's pages join a, re-sealed under a's key; b is gone from catalog and index.
    let r = clerk.send(
        "POST",
        &format!("/api/v1/documents/{}/merge-previous", b.0),
        &json!({}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let m = r.json();
    assert_eq!(m["removed"], b.0.as_str());
    assert_eq!(m["documents"][0]["doc_id"], a.0.as_str());
    let mut both: Vec<u64> = a.1.iter().chain(&b.1).copied().collect();
    both.sort();
    assert_eq!(m["documents"][0]["pages"], json!(both));
    assert_eq!(clerk.get(&format!("/api/v1/documents/{}", b.0)).status, 404);
    let moved = b.1[0];
    let img = clerk.get(&format!("/api/v1/documents/{}/pages/{moved}/image", a.0));
    assert_eq!(
        img.status,
        200,
        "moved page image unreadable: {}",
        img.text()
    );
    let text = clerk.get(&format!("/api/v1/documents/{}/text", a.0)).json();
    assert_eq!(text["pages"][1]["text"].as_str().unwrap(), b_text);
    assert_eq!(documents_of(&clerk, "chart_with_separators.tif").len(), 1);
    let v = common::run(&archive, &["verify"]);
    assert!(
        v.status.success(),
        "verify after merge: {}",
        common::stdout(&v)
    );

    // Split it again where b began: b comes back under its stable id.
    let r = clerk.send(
        "POST",
        &format!("/api/v1/documents/{}/split", a.0),
        &json!({"page": moved}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let s = r.json();
    assert_eq!(s["documents"][1]["doc_id"], b.0.as_str());
    assert_eq!(s["documents"][0]["pages"], json!(a.1));
    assert_eq!(s["documents"][1]["pages"], json!(b.1));
    let back = clerk.get(&format!("/api/v1/documents/{}", b.0)).json();
    assert_eq!(back["patient"]["mrn"], b_mrn, "{back}");
    let again = clerk.get(&format!("/api/v1/documents/{}/text", b.0)).json();
    assert_eq!(again["pages"][0]["text"].as_str().unwrap(), b_text);
    assert_eq!(
        documents_of(&clerk, "chart_with_separators.tif"),
        vec![a.clone(), b.clone()]
    );
    let v = common::run(&archive, &["verify"]);
    assert!(
        v.status.success(),
        "verify after split: {}",
        common::stdout(&v)
    );

    // A document on legal hold keeps its pages.
    let officer = server.login("retention_officer", PW);
    let h = officer.send(
        "POST",
        "/api/v1/holds",
        &json!({"matter": "m", "reason": "r", "scope": {"kind": "document", "doc_id": a.0}}),
    );
    assert_eq!(h.status, 200, "{}", h.text());
    let r = clerk.send(
        "POST",
        &format!("/api/v1/documents/{}/merge-previous", b.0),
        &json!({}),
    );
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.json()["message"].as_str().unwrap().contains("legal hold"));

    let admin = server.login("admin", PW);
    let audit = admin.get("/api/v1/audit?user=clerk&limit=500").json();
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"merge_documents") && actions.contains(&"split_document"));
    let a_audit = common::run(&archive, &["audit", "verify"]);
    assert!(a_audit.status.success());
}

#[test]
fn a_newer_document_of_the_patient_after_approval_is_skipped_at_execution() {
    let (_dir, archive) = archive_with_users();
    // 2029-06-01: the radiology report (patient 90000033, seen 2018-07-22) is eligible; the
    // progress note (90000025, seen 2020-11-02) is not.
    common::set_clock(&archive, "2029-06-01");
    let server = Server::start(&archive, &[]);
    let officer = server.login("retention_officer", PW);
    let docs_of = |mrn: &str| {
        officer
            .get(&format!("/api/v1/patients/{mrn}/documents"))
            .json()
    };
    let radiology = docs_of("90000033")["documents"][0]["doc_id"]
        .as_str()
        .unwrap()
        .to_string();
    let note = docs_of("90000025")["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["service_date"] == "2020-11-02")
        .expect("the 2020 progress note")["doc_id"]
        .as_str()
        .unwrap()
        .to_string();
    let plan = officer.send("POST", "/api/v1/purge-jobs", &json!({}));
    assert_eq!(plan.status, 200, "{}", plan.text());
    assert_eq!(plan.json()["forecast"], false);
    let job = plan.json()["job_id"].as_str().unwrap().to_string();
    let detail = officer.get(&format!("/api/v1/purge-jobs/{job}")).json();
    assert!(
        detail["manifest"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["doc_id"] == radiology.as_str()),
        "{detail}"
    );
    assert!(detail["earliest_retain_through"].is_string(), "{detail}");
    for a in ["approver", "approver2"] {
        let s = server.login(a, PW);
        let r = approve_job(&s, &job);
        assert_eq!(r.status, 200, "{}", r.text());
    }
    // After the approvals, a clerk finds the 2020 note belongs to the radiology patient:
    // that patient's last service moves to 2020-11-02, so the report is kept until 2030.
    let clerk = server.login("clerk", PW);
    let r = clerk.send(
        "PATCH",
        &format!("/api/v1/documents/{note}"),
        &json!({"patient": {"mrn": "90000033"}}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let e = officer.send(
        "POST",
        &format!("/api/v1/purge-jobs/{job}/execute"),
        &json!({}),
    );
    assert_eq!(e.status, 200, "{}", e.text());
    let e = e.json();
    let skipped = e["skipped"].as_array().unwrap();
    let why = skipped
        .iter()
        .find(|s| s["doc_id"] == radiology.as_str())
        .unwrap_or_else(|| panic!("radiology report not skipped: {e}"))["reason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(why.contains("not eligible until 2030-11-03"), "{why}");
    assert_eq!(
        officer
            .get(&format!("/api/v1/documents/{radiology}"))
            .status,
        200
    );
    let detail = officer.get(&format!("/api/v1/purge-jobs/{job}")).json();
    let row = detail["manifest"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["doc_id"] == radiology.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["state"], "skipped", "{row}");
    assert!(row["skip_reason"].as_str().unwrap().contains("2030-11-03"));
    assert_eq!(
        detail["items"]["skipped"].as_u64(),
        Some(skipped.len() as u64)
    );

    // The desk's hold list names the patient a hold covers (not the stored MRN tag) and
    // counts every document of theirs.
    let h = officer.send(
        "POST",
        "/api/v1/holds",
        &json!({"matter": "M", "reason": "R", "scope": {"kind": "mrn", "mrn": "90000033"}}),
    );
    assert_eq!(h.status, 200, "{}", h.text());
    let holds = officer.get("/api/v1/holds").json();
    let hold = holds["holds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == h.json()["hold_id"])
        .unwrap()
        .clone();
    assert_eq!(hold["patient"]["mrn"], "90000033", "{hold}");
    assert!(
        hold["patient"]["name"]
            .as_str()
            .unwrap_or("")
            .contains("TESTPATIENT"),
        "{hold}"
    );
    // The report and the note moved to this patient.
    assert_eq!(hold["covers"], 2, "{hold}");
    assert_eq!(hold["covers"], h.json()["covers"], "{hold}");
}

#[test]
fn a_link_dropped_into_the_scanner_share_is_never_followed() {
    let (dir, archive) = archive_with_users();
    let watch = dir.path().join("scanner");
    std::fs::create_dir_all(watch.join("batch")).unwrap();
    // The key store's master key (where the archive keeps it), and a secret of our own.
    let keys = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with(".keys"))
        .expect("the key store beside the archive");
    let master = std::fs::read_dir(&keys)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().unwrap().to_string_lossy().contains("master"))
        .expect("a master key file");
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, b"TOP-SECRET-BYTES").unwrap();
    let server = Server::start(&archive, &["--watch", watch.to_str().unwrap()]);
    let clerk = server.login("clerk", PW);
    std::os::unix::fs::symlink(&master, watch.join("mk.png")).unwrap();
    std::os::unix::fs::symlink(&secret, watch.join("batch/page2.png")).unwrap();
    std::fs::copy(
        common::samples().join("scans/discharge_summary.png"),
        watch.join("batch/page1.png"),
    )
    .unwrap();
    // The link is set aside unread; the batch folder is ingested without its link.
    wait_for(240, || watch.join("failed/mk.png").symlink_metadata().ok());
    let reason = std::fs::read_to_string(watch.join("failed/mk.png.reason.txt")).unwrap();
    assert!(reason.contains("symbolic link"), "{reason}");
    wait_for(240, || {
        let j = clerk.get("/api/v1/ingest/jobs").json();
        j["jobs"]
            .as_array()?
            .iter()
            .any(|x| x["finished_at"].is_string())
            .then_some(())
    });
    server_gone(server);
    // Nothing the links point to was read into the archive, its quarantine or a reason.
    let key_bytes = std::fs::read(&master).unwrap();
    let needle = &key_bytes[..key_bytes.len().min(16)];
    for root in [archive.as_path(), watch.as_path()] {
        assert_eq!(
            common::files_containing(root, needle),
            Vec::<String>::new(),
            "master key bytes copied under {}",
            root.display()
        );
        assert_eq!(
            common::files_containing(root, b"TOP-SECRET-BYTES"),
            Vec::<String>::new(),
            "linked file copied under {}",
            root.display()
        );
    }
}

fn server_gone(server: Server) {
    drop(server);
}

/// The writer is taken per scan commit, not for an ingest's OCR run: while a slowed engine
/// reads an uploaded batch, a legal hold, a QA fix and a search each complete, and the
/// upload is still being read when they do.
#[cfg(feature = "test-hooks")]
#[test]
fn holds_fixes_and_searches_go_through_while_a_batch_is_read() {
    let (_dir, archive) = archive_with_users();
    // Every page takes at least 4 s to read: the batch below takes 10 s or more.
    let server = Server::start_with_env(&archive, &[("CHARTVAULT_TEST_PAGE_DELAY_MS", "4000")]);
    let clerk = server.login("clerk", PW);
    let officer = server.login("retention_officer", PW);
    let (doc, mrn) = discharge_doc(&clerk);

    // A new file (the sample batch with bytes after its last page: another hash).
    let mut batch =
        std::fs::read(common::samples().join("scans/chart_with_separators.tif")).unwrap();
    batch.extend_from_slice(b"trailing bytes after the last page");
    let r = clerk.upload("batch.tif", &batch);
    assert_eq!(r.status, 202, "{}", r.text());
    let job = r.json()["job_id"].as_u64().unwrap();
    let job_state = || {
        let j = clerk.get("/api/v1/ingest/jobs").json();
        j["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == job)
            .cloned()
            .unwrap()
    };
    let running = || {
        let j = job_state();
        j["state"] == "running" && j["finished_at"].is_null()
    };
    wait_for(60, || running().then_some(()));

    let started = std::time::Instant::now();
    let hold = officer.send(
        "POST",
        "/api/v1/holds",
        &json!({"matter": "Doe v. General", "reason": "litigation", "scope": {"kind": "mrn", "mrn": mrn}}),
    );
    assert_eq!(hold.status, 200, "{}", hold.text());
    assert!(
        running(),
        "the hold waited for the ingest ({:?})",
        started.elapsed()
    );

    let fix = clerk.send(
        "PATCH",
        &format!("/api/v1/documents/{doc}"),
        &json!({"doc_type": "discharge_summary", "confirm": true}),
    );
    assert_eq!(fix.status, 200, "{}", fix.text());
    assert!(
        running(),
        "the QA fix waited for the ingest ({:?})",
        started.elapsed()
    );

    let found = clerk.get("/api/v1/search?q=discharge");
    assert_eq!(found.status, 200, "{}", found.text());
    assert!(found.json()["total"].as_u64().unwrap() >= 1);
    assert!(
        running(),
        "the search waited for the ingest ({:?})",
        started.elapsed()
    );

    // The batch is then committed as usual, and the hold covers the patient's documents.
    let done = wait_for(300, || {
        let j = job_state();
        j["finished_at"].is_string().then_some(j)
    });
    assert_eq!(done["state"], "done", "{done}");
    assert!(done["documents"].as_u64().unwrap() >= 2, "{done}");
    let holds = officer.get("/api/v1/holds").json();
    assert!(holds.to_string().contains("Doe v. General"), "{holds}");
}

/// `chartvault hold place` and `POST /api/v1/holds` are one operation: the same requests
/// are accepted by both, the same are refused by both, with the same message.
#[test]
fn hold_place_answers_alike_on_the_command_line_and_the_api() {
    let (_dir, archive) = archive_with_users();
    let mrn = {
        let lines = common::export(&archive);
        let docs = common::of_kind(&lines, "document");
        docs.iter()
            .find_map(|d| d["patient"]["mrn"].as_str())
            .expect("a sample document with an MRN")
            .to_string()
    };
    let long = "m".repeat(501);
    // (cli scope args, api scope, matter, accepted)
    let cases: Vec<(Vec<String>, Value, &str, bool)> = vec![
        (
            vec!["--mrn".into(), mrn.clone()],
            json!({"kind": "mrn", "mrn": mrn}),
            "Doe v. General",
            true,
        ),
        (
            vec!["--mrn".into(), format!("  {mrn} ")],
            json!({"kind": "mrn", "mrn": format!("  {mrn} ")}),
            "Pasted MRN",
            true,
        ),
        (
            vec!["--mrn".into(), mrn.clone()],
            json!({"kind": "mrn", "mrn": mrn}),
            "   ",
            false,
        ),
        (
            vec!["--mrn".into(), "  ".into()],
            json!({"kind": "mrn", "mrn": "  "}),
            "Empty scope",
            false,
        ),
        (
            vec!["--doc".into(), "no-such-doc".into()],
            json!({"kind": "document", "doc_id": "no-such-doc"}),
            "Unknown doc",
            false,
        ),
        (
            vec!["--query".into(), " ".into()],
            json!({"kind": "query", "text": " "}),
            "Empty query",
            false,
        ),
        (
            vec![
                "--class".into(),
                "NO-SUCH-CLASS".into(),
                "--from".into(),
                "2001-01-01".into(),
                "--to".into(),
                "2002-01-01".into(),
            ],
            json!({"kind": "class", "class": "NO-SUCH-CLASS", "from": "2001-01-01", "to": "2002-01-01"}),
            "Unknown class",
            false,
        ),
        (
            vec!["--mrn".into(), mrn.clone()],
            json!({"kind": "mrn", "mrn": mrn}),
            "Bell\u{7} in matter",
            false,
        ),
        (
            vec!["--mrn".into(), mrn.clone()],
            json!({"kind": "mrn", "mrn": mrn}),
            long.as_str(),
            false,
        ),
    ];

    // The command line first (the server, once started, holds the index writer).
    let mut cli_answers = Vec::new();
    for (scope, _, matter, _) in &cases {
        let mut args = vec![
            "hold",
            "place",
            "--matter",
            matter,
            "--reason",
            "litigation",
        ];
        args.extend(scope.iter().map(String::as_str));
        let o = common::cv(&archive, "retention_officer", &args);
        cli_answers.push((o.status.code(), common::stderr(&o)));
    }
    let server = Server::start(&archive, &[]);
    let officer = server.login("retention_officer", PW);
    for ((_, scope, matter, accepted), (cli_code, cli_err)) in cases.iter().zip(&cli_answers) {
        let r = officer.send(
            "POST",
            "/api/v1/holds",
            &json!({"matter": matter, "reason": "litigation", "scope": scope}),
        );
        let label = matter.chars().take(20).collect::<String>();
        if *accepted {
            assert_eq!(r.status, 200, "{label}: API refused: {}", r.text());
            assert_eq!(*cli_code, Some(0), "{label}: CLI refused: {cli_err}");
            continue;
        }
        assert!(
            (400..500).contains(&r.status),
            "{label}: API accepted: {}",
            r.text()
        );
        assert_eq!(*cli_code, Some(2), "{label}: CLI accepted");
        let message = r.json()["message"].as_str().unwrap().to_string();
        assert!(
            cli_err.contains(&message),
            "{label}: the CLI said {cli_err:?}, the API {message:?}"
        );
    }
    // Marking a document checked does not need the index writer the server holds.
    let doc = common::of_kind(&common::export(&archive), "document")[0]["doc_id"]
        .as_str()
        .unwrap()
        .to_string();
    let o = common::cv(
        &archive,
        "clerk",
        &["review", "confirm", &doc, "--user", "clerk"],
    );
    assert!(o.status.success(), "{}", common::stderr(&o));
    // Four holds placed: two by each front door; the pasted MRN matches like the plain one.
    let holds = officer.get("/api/v1/holds").json();
    let list = holds["holds"].as_array().unwrap();
    assert_eq!(list.len(), 4, "{holds}");
    assert!(
        list.iter().all(|h| h["covers"].as_u64().unwrap() >= 1),
        "{holds}"
    );
}
