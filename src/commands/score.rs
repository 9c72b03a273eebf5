//! `assess score --run RUN`: person estimates and plausible values for a calibrated run.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use calibration::data::ResponseMatrix;
use calibration::data::read::{Table, read_table};
use calibration::quadrature::Grid;
use clap::Args;
use indicatif::ProgressBar;
use rayon::prelude::*;
use scoring::latreg::conditioning::{self, Membership, Values, Variable};
use scoring::latreg::{self, PvOptions, person_key};
use scoring::person::{Estimator, PersonEstimate, Scorer};
use scoring::round::Round;
use scoring::scale::ReportingScale;
use serde_json::json;

use super::progress::spinner;
use super::run_inputs::CalibratedRun;

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// The run directory written by `assess calibrate`.
    #[arg(long)]
    run: PathBuf,
    /// Data to score, read with the run's columns (default: the file it was calibrated on).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Person estimates, comma-separated: eap, map, ml, wle.
    #[arg(long, value_delimiter = ',', default_value = "eap,wle")]
    estimators: Vec<String>,
    /// Plausible values per student (0: none).
    #[arg(long, default_value_t = 10)]
    pv: usize,
    /// Seed of the plausible values (same seed, same values, whatever the thread count).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Background columns conditioning the plausible values (the latent regression);
    /// numeric unless also listed under --categorical.
    #[arg(long, value_delimiter = ',')]
    condition: Vec<String>,
    /// Conditioning columns to dummy-code.
    #[arg(long, value_delimiter = ',')]
    categorical: Vec<String>,
    /// Conditioning columns entered as they are, not through principal components.
    #[arg(long, value_delimiter = ',')]
    direct: Vec<String>,
    /// Share of the background variance the principal components keep.
    #[arg(long, default_value_t = 0.9)]
    variance_share: f64,
    /// School id column: school means and school membership enter the conditioning.
    #[arg(long)]
    school: Option<String>,
    /// How school membership enters: mean-wle, dummies or none.
    #[arg(long, default_value = "mean-wle")]
    school_membership: String,
    /// Numeric conditioning columns whose school means enter too.
    #[arg(long, value_delimiter = ',')]
    school_means: Vec<String>,
    /// One residual variance per value of this column (default: one for all).
    #[arg(long)]
    variance_by: Option<String>,
    /// Report on a scale with this mean and SD in the scored population, e.g. 500,100
    /// (set from the plausible values: this run is the base round).
    #[arg(long, value_delimiter = ',', num_args = 1)]
    scale: Option<Vec<f64>>,
    /// A round registry (JSON) whose reporting scale to use, with --scale-name.
    #[arg(long)]
    round: Option<PathBuf>,
    /// The scale of the round registry to report on.
    #[arg(long)]
    scale_name: Option<String>,
    /// Quadrature points of the latent regression (rectangular on [−6, 6]).
    #[arg(long, default_value_t = 61)]
    quadpts: usize,
    /// Worker threads (default: all cores); results are identical for any number.
    #[arg(long)]
    threads: Option<usize>,
}

fn estimator(name: &str) -> anyhow::Result<Estimator> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "eap" => Estimator::Eap,
        "map" => Estimator::Map,
        "ml" => Estimator::Ml,
        "wle" => Estimator::Wle,
        other => bail!("unknown estimator {other:?}: use eap, map, ml or wle"),
    })
}

/// The reporting scale asked for, if any; `pvs` set it when this run is the base round.
fn reporting_scale(
    args: &ScoreArgs,
    pvs: Option<&latreg::PlausibleValues>,
    weights: &[f64],
) -> anyhow::Result<Option<ReportingScale>> {
    match (&args.scale, &args.round) {
        (Some(_), Some(_)) => bail!("give either --scale or --round, not both"),
        (Some(target), None) => {
            let [mean, sd] = target[..] else {
                bail!("--scale takes a mean and an SD, e.g. --scale 500,100");
            };
            let Some(pvs) = pvs else {
                bail!("--scale sets the scale from plausible values: use --pv 1 or more");
            };
            Ok(Some(ReportingScale::from_reference(
                &pvs.values,
                pvs.count,
                weights,
                mean,
                sd,
            )?))
        }
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            let round: Round =
                serde_json::from_str(&text).with_context(|| format!("{} is not a round registry", path.display()))?;
            round.validate()?;
            let name = args
                .scale_name
                .as_deref()
                .context("--round needs --scale-name (which of the round's scales)")?;
            let scale = round
                .scales
                .get(name)
                .with_context(|| format!("round {} has no scale {name:?}", round.id))?;
            Ok(Some(scale.reporting))
        }
        (None, None) => Ok(None),
    }
}

