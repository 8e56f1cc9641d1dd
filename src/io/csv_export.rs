//! CSV export of assignments for the CRM: UTF-8 without BOM, comma-delimited,
//! header `account_id,account_name,territory,rep`, one row per account in plan order.

use std::path::Path;

use crate::model::Plan;

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Io(#[from] super::FileError),
}

/// Writes the assignment table to any writer.
pub fn write_assignments(plan: &Plan, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(["account_id", "account_name", "territory", "rep"])?;
    for (a, t) in plan.accounts.iter().zip(&plan.assignment) {
        let (territory, rep) = match t {
            Some(t) => {
                let t = &plan.territories[t.get()];
                (t.name.as_str(), t.rep.as_deref().unwrap_or(""))
            }
            None => ("", ""),
        };
        out.write_record([a.id, a.name, territory, rep])?;
    }
    out.flush()
}

/// Writes the assignment table to a file, atomically.
pub fn export_file(plan: &Plan, path: &Path) -> Result<(), ExportError> {
    super::write_atomic(path, |w| write_assignments(plan, w))?;
    Ok(())
}
