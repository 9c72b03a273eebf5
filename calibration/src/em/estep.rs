//! The E-step: posterior weights of every person over the grid, summed into expected
//! counts per item category and node, and per group.
//!
//! Persons are processed in fixed-size chunks in parallel; each chunk returns its
//! partial sums and the partials are added in chunk order, so the result has the
//! same bits for any number of threads.
//!
//! Most responses are in category 0 or belong to a few booklet patterns, and both
//! facts are used. Persons who took the same items in the same group share a
//! *pattern*; the pattern's likelihood if every answer were category 0 is computed
//! once per E-step, and each person then only multiplies in the ratios
//! P_ik/P_i0 of their non-zero answers and adds their posterior to those slots.
//! Category-0 counts follow afterwards as pattern mass minus the other categories.
//! Work per person is thus proportional to the non-zero answers, and missing-by-design
//! responses cost nothing. With more patterns than [`MAX_PATTERNS`] (scattered missing
//! data) every answer is handled per person instead.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::data::ResponseMatrix;
use crate::data::codes::NOT_ADMINISTERED;

/// Persons per parallel chunk: large enough to amortise the per-chunk buffers,
/// small enough to balance two cores. Fixed, so results never depend on threads.
const CHUNK: usize = 4096;

/// Beyond this many (items taken, group) patterns, per-pattern bases cost more than
/// they save.
pub const MAX_PATTERNS: usize = 2048;

/// The responses in the form the E-step reads.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Slot (table row) of the first category of each item.
    pub slot_base: Vec<usize>,
    pub n_slots: usize,
    offsets: Vec<usize>,
    /// Per person, the slots handled individually: non-zero answers in pattern mode,
    /// every answer otherwise.
    slots: Vec<u32>,
    /// Per person, the pattern index (pattern mode) or the group (direct mode).
    pattern_of: Vec<u32>,
    /// Pattern mode: each pattern's group and items; `None` in direct mode.
    patterns: Option<Vec<(usize, Vec<usize>)>>,
    pub weights: Vec<f64>,
    pub groups: Vec<u16>,
    pub n_groups: usize,
}

impl Prepared {
    pub fn new(matrix: &ResponseMatrix, categories: &[u8]) -> Prepared {
        Prepared::with_pattern_limit(matrix, categories, MAX_PATTERNS)
    }

