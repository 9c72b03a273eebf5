//! Linking a new round's scale to the base scale through common (anchor) items calibrated
//! separately in both rounds (Kolen & Brennan, 2014, ch. 6; Kim & Lee, 2006, for mixed formats).
//!
//! Each round's calibration fixes its own reference group at N(0, 1), so the two scales differ
//! by a linear map θ_base = A·θ_new + B ([`Transform`]). [`link`] estimates A and B by
//!
//! - **mean–mean**: A = mean(a_new) / mean(a_base), B = mean(b_base) − A·mean(b_new);
//! - **mean–sigma**: A = SD(b_base) / SD(b_new), B as above;
//! - **Haebara**: least squares between the base items' category probability curves and the
//!   new items' curves put on the base scale, summed over items and categories;
//! - **Stocking–Lord**: least squares between the two test characteristic curves (expected
//!   scores over the common items, categories scored 0 … K−1).
//!
//! **Polytomous items in the moment methods.** a and b are the IRT form of
//! [`ItemParams::irt`]: every threshold counts as one b (graded: category boundaries
//! b_k = −d_k/a; GPCM/PCM: step difficulties b_k = −(d_k − d_{k−1})/a) and every item's slope
//! counts once. This is the convention of Kim & Lee (2006) and Kolen & Brennan (2014, §6.6):
//! each threshold transforms exactly like a dichotomous b (b* = A·b + B), so it carries the
//! same information about the map; an item with more thresholds weighs more in the b moments.
//! The 3PL asymptote carries none and is ignored there (the curve methods use it).
//!
//! **Curve methods.** The criterion is integrated over a weight distribution on θ: by default
//! the base group's N(0, 1) on 61 nodes on [−6, 6] (the calibration's grid), new items
//! evaluated at θ_new = (θ − B)/A. [`LinkOptions::symmetric`] adds Haebara's (1980) second
//! half, the base items put on the new scale and matched over the new group's distribution.
//! Haebara sums over all categories (also category 0 of a dichotomous item, which doubles its
//! squared difference but keeps dichotomous and polytomous items on one footing, as in Kim &
//! Lee). The criteria are minimised by Newton's method on (A, B), analytic gradient, Hessian
//! by differences of the gradient, Levenberg damping when a step does not descend; started
//! from mean–mean.
//!
//! **Two errors per method**, both of A and B (and so of B, the new round's mean on the base
//! scale, which trend comparisons use; [`LinkSe::at`] gives the SE of A·θ + B):
//!
//! - [`MethodLink::estimation_se`]: how much A and B move with the *estimation error of the
//!   anchor parameters* — the delta method with the covariance blocks of
//!   [`StandardErrors::item_covariances`](crate::em::StandardErrors::item_covariances): the
//!   Jacobian of (A, B) with respect to every free parameter by central differences of the
//!   whole estimator (re-linking, Newton warm-started at the solution); rounds independent,
//!   items within a round independent (blocks are what calibration reports). The delta method
//!   rather than a parametric bootstrap because it is deterministic and cheap, and a bootstrap
//!   from the same blocks would estimate the same thing.
//!
//!   What the blocks leave out: the part of each round's estimation error that moves all its
//!   items together, because the calibration sample's realised ability mean and SD define its
//!   scale (only about 1/n of it enters through the blocks). That part is the person-sampling
//!   error of the round's mean and SD, which a trend's standard error already counts in each
//!   round's sampling error. So `estimation_se` is the link's error *beyond* the rounds' own
//!   sampling errors; the simulation test checks SD(B̂)² ≈ estimation_se² + (1 + A²)/N.
//! - [`MethodLink::item_sampling_se`]: the *linking error* of PISA and sirt, from the choice of
//!   anchor items (item-by-round interaction, i.e. drift, treating anchors as sampled): a
//!   jackknife over anchors, dropping one at a time and re-linking,
//!   Var = (n−1)/n Σ (B₍ᵢ₎ − B̄)². For mean–mean with Rasch items this is exactly
//!   SD(b_base − b_new)/√n, PISA's classic formula. Anchors' estimation noise looks like drift
//!   to it, so it contains most of `estimation_se` (without drift the two are about equal): add
//!   one or the other to the rounds' sampling errors, not both. It needs at least three anchors.
//!
//! **Drift.** [`DriftRule`] removes anchors whose difficulty moved: link with the screening
//! method, take each item's displacement Δ = location_base − (A·location_new + B) (location =
//! mean threshold), drop the one item farthest from the mean displacement if it is more than
//! `threshold` SDs of the displacements away, re-link, repeat. Dropped items are reported in
//! order; all methods then use the same remaining anchors.

