//! The change list for the CRM: one row per account whose territory differs.

use std::path::Path;

use super::{Comparison, Side};
use crate::io::{FileError, write_atomic};
use crate::model::{Territory, TerritoryIdx};

/// The change list's header.
pub const HEADER: [&str; 12] = [
    "account_id",
    "account_name",
    "city",
    "from_territory_id",
    "from_territory",
    "from_rep",
    "to_territory_id",
    "to_territory",
    "to_rep",
    "potential",
    "annual_revenue",
    "workload_hours",
];

/// Writes the change list of `c` (A = `a`, B = `b`): UTF-8, comma-delimited, in A's
/// order; an Unassigned side has empty territory cells; the figures are A's (money
/// exact to the cent, workload in hours).
pub fn write_changes(a: &Side<'_>, b: &Side<'_>, c: &Comparison, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(HEADER)?;
    let side = |ts: &[Territory], t: Option<TerritoryIdx>| match t {
        Some(t) => {
            let t = &ts[t.get()];
            [t.id.clone(), t.name.clone(), t.rep.clone().unwrap_or_default()]
        }
        None => [String::new(), String::new(), String::new()],
    };
    for ch in &c.changes {
        let acc = a.accounts.get(ch.a);
        let [fid, fname, frep] = side(a.territories, a.assignment[ch.a]);
        let [tid, tname, trep] = side(b.territories, b.assignment[ch.b]);
        out.write_record([
            acc.id,
            acc.name,
            acc.city.unwrap_or(""),
            &fid,
            &fname,
            &frep,
            &tid,
            &tname,
            &trep,
            &acc.potential.decimal(),
            &acc.annual_revenue.decimal(),
            &acc.workload().hours().to_string(),
        ])?;
    }
    out.flush()
}

/// Writes the change list to a file, atomically.
pub fn changes_file(a: &Side<'_>, b: &Side<'_>, c: &Comparison, path: &Path) -> Result<(), FileError> {
    write_atomic(path, |w| write_changes(a, b, c, w))
}
