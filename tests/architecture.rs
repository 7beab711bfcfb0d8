//! The module graph stays the shape ARCHITECTURE.md draws: every top-level module sits in a
//! layer and uses only modules of its own layer or below, the modules form no import cycle,
//! and the files of one module form none either. Run with `--nocapture` to print the graph.
//!
//! "Uses" means a `crate::m` path in code (comments and `#[cfg(test)] mod tests` left out);
//! inside a module, a `super::f` or `crate::this::f` path naming a sibling file. A module's
//! `mod.rs` is its root: children use its items, which is not a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lowest first. ARCHITECTURE.md shows the same table.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "foundation",
        &["access", "clock", "corpus", "keys", "model"],
    ),
    (
        "stages and stores",
        &[
            "catalog",
            "classify",
            "config",
            "describe",
            "export",
            "extract",
            "imaging",
            "index",
            "ingest",
            "ocr",
            "release",
            "retention",
            "split",
            "store",
        ],
    ),
    ("archive", &["archive"]),
    (
        "operations",
        &["eval", "pipeline", "purge", "scale", "scheduler"],
    ),
    ("service", &["service"]),
    ("front doors", &["cli", "web"]),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The code of a file without comments and without its test module.
fn code_of(path: &Path) -> String {
    let text = without_test_module(&std::fs::read_to_string(path).unwrap());
    let mut out = String::new();
    let mut in_block = false;
    for line in text.lines() {
        let mut line = line;
        if in_block {
            match line.find("*/") {
                Some(i) => {
                    line = &line[i + 2..];
                    in_block = false;
                }
                None => continue,
            }
        }
        // A line comment first: `pipelines/*.toml` in a doc comment opens no block.
        line = line.split("//").next().unwrap_or_default();
        if let Some(i) = line.find("/*") {
            in_block = !line[i..].contains("*/");
            line = &line[..i];
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The text without its `#[cfg(test)] mod tests { ... }` block (braces counted).
fn without_test_module(text: &str) -> String {
    let Some(start) = text.find("#[cfg(test)]\nmod tests") else {
        return text.to_string();
    };
    let Some(open) = text[start..].find('{').map(|i| start + i) else {
        return text[..start].to_string();
    };
    let mut depth = 0usize;
    for (i, c) in text[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return format!("{}{}", &text[..start], &text[open + i + 1..]);
                }
            }
            _ => {}
        }
    }
    text[..start].to_string()
}

