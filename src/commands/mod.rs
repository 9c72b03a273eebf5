//! Subcommands of `assess`.

mod bank;
mod calibrate;
mod design;
mod estimate;
mod persons_out;
mod progress;
mod run_inputs;
mod score;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// assess — large-scale educational assessment from item bank to report.
#[derive(Debug, Parser)]
#[command(name = "assess", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate, import and export item banks.
    #[command(subcommand)]
    Bank(bank::BankCommand),
    /// Calibrate items by marginal maximum likelihood (EM) and write a run directory.
    Calibrate(Box<calibrate::CalibrateArgs>),
    /// Generate and check booklet designs.
    #[command(subcommand)]
    Design(design::DesignCommand),
    /// Person estimates and plausible values for a calibrated run (adds persons.csv).
    Score(Box<score::ScoreArgs>),
    /// Population statistics by group with replicate × plausible-value standard errors.
    Estimate(Box<estimate::EstimateArgs>),
}

/// Runs a parsed command; the exit code says whether what was checked is valid.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Bank(c) => bank::run(c),
        Command::Design(c) => design::run(c),
        Command::Calibrate(c) => calibrate::run(*c),
        Command::Score(c) => score::run(*c),
        Command::Estimate(c) => estimate::run(*c),
    }
}
