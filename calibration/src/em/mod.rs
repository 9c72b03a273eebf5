//! Marginal maximum likelihood by EM (Bock–Aitkin) on a fixed quadrature grid,
//! accelerated by SQUAREM with a likelihood check, for any mix of item models,
//! several groups, anchor items and sampling weights.
//!
//! One EM map F takes all free parameters (items, then group means and variances)
//! through an E-step (parallel over persons) and an M-step (parallel over items).
//! SQUAREM extrapolates from two EM steps; an extrapolation that lowers EM's
//! objective is dropped for the plain EM steps, so the accepted sequence never
//! decreases. Convergence is mirt's rule: the largest change of any free parameter
//! in one plain EM step is below the tolerance.
//!
//! Two log-likelihoods are reported because the programs we compare with differ:
//! mirt reports the likelihood with prior weights normalised over the grid, TAM the
//! one with weights φ(θ)·Δθ. Both share the posterior (the normalisation cancels),
//! and moment matching of each group's distribution — what mirt and TAM do, and what
//! makes our estimates theirs — exactly maximises the second. So that one is EM's
//! objective (`objective`, monotone) and the first is `loglik` (for AIC, BIC and
//! comparison with mirt); they differ by the normal's mass outside the grid.

mod checks;
mod estep;
mod layout;
mod mstep;
mod se;

pub use estep::{Expected, Prepared, estep};
pub use layout::Constraint;
pub use mstep::{group_moments, item_objective, maximise_cluster, maximise_item};
pub use se::{SeError, StandardErrors, standard_errors};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::ResponseMatrix;
use crate::model::ItemParams;
use crate::quadrature::Grid;

/// Estimation options; the defaults are mirt's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Options {
    pub grid: Grid,
    /// Convergence: largest absolute parameter change in one EM cycle.
    pub tolerance: f64,
    pub max_cycles: usize,
    /// SQUAREM acceleration.
    pub accelerate: bool,
    /// Standard errors (by `se_method`).
    pub standard_errors: bool,
    /// Oakes' identity (two E-steps per free parameter; mirt's default) or the
    /// cross-product of person scores.
    #[serde(default)]
    pub se_method: SeMethod,
    /// Replace the intercepts of free items by data-based starting values (see
    /// [`set_starting_values`]); off to start exactly from the given parameters.
    pub start_from_data: bool,
    /// Values that must be equal (mirt's `CONSTRAIN`).
    #[serde(default)]
    pub constraints: Vec<Constraint>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            grid: Grid::mirt_default(),
            tolerance: 1e-4,
            max_cycles: 500,
            accelerate: true,
            standard_errors: false,
            se_method: SeMethod::Oakes,
            start_from_data: true,
            constraints: Vec::new(),
        }
    }
}

/// How standard errors are computed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeMethod {
    #[default]
    Oakes,
    CrossProduct,
}

/// A group's latent distribution N(mean, variance).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupParams {
    pub name: String,
    pub mean: f64,
    pub variance: f64,
    pub free_mean: bool,
    pub free_variance: bool,
}

/// One EM cycle, for progress display and the run's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cycle {
    pub cycle: usize,
    /// Log-likelihood at the start of the cycle (prior weights normalised over the
    /// grid, as mirt reports it).
    pub loglik: f64,
    /// The objective EM increases: the log-likelihood with TAM's unnormalised prior
    /// weights (φ·Δθ). It never decreases from one cycle to the next.
    pub objective: f64,
    pub max_change: f64,
    /// Whether the SQUAREM extrapolation was kept.
    pub accelerated: bool,
}

/// The result of a calibration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fit {
    pub items: Vec<ItemParams>,
    pub groups: Vec<GroupParams>,
    /// Log-likelihood with the prior normalised over the grid (as mirt reports it).
    pub loglik: f64,
    /// The objective EM maximises (TAM's log-likelihood; see [`Cycle::objective`]).
    pub objective: f64,
    pub n_parameters: usize,
    pub n_persons: usize,
    pub aic: f64,
    pub bic: f64,
    pub cycles: usize,
    pub converged: bool,
    pub history: Vec<Cycle>,
    /// Standard errors, when asked for and available.
    pub standard_errors: Option<StandardErrors>,
    /// Why standard errors are missing although they were asked for.
    pub standard_error_problem: Option<String>,
    /// Persons without any scored response: they add nothing to the likelihood.
    pub persons_without_responses: usize,
}

/// Why a calibration cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CalibrationError {
    #[error("{0} item models given for {1} items")]
    ItemCount(usize, usize),
    #[error("item {item}: {message}")]
    Item { item: String, message: String },
    #[error("{0}")]
    Invalid(String),
    #[error(
        "estimation diverged in EM cycle {cycle}: {what} (e.g. a group or item is perfectly separated; check items nobody in a group answered correctly)"
    )]
    Diverged { cycle: usize, what: String },
}

