//! Search for balanced incomplete block designs with a cyclic symmetry.
//!
//! Searching all designs is hopeless beyond toy sizes, but most useful BIB
//! designs have a group of symmetries that shrinks the search to a handful of
//! *base blocks*: developing a base block (adding `i mod n` to every element)
//! yields its booklets. Two groups are searched:
//!
//! - **cyclic**: the blocks are Z_v, so the design is v-fold symmetric;
//! - **1-rotational**: the blocks are Z_(v−1) ∪ {∞} (∞ is block index v−1 and
//!   stays fixed), which covers designs with no cyclic form such as the
//!   (8,4,3) design or the affine planes (9,3,1), (16,4,1), (25,5,1).
//!
//! A base block is allowed a *short orbit*: if its finite part is a union of
//! cosets of the subgroup H of order s, only n/s translates are distinct.
//! Without short orbits the booklet count would have to be a multiple of n,
//! which rules out e.g. the 12 booklets of (9,3,1).
//!
//! Balance becomes a counting condition: a pair {x, y} of finite blocks lies
//! together in as many booklets as the difference y − x is produced by the base
//! blocks (divided by the stabiliser order for short orbits), and ∞ meets every
//! finite block once per coset in each ∞-block. The search places coset
//! representatives in increasing order and prunes as soon as any difference is
//! produced more than λ times; when every base block is complete the totals
//! match exactly, so no difference can be short.

use std::cmp::Reverse;

use super::local;

/// Element placements backtracking may try per orbit structure. Enough to
/// settle (find, or prove absent) every case with v ≤ 30 and k ≤ 8 except a
/// few two-block families with large λ, which local search then finds.
const NODES_PER_STRUCTURE: u64 = 300_000;

/// Local-search work a full-orbit structure gets after backtracking ran out
/// of budget (units of about 10 ns, see the `local` module). Two base blocks
/// of 8 over Z_29 (λ = 4) take some 6 million.
const WALK_PER_STRUCTURE: u64 = 15_000_000;

/// Cap on orbit structures listed per booklet count; only large λ (a user
/// raising `max_booklets` far above 2v) reaches it, and then the search is
/// reported as not exhaustive rather than running for minutes.
const MAX_STRUCTURES: usize = 64;

/// Recursion steps allowed while listing orbit structures, for the same reason.
const MAX_STRUCTURE_STEPS: usize = 100_000;

/// What one `generate` call may still spend on the BIB search: the numbers
/// are fixed, not timed, so results never depend on machine speed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    /// Backtracking nodes (about 25 ns each).
    pub(crate) nodes: u64,
    /// Local-search work units (about 10 ns each).
    pub(crate) walk: u64,
}

/// The group a design is developed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Group {
    /// Z_v acting on all blocks.
    Cyclic,
    /// Z_(v−1) acting on the finite blocks, with one fixed block ∞.
    OneRotational,
}

impl Group {
    /// The order n of the cyclic group Z_n the design is developed over.
    fn modulus(self, blocks: usize) -> usize {
        match self {
            Group::Cyclic => blocks,
            Group::OneRotational => blocks - 1,
        }
    }
}

/// The orbit type of one base block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct OrbitType {
    /// Order s of the stabiliser H = ⟨n/s⟩; 1 for a full orbit.
    stabiliser: usize,
    /// Whether the block contains ∞ (1-rotational designs only).
    infinity: bool,
}

impl OrbitType {
    /// Number of H-cosets making up the finite part of the block.
    fn cosets(self, per_booklet: usize) -> usize {
        (per_booklet - usize::from(self.infinity)) / self.stabiliser
    }
}

/// Base blocks found by the search, ready to be developed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Family {
    /// Group the base blocks are developed over.
    pub(crate) group: Group,
    /// Order of the cyclic group; ∞ (if present) is the block with this index.
    pub(crate) modulus: usize,
    /// Base blocks in position order.
    pub(crate) base_blocks: Vec<Vec<usize>>,
    /// Number of distinct translates of each base block.
    pub(crate) orbit_lens: Vec<usize>,
}

impl Family {
    /// All booklets: every base block translated through its orbit, keeping
    /// the element order so that a full orbit visits each position once per
    /// block.
    pub(crate) fn develop(&self) -> Vec<Vec<usize>> {
        let n = self.modulus;
        let mut booklets = Vec::new();
        for (base, &len) in self.base_blocks.iter().zip(&self.orbit_lens) {
            for shift in 0..len {
                booklets.push(base.iter().map(|&x| if x == n { n } else { (x + shift) % n }).collect());
            }
        }
        booklets
    }

    /// Whether developing alone balances positions exactly: only full orbits
    /// without ∞ put every block in every position once per base block.
    pub(crate) fn positions_by_development(&self) -> bool {
        self.group == Group::Cyclic && self.orbit_lens.iter().all(|&len| len == self.modulus)
    }
}

