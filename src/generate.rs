//! Realistic synthetic accounts for workshops and benchmarks.
//!
//! Accounts cluster around real places, weighted by population (the bundled ZIP-area
//! anchors, `assets/us_zip_places.csv`, from the Census Gazetteer and GeoNames), with
//! the demo's columns and distributions: log-normal revenue, potential correlated with
//! it, visits and minutes by tier. Territories are K equal-count longitude bands named
//! `Band 01` …. The same count, territories and seed give the same file, byte for byte.

use std::io::Write;

const ANCHORS: &str = include_str!("../assets/us_zip_places.csv");
const KM_PER_DEG: f64 = 111.32;

use crate::rng::Rng;

const SURNAMES: &[&str] = &[
    "Adams",
    "Alvarez",
    "Anderson",
    "Baker",
    "Bennett",
    "Brooks",
    "Brown",
    "Campbell",
    "Carter",
    "Chen",
    "Clark",
    "Collins",
    "Cooper",
    "Cruz",
    "Davis",
    "Diaz",
    "Edwards",
    "Evans",
    "Fischer",
    "Flores",
    "Foster",
    "Garcia",
    "Gomez",
    "Gonzalez",
    "Gray",
    "Green",
    "Hall",
    "Harris",
    "Hernandez",
    "Hill",
    "Hughes",
    "Jackson",
    "James",
    "Jensen",
    "Johnson",
    "Jones",
    "Kelly",
    "Kim",
    "King",
    "Lee",
    "Lewis",
    "Lopez",
    "Martin",
    "Martinez",
    "Meyer",
    "Miller",
    "Mitchell",
    "Moore",
    "Morgan",
    "Murphy",
    "Nelson",
    "Nguyen",
    "Olson",
    "Ortiz",
    "Parker",
    "Patel",
    "Perez",
    "Peterson",
    "Phillips",
    "Ramirez",
    "Reed",
    "Reyes",
    "Rivera",
    "Roberts",
    "Robinson",
    "Rodriguez",
    "Rogers",
    "Ross",
    "Sanchez",
    "Schmidt",
    "Scott",
    "Singh",
    "Smith",
    "Stewart",
    "Sullivan",
    "Taylor",
    "Thomas",
    "Thompson",
    "Torres",
    "Turner",
    "Walker",
    "Ward",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wright",
    "Young",
];
const TRADES: &[&str] = &[
    "Plumbing Supply",
    "Electrical Supply",
    "Auto Parts",
    "Family Dentistry",
    "Veterinary Clinic",
    "Pharmacy",
    "Hardware",
    "Building Supply",
    "Heating & Air",
    "Machine Works",
    "Fabrication",
    "Logistics",
    "Trucking",
    "Packaging",
    "Printing",
    "Office Supply",
    "IT Services",
    "Engineering",
    "Construction",
    "Landscaping",
    "Farm Supply",
    "Equipment Rental",
    "Bakery",
    "Foods",
    "Brewing Company",
    "Restaurant Supply",
    "Medical Group",
    "Physical Therapy",
    "Senior Living",
    "Eye Care",
    "Laboratories",
    "Plastics",
    "Paint & Supply",
    "Flooring",
    "Furniture",
    "Electronics",
    "Automation",
    "Hydraulics",
    "Industrial Supply",
    "Safety Supply",
    "Sporting Goods",
    "Garden Center",
    "Tire & Service",
    "Self Storage",
    "Insurance Agency",
    "Accounting",
    "Consulting",
    "Staffing",
];
const ADJ: &[&str] = &[
    "Blue",
    "Red",
    "Silver",
    "Golden",
    "Granite",
    "Cedar",
    "Oak",
    "River",
    "Prairie",
    "Valley",
    "Coastal",
    "Northern",
    "Southern",
    "Heritage",
    "Liberty",
    "Pioneer",
    "Summit",
    "Evergreen",
    "Keystone",
    "Redwood",
];
const SUFFIX: &[&str] = &["", "", "", " Inc.", " LLC", ", Inc.", " Co.", " Corp.", " Group", " Ltd."];

fn company_name(r: &mut Rng, city: &str) -> String {
    let k = r.u();
    if k < 0.35 {
        format!("{} {}{}", r.pick(SURNAMES), r.pick(TRADES), r.pick(SUFFIX))
    } else if k < 0.50 {
        format!("{}, {} & Associates", r.pick(SURNAMES), r.pick(SURNAMES))
    } else if k < 0.65 {
        format!("{city} {}{}", r.pick(TRADES), r.pick(SUFFIX))
    } else if k < 0.85 {
        format!("{} {}{}", r.pick(ADJ), r.pick(TRADES), r.pick(SUFFIX))
    } else {
        format!("{} & Sons {}", r.pick(SURNAMES), r.pick(TRADES))
    }
}

struct Anchor<'a> {
    zip: &'a str,
    city: &'a str,
    state: &'a str,
    lat: f64,
    lon: f64,
    radius_km: f64,
}

