//! Errors for booklet design generation, parsing and rotation.
//!
//! Indices stored in the variants are 0-based like the rest of the API; the
//! messages number booklets and positions from 1 because they are read by
//! people looking at a design file, where the first booklet is "booklet 1".

use thiserror::Error;

/// Why a design could not be generated, read or rotated.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DesignError {
    /// Fewer than two blocks per booklet link no blocks at all.
    #[error(
        "a booklet must hold at least 2 blocks (got {per_booklet}); with one block per booklet no two blocks are ever linked"
    )]
    TooFewPerBooklet {
        /// The requested number of blocks per booklet.
        per_booklet: usize,
    },
    /// Booklet length beyond what assessments use; also bounds the search.
    #[error("at most {max} blocks per booklet are supported (got {per_booklet})")]
    TooManyPerBooklet {
        /// The requested number of blocks per booklet.
        per_booklet: usize,
        /// The supported maximum.
        max: usize,
    },
    /// With v ≤ k there is nothing incomplete about the design.
    #[error(
        "need more blocks than blocks per booklet (got {blocks} blocks, {per_booklet} per booklet); \
         with that many every booklet would hold every block, so only the block order could vary"
    )]
    NotIncomplete {
        /// The requested number of blocks.
        blocks: usize,
        /// The requested number of blocks per booklet.
        per_booklet: usize,
    },
    /// Too many blocks for the bounded search (and for any real test).
    #[error("at most {max} blocks are supported (got {blocks})")]
    TooManyBlocks {
        /// The requested number of blocks.
        blocks: usize,
        /// The supported maximum.
        max: usize,
    },
    /// Every balanced design needs at least v booklets.
    #[error(
        "max_booklets = {max_booklets} is below the number of blocks ({blocks}): a balanced design needs at least \
         as many booklets as blocks (Fisher's inequality), and the near-balanced fallback uses exactly that many"
    )]
    TooFewBooklets {
        /// The requested cap on booklets.
        max_booklets: usize,
        /// The requested number of blocks.
        blocks: usize,
    },
    /// A cap on booklets that would make the search unbounded in practice.
    #[error("max_booklets = {max_booklets} exceeds the supported maximum of {max}")]
    TooManyBooklets {
        /// The requested cap on booklets.
        max_booklets: usize,
        /// The supported maximum.
        max: usize,
    },
    /// A design file without booklets.
    #[error("the design lists no booklets")]
    NoBooklets,
    /// A booklet without blocks cannot be administered.
    #[error("booklet {} lists no blocks", .booklet + 1)]
    EmptyBooklet {
        /// 0-based index of the booklet.
        booklet: usize,
    },
    /// A blank block label is almost certainly a typo in the design file.
    #[error("booklet {}, position {}: the block label is blank", .booklet + 1, .position + 1)]
    BlankLabel {
        /// 0-based index of the booklet.
        booklet: usize,
        /// 0-based position within the booklet.
        position: usize,
    },
    /// Students cannot be spread over zero booklets.
    #[error("cannot rotate students over zero booklets")]
    NothingToRotate,
    /// The same student listed twice would get two booklets.
    #[error("student {student:?} is listed more than once in school {school:?}, class {class:?}")]
    DuplicateStudent {
        /// The school id.
        school: String,
        /// The class id.
        class: String,
        /// The student id.
        student: String,
    },
}
