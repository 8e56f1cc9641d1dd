//! Splits a piece of CSV text into records, fast. A line with no quote and no carriage
//! return inside it (most lines of a CRM export) is split at its delimiters directly,
//! with `memchr`, and so is a line whose quoted fields are quoted simply (`"Jones,
//! Olson & Co"`); any other record is read by `csv_core`, the state machine under the
//! `csv` crate. Both give the fields the `csv` crate gives (flexible field counts, no
//! trimming, `\n`, `\r\n` or `\r` ending a record, empty lines skipped); a property test
//! checks this against the `csv` crate on random text.

use csv_core::ReadRecordResult;

/// One record's fields, borrowed from the text or from the reader's buffer.
pub struct Record<'r> {
    text: &'r str,
    /// Each field's (start, end) in `text`.
    bounds: &'r [(usize, usize)],
}

impl<'r> Record<'r> {
    /// The number of fields.
    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    /// Field `i`, if the record has it.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&'r str> {
        self.bounds.get(i).and_then(|&(a, b)| self.text.get(a..b))
    }

    pub fn iter(&self) -> impl Iterator<Item = &'r str> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// A record that is not UTF-8, and its line.
#[derive(Debug, PartialEq, Eq)]
pub struct NotUtf8 {
    pub line: u64,
}

/// What [`for_each_record`] saw besides the records.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Lines {
    /// Empty lines outside quoted fields (lines count from 1 at the text's start).
    pub blanks: Vec<u64>,
    /// The newlines in the text.
    pub newlines: u64,
    /// The text has an odd number of quotes (a piece cut inside a quoted field has).
    pub odd_quotes: bool,
}

/// Calls `each(line, record)` for every record of `text` in order, with the line it
/// starts on (counted from 1 at the text's start). Stops at the first record that is not
/// UTF-8.
pub fn for_each_record(text: &[u8], delimiter: u8, mut each: impl FnMut(u64, &Record<'_>)) -> Result<Lines, NotUtf8> {
    let mut lines = Lines::default();
    let mut bounds: Vec<(usize, usize)> = Vec::with_capacity(32);
    let mut slow: Option<Slow> = None;
    let mut pos = 0;
    while pos < text.len() {
        let line = lines.newlines + 1;
        let rest = &text[pos..];
        let (content, next, newline) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], i + 1, 1),
            None => (rest, rest.len(), 0),
        };
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        // A line of carriage returns alone is empty too.
        let blank = content.iter().all(|&b| b == b'\r');
        if blank || split_line(content, delimiter, &mut bounds) {
            if blank {
                lines.blanks.push(line);
            } else {
                let s = std::str::from_utf8(content).map_err(|_| NotUtf8 { line })?;
                each(line, &Record { text: s, bounds: &bounds });
            }
            lines.newlines += newline;
            pos += next;
            continue;
        }
        let slow = slow.get_or_insert_with(|| Slow::new(delimiter));
        let mut used = slow.read(rest);
        // A record ended by "\r\n" stops after the '\r'.
        if used > 0 && rest[used - 1] == b'\r' && rest.get(used) == Some(&b'\n') {
            used += 1;
        }
        lines.newlines += memchr::memchr_iter(b'\n', &rest[..used]).count() as u64;
        // Lines split directly have two quotes a quoted field: only these can be odd.
        lines.odd_quotes ^= memchr::memchr_iter(b'"', &rest[..used]).count() % 2 == 1;
        pos += used.max(1);
        if slow.ends.is_empty() {
            continue;
        }
        let s = std::str::from_utf8(&slow.out[..slow.len]).map_err(|_| NotUtf8 { line })?;
        bounds.clear();
        let mut start = 0;
        for &end in &slow.ends {
            // A field boundary inside a character: the fields are not UTF-8 apart.
            if !s.is_char_boundary(end) {
                return Err(NotUtf8 { line });
            }
            bounds.push((start, end));
            start = end;
        }
        each(line, &Record { text: s, bounds: &bounds });
    }
    Ok(lines)
}

/// Splits a line (without its line end) at its delimiters into `bounds`, quoted fields
/// too when quoted simply: a quote opens the field, the next quote closes it, and a
/// delimiter or the line's end follows. `false` for anything else (a doubled quote, a
/// quote inside a field, a quoted field going on to the next line, a carriage return),
/// which `csv_core` then reads.
#[inline]
fn split_line(content: &[u8], delimiter: u8, bounds: &mut Vec<(usize, usize)>) -> bool {
    bounds.clear();
    if memchr::memchr2(b'"', b'\r', content).is_none() {
        let mut start = 0;
        for d in memchr::memchr_iter(delimiter, content) {
            bounds.push((start, d));
            start = d + 1;
        }
        bounds.push((start, content.len()));
        return true;
    }
    let mut start = 0;
    loop {
        if content.get(start) == Some(&b'"') {
            let Some(close) = memchr::memchr(b'"', &content[start + 1..]) else { return false };
            let close = start + 1 + close;
            bounds.push((start + 1, close));
            match content.get(close + 1) {
                None => return true,
                Some(&d) if d == delimiter => start = close + 2,
                Some(_) => return false,
            }
        } else {
            match memchr::memchr3(delimiter, b'"', b'\r', &content[start..]) {
                Some(i) if content[start + i] == delimiter => {
                    bounds.push((start, start + i));
                    start += i + 1;
                }
                Some(_) => return false,
                None => {
                    bounds.push((start, content.len()));
                    return true;
                }
            }
        }
    }
}

