//! `quality`: compactness, pieces and the k-means reference.

use super::*;

pub(super) fn quality(
    path: &Path,
    scenario: &ScenarioArg,
    kmeans: Option<usize>,
    seed: u64,
    as_json: bool,
) -> Result<(), Failure> {
    use crate::quality;
    let (plan, _) = load_in(path, scenario)?;
    if let Some(k) = kmeans {
        check_against_accounts(&plan, path, "--kmeans", k)?;
    }
    let m = Metrics::recompute(&plan);
    let b = Balance::of(&plan, &m);
    let comp = quality::compactness(&plan);
    let adj = quality::adjacency(&plan.accounts);
    let pieces = quality::pieces(&plan, &adj);
    let reference = kmeans.map(|k| quality::kmeans_compactness(&plan.accounts, k, 10, seed));
    if as_json {
        let territories = plan
            .live_territories()
            .map(|(i, t)| json::QualityTerritory {
                id: &t.id,
                name: &t.name,
                compactness_km: comp.by_group[i.get()],
                pieces: pieces[i.get()],
            })
            .collect();
        print_json(&json::QualityJson {
            schema: 1,
            accounts: plan.accounts.len(),
            compactness_km: comp.overall,
            kmeans_compactness_km: reference,
            territories,
            balance: json::QualityBalance {
                workload_max_abs_deviation: b.workload.max_abs_deviation,
                workload_cv: b.workload.cv,
            },
        });
        return Ok(());
    }
    let rows: Vec<Vec<String>> = plan
        .live_territories()
        .map(|(i, t)| {
            vec![
                t.name.clone(),
                crate::format::thousands(m.territories[i.get()].accounts as i64),
                comp.by_group[i.get()].map_or("–".to_owned(), |c| format!("{c:.1}")),
                pieces[i.get()].to_string(),
            ]
        })
        .collect();
    out(&table(&["territory", "accounts", "compactness km", "pieces"], &rows));
    out(&format!("\nCompactness {:.1} km (mean distance to the territory's centre).", comp.overall));
    if let Some(r) = reference {
        out(&format!(
            " k-means reference {r:.1} km: this plan is {:.2}× it.",
            if r > 0.0 { comp.overall / r } else { 0.0 }
        ));
    }
    out(&format!(" Workload max |deviation| {:.1}%.\n", b.workload.max_abs_deviation * 100.0));
    Ok(())
}
