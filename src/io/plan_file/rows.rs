//! The account rows of the canonical layout, written and read directly: the hot path
//! of saving and opening a large plan (a million rows). The text is exactly what `ron`
//! writes for an [`AccountRow`] (strings escaped as `char::escape_debug` does, floats
//! as `{:?}`, `Some` implicit), and a piece of rows that strays from that layout in any
//! way (an escape in a string, an explicit `Some`, a comment, other spacing) is left
//! to `ron`, which then also gives the error and its line. A property test holds the
//! two to the same text and the same rows.

use super::*;

/// Appends `s` as a RON string literal, as `ron` writes it.
fn push_str_literal(out: &mut String, s: &str) {
    out.push('"');
    if s.bytes().all(|b| (0x20..0x7f).contains(&b) && !matches!(b, b'"' | b'\\' | b'\'')) {
        out.push_str(s);
    } else {
        out.extend(s.chars().flat_map(char::escape_debug));
    }
    out.push('"');
}

/// Appends one account row, `(` to `)`, as `ron` writes an [`AccountRow`] with
/// implicit `Some`.
pub(super) fn push_row(out: &mut String, a: &AccountRef<'_>, territory: Option<&str>, locked: bool) {
    use std::fmt::Write;
    out.push('(');
    push_str_literal(out, a.id);
    out.push(',');
    push_str_literal(out, a.name);
    // Writing to a `String` cannot fail.
    let _ = write!(
        out,
        ",{:?},{:?},{},{},{},{},",
        a.lon, a.lat, a.potential.0, a.annual_revenue.0, a.visits_per_year, a.minutes_per_visit
    );
    for field in [a.city, a.state, a.zip, territory] {
        match field {
            Some(s) => push_str_literal(out, s),
            None => out.push_str("None"),
        }
        out.push(',');
    }
    out.push_str(if locked { "true)" } else { "false)" });
}

/// A cursor over one piece of rows.
struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn eat(&mut self, s: &str) -> Option<()> {
        self.text[self.at..].starts_with(s).then(|| self.at += s.len())
    }

    /// A string literal; the escapes `char::escape_debug` writes are decoded (any
    /// other is left to `ron`).
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.eat("\"")?;
        let bytes = self.text.as_bytes();
        let start = self.at;
        let mut i = start;
        let mut owned: Option<String> = None;
        loop {
            let k = memchr::memchr2(b'"', b'\\', &bytes[i..])? + i;
            if bytes[k] == b'"' {
                self.at = k + 1;
                return Some(match owned {
                    None => Cow::Borrowed(&self.text[start..k]),
                    Some(mut s) => {
                        s.push_str(&self.text[i..k]);
                        Cow::Owned(s)
                    }
                });
            }
            let s = owned.get_or_insert_with(String::new);
            s.push_str(&self.text[i..k]);
            i = k + 2;
            match *bytes.get(k + 1)? {
                b'\'' => s.push('\''),
                b'"' => s.push('"'),
                b'\\' => s.push('\\'),
                b'n' => s.push('\n'),
                b't' => s.push('\t'),
                b'r' => s.push('\r'),
                b'0' => s.push('\0'),
                b'u' if bytes.get(i) == Some(&b'{') => {
                    let close = memchr::memchr(b'}', &bytes[i..])? + i;
                    let code = u32::from_str_radix(&self.text[i + 1..close], 16).ok()?;
                    s.push(char::from_u32(code)?);
                    i = close + 1;
                }
                _ => return None,
            }
        }
    }

    /// `None`, or a string literal (implicit `Some`).
    fn opt_string(&mut self) -> Option<Option<Cow<'a, str>>> {
        if self.eat("None").is_some() { Some(None) } else { self.string().map(Some) }
    }

    /// The text up to the next `,`, parsed.
    fn number<T: std::str::FromStr>(&mut self) -> Option<T> {
        let rest = &self.text.as_bytes()[self.at..];
        let end = memchr::memchr(b',', rest)?;
        let token = &self.text[self.at..self.at + end];
        // What `ron` reads as a number; `parse` alone would take "inf", "+1" or "1_0"
        // differently or not at all.
        if !token.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'.' | b'e' | b'E')) || token.is_empty() {
            return None;
        }
        let v = token.parse().ok()?;
        self.at += end;
        Some(v)
    }
}

/// Reads a piece of rows in the canonical layout (each line `ROW_INDENT(…),`); `None`
/// when it strays from it, for `ron` to read instead.
pub(super) fn read_rows(piece: &str) -> Option<Vec<AccountRow<'_>>> {
    let mut rows = Vec::with_capacity(piece.len() / 120);
    let mut c = Cursor { text: piece, at: 0 };
    while c.at < piece.len() {
        c.eat(ROW_INDENT)?;
        c.eat("(")?;
        let id = c.string()?;
        c.eat(",")?;
        let name = c.string()?;
        c.eat(",")?;
        let lon: f64 = c.number()?;
        c.eat(",")?;
        let lat: f64 = c.number()?;
        c.eat(",")?;
        let pot: i64 = c.number()?;
        c.eat(",")?;
        let rev: i64 = c.number()?;
        c.eat(",")?;
        let visits: u32 = c.number()?;
        c.eat(",")?;
        let minutes: u32 = c.number()?;
        c.eat(",")?;
        let mut opts = [None, None, None, None];
        for o in &mut opts {
            *o = c.opt_string()?;
            c.eat(",")?;
        }
        let locked = if c.eat("true").is_some() {
            true
        } else {
            c.eat("false")?;
            false
        };
        c.eat("),\n")?;
        let [city, state, zip, territory] = opts;
        rows.push(AccountRow(id, name, lon, lat, pot, rev, visits, minutes, city, state, zip, territory, locked));
    }
    Some(rows)
}

