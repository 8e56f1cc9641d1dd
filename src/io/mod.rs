//! File formats: the RON plan file, CSV import and export, GeoJSON areas, and the
//! atomic write they share. Nothing here knows the UI.

pub mod csv_export;
pub mod csv_import;
pub mod geocode;
pub mod geojson_areas;
mod ids;
pub mod number;
pub mod plan_file;
pub mod records;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// An I/O failure, with the file it concerns.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct FileError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

impl FileError {
    pub fn new(path: &Path, source: std::io::Error) -> Self {
        FileError { path: path.to_owned(), source }
    }
}

/// Reads a whole file; a large one in two halves on two threads, which halves the
/// time of copying it out of the OS cache (about 60 ms for 100 MB here on one).
pub fn read_file(path: &Path) -> Result<Vec<u8>, FileError> {
    use std::io::{Read, Seek};
    let err = |e| FileError::new(path, e);
    let len = std::fs::metadata(path).map_err(err)?.len();
    let Ok(len) = usize::try_from(len) else { return std::fs::read(path).map_err(err) };
    if len < 1 << 24 {
        return std::fs::read(path).map_err(err);
    }
    let mut buf = vec![0u8; len];
    let (first, second) = buf.split_at_mut(len / 2);
    let read_at = |offset: usize, out: &mut [u8]| -> std::io::Result<()> {
        let mut f = std::fs::File::open(path)?;
        f.seek(std::io::SeekFrom::Start(offset as u64))?;
        f.read_exact(out)
    };
    let (a, b) = rayon::join(|| read_at(0, first), || read_at(len / 2, second));
    a.and(b).map_err(err)?;
    // A file that grew meanwhile: read it the plain way.
    if std::fs::metadata(path).map_err(err)?.len() != len as u64 {
        return std::fs::read(path).map_err(err);
    }
    Ok(buf)
}

/// [`read_file`] of a UTF-8 text file.
pub fn read_text(path: &Path) -> Result<String, FileError> {
    String::from_utf8(read_file(path)?)
        .map_err(|e| FileError::new(path, std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error())))
}

