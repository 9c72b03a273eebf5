//! Reordering booklets so that every block appears in every position as
//! evenly as possible.
//!
//! Position effects (fatigue, speededness) bias item statistics, so a block
//! should sit in each position equally often. Cyclic development gives that
//! for free; short orbits and the fixed point ∞ of 1-rotational designs do
//! not. Assigning positions is an edge colouring of the bipartite graph
//! booklets × blocks with k colours (the positions): every booklet needs each
//! colour once, every block each colour ⌊r/k⌋ or ⌈r/k⌉ times. Splitting each
//! block's r incidences into chunks of k makes every vertex degree ≤ k, and
//! König's theorem guarantees a proper k-colouring; a full chunk then takes
//! every position once and the last partial chunk distinct positions. This is
//! the classic equitable colouring argument (de Werra), done with
//! alternating-path recolouring.

use super::Design;

/// Reorders every booklet of `design` in place so that each block's count
/// per position differs by at most one (exactly equal when k divides r).
///
/// Requires booklets of equal size without repeated blocks, which every
/// generated design has.
pub(crate) fn balance_positions(design: &mut Design) {
    let Some(k) = design.booklets.first().map(Vec::len) else {
        return;
    };
    debug_assert!(design.booklets.iter().all(|b| b.len() == k));
    // Edges in booklet order; each block's occurrences are cut into chunks
    // of k consecutive occurrences, each chunk a right-hand vertex.
    let mut seen = vec![0usize; design.blocks];
    let mut chunk_base = vec![0usize; design.blocks];
    let mut edges = Vec::new();
    for (booklet, blocks) in design.booklets.iter().enumerate() {
        for &block in blocks {
            edges.push((booklet, block, seen[block] / k));
            seen[block] += 1;
        }
    }
    let mut next = 0;
    for (block, base) in chunk_base.iter_mut().enumerate() {
        *base = next;
        next += seen[block].div_ceil(k);
    }
    let mut colouring = Colouring::new(design.booklets.len(), next, k);
    for (edge, &(booklet, block, chunk)) in edges.iter().enumerate() {
        colouring.add(edge, booklet, chunk_base[block] + chunk);
    }
    for (booklet, blocks) in design.booklets.iter_mut().enumerate() {
        for (position, slot) in blocks.iter_mut().enumerate() {
            if let Some(edge) = colouring.left[booklet * k + position] {
                *slot = edges[edge].1;
            }
        }
    }
}

/// A proper edge colouring of a bipartite multigraph with maximum degree k.
struct Colouring {
    k: usize,
    /// `left[u * k + c]`: edge of colour c at left vertex u.
    left: Vec<Option<usize>>,
    /// `right[w * k + c]`: edge of colour c at right vertex w.
    right: Vec<Option<usize>>,
    /// Endpoints (left, right) of each edge added so far.
    ends: Vec<(usize, usize)>,
}

impl Colouring {
    fn new(left: usize, right: usize, k: usize) -> Self {
        Colouring {
            k,
            left: vec![None; left * k],
            right: vec![None; right * k],
            ends: Vec::new(),
        }
    }

    fn free(slots: &[Option<usize>], vertex: usize, k: usize) -> Option<usize> {
        (0..k).find(|&c| slots[vertex * k + c].is_none())
    }

    /// Colours edge `edge` between `u` and `w`. Both have a free colour
    /// because their degree is at most k; if u's free colour α is taken at w,
    /// the α/β path from w (β free at w) is swapped first. That path never
    /// reaches u — it enters left vertices only along α edges and u has none.
    fn add(&mut self, edge: usize, u: usize, w: usize) {
        let k = self.k;
        self.ends.push((u, w));
        // Degrees are at most k, so both exist; were they missing, the edge
        // would stay uncoloured and `check` would report the booklet.
        let (Some(alpha), Some(beta)) = (Self::free(&self.left, u, k), Self::free(&self.right, w, k)) else {
            return;
        };
        if self.right[w * k + alpha].is_some() {
            let mut path = Vec::new();
            let mut at_right = true;
            let mut vertex = w;
            let mut colour = alpha;
            loop {
                let slots = if at_right { &self.right } else { &self.left };
                let Some(e) = slots[vertex * k + colour] else { break };
                path.push((e, colour));
                let (l, r) = self.ends[e];
                vertex = if at_right { l } else { r };
                at_right = !at_right;
                colour = if colour == alpha { beta } else { alpha };
            }
            for &(e, c) in &path {
                let (l, r) = self.ends[e];
                self.left[l * k + c] = None;
                self.right[r * k + c] = None;
            }
            for &(e, c) in &path {
                let swapped = if c == alpha { beta } else { alpha };
                let (l, r) = self.ends[e];
                self.left[l * k + swapped] = Some(e);
                self.right[r * k + swapped] = Some(e);
            }
        }
        self.left[u * k + alpha] = Some(edge);
        self.right[w * k + alpha] = Some(edge);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position_counts(design: &Design, k: usize) -> Vec<Vec<usize>> {
        let mut table = vec![vec![0; k]; design.blocks];
        for booklet in &design.booklets {
            for (p, &x) in booklet.iter().enumerate() {
                table[x][p] += 1;
            }
        }
        table
    }

    #[test]
    fn all_pairs_of_four_blocks_are_balanced_within_one() {
        // Every block first in all three of its booklets: maximally skewed.
        let mut design = Design {
            blocks: 4,
            booklets: vec![vec![0, 1], vec![0, 2], vec![0, 3], vec![1, 2], vec![1, 3], vec![2, 3]],
        };
        balance_positions(&mut design);
        for row in position_counts(&design, 2) {
            assert!(row.iter().max().unwrap() - row.iter().min().unwrap() <= 1, "{row:?}");
        }
    }

    #[test]
    fn exact_balance_when_k_divides_r() {
        // Each block appears 4 times in booklets of 2: 2 per position.
        let mut design = Design {
            blocks: 3,
            booklets: vec![vec![0, 1], vec![0, 2], vec![1, 2], vec![0, 1], vec![0, 2], vec![1, 2]],
        };
        balance_positions(&mut design);
        assert_eq!(position_counts(&design, 2), vec![vec![2, 2]; 3]);
        let mut sets: Vec<Vec<usize>> = design
            .booklets
            .iter()
            .map(|b| {
                let mut s = b.clone();
                s.sort_unstable();
                s
            })
            .collect();
        sets.sort();
        assert_eq!(
            sets,
            vec![vec![0, 1], vec![0, 1], vec![0, 2], vec![0, 2], vec![1, 2], vec![1, 2]]
        );
    }
}
