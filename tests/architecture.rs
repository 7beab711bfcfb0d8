//! The module graph stays the shape ARCHITECTURE.md draws: every top-level module sits in a
//! layer and uses only modules of its own layer or below, the modules form no import cycle,
//! and the files of one module form none either. Run with `--nocapture` to print the graph.
//!
//! "Uses" means a `crate::m` path in the parsed code (`syn`: use trees, expressions, types,
//! macro bodies; comments, strings and `#[cfg(test)]` items left out);
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

/// What one file's code refers to, read from its syntax tree (so comments, strings and
/// the `#[cfg(test)]` items never count): every path that starts with `crate` or `super`
/// (in `use` trees, expressions, types, patterns and macro bodies), every `Result<_, String>`
/// type, and every archive part reached through a value (`archive.catalog`).
#[derive(Default, Debug)]
struct Facts {
    paths: Vec<Vec<String>>,
    string_errors: Vec<String>,
    parts_reached: Vec<String>,
}

fn facts_of(path: &Path) -> Facts {
    let text = std::fs::read_to_string(path).unwrap();
    facts_of_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn facts_of_str(text: &str) -> syn::Result<Facts> {
    use syn::visit::Visit;
    let file = syn::parse_file(text)?;
    let mut facts = Facts::default();
    facts.visit_file(&file);
    Ok(facts)
}

/// `#[cfg(test)]`, or `#[cfg(all(test, ...))]`: code only a test build has. Not
/// `cfg(not(test))`, nor `cfg(feature = "test-hooks")` (shipped code paths of test builds).
fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg") && {
            let tokens = a.meta.require_list().map(|l| l.tokens.to_string());
            tokens.is_ok_and(|t| {
                let t = t.replace(' ', "");
                t == "test"
                    || t.starts_with("all(test,")
                    || (t.starts_with("all(") && t.contains(",test)"))
            })
        }
    })
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    use syn::Item::*;
    match item {
        Const(i) => &i.attrs,
        Enum(i) => &i.attrs,
        ExternCrate(i) => &i.attrs,
        Fn(i) => &i.attrs,
        ForeignMod(i) => &i.attrs,
        Impl(i) => &i.attrs,
        Macro(i) => &i.attrs,
        Mod(i) => &i.attrs,
        Static(i) => &i.attrs,
        Struct(i) => &i.attrs,
        Trait(i) => &i.attrs,
        TraitAlias(i) => &i.attrs,
        Type(i) => &i.attrs,
        Union(i) => &i.attrs,
        Use(i) => &i.attrs,
        _ => &[],
    }
}

/// The paths of a `use` tree, each from its first segment (`crate::{a, b::C}` gives
/// `crate::a` and `crate::b::C`).
fn use_paths(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_paths(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let mut v = prefix.clone();
            v.push(n.ident.to_string());
            out.push(v);
        }
        syn::UseTree::Rename(r) => {
            let mut v = prefix.clone();
            v.push(r.ident.to_string());
            out.push(v);
        }
        syn::UseTree::Glob(_) => out.push(prefix.clone()),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                use_paths(t, prefix, out);
            }
        }
    }
}