/// Identifiers that follow `prefix` (`crate::` gives `archive` for `crate::archive::X` and
/// `a`, `b` for `crate::{a, b::C}`).
fn names_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in code.match_indices(prefix) {
        let rest = &code[i + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                out.insert(ident(item.trim()));
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out
}

/// Children of a folder: file stems and subfolder names.
fn children(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|x| x == "rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|n| n != "lib" && n != "main")
        .collect()
}

type Graph = BTreeMap<String, BTreeSet<String>>;

fn module_graph() -> Graph {
    let root = src();
    let modules = children(&root);
    let mut graph = Graph::new();
    for m in &modules {
        let dir = root.join(m);
        let files = if dir.is_dir() {
            rust_files(&dir)
        } else {
            vec![root.join(format!("{m}.rs"))]
        };
        let used = graph.entry(m.clone()).or_default();
        for f in files {
            for n in names_after(&code_of(&f), "crate::") {
                if modules.contains(&n) && &n != m {
                    used.insert(n);
                }
            }
        }
    }
    graph
}

/// Within module folder `m`: which sibling file each file uses (`mod.rs` left out).
fn file_graph(m: &str) -> Graph {
    let dir = src().join(m);
    let kids = children(&dir);
    let mut graph = Graph::new();
    for kid in kids.iter().filter(|k| *k != "mod") {
        let path = dir.join(kid);
        let files = if path.is_dir() {
            rust_files(&path)
        } else {
            vec![dir.join(format!("{kid}.rs"))]
        };
        let used = graph.entry(kid.clone()).or_default();
        for f in files {
            let code = code_of(&f);
            let direct = f.parent() == Some(dir.as_path());
            let mut names = names_after(&code, &format!("crate::{m}::"));
            if direct {
                names.extend(names_after(&code, "super::"));
            }
            for n in names {
                if kids.contains(&n) && &n != kid && n != "mod" {
                    used.insert(n);
                }
            }
        }
    }
    graph
}

/// Groups of nodes that reach each other (strongly connected, more than one node).
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    let nodes: Vec<&String> = graph.keys().collect();
    let reach = |from: &String| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(n) = todo.pop() {
            for next in graph.get(&n).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&String, BTreeSet<String>> =
        nodes.iter().map(|n| (*n, reach(n))).collect();
    let mut out: Vec<Vec<String>> = Vec::new();
    for n in &nodes {
        let group: Vec<String> = nodes
            .iter()
            .filter(|o| reached[n].contains(**o) && reached[**o].contains(*n))
            .map(|o| o.to_string())
            .collect();
        if group.len() > 1 && !out.contains(&group) {
            out.push(group);
        }
    }
    out
}

fn print(title: &str, graph: &Graph) {
    println!("{title}");
    for (m, used) in graph {
        let used: Vec<&str> = used.iter().map(String::as_str).collect();
        println!("  {m:<10} -> {}", used.join(" "));
    }
}

#[test]
fn modules_use_only_their_layer_and_below_without_cycles() {
    let graph = module_graph();
    print("module graph (src/):", &graph);
    let layer_of = |m: &str| LAYERS.iter().position(|(_, ms)| ms.contains(&m));
    let mut problems = Vec::new();
    for (m, used) in &graph {
        let Some(mine) = layer_of(m) else {
            problems.push(format!(
                "module {m} is in no layer: add it to LAYERS and ARCHITECTURE.md"
            ));
            continue;
        };
        for u in used {
            if let Some(theirs) = layer_of(u) {
                if theirs > mine {
                    problems.push(format!(
                        "{m} ({}) uses {u} ({}), a layer above it",
                        LAYERS[mine].0, LAYERS[theirs].0
                    ));
                }
            }
        }
    }
    for c in cycles(&graph) {
        problems.push(format!("import cycle among modules: {}", c.join(" ")));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_files_of_a_module_form_no_cycle() {
    let mut problems = Vec::new();
    for m in children(&src()) {
        if !src().join(&m).is_dir() {
            continue;
        }
        let graph = file_graph(&m);
        if graph.values().any(|u| !u.is_empty()) {
            print(&format!("files of {m}:"), &graph);
        }
        for c in cycles(&graph) {
            problems.push(format!("import cycle among files of {m}: {}", c.join(" ")));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_checker_sees_cycles_and_paths() {
    let code = "//! reads pipelines/*.toml\nuse crate::{model, archive::Archive};\n// crate::web in a comment\n/* crate::cli\n crate::cli */\nlet x = crate::store::put();\n#[cfg(test)]\nmod tests {\n fn f() { crate::cli::x(); }\n}\nfn after() { crate::clock::today(); }";
    let names = names_after(&code_of_str(code), "crate::");
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        ["archive", "clock", "model", "store"]
    );
    let mut g = Graph::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("a".into());
    g.entry("c".into()).or_default().insert("a".into());
    assert_eq!(cycles(&g), vec![vec!["a".to_string(), "b".to_string()]]);
}

fn code_of_str(s: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.rs");
    std::fs::write(&p, s).unwrap();
    code_of(&p)
}

/// Errors are types that say what went wrong (and carry a code where a person sees them),
/// never a bare `String`.
#[test]
fn no_string_errors_in_library_code() {
    let mut found = Vec::new();
    for f in rust_files(&src()) {
        for (i, line) in code_of(&f).lines().enumerate() {
            if let Some(at) = line.find("Result<") {
                if line[at..].contains(", String>") {
                    found.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "Result<_, String> in:\n{}",
        found.join("\n")
    );
}

/// The parts of an archive (`catalog`, `index`, `store`, `keys`, `root`) reached through a
/// value: `x.catalog.` and the like, as the front doors must never write.
fn archive_parts_reached(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (i, line) in code.lines().enumerate() {
        for part in ["catalog", "index", "store", "keys", "root"] {
            let needle = format!(".{part}.");
            let mut from = 0;
            while let Some(at) = line[from..].find(&needle) {
                let at = from + at;
                // The value before the dot: an identifier (archive, a, writer, ...), not a
                // path (`crate::index::`), a field of ours (`settings.index` would be
                // `.index.` too, so only archive-like names count).
                let before: String = line[..at]
                    .chars()
                    .rev()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ']' || *c == '[')
                    .collect::<String>()
                    .chars()
                    .rev()
                    .collect();
                let archive_like = matches!(before.as_str(), "archive" | "a" | "writer" | "arch")
                    || before.starts_with("readers[");
                if archive_like {
                    found.push(format!("{}: {}", i + 1, line.trim()));
                }
                from = at + needle.len();
            }
        }
    }
    found
}

#[test]
fn the_front_doors_reach_the_archive_only_through_the_service() {
    let mut found = Vec::new();
    for door in ["cli", "web"] {
        for f in rust_files(&src().join(door)) {
            for hit in archive_parts_reached(&code_of(&f)) {
                found.push(format!("{}:{hit}", f.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "cli/ and web/ reach into the archive's parts (call a service:: function instead):\n{}",
        found.join("\n")
    );
    // The check sees what it looks for.
    assert_eq!(
        archive_parts_reached("let n = archive.catalog.users()?;\nlet x = a.store.get(b);").len(),
        2
    );
    assert!(archive_parts_reached("crate::index::SearchQuery; settings.config.index.x").is_empty());
}
