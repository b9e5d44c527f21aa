//! The `passim` binary: parse arguments, run, map the outcome to an exit code.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use passim::app::{self, Outcome};
use passim::cli::Cli;

/// mimalloc instead of the system allocator: a search allocates many small,
/// short-lived strings and vectors (stored fields, matches, passages), and
/// glibc's malloc/free were a tenth of a batch search's instructions.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A panic is a bug (or a damaged index tantivy did not catch): one line,
    // no backtrace, exit 2 like any other error.
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let _ = writeln!(
            io::stderr(),
            "passim: internal error: {}; if the index may be damaged, run `passim index --rebuild`",
            what.replace('\n', " ")
        );
    }));
    let result = std::panic::catch_unwind(|| {
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        let mut err = io::stderr();
        app::run(cli, &mut out, &mut err).and_then(|outcome| {
            out.flush()?;
            Ok(outcome)
        })
    });
    let Ok(result) = result else {
        return ExitCode::from(2);
    };
    let mut err = io::stderr();
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::NoHits) => ExitCode::from(1),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let message = format!("{e:#}").replace('\n', " ");
            let _ = writeln!(err, "passim: {message}");
            ExitCode::from(2)
        }
    }
}

/// A closed pipe on stdout (`passim search pay | head -1`) is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}
