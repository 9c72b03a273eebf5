//! The run directory (DESIGN.md §4): the hand-off between `assess calibrate`,
//! `score`, `estimate` and `report`. Files are written whole (to a temporary name,
//! then renamed), so a killed run never leaves a half-written file behind.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::em::{Fit, GroupParams};
use crate::model::{IrtParams, ItemParams, Model};

/// A run directory being written.
#[derive(Debug, Clone)]
pub struct RunDir {
    path: PathBuf,
}

impl RunDir {
    /// Creates the directory; an existing run is only replaced when `replace` is set,
    /// so an earlier calibration is never overwritten by accident.
    pub fn create(path: &Path, replace: bool) -> std::io::Result<RunDir> {
        if path.join("manifest.json").exists() && !replace {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!(
                    "{} already holds a run (manifest.json); choose another --out or pass --replace",
                    path.display()
                ),
            ));
        }
        std::fs::create_dir_all(path)?;
        Ok(RunDir {
            path: path.to_path_buf(),
        })
    }

    /// An existing run, to add results to (`assess score`, `estimate`); it must hold a
    /// manifest.
    pub fn open(path: &Path) -> std::io::Result<RunDir> {
        if !path.join("manifest.json").is_file() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!(
                    "{} is not a run directory (no manifest.json); create one with assess calibrate",
                    path.display()
                ),
            ));
        }
        Ok(RunDir {
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `bytes` to `name` atomically.
    pub fn write(&self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        let target = self.path.join(name);
        let temp = self.path.join(format!(".{name}.partial"));
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, &target)
    }

    /// Writes a value as pretty JSON.
    pub fn write_json<T: Serialize>(&self, name: &str, value: &T) -> std::io::Result<()> {
        let text = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
        self.write(name, &text)
    }
}

/// SHA-256 of a file, hex-encoded, for the manifest's record of its inputs.
pub fn file_sha256(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// One item's estimates as written to `items.json`: slope–intercept and IRT form,
/// each with standard errors where estimated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemReport {
    pub item: String,
    pub model: Model,
    pub categories: u8,
    /// Slope–intercept values by mirt's names (a1, d, d1…, logit(g)).
    pub slope_intercept: BTreeMap<String, f64>,
    pub slope_intercept_se: BTreeMap<String, Option<f64>>,
    /// Whether each value was estimated (false: fixed, e.g. an anchor).
    pub free: BTreeMap<String, bool>,
    pub irt: IrtParams,
    pub irt_se: Option<IrtParams>,
    /// The parameters exactly as the engine holds them, to reload as anchors.
    pub params: ItemParams,
}

/// The reports of every item of a fit.
pub fn item_reports(names: &[String], fit: &Fit) -> Vec<ItemReport> {
    fit.items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let value_names = item.value_names();
            let se = fit
                .standard_errors
                .as_ref()
                .map(|s| (&s.items[i], &s.item_covariances[i]));
            ItemReport {
                item: names[i].clone(),
                model: item.model,
                categories: item.categories,
                slope_intercept: value_names.iter().cloned().zip(item.values.iter().copied()).collect(),
                slope_intercept_se: value_names
                    .iter()
                    .enumerate()
                    .map(|(k, n)| (n.clone(), se.and_then(|(s, _)| s[k])))
                    .collect(),
                free: value_names.iter().cloned().zip(item.free.iter().copied()).collect(),
                irt: item.irt(),
                irt_se: se.map(|(_, cov)| item.irt_se(cov)),
                params: item.clone(),
            }
        })
        .collect()
}

/// `items.csv`: one row per item, every value and SE in columns (empty when absent).
pub fn items_csv(reports: &[ItemReport]) -> String {
    let width = reports.iter().map(|r| r.params.values.len()).max().unwrap_or(2);
    let mut header = vec!["item".to_string(), "model".into(), "categories".into(), "a1".into()];
    header.extend((1..width).map(|k| format!("d{k}")));
    header.push("logit_g".into());
    header.push("se_a1".into());
    header.extend((1..width).map(|k| format!("se_d{k}")));
    header.push("se_logit_g".into());
    header.push("irt_a".into());
    header.extend((1..width).map(|k| format!("irt_b{k}")));
    header.push("irt_g".into());
    let mut out = header.join(",") + "\n";
    let cell = |v: Option<f64>| v.map_or(String::new(), |x| format!("{x}"));
    for r in reports {
        let p = &r.params;
        let is_3pl = p.model == Model::ThreePl;
        let intercepts = if is_3pl { &p.values[1..2] } else { &p.values[1..] };
        let names = p.value_names();
        let se_of = |name: &str| r.slope_intercept_se.get(name).copied().flatten();
        let mut row = vec![
            r.item.clone(),
            p.model.name().to_string(),
            p.categories.to_string(),
            format!("{}", p.values[0]),
        ];
        row.extend((0..width - 1).map(|k| cell(intercepts.get(k).copied())));
        row.push(cell(is_3pl.then(|| p.values[2])));
        row.push(cell(se_of("a1")));
        let intercept_names: Vec<&String> = names.iter().filter(|n| n.starts_with('d')).collect();
        row.extend((0..width - 1).map(|k| cell(intercept_names.get(k).and_then(|n| se_of(n)))));
        row.push(cell(se_of("logit(g)")));
        row.push(format!("{}", r.irt.a));
        row.extend((0..width - 1).map(|k| cell(r.irt.b.get(k).copied())));
        row.push(cell(r.irt.g));
        out += &(row.join(",") + "\n");
    }
    out
}

/// `groups.json`: each group's latent mean and variance with standard errors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupReport {
    pub group: String,
    pub mean: f64,
    pub variance: f64,
    pub mean_se: Option<f64>,
    pub variance_se: Option<f64>,
    pub free_mean: bool,
    pub free_variance: bool,
}

/// The reports of every group of a fit.
pub fn group_reports(fit: &Fit) -> Vec<GroupReport> {
    fit.groups
        .iter()
        .enumerate()
        .map(|(g, p): (usize, &GroupParams)| GroupReport {
            group: p.name.clone(),
            mean: p.mean,
            variance: p.variance,
            mean_se: fit.standard_errors.as_ref().and_then(|s| s.group_means[g]),
            variance_se: fit.standard_errors.as_ref().and_then(|s| s.group_variances[g]),
            free_mean: p.free_mean,
            free_variance: p.free_variance,
        })
        .collect()
}