    /// As [`Prepared::new`], with pattern mode only up to `limit` patterns (0: never).
    fn with_pattern_limit(matrix: &ResponseMatrix, categories: &[u8], limit: usize) -> Prepared {
        let mut slot_base = Vec::with_capacity(categories.len());
        let mut n_slots = 0;
        for &k in categories {
            slot_base.push(n_slots);
            n_slots += usize::from(k);
        }
        let answered = |p: usize| {
            matrix
                .row(p)
                .iter()
                .enumerate()
                .filter(|&(i, &x)| x != NOT_ADMINISTERED && x < categories[i])
                .map(|(i, &x)| (i, x))
        };
        // Patterns are found by a hash of (group, items taken), checked against the
        // stored pattern, so no person costs an allocation.
        let mut index: HashMap<u64, Vec<u32>> = HashMap::new();
        let mut patterns: Vec<(usize, Vec<usize>)> = Vec::new();
        let mut pattern_of = Vec::with_capacity(matrix.n_persons());
        let mut taken: Vec<usize> = Vec::with_capacity(categories.len());
        for p in 0..matrix.n_persons() {
            if patterns.len() > limit {
                break;
            }
            let group = usize::from(matrix.groups()[p]);
            taken.clear();
            taken.extend(answered(p).map(|(i, _)| i));
            let hash = taken.iter().fold(0xcbf2_9ce4_8422_2325_u64 ^ group as u64, |h, &i| {
                (h ^ i as u64).wrapping_mul(0x0000_0100_0000_01b3)
            });
            let candidates = index.entry(hash).or_default();
            let id = match candidates
                .iter()
                .find(|&&k| patterns[k as usize].0 == group && patterns[k as usize].1 == taken)
            {
                Some(&k) => k,
                None => {
                    patterns.push((group, taken.clone()));
                    candidates.push(patterns.len() as u32 - 1);
                    patterns.len() as u32 - 1
                }
            };
            pattern_of.push(id);
        }
        let pattern_mode = patterns.len() <= limit && limit > 0;
        if !pattern_mode {
            pattern_of = matrix.groups().iter().map(|&g| u32::from(g)).collect();
        }
        let mut offsets = Vec::with_capacity(matrix.n_persons() + 1);
        let mut slots = Vec::new();
        offsets.push(0);
        for p in 0..matrix.n_persons() {
            for (i, x) in answered(p) {
                if !pattern_mode || x > 0 {
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
            pattern_of,
            patterns: pattern_mode.then_some(patterns),
            weights: matrix.normalized_weights(),
            groups: matrix.groups().to_vec(),
            n_groups: matrix.group_names().len(),
        }
    }

    pub fn n_persons(&self) -> usize {
        self.weights.len()
    }

    /// Number of persons who answered nothing scorable.
    pub fn persons_without_responses(&self) -> usize {
        match &self.patterns {
            Some(patterns) => self
                .pattern_of
                .iter()
                .filter(|&&k| patterns[k as usize].1.is_empty())
                .count(),
            None => (0..self.n_persons())
                .filter(|&p| self.offsets[p] == self.offsets[p + 1])
                .count(),
        }
    }

    /// Every answered slot of person `p` (category-0 answers included), in item order.
    pub fn answers(&self, p: usize) -> Vec<u32> {
        let Some(patterns) = &self.patterns else {
            return self.person(p).to_vec();
        };
        let mut non_zero = self.person(p).iter().peekable();
        let (_, items) = &patterns[self.pattern_of[p] as usize];
        items
            .iter()
            .map(|&i| {
                let end = self.slot_base.get(i + 1).copied().unwrap_or(self.n_slots) as u32;
                match non_zero.peek() {
                    Some(&&s) if s < end => {
                        non_zero.next();
                        s
                    }
                    _ => self.slot_base[i] as u32,
                }
            })
            .collect()
    }

    fn person(&self, p: usize) -> &[u32] {
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

/// What each person multiplies, per E-step: rows in probability space scaled to
/// avoid under- and overflow, with the log of the scale kept apart.
struct Tables {
    /// Per slot and node: P_ik / P_i0 (pattern mode) or P_ik (direct mode).
    rows: Vec<f64>,
    /// Per pattern (or group): base likelihood × prior scaled so its maximum is 1.
    bases: Vec<f64>,
    /// Per pattern (or group): the log of that scale.
    base_logs: Vec<f64>,
}

fn tables(prep: &Prepared, log_table: &[f64], log_prior: &[f64], q: usize) -> Tables {
    let pattern_mode = prep.patterns.is_some();
    let mut rows = vec![0.0; prep.n_slots * q];
    for (i, &base) in prep.slot_base.iter().enumerate() {
        let end = prep.slot_base.get(i + 1).copied().unwrap_or(prep.n_slots);
        for slot in base..end {
            for node in 0..q {
                let reference = if pattern_mode { log_table[base * q + node] } else { 0.0 };
                rows[slot * q + node] = (log_table[slot * q + node] - reference).exp();
            }
        }
    }
    let log_bases: Vec<Vec<f64>> = match &prep.patterns {
        Some(patterns) => patterns
            .iter()
            .map(|(g, items)| {
                let mut acc = log_prior[g * q..(g + 1) * q].to_vec();
                for &i in items {
                    let row = &log_table[prep.slot_base[i] * q..(prep.slot_base[i] + 1) * q];
                    acc.iter_mut().zip(row).for_each(|(a, l)| *a += l);
                }
                acc
            })
            .collect(),
        None => (0..prep.n_groups)
            .map(|g| log_prior[g * q..(g + 1) * q].to_vec())
            .collect(),
    };
    let mut bases = Vec::with_capacity(log_bases.len() * q);
    let mut base_logs = Vec::with_capacity(log_bases.len());
    for log_base in log_bases {
        let max = log_base.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        bases.extend(log_base.iter().map(|l| (l - max).exp()));
        base_logs.push(max);
    }
    Tables { rows, bases, base_logs }
}

/// Runs the E-step. `log_table` is slot × node log P; `log_prior` is group × node.
pub fn estep(prep: &Prepared, log_table: &[f64], log_prior: &[f64], q: usize) -> Expected {
    let t = tables(prep, log_table, log_prior, q);
    let n_bases = t.base_logs.len();
    let chunks: Vec<(Vec<f64>, Vec<f64>, f64)> = (0..prep.n_persons().div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            chunk(
                prep,
                &t,
                log_table,
                q,
                c * CHUNK..((c + 1) * CHUNK).min(prep.n_persons()),
            )
        })
        .collect();
    let mut counts = vec![0.0; prep.n_slots * q];
    let mut base_mass = vec![0.0; n_bases * q];
    let mut loglik = 0.0;
    for (c, m, l) in chunks {
        add_into(&mut counts, &c);
        add_into(&mut base_mass, &m);
        loglik += l;
    }
    let mut group_mass = vec![0.0; prep.n_groups * q];
    match &prep.patterns {
        Some(patterns) => {
            // Category 0 of each item: the mass of the patterns containing it, less
            // its other categories.
            let mut totals = vec![0.0; prep.slot_base.len() * q];
            for ((g, items), mass) in patterns.iter().zip(base_mass.chunks_exact(q)) {
                add_into(&mut group_mass[g * q..(g + 1) * q], mass);
                for &i in items {
                    add_into(&mut totals[i * q..(i + 1) * q], mass);
                }
            }
            for (i, &base) in prep.slot_base.iter().enumerate() {
                let end = prep.slot_base.get(i + 1).copied().unwrap_or(prep.n_slots);
                for node in 0..q {
                    let others: f64 = (base + 1..end).map(|s| counts[s * q + node]).sum();
                    counts[base * q + node] = (totals[i * q + node] - others).max(0.0);
                }
            }
        }
        None => group_mass = base_mass,
    }
    Expected {
        counts,
        group_mass,
        loglik,
    }
}

fn add_into(total: &mut [f64], part: &[f64]) {
    for (t, p) in total.iter_mut().zip(part) {
        *t += p;
    }
}

/// A sum in four interleaved lanes: a fixed order (so the same bits on every path)
/// without one long chain of dependent additions.
#[inline(always)]
fn sum(values: &[f64]) -> f64 {
    let mut lanes = [0.0; 4];
    let mut chunks = values.chunks_exact(4);
    for c in &mut chunks {
        for (l, v) in lanes.iter_mut().zip(c) {
            *l += v;
        }
    }
    let tail: f64 = chunks.remainder().iter().sum();
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + tail
}

/// Values outside this range are rescaled through the log-space path.
const SAFE: std::ops::RangeInclusive<f64> = 1e-280..=1e280;

/// One chunk of persons, on the widest vector unit the CPU has.
///
/// The arithmetic is element-wise (no reassociation, no fused multiply-add, as Rust
/// never contracts), so every path gives the same bits; only the speed differs.
fn chunk(
    prep: &Prepared,
    t: &Tables,
    log_table: &[f64],
    q: usize,
    persons: std::ops::Range<usize>,
) -> (Vec<f64>, Vec<f64>, f64) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { chunk_avx2(prep, t, log_table, q, persons) };
    }
    chunk_body(prep, t, log_table, q, persons)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn chunk_avx2(
    prep: &Prepared,
    t: &Tables,
    log_table: &[f64],
    q: usize,
    persons: std::ops::Range<usize>,
) -> (Vec<f64>, Vec<f64>, f64) {
    chunk_body(prep, t, log_table, q, persons)
}

#[inline(always)]
fn chunk_body(
    prep: &Prepared,
    t: &Tables,
    log_table: &[f64],
    q: usize,
    persons: std::ops::Range<usize>,
) -> (Vec<f64>, Vec<f64>, f64) {
    let mut counts = vec![0.0; prep.n_slots * q];
    let mut base_mass = vec![0.0; t.base_logs.len() * q];
    let mut loglik = 0.0;
    let mut acc = vec![0.0; q];
    for p in persons {
        let w = prep.weights[p];
        if w == 0.0 {
            continue;
        }
        let b = prep.pattern_of[p] as usize;
        let slots = prep.person(p);
        acc.copy_from_slice(&t.bases[b * q..(b + 1) * q]);
        for &s in slots {
            let row = &t.rows[s as usize * q..(s as usize + 1) * q];
            acc.iter_mut().zip(row).for_each(|(a, r)| *a *= r);
        }
        let mut total = sum(&acc);
        let mut log_scale = t.base_logs[b];
        if !SAFE.contains(&total) {
            log_scale += rescale_in_logs(prep, t, log_table, q, b, slots, &mut acc);
            total = sum(&acc);
        }
        loglik += w * (log_scale + total.ln());
        let scale = w / total;
        acc.iter_mut().for_each(|a| *a *= scale);
        for &s in slots {
            add_into(&mut counts[s as usize * q..(s as usize + 1) * q], &acc);
        }
        add_into(&mut base_mass[b * q..(b + 1) * q], &acc);
    }
    (counts, base_mass, loglik)
}

/// Recomputes one person's likelihood in log space (very long tests at extreme
/// nodes), leaving `acc` scaled to a maximum of 1; returns the log of the scale.
fn rescale_in_logs(
    prep: &Prepared,
    t: &Tables,
    log_table: &[f64],
    q: usize,
    b: usize,
    slots: &[u32],
    acc: &mut [f64],
) -> f64 {
    let pattern_mode = prep.patterns.is_some();
    for (node, a) in acc.iter_mut().enumerate() {
        *a = t.bases[b * q + node].ln();
    }
    for &s in slots {
        let s = s as usize;
        let item = prep.slot_base.partition_point(|&base| base <= s) - 1;
        let reference = prep.slot_base[item];
        for (node, a) in acc.iter_mut().enumerate() {
            *a += log_table[s * q + node]
                - if pattern_mode {
                    log_table[reference * q + node]
                } else {
                    0.0
                };
        }
    }
    let max = acc.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    acc.iter_mut().for_each(|a| *a = (*a - max).exp());
    max
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ItemParams, Model};
    use crate::quadrature::Grid;
    use crate::simulate::{SimGroup, Simulation};

    /// Pattern mode and the per-answer path give the same counts and likelihood.
    #[test]
    fn both_paths_agree() {
        let items: Vec<ItemParams> = (0..6)
            .map(|i| match i % 3 {
                0 => ItemParams {
                    values: vec![1.2, 0.3 * i as f64 - 0.5],
                    ..ItemParams::new(Model::TwoPl, 2)
                },
                1 => ItemParams {
                    values: vec![0.9, 1.0, -0.2, -1.1],
                    ..ItemParams::new(Model::Graded, 4)
                },
                _ => ItemParams {
                    values: vec![0.8, 0.5, -0.4],
                    ..ItemParams::new(Model::Gpcm, 3)
                },
            })
            .collect();
        let sim = Simulation {
            items: items.clone(),
            booklets: vec![vec![0, 1, 2, 3], vec![2, 3, 4, 5], vec![4, 5, 0, 1]],
            groups: vec![
                SimGroup {
                    name: "a".into(),
                    persons: 700,
                    mean: 0.0,
                    sd: 1.0,
                },
                SimGroup {
                    name: "b".into(),
                    persons: 500,
                    mean: 0.4,
                    sd: 1.3,
                },
            ],
            seed: 3,
        };
        let (matrix, _) = sim.run();
        let categories: Vec<u8> = items.iter().map(|i| i.categories).collect();
        let grid = Grid::mirt_default();
        let q = grid.len();
        let mut log_table = Vec::new();
        let mut p = Vec::new();
        for item in &items {
            p.resize(usize::from(item.categories), 0.0);
            let rows: Vec<Vec<f64>> = grid
                .nodes
                .iter()
                .map(|&t| {
                    item.probs(t, &mut p);
                    p.iter().map(|x| x.ln()).collect()
                })
                .collect();
            for k in 0..usize::from(item.categories) {
                log_table.extend(rows.iter().map(|r| r[k]));
            }
        }
        let log_prior: Vec<f64> = [grid.log_normal_weights(0.0, 1.0), grid.log_normal_weights(0.4, 1.69)].concat();
        let patterns = Prepared::new(&matrix, &categories);
        let direct = Prepared::with_pattern_limit(&matrix, &categories, 0);
        assert!(
            patterns.patterns.as_ref().is_some_and(|p| p.len() == 6),
            "3 booklets × 2 groups"
        );
        assert!(direct.patterns.is_none());
        let a = estep(&patterns, &log_table, &log_prior, q);
        let b = estep(&direct, &log_table, &log_prior, q);
        assert!(
            (a.loglik - b.loglik).abs() < 1e-9 * b.loglik.abs(),
            "{} vs {}",
            a.loglik,
            b.loglik
        );
        for (x, y) in a
            .counts
            .iter()
            .zip(&b.counts)
            .chain(a.group_mass.iter().zip(&b.group_mass))
        {
            assert!((x - y).abs() < 1e-9 * (1.0 + y.abs()), "{x} vs {y}");
        }
    }
}
