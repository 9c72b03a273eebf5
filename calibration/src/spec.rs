//! A calibration spec: which model each item gets, priors, and anchor items fixed
//! at earlier estimates — mirt's `itemtype` vector and `PRIOR` syntax as a file.
//!
//! ```toml
//! model = "2pl"                 # every item not listed below
//! [items]
//! Q01 = "3pl"
//! Q07 = "graded"
//! [prior.g]                     # Beta(α, β) on 3PL asymptotes (mirt: PRIOR = (…, g, expbeta, α, β))
//! alpha = 5
//! beta = 17
//! [anchors]
//! run = "../round-2024"         # fix items at the estimates in that run's items.json
//! items = ["Q01", "Q02"]        # optional: only these
//! [groups]
//! free = ["Q05"]                # estimated separately in every group (all others equal)
//! [[constrain]]                 # equal values (mirt's CONSTRAIN = (1-3, a1))
//! items = ["Q01", "Q02", "Q03"]
//! parameter = "a1"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::data::ResponseMatrix;
use crate::em::Constraint;
use crate::model::{BetaPrior, ItemParams, Model};

/// The spec file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub model: Option<String>,
    #[serde(default)]
    pub items: BTreeMap<String, String>,
    #[serde(default)]
    pub prior: Priors,
    pub anchors: Option<Anchors>,
    #[serde(default)]
    pub groups: GroupSpec,
    #[serde(default)]
    pub constrain: Vec<ConstrainSpec>,
}

/// One equality constraint: the named parameter is equal across the items.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConstrainSpec {
    pub items: Vec<String>,
    /// mirt's name of the value: `a1`, `d`, `d2`, `logit(g)` …
    pub parameter: String,
}

