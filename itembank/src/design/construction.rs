//! What `generate` returns: the design plus an honest account of how it was
//! built, kept apart so the claims can be read (and printed by the CLI)
//! without the search code.

use std::fmt;

use serde::Serialize;

use super::Design;

/// One base block of a generated design.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaseBlock {
    /// Elements in position order; in a 1-rotational design the fixed block
    /// ∞ is the last block index, v − 1.
    pub elements: Vec<usize>,
    /// Number of booklets it develops into (less than the group order for a
    /// block fixed by a subgroup of translations).
    pub orbit_len: usize,
}

/// BIB parameters that were admissible but not realised by the search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BibAttempt {
    /// Booklet count b.
    pub booklets: usize,
    /// λ a BIB with b booklets would have.
    pub lambda: usize,
    /// Every cyclic and 1-rotational structure was searched to the end, so
    /// no BIB with this symmetry exists (one without it still might); false
    /// when the node budget ran out first.
    pub exhaustive: bool,
}

/// How a design was built, and why that way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Construction {
    /// A BIB from base blocks over Z_v developed cyclically (a cyclic
    /// difference family; with one base block, a difference set). The
    /// booklets are the translates in order, block order kept, unless
    /// `positions_rebalanced`.
    CyclicDifferenceFamily {
        /// The base blocks.
        base_blocks: Vec<BaseBlock>,
        /// Booklets shared by every pair of blocks.
        lambda: usize,
        /// Some base block has a short orbit, which does not visit every
        /// position evenly, so the blocks within each booklet were reordered.
        positions_rebalanced: bool,
    },
    /// A BIB from base blocks over Z_(v−1) ∪ {∞}, ∞ being block v − 1. The
    /// booklets are the translates in order, but the blocks within each were
    /// reordered for position balance, since ∞ never moves.
    OneRotational {
        /// The base blocks.
        base_blocks: Vec<BaseBlock>,
        /// Booklets shared by every pair of blocks.
        lambda: usize,
    },
    /// Not a BIB: one base block over Z_v chosen for connected, near-equal
    /// pair counts, used because no BIB was found within `max_booklets`.
    NearBalancedCyclic {
        /// The base block, developed into v booklets.
        base_block: Vec<usize>,
        /// Fewest booklets any pair of blocks shares.
        lambda_min: usize,
        /// Most booklets any pair of blocks shares.
        lambda_max: usize,
        /// The booklet cap that excluded a BIB.
        max_booklets: usize,
        /// Admissible BIB sizes within the cap that were searched in vain;
        /// empty when no b ≤ `max_booklets` makes r and λ integers.
        not_found: Vec<BibAttempt>,
        /// The base block is the best by the documented ranking (connected,
        /// all pairs covered if possible, least spread, lexicographically
        /// smallest); false when the node budget cut the search short.
        exhaustive: bool,
    },
}

impl Construction {
    /// The smallest and largest number of booklets a pair of blocks shares.
    pub fn lambda_range(&self) -> (usize, usize) {
        match self {
            Construction::CyclicDifferenceFamily { lambda, .. } | Construction::OneRotational { lambda, .. } => {
                (*lambda, *lambda)
            }
            Construction::NearBalancedCyclic {
                lambda_min, lambda_max, ..
            } => (*lambda_min, *lambda_max),
        }
    }

    /// Whether the design is a balanced incomplete block design.
    pub fn is_bib(&self) -> bool {
        !matches!(self, Construction::NearBalancedCyclic { .. })
    }
}

impl fmt::Display for Construction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let blocks = |base: &[BaseBlock], infinity: Option<usize>| {
            base.iter()
                .map(|b| {
                    let elements: Vec<String> = b
                        .elements
                        .iter()
                        .map(|&x| {
                            if Some(x) == infinity {
                                "∞".to_string()
                            } else {
                                x.to_string()
                            }
                        })
                        .collect();
                    format!("{{{}}} ×{}", elements.join(", "), b.orbit_len)
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Construction::CyclicDifferenceFamily {
                base_blocks,
                lambda,
                positions_rebalanced,
            } => {
                let rebalanced = if *positions_rebalanced {
                    "; positions rebalanced afterwards"
                } else {
                    ""
                };
                write!(
                    f,
                    "BIB with λ = {lambda}: cyclic difference family over Z_v, base blocks {} \
                     (each developed by adding 1, 2, … mod v; ×n = booklets it yields{rebalanced})",
                    blocks(base_blocks, None)
                )
            }
            Construction::OneRotational { base_blocks, lambda } => {
                let infinity = base_blocks.iter().flat_map(|b| b.elements.iter()).copied().max();
                write!(
                    f,
                    "BIB with λ = {lambda}: 1-rotational design over Z_(v−1) ∪ {{∞}} (∞ = block {}), base blocks {} \
                     (∞ stays fixed when developing; positions rebalanced afterwards)",
                    infinity.unwrap_or(0),
                    blocks(base_blocks, infinity)
                )
            }
            Construction::NearBalancedCyclic {
                base_block,
                lambda_min,
                lambda_max,
                max_booklets,
                not_found,
                exhaustive,
            } => {
                if not_found.is_empty() {
                    write!(
                        f,
                        "no BIB has at most {max_booklets} booklets (r = bk/v and λ = r(k−1)/(v−1) are never both whole numbers)"
                    )?;
                } else {
                    let tried: Vec<String> = not_found
                        .iter()
                        .map(|a| {
                            let how = if a.exhaustive {
                                "none exists"
                            } else {
                                "search budget ran out"
                            };
                            format!("b = {} (λ = {}): {how}", a.booklets, a.lambda)
                        })
                        .collect();
                    write!(
                        f,
                        "no cyclic or 1-rotational BIB found with at most {max_booklets} booklets ({})",
                        tried.join("; ")
                    )?;
                }
                let elements: Vec<String> = base_block.iter().map(usize::to_string).collect();
                let optimal = if *exhaustive {
                    ""
                } else {
                    " (best found within the search budget)"
                };
                write!(
                    f,
                    "; near-balanced cyclic design instead: base block {{{}}} developed mod v, \
                     pairs share {lambda_min} to {lambda_max} booklets{optimal}",
                    elements.join(", ")
                )
            }
        }
    }
}

/// How evenly a generated design spreads each block over positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PositionBalance {
    /// Every block appears in every position r/k times.
    Exact,
    /// k does not divide r, so exactness is impossible; each block's counts
    /// per position differ by at most one.
    WithinOne,
}

/// A generated design with an account of how it was built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Generated {
    /// The design.
    pub design: Design,
    /// How it was built and why; its λ claims hold (see [`check()`](super::check())).
    pub construction: Construction,
    /// Position balance the design achieves.
    pub positions: PositionBalance,
}
