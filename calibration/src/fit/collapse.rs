//! mirt's collapsing of sparse S-X² tables (`collapseCells` in mirt's `R/utils.R`),
//! step for step; with it, S-X² reproduces mirt 1.45.1 on all 17 reference fits to
//! 1e-10 (tests/itemfit_mirt.rs).
//!
//! An S-X² table has one row per summed score (1 … max − 1) and one column per
//! category of the item. mirt merges rows and categories until expected counts
//! reach `mincell`; the result (cells, hence df and the statistic) depends on every
//! detail of the order, so the steps below follow mirt's code literally — including
//! two quirks that a clean-room version would not have, kept so that our figures are
//! mirt's:
//!
//! * the "which rows need collapsing across categories" mask is computed *before*
//!   rows with a single observation are merged, and then indexed by the new row
//!   numbers;
//! * collapsing across categories packs the remaining cells of a row to the left
//!   (so after that, a column no longer means one category).
//!
//! Where mirt's R code would fail or end with fewer than two rows or columns (its
//! statistic is then `NA`), this returns why instead.

/// A table after collapsing: observed counts and expected counts, `None` where mirt
/// has `NA` (cells whose expected count is exactly zero, i.e. no cell at all).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Cells {
    pub observed: Vec<Vec<f64>>,
    pub expected: Vec<Vec<Option<f64>>>,
}

/// Why a table could not be collapsed into a usable one.
pub(super) const TOO_SPARSE: &str =
    "too few persons per summed score: after mirt's collapsing fewer than two score groups or categories remain";

/// A two-way table stored by rows, observed and expected side by side.
struct Table {
    o: Vec<Vec<f64>>,
    e: Vec<Vec<f64>>,
}

impl Table {
    fn rows(&self) -> usize {
        self.e.len()
    }

    fn cols(&self) -> usize {
        self.e.first().map_or(0, Vec::len)
    }

    /// Adds row `from` into row `into` (both tables); `from` stays in place.
    fn add_row(&mut self, from: usize, into: usize) {
        for c in 0..self.cols() {
            let (o, e) = (self.o[from][c], self.e[from][c]);
            self.o[into][c] += o;
            self.e[into][c] += e;
        }
    }

    fn remove_rows(&mut self, remove: &[bool]) {
        let keep = |v: &mut Vec<Vec<f64>>| {
            let mut r = 0;
            v.retain(|_| {
                r += 1;
                !remove[r - 1]
            });
        };
        keep(&mut self.o);
        keep(&mut self.e);
    }

    /// Adds column `from` into column `into`; `from` stays in place.
    fn add_col(&mut self, from: usize, into: usize) {
        for r in 0..self.rows() {
            self.o[r][into] += self.o[r][from];
            self.e[r][into] += self.e[r][from];
        }
    }

    fn remove_cols(&mut self, remove: &[bool]) {
        for row in self.o.iter_mut().chain(self.e.iter_mut()) {
            let mut c = 0;
            row.retain(|_| {
                c += 1;
                !remove[c - 1]
            });
        }
    }

    fn observed_in_row(&self, r: usize) -> f64 {
        self.o[r].iter().sum()
    }
}

