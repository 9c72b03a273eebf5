//! `assess bank …`: validate a bank directory, import and export QTI.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use itembank::Bank;

#[derive(Debug, Subcommand)]
pub enum BankCommand {
    /// Load a bank directory, report every problem, or print its summary and designs.
    Validate {
        /// The bank directory (with bank.toml).
        dir: PathBuf,
        /// Print the summary as JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Import QTI 3.0/2.2 items (a content package .zip or one item .xml) into a bank.
    ImportQti {
        /// The QTI content package or item file.
        file: PathBuf,
        /// The bank directory to add the items to (created if it does not exist).
        #[arg(long)]
        into: PathBuf,
        /// Sub-folder of `items/` that receives the imported files.
        #[arg(long, default_value = "qti")]
        folder: String,
    },
    /// Export the bank's test items as a QTI 3.0 content package.
    ExportQti {
        /// The bank directory.
        dir: PathBuf,
        /// The .zip file to write.
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn run(command: BankCommand) -> anyhow::Result<ExitCode> {
    match command {
        BankCommand::Validate { dir, json } => validate(dir, json),
        BankCommand::ImportQti { file, into, folder } => import_qti(file, into, folder),
        BankCommand::ExportQti { dir, out } => export_qti(dir, out),
    }
}

fn load(dir: &std::path::Path) -> Result<Bank, ExitCode> {
    Bank::load(dir).map_err(|problems| {
        eprintln!(
            "{}: the bank is not valid; nothing was loaded.\n{problems}",
            dir.display()
        );
        ExitCode::FAILURE
    })
}

fn validate(dir: PathBuf, json: bool) -> anyhow::Result<ExitCode> {
    let bank = match load(&dir) {
        Ok(b) => b,
        Err(code) => return Ok(code),
    };
    let summary = bank.summary();
    if json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{summary}");
    }
    Ok(ExitCode::SUCCESS)
}

fn import_qti(file: PathBuf, into: PathBuf, folder: String) -> anyhow::Result<ExitCode> {
    let imported = itembank::qti::import_path(&file).with_context(|| format!("importing {}", file.display()))?;
    for u in &imported.unsupported {
        eprintln!("not imported: {u}");
    }
    for w in &imported.warnings {
        eprintln!("warning: {w}");
    }
    for renamed in &imported.renamed {
        eprintln!("renamed: {renamed}");
    }
    if imported.items.is_empty() {
        eprintln!("{}: no supported items to import", file.display());
        return Ok(ExitCode::FAILURE);
    }
    let bank = Bank::add_items(&into, &folder, &imported.items)
        .with_context(|| format!("adding the items to {} (nothing was changed)", into.display()))?;
    println!(
        "imported {} item(s) into {}/items/{folder}; the bank now has {} items",
        imported.items.len(),
        into.display(),
        bank.items.len()
    );
    Ok(if imported.unsupported.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

fn export_qti(dir: PathBuf, out: PathBuf) -> anyhow::Result<ExitCode> {
    let bank = match load(&dir) {
        Ok(b) => b,
        Err(code) => return Ok(code),
    };
    let items: Vec<&itembank::Item> = bank.items.values().collect();
    let file = std::fs::File::create(&out).with_context(|| format!("creating {}", out.display()))?;
    let exported = itembank::qti::export_package(&items, file).with_context(|| format!("writing {}", out.display()))?;
    for s in &exported.skipped {
        eprintln!("not exported: {s}");
    }
    println!(
        "exported {} item(s) to {} ({} not expressible in QTI)",
        exported.items,
        out.display(),
        exported.skipped.len()
    );
    Ok(ExitCode::SUCCESS)
}
