//! Reading: a large file parsed region by region as it is read, a small one whole.

use super::*;

/// Bytes of a file read and parsed as one piece.
pub(super) const REGION: usize = 2 << 20;

/// Files from this size on are parsed as they are read.
pub(super) const STREAM_FROM: u64 = 32 << 20;

/// The start of a file read for its header.
pub(super) const HEAD: usize = 1 << 20;

std::thread_local! {
    /// Each parsing thread's read buffer, reused from piece to piece.
    static READ_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Parses a large file as it is read, without holding it whole: the body is split into
/// regions of `region` bytes, and each thread reads a region into a buffer it reuses
/// (warm in cache, where reading the file whole into fresh memory costs a page fault
/// every 4 KB) and parses it at once. A region's records start after its first newline
/// and end at the first newline after it, on the guess that neither is inside a quoted
/// field; every piece then has an even number of quotes, which is checked. `None` when
/// this path does not apply (a small file, a byte order mark, a header longer than the
/// head, text that is not UTF-8, a guess that failed): the caller reads the file whole
/// and cuts it exactly.
pub(super) fn parse_file(
    path: &Path,
    opts: &ImportOptions,
    region: usize,
    min_len: u64,
) -> Result<Option<Parsed>, ImportError> {
    use std::io::{Read, Seek, SeekFrom};
    let io = |e| ImportError::from(crate::io::FileError::new(path, e));
    let len = std::fs::metadata(path).map_err(io)?.len();
    let Ok(len) = usize::try_from(len) else { return Ok(None) };
    if (len as u64) < min_len {
        return Ok(None);
    }
    let name = path.display().to_string();
    let mut head = Vec::with_capacity(HEAD.min(len));
    std::fs::File::open(path).map_err(io)?.take(HEAD.min(len) as u64).read_to_end(&mut head).map_err(io)?;
    if head.starts_with(b"\xef\xbb\xbf") {
        return Ok(None);
    }
    let (layout, report) = match read_layout(&head, &name, opts) {
        Ok(l) => l,
        Err(ParseError::NotUtf8) => return Ok(None),
        Err(ParseError::Import(e)) => return Err(e),
    };
    if layout.body_start >= head.len() || head.len() < len.min(HEAD) {
        return Ok(None);
    }
    drop(head);
    let first = layout.body_start;
    let jobs: Vec<(usize, usize)> =
        (first..len).step_by(region.max(1)).map(|a| (a, (a + region.max(1)).min(len))).collect();
    let progress = opts.progress.as_deref();
    let read_and_parse = |&(a, b): &(usize, usize)| -> std::io::Result<Piece> {
        READ_BUFFER.with(|buf| {
            let mut buf = buf.borrow_mut();
            buf.clear();
            let mut f = std::fs::File::open(path)?;
            f.seek(SeekFrom::Start(a as u64))?;
            (&mut f).take((b - a) as u64).read_to_end(&mut buf)?;
            // Read on to the first newline at or after `b`.
            let mut end = buf.len();
            if b < len {
                let mut from = b - a;
                loop {
                    if let Some(p) = memchr::memchr(b'\n', &buf[from..]) {
                        end = from + p + 1;
                        break;
                    }
                    from = buf.len();
                    if (&mut f).take(64 << 10).read_to_end(&mut buf)? == 0 {
                        end = buf.len();
                        break;
                    }
                }
            }
            let start = if a == first { 0 } else { memchr::memchr(b'\n', &buf[..end]).map_or(end, |p| p + 1) };
            let bytes = &buf[start..end];
            Ok(layout.parse(bytes))
        })
    };
    let results = crate::io::parallel_with(&jobs, progress, read_and_parse);
    if results.len() < jobs.len() || progress.is_some_and(crate::io::Progress::is_cancelled) {
        return Err(ImportError::Cancelled { path: name });
    }
    let mut pieces = Vec::with_capacity(results.len());
    for r in results {
        let piece = r.map_err(io)?;
        if piece.odd_quotes || piece.not_utf8 {
            return Ok(None);
        }
        pieces.push(piece);
    }
    match finish_parse(pieces, &layout, report) {
        Ok(parsed) => Ok(Some(parsed)),
        Err(ParseError::NotUtf8) => Ok(None),
        Err(ParseError::Import(e)) => Err(e),
    }
}

/// A file parsed into pieces, with its territories named, before the pieces are joined.
pub(super) struct Parsed {
    pub(super) pieces: Vec<Piece>,
    pub(super) territories: Vec<Territory>,
    /// The region tree the region column describes.
    pub(super) regions: Vec<crate::model::Region>,
    /// The owner of each account, piece by piece.
    pub(super) owners: Vec<Vec<Option<TerritoryIdx>>>,
    /// Accounts the geocode check rejects (index across the pieces, reason).
    pub(super) removed: Vec<(usize, String)>,
    pub(super) report: ImportReport,
}

/// Parses a file as UTF-8 and, if any of it is not, again as Windows-1252 (Latin-1 with
/// € and typographic quotes in 0x80–0x9F), which is what Excel on Windows writes. The UTF-8 check is the CSV
/// reader's own, record by record on every core, rather than a pass of its own.
pub(super) fn parse_all(bytes: &[u8], path: &str, opts: &ImportOptions) -> Result<Parsed, ImportError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match parse_text(bytes, path, opts) {
        Err(ParseError::NotUtf8) => {
            let latin: String = bytes.iter().map(|&b| windows_1252(b)).collect();
            parse_text(latin.as_bytes(), path, opts).map_err(|e| match e {
                ParseError::Import(e) => e,
                ParseError::NotUtf8 => ImportError::Csv {
                    path: path.to_owned(),
                    line: 0,
                    detail: "not readable as UTF-8 or Latin-1".to_owned(),
                },
            })
        }
        Err(ParseError::Import(e)) => Err(e),
        Ok(parsed) => Ok(parsed),
    }
}

/// Parses text that should be UTF-8.
pub(super) fn parse_text(text: &[u8], path: &str, opts: &ImportOptions) -> Result<Parsed, ParseError> {
    let (layout, report) = read_layout(text, path, opts)?;
    let body = &text[layout.body_start.min(text.len())..];
    let pieces = cut_points(body);
    let progress = opts.progress.as_deref();
    let results = crate::io::parallel_with(&pieces, progress, |&(start, end)| layout.parse(&body[start..end]));
    if results.len() < pieces.len() || progress.is_some_and(crate::io::Progress::is_cancelled) {
        return Err(ParseError::Import(ImportError::Cancelled { path: path.to_owned() }));
    }
    finish_parse(results, &layout, report)
}
