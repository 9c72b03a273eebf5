//! Validation of any booklet design, generated or hand-made.
//!
//! Designs arrive from files written by people, so `check` never assumes the
//! invariants a generator would guarantee: it tolerates out-of-range indices,
//! repeated blocks and unequal booklets, counts what is there, and says in
//! plain words what is wrong.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::Serialize;

use super::Design;

/// How many examples a problem line lists before summarising the rest.
const EXAMPLES: usize = 5;

/// What `check` found out about a design.
///
/// In the `problems` text and the `Display` output, blocks are named by their
/// label (their 0-based index when checked without labels) and booklets and
/// positions are numbered from 1, as a person counts them in a design file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DesignReport {
    /// Number of booklets (b).
    pub booklets: usize,
    /// Number of blocks (v).
    pub blocks: usize,
    /// Smallest booklet length (k if all are equal).
    pub booklet_size_min: usize,
    /// Largest booklet length.
    pub booklet_size_max: usize,
    /// Fewest booklets any block appears in (r if all are equal).
    pub block_frequency_min: usize,
    /// Most booklets any block appears in.
    pub block_frequency_max: usize,
    /// `position_counts[block][position]`: how often the block sits at that
    /// position (0-based), over positions up to the longest booklet.
    pub position_counts: Vec<Vec<usize>>,
    /// Smallest entry of `position_counts`.
    pub position_min: usize,
    /// Largest entry of `position_counts`.
    pub position_max: usize,
    /// Every block sits in every position equally often.
    pub positions_balanced: bool,
    /// Every block is spread over the positions as evenly as its frequency
    /// allows: equal counts when k divides it, counts differing by one
    /// otherwise (booklets of equal length required).
    pub positions_near_balanced: bool,
    /// Fewest booklets any pair of distinct blocks shares (λ if all equal).
    pub lambda_min: usize,
    /// Most booklets any pair of distinct blocks shares.
    pub lambda_max: usize,
    /// Pairs of blocks that never share a booklet.
    pub pairs_never_together: usize,
    /// Number of connected components of the linkage graph (blocks joined
    /// when they share a booklet); unused blocks are components of their own.
    pub components: usize,
    /// The linkage graph is connected, so a concurrent calibration puts all
    /// blocks on one scale.
    pub connected: bool,
    /// `(booklet, block)` for each block repeated within a booklet.
    pub duplicates: Vec<(usize, usize)>,
    /// `(booklet, index)` for each entry not below `blocks`.
    pub out_of_range: Vec<(usize, usize)>,
    /// A balanced incomplete block design: equal booklets of k < v distinct
    /// blocks, every block in r booklets, every pair in λ ≥ 1 booklets.
    pub is_bib: bool,
    /// Everything that keeps the design from being a position-balanced BIB,
    /// in English.
    pub problems: Vec<String>,
}

/// Checks `design`, naming blocks by their index.
pub fn check(design: &Design) -> DesignReport {
    check_with_labels(design, &[])
}

