//! Every saved plan reopens, exactly, whatever its text: random Unicode (multi-byte
//! names, cities, territory names, reps) in plans large enough that the loader's cut
//! points (the 64 KiB version sniff, the 1 MiB pieces parsed in parallel) fall inside
//! multi-byte characters.

use proptest::prelude::*;
use territory_editor::io::plan_file;
use territory_editor::model::{Account, Cents, Plan, RegionIdx, Territory, TerritoryIdx, ensure_path, palette_color};

/// Text made mostly of multi-byte characters (2, 3 and 4 bytes in UTF-8), with some
/// ASCII and the characters RON must escape.
fn text(max: usize) -> impl Strategy<Value = String> {
    let ch = prop_oneof![
        4 => prop::sample::select(vec!['Ä', 'ö', 'ß', 'é', 'ñ', 'Ü', 'ç']),
        2 => prop::sample::select(vec!['€', '中', '日', '✓']),
        1 => prop::sample::select(vec!['😀', '𝔘', '🏔']),
        2 => prop::sample::select(vec!['a', 'Z', ' ', '0', '"', '\\', ',', '(', ')']),
        1 => any::<char>(),
    ];
    prop::collection::vec(ch, 0..max).prop_map(|v| v.into_iter().collect())
}

/// A plan of `n` accounts whose text fields are built from `words`, cycled with the
/// index so that rows differ in length (and the cut points fall everywhere).
fn build(n: usize, words: &[String], k: usize, shift: usize) -> Plan {
    let word = |i: usize| words[(i * 7 + shift) % words.len()].clone();
    let accounts: Vec<Account> = (0..n)
        .map(|i| Account {
            id: format!("Ä{i}{}", word(i + 1).chars().take(3).collect::<String>()),
            name: format!("{}{}", "Ä".repeat(i % 5 + shift), word(i)),
            lon: -120.0 + (i % 997) as f64 * 0.05,
            lat: 30.0 + (i % 499) as f64 * 0.03,
            potential: Cents(i as i64 * 1_234 + 5),
            annual_revenue: Cents((i as i64 % 77) * 100),
            visits_per_year: (i % 24) as u32,
            minutes_per_visit: (i % 90) as u32,
            city: (i % 3 != 0).then(|| word(i + 2)),
            state: (i % 4 == 0).then(|| word(i + 3)),
            zip: (i % 5 == 0).then(|| word(i + 4)),
            locked: i % 11 == 0,
        })
        .collect();
    // Regions named from the words too, nested ("Ä/ö…"), and capacities other than 1.
    let mut regions = Vec::new();
    let paths: Vec<Option<RegionIdx>> = (0..k)
        .map(|t| {
            let path = format!("R{}/{}", t % 2, word(t + 11).replace('/', "|"));
            (t % 3 != 2).then(|| ensure_path(&mut regions, &path).ok()).flatten()
        })
        .collect();
    let territories: Vec<Territory> = (0..k)
        .map(|t| Territory {
            rep: (t % 2 == 0).then(|| word(t + 6)),
            locked: t == 1,
            capacity: [1.0, 0.5, 1.25, 0.05][t % 4],
            region: paths[t],
            ..Territory::new(format!("t{t}-{}", word(t + 9)), word(t + 5), palette_color(t))
        })
        .collect();
    let assignment = (0..n).map(|i| (i % (k + 1) < k).then_some(TerritoryIdx::new((i % (k + 1)) as u32))).collect();
    Plan { accounts: accounts.into_iter().collect(), territories, regions, assignment, ..Plan::default() }
}

fn assert_same(a: &Plan, b: &Plan) {
    assert_eq!(a.territories, b.territories);
    assert_eq!(a.regions, b.regions);
    assert_eq!(a.assignment, b.assignment);
    assert_eq!(a.accounts.len(), b.accounts.len());
    for i in 0..a.accounts.len() {
        assert_eq!(a.accounts.get(i).to_account(), b.accounts.get(i).to_account(), "account #{i}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// Plans of 9,000 to 20,000 accounts: 1.5 to 4 MB of text, so several 1 MiB cuts
    /// and the 64 KiB sniff all fall in rows dense with multi-byte characters.
    #[test]
    fn random_unicode_plans_reopen_exactly(
        words in prop::collection::vec(text(40), 1..30),
        n in 9_000usize..20_000,
        k in 1usize..8,
        shift in 0usize..4,
    ) {
        let words: Vec<String> = words.into_iter().map(|w| if w.is_empty() { "Ü".to_owned() } else { w }).collect();
        let plan = build(n, &words, k, shift);
        let text = plan_file::to_ron_string(&plan).expect("serialises");
        let back = plan_file::from_ron_str(&text, "unicode.ron").expect("reopens");
        assert_same(&plan, &back);
    }
}

/// The case of the report: accounts named `ÄÄÄ…` (40 characters; 12,000 rather than
/// 30,000, which is 2.5 MB, past two cuts), saved, reopened and summed by `stats`; then the same with one more character in a
/// territory name, which shifts every cut by one byte. Every shift of 0 to 3 bytes puts
/// the cuts at each position within the 2-byte characters (and in the 3- and 4-byte
/// ones of the second set of names).
#[test]
fn plans_of_multibyte_names_reopen_at_every_shift() {
    let dir = std::env::temp_dir().join(format!("te-reopen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for words in [vec!["Ä".repeat(40)], vec!["€".repeat(13), "😀".repeat(10), "ÄÖÜ".repeat(13)]] {
        for shift in 0..4 {
            let mut plan = build(12_000, &words, 3, 0);
            plan.territories[0].name.push_str(&"x".repeat(shift));
            let path = dir.join(format!("plan-{shift}.ron"));
            plan_file::save(&plan, &path).expect("saved");
            let back = plan_file::load(&path).expect("reopens");
            assert_same(&plan, &back);
            let stats = plan_file::load_stats(&path).expect("stats reads it");
            assert_eq!(stats.accounts, plan.accounts.len());
            let total: i64 = stats.metrics.territories.iter().map(|m| m.potential.0).sum::<i64>()
                + stats.metrics.unassigned.potential.0;
            let expected: i64 = (0..plan.accounts.len()).map(|i| plan.accounts.get(i).potential.0).sum();
            assert_eq!(total, expected);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
