//! Numbers as spreadsheets write them: decimal point or decimal comma, with
//! optional thousands separators, parsed strictly under one format per file.
//!
//! Under [`DecimalFormat::Comma`], `1.234.000,00` is 1234000; under
//! [`DecimalFormat::Point`] the same text is rejected, never read as 1.234.

use std::fmt;

/// The number format of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalFormat {
    /// `1,234.5` (English).
    Point,
    /// `1.234,5` (German and most of Europe).
    Comma,
}

impl fmt::Display for DecimalFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DecimalFormat::Point => "decimal point",
            DecimalFormat::Comma => "decimal comma",
        })
    }
}

impl std::str::FromStr for DecimalFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "point" | "dot" | "." => Ok(DecimalFormat::Point),
            "comma" | "," => Ok(DecimalFormat::Comma),
            other => Err(format!("unknown decimal format \"{other}\" (use comma or point)")),
        }
    }
}

impl DecimalFormat {
    fn separators(self) -> (u8, u8) {
        match self {
            DecimalFormat::Point => (b'.', b','),
            DecimalFormat::Comma => (b',', b'.'),
        }
    }
}

/// A parsed decimal: sign, integer digits and fraction digits, as written.
struct Decimal<'a> {
    negative: bool,
    /// The integer digits, without separators.
    int: std::borrow::Cow<'a, str>,
    frac: &'a str,
    /// The number as written, without sign or currency symbol.
    body: &'a str,
}

fn split(s: &str, fmt: DecimalFormat) -> Option<Decimal<'_>> {
    let s = s.trim().trim_matches(|c: char| c == '$' || c == '€' || c == '£').trim();
    let (negative, s) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (dec, thou) = fmt.separators();
    let (int_part, frac) = match s.bytes().position(|b| b == dec) {
        Some(p) => (&s[..p], &s[p + 1..]),
        None => (s, ""),
    };
    if !frac.bytes().all(|b| b.is_ascii_digit()) || (int_part.is_empty() && frac.is_empty()) {
        return None;
    }
    let int = if int_part.bytes().all(|b| b.is_ascii_digit()) {
        std::borrow::Cow::Borrowed(int_part)
    } else {
        // Thousands separators: a first group of 1–3 digits, then groups of exactly 3.
        let groups: Vec<&str> = int_part.split(thou as char).collect();
        let first_ok = (1..=3).contains(&groups[0].len());
        if groups.len() < 2 || !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
            return None;
        }
        let int: String = groups.concat();
        if !int.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        std::borrow::Cow::Owned(int)
    };
    Some(Decimal { negative, int, frac, body: s })
}

/// Whether `s` is plain digits, at most one `.` and an optional leading `-`: the form
/// that machine-written files use, parsed directly (any other form takes the general,
/// format-aware path).
#[inline]
fn plain(s: &str) -> bool {
    let b = s.as_bytes();
    let b = b.strip_prefix(b"-").unwrap_or(b);
    !b.is_empty() && b.iter().all(|c| c.is_ascii_digit() || *c == b'.') && b.iter().filter(|&&c| c == b'.').count() <= 1
}

/// `-ddd.ddd` with at most 15 digits, as coordinates are written: the digits as an
/// integer m < 2^53 and the decimals k ≤ 15 give m / 10^k, both exact in f64, so the
/// one correctly rounded division is the correctly rounded value (Clinger's fast path,
/// as `str::parse` takes it too, without the general parser around it).
#[inline]
fn short_decimal(s: &str) -> Option<f64> {
    const POW10: [f64; 16] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
    let b = s.as_bytes();
    let (negative, b) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    let (mut m, mut digits, mut decimals, mut dot) = (0u64, 0usize, 0usize, false);
    for &c in b {
        if c == b'.' {
            if dot {
                return None;
            }
            dot = true;
            continue;
        }
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        m = m * 10 + u64::from(d);
        digits += 1;
        decimals += usize::from(dot);
        if digits > 15 {
            return None;
        }
    }
    if digits == 0 {
        return None;
    }
    let v = m as f64 / POW10[decimals];
    Some(if negative { -v } else { v })
}

/// Parses a number under the file's format.
pub fn parse_f64(s: &str, fmt: DecimalFormat) -> Option<f64> {
    if fmt == DecimalFormat::Point {
        if let Some(v) = short_decimal(s) {
            return Some(v);
        }
        if plain(s) && s.len() < 40 {
            // Digits and a decimal point: Rust parses it exactly as written.
            return s.parse::<f64>().ok().filter(|v| v.is_finite());
        }
    }
    parse_f64_general(s, fmt)
}

fn parse_f64_general(s: &str, fmt: DecimalFormat) -> Option<f64> {
    let d = split(s, fmt)?;
    let v: f64 = if d.frac.is_empty() {
        if d.int.is_empty() { 0.0 } else { d.int.parse().ok()? }
    } else if fmt == DecimalFormat::Point && matches!(d.int, std::borrow::Cow::Borrowed(_)) {
        // Plain `123.456`: Rust parses it exactly as written.
        d.body.parse().ok()?
    } else {
        format!("{}.{}", if d.int.is_empty() { "0" } else { &d.int }, d.frac).parse().ok()?
    };
    let v = if d.negative { -v } else { v };
    v.is_finite().then_some(v)
}

