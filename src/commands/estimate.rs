//! `assess estimate`: population statistics by group with replicate × plausible-value
//! standard errors, from a scored run or from a data file that already carries plausible
//! values and replicate weights.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use calibration::data::read::{Table, column_names, read_table};
use clap::Args;
use scoring::estimate::{self, Grouping, Levels, Statistic, Subset, Variable};
use scoring::survey::{ReplicateMethod, ReplicateWeights, WeightColumn};
use serde_json::json;

use super::progress::spinner;
use super::run_inputs::CalibratedRun;

#[derive(Debug, Args)]
pub struct EstimateArgs {
    /// A scored run (plausible values from its persons.csv); writes RUN/estimates.json.
    #[arg(long)]
    run: Option<PathBuf>,
    /// The file with weights, replicate weights and grouping columns (default: the file
    /// the run was calibrated on); row i is person i of persons.csv.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Plausible values in --data: columns PREFIX1, PREFIX2, … (e.g. PV for PV1MATH… use
    /// the full stem, e.g. PV then --pv-suffix MATH).
    #[arg(long)]
    pv_prefix: Option<String>,
    #[arg(long, default_value = "")]
    pv_suffix: String,
    /// An observed analysis variable instead of plausible values (e.g. an index).
    #[arg(long)]
    variable: Option<String>,
    /// Full-sample weight column (default: the run's --weight).
    #[arg(long)]
    weight: Option<String>,
    /// Replicate weight columns: PREFIX1, PREFIX2, … (e.g. W_FSTURWT).
    #[arg(long)]
    replicates: String,
    /// How the replicates were made: jk1, jk2, fay (k = 0.5, PISA) or fay:K, or
    /// factor:C for a given variance factor.
    #[arg(long, default_value = "fay")]
    method: String,
    /// Degrees of freedom of the replicate variance (default: from the method).
    #[arg(long)]
    df: Option<f64>,
    /// Grouping columns; each gives a table (the whole sample is always the first).
    #[arg(long, value_delimiter = ',')]
    by: Vec<String>,
    /// Cut scores of the proficiency levels, ascending, on the scale of the values.
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    levels: Vec<f64>,
    /// Percentiles to report.
    #[arg(long, value_delimiter = ',', default_values_t = [5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0])]
    percentiles: Vec<f64>,
    /// School id column: minimum-schools rule and the two-level model.
    #[arg(long)]
    school: Option<String>,
    /// SES index column: the SES gradient per group.
    #[arg(long)]
    ses: Option<String>,
    #[arg(long, default_value_t = 30)]
    min_students: usize,
    #[arg(long, default_value_t = 5)]
    min_schools: usize,
    #[arg(long, default_value_t = 0.95)]
    confidence: f64,
    /// Output file (default: RUN/estimates.json; required without --run).
    #[arg(long)]
    out: Option<PathBuf>,
    #[arg(long)]
    threads: Option<usize>,
}

fn method(text: &str) -> anyhow::Result<ReplicateMethod> {
    let (name, value) = text.split_once(':').map_or((text, None), |(n, v)| (n, Some(v)));
    let number = |v: Option<&str>, default: Option<f64>| -> anyhow::Result<f64> {
        match v {
            Some(v) => v
                .parse()
                .with_context(|| format!("--method {text}: {v:?} is not a number")),
            None => default.with_context(|| format!("--method {text} needs a value, e.g. factor:0.05")),
        }
    };
    Ok(match name.to_ascii_lowercase().as_str() {
        "jk1" => ReplicateMethod::Jk1,
        "jk2" => ReplicateMethod::Jk2,
        "fay" | "brr" => ReplicateMethod::FayBrr {
            k: number(value, Some(0.5))?,
        },
        "factor" => ReplicateMethod::Given {
            factor: number(value, None)?,
        },
        other => bail!("--method {other:?}: use jk1, jk2, fay, fay:K or factor:C"),
    })
}

/// Columns `prefix 1 suffix`, `prefix 2 suffix`, … present in the file, in number order.
fn numbered(names: &[String], prefix: &str, suffix: &str) -> Vec<String> {
    let mut found: Vec<(u32, String)> = names
        .iter()
        .filter_map(|n| {
            let number = n.strip_prefix(prefix)?.strip_suffix(suffix)?;
            number
                .parse::<u32>()
                .ok()
                .filter(|_| number.chars().all(|c| c.is_ascii_digit()))
                .map(|k| (k, n.clone()))
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, n)| n).collect()
}