/// Checks `design`, naming block `i` by `labels[i]` in the problem text
/// (by its index where no label is given).
pub fn check_with_labels(design: &Design, labels: &[String]) -> DesignReport {
    let v = design.blocks;
    let name = |i: usize| labels.get(i).cloned().unwrap_or_else(|| i.to_string());
    let mut problems = Vec::new();

    let sizes = design.booklets.iter().map(Vec::len);
    let booklet_size_min = sizes.clone().min().unwrap_or(0);
    let booklet_size_max = sizes.max().unwrap_or(0);
    let width = booklet_size_max;

    let mut frequency = vec![0usize; v];
    let mut position_counts = vec![vec![0usize; width]; v];
    // Sparse, so memory follows the booklets rather than v²: a design file
    // may declare many blocks.
    let mut pair_counts: HashMap<(usize, usize), usize> = HashMap::new();
    let mut duplicates = Vec::new();
    let mut out_of_range = Vec::new();
    let mut links = UnionFind::new(v);
    for (b, booklet) in design.booklets.iter().enumerate() {
        let mut present: Vec<usize> = Vec::with_capacity(booklet.len());
        for (p, &x) in booklet.iter().enumerate() {
            if x >= v {
                out_of_range.push((b, x));
                continue;
            }
            frequency[x] += 1;
            position_counts[x][p] += 1;
            if present.contains(&x) {
                if !duplicates.contains(&(b, x)) {
                    duplicates.push((b, x));
                }
            } else {
                present.push(x);
            }
        }
        present.sort_unstable();
        for (i, &x) in present.iter().enumerate() {
            for &y in &present[i + 1..] {
                *pair_counts.entry((x, y)).or_insert(0) += 1;
            }
            if let Some(&first) = present.first() {
                links.join(first, x);
            }
        }
    }

    if design.booklets.is_empty() {
        problems.push("the design has no booklets".to_string());
    }
    for (b, booklet) in design.booklets.iter().enumerate() {
        if booklet.is_empty() {
            problems.push(format!("booklet {} is empty", b + 1));
        }
    }
    for &(b, x) in &out_of_range {
        problems.push(format!(
            "booklet {} refers to block index {x}, but the design has only {v} blocks",
            b + 1
        ));
    }
    for &(b, x) in &duplicates {
        let times = design.booklets[b].iter().filter(|&&y| y == x).count();
        problems.push(format!("booklet {} holds block {} {times} times", b + 1, name(x)));
    }
    if booklet_size_min != booklet_size_max {
        problems.push(format!(
            "booklets hold between {booklet_size_min} and {booklet_size_max} blocks"
        ));
    }

    let block_frequency_min = frequency.iter().copied().min().unwrap_or(0);
    let block_frequency_max = frequency.iter().copied().max().unwrap_or(0);
    if block_frequency_min != block_frequency_max {
        problems.extend(frequency_problems(&frequency, &name));
    }

    let cells = position_counts.iter().flatten().copied();
    let position_min = cells.clone().min().unwrap_or(0);
    let position_max = cells.max().unwrap_or(0);
    let positions_balanced = position_min == position_max;
    let uneven: Vec<usize> = (0..v)
        .filter(|&x| {
            let row = &position_counts[x];
            let spread = row.iter().max().unwrap_or(&0) - row.iter().min().unwrap_or(&0);
            let unavoidable = usize::from(width > 0 && !frequency[x].is_multiple_of(width));
            spread > unavoidable
        })
        .collect();
    let positions_near_balanced = uneven.is_empty() && booklet_size_min == booklet_size_max;
    for &x in uneven.iter().take(EXAMPLES) {
        let row: Vec<String> = position_counts[x].iter().map(usize::to_string).collect();
        problems.push(format!(
            "block {} is unevenly placed: positions 1–{width} hold it {} times",
            name(x),
            row.join(", ")
        ));
    }
    if uneven.len() > EXAMPLES {
        let more = uneven.len() - EXAMPLES;
        let noun = if more == 1 { "block" } else { "blocks" };
        problems.push(format!("… and {more} more unevenly placed {noun}"));
    }

    let pairs = v * v.saturating_sub(1) / 2;
    let pairs_never_together = pairs - pair_counts.len();
    let lambda_max = pair_counts.values().copied().max().unwrap_or(0);
    let lambda_min = if pairs_never_together > 0 {
        0
    } else {
        pair_counts.values().copied().min().unwrap_or(0)
    };
    if pairs_never_together > 0 {
        let mut examples = Vec::new();
        'outer: for x in 0..v {
            for y in x + 1..v {
                if !pair_counts.contains_key(&(x, y)) {
                    examples.push(format!("{}–{}", name(x), name(y)));
                    if examples.len() == EXAMPLES {
                        break 'outer;
                    }
                }
            }
        }
        problems.push(format!(
            "{pairs_never_together} of {} pairs of blocks never share a booklet, e.g. {}",
            pairs,
            examples.join(", ")
        ));
    }
    // With pairs missing, the line above already says linkage is unequal.
    if pairs_never_together == 0 && lambda_min != lambda_max {
        problems.push(format!(
            "pairs of blocks share between {lambda_min} and {lambda_max} booklets, so pairwise linkage is unequal"
        ));
    }

    let groups = links.groups();
    let components = groups.len();
    let connected = components == 1;
    if components > 1 {
        let shown: Vec<String> = groups
            .iter()
            .take(3)
            .map(|g| {
                let mut names: Vec<String> = g.iter().take(8).map(|&x| name(x)).collect();
                if g.len() > 8 {
                    names.push("…".to_string());
                }
                format!("{{{}}}", names.join(", "))
            })
            .collect();
        let more = if components > 3 { " and more" } else { "" };
        problems.push(format!(
            "the blocks fall into {components} groups that share no booklet: {}{more}",
            shown.join(", ")
        ));
    }

    let is_bib = !design.booklets.is_empty()
        && booklet_size_min == booklet_size_max
        && booklet_size_min >= 2
        && booklet_size_min < v
        && out_of_range.is_empty()
        && duplicates.is_empty()
        && block_frequency_min == block_frequency_max
        && lambda_min == lambda_max
        && lambda_min >= 1;

    DesignReport {
        booklets: design.booklets.len(),
        blocks: v,
        booklet_size_min,
        booklet_size_max,
        block_frequency_min,
        block_frequency_max,
        position_counts,
        position_min,
        position_max,
        positions_balanced,
        positions_near_balanced,
        lambda_min,
        lambda_max,
        pairs_never_together,
        components,
        connected,
        duplicates,
        out_of_range,
        is_bib,
        problems,
    }
}