/// `csv_core`'s reader and its output, for records with quotes.
struct Slow {
    core: csv_core::Reader,
    out: Vec<u8>,
    /// The bytes of `out` the record holds.
    len: usize,
    /// The end of each field in `out`.
    ends: Vec<usize>,
}

impl Slow {
    fn new(delimiter: u8) -> Self {
        let core = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
        Slow { core, out: vec![0; 1024], len: 0, ends: Vec::new() }
    }

    /// Reads one record from the start of `input`; returns the bytes used. `ends` is
    /// left empty when there was no record.
    fn read(&mut self, input: &[u8]) -> usize {
        let mut ends = std::mem::take(&mut self.ends);
        ends.clear();
        ends.resize(64, 0);
        let (mut nin, mut nout, mut nend) = (0, 0, 0);
        loop {
            let (res, i, o, e) = self.core.read_record(&input[nin..], &mut self.out[nout..], &mut ends[nend..]);
            nin += i;
            nout += o;
            nend += e;
            match res {
                // An empty input tells the reader the text ends there.
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => self.out.resize(self.out.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
                ReadRecordResult::Record => break,
                ReadRecordResult::End => {
                    nend = 0;
                    break;
                }
            }
        }
        ends.truncate(nend);
        self.ends = ends;
        self.len = nout;
        nin
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Records as (line, fields), or the line of the first one that is not UTF-8.
    type Parsed = (Vec<(u64, Vec<String>)>, Option<u64>);

    fn ours(text: &[u8], delimiter: u8) -> (Parsed, Option<Lines>) {
        let mut records = Vec::new();
        let r = for_each_record(text, delimiter, |line, rec| {
            records.push((line, rec.iter().map(str::to_owned).collect()));
        });
        match r {
            Ok(lines) => ((records, None), Some(lines)),
            Err(e) => ((records, Some(e.line)), None),
        }
    }

    /// The `csv` crate's records; a record's line is its position's line plus the empty
    /// lines the reader skipped before it.
    fn theirs(text: &[u8], delimiter: u8) -> Parsed {
        let mut reader =
            csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(false).from_reader(text);
        let mut records = Vec::new();
        let mut rec = csv::StringRecord::new();
        let line_of = |p: Option<&csv::Position>| {
            let p = p.map_or(csv::Position::new(), Clone::clone);
            let rest = &text[p.byte() as usize..];
            let skipped = rest.iter().take_while(|&&b| b == b'\n' || b == b'\r').filter(|&&b| b == b'\n').count();
            p.line() + skipped as u64
        };
        loop {
            match reader.read_record(&mut rec) {
                Ok(false) => return (records, None),
                Ok(true) => {}
                Err(e) => return (records, Some(line_of(e.position()))),
            }
            records.push((line_of(rec.position()), rec.iter().map(str::to_owned).collect()));
        }
    }

    #[test]
    fn plain_and_quoted_lines() {
        let text = b"a,b,c\r\n\n\"x,1\",\"say \"\"hi\"\"\",\r\n\"multi\nline\",2\n,\nlast";
        let ((records, err), lines) = ours(text, b',');
        assert_eq!(err, None);
        let want: Vec<(u64, Vec<String>)> = vec![
            (1, vec!["a".into(), "b".into(), "c".into()]),
            (3, vec!["x,1".into(), "say \"hi\"".into(), "".into()]),
            (4, vec!["multi\nline".into(), "2".into()]),
            (6, vec!["".into(), "".into()]),
            (7, vec!["last".into()]),
        ];
        assert_eq!(records, want);
        assert_eq!(lines, Some(Lines { blanks: vec![2], newlines: 6, odd_quotes: false }));
        assert_eq!(theirs(text, b','), (want, None));
    }

    #[test]
    fn text_that_is_not_utf8_is_reported_on_its_line() {
        let ((records, err), _) = ours(b"a,b\n\"\xe9\",c\n", b',');
        assert_eq!((records.len(), err), (1, Some(2)));
        let ((_, err), _) = ours(b"a\nb,\xff\n", b',');
        assert_eq!(err, Some(2));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// The records, their lines and the first bad line equal the `csv` crate's on
        /// text of delimiters, quotes, line ends, spaces, letters and bytes that are not
        /// UTF-8 (alone or in pairs).
        #[test]
        fn equals_the_csv_crate(
            text in proptest::collection::vec(
                prop_oneof![
                    Just(b','), Just(b';'), Just(b'"'), Just(b'\n'), Just(b'\r'), Just(b' '),
                    Just(b'a'), Just(b'b'), Just(0xc3u8), Just(0xa9u8), Just(0xffu8)
                ],
                0..200,
            ),
            semicolon in any::<bool>(),
        ) {
            let delimiter = if semicolon { b';' } else { b',' };
            let (got, lines) = ours(&text, delimiter);
            let want = theirs(&text, delimiter);
            prop_assert_eq!(got, want);
            if let Some(lines) = lines {
                let quotes = text.iter().filter(|&&b| b == b'"').count();
                prop_assert_eq!(lines.odd_quotes, quotes % 2 == 1);
                prop_assert_eq!(lines.newlines, text.iter().filter(|&&b| b == b'\n').count() as u64);
            }
        }
    }
}
