//! The `hessian-rmt` binary: everything happens in [`hessian_rmt::cli`].

use std::process::ExitCode;

fn main() -> ExitCode {
    // Matrix products outside the replicate loop must not depend on the thread count, so that a
    // seed gives the same bytes everywhere; replicates run in parallel through rayon instead.
    faer::set_global_parallelism(faer::Par::Seq);
    hessian_rmt::cli::main_with_args(std::env::args_os())
}