/// Describes blocks whose frequency differs from the most common one, e.g.
/// "block 5 appears 2 times; most blocks appear 3 times".
fn frequency_problems(frequency: &[usize], name: &dyn Fn(usize) -> String) -> Vec<String> {
    let mut by_count: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (x, &f) in frequency.iter().enumerate() {
        by_count.entry(f).or_default().push(x);
    }
    // The most common frequency (the larger one on ties) is the reference.
    let Some(usual) = by_count
        .iter()
        .max_by_key(|(count, blocks)| (blocks.len(), **count))
        .map(|(count, _)| *count)
    else {
        return Vec::new();
    };
    by_count
        .iter()
        .filter(|(count, _)| **count != usual)
        .map(|(&count, blocks)| {
            let mut names: Vec<String> = blocks.iter().take(EXAMPLES).map(|&x| name(x)).collect();
            if blocks.len() > EXAMPLES {
                names.push(format!("and {} more", blocks.len() - EXAMPLES));
            }
            let (noun, verb) = if blocks.len() == 1 {
                ("block", "appears")
            } else {
                ("blocks", "appear")
            };
            let how = if count == 0 {
                "in no booklet".to_string()
            } else {
                times(count)
            };
            format!(
                "{noun} {} {verb} {how}; most blocks appear {}",
                names.join(", "),
                times(usual)
            )
        })
        .collect()
}

fn times(n: usize) -> String {
    if n == 1 {
        "once".to_string()
    } else {
        format!("{n} times")
    }
}

/// Disjoint sets over blocks, for the linkage graph.
struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    fn root(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn join(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.root(a), self.root(b));
        self.parent[ra.max(rb)] = ra.min(rb);
    }

    /// Components as sorted block lists, ordered by their smallest block.
    fn groups(&mut self) -> Vec<Vec<usize>> {
        let mut by_root: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for x in 0..self.parent.len() {
            let r = self.root(x);
            by_root.entry(r).or_default().push(x);
        }
        by_root.into_values().collect()
    }
}

