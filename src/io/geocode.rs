//! Geocode sanity: the positions a CRM's geocoder gets wrong, found on import.
//!
//! - A row at (0, 0), within 0.1°, is what a failed geocoder leaves: rejected where
//!   it is read ([`is_null_island`]).
//! - An *outlier* is a row whose nearest other account is more than
//!   [`OUTLIER_KM`] away. An outlier, or a row off the map, whose position with
//!   latitude and longitude swapped, or with the sign of one of them flipped (the lost
//!   minus of a US longitude), lies within [`FIX_KM`] of another account, in a
//!   denser place than where it is, is [`Finding::Swapped`] or
//!   [`Finding::SignFlipped`]: never placed silently (the importer rejects it, or
//!   places it at the corrected position when asked to). The same test runs on rows
//!   with at most [`SMALL_GROUP`] others within [`OUTLIER_KM`], so that two or three
//!   swapped rows that land near each other are found too.
//! - Any other outlier is [`Finding::Far`]: kept, and listed as a warning.
//!
//! Cost: one pass over 1° cells (a flat 360 × 180 count) finds the few rows whose
//! 3 × 3 block of cells holds no other account; only those are looked at further, by
//! nearest-neighbour queries in an R-tree of the accounts on the unit sphere (built
//! only when there is such a row).

use rayon::prelude::*;
use rstar::RTree;
use rstar::primitives::GeomWithData;

/// An account farther than this from every other one is an outlier.
pub const OUTLIER_KM: f64 = 1000.0;
/// A corrected position counts as right when another account is this close to it.
pub const FIX_KM: f64 = 50.0;
/// Rows with at most this many others within [`OUTLIER_KM`] are tested for a swap or
/// a lost sign as outliers are.
pub const SMALL_GROUP: u32 = 4;
/// The mean radius of the Earth.
const EARTH_KM: f64 = 6371.0088;

/// The fewest accounts a task counts into its own 1° table (260 KB): large enough
/// that the tables cost little beside the counting.
const CHUNK: usize = 100_000;

/// Whether a position is the (0, 0) a failed geocoder leaves.
pub fn is_null_island(lon: f64, lat: f64) -> bool {
    lon.abs() < 0.1 && lat.abs() < 0.1
}

/// Whether (lon, lat) is a place on the map: the limit of Web Mercator.
pub fn on_map(lon: f64, lat: f64) -> bool {
    lon.abs() <= 180.0 && lat.abs() <= crate::spatial::MAX_MERCATOR_LAT
}

/// What the check says about one row.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// Latitude and longitude look swapped: the swapped position is near others.
    Swapped { lon: f64, lat: f64 },
    /// The sign of the longitude (or of the latitude, `latitude: true`) looks lost.
    SignFlipped { lon: f64, lat: f64, latitude: bool },
    /// An outlier with no plausible correction: kept, with the distance in km.
    Far { km: f64 },
    /// Off the map as written, and no correction lands near other accounts.
    OffMap,
}

impl Finding {
    /// The corrected position, for the findings that have one.
    pub fn corrected(&self) -> Option<(f64, f64)> {
        match *self {
            Finding::Swapped { lon, lat } | Finding::SignFlipped { lon, lat, .. } => Some((lon, lat)),
            Finding::Far { .. } | Finding::OffMap => None,
        }
    }

    /// What the user reads.
    pub fn describe(&self) -> String {
        match self {
            Finding::Swapped { .. } => "latitude and longitude look swapped".to_owned(),
            Finding::SignFlipped { latitude: false, .. } => "longitude sign looks wrong".to_owned(),
            Finding::SignFlipped { latitude: true, .. } => "latitude sign looks wrong".to_owned(),
            Finding::Far { km } => {
                format!("{} km from the nearest other account", crate::format::thousands(km.round() as i64))
            }
            Finding::OffMap => "off the map".to_owned(),
        }
    }
}

