//! Autosave and recovery: a journal of the edits made since a plan was opened or
//! saved, kept on disk so that a crash, a kill or a power cut loses at most the last
//! second of work.
//!
//! The journal is one JSON document a line: a [`Header`] naming the *base* (the plan
//! file, the CSV with its import options, or the bundled demo, and the fingerprint of
//! its bytes), then one [`Step`] a line (an edit [`Command`], an undo, a redo). It
//! never holds the plan itself, so that an edit costs what its command costs, not the
//! plan's size: a lasso over a million accounts appends its ranges. Replaying the
//! steps through an [`Editor`] on the reopened base gives the state and its undo
//! history. An undo or redo that reaches behind the base (past a save) cannot be
//! replayed from it: then the plan as it is is written beside the journal as the new
//! base, once (rare, and O(N)).
//!
//! [`Journal`] does the writing on its own thread, at most one write a second, each
//! flushed to disk; the UI thread only sends it the command. A clean exit or a save
//! removes the files. [`pending`] finds the journals of editors that did not exit
//! cleanly, and [`replay`] applies one.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::edit::{Command, Editor};
use crate::io::FileError;
use crate::model::Plan;

const FORMAT: &str = "territory-editor recovery";
const VERSION: u32 = 1;
/// At most one write to the journal in this time.
pub const WRITE_EVERY: Duration = Duration::from_secs(1);

/// A fingerprint of a file's bytes (FNV-1a over 8-byte words, then the length): what
/// ties a journal to the exact file it was opened from. Not cryptographic.
pub fn fingerprint(bytes: &[u8]) -> u64 {
    let mut f = Fingerprint::default();
    f.update(bytes);
    f.finish()
}

/// [`fingerprint`] of bytes that come in pieces (a plan written part by part), so
/// that what was written or read need not be read again to be fingerprinted.
#[derive(Debug, Clone)]
pub struct Fingerprint {
    h: u64,
    len: u64,
    tail: [u8; 8],
    tail_len: usize,
}

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint { h: 0xcbf2_9ce4_8422_2325, len: 0, tail: [0; 8], tail_len: 0 }
    }
}

impl Fingerprint {
    fn word(&mut self, w: [u8; 8]) {
        self.h = (self.h ^ u64::from_le_bytes(w)).wrapping_mul(0x0000_0100_0000_01b3);
    }

    pub fn update(&mut self, mut bytes: &[u8]) {
        self.len += bytes.len() as u64;
        if self.tail_len > 0 {
            let take = (8 - self.tail_len).min(bytes.len());
            self.tail[self.tail_len..self.tail_len + take].copy_from_slice(&bytes[..take]);
            self.tail_len += take;
            bytes = &bytes[take..];
            if self.tail_len < 8 {
                return;
            }
            self.word(self.tail);
            self.tail_len = 0;
        }
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut a = [0u8; 8];
            a.copy_from_slice(w);
            self.word(a);
        }
        let rest = words.remainder();
        self.tail[..rest.len()].copy_from_slice(rest);
        self.tail_len = rest.len();
    }

    pub fn finish(mut self) -> u64 {
        let mut last = [0u8; 8];
        last[..self.tail_len].copy_from_slice(&self.tail[..self.tail_len]);
        self.word(last);
        self.h ^ self.len
    }
}

/// [`fingerprint`] of a file.
pub fn fingerprint_file(path: &Path) -> Result<u64, FileError> {
    Ok(fingerprint(&crate::io::read_file(path)?))
}

/// Where a plan came from: what is reopened to replay a journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Origin {
    /// The bundled demo accounts.
    Demo,
    /// A plan file.
    Plan { path: PathBuf },
    /// A CSV, imported with these options (field key → header, and the flags).
    Csv { path: PathBuf, columns: Vec<(String, String)>, decimal: Option<String>, fix_coordinates: bool },
}

/// The base of a journal: its origin and the fingerprint of the origin's bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Base {
    pub origin: Origin,
    pub hash: u64,
}

/// The first line of a journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub version: u32,
    pub base: Base,
    /// The plan's name as the window shows it.
    pub title: String,
    /// The plan file it is saved to, if any.
    pub saved_to: Option<PathBuf>,
}

impl Header {
    pub fn new(base: Base, title: String, saved_to: Option<PathBuf>) -> Header {
        Header { format: FORMAT.to_owned(), version: VERSION, base, title, saved_to }
    }
}