/// Items whose parameters differ between groups (non-invariant items).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    #[serde(default)]
    pub free: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Priors {
    pub g: Option<GuessPrior>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuessPrior {
    pub alpha: f64,
    pub beta: f64,
    /// Items it applies to; all 3PL items when absent.
    pub items: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Anchors {
    /// A run directory whose `items.json` holds the anchor estimates.
    pub run: PathBuf,
    pub items: Option<Vec<String>>,
}

/// What is wrong with a spec, naming the item or key.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SpecError {
    #[error("unknown model `{0}` (use Rasch, 2PL, 3PL, graded, gpcm or pcm)")]
    UnknownModel(String),
    #[error("the spec names item `{0}`, which is not in the data")]
    UnknownItem(String),
    #[error("prior on g: alpha and beta must be ≥ 1 (got {0}, {1})")]
    BadPrior(f64, f64),
    #[error("anchor item `{item}`: {message}")]
    Anchor { item: String, message: String },
    #[error("constraint on `{parameter}`: {message}")]
    Constraint { parameter: String, message: String },
    #[error("cannot read anchors from {path}: {message}")]
    AnchorFile { path: String, message: String },
}

#[derive(Deserialize)]
struct AnchorRecord {
    item: String,
    params: ItemParams,
}

impl Spec {
    /// Reads a spec file.
    pub fn read(path: &Path) -> Result<Spec, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), e.message()))
    }

    /// The matrix as the spec calibrates it: each item in `[groups] free` replaced by
    /// one column per group (`ITEM@GROUP`), so its parameters are estimated per group.
    pub fn prepare(&self, matrix: &ResponseMatrix) -> Result<ResponseMatrix, SpecError> {
        let mut prepared = matrix.clone();
        for name in &self.groups.free {
            let at = prepared
                .items()
                .iter()
                .position(|n| n == name)
                .ok_or_else(|| SpecError::UnknownItem(name.clone()))?;
            prepared = prepared.split_by_group(at);
        }
        Ok(prepared)
    }

    /// Builds each item's starting parameters for data with these item names and
    /// category counts; `base_dir` resolves a relative anchor run.
    pub fn build(&self, names: &[String], categories: &[u8], base_dir: &Path) -> Result<Vec<ItemParams>, SpecError> {
        let parse = |m: &str| Model::parse(m).ok_or_else(|| SpecError::UnknownModel(m.to_string()));
        let default = parse(self.model.as_deref().unwrap_or("2pl"))?;
        // A column split by group (`ITEM@GROUP`) takes the settings of its item.
        let base = |name: &'_ str| name.split_once('@').map_or(name, |(item, _)| item).to_string();
        let bases: Vec<String> = names.iter().map(|n| base(n)).collect();
        if let Some(unknown) = self.items.keys().find(|k| !bases.contains(k)) {
            return Err(SpecError::UnknownItem(unknown.clone()));
        }
        let mut items = Vec::with_capacity(names.len());
        for (name, &k) in bases.iter().zip(categories) {
            let model = match self.items.get(name) {
                Some(m) => parse(m)?,
                None => default,
            };
            items.push(ItemParams::new(model.for_categories(k), k));
        }
        if let Some(prior) = &self.prior.g {
            if prior.alpha < 1.0 || prior.beta < 1.0 {
                return Err(SpecError::BadPrior(prior.alpha, prior.beta));
            }
            for (name, item) in bases.iter().zip(items.iter_mut()) {
                let listed = prior.items.as_ref().is_none_or(|l| l.contains(name));
                if item.model == Model::ThreePl && listed {
                    item.guess_prior = Some(BetaPrior {
                        alpha: prior.alpha,
                        beta: prior.beta,
                    });
                }
            }
        }
        if let Some(anchors) = &self.anchors {
            self.apply_anchors(anchors, names, &mut items, base_dir)?;
        }
        Ok(items)
    }

    /// The equality constraints over the built items (columns split by group are
    /// constrained separately, as their own items).
    pub fn constraints(&self, names: &[String], items: &[ItemParams]) -> Result<Vec<Constraint>, SpecError> {
        self.constrain
            .iter()
            .map(|c| {
                let error = |message: String| SpecError::Constraint {
                    parameter: c.parameter.clone(),
                    message,
                };
                let members = c
                    .items
                    .iter()
                    .map(|name| {
                        let i = names
                            .iter()
                            .position(|n| n == name)
                            .ok_or_else(|| error(format!("no item `{name}`")))?;
                        let k = items[i]
                            .value_names()
                            .iter()
                            .position(|p| *p == c.parameter)
                            .ok_or_else(|| {
                                error(format!(
                                    "item `{name}` ({}) has no such parameter",
                                    items[i].model.name()
                                ))
                            })?;
                        Ok((i, k))
                    })
                    .collect::<Result<Vec<_>, SpecError>>()?;
                Ok(Constraint { members })
            })
            .collect()
    }

    fn apply_anchors(
        &self,
        anchors: &Anchors,
        names: &[String],
        items: &mut [ItemParams],
        base_dir: &Path,
    ) -> Result<(), SpecError> {
        let path = base_dir.join(&anchors.run).join("items.json");
        let file_error = |message: String| SpecError::AnchorFile {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(&path).map_err(|e| file_error(e.to_string()))?;
        let records: Vec<AnchorRecord> = serde_json::from_str(&text).map_err(|e| file_error(e.to_string()))?;
        let wanted: Vec<&String> = match &anchors.items {
            Some(list) => list.iter().collect(),
            None => records.iter().map(|r| &r.item).filter(|n| names.contains(n)).collect(),
        };
        for name in wanted {
            let anchor = |message: &str| SpecError::Anchor {
                item: name.clone(),
                message: message.into(),
            };
            let at = names
                .iter()
                .position(|n| n == name)
                .ok_or_else(|| anchor("is not in the data"))?;
            let record = records
                .iter()
                .find(|r| &r.item == name)
                .ok_or_else(|| anchor("is not in the anchor run"))?;
            if record.params.categories != items[at].categories {
                return Err(anchor(&format!(
                    "has {} categories in the anchor run but {} in the data",
                    record.params.categories, items[at].categories
                )));
            }
            let mut fixed = record.params.clone();
            fixed.fix_all();
            items[at] = fixed;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        ["Q1", "Q2", "Q3"].iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn models_priors_and_errors() {
        let spec: Spec =
            toml::from_str("model = \"Rasch\"\n[items]\nQ2 = \"3PL\"\n[prior.g]\nalpha = 5\nbeta = 17\n").unwrap();
        let items = spec.build(&names(), &[2, 2, 4], Path::new(".")).unwrap();
        assert_eq!(items[0].model, Model::Rasch);
        assert_eq!(items[1].model, Model::ThreePl);
        assert_eq!(items[1].guess_prior, Some(BetaPrior { alpha: 5.0, beta: 17.0 }));
        assert_eq!(items[2].model, Model::Pcm, "Rasch on a polytomous item is the PCM");
        let bad: Spec = toml::from_str("[items]\nQ9 = \"2pl\"\n").unwrap();
        assert_eq!(
            bad.build(&names(), &[2, 2, 2], Path::new(".")),
            Err(SpecError::UnknownItem("Q9".into()))
        );
        let bad: Spec = toml::from_str("model = \"nominal\"\n").unwrap();
        assert!(matches!(
            bad.build(&names(), &[2, 2, 2], Path::new(".")),
            Err(SpecError::UnknownModel(_))
        ));
        assert!(toml::from_str::<Spec>("modle = \"2pl\"\n").is_err());
    }

    #[test]
    fn items_free_across_groups_are_split() {
        let m = ResponseMatrix::new(names(), vec![], vec![0, 1, 1, 1, 0, 1])
            .unwrap()
            .with_groups(vec![0, 1], vec!["a".into(), "b".into()])
            .unwrap();
        let spec: Spec = toml::from_str("[items]\nQ2 = \"Rasch\"\n[groups]\nfree = [\"Q2\"]\n").unwrap();
        let prepared = spec.prepare(&m).unwrap();
        assert_eq!(prepared.items(), ["Q1", "Q3", "Q2@a", "Q2@b"]);
        let items = spec
            .build(prepared.items(), &prepared.categories(), Path::new("."))
            .unwrap();
        assert_eq!(
            items.iter().map(|i| i.model).collect::<Vec<_>>(),
            [Model::TwoPl, Model::TwoPl, Model::Rasch, Model::Rasch]
        );
        let tied: Spec = toml::from_str("[[constrain]]\nitems = [\"Q1\", \"Q3\"]\nparameter = \"a1\"\n").unwrap();
        let items = tied
            .build(prepared.items(), &prepared.categories(), Path::new("."))
            .unwrap();
        assert_eq!(
            tied.constraints(prepared.items(), &items).unwrap(),
            vec![Constraint {
                members: vec![(0, 0), (1, 0)]
            }]
        );
        let wrong: Spec = toml::from_str("[[constrain]]\nitems = [\"Q1\"]\nparameter = \"d7\"\n").unwrap();
        assert!(wrong.constraints(prepared.items(), &items).is_err());
        let bad: Spec = toml::from_str("[groups]\nfree = [\"Q9\"]\n").unwrap();
        assert_eq!(bad.prepare(&m), Err(SpecError::UnknownItem("Q9".into())));
    }

    #[test]
    fn anchors_are_fixed_from_a_run() {
        let dir = tempfile::tempdir().unwrap();
        let mut anchor = ItemParams::new(Model::TwoPl, 2);
        anchor.values = vec![1.3, -0.2];
        let json = serde_json::json!([{ "item": "Q1", "params": anchor }]);
        std::fs::write(dir.path().join("items.json"), json.to_string()).unwrap();
        let spec = Spec {
            anchors: Some(Anchors {
                run: dir.path().to_path_buf(),
                items: None,
            }),
            ..Spec::default()
        };
        let items = spec.build(&names(), &[2, 2, 2], Path::new("/")).unwrap();
        assert_eq!(items[0].values, vec![1.3, -0.2]);
        assert_eq!(items[0].n_free(), 0);
        assert_eq!(items[1].n_free(), 2);
        let wrong = spec.build(&names(), &[3, 2, 2], Path::new("/")).unwrap_err();
        assert!(wrong.to_string().contains("categories"), "{wrong}");
    }
}