/// The log-likelihood and EM's objective at a parameter point.
#[derive(Debug, Clone, Copy)]
struct Evaluated {
    loglik: f64,
    objective: f64,
}

/// Everything EM iterates over, as one flat vector of free parameters.
#[derive(Debug, Clone)]
struct State {
    items: Vec<ItemParams>,
    groups: Vec<GroupParams>,
}

impl State {
    fn is_valid(&self) -> bool {
        self.items.iter().all(ItemParams::is_valid)
            && self.groups.iter().all(|g| g.variance > 0.0 && g.mean.is_finite())
    }
}

/// The prepared problem: data in E-step form, the grid, and where each free
/// parameter lives.
pub struct Problem<'a> {
    pub prep: Prepared,
    pub grid: &'a Grid,
    layout: layout::Layout,
    /// Item names, for messages.
    names: Vec<String>,
}

impl<'a> Problem<'a> {
    /// Σ_g N_g log(prior mass on the grid): the objective minus the log-likelihood.
    fn prior_mass(&self, groups: &[GroupParams], e: &Expected) -> f64 {
        let q = self.grid.len();
        groups
            .iter()
            .enumerate()
            .map(|(g, p)| {
                e.group_mass[g * q..(g + 1) * q].iter().sum::<f64>() * self.grid.log_prior_mass(p.mean, p.variance)
            })
            .sum()
    }

    /// Refuses a step whose parameters or log-likelihood are no longer numbers.
    fn check_step(&self, state: &State, loglik: f64, cycle: usize) -> Result<(), CalibrationError> {
        let what = if !loglik.is_finite() {
            Some("the log-likelihood is not finite".to_string())
        } else if let Some(i) = state.items.iter().position(|i| !i.is_valid()) {
            Some(format!(
                "item {} has parameters {:?}",
                self.names[i], state.items[i].values
            ))
        } else {
            state
                .groups
                .iter()
                .find(|g| !(g.mean.is_finite() && g.variance.is_finite() && g.variance > 0.0))
                .map(|g| format!("group {} has mean {} and variance {}", g.name, g.mean, g.variance))
        };
        what.map_or(Ok(()), |what| Err(CalibrationError::Diverged { cycle, what }))
    }

    /// A problem without equality constraints (for evaluating given parameters).
    pub fn unconstrained(
        matrix: &ResponseMatrix,
        items: &[ItemParams],
        groups: &[GroupParams],
        grid: &'a Grid,
    ) -> Problem<'a> {
        let categories: Vec<u8> = items.iter().map(|i| i.categories).collect();
        let mut items = items.to_vec();
        let layout = layout::Layout::new(&mut items, groups, &[], matrix.items())
            .unwrap_or_else(|e| unreachable!("a layout without constraints cannot fail: {e}"));
        Problem {
            prep: Prepared::new(matrix, &categories),
            grid,
            layout,
            names: matrix.items().to_vec(),
        }
    }

    /// log P table: slot × node.
    pub fn log_table(&self, items: &[ItemParams]) -> Vec<f64> {
        let q = self.grid.len();
        let mut table = vec![0.0; self.prep.n_slots * q];
        let mut p = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let k = usize::from(item.categories);
            p.resize(k, 0.0);
            let base = self.prep.slot_base[i];
            for (node, &theta) in self.grid.nodes.iter().enumerate() {
                item.probs(theta, &mut p);
                for (cat, &pk) in p.iter().enumerate() {
                    table[(base + cat) * q + node] = pk.max(f64::MIN_POSITIVE).ln();
                }
            }
        }
        table
    }

    /// log prior: group × node.
    pub fn log_prior(&self, groups: &[GroupParams]) -> Vec<f64> {
        groups
            .iter()
            .flat_map(|g| self.grid.log_normal_weights(g.mean, g.variance))
            .collect()
    }

    /// E-step at the given parameters.
    pub fn expected(&self, items: &[ItemParams], groups: &[GroupParams]) -> Expected {
        estep(
            &self.prep,
            &self.log_table(items),
            &self.log_prior(groups),
            self.grid.len(),
        )
    }

    /// The expected counts of one item (category × node).
    pub fn item_counts<'e>(&self, e: &'e Expected, item: usize, categories: u8) -> &'e [f64] {
        let q = self.grid.len();
        let base = self.prep.slot_base[item];
        &e.counts[base * q..(base + usize::from(categories)) * q]
    }

    /// One EM map: the M-step given the E-step at `state`. Returns the new state and
    /// the log-likelihood at `state`.
    fn em_map(&self, state: &State) -> (State, Evaluated) {
        let e = self.expected(&state.items, &state.groups);
        let objective = e.loglik + self.prior_mass(&state.groups, &e);
        let updated: Vec<Vec<(usize, ItemParams)>> = self
            .layout
            .clusters
            .par_iter()
            .map(|cluster| {
                // The cluster's variables, renumbered from 0 in order of appearance.
                let mut local: Vec<usize> = Vec::new();
                let vars: Vec<Vec<Option<usize>>> = cluster
                    .iter()
                    .map(|&i| {
                        self.layout.item_vars[i]
                            .iter()
                            .map(|v| {
                                v.map(|g| match local.iter().position(|&x| x == g) {
                                    Some(p) => p,
                                    None => {
                                        local.push(g);
                                        local.len() - 1
                                    }
                                })
                            })
                            .collect()
                    })
                    .collect();
                let items: Vec<ItemParams> = cluster.iter().map(|&i| state.items[i].clone()).collect();
                let counts: Vec<&[f64]> = cluster
                    .iter()
                    .map(|&i| self.item_counts(&e, i, state.items[i].categories))
                    .collect();
                let out = maximise_cluster(items, &counts, &vars, local.len(), &self.grid.nodes);
                cluster.iter().copied().zip(out).collect()
            })
            .collect();
        let mut items = state.items.clone();
        for (i, item) in updated.into_iter().flatten() {
            items[i] = item;
        }
        let q = self.grid.len();
        let groups = state
            .groups
            .iter()
            .enumerate()
            .map(|(g, params)| {
                let mass = &e.group_mass[g * q..(g + 1) * q];
                let (mean, variance) =
                    group_moments(mass, &self.grid.nodes, (!params.free_mean).then_some(params.mean));
                GroupParams {
                    mean: if params.free_mean { mean } else { params.mean },
                    variance: if params.free_variance {
                        variance
                    } else {
                        params.variance
                    },
                    ..params.clone()
                }
            })
            .collect();
        (
            State { items, groups },
            Evaluated {
                loglik: e.loglik,
                objective,
            },
        )
    }
}