/// One line of a journal after the header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Step {
    Apply(Command),
    Undo,
    Redo,
}

enum Msg {
    /// A new journal: the file is replaced by this header at the next write.
    Begin(Header),
    Step(Step),
    /// The plan as it is becomes the base (written beside the journal).
    Rebase(Arc<Plan>),
    /// Remove the files: the work is saved, or the editor exits cleanly.
    Clear,
    /// Write what is pending now and answer.
    Flush(Sender<()>),
}

/// The journal writer of one editor: commands in, one write a second out.
pub struct Journal {
    tx: Sender<Msg>,
    /// Held (locked) while the journal's editor runs: a journal whose lock can be
    /// taken belongs to an editor that is gone.
    _lock: Option<std::fs::File>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// Undo steps that the base can replay (edits since the base, net of undos).
    undoable: usize,
    /// Redo steps that the base can replay.
    redoable: usize,
    started: bool,
}

impl Journal {
    /// A journal at `path` (its base snapshot, when needed, beside it, and its lock).
    pub fn new(path: PathBuf) -> Journal {
        let lock = std::fs::File::create(path.with_extension("lock")).ok().filter(|f| f.try_lock().is_ok());
        let (tx, rx) = channel();
        let thread = std::thread::Builder::new()
            .name("recovery journal".to_owned())
            .spawn(move || Writer::new(path).run(rx))
            .ok();
        Journal { tx, _lock: lock, thread, undoable: 0, redoable: 0, started: false }
    }

    /// Starts a journal on a new base: the old file is replaced at the next write.
    pub fn begin(&mut self, header: Header) {
        self.undoable = 0;
        self.redoable = 0;
        self.started = true;
        let _ = self.tx.send(Msg::Begin(header));
    }

    /// Records an edit, an undo or a redo. `now` gives the plan after it, taken only
    /// when the step reaches behind the base (it then becomes the new base).
    pub fn record(&mut self, step: Step, now: impl FnOnce() -> Arc<Plan>) {
        if !self.started {
            return;
        }
        let replayable = match step {
            Step::Apply(_) => {
                self.undoable += 1;
                self.redoable = 0;
                true
            }
            Step::Undo if self.undoable > 0 => {
                self.undoable -= 1;
                self.redoable += 1;
                true
            }
            Step::Redo if self.redoable > 0 => {
                self.redoable -= 1;
                self.undoable += 1;
                true
            }
            Step::Undo | Step::Redo => false,
        };
        let msg = if replayable {
            Msg::Step(step)
        } else {
            self.undoable = 0;
            self.redoable = 0;
            Msg::Rebase(now())
        };
        let _ = self.tx.send(msg);
    }

    /// The plan as it is becomes the base (a save that does not match the plan as it
    /// is: edits were made while it was written).
    pub fn rebase(&mut self, plan: Arc<Plan>) {
        if self.started {
            self.undoable = 0;
            self.redoable = 0;
            let _ = self.tx.send(Msg::Rebase(plan));
        }
    }

    /// Removes the journal's files (after a save, or on a clean exit); the next
    /// journal needs [`Journal::begin`].
    pub fn clear(&mut self) {
        self.started = false;
        let _ = self.tx.send(Msg::Clear);
    }

    /// Writes what is pending and waits for it (tests, and before a clean exit).
    pub fn flush(&self) {
        let (tx, rx) = channel();
        if self.tx.send(Msg::Flush(tx)).is_ok() {
            let _ = rx.recv_timeout(Duration::from_secs(30));
        }
    }
}

