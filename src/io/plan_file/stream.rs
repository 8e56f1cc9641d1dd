//! Opening a large plan without holding its text whole: the header (up to the rows)
//! and the tail (after them: the scenarios) are read and parsed by `ron`; the rows
//! between are read region by region, each thread into a buffer it reuses, and read
//! at once into accounts ([`super::rows`]). The file's fingerprint is taken on a thread
//! of its own as it is read through once more (from the OS cache). Any file this path
//! does not fit (small, another layout, a row `rows.rs` leaves to `ron`, text that is
//! not UTF-8) is read whole instead, which also gives `ron`'s errors with their lines.

use std::io::{Read, Seek, SeekFrom};

use super::*;

/// Files from this size on are read region by region.
pub(super) const STREAM_FROM: u64 = 32 << 20;
/// Bytes of rows a thread reads and parses at a time (4 MB regions measured 20–50 MB
/// more at the peak than 1 MB ones, for the same speed).
const REGION: usize = 1 << 20;
/// What is read of the start for the header, and of the end at a time for the tail.
const HEAD: usize = 1 << 20;

/// A region's accounts and their owners.
type Rows = (Accounts, Vec<Option<TerritoryIdx>>);

std::thread_local! {
    /// Each thread's read buffer, reused from region to region.
    static READ_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Bytes `from..to` of the file.
fn read_range(f: &mut std::fs::File, from: usize, to: usize, buf: &mut Vec<u8>) -> std::io::Result<()> {
    buf.clear();
    f.seek(SeekFrom::Start(from as u64))?;
    f.take((to - from) as u64).read_to_end(buf)?;
    Ok(())
}

/// The plan and the fingerprint of the file's bytes; `None` when this path does not
/// apply and the file must be read whole.
pub(super) fn load_streamed(
    path: &Path,
    progress: Option<&crate::io::Progress>,
) -> Result<Option<(Plan, u64)>, PlanFileError> {
    load_streamed_with(path, progress, STREAM_FROM, REGION)
}

/// [`load_streamed`] for files from `min_len` bytes, in regions of `region` bytes.
fn load_streamed_with(
    path: &Path,
    progress: Option<&crate::io::Progress>,
    min_len: u64,
    region: usize,
) -> Result<Option<(Plan, u64)>, PlanFileError> {
    let name = path.display().to_string();
    let io = |e| PlanFileError::from(crate::io::FileError::new(path, e));
    let meta = std::fs::metadata(path).map_err(io)?;
    let stamp = (meta.len(), meta.modified().ok());
    let Ok(len) = usize::try_from(meta.len()) else { return Ok(None) };
    if (len as u64) < min_len {
        return Ok(None);
    }
    let mut f = std::fs::File::open(path).map_err(io)?;
    // The header: up to the rows' opening, which must come within the first megabyte.
    let mut head = Vec::new();
    read_range(&mut f, 0, HEAD.min(len), &mut head).map_err(io)?;
    let Some(open) = memchr::memmem::find(&head, ROWS_OPEN.as_bytes()) else { return Ok(None) };
    let Ok(header_text) = std::str::from_utf8(&head[..open]) else { return Ok(None) };
    if read::check_version(header_text, &name)? < 2 {
        return Ok(None);
    }
    let rows_start = open + ROWS_OPEN.len();
    // The tail: from the end, line by line, to the rows' close (as `read::rows_close`
    // finds it in a text held whole), reading backwards a megabyte at a time.
    let mut tail: Vec<u8> = Vec::new();
    let mut tail_from = len;
    let close = loop {
        if let Ok(text) = std::str::from_utf8(&tail)
            && let Some(close) = read::rows_close_in_tail(text)
        {
            break tail_from + close;
        }
        if tail_from <= rows_start {
            return Ok(None);
        }
        let from = tail_from.saturating_sub(HEAD).max(rows_start);
        let mut chunk = Vec::new();
        read_range(&mut f, from, tail_from, &mut chunk).map_err(io)?;
        chunk.extend_from_slice(&tail);
        tail = chunk;
        tail_from = from;
    };
    if close + 1 < rows_start {
        return Ok(None);
    }
    let Ok(tail_text) = std::str::from_utf8(&tail[close - tail_from..]) else { return Ok(None) };
    let header_text = format!("{header_text}\n    accounts: [],{}", &tail_text[ROWS_CLOSE.len() - 1..]);
    let Ok(header) = ron_options().from_str::<PlanFileV2<'_>>(&header_text) else { return Ok(None) };
    drop((head, tail));
    if header.version > CURRENT_VERSION {
        return Err(PlanFileError::TooNew { path: name, found: header.version });
    }
    let mut plan = read::plan_shell(&header, &name)?;
    let by_id: HashMap<&str, TerritoryIdx> =
        header.territories.iter().enumerate().map(|(i, t)| (t.id.as_str(), TerritoryIdx::new(i as u32))).collect();

    // The rows, `close + 1` their end (the newline that ends the last row).
    let rows_end = close + 1;
    let jobs: Vec<(usize, usize)> =
        (rows_start..rows_end).step_by(region.max(1)).map(|a| (a, (a + region.max(1)).min(rows_end))).collect();
    let read_region = |&(a, b): &(usize, usize)| -> Result<Option<Rows>, PlanFileError> {
        READ_BUFFER.with(|buf| {
            let mut buf = buf.borrow_mut();
            let mut f = std::fs::File::open(path).map_err(io)?;
            // From the first line that starts in the region to the end of the last one.
            read_range(&mut f, a, b, &mut buf).map_err(io)?;
            let mut end = buf.len();
            if b < rows_end {
                let mut more = Vec::new();
                read_range(&mut f, b, (b + (64 << 10)).min(rows_end), &mut more).map_err(io)?;
                match memchr::memchr(b'\n', &more) {
                    Some(p) => buf.extend_from_slice(&more[..=p]),
                    None => return Ok(None),
                }
                end = buf.len();
            }
            let start = if a == rows_start { 0 } else { memchr::memchr(b'\n', &buf[..end]).map_or(end, |p| p + 1) };
            let Ok(text) = std::str::from_utf8(&buf[start..end]) else { return Ok(None) };
            match rows::read_rows(text) {
                Some(rows) => read::accounts_of(rows, &by_id, &name).map(Some),
                None => Ok(None),
            }
        })
    };
    let (parts, hash) = rayon::join(
        || crate::io::parallel_with(&jobs, progress, read_region),
        || -> std::io::Result<u64> {
            let mut hash = crate::recovery::Fingerprint::default();
            let mut f = std::fs::File::open(path)?;
            let mut buf = vec![0u8; 1 << 20];
            loop {
                let n = f.read(&mut buf)?;
                if n == 0 {
                    return Ok(hash.finish());
                }
                hash.update(&buf[..n]);
            }
        },
    );
    if parts.len() < jobs.len() || progress.is_some_and(crate::io::Progress::is_cancelled) {
        return Err(PlanFileError::Cancelled { path: name });
    }
    let hash = hash.map_err(io)?;
    // Each region opened the file anew: one saved over meanwhile is read whole instead.
    let now = std::fs::metadata(path).map_err(io)?;
    if (now.len(), now.modified().ok()) != stamp {
        return Ok(None);
    }
    // Joined into columns of their final size, each part freed once copied.
    let total: usize = parts.iter().filter_map(|p| p.as_ref().ok()?.as_ref()).map(|(a, _)| a.len()).sum();
    plan.accounts.reserve_columns(total);
    plan.assignment.reserve_exact(total);
    for part in parts {
        let Some((accounts, owners)) = part? else { return Ok(None) };
        plan.accounts.append(accounts);
        plan.assignment.extend(owners);
    }
    checks::check_unique_ids(&plan, &name)?;
    checks::check_totals(&plan.accounts, &name)?;
    scenarios::attach_scenarios(&mut plan, &header, &name)?;
    Ok(Some((plan, hash)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::{account, plan_of};

    fn temp(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("te-stream-{}-{name}", std::process::id()))
    }

    /// A plan of two scenarios whose names need escapes, saved.
    fn saved_plan(name: &str) -> (std::path::PathBuf, Plan) {
        let accounts: Vec<_> = (0..500)
            .map(|i| {
                let n = match i % 4 {
                    0 => format!("Müller & Söhne {i}"),
                    1 => format!("O'Brien \"Zum Löwen\" {i}"),
                    2 => format!("Tab\there {i}"),
                    _ => format!("Firma {i}"),
                };
                account(&format!("K{i}"), &n, 8.0 + f64::from(i) * 0.001, 47.0, i64::from(i) * 100)
            })
            .collect();
        let owners: Vec<Option<u32>> = (0..500).map(|i| if i % 7 == 0 { None } else { Some(i % 3) }).collect();
        let mut plan = plan_of(accounts, &["nord", "süd", "west"], &owners);
        plan.add_scenario("Plan B").expect("new");
        plan.assignment[3] = Some(TerritoryIdx::new(2));
        plan.accounts.set_locked(5, true);
        let path = temp(name);
        super::save(&plan, &path).expect("saved");
        (path, plan)
    }

    #[test]
    fn region_by_region_reads_what_the_whole_text_reads() {
        let (path, _) = saved_plan("same.ron");
        let whole = from_ron_str(&std::fs::read_to_string(&path).expect("read"), "x").expect("whole");
        let hash = crate::recovery::fingerprint_file(&path).expect("hash");
        // Regions of 1 KB: rows cut everywhere, the last region short.
        for region in [1 << 10, 7_777, 1 << 20] {
            let (plan, h) = load_streamed_with(&path, None, 0, region).expect("reads").expect("streamed");
            assert_eq!(plan, whole, "region {region}");
            assert_eq!(plan.scenarios, whole.scenarios);
            assert_eq!(h, hash);
        }
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn another_layout_is_read_whole() {
        let (path, _) = saved_plan("other.ron");
        let text = std::fs::read_to_string(&path).expect("read");
        // A row with an explicit Some, as a hand edit might leave it.
        let edited = text.replacen(",\"nord\",", ",Some(\"nord\"),", 1);
        assert_ne!(edited, text);
        std::fs::write(&path, &edited).expect("write");
        assert!(load_streamed_with(&path, None, 0, 1 << 10).expect("no error").is_none());
        let (plan, _) = super::load_fingerprinted(&path, None).expect("loads whole");
        assert_eq!(plan, from_ron_str(&edited, "x").expect("whole"));
        let _ = std::fs::remove_file(&path);
    }
}
