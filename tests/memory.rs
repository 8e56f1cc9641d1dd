//! The editor gives back to the system what its background jobs freed
//! (`release_freed_memory`, glibc's `malloc_trim`). Its own test binary, so that no
//! other test allocates in the same process while the resident size is read.

/// The process's resident size, kB (`/proc/self/status`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn resident_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("proc status");
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS line");
    line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).expect("a number of kB")
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn memory_freed_on_a_worker_goes_back_to_the_system() {
    const CHUNK: usize = 64 * 1024;
    const CHUNKS: usize = 4096; // 256 MiB
    // On a worker thread, as the editor's jobs run: glibc gives it an arena of its own,
    // which keeps what is freed in it.
    std::thread::spawn(|| {
        let mut chunks: Vec<Vec<u8>> = (0..CHUNKS).map(|i| vec![(i % 251) as u8 + 1; CHUNK]).collect();
        // The last chunk stays, so the arena's top cannot simply shrink back.
        let keep = chunks.pop();
        let before = resident_kb();
        drop(chunks);
        let freed_kept = resident_kb();
        territory_editor::app::release_freed_memory();
        let after = resident_kb();
        assert!(keep.is_some_and(|k| k.len() == CHUNK));
        // Freeing alone leaves most of the 256 MiB resident; the release returns it.
        assert!(before >= 200_000, "the chunks were resident: {before} kB");
        assert!(freed_kept + 100_000 > before, "glibc kept the freed chunks: {before} → {freed_kept} kB");
        assert!(after + 150_000 < freed_kept, "released: {freed_kept} → {after} kB");
    })
    .join()
    .expect("the worker");
}
