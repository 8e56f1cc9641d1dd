//! File formats: RON round trips, the demo import against sums computed here from
//! the CSV text, broken CSV files, and broken RON files.

use std::path::{Path, PathBuf};

use territory_editor::io::csv_import::{ImportOptions, import_bytes, import_bytes_sorted, import_file};
use territory_editor::io::number::DecimalFormat;
use territory_editor::io::plan_file;
use territory_editor::metrics::Metrics;
use territory_editor::model::Cents;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn demo_bytes() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo_accounts_us.csv"))
        .expect("demo CSV is bundled")
}

/// Splits one line of the demo CSV (RFC 4180, quotes only around names) by hand.
fn split_demo_line(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().expect("a field").push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(String::new()),
            c => out.last_mut().expect("a field").push(c),
        }
    }
    out
}

#[test]
fn demo_imports_with_totals_equal_to_the_csv_text() {
    let bytes = demo_bytes();
    let (plan, report) = import_bytes(&bytes, "demo.csv", &ImportOptions::default()).expect("demo imports");
    assert_eq!(report.accepted, 50_000);
    assert!(report.rejected.is_empty(), "{:?}", &report.rejected[..report.rejected.len().min(3)]);
    assert_eq!(plan.accounts.len(), 50_000);
    assert_eq!(plan.territories.len(), 12);

    // Sum the text ourselves: potential (col 8), visits (9) × minutes (10), by territory (11).
    let text = String::from_utf8(bytes).expect("utf-8");
    let mut sums: std::collections::BTreeMap<String, (u64, i64, i64)> = Default::default();
    for line in text.lines().skip(1) {
        let f = split_demo_line(line);
        assert_eq!(f.len(), 12, "{line}");
        let e = sums.entry(f[11].clone()).or_default();
        e.0 += 1;
        e.1 += f[8].parse::<i64>().expect("potential") * 100;
        e.2 += f[9].parse::<i64>().expect("visits") * f[10].parse::<i64>().expect("minutes");
    }
    let m = Metrics::recompute(&plan);
    for (i, t) in plan.live_territories() {
        let (n, pot, min) = sums[&t.name];
        let got = &m.territories[i.get()];
        assert_eq!(got.accounts, n, "{}", t.name);
        assert_eq!(got.potential, Cents(pot), "{}", t.name);
        assert_eq!(got.workload.0, min, "{}", t.name);
    }
    // The README's figure for California: 49,570 visit hours.
    let ca = plan.find_territory("California").expect("California");
    assert_eq!(m.territories[ca.get()].workload.0 / 60, 49_570);
}