/// Sets data-based starting intercepts (from each item's weighted category shares)
/// on every item with free parameters; EM then starts near the answer and needs
/// fewer cycles. Items that are fully fixed (anchors) are left alone.
pub fn set_starting_values(matrix: &ResponseMatrix, items: &mut [ItemParams]) {
    let weights = matrix.normalized_weights();
    for (i, item) in items.iter_mut().enumerate() {
        if item.n_free() == 0 {
            continue;
        }
        let mut shares = vec![0.0; usize::from(item.categories)];
        for (p, w) in weights.iter().enumerate() {
            if let Some(s) = shares.get_mut(usize::from(matrix.get(p, i))) {
                *s += w;
            }
        }
        let total: f64 = shares.iter().sum();
        if total > 0.0 {
            shares.iter_mut().for_each(|s| *s /= total);
            item.start_from(&shares);
        }
    }
}

/// The marginal log-likelihood of `matrix` at given item and group parameters
/// (e.g. another program's estimates, to compare optima).
pub fn log_likelihood(matrix: &ResponseMatrix, items: &[ItemParams], groups: &[GroupParams], grid: &Grid) -> f64 {
    Problem::unconstrained(matrix, items, groups, grid)
        .expected(items, groups)
        .loglik
}

/// The largest absolute difference; NaN anywhere counts as infinitely large, so a
/// broken step can never pass for convergence.
fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, |m, d| if d.is_nan() { f64::INFINITY } else { m.max(d) })
}