/// Result of searching one booklet count.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// A design was found.
    Found(Family),
    /// None was found; `exhaustive` says whether every orbit structure was
    /// searched to the end (so none of these symmetric forms exists).
    NotFound { exhaustive: bool },
}

/// Searches for a BIB(v, b, r, k, λ) with cyclic or 1-rotational symmetry,
/// spending at most what `budget` holds (decremented by what was used).
///
/// Structures whose development balances positions by itself come first, so a
/// position-balanced cyclic design wins over a 1-rotational one of equal size.
pub(crate) fn search(
    blocks: usize,
    per_booklet: usize,
    booklets: usize,
    lambda: usize,
    budget: &mut Budget,
) -> Outcome {
    let mut exhaustive = true;
    let mut candidates = Vec::new();
    for group in [Group::Cyclic, Group::OneRotational] {
        let (list, complete) = structures(group, blocks, per_booklet, booklets, lambda);
        exhaustive &= complete;
        candidates.extend(list.into_iter().map(|types| (group, types)));
    }
    candidates.sort_by(|(ga, ta), (gb, tb)| {
        let key = |g: &Group, t: &Vec<OrbitType>| {
            let short = t.iter().any(|o| o.stabiliser > 1 || o.infinity);
            (short, t.len(), *g)
        };
        key(ga, ta).cmp(&key(gb, tb)).then_with(|| ta.cmp(tb))
    });
    for (group, types) in candidates {
        let allowance = budget.nodes.min(NODES_PER_STRUCTURE);
        let mut dfs = Dfs::new(group.modulus(blocks), per_booklet, lambda, &types, allowance);
        let step = dfs.run(0);
        budget.nodes -= dfs.nodes;
        match step {
            Step::Found => return Outcome::Found(dfs.family(group)),
            Step::Exhausted => {}
            Step::OutOfBudget => {
                exhaustive = false;
                if let Some(family) = walk(group, blocks, per_booklet, lambda, &types, budget) {
                    return Outcome::Found(family);
                }
            }
        }
    }
    Outcome::NotFound { exhaustive }
}

/// Local search for a structure of full orbits (short orbits are few and
/// small enough for backtracking to settle).
fn walk(
    group: Group,
    blocks: usize,
    per_booklet: usize,
    lambda: usize,
    types: &[OrbitType],
    budget: &mut Budget,
) -> Option<Family> {
    if types.iter().any(|t| t.stabiliser > 1) {
        return None;
    }
    let n = group.modulus(blocks);
    let sizes: Vec<usize> = types.iter().map(|t| t.cosets(per_booklet)).collect();
    let lambda = u32::try_from(lambda).ok()?;
    let problem = local::Problem {
        n,
        sizes: &sizes,
        lo: lambda,
        hi: lambda,
    };
    let mut allowance = budget.walk.min(WALK_PER_STRUCTURE);
    let granted = allowance;
    let found = local::search(&problem, &mut allowance, |sets| {
        sets.iter().all(|set| !stabilised_below(n, set, n))
    });
    budget.walk -= granted - allowance;
    let finite = found?;
    let base_blocks = types
        .iter()
        .zip(finite)
        .map(|(t, set)| {
            if t.infinity {
                std::iter::once(n).chain(set).collect()
            } else {
                set
            }
        })
        .collect();
    Some(Family {
        group,
        modulus: n,
        base_blocks,
        orbit_lens: vec![n; types.len()],
    })
}

/// Whether translating `elements` (a subset of Z_n) by some g that is a
/// proper divisor of n below `span` maps it onto itself, i.e. whether its
/// stabiliser is larger than the subgroup ⟨span⟩.
pub(crate) fn stabilised_below(n: usize, elements: &[usize], span: usize) -> bool {
    let mut member = vec![false; n];
    for &e in elements {
        member[e] = true;
    }
    (1..span)
        .filter(|&g| n.is_multiple_of(g))
        .any(|g| elements.iter().all(|&e| member[(e + g) % n]))
}

/// Divisors of `n` in increasing order.
fn divisors(n: usize) -> Vec<usize> {
    (1..=n).filter(|&d| n.is_multiple_of(d)).collect()
}