mod curves;
mod drift;
mod moments;
mod newton;
mod transform;
mod uncertainty;

pub use transform::Transform;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::{ItemParams, Model};
use crate::quadrature::Grid;

/// Which calibration an anchor's parameters come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Round {
    Base,
    New,
}

impl fmt::Display for Round {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Round::Base => "base",
            Round::New => "new",
        })
    }
}

/// The linking methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    MeanMean,
    MeanSigma,
    Haebara,
    StockingLord,
}

impl Method {
    pub const ALL: [Method; 4] = [
        Method::MeanMean,
        Method::MeanSigma,
        Method::Haebara,
        Method::StockingLord,
    ];

    /// The name reports and errors print.
    pub fn name(self) -> &'static str {
        match self {
            Method::MeanMean => "mean-mean",
            Method::MeanSigma => "mean-sigma",
            Method::Haebara => "Haebara",
            Method::StockingLord => "Stocking-Lord",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A common item: its parameters from each round's calibration and, where known, their
/// covariance (row-major over `values`, as [`StandardErrors::item_covariances`] gives it; `None`
/// treats that round's parameters as known, e.g. base parameters taken from the item bank).
///
/// [`StandardErrors::item_covariances`]: crate::em::StandardErrors::item_covariances
#[derive(Debug, Clone, PartialEq)]
pub struct Anchor {
    pub name: String,
    pub base: ItemParams,
    pub new: ItemParams,
    pub base_covariance: Option<Vec<f64>>,
    pub new_covariance: Option<Vec<f64>>,
}

/// One round's calibrated items, in the order of its response matrix.
#[derive(Debug, Clone, Copy)]
pub struct RoundItems<'a> {
    pub names: &'a [String],
    pub items: &'a [ItemParams],
    /// Per-item covariance blocks, if standard errors were computed.
    pub covariances: Option<&'a [Vec<f64>]>,
}

/// The items of `new` that `base` also has (by name), in the base round's order.
pub fn common_items(base: RoundItems<'_>, new: RoundItems<'_>) -> Result<Vec<Anchor>, LinkError> {
    for (round, items) in [(Round::Base, &base), (Round::New, &new)] {
        let shape = |message: String| LinkError::RoundShape { round, message };
        if items.items.len() != items.names.len() {
            return Err(shape(format!(
                "{} names for {} items",
                items.names.len(),
                items.items.len()
            )));
        }
        if let Some(c) = items.covariances
            && c.len() != items.items.len()
        {
            return Err(shape(format!(
                "{} covariance blocks for {} items",
                c.len(),
                items.items.len()
            )));
        }
        if let Some(name) = duplicate(items.names.iter().map(String::as_str)) {
            return Err(shape(format!("item {name} appears twice")));
        }
    }
    let covariance = |round: &RoundItems<'_>, i: usize| round.covariances.map(|c| c[i].clone());
    Ok(base
        .names
        .iter()
        .enumerate()
        .filter_map(|(i, name)| {
            let j = new.names.iter().position(|n| n == name)?;
            Some(Anchor {
                name: name.clone(),
                base: base.items[i].clone(),
                new: new.items[j].clone(),
                base_covariance: covariance(&base, i),
                new_covariance: covariance(&new, j),
            })
        })
        .collect())
}

fn duplicate<'a>(names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut seen = std::collections::HashSet::new();
    names.into_iter().find(|n| !seen.insert(*n))
}

