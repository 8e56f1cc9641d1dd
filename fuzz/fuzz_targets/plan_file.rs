//! Any text as a plan file: an error or a plan, never a panic; a plan reopens from
//! the text it saves to.
#![no_main]

use libfuzzer_sys::fuzz_target;
use territory_editor::io::plan_file::{from_ron_str, to_ron_string};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(plan) = from_ron_str(text, "fuzz.ron") {
        let _ = territory_editor::metrics::Metrics::recompute(&plan);
        let saved = to_ron_string(&plan).expect("a loaded plan saves");
        let back = from_ron_str(&saved, "fuzz.ron").expect("a saved plan reopens");
        assert_eq!(back.assignment, plan.assignment);
        assert_eq!(back.territories, plan.territories);
    }
});
