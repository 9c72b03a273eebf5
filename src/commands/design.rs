//! `assess design …`: booklet designs on their own, outside a bank.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use itembank::design::{self, Design, GenerateOptions};
use serde::Deserialize;

#[derive(Debug, Subcommand)]
pub enum DesignCommand {
    /// Generate a balanced incomplete block design (or the near-balanced fallback).
    Bib {
        /// Number of blocks (clusters).
        #[arg(long)]
        blocks: usize,
        /// Blocks per booklet.
        #[arg(long)]
        per_booklet: usize,
        /// Largest number of booklets to accept for a BIB (default 2 × blocks).
        #[arg(long)]
        max_booklets: Option<usize>,
    },
    /// Check a design file: balance of blocks and positions, pairwise linkage. Fails when
    /// blocks appear unequally often, positions are unbalanced, a block repeats within a
    /// booklet, or the design is disconnected.
    Check {
        /// TOML with `booklets = [["M1", "M2", "M4"], …]` (block labels in position order).
        file: PathBuf,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DesignFile {
    booklets: Vec<Vec<String>>,
}

pub fn run(command: DesignCommand) -> anyhow::Result<ExitCode> {
    match command {
        DesignCommand::Bib {
            blocks,
            per_booklet,
            max_booklets,
        } => {
            let generated = design::generate(blocks, per_booklet, &GenerateOptions { max_booklets })?;
            println!("{}", generated.construction);
            // Blocks are numbered from 1 for people, in the booklets and the report alike.
            let labels: Vec<String> = (1..=blocks).map(|b| b.to_string()).collect();
            print_booklets(&generated.design, &labels);
            println!();
            println!("{}", design::check_with_labels(&generated.design, &labels));
            Ok(ExitCode::SUCCESS)
        }
        DesignCommand::Check { file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let parsed: DesignFile = toml::from_str(&text).with_context(|| format!("reading {}", file.display()))?;
            let (design, labels) =
                Design::from_labels(&parsed.booklets).with_context(|| format!("in {}", file.display()))?;
            let report = design::check_with_labels(&design, &labels);
            println!("{report}");
            Ok(if usable(&report) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

/// Whether a design can be used for concurrent calibration: blocks equally often,
/// positions balanced within one, no repeated or unknown blocks, and connected.
/// Unequal pair counts alone (a near-balanced design) are reported but accepted.
fn usable(report: &design::DesignReport) -> bool {
    report.connected
        && report.block_frequency_min == report.block_frequency_max
        && report.positions_near_balanced
        && report.duplicates.is_empty()
        && report.out_of_range.is_empty()
}

fn print_booklets(design: &Design, labels: &[String]) {
    for (i, booklet) in design.booklets.iter().enumerate() {
        let blocks: Vec<&str> = booklet.iter().map(|&b| labels[b].as_str()).collect();
        println!("  booklet {:>3}: {}", i + 1, blocks.join(" "));
    }
}
