//! The core knows no UI: the model, spatial index, metrics, edits, file formats,
//! basemap and CLI never name egui, eframe or walkers.

use std::path::Path;

const CORE: [&str; 13] = [
    "model.rs",
    "grid.rs",
    "spatial.rs",
    "metrics.rs",
    "edit.rs",
    "io",
    "basemap.rs",
    "format.rs",
    "cli.rs",
    "generate.rs",
    "quality.rs",
    "optimize.rs",
    "rng.rs",
];
const UI_CRATES: [&str; 4] = ["egui", "eframe", "walkers", "rfd"];

fn rust_files(path: &Path, out: &mut Vec<std::path::PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).expect("readable dir") {
            rust_files(&entry.expect("entry").path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_owned());
    }
}

#[test]
fn core_modules_do_not_name_ui_crates() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for m in CORE {
        rust_files(&src.join(m), &mut files);
    }
    assert!(files.len() >= CORE.len(), "core modules moved? {files:?}");
    let mut offenders = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("readable");
        for (n, line) in text.lines().enumerate() {
            let words = line.split(|c: char| !(c.is_alphanumeric() || c == '_'));
            if words.into_iter().any(|w| UI_CRATES.contains(&w)) {
                offenders.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(offenders.is_empty(), "the core names a UI crate:\n{}", offenders.join("\n"));
}
