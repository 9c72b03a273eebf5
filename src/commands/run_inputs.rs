//! What `score` and `estimate` read from a run directory written by `calibrate`: the
//! item parameters, the groups' latent distributions, and how the responses were read.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use calibration::data::codes::MissingPolicy;
use calibration::data::read::{Columns, ReadData, ReadOptions, read_csv, read_parquet};
use calibration::model::ItemParams;
use calibration::run::RunDir;
use serde_json::Value;

/// A calibrated run.
pub struct CalibratedRun {
    pub dir: RunDir,
    pub manifest: Value,
    pub item_names: Vec<String>,
    pub items: Vec<ItemParams>,
    /// Each group's name, mean and variance (group 0 is the reference group).
    pub groups: Vec<(String, f64, f64)>,
}

fn read_json(path: &Path) -> anyhow::Result<Value> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", path.display()))
}

impl CalibratedRun {
    pub fn open(path: &Path) -> anyhow::Result<CalibratedRun> {
        let dir = RunDir::open(path)?;
        let manifest = read_json(&path.join("manifest.json"))?;
        let items_json = read_json(&path.join("items.json"))?;
        let Some(entries) = items_json.as_array() else {
            bail!("{}: expected a list of items", path.join("items.json").display());
        };
        let mut item_names = Vec::new();
        let mut items = Vec::new();
        for entry in entries {
            let name = entry["item"].as_str().unwrap_or_default().to_string();
            let params: ItemParams = serde_json::from_value(entry["params"].clone())
                .with_context(|| format!("items.json: item {name:?} has no readable parameters"))?;
            item_names.push(name);
            items.push(params);
        }
        let groups_json = read_json(&path.join("groups.json"))?;
        let groups = groups_json
            .as_array()
            .map(|g| {
                g.iter()
                    .map(|g| {
                        let name = g["group"].as_str().unwrap_or_default().to_string();
                        (
                            name,
                            g["mean"].as_f64().unwrap_or(0.0),
                            g["variance"].as_f64().unwrap_or(1.0),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(CalibratedRun {
            dir,
            manifest,
            item_names,
            items,
            groups,
        })
    }

    /// The response file the run was calibrated on.
    pub fn input(&self) -> anyhow::Result<PathBuf> {
        match self.manifest["inputs"][0]["path"].as_str() {
            Some(p) => Ok(PathBuf::from(p)),
            None => bail!("the run's manifest names no input file; pass the data file explicitly"),
        }
    }

    /// How the run read its responses (columns, raw codes).
    pub fn read_options(&self) -> ReadOptions {
        let read = &self.manifest["read"];
        let text = |key: &str| read[key].as_str().map(String::from);
        ReadOptions {
            items: Some(self.item_names.clone()),
            columns: Columns {
                id: text("id"),
                group: text("group"),
                weight: text("weight"),
                booklet: text("booklet"),
            },
            reference_group: text("reference_group"),
            raw_codes: read["raw_codes"].as_bool().unwrap_or(false),
            ..ReadOptions::default()
        }
    }

    /// The missing-code policy the run scaled with.
    pub fn policy(&self) -> MissingPolicy {
        serde_json::from_value(self.manifest["missing_policy"].clone()).unwrap_or_default()
    }

    /// Reads responses as the run did, with its missing-code policy applied.
    pub fn read_responses(&self, path: &Path) -> anyhow::Result<ReadData> {
        let mut data = read_responses(path, &self.read_options())?;
        data.matrix = data.matrix.scaled(self.policy());
        Ok(data)
    }

    /// Adds `value` under `key` to the run's manifest (written whole, atomically).
    pub fn record(&mut self, key: &str, value: Value) -> anyhow::Result<()> {
        self.manifest[key] = value;
        self.dir.write_json("manifest.json", &self.manifest)?;
        Ok(())
    }
}

/// Reads a response file: Parquet by its extension, CSV (maybe gzip) otherwise.
pub fn read_responses(path: &Path, options: &ReadOptions) -> anyhow::Result<ReadData> {
    let is_parquet = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
    let read = if is_parquet { read_parquet } else { read_csv };
    read(path, options).with_context(|| format!("reading {}", path.display()))
}
