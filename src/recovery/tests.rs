//! Tests of `recovery`.

use super::*;

#[test]
fn dates_are_civil() {
    // 2026-12-03 is day 20,790 since 1970-01-01 (Python's date.toordinal difference).
    assert_eq!(civil_from_days(20_790), (2026, 12, 3));
    assert_eq!(civil_from_days(0), (1970, 1, 1));
    assert_eq!(civil_from_days(11_016), (2000, 2, 29));
}

use crate::model::{Account, AccountSet, Cents, Territory, TerritoryIdx, palette_color};

fn plan() -> Plan {
    let accounts: Vec<Account> = (0..40)
        .map(|i| Account {
            id: format!("A{i}"),
            name: format!("Ämter {i}"),
            lon: -100.0 + f64::from(i) * 0.1,
            lat: 40.0 + f64::from(i % 7) * 0.1,
            potential: Cents(i64::from(i) * 100),
            annual_revenue: Cents(0),
            visits_per_year: 4,
            minutes_per_visit: 30 + i as u32,
            city: None,
            state: None,
            zip: None,
            locked: false,
        })
        .collect();
    let territories = (0..3).map(|t| Territory::new(format!("t{t}"), format!("T{t}"), palette_color(t))).collect();
    let assignment = (0..40).map(|i| Some(TerritoryIdx::new(i % 3))).collect();
    Plan { accounts: accounts.into_iter().collect(), territories, assignment, ..Plan::default() }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("te-recovery-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Edits, undos past the base (which writes a snapshot base) and more edits; the
/// journal read back and replayed on its base gives the same plan.
#[test]
fn a_journal_replays_to_the_same_plan_even_past_its_base() {
    let dir = temp_dir("replay");
    let base_path = dir.join("plan.ron");
    crate::io::plan_file::save(&plan(), &base_path).expect("saved");
    let hash = fingerprint_file(&base_path).expect("hash");
    let mut editor = Editor::new(crate::io::plan_file::load(&base_path).expect("loads"));
    // One edit before the journal starts (as if made before the last save).
    editor
        .apply(Command::Reassign { accounts: AccountSet::from_indices(vec![0, 1]), to: Some(TerritoryIdx::new(2)) })
        .expect("edit");
    let path = journal_path(&dir);
    let mut journal = Journal::new(path.clone());
    let header = Header::new(Base { origin: Origin::Plan { path: base_path.clone() }, hash }, "plan".into(), None);
    journal.begin(header);
    let commands = [
        Command::Reassign { accounts: AccountSet::from_sorted_ranges([(3, 9)]), to: Some(TerritoryIdx::new(1)) },
        Command::RenameTerritory { territory: TerritoryIdx::new(0), name: "Nord-Ost Zürich".into() },
    ];
    for c in commands {
        editor.apply(c.clone()).expect("edit");
        journal.record(Step::Apply(c), || editor.snapshot());
    }
    for step in [Step::Undo, Step::Undo, Step::Undo, Step::Redo] {
        match step {
            Step::Undo => assert!(editor.undo().is_some()),
            _ => assert!(editor.redo().is_some()),
        }
        journal.record(step, || editor.snapshot());
    }
    // The capacities issue's edits: a region, a territory in it, a capacity.
    let commands = [
        Command::Reassign { accounts: AccountSet::from_sorted_ranges([(20, 30)]), to: None },
        Command::CreateRegion { name: "Süd-West".into(), parent: None },
        Command::SetTerritoryRegion { territory: TerritoryIdx::new(1), region: Some(crate::model::RegionIdx(0)) },
        Command::SetCapacity { territory: TerritoryIdx::new(2), capacity: 0.5 },
    ];
    for c in commands {
        editor.apply(c.clone()).expect("edit");
        journal.record(Step::Apply(c), || editor.snapshot());
    }
    drop(journal); // a crash, as far as the journal knows: the file stays

    let (header, steps) = read(&path).expect("journal");
    // The third undo reached behind the base: the base is now a snapshot beside it.
    let Origin::Plan { path: base } = &header.base.origin else { panic!("plan base") };
    assert_ne!(base, &base_path);
    assert_eq!(fingerprint_file(base).expect("snapshot"), header.base.hash);
    let mut replayed = Editor::new(crate::io::plan_file::load(base).expect("base loads"));
    replay(&mut replayed, &steps).expect("replays");
    assert_eq!(replayed.plan().assignment, editor.plan().assignment);
    assert_eq!(replayed.plan().territories, editor.plan().territories);
    assert_eq!(replayed.plan().regions, editor.plan().regions);
    assert_eq!(replayed.plan().territories[2].capacity, 0.5);
    assert_eq!(replayed.metrics(), editor.metrics());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn clearing_removes_the_files_and_an_unedited_plan_has_none() {
    let dir = temp_dir("clear");
    let path = journal_path(&dir);
    let mut journal = Journal::new(path.clone());
    journal.begin(Header::new(Base { origin: Origin::Demo, hash: 1 }, "demo".into(), None));
    journal.flush();
    assert!(!path.exists(), "no edit, no journal");
    let editor = Editor::new(plan());
    journal.record(Step::Apply(Command::RenameTerritory { territory: TerritoryIdx::new(1), name: "X".into() }), || {
        editor.snapshot()
    });
    journal.flush();
    assert_eq!(read(&path).expect("written").1.len(), 1);
    journal.clear();
    journal.flush();
    assert!(!path.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fingerprints_differ_for_one_byte() {
    let a = b"(version: 2, territories: [])".to_vec();
    let mut b = a.clone();
    b[5] ^= 1;
    assert_ne!(fingerprint(&a), fingerprint(&b));
    assert_ne!(fingerprint(b"ab"), fingerprint(b"ab\0"));
    assert_eq!(fingerprint(&a), fingerprint(&a.clone()));
    // In pieces of any sizes, the same as whole.
    let text: Vec<u8> = (0..1000u32).map(|i| (i * 31 % 251) as u8).collect();
    for cut in [(0, 0), (1, 2), (3, 11), (7, 8), (8, 16), (13, 999)] {
        let mut f = Fingerprint::default();
        f.update(&text[..cut.0]);
        f.update(&text[cut.0..cut.1]);
        f.update(&text[cut.1..]);
        assert_eq!(f.finish(), fingerprint(&text), "{cut:?}");
    }
}

/// Bases in a burst (scenarios created and switched, each a new base, which the writer
/// saves only at its next write) with edits between them: the journal replays to the
/// plan as it is, every scenario.
#[test]
fn a_burst_of_bases_replays_to_the_plan_as_it_is() {
    let dir = temp_dir("burst");
    let base_path = dir.join("plan.ron");
    crate::io::plan_file::save(&plan(), &base_path).expect("saved");
    let hash = fingerprint_file(&base_path).expect("hash");
    let mut editor = Editor::new(crate::io::plan_file::load(&base_path).expect("loads"));
    let path = journal_path(&dir);
    let mut journal = Journal::new(path.clone());
    journal.begin(Header::new(Base { origin: Origin::Plan { path: base_path.clone() }, hash }, "plan".into(), None));
    let edit = |to: u32, from: u32| Command::Reassign {
        accounts: AccountSet::from_sorted_ranges([(from, from + 5)]),
        to: Some(TerritoryIdx::new(to)),
    };
    editor.apply(edit(1, 0)).expect("edit");
    journal.record(Step::Apply(edit(1, 0)), || editor.snapshot());
    for k in 0..5u32 {
        editor.new_scenario(&format!("S{k}")).expect("new");
        journal.rebase(editor.snapshot());
        editor.apply(edit(2, 5 + k)).expect("edit");
        journal.record(Step::Apply(edit(2, 5 + k)), || editor.snapshot());
        editor.switch_scenario(0);
        journal.rebase(editor.snapshot());
    }
    editor.apply(edit(0, 30)).expect("edit");
    journal.record(Step::Apply(edit(0, 30)), || editor.snapshot());
    drop(journal);

    let (header, steps) = read(&path).expect("journal");
    let Origin::Plan { path: base } = &header.base.origin else { panic!("plan base") };
    assert_ne!(base, &base_path, "the base is the snapshot beside the journal");
    assert_eq!(steps.len(), 1, "only the edit after the last base: {steps:?}");
    let mut replayed = Editor::new(crate::io::plan_file::load(base).expect("base loads"));
    replay(&mut replayed, &steps).expect("replays");
    assert_eq!(replayed.plan().scenario_names(), editor.plan().scenario_names());
    for i in 0..editor.plan().scenarios.len() {
        assert_eq!(replayed.plan().scenario_parts(i), editor.plan().scenario_parts(i), "scenario {i}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
