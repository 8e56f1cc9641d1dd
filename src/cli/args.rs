//! The command line's arguments (clap) and their range checks.

use super::*;

/// Territory editor: redraw sales territories on a map. Without a subcommand it
/// opens the editor (on FILE, or on the bundled demo plan).
#[derive(Debug, Parser)]
#[command(name = "territory-editor", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// A plan (.ron) or accounts (.csv) to open in the editor.
    pub file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Cmd>,
}

/// The headless subcommands.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Per-territory totals and the plan's balance.
    Stats {
        plan: PathBuf,
        #[command(flatten)]
        scenario: ScenarioArg,
        #[arg(long)]
        json: bool,
    },
    /// The accounts inside the union of a GeoJSON file's polygons.
    Select {
        plan: PathBuf,
        #[command(flatten)]
        scenario: ScenarioArg,
        #[arg(long)]
        polygon: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Give the accounts inside a GeoJSON area to a territory.
    Assign {
        plan: PathBuf,
        #[command(flatten)]
        scenario: ScenarioArg,
        #[arg(long)]
        polygon: PathBuf,
        /// Territory id or name.
        #[arg(long)]
        to: String,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Import accounts from CSV into a plan.
    Import {
        csv: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        read: ReadArgs,
        #[arg(long)]
        json: bool,
    },
    /// Refresh a plan from a new CRM export: accounts matched by id keep their
    /// territory and lock in every scenario and take the new values; new accounts join
    /// the territory of the nearest account within --radius that may receive them;
    /// accounts the export no longer has are removed (a rejected row keeps its account).
    Update {
        plan: PathBuf,
        /// The new export (CSV).
        #[arg(long)]
        accounts: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        read: ReadArgs,
        /// How far a new account looks for a territory to join, km.
        #[arg(long, default_value_t = crate::update::DEFAULT_RADIUS_KM, value_parser = radius_km)]
        radius: f64,
        /// Take the export's territory column in the baseline scenario (the plan is the
        /// truth otherwise).
        #[arg(long)]
        take_territories: bool,
        /// Allow removing more than 10 % of the accounts (partial exports are common).
        #[arg(long)]
        allow_removals: bool,
        /// The scenario whose territories the report shows (all are updated).
        #[command(flatten)]
        scenario: ScenarioArg,
        #[arg(long)]
        json: bool,
    },
    /// Two plans of the same accounts side by side: the accounts that change territory,
    /// the flows between territories, each territory's figures in both and the share
    /// of its workload that changes hands. Accounts and territories are matched by id.
    Compare {
        /// The plan as it is (A).
        plan: PathBuf,
        /// The plan it is compared with (B); without it, two scenarios of PLAN.
        other: Option<PathBuf>,
        #[command(flatten)]
        sides: SidesArg,
        #[arg(long)]
        json: bool,
    },
    /// The change list for the CRM: one row per account whose territory differs
    /// between two plans, and per territory what it gains and loses.
    Changes {
        /// The plan as it is (A).
        plan: PathBuf,
        /// The plan to carry out (B); without it, two scenarios of PLAN.
        other: Option<PathBuf>,
        #[command(flatten)]
        sides: SidesArg,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Shape of a plan beyond balance: compactness (km) and pieces per territory, and
    /// optionally the plain k-means reference compactness for comparison.
    Quality {
        plan: PathBuf,
        #[command(flatten)]
        scenario: ScenarioArg,
        /// Also compute the k-means reference with this many clusters (10 restarts;
        /// 1 to 10,000, and at most the number of accounts).
        #[arg(long, value_parser = territory_count)]
        kmeans: Option<usize>,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[arg(long)]
        json: bool,
    },
    /// Balance from here: bring every territory within the tolerance of the mean,
    /// moving as few accounts as it can, keeping territories in one piece.
    Balance {
        plan: PathBuf,
        /// What to balance.
        #[arg(long = "balance", value_enum, default_value_t = TargetArg::Workload)]
        target: TargetArg,
        /// Disruption budget: the most that may move, e.g. `accounts=0.20`,
        /// `workload=0.15`, `potential=0.15` (repeatable). No budget by default.
        #[arg(long = "max-moved", value_name = "WHAT=SHARE")]
        max_moved: Vec<String>,
        #[command(flatten)]
        common: OptimizeArgs,
    },
    /// Redraw: K territories from scratch, balanced on workload, compact, in one piece,
    /// named after the old territories they overlap most.
    Redraw {
        plan: PathBuf,
        /// Number of territories, locked ones included (1 to 10,000, and at most the
        /// number of accounts).
        #[arg(long, value_parser = territory_count)]
        territories: usize,
        /// Grow a territory around each rep's home (the plan's `rep_home`): it keeps
        /// that territory's name and rep, and its centre stays at the home.
        #[arg(long)]
        homes: bool,
        #[command(flatten)]
        common: OptimizeArgs,
    },
    /// Generate realistic synthetic accounts (CSV) in longitude-band territories.
    Generate {
        /// Number of accounts (at most 50,000,000).
        #[arg(long, value_parser = account_count)]
        accounts: usize,
        /// Number of territories (1 to 10,000).
        #[arg(long, default_value_t = 12, value_parser = territory_count)]
        territories: usize,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Set what the editor sets: a territory's rep's capacity (1 a full book, 0.5 part
    /// time), region or rep; travel in the workload. Writes the plan to --out.
    Set {
        plan: PathBuf,
        #[command(flatten)]
        scenario: ScenarioArg,
        /// Territory id or name.
        #[arg(long)]
        territory: Option<String>,
        /// The rep's capacity, 0.05 to 10: the territory's target is the total ×
        /// capacity / the sum of capacities.
        #[arg(long, value_parser = capacity)]
        capacity: Option<f64>,
        /// The rep's name ("" clears it).
        #[arg(long)]
        rep: Option<String>,
        /// The territory's region as a path from the top, "East/Mid-Atlantic" (the
        /// regions missing are created; "" puts it at the top).
        #[arg(long, value_name = "PATH")]
        region: Option<String>,
        /// Travel in the workload: on (each account's round trips from its rep's home or
        /// its territory's centre) or off.
        #[arg(long, value_enum)]
        travel: Option<OnOff>,
        #[command(flatten)]
        travel_settings: TravelArgs,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Export the assignments as CSV for the CRM.
    Export {
        plan: PathBuf,
        #[command(flatten)]
        scenario: ScenarioArg,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// The plan as a picture to hand out (PNG or SVG, by --out's extension): the
    /// territory areas over the basemap, their names, a legend with each territory's
    /// rep, accounts, workload and deviation, a scale bar and the attribution.
    Map {
        plan: PathBuf,
        #[command(flatten)]
        scenario: ScenarioArg,
        /// MAP.png or MAP.svg.
        #[arg(long)]
        out: PathBuf,
        /// Width in pixels (1200 to 12,000); the height follows from the extent.
        #[arg(long, default_value_t = crate::render::DEFAULT_WIDTH, value_parser = map_width)]
        width: u32,
        /// Only this region's territories (an id, a name or a path).
        #[arg(long)]
        region: Option<String>,
        /// Only this territory (an id or a name), its neighbours faint.
        #[arg(long)]
        territory: Option<String>,
        /// The Changes view: what moved since this scenario, in its new colour.
        #[arg(long)]
        changes_from: Option<String>,
        /// The title (default: the file's name).
        #[arg(long)]
        title: Option<String>,
        /// Accounts as dots instead of territory areas.
        #[arg(long)]
        dots: bool,
        #[arg(long)]
        json: bool,
    },
    /// The territory book, a PDF for the workshop and the reps (A4 landscape): an
    /// overview page (the map and the balance table), then a page per territory (its
    /// map, rep, figures against target, largest accounts, and its gains and losses
    /// since the baseline scenario).
    Book {
        plan: PathBuf,
        #[command(flatten)]
        scenario: ScenarioArg,
        /// BOOK.pdf.
        #[arg(long)]
        out: PathBuf,
        /// The title (default: the file's name).
        #[arg(long)]
        title: Option<String>,
    },
    /// The territories as areas (every point goes to the territory of its nearest
    /// account, cut to the land and to --max-km around the accounts), as a GeoJSON
    /// FeatureCollection with each territory's figures as properties.
    Shapes {
        plan: PathBuf,
        #[command(flatten)]
        scenario: ScenarioArg,
        /// The GeoJSON file to write.
        #[arg(long)]
        out: PathBuf,
        /// Leave empty what is farther than this from every account, km (1 to 1000).
        #[arg(long, default_value_t = 50.0, value_parser = shape_km)]
        max_km: f64,
        /// Do not cut the shapes to the bundled land (coastlines).
        #[arg(long)]
        no_land: bool,
        #[arg(long)]
        json: bool,
    },
}

/// How to read accounts CSV (`import`, `update`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReadArgs {
    /// Map a field to a header, e.g. `--column lat=Breite` (repeatable).
    #[arg(long = "column", value_name = "FIELD=HEADER")]
    pub columns: Vec<String>,
    /// Number format of the file (detected when omitted).
    #[arg(long, value_enum)]
    pub decimal: Option<DecimalArg>,
    /// Place rows whose latitude and longitude look swapped, or whose sign looks
    /// lost, at the corrected position (they are rejected otherwise).
    #[arg(long)]
    pub fix_coordinates: bool,
}

/// Which scenario of a plan a command reads, or changes (the others are kept as they
/// are).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ScenarioArg {
    /// The scenario to work on (default: the one saved as current).
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
}

/// The two sides of `compare` and `changes`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SidesArg {
    /// Side A's scenario (default: the baseline of one plan, the current of two).
    #[arg(long, value_name = "SCENARIO")]
    pub a: Option<String>,
    /// Side B's scenario (default: the one saved as current).
    #[arg(long, value_name = "SCENARIO")]
    pub b: Option<String>,
}

/// What Balance and Redraw share on the command line.
#[derive(Debug, clap::Args)]
pub struct OptimizeArgs {
    #[command(flatten)]
    pub scenario: ScenarioArg,
    /// Put the proposal into a new scenario of this name (a copy of the one worked
    /// on) instead of changing that one.
    #[arg(long, value_name = "NAME")]
    pub new_scenario: Option<String>,
    /// Where to write the proposed plan.
    #[arg(long)]
    pub out: PathBuf,
    /// Allowed |deviation| from each territory's target (0.03 = ±3%; between 0 and 1).
    #[arg(long, default_value_t = 0.03, value_parser = tolerance, allow_negative_numbers = true)]
    pub tolerance: f64,
    /// A territory (id or name) that keeps its accounts (repeatable).
    #[arg(long = "lock", value_name = "TERRITORY")]
    pub lock: Vec<String>,
    /// A region (id, name or path "East/Mid-Atlantic") whose territories keep their
    /// accounts (repeatable).
    #[arg(long = "lock-region", value_name = "REGION")]
    pub lock_region: Vec<String>,
    /// Work within this region only: only its territories give and receive, its total
    /// stays, and they aim at their shares of it (Redraw: --territories counts its
    /// territories).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// A file of account ids, one per line, that must not move.
    #[arg(long = "lock-accounts", value_name = "IDS.txt")]
    pub lock_accounts: Option<PathBuf>,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long)]
    pub json: bool,
}

/// `--territories` and `--kmeans`: 1 to [`limits::MAX_TERRITORIES`] (a usage error,
/// exit 2, otherwise; more than the plan's accounts is a data error, exit 1).
pub(super) fn territory_count(s: &str) -> Result<usize, String> {
    let n: usize = s.trim().parse().map_err(|_| format!("{} is not a whole number", crate::format::quoted(s)))?;
    if n == 0 {
        return Err("must be at least 1".to_owned());
    }
    limits::check_territories(n)?;
    Ok(n)
}

/// The most accounts `generate` writes.
pub(super) const MAX_GENERATED: usize = 50_000_000;

pub(super) fn account_count(s: &str) -> Result<usize, String> {
    let n: usize = s.trim().parse().map_err(|_| format!("{} is not a whole number", crate::format::quoted(s)))?;
    if n > MAX_GENERATED {
        return Err(format!("at most {} accounts", thousands(MAX_GENERATED as i64)));
    }
    Ok(n)
}

/// `--radius`: a distance in km, 0 to 20,000.
pub(super) fn radius_km(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(r) if (0.0..=20_000.0).contains(&r) => Ok(r),
        _ => Err(format!("{s:?} is not a distance between 0 and 20000 km")),
    }
}

