//! Any bytes as a CSV of accounts: an error or a plan, never a panic; a plan's
//! accounts are on the map and its totals fit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use territory_editor::io::csv_import::{ImportOptions, import_bytes};

fuzz_target!(|data: &[u8]| {
    let fix = data.first().is_some_and(|b| b & 1 == 1);
    let opts = ImportOptions { fix_coordinates: fix, ..ImportOptions::default() };
    if let Ok((plan, report)) = import_bytes(data, "fuzz.csv", &opts) {
        assert_eq!(plan.accounts.len(), report.accepted);
        for a in plan.accounts.iter() {
            assert!(territory_editor::io::geocode::on_map(a.lon, a.lat));
        }
        let _ = territory_editor::metrics::Metrics::recompute(&plan);
    }
});
