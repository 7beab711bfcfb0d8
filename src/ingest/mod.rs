//! Ingest sources: command-line paths and folders, turned into [`ScanInput`]s.
//!
//! Input: PATH arguments. Output: scans in a stable order (contract §2): a file is a scan; a
//! folder is walked recursively; a folder whose files are all single-page images (PNG,
//! JPEG) is one folder batch, pages in file-name order; every other file is its own scan.
//! Things that cannot be read (missing, symlink loops, permission) become
//! [`ScanInputKind::Unreadable`] entries so they are quarantined, not silently skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::model::{ScanInput, ScanInputKind};

/// Names scanners and desktops leave in folders that are not scans.
fn is_junk(name: &str) -> bool {
    name.starts_with('.')
        || name.eq_ignore_ascii_case("thumbs.db")
        || name.eq_ignore_ascii_case("desktop.ini")
}

fn is_page_image(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref(),
        Some("png" | "jpg" | "jpeg" | "bmp" | "webp")
    )
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn relative(path: &Path, root: &Path, root_name: &str) -> String {
    match path.strip_prefix(root) {
        Ok(rel) if rel.as_os_str().is_empty() => root_name.to_string(),
        Ok(rel) => rel.to_string_lossy().into_owned(),
        Err(_) => path.display().to_string(),
    }
}

/// Lists the scans under the given paths.
pub fn discover(paths: &[PathBuf]) -> Vec<ScanInput> {
    let mut out = Vec::new();
    for path in paths {
        // A path the user named is followed if it is a link (they chose it); the scan is
        // read from the link's target, opened without following links from then on.
        let resolved;
        let path = match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => match std::fs::canonicalize(path) {
                Ok(t) => {
                    resolved = t;
                    &resolved
                }
                Err(e) => {
                    out.push(ScanInput {
                        source_path: name_of(path),
                        kind: ScanInputKind::Unreadable {
                            path: path.clone(),
                            reason: describe_io(&e),
                        },
                    });
                    continue;
                }
            },
            _ => path,
        };
        match std::fs::metadata(path) {
            Err(e) => out.push(ScanInput {
                source_path: name_of(path),
                kind: ScanInputKind::Unreadable {
                    path: path.clone(),
                    reason: describe_io(&e),
                },
            }),
            Ok(m) if m.is_dir() => discover_folder(path, &mut out),
            Ok(m) if !m.is_file() => out.push(ScanInput {
                source_path: name_of(path),
                kind: ScanInputKind::Unreadable {
                    path: path.clone(),
                    reason: not_regular(&m.file_type()),
                },
            }),
            Ok(_) => out.push(ScanInput {
                source_path: name_of(path),
                kind: ScanInputKind::File(path.clone()),
            }),
        }
    }
    out
}

/// Why an entry that is neither a regular file nor a folder is not read.
pub fn not_regular(t: &std::fs::FileType) -> String {
    use std::os::unix::fs::FileTypeExt;
    let what = if t.is_symlink() {
        return "symbolic link inside a folder: not followed (name the file itself to ingest it)"
            .into();
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a file"
    };
    format!("not a regular file ({what}): not read")
}

/// A file name as it may be shown in a message or a log line: control characters (a
/// newline that would forge a line, terminal escapes) are escaped.
pub fn printable(name: &str) -> String {
    if !name.chars().any(char::is_control) {
        return name.to_string();
    }
    name.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn discover_folder(root: &Path, out: &mut Vec<ScanInput>) {
    let root_name = name_of(root);
    // Files grouped by their folder, in file-name order.
    let mut folders: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    // Folders where a page image was a link or a special file: as a batch they would be
    // missing that page without a word, so the whole folder is refused instead.
    let mut incomplete: BTreeMap<PathBuf, String> = BTreeMap::new();
    // Links inside a folder are never followed: a link dropped into a scanner share must
    // not make the archive read (and keep) a file it points to.
    for entry in WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
    {
        match entry {
            Ok(e) if e.file_type().is_dir() => {}
            Ok(e) if !e.file_type().is_file() => {
                if is_junk(&e.file_name().to_string_lossy()) {
                    continue;
                }
                if is_page_image(e.path()) {
                    let parent = e.path().parent().unwrap_or(root).to_path_buf();
                    incomplete
                        .entry(parent)
                        .or_insert_with(|| e.file_name().to_string_lossy().into_owned());
                }
                out.push(ScanInput {
                    source_path: relative(e.path(), root, &root_name),
                    kind: ScanInputKind::Unreadable {
                        path: e.path().to_path_buf(),
                        reason: not_regular(&e.file_type()),
                    },
                });
            }
            Ok(e) => {
                if is_junk(&e.file_name().to_string_lossy()) {
                    continue;
                }
                let parent = e.path().parent().unwrap_or(root).to_path_buf();
                folders
                    .entry(parent)
                    .or_default()
                    .push(e.path().to_path_buf());
            }
            Err(e) => {
                let path = e
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| root.into());
                let reason = if e.loop_ancestor().is_some() {
                    "symbolic link loop".to_string()
                } else if let Some(io) = e.io_error() {
                    describe_io(io)
                } else {
                    e.to_string()
                };
                out.push(ScanInput {
                    source_path: relative(&path, root, &root_name),
                    kind: ScanInputKind::Unreadable { path, reason },
                });
            }
        }
    }
    for (folder, files) in folders {
        if let Some(odd) = incomplete.get(&folder) {
            if files.iter().all(|f| is_page_image(f)) {
                out.push(ScanInput {
                    source_path: relative(&folder, root, &root_name),
                    kind: ScanInputKind::Unreadable {
                        path: folder.clone(),
                        reason: format!(
                            "folder of page images with {} not a regular file: not ingested, \
                             so that no page goes missing (replace it with the page itself)",
                            printable(odd)
                        ),
                    },
                });
                continue;
            }
        }
        if files.len() > 1 && files.iter().all(|f| is_page_image(f)) {
            out.push(ScanInput {
                source_path: relative(&folder, root, &root_name),
                kind: ScanInputKind::FolderBatch(files),
            });
        } else {
            for f in files {
                out.push(ScanInput {
                    source_path: relative(&f, root, &root_name),
                    kind: ScanInputKind::File(f),
                });
            }
        }
    }
}