#[test]
fn ron_round_trips_exactly() {
    let (mut plan, _) = import_file(&fixture("small_accounts.csv"), &ImportOptions::default()).expect("imports");
    plan.accounts.set_locked(3, true);
    plan.territories[1].locked = true;
    plan.territories[0].rep = Some("Ana \"the closer\" Díaz".into());
    plan.territories[2].rep_home = Some((-97.7, 30.2));
    plan.assignment[5] = None;
    plan.view = Some(territory_editor::model::View { center_lon: -96.5, center_lat: 38.25, zoom: 4.75 });
    let text = plan_file::to_ron_string(&plan).expect("serializes");
    let back = plan_file::from_ron_str(&text, "mem.ron").expect("parses");
    assert_eq!(back, plan);
    // One account a line: the file stays readable and diffs well.
    assert!(text.lines().count() > plan.accounts.len());

    let dir = std::env::temp_dir().join(format!("te-formats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("plan.ron");
    plan_file::save(&plan, &path).expect("saves");
    assert_eq!(plan_file::load(&path).expect("loads"), plan);
    let _ = std::fs::remove_dir_all(&dir);

    // A rep's home off the map is named, with its territory, not drawn at random.
    let bad = text.replace("(-97.7, 30.2)", "(200.5, 30.2)");
    assert_ne!(bad, text);
    let err = plan_file::from_ron_str(&bad, "homes.ron").expect_err("off the map").to_string();
    let id = &plan.territories[2].id;
    assert!(err.contains("homes.ron") && err.contains(id.as_str()) && err.contains("(200.5, 30.2)"), "{err}");
}

#[test]
fn broken_german_csv_reports_each_bad_line_and_keeps_the_good_rows() {
    let (plan, report) = import_file(&fixture("broken_de.csv"), &ImportOptions::default()).expect("imports");
    assert_eq!(report.delimiter, b';');
    assert_eq!(report.decimal, Some(DecimalFormat::Comma));
    let ids: Vec<&str> = plan.accounts.iter().map(|a| a.id).collect();
    assert_eq!(ids, ["K001", "K002", "K003", "K008"]);
    assert_eq!(plan.accounts.get(0).potential, Cents(123_400_000));
    assert_eq!(plan.accounts.get(1).name, "Schmidt; Söhne");
    assert_eq!(plan.accounts.get(1).potential, Cents(1250));
    assert_eq!(plan.accounts.get(2).name, "Bäckerei\nWeber");
    assert_eq!(plan.accounts.get(2).potential, Cents(25_000_050));
    assert_eq!(plan.accounts.get(3).potential, Cents(9_999_999));
    let rejected: Vec<(u64, &str)> = report.rejected.iter().map(|r| (r.line, r.reason.as_str())).collect();
    assert_eq!(rejected.len(), 5, "{rejected:?}");
    assert_eq!(rejected[0].0, 7);
    assert!(rejected[0].1.contains("latitude \"abc\""), "{}", rejected[0].1);
    assert_eq!(rejected[1].0, 8);
    assert!(rejected[1].1.contains("out of range"), "{}", rejected[1].1);
    assert_eq!(rejected[2].0, 9);
    assert!(rejected[2].1.contains("duplicate id \"K001\" (first on line 2)"), "{}", rejected[2].1);
    assert_eq!(rejected[3].0, 10);
    assert!(rejected[3].1.contains("potential \"1.234.000.00\""), "{}", rejected[3].1);
    assert_eq!(rejected[4].0, 11);
    assert!(rejected[4].1.contains("missing latitude"), "{}", rejected[4].1);
    let skipped: Vec<(u64, &str)> = report.skipped.iter().map(|r| (r.line, r.reason.as_str())).collect();
    assert_eq!(skipped, [(4, "blank line"), (12, "blank line"), (14, "totals row")]);
    // Territories come from the Gebiet column, in name order.
    let names: Vec<&str> = plan.territories.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Nord", "Süd"]);
}

#[test]
fn decimal_override_rejects_what_does_not_parse() {
    let opts = ImportOptions { decimal: Some(DecimalFormat::Point), ..ImportOptions::default() };
    let (plan, report) = import_file(&fixture("broken_de.csv"), &opts).expect("imports something or fails cleanly");
    // Under the point format, "48,137154" is no number: no row may be read as 48.137 or 1.234.
    assert!(plan.accounts.is_empty());
    assert_eq!(report.rejected.len(), 9);
    for r in &report.rejected {
        assert!(r.reason.contains("decimal point") || r.reason == "missing latitude", "line {}: {}", r.line, r.reason);
    }
}

#[test]
fn explicit_column_mapping() {
    let text = "Nummer|x\nAcc;Breite Grad;Laenge Grad;Wert\n1;40,5;-100,25;10\n";
    let text = text.split_once('\n').map(|(_, rest)| rest).expect("two lines");
    let err = import_bytes(text.as_bytes(), "m.csv", &ImportOptions::default()).expect_err("needs mapping");
    assert!(err.to_string().contains("no column for id, lat, lon"), "{err}");
    use territory_editor::io::csv_import::Field;
    let opts = ImportOptions {
        columns: vec![
            (Field::Id, "Acc".into()),
            (Field::Lat, "Breite Grad".into()),
            (Field::Lon, "Laenge Grad".into()),
            (Field::Potential, "Wert".into()),
        ],
        ..ImportOptions::default()
    };
    let (plan, _) = import_bytes(text.as_bytes(), "m.csv", &opts).expect("imports with mapping");
    assert_eq!(plan.accounts.get(0).lat, 40.5);
    assert_eq!(plan.accounts.get(0).lon, -100.25);
    assert_eq!(plan.accounts.get(0).potential, Cents(1000));
}

#[test]
fn broken_ron_is_an_error_not_a_panic() {
    for name in ["truncated.ron", "garbage.ron", "garbage_text.ron"] {
        let err = plan_file::load(&fixture(name)).expect_err(name);
        let msg = err.to_string();
        assert!(msg.contains(name), "{msg}");
    }
    let truncated = plan_file::load(&fixture("truncated.ron")).expect_err("truncated").to_string();
    assert!(truncated.contains("line 1"), "{truncated}");
    assert!(plan_file::load(&fixture("missing.ron")).is_err());
}

#[test]
fn stats_fold_equals_recomputation_and_v2_layout_is_one_account_a_line() {
    let (mut plan, _) = import_file(&fixture("small_accounts.csv"), &ImportOptions::default()).expect("imports");
    plan.assignment[7] = None;
    plan.assignment[8] = None;
    plan.accounts.set_locked(9, true);
    // A city with quotes and a comma (accounts are rebuilt: they are read-only rows).
    let mut accounts = territory_editor::model::Accounts::with_capacity(plan.accounts.len(), 0);
    for (i, mut a) in plan.accounts.iter().enumerate() {
        if i == 10 {
            a.city = Some("Quote \"and\" comma, here");
        }
        accounts.push(a);
    }
    plan.accounts = accounts;
    assert!(plan.accounts.get(9).locked && plan.accounts.get(10).city == Some("Quote \"and\" comma, here"));
    let dir = std::env::temp_dir().join(format!("te-stats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("plan.ron");
    plan_file::save(&plan, &path).expect("saves");
    let stats = plan_file::load_stats(&path).expect("stats");
    assert_eq!(stats.accounts, plan.accounts.len());
    let full = Metrics::recompute(&plan);
    // All six totals, the centre sums too, per territory and for the unassigned.
    assert_eq!(stats.metrics.territories, full.territories);
    assert_eq!(stats.metrics.unassigned, full.unassigned);
    assert_eq!(stats.metrics.unassigned.accounts, 2);
    let text = std::fs::read_to_string(&path).expect("read");
    let rows = text.lines().filter(|l| l.starts_with("        (\"")).count();
    assert_eq!(rows, plan.accounts.len());
    // A hand-reformatted file (all on one line) still loads, sequentially.
    let one_line = text.replace("\n", " ");
    assert_eq!(plan_file::from_ron_str(&one_line, "flat.ron").expect("loads"), plan);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn progress_is_reported_and_cancel_stops_an_import() {
    use std::sync::Arc;
    use territory_editor::io::Progress;
    let bytes = demo_bytes();
    let progress = Arc::new(Progress::default());
    let opts = ImportOptions { progress: Some(progress.clone()), ..ImportOptions::default() };
    import_bytes(&bytes, "demo.csv", &opts).expect("imports");
    assert_eq!(progress.fraction(), Some(1.0));
    let cancelled = Arc::new(Progress::default());
    cancelled.cancel();
    let opts = ImportOptions { progress: Some(cancelled), ..ImportOptions::default() };
    let err = import_bytes(&bytes, "demo.csv", &opts).expect_err("cancelled");
    assert_eq!(err.to_string(), "demo.csv: import cancelled");
}

/// What the editor opens (pieces joined and sorted into grid order in one gather,
/// duplicates checked beside the grid build) is the plain import sorted afterwards:
/// the same accounts, owners, territories and report, for the demo, a broken file and
/// a file with duplicate ids.
#[test]
fn sorted_import_equals_import_then_sort() {
    let mut with_duplicates = demo_bytes();
    let extra: Vec<u8> = String::from_utf8_lossy(&demo_bytes())
        .lines()
        .skip(1)
        .take(3)
        .flat_map(|l| format!("{l}\n").into_bytes())
        .collect();
    with_duplicates.extend(extra);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("demo.csv", demo_bytes()),
        ("broken_de.csv", std::fs::read(fixture("broken_de.csv")).expect("fixture")),
        ("dup.csv", with_duplicates),
    ];
    for (name, bytes) in cases {
        let opts = ImportOptions::default();
        let (plan, report) = import_bytes(&bytes, name, &opts).expect("imports");
        let (sorted, grid, sorted_report) = import_bytes_sorted(&bytes, name, &opts).expect("imports");
        let (expected, expected_grid) = territory_editor::grid::sort_plan(plan);
        assert_eq!(sorted, expected, "{name}");
        assert_eq!(grid.xs(), expected_grid.xs(), "{name}");
        assert_eq!(sorted_report.rejected, report.rejected, "{name}");
        assert_eq!(sorted_report.skipped, report.skipped, "{name}");
        assert_eq!(sorted_report.accepted, report.accepted, "{name}");
        if name == "dup.csv" {
            assert_eq!(report.rejected.iter().filter(|r| r.reason.starts_with("duplicate id")).count(), 3);
        }
    }
}