/// Nodes on θ and weights over them (normalised to sum to 1 when used).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quadrature {
    pub nodes: Vec<f64>,
    pub weights: Vec<f64>,
}

impl Quadrature {
    /// N(mean, variance) on the grid's nodes, as the calibration's prior is.
    pub fn normal(grid: &Grid, mean: f64, variance: f64) -> Quadrature {
        Quadrature {
            nodes: grid.nodes.clone(),
            weights: grid
                .log_normal_weights(mean, variance)
                .iter()
                .map(|l| l.exp())
                .collect(),
        }
    }

    /// A checked copy with weights summing to 1; `which` names it in errors.
    fn normalised(&self, which: &'static str) -> Result<Quadrature, LinkError> {
        let bad = |message: &str| LinkError::Weights {
            which,
            message: message.to_string(),
        };
        if self.nodes.len() != self.weights.len() {
            return Err(bad(&format!(
                "{} nodes but {} weights",
                self.nodes.len(),
                self.weights.len()
            )));
        }
        if self.nodes.iter().any(|t| !t.is_finite()) {
            return Err(bad("nodes must be finite"));
        }
        if self.weights.iter().any(|w| !(w.is_finite() && *w >= 0.0)) {
            return Err(bad("weights must be finite and ≥ 0"));
        }
        if self.weights.iter().filter(|&&w| w > 0.0).count() < 2 {
            return Err(bad("at least two nodes need positive weight"));
        }
        let total: f64 = self.weights.iter().sum();
        Ok(Quadrature {
            nodes: self.nodes.clone(),
            weights: self.weights.iter().map(|w| w / total).collect(),
        })
    }
}

impl Default for Quadrature {
    /// The base group's N(0, 1) on the calibration's default grid (61 nodes on [−6, 6]).
    fn default() -> Self {
        Quadrature::normal(&Grid::mirt_default(), 0.0, 1.0)
    }
}

/// Removal of drifting anchors (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DriftRule {
    /// An item is dropped when its displacement is more than this many SDs of the
    /// displacements from their mean.
    pub threshold: f64,
    /// The method whose transformation defines the displacements.
    pub screening: Method,
}

impl Default for DriftRule {
    fn default() -> Self {
        DriftRule {
            threshold: 2.0,
            screening: Method::MeanSigma,
        }
    }
}

/// Options of [`link`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkOptions {
    pub methods: Vec<Method>,
    /// Weights over the base scale for the curve methods.
    pub weights: Quadrature,
    /// The symmetric criterion: also match the curves on the new scale, with these weights
    /// over θ_new (usually the new group's N(0, 1), [`Quadrature::default`]).
    pub symmetric: Option<Quadrature>,
    pub drift: Option<DriftRule>,
}

impl Default for LinkOptions {
    fn default() -> Self {
        LinkOptions {
            methods: Method::ALL.to_vec(),
            weights: Quadrature::default(),
            symmetric: None,
            drift: None,
        }
    }
}

/// Standard errors of A and B and their covariance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LinkSe {
    pub a: f64,
    pub b: f64,
    pub covariance: f64,
}

impl LinkSe {
    /// The standard error of A·θ + B, e.g. of the new round's group mean θ on the base scale.
    pub fn at(&self, theta: f64) -> f64 {
        (self.a * self.a * theta * theta + 2.0 * theta * self.covariance + self.b * self.b)
            .max(0.0)
            .sqrt()
    }
}

/// One method's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodLink {
    pub method: Method,
    pub transform: Transform,
    /// The minimised criterion (curve methods).
    pub criterion: Option<f64>,
    /// Error from the anchors' estimation error (delta method); `None` when no anchor has a
    /// covariance.
    pub estimation_se: Option<LinkSe>,
    /// Linking error from the choice of anchors (jackknife over items); `None` with fewer
    /// than three anchors.
    pub item_sampling_se: Option<LinkSe>,
}

