//! `assess calibrate`: response data in, a run directory out.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use calibration::classical::{ClassicalOptions, item_statistics};
use calibration::data::codes::MissingPolicy;
use calibration::data::read::{Columns, ReadOptions};
use calibration::em::{Cycle, Options, SeMethod, calibrate};
use calibration::fit::{FitOptions, item_fit};
use calibration::quadrature::Grid;
use calibration::run::{self, RunDir};
use calibration::spec::Spec;
use clap::Args;
use serde_json::json;

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Response data: CSV with a header row (`.csv` or `.csv.gz`; empty or NA = not
    /// administered) or Parquet (`.parquet`; null = not administered, byte codes kept).
    responses: PathBuf,
    /// Item model for every item (mirt's names: Rasch, 2PL, 3PL, graded, gpcm, pcm).
    #[arg(long, default_value = "2pl")]
    model: String,
    /// A spec file mapping items to models, priors and anchor items (overrides --model).
    #[arg(long)]
    spec: Option<PathBuf>,
    /// The run directory to write.
    #[arg(long)]
    out: PathBuf,
    /// Replace a run already in --out.
    #[arg(long)]
    replace: bool,
    /// Item columns (comma-separated); default: every column not named by another flag.
    #[arg(long, value_delimiter = ',')]
    items: Option<Vec<String>>,
    /// Person id column.
    #[arg(long)]
    id: Option<String>,
    /// Group column for multiple-group calibration.
    #[arg(long)]
    group: Option<String>,
    /// The reference group (mean 0, variance 1); default: the first group in the file.
    #[arg(long)]
    reference_group: Option<String>,
    /// Sampling weight column (normalised to sum to the sample size).
    #[arg(long)]
    weight: Option<String>,
    /// Booklet column (kept with the persons).
    #[arg(long)]
    booklet: Option<String>,
    /// Cells may hold the missing codes 250–254.
    #[arg(long)]
    raw_codes: bool,
    /// Treat omitted responses (254) as not administered instead of wrong.
    #[arg(long)]
    omitted_as_missing: bool,
    /// Quadrature points (rectangular on [−6, 6], as mirt).
    #[arg(long, default_value_t = 61)]
    quadpts: usize,
    /// Gauss–Hermite quadrature instead of the rectangular grid.
    #[arg(long)]
    gauss_hermite: bool,
    /// Convergence: largest parameter change in one EM cycle.
    #[arg(long, default_value_t = 1e-4)]
    tol: f64,
    #[arg(long, default_value_t = 500)]
    max_cycles: usize,
    /// Plain EM (no SQUAREM acceleration).
    #[arg(long)]
    no_accelerate: bool,
    /// Skip standard errors (Oakes' identity costs two E-steps per parameter).
    #[arg(long)]
    no_se: bool,
    /// Standard errors by the cross-product of person scores instead of Oakes' identity.
    #[arg(long)]
    se_crossprod: bool,
    /// Worker threads (default: all cores); results are identical for any number.
    #[arg(long)]
    threads: Option<usize>,
}