/// A short reason for an I/O error, without the OS error number noise.
pub fn describe_io(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "file does not exist (or is a broken link)".into(),
        ErrorKind::PermissionDenied => "permission denied".into(),
        _ if e.raw_os_error() == Some(40) => "symbolic link loop".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_forge_lines() {
        assert_eq!(printable("scan 1.pdf"), "scan 1.pdf");
        let p = printable("x.pdf\ningested: 1 scans\u{1b}[2J");
        assert!(!p.contains('\n') && !p.contains('\u{1b}'), "{p}");
        assert!(p.contains("\\n"), "{p}");
    }

    #[test]
    fn links_inside_folders_are_not_followed_but_a_named_link_is() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("master.key");
        std::fs::write(&secret, b"secret").unwrap();
        let inbox = dir.path().join("inbox");
        std::fs::create_dir_all(&inbox).unwrap();
        std::fs::write(inbox.join("a.png"), b"x").unwrap();
        std::os::unix::fs::symlink(&secret, inbox.join("mk.png")).unwrap();
        let found = discover(std::slice::from_ref(&inbox));
        let link = found
            .iter()
            .find(|s| s.source_path.contains("mk.png"))
            .unwrap();
        match &link.kind {
            ScanInputKind::Unreadable { reason, .. } => {
                assert!(reason.contains("symbolic link"), "{reason}")
            }
            other => panic!("a link in a folder was taken as a scan: {other:?}"),
        }
        // The folder is not a batch missing a page: it is refused whole.
        let batch = dir.path().join("batch");
        std::fs::create_dir_all(&batch).unwrap();
        std::fs::write(batch.join("p1.png"), b"x").unwrap();
        std::fs::write(batch.join("p3.png"), b"x").unwrap();
        std::os::unix::fs::symlink(&secret, batch.join("p2.png")).unwrap();
        let found = discover(std::slice::from_ref(&batch));
        assert!(
            found
                .iter()
                .all(|s| matches!(s.kind, ScanInputKind::Unreadable { .. })),
            "{found:?}"
        );
        assert!(found.iter().any(|s| matches!(&s.kind,
            ScanInputKind::Unreadable { reason, .. } if reason.contains("no page goes missing"))));
        // Named directly: followed, read from its target.
        let named = discover(&[inbox.join("mk.png")]);
        assert!(
            matches!(&named[0].kind, ScanInputKind::File(p) if *p == secret.canonicalize().unwrap()),
            "{named:?}"
        );
    }

    #[test]
    fn folders_of_images_are_batches_and_other_files_are_scans() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("in");
        std::fs::create_dir_all(root.join("chart_a")).unwrap();
        std::fs::create_dir_all(root.join("mixed")).unwrap();
        for n in ["page_002.png", "page_001.png", ".DS_Store"] {
            std::fs::write(root.join("chart_a").join(n), b"x").unwrap();
        }
        std::fs::write(root.join("mixed/a.png"), b"x").unwrap();
        std::fs::write(root.join("mixed/b.pdf"), b"x").unwrap();
        std::fs::write(root.join("top.tif"), b"x").unwrap();
        let scans = discover(std::slice::from_ref(&root));
        let paths: Vec<&str> = scans.iter().map(|s| s.source_path.as_str()).collect();
        assert_eq!(
            paths,
            vec!["top.tif", "chart_a", "mixed/a.png", "mixed/b.pdf"]
        );
        match &scans[1].kind {
            ScanInputKind::FolderBatch(files) => {
                assert!(files[0].ends_with("page_001.png"));
                assert_eq!(files.len(), 2);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn missing_path_is_unreadable_not_skipped() {
        let scans = discover(&[PathBuf::from("/nonexistent/x.pdf")]);
        assert!(matches!(scans[0].kind, ScanInputKind::Unreadable { .. }));
        assert_eq!(scans[0].source_path, "x.pdf");
    }
}
