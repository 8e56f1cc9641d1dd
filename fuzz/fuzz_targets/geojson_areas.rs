//! Any text as a GeoJSON file of areas: an error or areas, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = territory_editor::io::geojson_areas::parse(text, "fuzz.geojson");
});
