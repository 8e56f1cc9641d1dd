//! The three loaders on random bytes and on mutated real files: an error or a result,
//! never a panic (a panic fails the property). The fuzz targets in `fuzz/` do the
//! same for millions of inputs, by hand; this runs in every `cargo test`.

use std::path::Path;

use proptest::prelude::*;
use territory_editor::io::csv_import::{ImportOptions, import_bytes};
use territory_editor::io::{geojson_areas, plan_file};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).expect("fixture")
}

/// A small real plan file, as the editor saves it.
fn plan_text() -> Vec<u8> {
    let (plan, _) =
        import_bytes(&fixture("small_accounts.csv"), "small.csv", &ImportOptions::default()).expect("imports");
    plan_file::to_ron_string(&plan).expect("saves").into_bytes()
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
    Duplicate(usize, usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let special = prop::sample::select(vec![
        b"\"".to_vec(),
        b";".to_vec(),
        b",".to_vec(),
        b"\r\n".to_vec(),
        b"\n".to_vec(),
        "Ä".as_bytes().to_vec(),
        vec![0xff, 0xfe],
        b"(".to_vec(),
        b")".to_vec(),
        b"]".to_vec(),
        b"1e308".to_vec(),
        b"-".to_vec(),
        b"NaN".to_vec(),
        b"99999999999999999999".to_vec(),
        b"{\"type\":".to_vec(),
        vec![0],
    ]);
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), prop_oneof![special, prop::collection::vec(any::<u8>(), 1..8)])
            .prop_map(|(i, v)| Mutation::Insert(i, v)),
        (any::<usize>(), 1usize..200).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1usize..300, any::<usize>()).prop_map(|(i, n, at)| Mutation::Duplicate(i, n, at)),
    ]
}

fn mutate(mut bytes: Vec<u8>, ms: &[Mutation]) -> Vec<u8> {
    for m in ms {
        let len = bytes.len().max(1);
        match m {
            Mutation::Flip(i, b) => {
                if !bytes.is_empty() {
                    let k = i % bytes.len();
                    bytes[k] ^= b | 1;
                }
            }
            Mutation::Insert(i, v) => {
                let k = i % (bytes.len() + 1);
                bytes.splice(k..k, v.iter().copied());
            }
            Mutation::Delete(i, n) => {
                let k = i % len;
                let e = (k + n).min(bytes.len());
                if k < e {
                    bytes.drain(k..e);
                }
            }
            Mutation::Truncate(i) => bytes.truncate(i % len),
            Mutation::Duplicate(i, n, at) => {
                if !bytes.is_empty() {
                    let k = i % bytes.len();
                    let piece: Vec<u8> = bytes[k..(k + n).min(bytes.len())].to_vec();
                    let at = at % (bytes.len() + 1);
                    bytes.splice(at..at, piece);
                }
            }
        }
    }
    bytes
}

fn all_loaders(bytes: &[u8]) {
    let _ = import_bytes(bytes, "fuzz.csv", &ImportOptions::default());
    let _ = import_bytes(bytes, "fuzz.csv", &ImportOptions { fix_coordinates: true, ..ImportOptions::default() });
    let text = String::from_utf8_lossy(bytes);
    let _ = plan_file::from_ron_str(&text, "fuzz.ron");
    let _ = geojson_areas::parse(&text, "fuzz.geojson");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        all_loaders(&bytes);
    }

    #[test]
    fn mutated_csv_files_never_panic(which in 0usize..3, ms in prop::collection::vec(mutation(), 1..6)) {
        let name = ["small_accounts.csv", "broken_de.csv", "geocode_de.csv"][which];
        let bytes = mutate(fixture(name), &ms);
        if let Ok((plan, report)) = import_bytes(&bytes, name, &ImportOptions::default()) {
            // Whatever is kept is on the map, and the counts agree.
            prop_assert_eq!(plan.accounts.len(), report.accepted);
            for a in plan.accounts.iter() {
                prop_assert!(territory_editor::io::geocode::on_map(a.lon, a.lat), "{} at {}, {}", a.id, a.lon, a.lat);
            }
        }
    }

    #[test]
    fn mutated_plan_files_never_panic(ms in prop::collection::vec(mutation(), 1..6)) {
        let bytes = mutate(plan_text(), &ms);
        let text = String::from_utf8_lossy(&bytes);
        let _ = plan_file::from_ron_str(&text, "mutated.ron");
    }

    #[test]
    fn mutated_geojson_files_never_panic(ms in prop::collection::vec(mutation(), 1..6)) {
        let bytes = mutate(fixture("area_box.geojson"), &ms);
        let _ = geojson_areas::parse(&String::from_utf8_lossy(&bytes), "mutated.geojson");
    }
}
