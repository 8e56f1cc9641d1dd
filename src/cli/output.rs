//! What the commands print: tables, JSON, percentages, progress on a terminal.

use super::*;

pub(super) fn out(text: &str) {
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// Prints a `--json` document, keys sorted (through a `Value`, whose maps sort them).
pub(super) fn print_json(doc: &impl serde::Serialize) {
    let text = serde_json::to_value(doc).and_then(|v| serde_json::to_string_pretty(&v)).unwrap_or_default();
    out(&format!("{text}\n"));
}

pub(super) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).chain([header[c].len()]).max().unwrap_or(0))
        .collect();
    let line = |cells: &[String]| {
        cells
            .iter()
            .enumerate()
            .map(|(c, s)| if c == 0 { format!("{s:<w$}", w = widths[c]) } else { format!("{s:>w$}", w = widths[c]) })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
            + "\n"
    };
    let mut s = line(&header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>());
    for r in rows {
        s += &line(r);
    }
    s
}

pub(super) fn totals_row(name: &str, t: &Totals) -> Vec<String> {
    use crate::format::thousands;
    vec![
        name.to_owned(),
        thousands(t.accounts as i64),
        thousands(t.potential.0 / 100),
        thousands(t.annual_revenue.0 / 100),
        format!("{:.1}", t.workload.hours()),
    ]
}

pub(super) fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Runs `work`, showing its progress on stderr when stderr is a terminal (a line
/// redrawn four times a second, cleared at the end); nothing otherwise, so that logs
/// and pipes stay clean. Ctrl+C ends the process (exit 130 in the shell); a file it
/// was writing is left as it was, since saves are atomic.
pub(super) fn with_progress<T>(what: &str, progress: &Progress, work: impl FnOnce() -> T) -> T {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return work();
    }
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let started = std::time::Instant::now();
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(250));
                if let Some(f) = progress.fraction() {
                    eprint!("\r{what}: {:>3.0} % ({:.0} s)  ", f * 100.0, started.elapsed().as_secs_f64());
                }
            }
            eprint!("\r{}\r", " ".repeat(what.len() + 24));
        });
        let out = work();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        out
    })
}