/// The conditioning variables from the background columns.
fn variables(args: &ScoreArgs, table: &Table, groups: Option<(&[u16], &[String])>) -> anyhow::Result<Vec<Variable>> {
    let mut out = Vec::new();
    for name in &args.condition {
        let values = if args.categorical.contains(name) {
            Values::Categorical(table.column(name).context("conditioning column")?.to_vec())
        } else {
            Values::Numeric(table.numbers(name)?)
        };
        out.push(Variable {
            name: name.clone(),
            values,
            direct: args.direct.contains(name),
        });
    }
    // The calibration's groups differ in their latent distributions: keep them apart.
    if let Some((groups, names)) = groups.filter(|(_, names)| names.len() > 1) {
        out.push(Variable {
            name: "group".into(),
            values: Values::Categorical(groups.iter().map(|&g| Some(names[usize::from(g)].clone())).collect()),
            direct: true,
        });
    }
    Ok(out)
}

pub fn run(args: ScoreArgs) -> anyhow::Result<ExitCode> {
    super::progress::set_threads(args.threads)?;
    let started = Instant::now();
    let bar = spinner();
    let mut run = CalibratedRun::open(&args.run)?;
    let input = match &args.data {
        Some(path) => path.clone(),
        None => run.input()?,
    };
    bar.set_message(format!("reading {}", input.display()));
    let data = run.read_responses(&input)?;
    let matrix = &data.matrix;
    if matrix.items() != run.item_names.as_slice() {
        bail!("{} does not hold the run's items in the run's order", input.display());
    }
    let n = matrix.n_persons();
    let responses: Vec<u8> = (0..n).flat_map(|i| matrix.row(i).iter().copied()).collect();
    let weights = matrix.raw_weights().map_or_else(|| vec![1.0; n], <[f64]>::to_vec);
    let estimators: Vec<Estimator> = args.estimators.iter().map(|e| estimator(e)).collect::<Result<_, _>>()?;

    let scored_at = Instant::now();
    let mut estimates: Vec<(Estimator, Vec<Option<PersonEstimate>>)> = Vec::new();
    for &how in &estimators {
        bar.set_message(format!("{how:?} for {n} persons"));
        estimates.push((how, person_estimates(&run, &responses, matrix.groups(), how)));
    }
    let person_seconds = scored_at.elapsed().as_secs_f64();

    let (pvs, population) = if args.pv > 0 {
        let wle = estimates
            .iter()
            .find(|(how, _)| *how == Estimator::Wle)
            .map(|(_, e)| e.as_slice());
        let scored = Scored {
            run: &run,
            matrix,
            responses: &responses,
            weights: &weights,
            wle,
        };
        let (drawn, population) = plausible_values(&args, &input, &scored, &bar)?;
        (Some(drawn), Some(population))
    } else {
        (None, None)
    };
    let scale = reporting_scale(&args, pvs.as_ref(), &weights)?;
    bar.set_message("writing persons.csv");
    let table = super::persons_out::PersonsTable {
        ids: matrix.persons(),
        estimates: &estimates,
        pvs: pvs.as_ref(),
        scale: scale.as_ref(),
    };
    run.dir.write("persons.csv", table.to_csv().as_bytes())?;
    if let Some(population) = &population {
        run.dir.write_json("population.json", population)?;
    }
    bar.finish_and_clear();
    run.record(
        "score",
        json!({
            "command": std::env::args().collect::<Vec<_>>(),
            "input": { "path": input.display().to_string(), "sha256": calibration::run::file_sha256(&input)? },
            "estimators": args.estimators,
            "plausible_values": args.pv,
            "seed": args.seed,
            "reporting_scale": scale,
            "threads": rayon::current_num_threads(),
            "timings_s": { "person_estimates": person_seconds, "total": started.elapsed().as_secs_f64() },
        }),
    )?;
    println!(
        "{n} persons scored ({}){} in {:.2} s; wrote {}",
        args.estimators.join(", "),
        if args.pv > 0 {
            format!(", {} plausible values each", args.pv)
        } else {
            String::new()
        },
        started.elapsed().as_secs_f64(),
        args.run.join("persons.csv").display()
    );
    Ok(ExitCode::SUCCESS)
}

/// What the plausible values are drawn for.
struct Scored<'a> {
    run: &'a CalibratedRun,
    matrix: &'a ResponseMatrix,
    /// Persons × items, row-major.
    responses: &'a [u8],
    weights: &'a [f64],
    /// WLEs already estimated, reused for the school-mean WLE.
    wle: Option<&'a [Option<PersonEstimate>]>,
}

