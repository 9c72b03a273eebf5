//! Booklet designs: which blocks of items go into which test booklet, and
//! which student gets which booklet.
//!
//! A test has v *blocks* (clusters of items); each student answers one
//! *booklet* of k blocks. For item parameters to land on one scale and for
//! block-level statistics to be comparable, designs should be balanced:
//!
//! - every block in the same number r of booklets (equal precision per block);
//! - every block in every position 1..k equally often (position effects such
//!   as fatigue cancel out);
//! - every pair of blocks together in λ ≥ 1 booklets (pairwise linkage, so a
//!   concurrent IRT calibration is connected and covariances between blocks
//!   are estimable).
//!
//! Such a design is a balanced incomplete block (BIB) design with b booklets,
//! where bk = vr and λ(v − 1) = r(k − 1). [`generate`] searches for one with
//! cyclic or 1-rotational symmetry, smallest b first (see the `orbit`
//! submodule), and falls back to a near-balanced cyclic design with b = v when
//! none is found within [`GenerateOptions::max_booklets`]. [`check()`] validates
//! any design and says what is wrong with it; [`rotate()`] assigns booklets to
//! students reproducibly.

mod check;
mod construction;
mod error;
mod fallback;
mod local;
mod orbit;
mod positions;
mod rotate;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub use check::{DesignReport, check, check_with_labels};
pub use construction::{BaseBlock, BibAttempt, Construction, Generated, PositionBalance};
pub use error::DesignError;
pub use rotate::{StudentSlot, rotate};

/// Most blocks [`generate`] accepts; real assessments use a few dozen, and the
/// bound keeps the search time predictable.
pub const MAX_BLOCKS: usize = 100;

/// Most blocks per booklet [`generate`] accepts; longer booklets exceed any
/// testing session.
pub const MAX_PER_BOOKLET: usize = 12;

/// Most booklets [`GenerateOptions::max_booklets`] may allow.
pub const MAX_BOOKLETS: usize = 500;

/// What the BIB search may spend over all booklet counts of one call
/// (about 0.1 s of backtracking and 0.3 s of local search), so that a call
/// stays under a second.
const BIB_BUDGET: orbit::Budget = orbit::Budget {
    nodes: 4_000_000,
    walk: 30_000_000,
};

/// A booklet design: `booklets[i]` lists the blocks of booklet i in position
/// order, each an index in `0..blocks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Design {
    /// Number of blocks v; blocks are `0..blocks`.
    pub blocks: usize,
    /// Booklets as ordered lists of block indices.
    pub booklets: Vec<Vec<usize>>,
}

impl Design {
    /// Builds a design from booklets written with block labels (as in a
    /// design file), numbering blocks in order of first appearance. Returns
    /// the design and the label of each block index.
    ///
    /// Labels are trimmed. Repeated blocks within a booklet are accepted here
    /// and reported by [`check()`], which explains them better than an error.
    pub fn from_labels<S: AsRef<str>>(booklets: &[Vec<S>]) -> Result<(Design, Vec<String>), DesignError> {
        if booklets.is_empty() {
            return Err(DesignError::NoBooklets);
        }
        let mut labels: Vec<String> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut design = Design {
            blocks: 0,
            booklets: Vec::with_capacity(booklets.len()),
        };
        for (booklet, entries) in booklets.iter().enumerate() {
            if entries.is_empty() {
                return Err(DesignError::EmptyBooklet { booklet });
            }
            let mut row = Vec::with_capacity(entries.len());
            for (position, label) in entries.iter().enumerate() {
                let label = label.as_ref().trim();
                if label.is_empty() {
                    return Err(DesignError::BlankLabel { booklet, position });
                }
                let next = labels.len();
                let id = *index.entry(label.to_string()).or_insert(next);
                if id == next {
                    labels.push(label.to_string());
                }
                row.push(id);
            }
            design.booklets.push(row);
        }
        design.blocks = labels.len();
        Ok((design, labels))
    }
}

