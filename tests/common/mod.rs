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