pub fn run(args: CalibrateArgs) -> anyhow::Result<ExitCode> {
    super::progress::set_threads(args.threads)?;
    let started = Instant::now();
    let bar = super::progress::spinner();
    bar.set_message(format!("reading {}", args.responses.display()));
    let read_options = ReadOptions {
        items: args.items.clone(),
        columns: Columns {
            id: args.id.clone(),
            group: args.group.clone(),
            weight: args.weight.clone(),
            booklet: args.booklet.clone(),
        },
        reference_group: args.reference_group.clone(),
        raw_codes: args.raw_codes,
        ..ReadOptions::default()
    };
    let data = super::run_inputs::read_responses(&args.responses, &read_options)?;
    let policy = MissingPolicy {
        omitted_as_zero: !args.omitted_as_missing,
        ..MissingPolicy::default()
    };
    let matrix = data.matrix.scaled(policy);
    let read_seconds = started.elapsed().as_secs_f64();

    let spec = match &args.spec {
        Some(path) => Spec::read(path).map_err(anyhow::Error::msg)?,
        None => Spec {
            model: Some(args.model.clone()),
            ..Spec::default()
        },
    };
    let spec_dir = args
        .spec
        .as_ref()
        .and_then(|p| p.parent())
        .map(PathBuf::from)
        .unwrap_or_default();
    let matrix = spec.prepare(&matrix)?;
    let items = spec.build(matrix.items(), &matrix.categories(), &spec_dir)?;
    let constraints = spec.constraints(matrix.items(), &items)?;
    let opts = Options {
        grid: if args.gauss_hermite {
            Grid::gauss_hermite(args.quadpts)
        } else {
            Grid::rectangular(args.quadpts, -6.0, 6.0)
        },
        tolerance: args.tol,
        max_cycles: args.max_cycles,
        accelerate: !args.no_accelerate,
        standard_errors: !args.no_se,
        se_method: if args.se_crossprod {
            SeMethod::CrossProduct
        } else {
            SeMethod::Oakes
        },
        start_from_data: true,
        constraints,
    };
    let run_dir = RunDir::create(&args.out, args.replace)?;
    let fit_started = Instant::now();
    let mut show = |c: &Cycle| {
        bar.set_message(format!(
            "EM cycle {:>3}  logLik {:.4}  largest change {:.2e}",
            c.cycle, c.loglik, c.max_change
        ))
    };
    let fit = calibrate(&matrix, items, &opts, &mut show)?;
    let fit_seconds = fit_started.elapsed().as_secs_f64();
    bar.finish_and_clear();

    let classical = item_statistics(
        &matrix,
        &ClassicalOptions {
            policy,
            ..ClassicalOptions::default()
        },
    )?;
    let fit_options = FitOptions {
        grid: opts.grid.clone(),
        ..FitOptions::default()
    };
    let item_fit = item_fit(&matrix, &fit.items, &fit.groups, &fit_options)?;
    let items = run::item_reports(matrix.items(), &fit);
    run_dir.write_json("items.json", &items)?;
    run_dir.write("items.csv", run::items_csv(&items).as_bytes())?;
    run_dir.write_json("groups.json", &run::group_reports(&fit))?;
    run_dir.write_json(
        "diagnostics.json",
        &json!({
            "converged": fit.converged,
            "cycles": fit.cycles,
            "loglik": fit.loglik,
            "aic": fit.aic,
            "bic": fit.bic,
            "n_parameters": fit.n_parameters,
            "n_persons": fit.n_persons,
            "persons_without_responses": fit.persons_without_responses,
            "standard_error_problem": fit.standard_error_problem,
            "em_history": fit.history,
            "classical": classical,
            "item_fit": item_fit,
            "category_values": data.category_values.iter().zip(matrix.items()).map(|(v, i)| json!({ "item": i, "values": v })).collect::<Vec<_>>(),
        }),
    )?;
    let manifest = json!({
        "software": { "name": "assess", "version": env!("CARGO_PKG_VERSION") },
        "command": std::env::args().collect::<Vec<_>>(),
        "created_unix": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
        "inputs": [{
            "path": args.responses.display().to_string(),
            "sha256": run::file_sha256(&args.responses)?,
            "bytes": std::fs::metadata(&args.responses)?.len(),
        }],
        "spec": args.spec.as_ref().map(|p| p.display().to_string()),
        // How the responses were read, so `assess score --run` reads them the same way.
        "read": {
            "items": matrix.items(),
            "id": args.id,
            "group": args.group,
            "reference_group": args.reference_group,
            "weight": args.weight,
            "booklet": args.booklet,
            "raw_codes": args.raw_codes,
        },
        "options": opts,
        "missing_policy": policy,
        "seeds": [],
        "threads": rayon::current_num_threads(),
        "timings_s": { "read": read_seconds, "calibrate": fit_seconds, "total": started.elapsed().as_secs_f64() },
    });
    run_dir.write_json("manifest.json", &manifest)?;

    println!(
        "{} persons × {} items, {} groups: {} after {} EM cycles, logLik {:.4}, AIC {:.2}, BIC {:.2} ({:.2} s)",
        matrix.n_persons(),
        matrix.n_items(),
        fit.groups.len(),
        if fit.converged { "converged" } else { "NOT converged" },
        fit.cycles,
        fit.loglik,
        fit.aic,
        fit.bic,
        fit_seconds
    );
    if let Some(problem) = &fit.standard_error_problem {
        eprintln!("warning: no standard errors: {problem}");
    }
    println!("wrote {}", args.out.display());
    Ok(if fit.converged {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
}