/// Options for [`generate`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenerateOptions {
    /// Most booklets a BIB may have before the near-balanced fallback is
    /// used; `None` means 2·v, which admits two cyclic base blocks. Must be at
    /// least v.
    pub max_booklets: Option<usize>,
}

/// Generates a design of `per_booklet` (k) blocks per booklet over `blocks`
/// (v) blocks: the BIB with the fewest booklets (up to `max_booklets`) that
/// the cyclic and 1-rotational searches find, else the near-balanced cyclic
/// fallback with v booklets.
///
/// Requires 2 ≤ k < v (with v = k every booklet would hold every block),
/// v ≤ [`MAX_BLOCKS`], k ≤ [`MAX_PER_BOOKLET`], v ≤ max_booklets ≤
/// [`MAX_BOOKLETS`]. The result is deterministic: the searches are
/// exhaustive within fixed node budgets, never timed.
pub fn generate(blocks: usize, per_booklet: usize, opts: &GenerateOptions) -> Result<Generated, DesignError> {
    let (v, k) = (blocks, per_booklet);
    if k < 2 {
        return Err(DesignError::TooFewPerBooklet { per_booklet: k });
    }
    if k > MAX_PER_BOOKLET {
        return Err(DesignError::TooManyPerBooklet {
            per_booklet: k,
            max: MAX_PER_BOOKLET,
        });
    }
    if v > MAX_BLOCKS {
        return Err(DesignError::TooManyBlocks {
            blocks: v,
            max: MAX_BLOCKS,
        });
    }
    if v <= k {
        return Err(DesignError::NotIncomplete {
            blocks: v,
            per_booklet: k,
        });
    }
    let max_booklets = opts.max_booklets.unwrap_or(2 * v);
    if max_booklets < v {
        return Err(DesignError::TooFewBooklets {
            max_booklets,
            blocks: v,
        });
    }
    if max_booklets > MAX_BOOKLETS {
        return Err(DesignError::TooManyBooklets {
            max_booklets,
            max: MAX_BOOKLETS,
        });
    }

    let mut budget = BIB_BUDGET;
    let mut not_found = Vec::new();
    for b in v..=max_booklets {
        let Some(lambda) = bib_lambda(v, k, b) else {
            continue;
        };
        match orbit::search(v, k, b, lambda, &mut budget) {
            orbit::Outcome::Found(family) => {
                let mut design = Design {
                    blocks: v,
                    booklets: family.develop(),
                };
                let positions_rebalanced = !family.positions_by_development();
                if positions_rebalanced {
                    positions::balance_positions(&mut design);
                }
                let base_blocks = family
                    .base_blocks
                    .iter()
                    .zip(&family.orbit_lens)
                    .map(|(elements, &orbit_len)| BaseBlock {
                        elements: elements.clone(),
                        orbit_len,
                    })
                    .collect();
                let construction = match family.group {
                    orbit::Group::Cyclic => Construction::CyclicDifferenceFamily {
                        base_blocks,
                        lambda,
                        positions_rebalanced,
                    },
                    orbit::Group::OneRotational => Construction::OneRotational { base_blocks, lambda },
                };
                return Ok(finish(design, construction, b * k / v, k));
            }
            orbit::Outcome::NotFound { exhaustive } => not_found.push(BibAttempt {
                booklets: b,
                lambda,
                exhaustive,
            }),
        }
    }

    let near = fallback::near_balanced(v, k);
    let design = Design {
        blocks: v,
        booklets: (0..v)
            .map(|shift| near.base.iter().map(|&x| (x + shift) % v).collect())
            .collect(),
    };
    if near.lambda_min == near.lambda_max {
        // The fallback's local search stumbled on a difference set that the
        // budgeted BIB search missed: call it what it is.
        let construction = Construction::CyclicDifferenceFamily {
            base_blocks: vec![BaseBlock {
                elements: near.base,
                orbit_len: v,
            }],
            lambda: near.lambda_min,
            positions_rebalanced: false,
        };
        return Ok(finish(design, construction, k, k));
    }
    let construction = Construction::NearBalancedCyclic {
        base_block: near.base,
        lambda_min: near.lambda_min,
        lambda_max: near.lambda_max,
        max_booklets,
        not_found,
        exhaustive: near.exhaustive,
    };
    Ok(finish(design, construction, k, k))
}