/// `map --width`: 1200 to 12,000 pixels.
pub(super) fn map_width(s: &str) -> Result<u32, String> {
    let range = crate::render::MIN_WIDTH..=crate::render::MAX_WIDTH;
    match s.trim().parse::<u32>() {
        Ok(w) if range.contains(&w) => Ok(w),
        _ => Err(format!("{} is not a width between 1200 and 12000 pixels", crate::format::quoted(s))),
    }
}

/// `shapes --max-km`: from 1 km (the disc always kept around an account) to 1000.
pub(super) fn shape_km(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(r) if (1.0..=1000.0).contains(&r) => Ok(r),
        _ => Err(format!("{} is not a distance between 1 and 1000 km", crate::format::quoted(s))),
    }
}

/// `--tolerance`: a share strictly between 0 and 1.
pub(super) fn tolerance(s: &str) -> Result<f64, String> {
    let t: f64 = s.trim().parse().map_err(|_| format!("{} is not a number", crate::format::quoted(s)))?;
    if !(t.is_finite() && t > 0.0 && t < 1.0) {
        return Err(format!("{t} is not between 0 and 1 (0.03 is ±3%)"));
    }
    Ok(t)
}

/// `--capacity`: a share of a full book within [`limits::check_capacity`].
pub(super) fn capacity(s: &str) -> Result<f64, String> {
    let c: f64 = s.trim().parse().map_err(|_| format!("{} is not a number", crate::format::quoted(s)))?;
    limits::check_capacity(c)?;
    Ok(c)
}

