//! The `territory-editor` binary: the editor by default, headless subcommands
//! otherwise (see [`territory_editor::cli`]).

use clap::Parser;
use territory_editor::cli::{Cli, run};

fn main() {
    // A bug must still end in one readable line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str));
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!("error: internal error{at}: {} (please report it)", what.unwrap_or("panic"));
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with 0; a usage error is one line on
            // stderr with a pointer to --help, and exits 2.
            if !e.use_stderr() {
                let _ = e.print();
                std::process::exit(0);
            }
            let text = e.render().to_string();
            // clap's message, before its usage text and tips, on one line.
            let message: Vec<&str> = text
                .lines()
                .take_while(|l| {
                    !l.starts_with("Usage:")
                        && !l.trim_start().starts_with("tip:")
                        && !l.starts_with("For more information")
                })
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            eprintln!("{} (see --help)", message.join(" "));
            std::process::exit(2);
        }
    };
    let code = match cli.command {
        Some(cmd) => match run(cmd) {
            Ok(()) => 0,
            Err(f) => {
                // One line, whatever the message quotes.
                eprintln!("error: {}", f.message.replace(['\n', '\r'], " "));
                f.code
            }
        },
        None => match territory_editor::app::run_native(cli.file) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: {e}");
                1
            }
        },
    };
    std::process::exit(code);
}