/// λ of a BIB(v, b, r, k, λ) if b booklets satisfy the counting conditions
/// bk = vr and λ(v − 1) = r(k − 1).
fn bib_lambda(v: usize, k: usize, b: usize) -> Option<usize> {
    if !(b * k).is_multiple_of(v) {
        return None;
    }
    let r = b * k / v;
    if !(r * (k - 1)).is_multiple_of(v - 1) {
        return None;
    }
    Some(r * (k - 1) / (v - 1))
}

/// Attaches the position claim (exact iff k divides r, which the
/// constructions then achieve) and, in debug builds, verifies every claim
/// against [`check()`].
fn finish(design: Design, construction: Construction, r: usize, k: usize) -> Generated {
    let positions = if r.is_multiple_of(k) {
        PositionBalance::Exact
    } else {
        PositionBalance::WithinOne
    };
    debug_assert!(
        {
            let report = check(&design);
            report.is_bib == construction.is_bib()
                && (report.lambda_min, report.lambda_max) == construction.lambda_range()
                && report.connected
                && report.positions_near_balanced
                && report.positions_balanced == (positions == PositionBalance::Exact)
        },
        "generated design does not match its claims: {construction:?}\n{}",
        check(&design)
    );
    Generated {
        design,
        construction,
        positions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_conditions() {
        assert_eq!(bib_lambda(7, 3, 7), Some(1));
        assert_eq!(bib_lambda(14, 4, 14), None);
        assert_eq!(bib_lambda(13, 3, 26), Some(1));
    }

    #[test]
    fn invalid_parameters_are_rejected() {
        let opts = GenerateOptions::default();
        assert_eq!(
            generate(7, 1, &opts).unwrap_err(),
            DesignError::TooFewPerBooklet { per_booklet: 1 }
        );
        assert!(matches!(generate(4, 4, &opts), Err(DesignError::NotIncomplete { .. })));
        assert!(matches!(
            generate(101, 4, &opts),
            Err(DesignError::TooManyBlocks { .. })
        ));
        assert!(matches!(
            generate(20, 13, &opts),
            Err(DesignError::TooManyPerBooklet { .. })
        ));
        let few = GenerateOptions { max_booklets: Some(6) };
        assert!(matches!(generate(7, 3, &few), Err(DesignError::TooFewBooklets { .. })));
        let many = GenerateOptions {
            max_booklets: Some(MAX_BOOKLETS + 1),
        };
        assert!(matches!(
            generate(7, 3, &many),
            Err(DesignError::TooManyBooklets { .. })
        ));
    }

    #[test]
    fn from_labels_numbers_blocks_by_first_appearance() {
        let (design, labels) = Design::from_labels(&[vec!["R1", "M2"], vec![" M2 ", "S1"]]).unwrap();
        assert_eq!(labels, vec!["R1", "M2", "S1"]);
        assert_eq!(design.booklets, vec![vec![0, 1], vec![1, 2]]);
        assert_eq!(design.blocks, 3);
    }

    #[test]
    fn from_labels_errors() {
        let none: [Vec<String>; 0] = [];
        assert_eq!(Design::from_labels(&none).unwrap_err(), DesignError::NoBooklets);
        let empty = [vec!["A"], vec![]];
        assert_eq!(
            Design::from_labels(&empty).unwrap_err(),
            DesignError::EmptyBooklet { booklet: 1 }
        );
        assert_eq!(
            Design::from_labels(&[vec!["A", "  "]]).unwrap_err().to_string(),
            "booklet 1, position 2: the block label is blank"
        );
    }

    #[test]
    fn construction_explains_the_fallback() {
        let generated = generate(14, 4, &GenerateOptions::default()).unwrap();
        let text = generated.construction.to_string();
        assert!(text.contains("b = 21 (λ = 2)") || text.contains("no BIB"), "{text}");
        assert!(text.contains("near-balanced"), "{text}");
    }
}
