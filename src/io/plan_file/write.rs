//! Writing: the canonical layout, one account a line, in parts that are written as
//! they come.

use super::*;

pub(super) fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// The row `ron` writes for an account (the test of [`super::rows`] holds the direct
/// writer to it).
#[cfg(test)]
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

pub(super) const ROWS_CLOSE: &str = "\n    ],\n";

/// The line that opens the scenarios after the rows, in the canonical layout of version 3.
pub(super) const SCENARIOS_OPEN: &str = "    scenarios: [";

/// The plan as RON text: the territories, then one account a line.
pub fn to_ron_string(plan: &Plan) -> Result<String, ron::Error> {
    Ok(to_ron_parts(plan)?.concat())
}

/// The plan's RON text in consecutive parts (written one after another, so that a
/// large plan is never copied into one string).
pub fn to_ron_parts(plan: &Plan) -> Result<Vec<String>, ron::Error> {
    to_ron_parts_with(plan, None)
}

/// [`to_ron_parts`], each piece of rows reported to `progress`; cancelled, the parts
/// are incomplete (the caller checks [`crate::io::Progress::is_cancelled`]).
pub(super) fn to_ron_parts_with(
    plan: &Plan,
    progress: Option<&crate::io::Progress>,
) -> Result<Vec<String>, ron::Error> {
    // The rows carry the first scenario; the others follow as differences from it.
    let (base_t, base_a, base_l) = plan.scenario_parts(0);
    let first = plan.scenarios.first().map(|s| s.name.as_str()).filter(|&n| n != crate::model::BASELINE_NAME);
    let header = PlanFileV2 {
        format: format_name(),
        version: CURRENT_VERSION,
        currency: plan.currency.clone(),
        view: plan.view.map(|v| ViewRecord { lon: v.center_lon, lat: v.center_lat, zoom: v.zoom }),
        travel: plan.travel,
        scenario: first.map(str::to_owned),
        current: (plan.current != 0).then(|| plan.scenario_name().to_owned()),
        regions: region_records(plan.scenario_regions(0)),
        territories: territory_records(base_t, plan.scenario_regions(0)),
        account_fields: ACCOUNT_FIELDS.iter().map(|s| (*s).to_owned()).collect(),
        accounts: Vec::new(),
        scenarios: Vec::new(),
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
    let bodies = crate::io::parallel_with(&chunks, progress, |r| -> Result<String, ron::Error> {
        let mut out = String::with_capacity(r.len() * 140);
        for i in r.clone() {
            let t = base_a[i].map(|t| base_t[t.get()].id.as_str());
            out.push_str(ROW_INDENT);
            rows::push_row(&mut out, &plan.accounts.get(i), t, base_l[i]);
            out.push_str(",\n");
        }
        Ok(out)
    });
    let mut parts = Vec::with_capacity(bodies.len() + 3);
    parts.push(format!("{}accounts: [\n", &head[..cut]));
    for b in bodies {
        parts.push(b?);
    }
    parts.push("    ],\n".to_owned());
    parts.push(scenarios::scenarios_text(&scenarios::scenario_records(plan))?);
    // What the header has after its (empty) account list: the closing parenthesis.
    let tail = head[cut + "accounts: [],".len()..].trim_start_matches('\n');
    parts.push(tail.to_owned());
    Ok(parts)
}