/// The rows of a piece: read directly, or by `ron` when the piece strays from the
/// canonical layout (`line`: the piece's first line, for `ron`'s errors).
pub(super) fn parse_rows<'a>(piece: &'a str, line: usize, path: &str) -> Result<Vec<AccountRow<'a>>, PlanFileError> {
    if let Some(rows) = read_rows(piece) {
        return Ok(rows);
    }
    let text = format!("[{piece}]");
    let rows: Vec<AccountRow<'_>> = ron_options().from_str(&text).map_err(|e| read::syntax(path, line, &e))?;
    // The rows borrow from `text`, which goes: own them.
    Ok(rows.into_iter().map(owned_row).collect())
}

fn owned_row(r: AccountRow<'_>) -> AccountRow<'static> {
    let own = |s: Cow<'_, str>| Cow::Owned(s.into_owned());
    AccountRow(
        own(r.0),
        own(r.1),
        r.2,
        r.3,
        r.4,
        r.5,
        r.6,
        r.7,
        r.8.map(own),
        r.9.map(own),
        r.10.map(own),
        r.11.map(own),
        r.12,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[A-Za-z0-9 .,&'-]{0,12}",
            // Umlauts, quotes, backslashes, control characters, combining marks.
            "[a-zäöüß\"\\\\\n\t\u{0}\u{301}\u{200b} ]{0,8}",
            any::<String>(),
        ]
    }

    fn account() -> impl Strategy<Value = crate::model::Account> {
        (
            (text(), text(), -180.0f64..180.0, -85.0f64..85.0),
            (any::<i64>(), -1_000_000i64..1_000_000, any::<u32>(), 0u32..1000),
            (prop::option::of(text()), prop::option::of(text()), prop::option::of(text()), any::<bool>()),
        )
            .prop_map(|((id, name, lon, lat), (pot, rev, visits, minutes), (city, state, zip, locked))| {
                crate::model::Account {
                    id,
                    name,
                    lon,
                    lat,
                    potential: Cents(pot),
                    annual_revenue: Cents(rev),
                    visits_per_year: visits,
                    minutes_per_visit: minutes,
                    city,
                    state,
                    zip,
                    locked,
                }
            })
    }

    proptest! {
        /// The rows written here are `ron`'s text, byte for byte, and read back here
        /// (or, when they hold an escape, by `ron`) they are the rows `ron` reads.
        #[test]
        fn rows_are_rons_rows(
            accounts in prop::collection::vec((account(), prop::option::of(text())), 1..8),
        ) {
            let mut ours = String::new();
            let mut theirs = String::new();
            for (a, t) in &accounts {
                let r = a.view();
                ours.push_str(ROW_INDENT);
                push_row(&mut ours, &r, t.as_deref(), a.locked);
                ours.push_str(",\n");
                let mut row = write::row_of(r, t.as_deref());
                row.12 = a.locked;
                theirs.push_str(ROW_INDENT);
                ron_options().to_writer(&mut theirs, &row).expect("ron writes");
                theirs.push_str(",\n");
            }
            prop_assert_eq!(&ours, &theirs);
            let read = parse_rows(&ours, 1, "test").expect("reads");
            let text = format!("[{ours}]");
            let by_ron: Vec<AccountRow<'_>> = ron_options().from_str(&text).expect("ron reads");
            prop_assert_eq!(read, by_ron);
        }
    }

    #[test]
    fn a_row_that_strays_from_the_layout_goes_to_ron() {
        let canonical = "        (\"A1\",\"Müller\",8.5,47.25,100,0,1,30,\"Zürich\",None,\"8001\",\"nord\",false),\n";
        assert!(read_rows(canonical).is_some());
        // Escapes as `ron` writes them are read here.
        let escaped = canonical.replace("Müller", "O\\'Brien \\\"Zum Löwen\\\" \\u{301}");
        let rows = read_rows(&escaped).expect("read here");
        assert_eq!(rows[0].1, "O'Brien \"Zum Löwen\" \u{301}");
        for strayed in [
            canonical.replace("\"Zürich\"", "Some(\"Zürich\")"),
            canonical.replace("8.5,", "8.5 ,"),
            canonical.replace("\"A1\",", "\"A1\" /* id */,"),
            canonical.replace("100,", "1_00,"),
        ] {
            assert!(read_rows(&strayed).is_none(), "{strayed}");
            let rows = parse_rows(&strayed, 1, "test").expect("ron reads it");
            assert_eq!(rows[0].2, 8.5);
        }
        // Not RON at all: ron's error, with the line.
        let err = parse_rows("        (\"A1\",\n", 7, "plan.ron").expect_err("broken");
        assert!(err.to_string().contains("plan.ron: line"), "{err}");
    }
}