/// An anchor removed by the drift rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DroppedItem {
    pub name: String,
    /// Its displacement on the base scale, location_base − (A·location_new + B).
    pub displacement: f64,
    /// Its distance from the mean displacement, in SDs of the displacements.
    pub z: f64,
}

/// The result of [`link`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Linking {
    /// The anchors every method used.
    pub anchors: Vec<String>,
    /// Anchors removed for drift, in the order they were removed.
    pub dropped: Vec<DroppedItem>,
    pub methods: Vec<MethodLink>,
}

impl Linking {
    /// One method's result, if it was asked for.
    pub fn method(&self, method: Method) -> Option<&MethodLink> {
        self.methods.iter().find(|m| m.method == method)
    }
}

/// Why a link cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LinkError {
    #[error("{0} common items; linking needs at least 2 (mean–sigma needs a spread of difficulties)")]
    TooFewItems(usize),
    #[error("common item {0} appears twice")]
    DuplicateItem(String),
    #[error("common item {item}: model {base} in the base round but {new} in the new round")]
    ModelMismatch {
        item: String,
        base: &'static str,
        new: &'static str,
    },
    #[error("common item {item}: {base} categories in the base round but {new} in the new round")]
    CategoryMismatch { item: String, base: u8, new: u8 },
    #[error("common item {item}: slope {slope} in the {round} round; linking needs positive slopes")]
    NonPositiveSlope { item: String, round: Round, slope: f64 },
    #[error("common item {item}, {round} round: {message}")]
    Malformed {
        item: String,
        round: Round,
        message: String,
    },
    #[error("{round} round: {message}")]
    RoundShape { round: Round, message: String },
    #[error("{which} weights: {message}")]
    Weights { which: &'static str, message: String },
    #[error("drift threshold {0} must be positive")]
    DriftThreshold(f64),
    #[error("the {0} round's difficulties have no spread, so mean–sigma is undefined")]
    NoSpread(Round),
    #[error("{0}: the minimisation did not converge")]
    NoConvergence(Method),
    #[error("jackknife replicate without {item}: {source}")]
    Replicate { item: String, source: Box<LinkError> },
}

/// The anchors' parameters as the estimators see them: two parallel lists.
#[derive(Debug, Clone)]
struct Pairs {
    base: Vec<ItemParams>,
    new: Vec<ItemParams>,
}

impl Pairs {
    fn without(&self, drop: usize) -> Pairs {
        let keep = |items: &[ItemParams]| {
            items
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != drop)
                .map(|(_, item)| item.clone())
                .collect()
        };
        Pairs {
            base: keep(&self.base),
            new: keep(&self.new),
        }
    }
}

/// The validated weights of the curve methods.
struct Weights {
    base: Quadrature,
    symmetric: Option<Quadrature>,
}

/// A point estimate with its criterion value (curve methods).
#[derive(Debug, Clone, Copy)]
struct Estimate {
    transform: Transform,
    criterion: Option<f64>,
}

/// One method on one set of anchors; `start` warm-starts the curve methods.
fn estimate(method: Method, pairs: &Pairs, weights: &Weights, start: Option<Transform>) -> Result<Estimate, LinkError> {
    match method {
        Method::MeanMean => Ok(Estimate {
            transform: moments::mean_mean(pairs),
            criterion: None,
        }),
        Method::MeanSigma => Ok(Estimate {
            transform: moments::mean_sigma(pairs)?,
            criterion: None,
        }),
        Method::Haebara | Method::StockingLord => {
            let start = start.unwrap_or_else(|| moments::mean_mean(pairs));
            curves::minimise(method, pairs, weights, start)
        }
    }
}