/// Parses an amount of money into integer cents, exactly (fractions of a cent are
/// rounded half away from zero).
pub fn parse_cents(s: &str, fmt: DecimalFormat) -> Option<i64> {
    if s.len() <= 15 && !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) {
        return s.parse::<i64>().ok()?.checked_mul(100);
    }
    parse_cents_general(s, fmt)
}

fn parse_cents_general(s: &str, fmt: DecimalFormat) -> Option<i64> {
    let d = split(s, fmt)?;
    let int: i64 = if d.int.is_empty() { 0 } else { d.int.parse().ok()? };
    let f = d.frac.as_bytes();
    let digit = |i: usize| f.get(i).map_or(0, |b| i64::from(b - b'0'));
    let mut cents = int.checked_mul(100)?.checked_add(digit(0) * 10 + digit(1))?;
    if digit(2) >= 5 {
        cents = cents.checked_add(1)?;
    }
    Some(if d.negative { -cents } else { cents })
}

/// Parses a whole, non-negative count (`12`, `12.0`, `1,200` under the point format).
pub fn parse_count(s: &str, fmt: DecimalFormat) -> Option<u32> {
    if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) {
        return s.parse().ok();
    }
    parse_count_general(s, fmt)
}

fn parse_count_general(s: &str, fmt: DecimalFormat) -> Option<u32> {
    let d = split(s, fmt)?;
    if d.negative || d.frac.bytes().any(|b| b != b'0') || d.int.is_empty() {
        return None;
    }
    d.int.parse().ok()
}

/// Whether a value is written with a decimal comma (`48,137`), the clue that a file
/// uses the comma format.
pub fn looks_like_decimal_comma(s: &str) -> bool {
    let s = s.trim().trim_start_matches(['-', '+']);
    match s.split_once(',') {
        Some((a, b)) => {
            !b.contains(',')
                && !b.is_empty()
                && b.bytes().all(|c| c.is_ascii_digit())
                && a.bytes().all(|c| c.is_ascii_digit() || c == b'.')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DecimalFormat::*;

    proptest::proptest! {
        /// The fast paths for plain numbers agree with the general parser.
        #[test]
        fn fast_paths_agree(s in "[-+]?[0-9.,]{0,14}", comma: bool) {
            let fmt = if comma { DecimalFormat::Comma } else { DecimalFormat::Point };
            proptest::prop_assert_eq!(parse_f64(&s, fmt), parse_f64_general(&s, fmt));
            if let Some(v) = short_decimal(&s) {
                proptest::prop_assert_eq!(Some(v.to_bits()), s.parse::<f64>().ok().map(f64::to_bits));
            }
            proptest::prop_assert_eq!(parse_cents(&s, fmt), parse_cents_general(&s, fmt));
            proptest::prop_assert_eq!(parse_count(&s, fmt), parse_count_general(&s, fmt));
        }
    }

    proptest::proptest! {
        /// Coordinates as written: the short path gives the bits `str::parse` gives.
        #[test]
        fn short_decimals_are_exact(
            int in 0u32..1000,
            frac in 0u64..1_000_000_000_000,
            places in 0usize..13,
            neg: bool,
        ) {
            let frac = frac % 10u64.pow(places as u32);
            let s = format!("{}{int}.{frac:0places$}", if neg { "-" } else { "" });
            proptest::prop_assert_eq!(short_decimal(&s).map(f64::to_bits), s.parse::<f64>().ok().map(f64::to_bits));
        }
    }

    #[test]
    fn strict_formats() {
        assert_eq!(parse_cents("1.234.000,00", Comma), Some(123_400_000));
        assert_eq!(parse_cents("1.234.000,00", Point), None);
        assert_eq!(parse_cents("1,234,000.00", Point), Some(123_400_000));
        assert_eq!(parse_cents("12,5", Comma), Some(1250));
        assert_eq!(parse_cents("12,5", Point), None);
        assert_eq!(parse_cents("-0.005", Point), Some(-1));
        assert_eq!(parse_cents("530800", Point), Some(53_080_000));
        assert_eq!(parse_cents("1,23", Point), None);
        assert_eq!(parse_cents("abc", Point), None);
        assert_eq!(parse_cents("", Point), None);
        assert_eq!(parse_f64("48,137", Comma), Some(48.137));
        assert_eq!(parse_f64("-80.195435", Point), Some(-80.195435));
        assert_eq!(parse_f64("1e5", Point), None);
        assert_eq!(parse_f64("$12.5", Point), Some(12.5));
        assert_eq!(parse_f64("-0.25", Point), Some(-0.25));
        assert_eq!(parse_f64("1,234.5", Point), Some(1234.5));
        assert_eq!(parse_count("12", Point), Some(12));
        assert_eq!(parse_count("12,5", Comma), None);
        assert_eq!(parse_count("-3", Point), None);
        assert!(looks_like_decimal_comma("48,137"));
        assert!(looks_like_decimal_comma("1.234,5"));
        assert!(!looks_like_decimal_comma("48.137"));
        assert!(!looks_like_decimal_comma("1,234,567"));
    }
}
