//! Where each free parameter lives in EM's flat parameter vector, including
//! equality constraints: tied values (mirt's `CONSTRAIN`) share one slot, and the
//! items they tie are maximised together in the M-step.

use serde::{Deserialize, Serialize};

use super::{CalibrationError, GroupParams, State};
use crate::model::ItemParams;

/// Values that must be equal: (item index, value index) pairs, e.g. the slopes of
/// items 0–4 for a one-parameter model with a common estimated slope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraint {
    pub members: Vec<(usize, usize)>,
}

/// The map from parameters to the free-parameter vector.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Layout {
    /// For every item value, its slot (`None` when fixed).
    pub item_vars: Vec<Vec<Option<usize>>>,
    /// For every group, the slots of its mean and variance.
    pub group_vars: Vec<[Option<usize>; 2]>,
    pub n_vars: usize,
    /// Items maximised together because constraints tie them (singletons otherwise).
    pub clusters: Vec<Vec<usize>>,
}

impl Layout {
    /// Builds the layout and makes tied values start equal (at the first member's value).
    pub fn new(
        items: &mut [ItemParams],
        groups: &[GroupParams],
        constraints: &[Constraint],
        names: &[String],
    ) -> Result<Layout, CalibrationError> {
        let mut item_vars: Vec<Vec<Option<usize>>> = items.iter().map(|i| vec![None; i.values.len()]).collect();
        let mut cluster_of: Vec<usize> = (0..items.len()).collect();
        let mut n_vars = 0;
        for (c, constraint) in constraints.iter().enumerate() {
            let invalid = |message: String| CalibrationError::Invalid(format!("constraint {}: {message}", c + 1));
            if constraint.members.len() < 2 {
                return Err(invalid("needs at least two values to tie".into()));
            }
            let mut first_value = None;
            for &(i, k) in &constraint.members {
                let item = items
                    .get(i)
                    .ok_or_else(|| invalid(format!("item index {i} is out of range")))?;
                let name = &names[i];
                if k >= item.values.len() {
                    return Err(invalid(format!("item {name} has no value {k}")));
                }
                if !item.free[k] {
                    return Err(invalid(format!(
                        "item {name}: {} is fixed and cannot be tied",
                        item.value_names()[k]
                    )));
                }
                if item_vars[i][k].is_some() {
                    return Err(invalid(format!("item {name}: {} is tied twice", item.value_names()[k])));
                }
                item_vars[i][k] = Some(n_vars);
                first_value.get_or_insert(item.values[k]);
            }
            for &(i, k) in &constraint.members {
                items[i].values[k] = first_value.unwrap_or(items[i].values[k]);
                let (a, b) = (root(&mut cluster_of, constraint.members[0].0), root(&mut cluster_of, i));
                cluster_of[b] = a;
            }
            n_vars += 1;
        }
        for (i, item) in items.iter().enumerate() {
            for (k, free) in item.free.iter().enumerate() {
                if *free && item_vars[i][k].is_none() {
                    item_vars[i][k] = Some(n_vars);
                    n_vars += 1;
                }
            }
        }
        let mut group_vars = Vec::with_capacity(groups.len());
        for g in groups {
            let mut slot = |free: bool| {
                free.then(|| {
                    n_vars += 1;
                    n_vars - 1
                })
            };
            group_vars.push([slot(g.free_mean), slot(g.free_variance)]);
        }
        let mut clusters: Vec<Vec<usize>> = Vec::new();
        let mut index_of_root = vec![usize::MAX; items.len()];
        for i in 0..items.len() {
            let r = root(&mut cluster_of, i);
            if index_of_root[r] == usize::MAX {
                index_of_root[r] = clusters.len();
                clusters.push(Vec::new());
            }
            clusters[index_of_root[r]].push(i);
        }
        Ok(Layout {
            item_vars,
            group_vars,
            n_vars,
            clusters,
        })
    }

    /// The free parameters as one vector.
    pub fn pack(&self, state: &State) -> Vec<f64> {
        let mut x = vec![0.0; self.n_vars];
        for (item, vars) in state.items.iter().zip(&self.item_vars) {
            for (v, var) in item.values.iter().zip(vars) {
                if let Some(var) = var {
                    x[*var] = *v;
                }
            }
        }
        for (g, [mean, variance]) in state.groups.iter().zip(&self.group_vars) {
            if let Some(m) = mean {
                x[*m] = g.mean;
            }
            if let Some(v) = variance {
                x[*v] = g.variance;
            }
        }
        x
    }

    /// A state with the free parameters taken from `x`.
    pub fn unpack(&self, state: &State, x: &[f64]) -> State {
        let mut next = state.clone();
        for (item, vars) in next.items.iter_mut().zip(&self.item_vars) {
            for (v, var) in item.values.iter_mut().zip(vars) {
                if let Some(var) = var {
                    *v = x[*var];
                }
            }
        }
        for (g, [mean, variance]) in next.groups.iter_mut().zip(&self.group_vars) {
            if let Some(m) = mean {
                g.mean = x[*m];
            }
            if let Some(v) = variance {
                g.variance = x[*v];
            }
        }
        next
    }
}

fn root(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}
