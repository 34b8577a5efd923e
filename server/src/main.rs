//! `server`: the portal's single binary (serve, migrate, bootstrap-admin, audit verify).

use clap::Parser;
use server::cli::{Cli, run};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    run(Cli::parse()).await
}
