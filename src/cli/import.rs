//! `import`: accounts from CSV into a plan, with the import report.

use super::*;

/// The import options `--column`, `--decimal` and `--fix-coordinates` ask for, with
/// progress.
pub(super) fn read_options(read: &ReadArgs) -> Result<(ImportOptions, std::sync::Arc<Progress>), Failure> {
    let mut opts = ImportOptions {
        fix_coordinates: read.fix_coordinates,
        decimal: read.decimal.map(DecimalFormat::from),
        ..ImportOptions::default()
    };
    for c in &read.columns {
        let (field, header) =
            c.split_once('=').ok_or_else(|| Failure::usage(format!("--column {c}: expected FIELD=HEADER")))?;
        let f = Field::parse(field).ok_or_else(|| {
            let keys: Vec<&str> = Field::ALL.iter().map(|f| f.key()).collect();
            Failure::usage(format!("--column {c}: unknown field \"{field}\" (fields: {})", keys.join(", ")))
        })?;
        opts.columns.push((f, header.to_owned()));
    }
    let progress = std::sync::Arc::new(Progress::default());
    opts.progress = Some(progress.clone());
    Ok((opts, progress))
}

pub(super) fn import(csv: &Path, out_path: &Path, read: &ReadArgs, as_json: bool) -> Result<(), Failure> {
    let (opts, progress) = read_options(read)?;
    let (plan, report) = with_progress("importing", &progress, || import_csv(csv, &opts))?;
    if as_json {
        print_json(&import_json(&report));
    } else {
        print_import_report(csv, &report);
    }
    plan_file::save(&plan, out_path).map_err(Failure::data)?;
    if !as_json {
        out(&format!(
            "imported {} accounts into {} territories ({}, {}); {} rejected, {} skipped, {} warnings{}; wrote {}\n",
            report.accepted,
            plan.territories.len(),
            match report.delimiter {
                b';' => "semicolon-delimited",
                b'\t' => "tab-delimited",
                _ => "comma-delimited",
            },
            report.decimal.unwrap_or(DecimalFormat::Point),
            report.rejected.len(),
            report.skipped.len(),
            report.warnings.len(),
            if report.fixed > 0 { format!(" ({} positions corrected)", report.fixed) } else { String::new() },
            out_path.display()
        ));
    }
    Ok(())
}

/// The import report as `import --json` prints it.
pub(super) fn import_json(report: &csv_import::ImportReport) -> json::ImportJson<'_> {
    let warnings = report
        .warnings
        .iter()
        .map(|w| json::WarningJson {
            line: w.line,
            id: &w.id,
            reason: &w.reason,
            lon: w.at.map(|p| p.0),
            lat: w.at.map(|p| p.1),
        })
        .collect();
    json::ImportJson {
        accepted: report.accepted,
        rejected: json::issues(&report.rejected),
        skipped: json::issues(&report.skipped),
        warnings,
        fixed: report.fixed,
        fixable: report.fixable,
        notes: &report.notes,
    }
}

/// The import report on stderr: the first rows of each kind (--json lists them all).
pub(super) fn print_import_report(csv: &Path, report: &csv_import::ImportReport) {
    const SHOWN: usize = 20;
    let list = |kind: &str, rows: &mut dyn ExactSizeIterator<Item = (u64, &str)>| {
        let n = rows.len();
        for (line, reason) in rows.take(SHOWN) {
            eprintln!("{}: line {line}: {kind}: {reason}", csv.display());
        }
        if n > SHOWN {
            eprintln!("{}: … and {} more {kind} (--json lists all)", csv.display(), thousands(n as i64 - SHOWN as i64));
        }
    };
    list("rejected", &mut report.rejected.iter().map(|r| (r.line, r.reason.as_str())));
    list("skipped", &mut report.skipped.iter().map(|r| (r.line, r.reason.as_str())));
    list("warning", &mut report.warnings.iter().map(|r| (r.line, r.reason.as_str())));
    for note in &report.notes {
        eprintln!("{}: note: {note}", csv.display());
    }
}
