//! Security checks that can fail: who may do what is written out here, from the product's
//! roles, not read from the route table the middleware enforces; every state-changing route
//! refuses a cookie without its CSRF token; expired sessions and disabled users are out.
//! All against a real `chartvault serve` on a port.

mod common;

use common::server::{add_user, http, Server};
use serde_json::json;

const PW: &str = "correct-horse-battery";
const ROLES: [&str; 5] = ["viewer", "clerk", "retention_officer", "approver", "admin"];

/// Who may call each route: `public` (no login), `any` (any logged-in user), or the roles.
/// Viewers read; clerks also ingest, fix the QA queue and release information; retention
/// officers read, see retention, place holds and run purges; approvers read, see retention
/// and approve purges; administrators do everything, and alone read the audit log and
/// manage users.
const MATRIX: &[(&str, &str, &str)] = &[
    ("GET", "/api/v1/audit", "admin"),
    ("GET", "/api/v1/audit/export", "admin"),
    (
        "GET",
        "/api/v1/certificates/{id}",
        "retention_officer approver admin",
    ),
    ("GET", "/api/v1/document-types", "any"),
    (
        "GET",
        "/api/v1/documents/{id}",
        "viewer clerk retention_officer approver admin",
    ),
    ("PATCH", "/api/v1/documents/{id}", "clerk admin"),
    (
        "POST",
        "/api/v1/documents/{id}/pages/{page}/turn",
        "clerk admin",
    ),
    (
        "POST",
        "/api/v1/documents/{id}/pages/{page}/move",
        "clerk admin",
    ),
    (
        "POST",
        "/api/v1/documents/{id}/merge-previous",
        "clerk admin",
    ),
    (
        "GET",
        "/api/v1/documents/{id}/pdf",
        "viewer clerk retention_officer approver admin",
    ),
    (
        "GET",
        "/api/v1/documents/{id}/original",
        "viewer clerk retention_officer approver admin",
    ),
    (
        "GET",
        "/api/v1/documents/{id}/pages/{page}",
        "viewer clerk retention_officer approver admin",
    ),
    (
        "GET",
        "/api/v1/documents/{id}/pages/{page}/image",
        "viewer clerk retention_officer approver admin",
    ),
    (
        "GET",
        "/api/v1/documents/{id}/pages/{page}/thumbnail",
        "viewer clerk retention_officer approver admin",
    ),
    ("POST", "/api/v1/documents/{id}/split", "clerk admin"),
    (
        "GET",
        "/api/v1/documents/{id}/text",
        "viewer clerk retention_officer approver admin",
    ),
    ("GET", "/api/v1/health", "public"),
    ("GET", "/api/v1/holds", "retention_officer approver admin"),
    ("POST", "/api/v1/holds", "retention_officer admin"),
    (
        "GET",
        "/api/v1/holds/{id}",
        "retention_officer approver admin",
    ),
    (
        "POST",
        "/api/v1/holds/{id}/release",
        "retention_officer admin",
    ),
    ("POST", "/api/v1/ingest", "clerk admin"),
    ("GET", "/api/v1/ingest/jobs", "clerk admin"),
    ("GET", "/api/v1/openapi.json", "public"),
    ("GET", "/api/v1/patients/{mrn}/disclosures", "clerk admin"),
    (
        "GET",
        "/api/v1/saved-searches",
        "viewer clerk retention_officer approver admin",
    ),
    (
        "POST",
        "/api/v1/saved-searches",
        "viewer clerk retention_officer approver admin",
    ),
    (
        "DELETE",
        "/api/v1/saved-searches/{id}",
        "viewer clerk retention_officer approver admin",
    ),
    (
        "GET",
        "/api/v1/patients",
        "viewer clerk retention_officer approver admin",
    ),
    (
        "GET",
        "/api/v1/patients/{mrn}/documents",
        "viewer clerk retention_officer approver admin",
    ),
    (
        "GET",
        "/api/v1/purge-jobs",
        "retention_officer approver admin",
    ),
    ("POST", "/api/v1/purge-jobs", "retention_officer admin"),
    (
        "GET",
        "/api/v1/purge-jobs/{id}",
        "retention_officer approver admin",
    ),
    ("POST", "/api/v1/purge-jobs/{id}/approve", "approver admin"),
    (
        "POST",
        "/api/v1/purge-jobs/{id}/cancel",
        "retention_officer admin",
    ),
    (
        "POST",
        "/api/v1/purge-jobs/{id}/execute",
        "retention_officer admin",
    ),
    ("POST", "/api/v1/releases", "clerk admin"),
    ("GET", "/api/v1/releases/{id}", "clerk admin"),
    ("GET", "/api/v1/releases/{id}/pdf", "clerk admin"),
    (
        "GET",
        "/api/v1/retention/report",
        "retention_officer approver admin",
    ),
    ("GET", "/api/v1/review", "clerk admin"),
    (
        "GET",
        "/api/v1/search",
        "viewer clerk retention_officer approver admin",
    ),
    ("DELETE", "/api/v1/session", "any"),
    ("GET", "/api/v1/session", "any"),
    ("POST", "/api/v1/session", "public"),
    ("GET", "/api/v1/users", "admin"),
    ("POST", "/api/v1/users", "admin"),
    ("POST", "/api/v1/users/{id}/unlock", "admin"),
    ("POST", "/api/v1/users/{id}/role", "admin"),
    ("POST", "/api/v1/users/{id}/password", "admin"),
    ("POST", "/api/v1/users/{id}/disable", "admin"),
    ("POST", "/api/v1/users/{id}/enable", "admin"),
];

