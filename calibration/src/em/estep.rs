//! The E-step: posterior weights of every person over the grid, summed into expected
//! counts per item category and node, and per group.
//!
//! Persons are processed in fixed-size chunks in parallel; each chunk returns its
//! partial sums and the partials are added in chunk order, so the result has the
//! same bits for any number of threads.

use rayon::prelude::*;

use crate::data::ResponseMatrix;
use crate::data::codes::NOT_ADMINISTERED;

/// Persons per parallel chunk: large enough to amortise the per-chunk buffers,
/// small enough to balance two cores. Fixed, so results never depend on threads.
const CHUNK: usize = 2048;

/// The responses in the form the E-step reads: for each person the table rows
/// ("slots", one per item × category) of their answers, missing ones left out so
/// that missing-by-design costs nothing.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Slot of the first category of each item.
    pub slot_base: Vec<usize>,
    pub n_slots: usize,
    offsets: Vec<usize>,
    slots: Vec<u32>,
    pub weights: Vec<f64>,
    pub groups: Vec<u16>,
    pub n_groups: usize,
}

impl Prepared {
    pub fn new(matrix: &ResponseMatrix, categories: &[u8]) -> Prepared {
        let mut slot_base = Vec::with_capacity(categories.len());
        let mut n_slots = 0;
        for &k in categories {
            slot_base.push(n_slots);
            n_slots += usize::from(k);
        }
        let mut offsets = Vec::with_capacity(matrix.n_persons() + 1);
        let mut slots = Vec::with_capacity(matrix.administered());
        offsets.push(0);
        for p in 0..matrix.n_persons() {
            for (i, &x) in matrix.row(p).iter().enumerate() {
                if x != NOT_ADMINISTERED && x < categories[i] {
                    slots.push((slot_base[i] + usize::from(x)) as u32);
                }
            }
            offsets.push(slots.len());
        }
        Prepared {
            slot_base,
            n_slots,
            offsets,
            slots,
            weights: matrix.normalized_weights(),
            groups: matrix.groups().to_vec(),
            n_groups: matrix.group_names().len(),
        }
    }

    pub fn n_persons(&self) -> usize {
        self.weights.len()
    }

    /// The slots one person answered.
    pub fn person(&self, p: usize) -> &[u32] {
        &self.slots[self.offsets[p]..self.offsets[p + 1]]
    }
}

/// Expected counts and the marginal log-likelihood.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    /// Slot × node expected counts (row-major).
    pub counts: Vec<f64>,
    /// Group × node posterior mass.
    pub group_mass: Vec<f64>,
    /// Σ_p w_p log Σ_q L_p(θ_q) π_g(θ_q).
    pub loglik: f64,
}

/// Runs the E-step. `log_table` is slot × node log P; `log_prior` is group × node.
pub fn estep(prep: &Prepared, log_table: &[f64], log_prior: &[f64], q: usize) -> Expected {
    let chunks: Vec<Expected> = (0..prep.n_persons().div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            chunk(
                prep,
                log_table,
                log_prior,
                q,
                c * CHUNK..((c + 1) * CHUNK).min(prep.n_persons()),
            )
        })
        .collect();
    let mut total = Expected {
        counts: vec![0.0; prep.n_slots * q],
        group_mass: vec![0.0; prep.n_groups * q],
        loglik: 0.0,
    };
    for part in chunks {
        add_into(&mut total.counts, &part.counts);
        add_into(&mut total.group_mass, &part.group_mass);
        total.loglik += part.loglik;
    }
    total
}

fn add_into(total: &mut [f64], part: &[f64]) {
    for (t, p) in total.iter_mut().zip(part) {
        *t += p;
    }
}

fn chunk(prep: &Prepared, log_table: &[f64], log_prior: &[f64], q: usize, persons: std::ops::Range<usize>) -> Expected {
    let mut out = Expected {
        counts: vec![0.0; prep.n_slots * q],
        group_mass: vec![0.0; prep.n_groups * q],
        loglik: 0.0,
    };
    let mut acc = vec![0.0; q];
    for p in persons {
        let w = prep.weights[p];
        if w == 0.0 {
            continue;
        }
        let g = usize::from(prep.groups[p]);
        acc.copy_from_slice(&log_prior[g * q..(g + 1) * q]);
        let slots = prep.person(p);
        for &s in slots {
            let row = &log_table[s as usize * q..(s as usize + 1) * q];
            for (a, l) in acc.iter_mut().zip(row) {
                *a += l;
            }
        }
        let max = acc.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut total = 0.0;
        for a in acc.iter_mut() {
            *a = (*a - max).exp();
            total += *a;
        }
        out.loglik += w * (max + total.ln());
        let scale = w / total;
        for a in acc.iter_mut() {
            *a *= scale;
        }
        for &s in slots {
            let row = &mut out.counts[s as usize * q..(s as usize + 1) * q];
            for (c, a) in row.iter_mut().zip(&acc) {
                *c += a;
            }
        }
        for (m, a) in out.group_mass[g * q..(g + 1) * q].iter_mut().zip(&acc) {
            *m += a;
        }
    }
    out
}
