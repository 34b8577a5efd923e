//! `server`: the portal's single binary: serve (the default), migrate, bootstrap-admin, audit
//! verify, import, export and generate (see `cli.rs` and the README's command-line table).

use clap::Parser;
use server::cli::{Cli, run};
use std::process::ExitCode;

/// mimalloc returns the memory a load of the estate used to the system once it is freed.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    run(Cli::parse()).await
}