/// Builds the conditioning variables, fits the population model and draws the
/// plausible values; returns them with `population.json`'s content.
fn plausible_values(
    args: &ScoreArgs,
    input: &Path,
    scored: &Scored,
    bar: &ProgressBar,
) -> anyhow::Result<(latreg::PlausibleValues, serde_json::Value)> {
    bar.set_message("conditioning variables");
    let (matrix, weights) = (scored.matrix, scored.weights);
    let mut columns: Vec<String> = args.condition.clone();
    columns.extend(args.school.iter().cloned());
    columns.extend(args.variance_by.iter().cloned());
    // A column may serve twice (a conditioning variable that also splits the variance).
    columns.sort_unstable();
    columns.dedup();
    let table =
        read_table(input, &columns).with_context(|| format!("reading background columns of {}", input.display()))?;
    let groups = (!matrix.group_names().is_empty()).then(|| (matrix.groups(), matrix.group_names()));
    let variables = variables(args, &table, groups)?;
    let schools: Option<Vec<String>> = args
        .school
        .as_ref()
        .and_then(|s| table.column(s))
        .map(|c| c.iter().map(|v| v.clone().unwrap_or_default()).collect());
    let membership = match args.school_membership.as_str() {
        _ if schools.is_none() => Membership::None,
        "none" => Membership::None,
        "dummies" => Membership::Dummies,
        "mean-wle" => {
            let computed;
            let wle = match scored.wle {
                Some(wle) => wle,
                None => {
                    computed = person_estimates(scored.run, scored.responses, matrix.groups(), Estimator::Wle);
                    &computed
                }
            };
            Membership::MeanWle(wle.iter().map(|e| e.map_or(f64::NAN, |e| e.theta)).collect())
        }
        other => bail!("--school-membership {other:?}: use mean-wle, dummies or none"),
    };
    let built = conditioning::build(&conditioning::Spec {
        variables: &variables,
        variance_share: args.variance_share,
        schools: schools.as_deref(),
        school_means_of: &args.school_means,
        membership,
        weights: Some(weights),
    })?;
    let variance_groups = args
        .variance_by
        .as_deref()
        .map(|name| variance_groups(&table, name))
        .transpose()?;
    let data = latreg::Data {
        items: &scored.run.items,
        responses: scored.responses,
        design: &built.design,
        weights: Some(weights),
        variance_groups: variance_groups.as_ref().map(|(g, count)| (g.as_slice(), *count)),
    };
    let options = latreg::Options {
        grid: Grid::rectangular(args.quadpts, -6.0, 6.0),
        ..latreg::Options::default()
    };
    bar.set_message(format!("latent regression on {} variables", built.design.columns()));
    let (model, _) = latreg::fit(&data, &options)?;
    bar.set_message(format!(
        "{} plausible values for {} persons",
        args.pv,
        matrix.n_persons()
    ));
    let keys: Vec<u64> = matrix.persons().iter().map(|id| person_key(id)).collect();
    let pv_options = PvOptions {
        count: args.pv,
        seed: args.seed,
        ..PvOptions::default()
    };
    let drawn = latreg::draw(&data, &model, &options.grid, &keys, &pv_options)?;
    let population = json!({
        "model": model,
        "design": { "terms": built.design.names, "coded_columns": built.coded, "components": built.components, "explained": built.explained },
        "students_without_responses": drawn.answered.iter().filter(|&&a| a == 0).count(),
    });
    Ok((drawn, population))
}

/// Each person's residual-variance group (values of `column` in sorted order; missing
/// is a group of its own) and the number of groups.
fn variance_groups(table: &Table, column: &str) -> anyhow::Result<(Vec<u16>, usize)> {
    let values = table.column(column).with_context(|| format!("no column {column}"))?;
    let names: std::collections::BTreeSet<Option<&str>> = values.iter().map(Option::as_deref).collect();
    if names.len() > usize::from(u16::MAX) {
        bail!(
            "--variance-by {column} has {} values; one residual variance each is too many",
            names.len()
        );
    }
    let index: std::collections::HashMap<Option<&str>, u16> = names.iter().zip(0..).map(|(&n, g)| (n, g)).collect();
    Ok((values.iter().map(|v| index[&v.as_deref()]).collect(), names.len()))
}

/// Every person's estimate under their group's latent distribution.
fn person_estimates(
    run: &CalibratedRun,
    responses: &[u8],
    groups: &[u16],
    how: Estimator,
) -> Vec<Option<PersonEstimate>> {
    let scorers: Vec<Scorer> = if run.groups.is_empty() {
        vec![Scorer::new(0.0, 1.0)]
    } else {
        run.groups
            .iter()
            .map(|(_, mean, variance)| Scorer::new(*mean, *variance))
            .collect()
    };
    if scorers.len() == 1 || groups.is_empty() {
        return scorers[0].estimate_all(&run.items, responses, how);
    }
    let k = run.items.len();
    responses
        .par_chunks(k)
        .zip(groups.par_iter())
        .map(|(row, &g)| scorers[usize::from(g).min(scorers.len() - 1)].estimate(&run.items, row, how))
        .collect()
}