/// Lists the multisets of orbit types whose sizes add up to `booklets` and
/// whose difference and ∞ counts add up to what λ demands. Each list is
/// sorted by decreasing stabiliser (the most constrained blocks first, which
/// prunes earliest). The flag is false if a cap cut the listing short.
fn structures(
    group: Group,
    blocks: usize,
    per_booklet: usize,
    booklets: usize,
    lambda: usize,
) -> (Vec<Vec<OrbitType>>, bool) {
    let n = group.modulus(blocks);
    let infinities: &[bool] = match group {
        Group::Cyclic => &[false],
        Group::OneRotational => &[false, true],
    };
    let mut types = Vec::new();
    for s in divisors(n) {
        for &infinity in infinities {
            let finite = per_booklet - usize::from(infinity);
            if !finite.is_multiple_of(s) {
                continue;
            }
            let ty = OrbitType {
                stabiliser: s,
                infinity,
            };
            // Each coset meets ∞ once and produces every element of H \ {0}
            // once, so more than λ cosets there can never balance.
            if (s > 1 || infinity) && ty.cosets(per_booklet) > lambda {
                continue;
            }
            types.push(ty);
        }
    }
    let infinity_pairs = if group == Group::OneRotational { lambda } else { 0 };
    let mut lister = Lister {
        types: &types,
        n,
        per_booklet,
        current: Vec::new(),
        found: Vec::new(),
        steps: 0,
    };
    let complete = lister.list(0, booklets, lambda * (n - 1), infinity_pairs);
    let mut found = lister.found;
    for structure in &mut found {
        structure.sort_by_key(|&t| Reverse(t));
    }
    (found, complete)
}

/// Depth-first lister of orbit structures.
struct Lister<'a> {
    types: &'a [OrbitType],
    n: usize,
    per_booklet: usize,
    current: Vec<OrbitType>,
    found: Vec<Vec<OrbitType>>,
    steps: usize,
}

impl Lister<'_> {
    /// Extends `current` with types from index `from` on; returns false when
    /// a cap stopped the listing.
    fn list(&mut self, from: usize, booklets: usize, differences: usize, infinity: usize) -> bool {
        self.steps += 1;
        if self.steps > MAX_STRUCTURE_STEPS {
            return false;
        }
        if booklets == 0 {
            if differences == 0 && infinity == 0 {
                if self.found.len() == MAX_STRUCTURES {
                    return false;
                }
                self.found.push(self.current.clone());
            }
            return true;
        }
        for index in from..self.types.len() {
            let ty = self.types[index];
            let len = self.n / ty.stabiliser;
            let c = ty.cosets(self.per_booklet);
            let diffs = c * (c * ty.stabiliser - 1);
            let inf = if ty.infinity { c } else { 0 };
            if len > booklets || diffs > differences || inf > infinity {
                continue;
            }
            self.current.push(ty);
            let complete = self.list(index, booklets - len, differences - diffs, infinity - inf);
            self.current.pop();
            if !complete {
                return false;
            }
        }
        true
    }
}

/// How a branch of the search ended.
enum Step {
    Found,
    Exhausted,
    OutOfBudget,
}

/// Backtracking search for base blocks of the given orbit types.
struct Dfs<'a> {
    n: usize,
    per_booklet: usize,
    lambda: u32,
    types: &'a [OrbitType],
    /// Chosen coset representatives per base block, increasing, first is 0
    /// (a base block may be translated freely, so one element can be 0).
    reps: Vec<Vec<usize>>,
    /// How often each difference 1..n has been produced so far.
    count: Vec<u32>,
    /// Differences bumped, so a placement can be undone.
    log: Vec<usize>,
    nodes: u64,
    allowance: u64,
}

impl<'a> Dfs<'a> {
    fn new(n: usize, per_booklet: usize, lambda: usize, types: &'a [OrbitType], allowance: u64) -> Self {
        Dfs {
            n,
            per_booklet,
            lambda: u32::try_from(lambda).unwrap_or(u32::MAX),
            types,
            reps: vec![Vec::new(); types.len()],
            count: vec![0; n],
            log: Vec::new(),
            nodes: 0,
            allowance,
        }
    }

    /// Completes base block `block` and all after it.
    fn run(&mut self, block: usize) -> Step {
        let Some(&ty) = self.types.get(block) else {
            return Step::Found;
        };
        let cosets = ty.cosets(self.per_booklet);
        let pos = self.reps[block].len();
        if pos == cosets {
            if !self.stabiliser_exact(block) {
                return Step::Exhausted;
            }
            return self.run(block + 1);
        }
        let span = self.n / ty.stabiliser;
        let (mut lo, hi) = match self.reps[block].last() {
            None => (0, 0),
            Some(&last) => (last + 1, span - (cosets - pos)),
        };
        // Base blocks of one type are interchangeable: keep them in
        // lexicographic order so each family is visited once, not t! times.
        if block > 0 && self.types[block - 1] == ty && self.reps[block - 1][..pos] == self.reps[block][..] {
            lo = lo.max(self.reps[block - 1][pos]);
        }
        for x in lo..=hi {
            if self.nodes == self.allowance {
                return Step::OutOfBudget;
            }
            self.nodes += 1;
            let mark = self.log.len();
            if self.place(block, x, ty) {
                self.reps[block].push(x);
                match self.run(block) {
                    Step::Exhausted => {}
                    done => return done,
                }
                self.reps[block].pop();
            }
            self.undo(mark);
        }
        Step::Exhausted
    }