fn archive_with_users() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    common::ingest_samples(&archive);
    for role in ROLES {
        add_user(&archive, role, role, PW);
    }
    (dir, archive)
}

fn concrete(path: &str) -> String {
    path.replace("{id}", "no-such-id")
        .replace("{page}", "1")
        .replace("{mrn}", "00000000")
}

#[test]
fn every_route_answers_every_role_as_the_written_matrix_says() {
    let (_dir, archive) = archive_with_users();
    let server = Server::start(&archive, &[]);
    // The matrix covers exactly the routes the server has: a new route needs a decision.
    let doc = server
        .request("GET", "/api/v1/openapi.json", &[], b"")
        .json();
    let mut served: Vec<(String, String)> = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            served.push((method.to_uppercase(), path.clone()));
        }
    }
    served.sort();
    let mut written: Vec<(String, String)> = MATRIX
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    written.sort();
    assert_eq!(served, written, "routes served vs. the written matrix");

    for (method, path, who) in MATRIX {
        if *method == "DELETE" && *path == "/api/v1/session" {
            continue; // logging out ends the session the loop below reuses
        }
        let url = concrete(path);
        let anon = server.request(method, &url, &[("Content-Type", "application/json")], b"{}");
        if *who == "public" {
            assert_ne!(
                anon.status,
                401,
                "{method} {path} is public: {}",
                anon.text()
            );
        } else {
            assert_eq!(
                anon.status,
                401,
                "{method} {path} without login: {}",
                anon.text()
            );
            assert_eq!(anon.json()["code"], "unauthenticated");
        }
        for role in ROLES {
            let s = server.login(role, PW);
            let r = if *method == "GET" {
                s.get(&url)
            } else {
                s.send(method, &url, &json!({}))
            };
            assert!(
                r.status < 500,
                "{method} {path} as {role}: {} {}",
                r.status,
                r.text()
            );
            let allowed = matches!(*who, "public" | "any") || who.split(' ').any(|w| w == role);
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
}

#[test]
fn every_state_changing_route_needs_the_csrf_token() {
    let (_dir, archive) = archive_with_users();
    let server = Server::start(&archive, &[]);
    let admin = server.login("admin", PW);
    for (method, path, _) in MATRIX {
        if matches!(*method, "GET" | "HEAD") || *path == "/api/v1/session" && *method == "POST" {
            continue;
        }
        let url = concrete(path);
        for token in [None, Some("not-the-token")] {
            let mut headers = vec![
                ("Cookie", admin.cookie.as_str()),
                ("Content-Type", "application/json"),
            ];
            if let Some(t) = token {
                headers.push(("X-CSRF-Token", t));
            }
            let r = http(&server.addr, method, &url, &headers, b"{}");
            assert_eq!(
                r.status,
                403,
                "{method} {path} with token {token:?}: {}",
                r.text()
            );
            assert_eq!(r.json()["code"], "csrf_failed", "{method} {path}");
        }
    }
    // The session still works with its token (the refusals above changed nothing).
    assert_eq!(admin.get("/api/v1/session").status, 200);
}

#[test]
fn an_expired_session_and_a_disabled_user_are_refused() {
    let (_dir, archive) = archive_with_users();
    let server = Server::start(&archive, &[]);
    let viewer = server.login("viewer", PW);
    let clerk = server.login("clerk", PW);
    assert_eq!(viewer.get("/api/v1/search?q=consent").status, 200);
    // Time passes past the viewer's session end.
    let conn = rusqlite::Connection::open(archive.join("catalog.db")).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    conn.execute(
        "UPDATE sessions SET expires_at = '2000-01-01T00:00:00.000Z' WHERE username = 'viewer'",
        [],
    )
    .unwrap();
    drop(conn);
    let r = viewer.get("/api/v1/search?q=consent");
    assert_eq!(r.status, 401, "{}", r.text());
    assert!(r.text().contains("expired"), "{}", r.text());
    // An administrator disables the clerk: the open session ends at once, and no new one.
    assert_eq!(clerk.get("/api/v1/review").status, 200);
    let o = common::run(&archive, &["user", "disable", "clerk"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    assert_eq!(clerk.get("/api/v1/review").status, 401);
    let r = server.request(
        "POST",
        "/api/v1/session",
        &[("Content-Type", "application/json")],
        json!({"username": "clerk", "password": PW})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(r.status, 401, "{}", r.text());
    assert_eq!(r.json()["code"], "login_failed");
}