/// Links the new round to the base scale with every method of `opts` (see the module
/// documentation for the formulas and the two errors).
pub fn link(anchors: &[Anchor], opts: &LinkOptions) -> Result<Linking, LinkError> {
    validate(anchors)?;
    let weights = Weights {
        base: opts.weights.normalised("base-scale")?,
        symmetric: opts.symmetric.as_ref().map(|q| q.normalised("new-scale")).transpose()?,
    };
    let mut used: Vec<&Anchor> = anchors.iter().collect();
    let mut dropped = Vec::new();
    if let Some(rule) = opts.drift {
        if !(rule.threshold > 0.0 && rule.threshold.is_finite()) {
            return Err(LinkError::DriftThreshold(rule.threshold));
        }
        dropped = drift::screen(&mut used, rule, &weights)?;
    }
    let pairs = Pairs {
        base: used.iter().map(|a| a.base.clone()).collect(),
        new: used.iter().map(|a| a.new.clone()).collect(),
    };
    let names: Vec<String> = used.iter().map(|a| a.name.clone()).collect();
    let methods = opts
        .methods
        .iter()
        .map(|&method| {
            let fit = estimate(method, &pairs, &weights, None)?;
            Ok(MethodLink {
                method,
                transform: fit.transform,
                criterion: fit.criterion,
                estimation_se: uncertainty::delta_method(method, &pairs, &used, &weights, fit.transform)?,
                item_sampling_se: uncertainty::jackknife(method, &pairs, &names, &weights, fit.transform)?,
            })
        })
        .collect::<Result<Vec<_>, LinkError>>()?;
    Ok(Linking {
        anchors: names,
        dropped,
        methods,
    })
}

/// Checks what every method relies on: enough anchors, the same model and categories in both
/// rounds, well-formed finite parameters with positive slopes, covariances of the right size.
fn validate(anchors: &[Anchor]) -> Result<(), LinkError> {
    if anchors.len() < 2 {
        return Err(LinkError::TooFewItems(anchors.len()));
    }
    if let Some(name) = duplicate(anchors.iter().map(|a| a.name.as_str())) {
        return Err(LinkError::DuplicateItem(name.to_string()));
    }
    for anchor in anchors {
        let item = || anchor.name.clone();
        if anchor.base.model != anchor.new.model {
            return Err(LinkError::ModelMismatch {
                item: item(),
                base: anchor.base.model.name(),
                new: anchor.new.model.name(),
            });
        }
        if anchor.base.categories != anchor.new.categories {
            return Err(LinkError::CategoryMismatch {
                item: item(),
                base: anchor.base.categories,
                new: anchor.new.categories,
            });
        }
        for (round, params, covariance) in [
            (Round::Base, &anchor.base, &anchor.base_covariance),
            (Round::New, &anchor.new, &anchor.new_covariance),
        ] {
            let malformed = |message: String| LinkError::Malformed {
                item: item(),
                round,
                message,
            };
            let k = usize::from(params.categories);
            let expected = match params.model {
                m if m.dichotomous() && k != 2 => {
                    return Err(malformed(format!("a {} item needs 2 categories, not {k}", m.name())));
                }
                Model::ThreePl => 3,
                m if m.dichotomous() => 2,
                _ if k < 2 => return Err(malformed(format!("{k} categories"))),
                _ => k,
            };
            if params.values.len() != expected {
                return Err(malformed(format!(
                    "{} values, expected {expected} for a {}-category {} item",
                    params.values.len(),
                    k,
                    params.model.name()
                )));
            }
            if !params.is_valid() {
                return Err(malformed(
                    "parameters must be finite (graded: intercepts decreasing)".to_string(),
                ));
            }
            let slope = params.values[0];
            if slope <= 0.0 {
                return Err(LinkError::NonPositiveSlope {
                    item: item(),
                    round,
                    slope,
                });
            }
            if let Some(c) = covariance {
                if c.len() != expected * expected {
                    return Err(malformed(format!(
                        "covariance has {} entries, expected {expected} × {expected}",
                        c.len()
                    )));
                }
                if c.iter().any(|x| !x.is_finite()) || (0..expected).any(|i| c[i * expected + i] < 0.0) {
                    return Err(malformed(
                        "covariance must be finite with non-negative variances".to_string(),
                    ));
                }
            }
        }
    }
    Ok(())
}