impl Drop for Journal {
    /// The writer writes what is pending and ends (a dropped editor is a crash as far
    /// as the journal knows: its file stays).
    fn drop(&mut self) {
        let (tx, _) = channel();
        self.tx = tx;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The writer thread's state.
struct Writer {
    path: PathBuf,
    header: Option<Header>,
    /// Lines not yet written.
    pending: Vec<u8>,
    /// The file must be rewritten from the header at the next write.
    rewrite: bool,
    /// A new base not yet written: saved at the next write, so that the bases of a
    /// burst (a manager flipping through scenarios) cost one save, the last one's.
    rebase_to: Option<Arc<Plan>>,
    last_write: Option<Instant>,
}

impl Writer {
    fn new(path: PathBuf) -> Writer {
        Writer { path, header: None, pending: Vec::new(), rewrite: false, rebase_to: None, last_write: None }
    }

    fn snapshot_path(&self) -> PathBuf {
        self.path.with_extension("base.ron")
    }

    fn run(mut self, rx: Receiver<Msg>) {
        loop {
            let idle = self.pending.is_empty() && !self.rewrite && self.rebase_to.is_none();
            let wait = match (idle, self.last_write) {
                (true, _) => Duration::from_secs(3600),
                (false, Some(t)) => WRITE_EVERY.saturating_sub(t.elapsed()),
                (false, None) => Duration::ZERO,
            };
            match rx.recv_timeout(wait) {
                Ok(msg) => self.handle(msg),
                Err(RecvTimeoutError::Timeout) => self.write(),
                Err(RecvTimeoutError::Disconnected) => {
                    self.write();
                    return;
                }
            }
        }
    }

    /// Removes a base snapshot of an earlier journal (one written beside this one)
    /// that the journal no longer needs.
    fn forget_snapshot(&self, old: Option<&Header>, new: Option<&Header>) {
        let Some(Origin::Plan { path }) = old.map(|h| &h.base.origin) else { return };
        let beside = path.parent() == self.path.parent() && path.to_string_lossy().ends_with(".base.ron");
        if beside && new.is_none_or(|h| h.base.origin != Origin::Plan { path: path.clone() }) {
            let _ = std::fs::remove_file(path);
        }
    }

    fn handle(&mut self, msg: Msg) {
        match msg {
            Msg::Begin(header) => {
                self.forget_snapshot(self.header.as_ref(), Some(&header));
                self.header = Some(header);
                self.pending.clear();
                self.rewrite = false;
                self.rebase_to = None;
                // Nothing is written until the first step: an unedited plan has no journal.
                let _ = std::fs::remove_file(&self.path);
            }
            Msg::Step(step) => {
                if self.header.is_some() {
                    if self.last_write.is_none() && !self.path.exists() {
                        self.rewrite = true;
                    }
                    if serde_json::to_writer(&mut self.pending, &step).is_ok() {
                        self.pending.push(b'\n');
                    }
                }
            }
            Msg::Rebase(plan) => {
                // The steps not yet written are in this plan: they go, and the steps
                // after it follow the new base.
                self.pending.clear();
                self.rebase_to = Some(plan);
            }
            Msg::Clear => {
                self.forget_snapshot(self.header.as_ref(), None);
                self.header = None;
                self.pending.clear();
                self.rewrite = false;
                self.rebase_to = None;
                self.last_write = None;
                let _ = std::fs::remove_file(&self.path);
                let _ = std::fs::remove_file(self.snapshot_path());
            }
            Msg::Flush(done) => {
                self.write();
                let _ = done.send(());
            }
        }
    }

    /// The plan becomes the base: written beside the journal, which restarts with the
    /// steps that came after it.
    fn rebase(&mut self, plan: &Plan) {
        let Some(header) = self.header.clone() else { return };
        let snapshot = self.snapshot_path();
        let based = crate::io::plan_file::save(plan, &snapshot)
            .ok()
            .map(|hash| Header { base: Base { origin: Origin::Plan { path: snapshot.clone() }, hash }, ..header });
        match based {
            Some(h) => {
                self.header = Some(h);
                self.rewrite = true;
            }
            None => {
                // The steps that follow belong to a base that could not be written:
                // no journal beats one that would replay them onto the wrong plan.
                log::warn!("recovery: could not write the base snapshot {}; no autosave", snapshot.display());
                self.header = None;
                self.pending.clear();
                self.rewrite = false;
                let _ = std::fs::remove_file(&self.path);
            }
        }
    }

    /// Writes a new base, if one waits, then the pending lines (the whole file when it
    /// must be rewritten), flushed to disk. A failure is logged and retried at the next
    /// write.
    fn write(&mut self) {
        if let Some(plan) = self.rebase_to.take() {
            self.rebase(&plan);
        }
        let Some(header) = &self.header else { return };
        if self.pending.is_empty() && !self.rewrite {
            return;
        }
        let result = if self.rewrite {
            let mut text = serde_json::to_vec(header).unwrap_or_default();
            text.push(b'\n');
            text.extend_from_slice(&self.pending);
            crate::io::write_atomic(&self.path, |w| w.write_all(&text)).map_err(|e| e.to_string())
        } else {
            (|| -> std::io::Result<()> {
                let mut f = std::fs::OpenOptions::new().append(true).open(&self.path)?;
                f.write_all(&self.pending)?;
                f.sync_data()
            })()
            .map_err(|e| format!("{}: {e}", self.path.display()))
        };
        match result {
            Ok(()) => {
                self.pending.clear();
                self.rewrite = false;
                self.last_write = Some(Instant::now());
            }
            Err(e) => {
                log::warn!("recovery journal not written: {e}");
                self.last_write = Some(Instant::now());
            }
        }
    }
}

/// A journal left by an editor that did not exit cleanly.
#[derive(Debug, Clone)]
pub struct Found {
    pub path: PathBuf,
    pub header: Header,
    pub steps: Vec<Step>,
    /// When it was last written.
    pub modified: SystemTime,
}

impl Found {
    /// How many edits it holds (undos and redos count as edits too).
    pub fn edits(&self) -> usize {
        self.steps.len()
    }

    /// Its last write as "2026-12-03 14:05 UTC".
    pub fn when(&self) -> String {
        let secs = self.modified.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let (days, rest) = (secs / 86_400, secs % 86_400);
        let (y, m, d) = civil_from_days(days as i64);
        format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", rest / 3600, rest % 3600 / 60)
    }

    /// Removes its files.
    pub fn discard(&self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = std::fs::remove_file(self.path.with_extension("base.ron"));
        let _ = std::fs::remove_file(self.path.with_extension("lock"));
    }
}

/// The date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A new journal file in `dir`, unique to this editor (process id and a counter).
pub fn journal_path(dir: &Path) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    dir.join(format!("recovery-{}-{n}.jsonl", std::process::id()))
}

/// Whether the editor that writes the journal at `path` still runs: it holds the
/// journal's lock (the operating system releases it when the process ends).
fn in_use(path: &Path) -> bool {
    match std::fs::File::open(path.with_extension("lock")) {
        Ok(f) => f.try_lock().is_err(),
        Err(_) => false,
    }
}

/// Reads a journal: its header and steps (a last line cut short by a crash is left
/// out).
pub fn read(path: &Path) -> Result<(Header, Vec<Step>), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lines = text.lines();
    let header: Header = lines
        .next()
        .and_then(|l| serde_json::from_str(l).ok())
        .filter(|h: &Header| h.format == FORMAT && h.version <= VERSION)
        .ok_or_else(|| format!("{}: not a recovery journal", path.display()))?;
    let mut steps = Vec::new();
    for line in lines {
        match serde_json::from_str(line) {
            Ok(s) => steps.push(s),
            Err(_) => break,
        }
    }
    Ok((header, steps))
}

