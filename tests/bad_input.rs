//! Hostile and broken inputs are quarantined with a reason naming the file; good scans in
//! the same run are archived; the exit code says some were quarantined.

mod common;
use common::*;
use std::path::Path;

fn quarantine_reasons(archive: &Path) -> Vec<(String, String)> {
    of_kind(&export(archive), "scan")
        .into_iter()
        .filter(|s| s["status"] == "quarantined")
        .map(|s| {
            (
                s["source"]["path"].as_str().unwrap().to_string(),
                s["error"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut crc = 0xFFFF_FFFFu32;
    for &b in b"IHDR".iter().chain(&ihdr) {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(b"IHDR");
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&(!crc).to_be_bytes());
    png
}

#[test]
fn every_kind_of_bad_input_is_quarantined_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    let scans = samples().join("scans");
    let pdf = std::fs::read(scans.join("consent_form.pdf")).unwrap();
    let tif = std::fs::read(scans.join("progress_note.tif")).unwrap();

    std::fs::write(inbox.join("empty.pdf"), b"").unwrap();
    std::fs::write(inbox.join("truncated.pdf"), &pdf[..pdf.len() / 2]).unwrap();
    std::fs::write(inbox.join("truncated.tif"), &tif[..tif.len() / 3]).unwrap();
    std::fs::write(
        inbox.join("notes.pdf"),
        b"this is a text file, not a scan\n",
    )
    .unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/encrypted.pdf"),
        inbox.join("encrypted.pdf"),
    )
    .unwrap();
    std::fs::write(inbox.join("bomb.png"), png_header(60000, 60000)).unwrap();
    // A JPEG scan cut in half (`head -c 50%`): its bottom half would decode as grey.
    let mut jpg = Vec::new();
    image::open(scans.join("discharge_summary.png"))
        .unwrap()
        .write_to(
            &mut std::io::Cursor::new(&mut jpg),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    std::fs::write(inbox.join("half.jpg"), &jpg[..jpg.len() / 2]).unwrap();
    std::os::unix::fs::symlink(inbox.join("gone.tif"), inbox.join("dangling.tif")).unwrap();
    std::fs::create_dir_all(inbox.join("loop")).unwrap();
    std::os::unix::fs::symlink(inbox.join("loop"), inbox.join("loop/again")).unwrap();
    std::fs::copy(scans.join("discharge_summary.png"), inbox.join("good.png")).unwrap();

    let archive = dir.path().join("archive");
    let o = run(&archive, &["ingest", "--quiet", inbox.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "stdout {} stderr {}",
        stdout(&o),
        stderr(&o)
    );
    assert!(stdout(&o).contains("ingested 1 scans"), "{}", stdout(&o));

    let reasons = quarantine_reasons(&archive);
    let reason_of = |name: &str| {
        reasons
            .iter()
            .find(|(p, _)| p.contains(name))
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| panic!("{name} not quarantined: {reasons:?}"))
    };
    assert!(reason_of("empty.pdf").contains("empty"));
    assert!(reason_of("truncated.pdf").contains("truncated"));
    let t = reason_of("truncated.tif");
    assert!(!t.is_empty());
    assert!(reason_of("notes.pdf").contains("not a PDF"));
    assert!(reason_of("encrypted.pdf").contains("encrypted"));
    assert!(reason_of("bomb.png").contains("over the limit"));
    assert!(
        reason_of("half.jpg").contains("truncated"),
        "{}",
        reason_of("half.jpg")
    );
    // Links inside a folder are never followed (a dangling one, a loop alike).
    assert!(reason_of("dangling.tif").contains("symbolic link"));
    assert!(reason_of("loop").contains("symbolic link"));

    // Each quarantined scan is named on stderr with its reason, one line each.
    let err = stderr(&o);
    for name in [
        "empty.pdf",
        "truncated.pdf",
        "notes.pdf",
        "encrypted.pdf",
        "bomb.png",
    ] {
        assert!(
            err.lines()
                .any(|l| l.starts_with("quarantined:") && l.contains(name)),
            "{name} missing from stderr:\n{err}"
        );
    }
    // Quarantine records exist on disk.
    let records = std::fs::read_dir(archive.join("quarantine"))
        .unwrap()
        .count();
    assert!(records >= 8, "{records} quarantine records");

    // The good scan is searchable; nothing already archived is lost by a second bad run.
    let o = run(&archive, &["ingest", "--quiet", inbox.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let o = run(&archive, &["search", "metoprolol", "--json"]);
    let res: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(res["total"], 1);

    // Quarantined originals are sealed in the store, never left in plaintext beside their
    // reason; they are listed, given back on request, carried by backups, and purgeable.
    for entry in walkdir::WalkDir::new(archive.join("quarantine")) {
        let entry = entry.unwrap();
        assert_ne!(
            entry.file_name(),
            "original",
            "plaintext copy at {:?}",
            entry.path()
        );
    }
    let o = run(&archive, &["quarantine", "list"]);
    let list = stdout(&o);
    let line = list
        .lines()
        .find(|l| l.contains("truncated.pdf"))
        .unwrap_or_else(|| panic!("{list}"));
    assert!(
        line.contains("sealed copy") && line.contains("truncated"),
        "{line}"
    );
    let id = line.split_whitespace().next().unwrap();
    let back = dir.path().join("back.pdf");
    let o = run(
        &archive,
        &["quarantine", "export", id, "--out", back.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(&back).unwrap(), &pdf[..pdf.len() / 2]);
    let backup = dir.path().join("backup");
    let o = run(&archive, &["backup", backup.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Never destroyed by hand: only a purge job destroys it (tests/quarantine_retention.rs).
    let o = run(&archive, &["quarantine", "purge", id]);
    assert!(!o.status.success());
    assert!(stdout(&run(&archive, &["quarantine", "list"])).contains("truncated.pdf"));
    let o = run(&archive, &["verify"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn an_unreadable_file_is_quarantined() {
    // Root can read any file, so unreadability is exercised with a broken link when root.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("locked.pdf");
    std::fs::copy(samples().join("scans/consent_form.pdf"), &f).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o000)).unwrap();
    let readable_anyway = std::fs::read(&f).is_ok();
    let target = if readable_anyway {
        let link = dir.path().join("moved.pdf");
        std::os::unix::fs::symlink(dir.path().join("was-moved.pdf"), &link).unwrap();
        link
    } else {
        f
    };
    let archive = dir.path().join("archive");
    let o = run(&archive, &["ingest", "--quiet", target.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let name = target.file_name().unwrap().to_str().unwrap();
    assert!(err.contains(name), "{err}");
    assert!(
        err.contains("permission denied") || err.contains("does not exist"),
        "{err}"
    );
}
