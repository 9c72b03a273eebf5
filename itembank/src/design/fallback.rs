//! Near-balanced cyclic fallback: one base block D ⊂ Z_v developed into v
//! booklets, for when no BIB exists (or none was found) within the allowed
//! number of booklets.
//!
//! Developing D gives every block every position exactly once, so only pair
//! balance is at stake: blocks x and y share as many booklets as the
//! difference y − x occurs among the ordered differences of D. The choice of D
//! is ranked by, in order:
//!
//! 1. the linkage graph is connected (without it a concurrent calibration
//!    falls apart into separate scales);
//! 2. every pair shares a booklet at least once, when the counts allow it;
//! 3. the spread max − min of the pair counts is smallest;
//! 4. D is lexicographically smallest, so the answer is deterministic.
//!
//! With v booklets there are v·k(k − 1)/2 pair slots for v(v − 1)/2 pairs,
//! so every pair can share a booklet only if k(k − 1) ≥ v − 1 (≥ v for even
//! v, whose difference v/2 pairs each block with its opposite twice or not at
//! all). For (14, 4) there are 84 slots for 91 pairs: at least 7 pairs never
//! meet, and the best design leaves out exactly the 7 opposite pairs.
//!
//! The search walks candidate windows [lo, hi] of pair counts in that order
//! and, within a window, builds D in increasing order with two prunes: no
//! count may exceed hi, and the counts still below lo must be reachable with
//! the differences that remaining elements can add.

use super::local;
use super::orbit::stabilised_below;

/// Backtracking nodes one window may use (about 25 ns each); small cases
/// finish far below it, so their answer is exact.
const NODES_PER_WINDOW: u64 = 200_000;

/// Backtracking nodes for the whole fallback.
const NODES_TOTAL: u64 = 2_000_000;

/// Local-search work a window gets when backtracking was cut short (units of
/// about 10 ns, see the `local` module).
const WALK_PER_WINDOW: u64 = 4_000_000;

/// Local-search work for the whole fallback; with the node total this keeps
/// v up to 60 well under a second.
const WALK_TOTAL: u64 = 16_000_000;

/// The chosen base block and what it achieves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NearBalanced {
    /// Base block, increasing, starting with 0.
    pub(crate) base: Vec<usize>,
    /// Smallest number of booklets any pair of blocks shares.
    pub(crate) lambda_min: usize,
    /// Largest number of booklets any pair of blocks shares.
    pub(crate) lambda_max: usize,
    /// True when every better-ranked window was searched to the end, so the
    /// ranking above is met exactly rather than within the search budget.
    pub(crate) exhaustive: bool,
}

/// Finds the best-ranked base block of size `k` in Z_`v` (2 ≤ k < v).
///
/// Windows that can only be met by all pair counts being equal are skipped:
/// that is a cyclic difference set, which the BIB search already tried (or
/// ruled out by its parameters).
pub(crate) fn near_balanced(v: usize, k: usize) -> NearBalanced {
    let mut search = Windows {
        v,
        k,
        nodes: NODES_TOTAL,
        walk: WALK_TOTAL,
        exhaustive: true,
    };
    // Covering every difference takes at least v − 1 ordered differences,
    // one more for even v (v/2 is its own negative, so it comes in twos),
    // and exactly v − 1 would be a difference set.
    if k * (k - 1) >= v {
        // The widest covering window first: if no block covers every pair,
        // narrower windows cannot either. Found by backtracking, it is also
        // the lexicographically smallest covering block, so only smaller
        // spreads need searching.
        if let Some(first) = search.window(1, k) {
            let first_spread = finish(v, first.clone(), true);
            for spread in 1..first_spread.lambda_max - first_spread.lambda_min {
                if let Some(base) = search.best_of_spread(spread, true) {
                    return finish(v, base, search.exhaustive);
                }
            }
            return finish(v, first, search.exhaustive);
        }
    }
    for spread in 1..k - 1 {
        if let Some(base) = search.best_of_spread(spread, false) {
            return finish(v, base, search.exhaustive);
        }
    }
    // Every window up to spread k − 2 failed or ran out of budget; the
    // consecutive block {0, 1, …, k−1} is the lexicographically smallest of
    // all and always connected (it contains the generator 1).
    finish(v, (0..k).collect(), false)
}

/// Window searches sharing one budget.
struct Windows {
    v: usize,
    k: usize,
    nodes: u64,
    walk: u64,
    /// False once any search was cut short by the budget.
    exhaustive: bool,
}

impl Windows {
    /// The lexicographically smallest base block over all windows
    /// [lo, lo + spread] that admit unequal counts (lo ≥ 1 when `covering`,
    /// lo = 0 otherwise).
    fn best_of_spread(&mut self, spread: usize, covering: bool) -> Option<Vec<usize>> {
        let total = self.k * (self.k - 1);
        let lows = if covering { 1..=self.k } else { 0..=0 };
        let mut best: Option<Vec<usize>> = None;
        for lo in lows {
            // Σ counts over the v − 1 differences is exactly k(k − 1); with
            // equality at either end every count would be equal.
            let hi = lo + spread;
            if lo * (self.v - 1) >= total || total >= hi * (self.v - 1) {
                continue;
            }
            if let Some(base) = self.window(lo, hi)
                && best.as_ref().is_none_or(|b| base < *b)
            {
                best = Some(base);
            }
        }
        best
    }