/// The journals in `dir` of editors that are not running, newest first. Unreadable
/// files are left alone.
pub fn pending(dir: &Path) -> Vec<Found> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out: Vec<Found> = entries
        .flatten()
        .filter_map(|e| {
            let path = e.path();
            let name = path.file_name()?.to_str()?;
            // The lock of an editor that exited cleanly: nothing to recover, removed.
            if name.starts_with("recovery-")
                && name.ends_with(".lock")
                && !path.with_extension("jsonl").exists()
                && !in_use(&path)
            {
                let _ = std::fs::remove_file(&path);
                return None;
            }
            name.strip_prefix("recovery-")?.strip_suffix(".jsonl")?;
            if in_use(&path) {
                return None;
            }
            let (header, steps) = read(&path).ok()?;
            let modified = e.metadata().and_then(|m| m.modified()).unwrap_or(UNIX_EPOCH);
            Some(Found { path, header, steps, modified })
        })
        .filter(|f| !f.steps.is_empty())
        .collect();
    out.sort_by_key(|f| std::cmp::Reverse(f.modified));
    out
}

/// Applies a journal's steps to an editor opened on its base.
pub fn replay(editor: &mut Editor, steps: &[Step]) -> Result<(), String> {
    for (n, step) in steps.iter().enumerate() {
        let ok = match step {
            Step::Apply(cmd) => editor.apply(cmd.clone()).map_err(|e| format!("edit {}: {e}", n + 1))?.is_some(),
            Step::Undo => editor.undo().is_some(),
            Step::Redo => editor.redo().is_some(),
        };
        if !ok {
            return Err(format!("edit {} does not apply to this plan", n + 1));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
