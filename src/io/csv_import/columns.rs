//! The fields an import knows, their header synonyms (English, German, French, Spanish…),
//! and which column holds which field.

use super::*;

/// A column the importer understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Id,
    Name,
    Lat,
    Lon,
    Potential,
    AnnualRevenue,
    VisitsPerYear,
    VisitMinutes,
    City,
    State,
    Zip,
    Territory,
    Rep,
    /// The territory's region, a path from the top ("East/Mid-Atlantic").
    Region,
}

impl Field {
    /// Every field, in the order columns are listed.
    pub const ALL: [Field; 14] = [
        Field::Id,
        Field::Name,
        Field::Lat,
        Field::Lon,
        Field::Potential,
        Field::AnnualRevenue,
        Field::VisitsPerYear,
        Field::VisitMinutes,
        Field::City,
        Field::State,
        Field::Zip,
        Field::Territory,
        Field::Rep,
        Field::Region,
    ];

    /// Fields without which no row can be imported.
    pub const REQUIRED: [Field; 3] = [Field::Id, Field::Lat, Field::Lon];

    /// The name used on the command line (`--column lat=Breite`).
    pub fn key(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Name => "name",
            Field::Lat => "lat",
            Field::Lon => "lon",
            Field::Potential => "potential",
            Field::AnnualRevenue => "annual_revenue",
            Field::VisitsPerYear => "visits_per_year",
            Field::VisitMinutes => "visit_minutes",
            Field::City => "city",
            Field::State => "state",
            Field::Zip => "zip",
            Field::Territory => "territory",
            Field::Rep => "rep",
            Field::Region => "region",
        }
    }

    /// Whether a row may lack this cell (short rows are taken as empty there): text
    /// that describes an account. A missing number or territory rejects the row.
    pub(super) fn may_be_missing(self) -> bool {
        matches!(self, Field::Name | Field::City | Field::State | Field::Zip | Field::Rep | Field::Region)
    }

    /// Parses a field key (its synonyms work too).
    pub fn parse(s: &str) -> Option<Field> {
        let n = normalize_header(s);
        Field::ALL.into_iter().find(|f| normalize_header(f.key()) == n || f.synonyms().contains(&n.as_str()))
    }

    /// Normalized header names that mean this field.
    pub(super) fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::Id => &[
                "id",
                "accountid",
                "accountnumber",
                "accountno",
                "customerid",
                "customerno",
                "customernumber",
                "kundennummer",
                "kundennr",
                "kdnr",
                "debitorennummer",
                "debitor",
                "crmid",
                "number",
                "nr",
            ],
            Field::Name => &[
                "name",
                "accountname",
                "company",
                "companyname",
                "customer",
                "customername",
                "firma",
                "firmenname",
                "kunde",
                "kundenname",
                "unternehmen",
                "name1",
            ],
            Field::Lat => {
                &["lat", "latitude", "billinglatitude", "shippinglatitude", "breitengrad", "breite", "geolat", "y"]
            }
            Field::Lon => &[
                "lon",
                "lng",
                "long",
                "longitude",
                "billinglongitude",
                "shippinglongitude",
                "laengengrad",
                "laenge",
                "geolon",
                "geolng",
                "x",
            ],
            Field::Potential => &[
                "potential",
                "potenzial",
                "salespotential",
                "marketpotential",
                "umsatzpotenzial",
                "umsatzpotential",
                "potentialusd",
                "potentialeur",
                "potenzialeur",
            ],
            Field::AnnualRevenue => {
                &["annualrevenue", "revenue", "umsatz", "jahresumsatz", "annualsales", "sales", "umsatzeur"]
            }
            Field::VisitsPerYear => &[
                "visitsperyear",
                "visits",
                "visitfrequency",
                "callsperyear",
                "callfrequency",
                "calls",
                "besuche",
                "besucheprojahr",
                "besuchsfrequenz",
                "besuchehaeufigkeit",
            ],
            Field::VisitMinutes => &[
                "visitminutes",
                "minutespervisit",
                "visitduration",
                "visitlength",
                "callduration",
                "callminutes",
                "besuchsdauer",
                "besuchsdauermin",
                "minutenprobesuch",
                "dauer",
            ],
            Field::City => &["city", "billingcity", "shippingcity", "town", "ort", "stadt"],
            Field::State => {
                &["state", "billingstate", "billingstateprovince", "stateprovince", "province", "bundesland"]
            }
            Field::Zip => &[
                "zip",
                "zipcode",
                "postalcode",
                "billingpostalcode",
                "billingzippostalcode",
                "postcode",
                "plz",
                "postleitzahl",
            ],
            // "Bezirk" is the region beside a territory column, and the territory in a
            // file that has no other ([`REGION_OR_TERRITORY`]).
            Field::Territory => &["territory", "territoryname", "salesterritory", "gebiet", "verkaufsgebiet"],
            Field::Rep => {
                &["rep", "salesrep", "accountowner", "owner", "ownername", "aussendienst", "vertreter", "betreuer"]
            }
            Field::Region => &["region", "salesregion", "regionname", "vertriebsregion", REGION_OR_TERRITORY],
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Lower case, umlauts spelled out, letters and digits only: `Billing Latitude`,
/// `billing_latitude` and `BILLING-LATITUDE` all become `billinglatitude`.
pub fn normalize_header(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim_start_matches('\u{feff}').chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ => {}
        }
    }
    out
}

/// A header that names the region when the file has a territory column, and the
/// territory when it has none (German files use "Bezirk" for either).
pub(super) const REGION_OR_TERRITORY: &str = "bezirk";

/// Field → column index.
pub(super) struct Columns(pub(super) [Option<usize>; Field::ALL.len()]);

impl Columns {
    #[inline]
    pub(super) fn get<'r>(&self, rec: &'r csv::StringRecord, f: Field) -> Option<&'r str> {
        self.0[f as usize].and_then(|i| rec.get(i)).map(trim)
    }

    /// Every field of a record, trimmed (`""` where absent).
    #[inline]
    pub(super) fn all<'r>(&self, rec: &Record<'r>) -> [&'r str; Field::ALL.len()] {
        let mut out = [""; Field::ALL.len()];
        for (o, c) in out.iter_mut().zip(&self.0) {
            if let Some(v) = c.and_then(|i| rec.get(i)) {
                *o = trim(v);
            }
        }
        out
    }
}