/// Collapses one item's table; `expected` is `None` for impossible cells (a summed
/// score that cannot occur with that category). Rows must be non-empty and all of
/// the same length.
pub(super) fn collapse(
    observed: Vec<Vec<f64>>,
    expected: Vec<Vec<Option<f64>>>,
    mincell: f64,
) -> Result<Cells, &'static str> {
    // Rows with impossible cells: the lowest and the highest scores of a polytomous item.
    let impossible: Vec<usize> = (0..expected.len())
        .filter(|&r| expected[r].iter().any(Option::is_none))
        .collect();
    let mut t = Table {
        o: observed,
        e: expected
            .into_iter()
            .map(|row| row.into_iter().map(|x| x.unwrap_or(0.0)).collect())
            .collect(),
    };
    merge_impossible_rows(&mut t, &impossible)?;
    if t.rows() == 0 {
        return Err(TOO_SPARSE);
    }

    // Drop empty score groups, then fold score groups of one person into the next.
    let empty: Vec<bool> = (0..t.rows()).map(|r| t.observed_in_row(r) == 0.0).collect();
    t.remove_rows(&empty);
    if t.rows() < 2 {
        return Err(TOO_SPARSE);
    }
    let small: Vec<Vec<bool>> =
        t.e.iter()
            .map(|row| row.iter().map(|&e| e < mincell).collect())
            .collect();
    let mut single = vec![false; t.rows()];
    let rows = t.rows();
    for (r, flag) in single.iter_mut().enumerate().take(rows - 1) {
        if t.observed_in_row(r) == 1.0 {
            *flag = true;
            t.add_row(r, r + 1);
        }
    }
    t.remove_rows(&single);
    if t.rows() < 2 {
        return Err(TOO_SPARSE);
    }
    let last = t.rows() - 1;
    if t.observed_in_row(last) == 1.0 {
        t.add_row(last, last - 1);
        let mut remove = vec![false; t.rows()];
        remove[last] = true;
        t.remove_rows(&remove);
        if t.rows() < 2 {
            return Err(TOO_SPARSE);
        }
    }

    if t.cols() > 2 {
        collapse_across(&mut t, &small, mincell);
        // Fold the highest column into its neighbour while its total is rare.
        while t.cols() > 2 {
            let threshold = mincell * (t.rows() as f64 * 0.1).ceil();
            let c = t.cols() - 1;
            let total: f64 = t.e.iter().map(|row| row[c]).sum();
            if total >= threshold {
                break;
            }
            t.add_col(c, c - 1);
            let mut remove = vec![false; t.cols()];
            remove[c] = true;
            t.remove_cols(&remove);
        }
    }
    // Columns with expected counts in under 5% of the rows go into their left neighbour.
    let mut rare = vec![false; t.cols()];
    for c in (1..t.cols()).rev() {
        let present = t.e.iter().filter(|row| row[c] > 0.0).count() as f64;
        if present / (t.rows() as f64) < 0.05 {
            rare[c] = true;
            t.add_col(c, c - 1);
        }
    }
    t.remove_cols(&rare);
    if t.cols() < 2 {
        return Err(TOO_SPARSE);
    }

    merge_small_rows(&mut t, mincell);
    if t.rows() < 2 {
        return Err(TOO_SPARSE);
    }
    Ok(Cells {
        expected: t
            .e
            .into_iter()
            .map(|row| row.into_iter().map(|e| (e != 0.0).then_some(e)).collect())
            .collect(),
        observed: t.o,
    })
}

/// mirt's first step: the block of rows with impossible cells at the low end goes
/// into the row after it, the block at the high end into the row before it. mirt
/// splits the list of such rows in half (R's truncating index `drop[length/2]`) and
/// takes each half as a contiguous range.
fn merge_impossible_rows(t: &mut Table, impossible: &[usize]) -> Result<(), &'static str> {
    if impossible.is_empty() {
        return Ok(());
    }
    let half = impossible.len() / 2;
    if half == 0 {
        return Err(TOO_SPARSE);
    }
    let (up_first, up_last) = (impossible[0], impossible[half - 1]);
    let (low_first, low_last) = (impossible[half], impossible[impossible.len() - 1]);
    let below = up_last + 1;
    if below >= t.rows() || low_first == 0 {
        return Err(TOO_SPARSE);
    }
    merge_block(t, up_first..=up_last, below);
    let above = low_first - 1;
    merge_block(t, low_first..=low_last, above);
    let mut remove = vec![false; t.rows()];
    for r in (up_first..=up_last).chain(low_first..=low_last) {
        remove[r] = true;
    }
    t.remove_rows(&remove);
    Ok(())
}

/// `target ← Σ rows of block ∪ {target}`, reading the table before writing, as R's
/// `x[target, ] <- colSums(x[c(block, target), ])` does.
fn merge_block(t: &mut Table, block: std::ops::RangeInclusive<usize>, target: usize) {
    let sum = |m: &Vec<Vec<f64>>| -> Vec<f64> {
        (0..m[target].len())
            .map(|c| block.clone().chain([target]).map(|r| m[r][c]).sum())
            .collect()
    };
    let (o, e) = (sum(&t.o), sum(&t.e));
    t.o[target] = o;
    t.e[target] = e;
}

/// Within each row flagged by `small` (mirt's stale mask, see the module), merges
/// the smallest expected cell into its smaller neighbour until all cells reach
/// `mincell` or two remain; the survivors are packed to the left.
fn collapse_across(t: &mut Table, small: &[Vec<bool>], mincell: f64) {
    let cols = t.cols();
    let rows = t.rows();
    for (r, flags) in small.iter().enumerate().take(rows) {
        if !flags.iter().any(|&s| s) {
            continue;
        }
        let mut e = t.e[r].clone();
        let mut o = t.o[r].clone();
        while e.len() > 2 {
            let min = e.iter().copied().fold(f64::INFINITY, f64::min);
            let at = e.iter().rposition(|&x| x == min).unwrap_or(0);
            let into = if at == 0 {
                1
            } else if at == e.len() - 1 || e[at - 1] <= e[at + 1] {
                at - 1
            } else {
                at + 1
            };
            e[into] += e[at];
            o[into] += o[at];
            e.remove(at);
            o.remove(at);
            if e.iter().all(|&x| x >= mincell) {
                break;
            }
        }
        e.resize(cols, 0.0);
        o.resize(cols, 0.0);
        t.e[r] = e;
        t.o[r] = o;
    }
}