fn anchors() -> (Vec<Anchor<'static>>, Vec<f64>) {
    let mut out = Vec::new();
    let mut cum = Vec::new();
    let mut total = 0.0;
    for line in ANCHORS.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 7 {
            continue;
        }
        let (Ok(lat), Ok(lon), Ok(w), Ok(r)) = (f[3].parse(), f[4].parse(), f[5].parse::<f64>(), f[6].parse()) else {
            continue;
        };
        total += w;
        cum.push(total);
        out.push(Anchor { zip: f[0], city: f[1], state: f[2], lat, lon, radius_km: r });
    }
    (out, cum)
}

/// One generated account.
struct Row {
    name: String,
    lat: f64,
    lon: f64,
    anchor: usize,
    revenue: u64,
    potential: u64,
    visits: u32,
    minutes: u32,
}

/// Writes `n` accounts in `k` longitude bands as CSV (the demo's columns).
pub fn generate(n: usize, k: usize, seed: u64, out: &mut dyn Write) -> std::io::Result<()> {
    let (anchors, cum) = anchors();
    let total = cum.last().copied().unwrap_or(1.0);
    let mut r = Rng(seed ^ 0x005E_ED0F_7E44_1700);
    let mut rows = Vec::with_capacity(n);
    for _ in 0..n {
        let target = r.u() * total;
        let j = cum.partition_point(|&c| c <= target).min(anchors.len().saturating_sub(1));
        let a = &anchors[j];
        let theta = std::f64::consts::TAU * r.u();
        let rho = a.radius_km * r.u().sqrt();
        let lat = a.lat + rho * theta.sin() / KM_PER_DEG;
        let lon = a.lon + rho * theta.cos() / (KM_PER_DEG * a.lat.to_radians().cos());
        let name = company_name(&mut r, a.city);
        let revenue = (1.5e6f64.ln() + 1.3 * r.normal()).exp().clamp(50_000.0, 5e9);
        let revenue = ((revenue / 1000.0).round() as u64) * 1000;
        let potential = revenue as f64 * 0.04 * (0.7 * r.normal()).exp();
        let potential = (((potential / 100.0).round() as u64) * 100).max(500);
        let (visits, minutes) = if potential >= 400_000 {
            (r.between(12, 24), 60 + 5 * r.between(0, 6))
        } else if potential >= 90_000 {
            (r.between(6, 12), 45 + 5 * r.between(0, 6))
        } else {
            (r.between(2, 6), 30 + 5 * r.between(0, 6))
        };
        rows.push(Row { name, lat, lon, anchor: j, revenue, potential, visits, minutes });
    }
    // Equal-count longitude bands: rank by longitude (ties by row), then cut.
    let mut by_lon: Vec<u32> = (0..n as u32).collect();
    by_lon.sort_by(|&a, &b| rows[a as usize].lon.total_cmp(&rows[b as usize].lon).then(a.cmp(&b)));
    let k = k.max(1);
    let mut band = vec![0u32; n];
    for (rank, &i) in by_lon.iter().enumerate() {
        band[i as usize] = (rank * k / n.max(1)) as u32;
    }
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "id",
        "name",
        "lat",
        "lon",
        "city",
        "state",
        "zip",
        "annual_revenue",
        "potential",
        "visits_per_year",
        "visit_minutes",
        "territory",
    ])?;
    for (i, row) in rows.iter().enumerate() {
        let a = &anchors[row.anchor];
        w.write_record([
            format!("A{:07}", i + 1).as_str(),
            &row.name,
            &format!("{:.6}", row.lat),
            &format!("{:.6}", row.lon),
            a.city,
            a.state,
            a.zip,
            &row.revenue.to_string(),
            &row.potential.to_string(),
            &row.visits.to_string(),
            &row.minutes.to_string(),
            &format!("Band {:02}", band[i] + 1),
        ])?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_banded() {
        let run = |seed| {
            let mut out = Vec::new();
            generate(500, 5, seed, &mut out).expect("writes");
            String::from_utf8(out).expect("utf-8")
        };
        let a = run(3);
        assert_eq!(a, run(3));
        assert_ne!(a, run(4));
        let (plan, report) =
            crate::io::csv_import::import_bytes(a.as_bytes(), "gen.csv", &Default::default()).expect("imports");
        assert_eq!(report.accepted, 500);
        assert!(report.rejected.is_empty());
        assert_eq!(plan.territories.len(), 5);
        let m = crate::metrics::Metrics::recompute(&plan);
        assert!(m.territories.iter().all(|t| t.accounts == 100));
        // Bands are ordered west to east.
        let west = plan.find_territory("Band 01").expect("band 1");
        let east = plan.find_territory("Band 05").expect("band 5");
        let max_lon = |t| {
            plan.accounts
                .iter()
                .zip(&plan.assignment)
                .filter(|(_, o)| **o == Some(t))
                .map(|(a, _)| a.lon)
                .fold(f64::MIN, f64::max)
        };
        let min_lon = |t| {
            plan.accounts
                .iter()
                .zip(&plan.assignment)
                .filter(|(_, o)| **o == Some(t))
                .map(|(a, _)| a.lon)
                .fold(f64::MAX, f64::min)
        };
        assert!(max_lon(west) <= min_lon(east));
    }
}