/// Calibrates `items` (one model per column of `matrix`, anchors with all
/// parameters fixed) by MML-EM. Group 0 is the reference group: its mean is fixed
/// at 0 and its variance at 1, except that the variance is free when every item has
/// a fixed slope (Rasch family), and both are free when anchor items fix the scale.
pub fn calibrate(
    matrix: &ResponseMatrix,
    items: Vec<ItemParams>,
    opts: &Options,
    progress: &mut dyn FnMut(&Cycle),
) -> Result<Fit, CalibrationError> {
    if items.len() != matrix.n_items() {
        return Err(CalibrationError::ItemCount(items.len(), matrix.n_items()));
    }
    checks::check(matrix, &items)?;
    let mut items = items;
    if opts.start_from_data {
        set_starting_values(matrix, &mut items);
    }
    let categories: Vec<u8> = items.iter().map(|i| i.categories).collect();
    let anchored = items.iter().any(|i| i.n_free() == 0);
    let rasch_family = items.iter().filter(|i| i.n_free() > 0).all(|i| i.model.fixed_slope());
    let groups: Vec<GroupParams> = matrix
        .group_names()
        .iter()
        .enumerate()
        .map(|(g, name)| GroupParams {
            name: name.clone(),
            mean: 0.0,
            variance: 1.0,
            free_mean: g > 0 || anchored,
            free_variance: g > 0 || anchored || rasch_family,
        })
        .collect();
    let layout = layout::Layout::new(&mut items, &groups, &opts.constraints, matrix.items())?;
    let problem = Problem {
        prep: Prepared::new(matrix, &categories),
        grid: &opts.grid,
        layout,
        names: matrix.items().to_vec(),
    };
    let mut state = State { items, groups };
    let mut history = Vec::new();
    let mut converged = false;
    // The EM step from the current point, and the log-likelihood and objective there.
    let (mut next, mut here) = problem.em_map(&state);
    for cycle in 1..=opts.max_cycles {
        problem.check_step(&next, here.loglik, cycle)?;
        let x0 = problem.layout.pack(&state);
        let x1 = problem.layout.pack(&next);
        let change = max_abs_diff(&x0, &x1);
        let mut record = Cycle {
            cycle,
            loglik: here.loglik,
            objective: here.objective,
            max_change: change,
            accelerated: false,
        };
        if change < opts.tolerance {
            progress(&record);
            history.push(record);
            state = next;
            converged = true;
            break;
        }
        if opts.accelerate {
            // SQUAREM: a second EM step, an extrapolation, and the EM step from the
            // extrapolated point, which doubles as the next cycle's first step. The
            // extrapolation is kept only if its objective is at least that of the
            // first EM step's point, so the accepted sequence never goes down.
            let (after_two, at_one) = problem.em_map(&next);
            let candidate = squarem_point(&x0, &x1, &problem.layout.pack(&after_two))
                .map(|x| problem.layout.unpack(&state, &x))
                .filter(State::is_valid);
            match candidate.map(|c| {
                let step = problem.em_map(&c);
                (c, step)
            }) {
                Some((c, (c_next, at_c))) if at_c.objective >= at_one.objective && c_next.is_valid() => {
                    record.accelerated = true;
                    state = c;
                    next = c_next;
                    here = at_c;
                }
                _ => {
                    state = after_two;
                    (next, here) = problem.em_map(&state);
                }
            }
        } else {
            state = next;
            (next, here) = problem.em_map(&state);
        }
        progress(&record);
        history.push(record);
    }
    let e = problem.expected(&state.items, &state.groups);
    // Whatever path ended the loop, the result is finite or an error, never NaN.
    problem.check_step(&state, e.loglik, history.len())?;
    let loglik = e.loglik;
    let objective = loglik + problem.prior_mass(&state.groups, &e);
    let (standard_errors, standard_error_problem) = if opts.standard_errors {
        let computed = match opts.se_method {
            SeMethod::Oakes => se::oakes(&problem, &state),
            SeMethod::CrossProduct => se::cross_product(&problem, &state),
        };
        match computed {
            Ok(se) => (Some(se), None),
            Err(e) => (None, Some(e.to_string())),
        }
    } else {
        (None, None)
    };
    let persons_without_responses = problem.prep.persons_without_responses();
    let n_parameters = problem.layout.n_vars;
    let n = matrix.n_persons() as f64;
    Ok(Fit {
        aic: -2.0 * loglik + 2.0 * n_parameters as f64,
        bic: -2.0 * loglik + n.ln() * n_parameters as f64,
        items: state.items,
        groups: state.groups,
        loglik,
        objective,
        n_parameters,
        n_persons: matrix.n_persons(),
        cycles: history.len(),
        converged,
        history,
        standard_errors,
        standard_error_problem,
        persons_without_responses,
    })
}

/// The SQUAREM (S3) extrapolation from x0 and two EM steps; `None` when the steps
/// have vanished (nothing to extrapolate).
fn squarem_point(x0: &[f64], x1: &[f64], x2: &[f64]) -> Option<Vec<f64>> {
    let r: Vec<f64> = x1.iter().zip(x0).map(|(a, b)| a - b).collect();
    let v: Vec<f64> = x2.iter().zip(x1).zip(&r).map(|((a, b), r)| a - b - r).collect();
    let rr: f64 = r.iter().map(|x| x * x).sum();
    let vv: f64 = v.iter().map(|x| x * x).sum();
    if vv == 0.0 || rr == 0.0 {
        return None;
    }
    // α ≤ −1: never shorter than the plain double step.
    let alpha = (-(rr / vv).sqrt()).min(-1.0);
    Some(
        x0.iter()
            .zip(&r)
            .zip(&v)
            .map(|((x, r), v)| x - 2.0 * alpha * r + alpha * alpha * v)
            .collect(),
    )
}