/// mirt's last step: while a row has a non-zero expected cell below `mincell`, the
/// first such row goes into a neighbour — the only one at either end, otherwise the
/// one with fewer observations (the lower score on ties).
fn merge_small_rows(t: &mut Table, mincell: f64) {
    while t.rows() > 1 {
        let Some(r) = (0..t.rows()).find(|&r| t.e[r].iter().any(|&e| e < mincell && e != 0.0)) else {
            break;
        };
        let into = if r == 0 {
            1
        } else if r == t.rows() - 1 || t.observed_in_row(r - 1) <= t.observed_in_row(r + 1) {
            r - 1
        } else {
            r + 1
        };
        t.add_row(r, into);
        let mut remove = vec![false; t.rows()];
        remove[r] = true;
        t.remove_rows(&remove);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[f64]]) -> Vec<Vec<f64>> {
        rows.iter().map(|r| r.to_vec()).collect()
    }

    fn some(rows: &[&[f64]]) -> Vec<Vec<Option<f64>>> {
        rows.iter().map(|r| r.iter().map(|&x| Some(x)).collect()).collect()
    }

    #[test]
    fn nothing_to_do_when_every_cell_is_large() {
        let o = table(&[&[5.0, 3.0], &[4.0, 6.0], &[2.0, 9.0]]);
        let e = some(&[&[4.5, 3.5], &[4.0, 6.0], &[2.5, 8.5]]);
        let cells = collapse(o.clone(), e.clone(), 1.0).unwrap();
        assert_eq!(cells.observed, o);
        assert_eq!(cells.expected, e);
    }

    #[test]
    fn a_small_row_goes_to_the_neighbour_with_fewer_observations() {
        let o = table(&[&[5.0, 3.0], &[1.0, 1.0], &[9.0, 9.0], &[2.0, 4.0]]);
        let e = some(&[&[4.5, 3.5], &[0.5, 1.5], &[9.0, 9.0], &[2.5, 3.5]]);
        let cells = collapse(o, e, 1.0).unwrap();
        assert_eq!(cells.observed, table(&[&[6.0, 4.0], &[9.0, 9.0], &[2.0, 4.0]]));
        assert_eq!(cells.expected[0], vec![Some(5.0), Some(5.0)]);
    }

    #[test]
    fn impossible_cells_fold_into_the_next_possible_row() {
        // A three-category item: score 1 cannot have category 2, the top score not category 0.
        let o = table(&[&[3.0, 2.0, 0.0], &[4.0, 4.0, 4.0], &[3.0, 5.0, 6.0], &[0.0, 2.0, 5.0]]);
        let e = vec![
            vec![Some(3.0), Some(2.0), None],
            vec![Some(4.0), Some(4.0), Some(4.0)],
            vec![Some(3.0), Some(5.0), Some(6.0)],
            vec![None, Some(2.0), Some(5.0)],
        ];
        let cells = collapse(o, e, 1.0).unwrap();
        assert_eq!(cells.observed, table(&[&[7.0, 6.0, 4.0], &[3.0, 7.0, 11.0]]));
    }

    #[test]
    fn single_observations_merge_forward() {
        let o = table(&[&[1.0, 0.0], &[4.0, 4.0], &[3.0, 5.0], &[0.0, 1.0]]);
        let e = some(&[&[1.2, 1.1], &[4.0, 4.0], &[3.0, 5.0], &[1.1, 1.3]]);
        let cells = collapse(o, e, 1.0).unwrap();
        assert_eq!(cells.observed, table(&[&[5.0, 4.0], &[3.0, 6.0]]));
    }

    #[test]
    fn too_sparse_tables_are_refused() {
        let o = table(&[&[1.0, 0.0], &[0.0, 1.0]]);
        let e = some(&[&[0.3, 0.2], &[0.2, 0.3]]);
        assert_eq!(collapse(o, e, 1.0), Err(TOO_SPARSE));
    }
}
