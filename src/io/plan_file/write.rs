//! Writing: the canonical layout, one account a line, in parts that are written as
//! they come.

use super::*;

pub(super) fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

pub(super) fn row_of<'a>(a: AccountRef<'a>, territory: Option<&'a str>) -> AccountRow<'a> {
    AccountRow(
        Cow::Borrowed(a.id),
        Cow::Borrowed(a.name),
        a.lon,
        a.lat,
        a.potential.0,
        a.annual_revenue.0,
        a.visits_per_year,
        a.minutes_per_visit,
        a.city.map(Cow::Borrowed),
        a.state.map(Cow::Borrowed),
        a.zip.map(Cow::Borrowed),
        territory.map(Cow::Borrowed),
        a.locked,
    )
}

/// The indentation of account rows in the canonical layout.
pub(super) const ROW_INDENT: &str = "        ";

/// Where the rows start and end in the canonical layout.
pub(super) const ROWS_OPEN: &str = "\n    accounts: [\n";

pub(super) const ROWS_CLOSE: &str = "\n    ],\n)";

/// The plan as RON text: the territories, then one account a line.
pub fn to_ron_string(plan: &Plan) -> Result<String, ron::Error> {
    Ok(to_ron_parts(plan)?.concat())
}

/// The plan's RON text in consecutive parts (written one after another, so that a
/// large plan is never copied into one string).
pub fn to_ron_parts(plan: &Plan) -> Result<Vec<String>, ron::Error> {
    let header = PlanFileV2 {
        format: format_name(),
        version: CURRENT_VERSION,
        currency: plan.currency.clone(),
        view: plan.view.map(|v| ViewRecord { lon: v.center_lon, lat: v.center_lat, zoom: v.zoom }),
        territories: territory_records(plan),
        account_fields: ACCOUNT_FIELDS.iter().map(|s| (*s).to_owned()).collect(),
        accounts: Vec::new(),
    };
    let config = ron::ser::PrettyConfig::new()
        .depth_limit(2)
        .struct_names(false)
        .extensions(ron::extensions::Extensions::IMPLICIT_SOME);
    let head = ron::ser::to_string_pretty(&header, config)?;
    let Some(cut) = head.rfind("accounts: [],") else {
        return Err(ron::Error::Message("unexpected layout of the plan header".to_owned()));
    };
    let chunks: Vec<std::ops::Range<usize>> =
        (0..plan.accounts.len()).step_by(20_000).map(|s| s..(s + 20_000).min(plan.accounts.len())).collect();
    let opts = ron_options();
    let bodies = crate::io::parallel(&chunks, |r| -> Result<String, ron::Error> {
        let mut out = String::with_capacity(r.len() * 140);
        for i in r.clone() {
            let t = plan.assignment[i].map(|t| plan.territories[t.get()].id.as_str());
            out.push_str(ROW_INDENT);
            opts.to_writer(&mut out, &row_of(plan.accounts.get(i), t))?;
            out.push_str(",\n");
        }
        Ok(out)
    });
    let mut parts = Vec::with_capacity(bodies.len() + 2);
    parts.push(format!("{}accounts: [\n", &head[..cut]));
    for b in bodies {
        parts.push(b?);
    }
    parts.push(format!("    ],{}", &head[cut + "accounts: [],".len()..]));
    Ok(parts)
}