/// On or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

/// The travel settings `set` may change (each checked by the editor's own rule).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TravelArgs {
    /// Average speed on the road, km/h (default 60).
    #[arg(long, value_name = "KMH")]
    pub speed: Option<f64>,
    /// Road distance over great-circle distance (default 1.3).
    #[arg(long, value_name = "F")]
    pub detour: Option<f64>,
    /// Visits made on one trip (default 1).
    #[arg(long, value_name = "N")]
    pub visits_per_trip: Option<u32>,
}

impl TravelArgs {
    fn any(&self) -> bool {
        self.speed.is_some() || self.detour.is_some() || self.visits_per_trip.is_some()
    }

    /// The settings `--travel` and these options ask for, from what the plan has.
    pub(super) fn resolve(
        &self,
        switch: Option<OnOff>,
        now: Option<crate::model::Travel>,
    ) -> Result<Option<Option<crate::model::Travel>>, String> {
        match switch {
            Some(OnOff::Off) if self.any() => {
                Err("--speed, --detour and --visits-per-trip need --travel on".to_owned())
            }
            Some(OnOff::Off) => Ok(Some(None)),
            None if !self.any() => Ok(None),
            None if now.is_none() => Err("travel is off in this plan: give --travel on".to_owned()),
            _ => {
                let mut t = now.unwrap_or_default();
                t.speed_kmh = self.speed.unwrap_or(t.speed_kmh);
                t.detour = self.detour.unwrap_or(t.detour);
                t.visits_per_trip = self.visits_per_trip.unwrap_or(t.visits_per_trip);
                t.check()?;
                Ok(Some(Some(t)))
            }
        }
    }
}

/// `--decimal`: the number format of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DecimalArg {
    /// `1.234,5`
    Comma,
    /// `1,234.5`
    Point,
}

impl From<DecimalArg> for DecimalFormat {
    fn from(d: DecimalArg) -> DecimalFormat {
        match d {
            DecimalArg::Comma => DecimalFormat::Comma,
            DecimalArg::Point => DecimalFormat::Point,
        }
    }
}

/// `--balance`: what Balance brings within the tolerance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TargetArg {
    Workload,
    Potential,
    Both,
}

impl From<TargetArg> for Target {
    fn from(t: TargetArg) -> Target {
        match t {
            TargetArg::Workload => Target::Workload,
            TargetArg::Potential => Target::Potential,
            TargetArg::Both => Target::Both,
        }
    }
}
