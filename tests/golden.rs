//! Golden files: every command's table and `--json` output on fixed inputs, byte for
//! byte, so that moving code (the command line into a folder, JSON built from
//! `Serialize` structs) cannot change a figure's format (`12.30` into `12.3`) unseen.
//!
//! The expectations are the outputs of the code before such a move, committed under
//! `tests/golden/`. A deliberate change of output regenerates them:
//! `UPDATE_GOLDEN=1 cargo test --test golden`, then review the diff.
//! Timings (`"seconds"`, "… s"), temporary paths and the repository's path are masked
//! before comparing.

mod common;

use std::path::Path;

use common::{bin, fixture, tmp};

/// Runs the binary and returns "exit N", stdout and stderr, with volatile parts masked.
fn output(args: &[&str]) -> String {
    let out = bin().args(args).output().expect("binary runs");
    let dir = tmp("x");
    let dir = dir.parent().expect("temp dir").to_string_lossy().into_owned();
    let text = |b: &[u8]| {
        let s = String::from_utf8_lossy(b).replace(&dir, "<tmp>").replace(env!("CARGO_MANIFEST_DIR"), "<repo>");
        mask_seconds(&s)
    };
    format!("exit {}\n{}--- stderr\n{}", out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

/// `"seconds": 0.123` → `"seconds": <t>`, and `in 0.12 s` → `in <t> s`.
fn mask_seconds(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s.split_inclusive('\n') {
        if let Some(i) = line.find("\"seconds\":") {
            let rest = &line[i + 10..];
            let end = rest.find([',', '\n', '}']).unwrap_or(rest.len());
            out.push_str(&line[..i + 10]);
            out.push_str(" <t>");
            out.push_str(&rest[end..]);
        } else {
            out.push_str(&mask_in_seconds(line));
        }
    }
    out
}

fn mask_in_seconds(line: &str) -> String {
    // "… in 0.12 s" / "(0.12 s)": a number directly followed by " s".
    let words: Vec<&str> = line.split(' ').collect();
    let mut out = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let next_is_s = words
            .get(i + 1)
            .is_some_and(|n| n.strip_prefix('s').is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric())));
        let num = w.trim_start_matches('(');
        if next_is_s && !num.is_empty() && num.chars().all(|c| c.is_ascii_digit() || c == '.') {
            out.push(format!("{}<t>", &w[..w.len() - num.len()]));
        } else {
            out.push((*w).to_owned());
        }
    }
    out.join(" ")
}

fn check(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    if expected != actual {
        let line = expected.lines().zip(actual.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "{name} differs at line {}:\n expected: {:?}\n actual:   {:?}",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

#[test]
fn every_command_prints_what_it_printed_before() {
    let csv = tmp("golden.csv");
    let csv = csv.to_str().expect("utf-8 path");
    check(
        "generate.txt",
        &output(&["generate", "--accounts", "1500", "--territories", "6", "--seed", "4", "--out", csv]),
    );
    let plan = tmp("golden.ron");
    let plan = plan.to_str().expect("utf-8 path");
    check("import.txt", &output(&["import", csv, "--out", plan]));
    check("import.json", &output(&["import", csv, "--out", plan, "--json"]));
    check("stats.txt", &output(&["stats", plan]));
    check("stats.json", &output(&["stats", plan, "--json"]));
    let area = fixture("area_box.geojson");
    let area = area.to_str().expect("utf-8 path");
    check("select.txt", &output(&["select", plan, "--polygon", area]));
    check("select.json", &output(&["select", plan, "--polygon", area, "--json"]));
    let out = tmp("golden_out.ron");
    let out = out.to_str().expect("utf-8 path");
    check("assign.txt", &output(&["assign", plan, "--polygon", area, "--to", "Band 02", "--out", out]));
    check("assign.json", &output(&["assign", plan, "--polygon", area, "--to", "Band 02", "--out", out, "--json"]));
    check("quality.txt", &output(&["quality", plan, "--kmeans", "6"]));
    check("quality.json", &output(&["quality", plan, "--kmeans", "6", "--json"]));
    check("balance.txt", &output(&["balance", plan, "--tolerance", "0.05", "--out", out]));
    check("balance.json", &output(&["balance", plan, "--tolerance", "0.05", "--out", out, "--json"]));
    check("redraw.txt", &output(&["redraw", plan, "--territories", "5", "--out", out]));
    check("redraw.json", &output(&["redraw", plan, "--territories", "5", "--out", out, "--json"]));
    let export = tmp("golden_export.csv");
    let export = export.to_str().expect("utf-8 path");
    check("export.txt", &output(&["export", plan, "--out", export]));
    check("export.csv", &std::fs::read_to_string(export).expect("export written"));
    // A CSV with European conventions and rejected rows: the import report's warnings.
    let de = fixture("geocode_de.csv");
    let de = de.to_str().expect("utf-8 path");
    check("import_de.txt", &output(&["import", de, "--out", plan]));
    check("import_de.json", &output(&["import", de, "--out", plan, "--json"]));
}