/// `crate :: a :: b` and `super :: x` runs in a macro's tokens (`format!`, `tracing::info!`).
fn token_paths(tokens: proc_macro2::TokenStream, out: &mut Vec<Vec<String>>) {
    use proc_macro2::TokenTree;
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Group(g) => token_paths(g.stream(), out),
            TokenTree::Ident(id) if id == "crate" || id == "super" => {
                let mut path = vec![id.to_string()];
                let mut j = i + 1;
                while j + 2 < tokens.len() {
                    let colons = matches!((&tokens[j], &tokens[j + 1]),
                        (TokenTree::Punct(a), TokenTree::Punct(b)) if a.as_char() == ':' && b.as_char() == ':');
                    match (&tokens[j + 2], colons) {
                        (TokenTree::Ident(next), true) => {
                            path.push(next.to_string());
                            j += 3;
                        }
                        _ => break,
                    }
                }
                if path.len() > 1 {
                    out.push(path);
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
}

impl<'ast> syn::visit::Visit<'ast> for Facts {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if !is_test_only(item_attrs(item)) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !is_test_only(&f.attrs) {
            syn::visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut found = Vec::new();
        use_paths(&u.tree, &mut Vec::new(), &mut found);
        self.paths.extend(
            found
                .into_iter()
                .filter(|p| p.first().is_some_and(|f| f == "crate" || f == "super")),
        );
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segs: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        if p.leading_colon.is_none() && segs.len() > 1 && (segs[0] == "crate" || segs[0] == "super")
        {
            self.paths.push(segs.clone());
        }
        let last = p.segments.last();
        if let Some(seg) = last.filter(|s| s.ident == "Result") {
            if let syn::PathArguments::AngleBracketed(args) = &seg.arguments {
                if let Some(syn::GenericArgument::Type(syn::Type::Path(t))) =
                    args.args.iter().nth(1)
                {
                    if t.path.is_ident("String") {
                        self.string_errors.push(segs.join("::") + "<_, String>");
                    }
                }
            }
        }
        syn::visit::visit_path(self, p);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        token_paths(m.tokens.clone(), &mut self.paths);
        syn::visit::visit_macro(self, m);
    }

    fn visit_expr_field(&mut self, e: &'ast syn::ExprField) {
        if let syn::Member::Named(part) = &e.member {
            let part = part.to_string();
            let base = match &*e.base {
                syn::Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
                syn::Expr::Index(ix) => match &*ix.expr {
                    syn::Expr::Path(p) => p.path.get_ident().map(|i| format!("{i}[]")),
                    _ => None,
                },
                _ => None,
            };
            let archive_like = base
                .as_deref()
                .is_some_and(|b| matches!(b, "archive" | "a" | "writer" | "arch" | "readers[]"));
            if archive_like
                && ["catalog", "index", "store", "keys", "root"].contains(&part.as_str())
            {
                self.parts_reached
                    .push(format!("{}.{part}", base.unwrap_or_default()));
            }
        }
        syn::visit::visit_expr_field(self, e);
    }
}

/// Identifiers that follow `prefix` in a file's paths (`["crate"]` gives `archive` for
/// `crate::archive::X`).
fn names_after(facts: &Facts, prefix: &[&str]) -> BTreeSet<String> {
    facts
        .paths
        .iter()
        .filter(|p| p.len() > prefix.len() && p.iter().zip(prefix).all(|(a, b)| a == b))
        .map(|p| p[prefix.len()].clone())
        .collect()
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
            for n in names_after(&facts_of(&f), &["crate"]) {
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
            let facts = facts_of(&f);
            let direct = f.parent() == Some(dir.as_path());
            let mut names = names_after(&facts, &["crate", m]);
            if direct {
                names.extend(names_after(&facts, &["super"]));
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
    let code = r#"//! reads pipelines/*.toml and crate::cli
use crate::{model, archive::Archive};
// crate::web in a comment
/* crate::cli
 crate::cli */
fn f() -> Result<(), String> {
    let s = "crate::web::x";
    let x = crate::store::put();
    tracing::info!(n = %crate::index::count(), "x");
    let n = archive.catalog.users()?;
    Ok(())
}
#[cfg(test)]
mod tests {
    fn f() { crate::cli::x(); }
}
impl X {
    #[cfg(test)]
    fn g() { crate::web::y(); }
}
#[cfg(not(test))]
fn shipped() { crate::ocr::read(); }
#[cfg(feature = "test-hooks")]
fn hooks() { crate::keys::open(); }
fn after() { crate::clock::today(); }"#;
    let facts = facts_of_str(code).unwrap();
    assert_eq!(
        names_after(&facts, &["crate"])
            .into_iter()
            .collect::<Vec<_>>(),
        ["archive", "clock", "index", "keys", "model", "ocr", "store"]
    );
    assert_eq!(facts.string_errors.len(), 1, "{facts:?}");
    assert_eq!(facts.parts_reached, ["archive.catalog"]);
    let mut g = Graph::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("a".into());
    g.entry("c".into()).or_default().insert("a".into());
    assert_eq!(cycles(&g), vec![vec!["a".to_string(), "b".to_string()]]);
}

/// Errors are types that say what went wrong (and carry a code where a person sees them),
/// never a bare `String`.
#[test]
fn no_string_errors_in_library_code() {
    let mut found = Vec::new();
    for f in rust_files(&src()) {
        for e in facts_of(&f).string_errors {
            found.push(format!("{}: {e}", f.display()));
        }
    }
    assert!(
        found.is_empty(),
        "Result<_, String> in:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_front_doors_reach_the_archive_only_through_the_service() {
    let mut found = Vec::new();
    for door in ["cli", "web"] {
        for f in rust_files(&src().join(door)) {
            for hit in facts_of(&f).parts_reached {
                found.push(format!("{}: {hit}", f.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "cli/ and web/ reach into the archive's parts (call a service:: function instead):\n{}",
        found.join("\n")
    );
    // The check sees what it looks for, and not a path or another value's field.
    let facts = facts_of_str(
        "fn f() { let n = archive.catalog.users(); let x = a.store.get(b); \
         let q = crate::index::SearchQuery::default(); let i = settings.index; }",
    )
    .unwrap();
    assert_eq!(facts.parts_reached, ["archive.catalog", "a.store"]);
}