pub fn run(args: EstimateArgs) -> anyhow::Result<ExitCode> {
    super::progress::set_threads(args.threads)?;
    let started = Instant::now();
    let bar = spinner();
    let run = args.run.as_deref().map(CalibratedRun::open).transpose()?;
    let data_path = match (&args.data, &run) {
        (Some(path), _) => path.clone(),
        (None, Some(run)) => run.input()?,
        (None, None) => bail!("give --run RUN (a scored run) or --data FILE"),
    };
    let weight = args
        .weight
        .clone()
        .or_else(|| {
            run.as_ref()
                .and_then(|r| r.manifest["read"]["weight"].as_str().map(String::from))
        })
        .context("no full-sample weight column: pass --weight")?;
    let names = column_names(&data_path)?;
    let replicate_columns = numbered(&names, &args.replicates, "");
    if replicate_columns.is_empty() {
        bail!(
            "{} has no replicate weight columns {}1, {}2, …",
            data_path.display(),
            args.replicates,
            args.replicates
        );
    }
    let pv_columns = args
        .pv_prefix
        .as_deref()
        .map(|p| numbered(&names, p, &args.pv_suffix))
        .unwrap_or_default();
    let mut wanted = vec![weight.clone()];
    wanted.extend(replicate_columns.iter().cloned());
    wanted.extend(pv_columns.iter().cloned());
    wanted.extend(args.by.iter().cloned());
    wanted.extend(args.variable.iter().cloned());
    wanted.extend(args.school.iter().cloned());
    wanted.extend(args.ses.iter().cloned());
    // A column may serve twice (grouping by school and the school ids).
    wanted.sort_unstable();
    wanted.dedup();
    bar.set_message(format!("reading {} columns of {}", wanted.len(), data_path.display()));
    let table = read_table(&data_path, &wanted).with_context(|| format!("reading {}", data_path.display()))?;
    let n = table.rows();

    let full = table.numbers(&weight)?;
    let replicate_values: Vec<Vec<f64>> = replicate_columns
        .iter()
        .map(|c| table.numbers(c))
        .collect::<Result<_, _>>()?;
    let replicate_named: Vec<WeightColumn> = replicate_columns
        .iter()
        .zip(&replicate_values)
        .map(|(name, values)| WeightColumn { name, values })
        .collect();
    let mut weights = ReplicateWeights::import(
        method(&args.method)?,
        WeightColumn {
            name: &weight,
            values: &full,
        },
        &replicate_named,
    )?;
    if let Some(df) = args.df {
        weights.df = df;
    }

    let pvs: Vec<Vec<f64>> = if let Some(column) = &args.variable {
        vec![table.numbers(column)?]
    } else if !pv_columns.is_empty() {
        pv_columns.iter().map(|c| table.numbers(c)).collect::<Result<_, _>>()?
    } else if let Some(run) = &args.run {
        persons_pvs(&run.join("persons.csv"), n)?
    } else {
        bail!("no analysis variable: give --pv-prefix, --variable, or a scored --run");
    };
    let variable = if args.variable.is_some() {
        Variable::Observed(&pvs[0])
    } else {
        Variable::Plausible(&pvs)
    };
    let school_codes = args.school.as_deref().map(|s| codes(&table, s)).transpose()?;
    let options = estimate::Options {
        confidence: args.confidence,
        min_students: args.min_students,
        min_schools: args.min_schools,
    };
    let sample = estimate::Sample::new(&weights, school_codes.as_ref().map(|(c, _)| c.as_slice()), options)?;

    let mut statistics = vec![Statistic::Mean, Statistic::Sd];
    statistics.extend(args.percentiles.iter().map(|&p| Statistic::Percentile(p)));
    if !args.levels.is_empty() {
        let levels = Levels::new(args.levels.clone())?;
        statistics.extend(levels.in_level());
        statistics.extend(levels.at_or_above());
    }
    let ses = args.ses.as_deref().map(|c| table.numbers(c)).transpose()?;
    let mut groupings = vec![("all".to_string(), Grouping::everyone("all", n))];
    for column in &args.by {
        let labels = table.column(column).with_context(|| format!("no column {column}"))?;
        groupings.push((column.clone(), Grouping::from_labels(labels)));
    }
    let mut results = Vec::new();
    for (by, grouping) in &groupings {
        bar.set_message(format!("statistics by {by}"));
        let mut entry = json!({ "by": by, "table": sample.table(variable, grouping, &statistics)? });
        if by != "all" {
            entry["compared_with_all"] =
                json!(sample.compare_with(variable, grouping, &[Statistic::Mean], Subset::All)?);
        }
        if let Some(ses) = &ses {
            entry["ses_gradient"] = json!(sample.gradient(variable, Variable::Observed(ses), grouping)?);
        }
        if school_codes.is_some() {
            entry["two_level"] = json!(sample.two_level(variable, grouping)?);
        }
        results.push(entry);
    }
    bar.finish_and_clear();
    let output = json!({
        "data": { "path": data_path.display().to_string(), "sha256": calibration::run::file_sha256(&data_path)?, "students": n },
        "analysis": args.variable.clone().map_or_else(|| format!("{} plausible values", pvs.len()), |v| format!("observed {v}")),
        "weights": { "full": weight, "replicates": replicate_columns.len(), "method": weights.method, "factor": weights.factor(), "df": weights.df },
        "options": options,
        "results": results,
        "seconds": started.elapsed().as_secs_f64(),
    });
    let out = match (&args.out, &args.run) {
        (Some(path), _) => path.clone(),
        (None, Some(run)) => run.join("estimates.json"),
        (None, None) => bail!("without --run, say where the results go with --out FILE"),
    };
    let text = serde_json::to_vec_pretty(&output)?;
    let partial = out.with_extension("json.partial");
    std::fs::write(&partial, text).with_context(|| format!("writing {}", partial.display()))?;
    std::fs::rename(&partial, &out).with_context(|| format!("writing {}", out.display()))?;
    print_summary(&results);
    println!("wrote {} ({:.2} s)", out.display(), started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

/// The plausible values of a scored run's persons.csv (columns pv1, pv2, …).
fn persons_pvs(path: &std::path::Path, rows: usize) -> anyhow::Result<Vec<Vec<f64>>> {
    let names = column_names(path).with_context(|| format!("{}: run assess score first", path.display()))?;
    let columns = numbered(&names, "pv", "");
    if columns.is_empty() {
        bail!("{} has no plausible values: score with --pv 1 or more", path.display());
    }
    let table = read_table(path, &columns)?;
    if table.rows() != rows {
        bail!(
            "{} has {} persons but the data file {rows} rows",
            path.display(),
            table.rows()
        );
    }
    columns.iter().map(|c| Ok(table.numbers(c)?)).collect()
}

/// Dense codes of a text column (schools): missing becomes its own code.
fn codes(table: &Table, column: &str) -> anyhow::Result<(Vec<u32>, usize)> {
    let values = table.column(column).with_context(|| format!("no column {column}"))?;
    let mut index = std::collections::HashMap::new();
    let codes = values
        .iter()
        .map(|v| {
            let next = index.len() as u32;
            *index.entry(v.clone()).or_insert(next)
        })
        .collect();
    Ok((codes, index.len()))
}

/// Means with SEs per group, one line each.
fn print_summary(results: &[serde_json::Value]) {
    for result in results {
        println!("by {}:", result["by"].as_str().unwrap_or(""));
        for row in result["table"]["rows"].as_array().into_iter().flatten() {
            let mean = &row["value"][0];
            let text = if row["suppressed"].as_bool().unwrap_or(false) {
                "suppressed (too few students or schools)".to_string()
            } else {
                format!(
                    "mean {:.3} (SE {:.3}), SD {:.3}",
                    mean["estimate"].as_f64().unwrap_or(f64::NAN),
                    mean["se"].as_f64().unwrap_or(f64::NAN),
                    row["value"][1]["estimate"].as_f64().unwrap_or(f64::NAN)
                )
            };
            println!(
                "  {:<20} n = {:>7}  {text}",
                row["group"].as_str().unwrap_or(""),
                row["counts"]["students"]
            );
        }
    }
}
