//! The stats document: each territory's figures against its target, each region's
//! roll-up, the unassigned accounts and the plan's balance, as `stats --json` prints
//! them and the shapes' GeoJSON carries them. One `Serialize` struct a part: the schema
//! the README documents, in one place.

use serde::Serialize;

use crate::metrics::{Balance, Metrics, Totals, region_rollup};
use crate::model::{Plan, region_live};

/// What an account set adds up to: money in currency units (exact to the cent),
/// workload in hours.
#[derive(Serialize)]
pub struct TotalsJson {
    pub accounts: u64,
    pub potential: f64,
    pub annual_revenue: f64,
    pub workload_hours: f64,
}

impl From<&Totals> for TotalsJson {
    fn from(t: &Totals) -> Self {
        TotalsJson {
            accounts: t.accounts,
            potential: t.potential.units(),
            annual_revenue: t.annual_revenue.units(),
            workload_hours: t.workload.hours(),
        }
    }
}

/// `stats --json`.
#[derive(Serialize)]
pub struct StatsJson<'a> {
    pub schema: u32,
    pub accounts: usize,
    pub territories: Vec<StatsTerritory<'a>>,
    /// The region tree, parents first: each region's roll-up and its deviations
    /// against its share of its parent (of the whole plan at the top).
    pub regions: Vec<StatsRegion<'a>>,
    pub unassigned: TotalsJson,
    pub balance: BalanceJson,
}

#[derive(Serialize)]
pub struct StatsRegion<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub parent: Option<&'a str>,
    /// The territories within it (its subregions' too), by id.
    pub territories: Vec<&'a str>,
    #[serde(flatten)]
    pub totals: TotalsJson,
    pub capacity: f64,
    pub workload_deviation: Option<f64>,
    pub potential_deviation: Option<f64>,
}

#[derive(Serialize)]
pub struct StatsTerritory<'a> {
    pub id: &'a str,
    pub name: &'a str,
    /// The id of its region, `null` at the top.
    pub region: Option<&'a str>,
    #[serde(flatten)]
    pub totals: TotalsJson,
    /// The rep's capacity, and the territory's targets: the total × capacity / the sum
    /// of capacities (hours, currency units); deviations are against them.
    pub capacity: f64,
    /// Visit hours, and travel hours (0 with travel off); `workload_hours` is their sum.
    pub visit_hours: f64,
    pub travel_hours: f64,
    /// With travel on: the mean great-circle distance of its accounts from where its
    /// rep starts (home, or the stored centre), km.
    pub travel_mean_km: Option<f64>,
    pub target_workload_hours: f64,
    pub target_potential: f64,
    /// The root-mean-square distance of its accounts to their centre, km.
    pub spread_km: Option<f64>,
    pub potential_deviation: Option<f64>,
    pub workload_deviation: Option<f64>,
}

#[derive(Serialize)]
pub struct BalanceJson {
    pub workload_max_abs_deviation: f64,
    pub workload_cv: f64,
    pub potential_max_abs_deviation: f64,
    pub potential_cv: f64,
}

impl From<&Balance> for BalanceJson {
    fn from(b: &Balance) -> Self {
        BalanceJson {
            workload_max_abs_deviation: b.workload.max_abs_deviation,
            workload_cv: b.workload.cv,
            potential_max_abs_deviation: b.potential.max_abs_deviation,
            potential_cv: b.potential.cv,
        }
    }
}

/// The stats document of a plan.
pub fn stats_document<'a>(plan: &'a Plan, visits: &Metrics, accounts: usize) -> StatsJson<'a> {
    // With travel on, the workload is visits plus travel, everywhere below.
    let travel = crate::model::travel_by_territory(plan);
    let minutes: Vec<i64> = travel.iter().map(|t| t.minutes).collect();
    let m = &visits.with_travel(&minutes);
    let b = Balance::of(plan, m);
    let territories = plan
        .live_territories()
        .map(|(i, t)| {
            let tot = &m.territories[i.get()];
            StatsTerritory {
                id: &t.id,
                name: &t.name,
                region: t.region.filter(|&r| region_live(&plan.regions, r)).map(|r| plan.regions[r.get()].id.as_str()),
                totals: tot.into(),
                capacity: t.capacity,
                visit_hours: visits.territories[i.get()].workload.hours(),
                travel_hours: travel[i.get()].hours(),
                travel_mean_km: travel[i.get()].mean_km().filter(|_| plan.travel.is_some()),
                target_workload_hours: b.workload.target(t.capacity) / 60.0,
                target_potential: b.potential.target(t.capacity) / 100.0,
                spread_km: tot.spread_km(),
                potential_deviation: b.potential.deviation(tot.potential.0 as f64, t.capacity),
                workload_deviation: b.workload.deviation(tot.workload.0 as f64, t.capacity),
            }
        })
        .collect();
    let regions = region_rollup(&plan.territories, &plan.regions, &m.territories)
        .into_iter()
        .map(|f| {
            let r = &plan.regions[f.region.get()];
            StatsRegion {
                id: &r.id,
                name: &r.name,
                parent: r.parent.filter(|&p| region_live(&plan.regions, p)).map(|p| plan.regions[p.get()].id.as_str()),
                territories: f.territories.iter().map(|t| plan.territories[t.get()].id.as_str()).collect(),
                totals: (&f.totals).into(),
                capacity: f.capacity,
                workload_deviation: f.workload_deviation,
                potential_deviation: f.potential_deviation,
            }
        })
        .collect();
    StatsJson { schema: 1, accounts, territories, regions, unassigned: (&m.unassigned).into(), balance: (&b).into() }
}