    /// Adds the coset `x + H` to base block `block`, counting the new
    /// differences; false as soon as one exceeds λ.
    fn place(&mut self, block: usize, x: usize, ty: OrbitType) -> bool {
        let n = self.n;
        let s = ty.stabiliser;
        let span = n / s;
        for j in 1..s {
            if !self.bump(j * span) {
                return false;
            }
        }
        for i in 0..self.reps[block].len() {
            let e = self.reps[block][i];
            for j in 0..s {
                if !self.bump((x + n - e + j * span) % n) || !self.bump((e + n - x + j * span) % n) {
                    return false;
                }
            }
        }
        true
    }

    fn bump(&mut self, difference: usize) -> bool {
        self.count[difference] += 1;
        self.log.push(difference);
        self.count[difference] <= self.lambda
    }

    fn undo(&mut self, mark: usize) {
        for d in self.log.drain(mark..) {
            self.count[d] -= 1;
        }
    }

    /// The finite elements of a base block, cosets expanded.
    fn elements(&self, block: usize) -> Vec<usize> {
        let s = self.types[block].stabiliser;
        let span = self.n / s;
        self.reps[block]
            .iter()
            .flat_map(|&r| (0..s).map(move |j| r + j * span))
            .collect()
    }

    /// Rejects blocks fixed by more translations than their type says: the
    /// orbit would be shorter than counted and repeat booklets.
    fn stabiliser_exact(&self, block: usize) -> bool {
        let span = self.n / self.types[block].stabiliser;
        !stabilised_below(self.n, &self.elements(block), span)
    }

    fn family(&self, group: Group) -> Family {
        let n = self.n;
        let mut base_blocks = Vec::new();
        let mut orbit_lens = Vec::new();
        for (block, ty) in self.types.iter().enumerate() {
            let mut elements = Vec::with_capacity(self.per_booklet);
            if ty.infinity {
                elements.push(n);
            }
            elements.extend(self.elements(block));
            base_blocks.push(elements);
            orbit_lens.push(n / ty.stabiliser);
        }
        Family {
            group,
            modulus: n,
            base_blocks,
            orbit_lens,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNLIMITED: Budget = Budget {
        nodes: u64::MAX,
        walk: u64::MAX,
    };

    fn found(v: usize, k: usize, b: usize, lambda: usize) -> Family {
        let mut budget = UNLIMITED;
        match search(v, k, b, lambda, &mut budget) {
            Outcome::Found(family) => family,
            Outcome::NotFound { exhaustive } => panic!("({v},{k},{lambda}) b={b} not found, exhaustive={exhaustive}"),
        }
    }

    #[test]
    fn fano_plane_is_a_cyclic_difference_set() {
        let family = found(7, 3, 7, 1);
        assert_eq!(family.group, Group::Cyclic);
        assert_eq!(family.base_blocks, vec![vec![0, 1, 3]]);
        assert!(family.positions_by_development());
        assert_eq!(family.develop()[1], vec![1, 2, 4]);
    }

    #[test]
    fn affine_plane_of_order_three_needs_a_short_orbit() {
        let family = found(9, 3, 12, 1);
        assert_eq!(family.develop().len(), 12);
        assert!(family.orbit_lens.iter().any(|&len| len < family.modulus));
        assert!(!family.positions_by_development());
    }

    #[test]
    fn eight_four_three_is_one_rotational() {
        let family = found(8, 4, 14, 3);
        assert_eq!(family.group, Group::OneRotational);
        assert!(family.base_blocks.iter().any(|b| b.contains(&7)));
    }

    #[test]
    fn biplane_of_order_six_has_no_cyclic_form_and_the_search_says_so() {
        // (22,7,2) violates Bruck–Ryser–Chowla, so the search must run dry.
        let mut budget = UNLIMITED;
        assert!(matches!(
            search(22, 7, 22, 2, &mut budget),
            Outcome::NotFound { exhaustive: true }
        ));
    }

    #[test]
    fn an_empty_budget_is_reported_as_not_exhaustive() {
        let mut budget = Budget { nodes: 0, walk: 0 };
        assert!(matches!(
            search(13, 4, 13, 1, &mut budget),
            Outcome::NotFound { exhaustive: false }
        ));
    }

    #[test]
    fn structures_add_up() {
        let (list, complete) = structures(Group::OneRotational, 16, 4, 20, 1);
        assert!(complete);
        // AG(2,4): {∞ + a coset of order 3} (5 booklets) + one full orbit (15).
        assert!(list.contains(&vec![
            OrbitType {
                stabiliser: 3,
                infinity: true
            },
            OrbitType {
                stabiliser: 1,
                infinity: false
            },
        ]));
    }
}