    /// A base block whose pair counts all lie in [lo, hi] (and which is
    /// connected when lo = 0): the lexicographically first by backtracking,
    /// or, if that is cut short, whatever local search finds.
    fn window(&mut self, lo: usize, hi: usize) -> Option<Vec<usize>> {
        let (v, k) = (self.v, self.k);
        let window = Window {
            lo: u32::try_from(lo).ok()?,
            hi: u32::try_from(hi).ok()?,
        };
        let mut packer = Packer::new(v, k, window, self.nodes.min(NODES_PER_WINDOW));
        let found = packer.run();
        self.nodes -= packer.nodes;
        if found.is_some() || packer.nodes < packer.allowance {
            return found;
        }
        self.exhaustive = false;
        let problem = local::Problem {
            n: v,
            sizes: &[k],
            lo: window.lo,
            hi: window.hi,
        };
        let mut allowance = self.walk.min(WALK_PER_WINDOW);
        let granted = allowance;
        let found = local::search(&problem, &mut allowance, |sets| {
            sets.iter()
                .all(|set| !stabilised_below(v, set, v) && (lo > 0 || connected(v, set)))
        });
        self.walk -= granted - allowance;
        found.and_then(|sets| sets.into_iter().next())
    }
}

/// A window of allowed pair counts.
#[derive(Debug, Clone, Copy)]
struct Window {
    lo: u32,
    hi: u32,
}

/// Whether developing `base` (which contains 0) links all of Z_v: its
/// elements must generate the group.
fn connected(v: usize, base: &[usize]) -> bool {
    base.iter().fold(v, |g, &x| gcd(g, x)) == 1
}

/// Wraps a base block with its pair-count range.
fn finish(v: usize, base: Vec<usize>, exhaustive: bool) -> NearBalanced {
    let counts = difference_counts(v, &base);
    let lambda_min = counts[1..].iter().copied().min().unwrap_or(0);
    let lambda_max = counts[1..].iter().copied().max().unwrap_or(0);
    NearBalanced {
        base,
        lambda_min,
        lambda_max,
        exhaustive,
    }
}

/// How often each difference 0..v occurs among ordered pairs of `base`.
fn difference_counts(v: usize, base: &[usize]) -> Vec<usize> {
    let mut counts = vec![0; v];
    for &a in base {
        for &b in base {
            if a != b {
                counts[(b + v - a) % v] += 1;
            }
        }
    }
    counts
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Depth-first search for a base block within one window.
struct Packer {
    v: usize,
    k: usize,
    window: Window,
    set: Vec<usize>,
    count: Vec<u32>,
    /// Σ over differences of how far their count is below `window.lo`.
    deficit: usize,
    log: Vec<usize>,
    nodes: u64,
    allowance: u64,
}

impl Packer {
    fn new(v: usize, k: usize, window: Window, allowance: u64) -> Self {
        Packer {
            v,
            k,
            window,
            set: vec![0],
            count: vec![0; v],
            deficit: (v - 1) * window.lo as usize,
            log: Vec::new(),
            nodes: 0,
            allowance,
        }
    }

    /// The lexicographically first base block in the window, if any was
    /// found within the allowance.
    fn run(&mut self) -> Option<Vec<usize>> {
        if self.extend() { Some(self.set.clone()) } else { None }
    }

    fn extend(&mut self) -> bool {
        let p = self.set.len();
        if p == self.k {
            // With lo = 0 nothing forces linkage.
            return self.window.lo > 0 || connected(self.v, &self.set);
        }
        let first = self.set[p - 1] + 1;
        let last = self.v - (self.k - p);
        let remaining = self.k * (self.k - 1) - (p + 1) * p;
        for x in first..=last {
            if self.nodes == self.allowance {
                return false;
            }
            self.nodes += 1;
            let mark = self.log.len();
            if self.place(x) && self.deficit <= remaining {
                self.set.push(x);
                if self.extend() {
                    return true;
                }
                self.set.pop();
            }
            self.undo(mark);
        }
        false
    }

    /// Counts the differences between `x` and the chosen elements; false as
    /// soon as one exceeds the window.
    fn place(&mut self, x: usize) -> bool {
        for i in 0..self.set.len() {
            let d = x - self.set[i];
            if !self.bump(d) || !self.bump(self.v - d) {
                return false;
            }
        }
        true
    }

    fn bump(&mut self, d: usize) -> bool {
        if self.count[d] < self.window.lo {
            self.deficit -= 1;
        }
        self.count[d] += 1;
        self.log.push(d);
        self.count[d] <= self.window.hi
    }

    fn undo(&mut self, mark: usize) {
        for d in self.log.drain(mark..) {
            self.count[d] -= 1;
            if self.count[d] < self.window.lo {
                self.deficit += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fourteen_four_packs_all_differences_once() {
        // 14 booklets of 4 hold 84 pair slots for 91 pairs, so some pairs
        // must be missing; the best is every difference but 7 exactly once.
        let nb = near_balanced(14, 4);
        assert_eq!((nb.lambda_min, nb.lambda_max), (0, 1));
        assert_eq!(nb.base, vec![0, 1, 4, 6]);
        assert!(nb.exhaustive);
        let counts = difference_counts(14, &nb.base);
        assert_eq!(counts[7], 0);
    }

    #[test]
    fn coverable_case_covers_every_pair() {
        let nb = near_balanced(6, 3);
        assert_eq!(nb.base, vec![0, 1, 3]);
        assert_eq!((nb.lambda_min, nb.lambda_max), (1, 2));
    }

    #[test]
    fn pairs_of_blocks_form_a_connected_chain() {
        let nb = near_balanced(30, 2);
        assert_eq!(nb.base, vec![0, 1]);
        assert_eq!((nb.lambda_min, nb.lambda_max), (0, 1));
    }
}