impl fmt::Display for DesignReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let range = |lo: usize, hi: usize| {
            if lo == hi {
                lo.to_string()
            } else {
                format!("{lo} to {hi}")
            }
        };
        writeln!(f, "booklets (b):            {}", self.booklets)?;
        writeln!(f, "blocks (v):              {}", self.blocks)?;
        let unequal = |lo: usize, hi: usize| if lo == hi { "" } else { " (unequal)" };
        writeln!(
            f,
            "blocks per booklet (k):  {}{}",
            range(self.booklet_size_min, self.booklet_size_max),
            unequal(self.booklet_size_min, self.booklet_size_max)
        )?;
        writeln!(
            f,
            "booklets per block (r):  {}{}",
            range(self.block_frequency_min, self.block_frequency_max),
            unequal(self.block_frequency_min, self.block_frequency_max)
        )?;
        let pairs = self.blocks * self.blocks.saturating_sub(1) / 2;
        if pairs == 0 {
            writeln!(f, "booklets per pair (λ):   no pairs (fewer than two blocks)")?;
        } else if self.pairs_never_together == 0 {
            writeln!(
                f,
                "booklets per pair (λ):   {}",
                range(self.lambda_min, self.lambda_max)
            )?;
        } else {
            writeln!(
                f,
                "booklets per pair (λ):   {}; {} of {pairs} pairs never share a booklet",
                range(self.lambda_min, self.lambda_max),
                self.pairs_never_together
            )?;
        }
        let per_position = if self.position_min == self.position_max {
            times(self.position_min)
        } else {
            format!("{} to {} times", self.position_min, self.position_max)
        };
        let positions = if self.positions_balanced {
            format!("balanced: every block {per_position} in each position")
        } else if self.positions_near_balanced {
            format!(
                "balanced within one: {per_position} per block and position \
                 (exact balance needs r to be a multiple of k)"
            )
        } else {
            format!("unbalanced: {per_position} per block and position")
        };
        writeln!(f, "positions:               {positions}")?;
        if self.connected {
            writeln!(f, "linkage:                 connected")?;
        } else {
            writeln!(
                f,
                "linkage:                 NOT connected ({} groups of blocks share no booklet)",
                self.components
            )?;
        }
        let verdict = if self.is_bib { "yes" } else { "no" };
        writeln!(f, "balanced incomplete block design: {verdict}")?;
        if self.problems.is_empty() {
            write!(f, "problems: none")
        } else {
            write!(f, "problems:")?;
            for problem in &self.problems {
                write!(f, "\n  - {problem}")?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fano() -> Design {
        Design {
            blocks: 7,
            booklets: (0..7).map(|i| vec![i, (i + 1) % 7, (i + 3) % 7]).collect(),
        }
    }

    #[test]
    fn fano_plane_is_a_balanced_bib() {
        let report = check(&fano());
        assert!(report.is_bib);
        assert!(report.positions_balanced);
        assert!(report.connected);
        assert_eq!((report.lambda_min, report.lambda_max), (1, 1));
        assert_eq!((report.block_frequency_min, report.block_frequency_max), (3, 3));
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        let text = report.to_string();
        assert!(text.contains("booklets (b):            7"), "{text}");
        assert!(text.ends_with("problems: none"), "{text}");
    }

    #[test]
    fn out_of_range_and_empty_booklets_are_reported_not_panicked_on() {
        let design = Design {
            blocks: 3,
            booklets: vec![vec![0, 1, 9], vec![]],
        };
        let report = check(&design);
        assert_eq!(report.out_of_range, vec![(0, 9)]);
        assert!(!report.is_bib);
        assert!(report.problems.iter().any(|p| p == "booklet 2 is empty"));
        assert!(report.problems.iter().any(|p| p.contains("block index 9")));
    }

    #[test]
    fn labels_name_blocks_in_problems() {
        let design = Design {
            blocks: 3,
            booklets: vec![vec![0, 0], vec![1, 2]],
        };
        let labels = ["M1", "M2", "R1"].map(String::from);
        let report = check_with_labels(&design, &labels);
        assert!(report.problems.iter().any(|p| p == "booklet 1 holds block M1 2 times"));
        assert!(report.problems.iter().any(|p| p.contains("M1–M2")));
    }

    #[test]
    fn the_usual_frequency_is_the_reference() {
        let freq = [3, 3, 3, 2, 3, 0];
        let lines = frequency_problems(&freq, &|i: usize| i.to_string());
        assert_eq!(
            lines,
            vec![
                "block 5 appears in no booklet; most blocks appear 3 times".to_string(),
                "block 3 appears 2 times; most blocks appear 3 times".to_string(),
            ]
        );
    }

    #[test]
    fn empty_design_is_not_a_bib() {
        let report = check(&Design {
            blocks: 0,
            booklets: Vec::new(),
        });
        assert!(!report.is_bib && !report.connected);
        assert_eq!(report.problems, vec!["the design has no booklets".to_string()]);
    }
}