fn unit(lon: f64, lat: f64) -> [f64; 3] {
    let (lon, lat) = (lon.to_radians(), lat.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// Great-circle distance in km from the squared chord between two unit vectors.
fn km_of_chord2(c2: f64) -> f64 {
    2.0 * EARTH_KM * (c2.sqrt() / 2.0).min(1.0).asin()
}

/// The 1° cell of an on-map position.
fn cell(lon: f64, lat: f64) -> (usize, usize) {
    let x = ((lon + 180.0).floor() as i64).clamp(0, 359) as usize;
    let y = ((lat + 90.0).floor() as i64).clamp(0, 179) as usize;
    (x, y)
}

/// Checks every position: `off_map[i]` marks rows whose position as written is off
/// the map (they are not anyone's neighbour). Returns the findings, by row index, in
/// index order; rows not listed are fine.
pub fn check(positions: &[(f64, f64)], off_map: &[bool]) -> Vec<(usize, Finding)> {
    let placed = |i: usize| !off_map.get(i).copied().unwrap_or(false);
    // The counts, in chunks on every core for a large plan (a table per chunk).
    let counts = (0..positions.len())
        .into_par_iter()
        .with_min_len(CHUNK)
        .fold(
            || vec![0u32; 360 * 180],
            |mut counts, i| {
                if placed(i) {
                    let (x, y) = cell(positions[i].0, positions[i].1);
                    counts[y * 360 + x] = counts[y * 360 + x].saturating_add(1);
                }
                counts
            },
        )
        .reduce_with(|mut a, b| {
            for (x, y) in a.iter_mut().zip(&b) {
                *x = x.saturating_add(*y);
            }
            a
        })
        .unwrap_or_else(|| vec![0u32; 360 * 180]);
    // The accounts in the 3 × 3 block of 1° cells around a position: any of them is
    // at most 315 km away.
    let block = |lon: f64, lat: f64| {
        let (x, y) = cell(lon, lat);
        let mut n = 0u32;
        for dy in -1i64..=1 {
            let yy = y as i64 + dy;
            if !(0..180).contains(&yy) {
                continue;
            }
            for dx in -1i64..=1 {
                let xx = (x as i64 + dx).rem_euclid(360) as usize;
                n = n.saturating_add(counts[yy as usize * 360 + xx]);
            }
        }
        n
    };
    // A block of more than SMALL_GROUP + 1 is in no small group: only the rest are
    // looked at further.
    let candidates: Vec<usize> = (0..positions.len())
        .into_par_iter()
        .with_min_len(crate::PARALLEL_MIN)
        .filter(|&i| !placed(i) || block(positions[i].0, positions[i].1) <= SMALL_GROUP + 1)
        .collect();
    if candidates.is_empty() {
        return Vec::new();
    }
    let tree: RTree<GeomWithData<[f64; 3], u32>> = RTree::bulk_load(
        (0..positions.len())
            .filter(|&i| placed(i))
            .map(|i| GeomWithData::new(unit(positions[i].0, positions[i].1), i as u32))
            .collect(),
    );
    // The accounts other than `me` nearest to (lon, lat): the distance to the first,
    // and how many lie within OUTLIER_KM (counted up to SMALL_GROUP + 1).
    let others = |me: usize, lon: f64, lat: f64| -> Option<(f64, u32)> {
        let p = unit(lon, lat);
        let mut near = tree.nearest_neighbor_iter_with_distance_2(&p).filter(|(g, _)| g.data as usize != me);
        let first = km_of_chord2(near.next()?.1);
        let within = if first > OUTLIER_KM {
            0
        } else {
            1 + near.take(SMALL_GROUP as usize).take_while(|(_, d2)| km_of_chord2(*d2) <= OUTLIER_KM).count() as u32
        };
        Some((first, within))
    };
    // A correction is right when it lands near another account, in a denser place.
    let right = |me: usize, here: u32, (lon, lat): (f64, f64)| {
        on_map(lon, lat)
            && !is_null_island(lon, lat)
            && block(lon, lat) > here
            && others(me, lon, lat).is_some_and(|(d, _)| d <= FIX_KM)
    };
    let mut out = Vec::new();
    for i in candidates {
        let (lon, lat) = positions[i];
        if !placed(i) {
            let finding =
                if right(i, 0, (lat, lon)) { Finding::Swapped { lon: lat, lat: lon } } else { Finding::OffMap };
            out.push((i, finding));
            continue;
        }
        let Some((km, within)) = others(i, lon, lat) else { continue };
        if km <= OUTLIER_KM && within > SMALL_GROUP {
            continue;
        }
        let here = block(lon, lat);
        let finding = if right(i, here, (lat, lon)) {
            Finding::Swapped { lon: lat, lat: lon }
        } else if right(i, here, (-lon, lat)) {
            Finding::SignFlipped { lon: -lon, lat, latitude: false }
        } else if right(i, here, (lon, -lat)) {
            Finding::SignFlipped { lon, lat: -lat, latitude: true }
        } else if km > OUTLIER_KM {
            Finding::Far { km }
        } else {
            continue;
        };
        out.push((i, finding));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cluster of accounts around (lon, lat), a few km apart.
    fn cluster(lon: f64, lat: f64, n: usize) -> Vec<(f64, f64)> {
        (0..n).map(|k| (lon + (k % 5) as f64 * 0.02, lat + (k / 5) as f64 * 0.02)).collect()
    }

    #[test]
    fn swapped_and_sign_flipped_rows_are_found_and_corrected() {
        // German accounts around Konstanz (9.17° E, 47.66° N) and US ones around Denver.
        let mut pos = cluster(9.17, 47.66, 30);
        pos.extend(cluster(-104.99, 39.74, 30));
        let swapped = pos.len();
        pos.push((47.65, 9.2)); // written as (lat, lon): the Horn of Africa
        let flipped = pos.len();
        pos.push((104.95, 39.76)); // the lost minus: northern China
        let far = pos.len();
        pos.push((-157.86, 21.31)); // Honolulu: far, and no correction helps
        let off = pos.len();
        pos.push((-104.97, 139.75)); // off the map; swapped it is not near anything
        let swapped_off = pos.len();
        pos.push((39.75, -104.96)); // latitude -104.96 is off the map; swapped: Denver
        let mut off_map = vec![false; pos.len()];
        off_map[off] = true;
        off_map[swapped_off] = true;
        let found = check(&pos, &off_map);
        let get = |i: usize| found.iter().find(|(k, _)| *k == i).map(|(_, f)| f.clone());
        assert_eq!(get(swapped), Some(Finding::Swapped { lon: 9.2, lat: 47.65 }));
        assert_eq!(get(flipped), Some(Finding::SignFlipped { lon: -104.95, lat: 39.76, latitude: false }));
        // Honolulu is 5,375 to 5,383 km from the corners of the Denver cluster by the
        // haversine formula (computed apart, in Python).
        match get(far) {
            Some(Finding::Far { km }) => assert!((5_370.0..5_390.0).contains(&km), "{km}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(get(off), Some(Finding::OffMap));
        assert_eq!(get(swapped_off), Some(Finding::Swapped { lon: -104.96, lat: 39.75 }));
        // Nothing else is flagged: the clusters are fine.
        assert_eq!(found.len(), 5, "{found:?}");
    }

    #[test]
    fn a_lone_account_within_1000_km_is_fine_and_two_lonely_ones_are_each_others_neighbours() {
        // Two accounts 800 km apart (Berlin, Paris is 880 km): neither is an outlier.
        let pos = vec![(13.40, 52.52), (2.35, 48.86)];
        assert!(check(&pos, &[false, false]).is_empty());
        // Berlin and Lisbon, 2,300 km: both outliers, both kept with a warning.
        let pos = vec![(13.40, 52.52), (-9.14, 38.72)];
        let found = check(&pos, &[false, false]);
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|(_, f)| matches!(f, Finding::Far { km } if (2_250.0..2_350.0).contains(km))));
    }

    #[test]
    fn null_island_is_recognised() {
        assert!(is_null_island(0.0, 0.0));
        assert!(is_null_island(0.05, -0.09));
        assert!(!is_null_island(0.2, 0.0));
    }
}