/// Writes a file atomically: the bytes go to a temporary file beside it, which is
/// flushed to disk and then renamed over the target, so that a crash leaves either
/// the old file or the new one, never half of one.
///
/// - A symlink is followed: its target is replaced, the link stays.
/// - A target that exists but is not a regular file (a device, a pipe, a folder) is
///   refused: renaming over it would replace it with a regular file.
/// - Temporary files that a killed save left beside the target are removed (each
///   save holds a lock on its own while it writes, so a file whose lock can be taken
///   belongs to no running save).
pub fn write_atomic(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), FileError> {
    let err = |e| FileError::new(path, e);
    let target = resolve_symlinks(path);
    if let Ok(m) = std::fs::metadata(&target)
        && !m.is_file()
    {
        let what = if m.is_dir() { "a folder" } else { "not a regular file (a device or a pipe?)" };
        return Err(err(std::io::Error::other(format!("{what}: not replaced; choose a file"))));
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    remove_stale_temporaries(&dir, &name);
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.tmp-{}-{n}", std::process::id()));
    let result = (|| {
        let file = std::fs::File::create(&tmp)?;
        // Held until the rename: a later save leaves this temporary alone meanwhile.
        let _ = file.try_lock();
        let mut w = std::io::BufWriter::new(file);
        write(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, &target)?;
        // The rename itself is durable once the folder is flushed (where it can be).
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::PermissionDenied {
            err(std::io::Error::new(e.kind(), format!("cannot write in {} (permission denied)", dir.display())))
        } else {
            err(e)
        }
    })
}

/// The file a path names after following symlinks (at most 40, as the OS does); the
/// path itself if it does not exist yet.
fn resolve_symlinks(path: &Path) -> PathBuf {
    let mut p = path.to_owned();
    for _ in 0..40 {
        match std::fs::read_link(&p) {
            Ok(next) => {
                p = if next.is_absolute() { next } else { p.parent().map_or(next.clone(), |d| d.join(&next)) };
            }
            Err(_) => break,
        }
    }
    p
}

/// Removes `.{name}.tmp-*` files in `dir` that no running save holds.
fn remove_stale_temporaries(dir: &Path, name: &str) {
    let prefix = format!(".{name}.tmp-");
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let stale = e.file_name().to_str().is_some_and(|n| n.starts_with(&prefix))
            && std::fs::File::open(e.path()).is_ok_and(|f| f.try_lock().is_ok());
        if stale {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Progress of a long file operation, shared with the UI thread, and its Cancel.
#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicU64,
    total: AtomicU64,
    cancelled: AtomicBool,
}

impl Progress {
    /// The share done, once the work is known.
    pub fn fraction(&self) -> Option<f32> {
        let total = self.total.load(Ordering::Relaxed);
        (total > 0).then(|| (self.done.load(Ordering::Relaxed) as f32 / total as f32).min(1.0))
    }

    /// Asks the work to stop at its next piece.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// Announces `n` more pieces of work.
    pub fn add_total(&self, n: u64) {
        self.total.fetch_add(n, Ordering::Relaxed);
    }

    /// Sets the work done and the total at once (for work measured in phases).
    pub fn set(&self, done: u64, total: u64) {
        self.total.store(total, Ordering::Relaxed);
        self.done.store(done, Ordering::Relaxed);
    }

    /// `n` more pieces done.
    pub fn advance(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }

    /// One piece done.
    pub fn step(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }
}

/// Runs `f` on `pieces` on every core (rayon's pool), keeping the pieces' order.
pub(crate) fn parallel<T: Send, P: Sync>(pieces: &[P], f: impl Fn(&P) -> T + Sync) -> Vec<T> {
    parallel_with(pieces, None, f)
}

/// [`parallel`], reporting each piece to `progress` and stopping early when it is
/// cancelled (the result then has fewer items than `pieces`). A panic in `f`, a bug,
/// is passed on to the caller.
pub(crate) fn parallel_with<T: Send, P: Sync>(
    pieces: &[P],
    progress: Option<&Progress>,
    f: impl Fn(&P) -> T + Sync,
) -> Vec<T> {
    use rayon::prelude::*;
    if let Some(p) = progress {
        p.add_total(pieces.len() as u64);
    }
    let done: Vec<Option<T>> = pieces
        .par_iter()
        .map(|p| {
            if progress.is_some_and(Progress::is_cancelled) {
                return None;
            }
            let out = f(p);
            if let Some(progress) = progress {
                progress.step();
            }
            Some(out)
        })
        .collect();
    done.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_files_read_in_halves_come_back_whole() {
        let dir = std::env::temp_dir().join(format!("te-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("big.bin");
        let bytes: Vec<u8> = (0..(1usize << 24) + 12_345).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&path, &bytes).expect("written");
        assert_eq!(read_file(&path).expect("read"), bytes);
        assert!(read_file(&dir.join("missing.bin")).is_err());
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn atomic_write_replaces_and_cleans_up() {
        let dir = std::env::temp_dir().join(format!("te-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("plan.ron");
        write_atomic(&path, |w| w.write_all(b"one")).expect("write");
        write_atomic(&path, |w| w.write_all(b"two")).expect("write");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "two");
        // A failing writer leaves the old file and no temporary file behind.
        let failed = write_atomic(&path, |_| Err(std::io::Error::other("boom")));
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "two");
        let leftovers = std::fs::read_dir(&dir).expect("dir").count();
        assert_eq!(leftovers, 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn atomic_write_follows_symlinks_refuses_devices_and_removes_stale_temporaries() {
        let dir = std::env::temp_dir().join(format!("te-atomic2-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("real")).expect("temp dir");
        let target = dir.join("real/plan.ron");
        std::fs::write(&target, "old").expect("written");
        // A killed save's temporary, from a process that is gone (nobody locks it).
        let stale = dir.join("real/.plan.ron.tmp-999999-0");
        std::fs::write(&stale, vec![b'x'; 1000]).expect("written");
        #[cfg(unix)]
        {
            let link = dir.join("link.ron");
            std::os::unix::fs::symlink("real/plan.ron", &link).expect("symlink");
            write_atomic(&link, |w| w.write_all(b"new")).expect("write through the link");
            assert!(std::fs::symlink_metadata(&link).expect("link").file_type().is_symlink(), "the link stays");
            assert_eq!(std::fs::read_to_string(&target).expect("read"), "new");
            assert!(!stale.exists(), "the stale temporary is gone");
            let e = write_atomic(Path::new("/dev/null"), |w| w.write_all(b"x")).expect_err("a device");
            assert!(e.to_string().contains("not a regular file"), "{e}");
        }
        let e = write_atomic(&dir.join("real"), |w| w.write_all(b"x")).expect_err("a folder");
        assert!(e.to_string().contains("a folder"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
