//! Number formatting shared by the command line and the editor.

/// An integer with thin thousands separators: `1,234,567`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A capacity as a manager writes it: `1`, `0.5`, `1.25` (at most two decimals, no
/// trailing zeros).
pub fn capacity(c: f64) -> String {
    let s = format!("{c:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_owned()
}

/// Text from a file or the user, quoted for a message: at most 80 characters (cut
/// with `…`), line breaks and other control characters escaped, so that a message
/// stays one readable line whatever the data holds.
pub fn quoted(s: &str) -> String {
    const MAX: usize = 80;
    let mut out = String::with_capacity(s.len().min(4 * MAX) + 2);
    out.push('"');
    for (n, c) in s.chars().enumerate() {
        if n == MAX {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// A count with its noun, singular or plural: `1 account`, `1,204 accounts`.
pub fn count(n: i64, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{} {many}", thousands(n)) }
}

/// Money in whole currency units, compact: `1.35 B`, `502.6 M`, `61.2 k`, `950`.
pub fn money_compact(cents: i64) -> String {
    compact(cents as f64 / 100.0)
}

/// A quantity, compact: `1.35 B`, `502.6 M`, `61.2 k`, `950` (rounded).
pub fn compact(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.2} B", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.1} M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.1} k", v / 1e3)
    } else {
        format!("{v:.0}")
    }
}

/// A fraction as a signed percentage: `+5.2%`, `−12.0%`, or `–` when undefined.
pub fn percent(f: Option<f64>) -> String {
    match f {
        Some(f) => format!("{:+.1}%", f * 100.0),
        None => "–".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacities_read_as_written() {
        assert_eq!(capacity(1.0), "1");
        assert_eq!(capacity(0.5), "0.5");
        assert_eq!(capacity(1.25), "1.25");
        assert_eq!(capacity(10.0), "10");
        assert_eq!(capacity(0.05), "0.05");
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(count(1, "account", "accounts"), "1 account");
        assert_eq!(count(0, "territory", "territories"), "0 territories");
        assert_eq!(count(1204, "account", "accounts"), "1,204 accounts");
    }

    #[test]
    fn formats() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(-1000), "-1,000");
        assert_eq!(money_compact(135_237_670_000), "1.35 B");
        assert_eq!(money_compact(50_263_540_000), "502.6 M");
        assert_eq!(percent(Some(0.052)), "+5.2%");
        assert_eq!(percent(None), "–");
    }
}
