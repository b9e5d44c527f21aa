//! The `passim` binary: parse arguments, run, exit with the outcome's code.

use std::process::ExitCode;

/// mimalloc instead of the system allocator: a search allocates many small,
/// short-lived strings and vectors (stored fields, matches, passages), and
/// glibc's malloc/free were a tenth of a batch search's instructions.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = passim::cli::query_words_last(std::env::args_os().collect());
    passim::cli::main_from(args)
}
