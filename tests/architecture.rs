//! The layering, enforced: the core knows no UI (no core module names egui, eframe,
//! walkers or rfd), and every `crate::…` arrow between modules is one of [`ARROWS`], the
//! same list as the crate docs' architecture map. Test modules at the end of a file
//! (`#[cfg(test)] mod …`) and `tests.rs` files are left out: tests may use anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each module of `src/` with the modules it may use. Items of the crate root (`both`,
/// `catch_panic`) are for everyone. Core modules never use `app` or `cli`; `io` never
/// uses `optimize`.
const ARROWS: &[(&str, &[&str])] = &[
    (
        "app",
        &[
            "basemap", "compare", "edit", "export", "format", "grid", "io", "metrics", "model", "optimize", "quality",
            "recovery", "render", "shapes", "spatial", "update",
        ],
    ),
    ("basemap", &["io", "spatial"]),
    (
        "cli",
        &[
            "basemap", "compare", "edit", "export", "format", "generate", "io", "metrics", "model", "optimize",
            "quality", "render", "shapes", "spatial", "update",
        ],
    ),
    ("compare", &["io", "metrics", "model"]),
    ("edit", &["format", "metrics", "model"]),
    ("export", &["io", "metrics", "model", "shapes"]),
    ("format", &[]),
    ("generate", &["rng"]),
    ("grid", &["model", "spatial"]),
    ("io", &["format", "grid", "metrics", "model", "recovery", "spatial"]),
    ("metrics", &["model", "spatial"]),
    ("model", &["format"]),
    ("optimize", &["io", "metrics", "model", "quality", "rng"]),
    ("quality", &["metrics", "model", "rng", "spatial"]),
    ("recovery", &["edit", "io", "model"]),
    ("render", &["basemap", "compare", "format", "io", "metrics", "model", "shapes", "spatial"]),
    ("rng", &[]),
    ("shapes", &["basemap", "io", "model", "quality"]),
    ("spatial", &["model"]),
    ("update", &["io", "metrics", "model", "quality"]),
];

const UI_CRATES: [&str; 4] = ["egui", "eframe", "walkers", "rfd"];
const ROOT_ITEMS: [&str; 2] = ["PARALLEL_MIN", "catch_panic"];

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).expect("readable dir") {
            rust_files(&entry.expect("entry").path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") && path.file_name().is_some_and(|n| n != "tests.rs") {
        out.push(path.to_owned());
    }
}

/// The code of a file without its trailing test modules and without comments.
fn code(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).expect("readable");
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        if *line == "#[cfg(test)]" && lines.get(n + 1).is_some_and(|l| l.starts_with("mod ")) {
            break;
        }
        let code = line.split("//").next().unwrap_or("");
        out.push((n + 1, code.to_owned()));
    }
    out
}

/// The modules of `src/` (files and folders), apart from the binary's `main` and `lib`.
fn modules() -> BTreeMap<String, PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&src).expect("src") {
        let path = entry.expect("entry").path();
        let name = path.file_stem().expect("name").to_string_lossy().into_owned();
        if name != "main" && name != "lib" {
            out.insert(name, path);
        }
    }
    out
}

#[test]
fn the_arrows_between_modules_are_the_documented_ones() {
    let allowed: BTreeMap<&str, BTreeSet<&str>> =
        ARROWS.iter().map(|(m, to)| (*m, to.iter().copied().collect())).collect();
    let mods = modules();
    let listed: BTreeSet<&str> = allowed.keys().copied().collect();
    let found: BTreeSet<&str> = mods.keys().map(String::as_str).collect();
    assert_eq!(listed, found, "a module was added or removed: list it in ARROWS and in the crate docs");
    let mut wrong = Vec::new();
    for (name, path) in &mods {
        let mut files = Vec::new();
        rust_files(path, &mut files);
        for f in &files {
            for (n, line) in code(f) {
                for (i, _) in line.match_indices("crate::") {
                    let to: String =
                        line[i + 7..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    if to.is_empty() || to == *name || ROOT_ITEMS.contains(&to.as_str()) {
                        continue;
                    }
                    if !allowed[name.as_str()].contains(to.as_str()) {
                        wrong.push(format!("{}:{n}: {name} → {to}", f.display()));
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "arrows not in ARROWS (and the crate docs' map):\n{}", wrong.join("\n"));
    // The rules the list must keep.
    for (m, to) in ARROWS {
        if *m != "app" {
            assert!(!to.contains(&"app"), "{m} may not use the editor");
        }
        if *m != "app" && *m != "cli" {
            assert!(!to.contains(&"cli"), "{m} may not use the command line");
        }
    }
    assert!(!allowed["io"].contains("optimize"), "io may not use optimize");
}

#[test]
fn core_modules_do_not_name_ui_crates() {
    let mut files = Vec::new();
    for (name, path) in modules() {
        if name != "app" {
            rust_files(&path, &mut files);
        }
    }
    assert!(files.len() > 20, "core modules moved? {files:?}");
    let mut offenders = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("readable");
        for (n, line) in text.lines().enumerate().map(|(n, l)| (n + 1, l)) {
            let words = line.split(|c: char| !(c.is_alphanumeric() || c == '_'));
            if words.into_iter().any(|w| UI_CRATES.contains(&w)) {
                offenders.push(format!("{}:{n}: {}", f.display(), line.trim()));
            }
        }
    }
    assert!(offenders.is_empty(), "the core names a UI crate:\n{}", offenders.join("\n"));
}
