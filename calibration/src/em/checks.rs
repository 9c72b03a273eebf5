//! Checks that a calibration can be identified before EM starts, so bad data gets a
//! clear error instead of NaN estimates.

use super::CalibrationError;
use crate::data::ResponseMatrix;
use crate::data::codes::NOT_ADMINISTERED;
use crate::model::ItemParams;

/// Every estimated item must have at least two observed categories and no category
/// beyond its model; the items must be linked through persons (one connected
/// booklet design), or their parameters would sit on unrelated scales.
pub(super) fn check(matrix: &ResponseMatrix, items: &[ItemParams]) -> Result<(), CalibrationError> {
    let names = matrix.items();
    let mut seen = vec![vec![0usize; 256]; items.len()];
    for p in 0..matrix.n_persons() {
        for (i, &x) in matrix.row(p).iter().enumerate() {
            seen[i][usize::from(x)] += 1;
        }
    }
    for (i, item) in items.iter().enumerate() {
        let error = |message: String| CalibrationError::Item {
            item: names[i].clone(),
            message,
        };
        let counts = &seen[i][..usize::from(NOT_ADMINISTERED)];
        if let Some(x) = (usize::from(item.categories)..counts.len()).find(|&x| counts[x] > 0) {
            let hint = if x >= 250 {
                " (a missing code: apply the scaling policy first)"
            } else {
                ""
            };
            return Err(error(format!(
                "has responses in category {x}, but its {} model has categories 0..{}{hint}",
                item.model.name(),
                item.categories - 1
            )));
        }
        if item.n_free() == 0 {
            continue;
        }
        let answered: usize = counts.iter().sum();
        if answered == 0 {
            return Err(error("nobody answered it; remove it from the calibration".into()));
        }
        let observed: Vec<usize> = (0..usize::from(item.categories)).filter(|&k| counts[k] > 0).collect();
        if observed.len() < 2 {
            return Err(error(format!(
                "all {answered} responses are in category {}; an item needs at least two observed categories",
                observed[0]
            )));
        }
        if observed.len() < usize::from(item.categories) {
            let missing: Vec<usize> = (0..usize::from(item.categories))
                .filter(|k| !observed.contains(k))
                .collect();
            return Err(error(format!(
                "category {missing:?} is never observed; recode the item's categories to 0..{} (as mirt does)",
                observed.len() - 1
            )));
        }
    }
    check_linked(matrix, items)
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// Items form one component when persons link them (union–find over each
/// person's administered items).
fn check_linked(matrix: &ResponseMatrix, items: &[ItemParams]) -> Result<(), CalibrationError> {
    let n = items.len();
    let mut parent: Vec<usize> = (0..n).collect();
    for p in 0..matrix.n_persons() {
        let mut first = None;
        for (i, &x) in matrix.row(p).iter().enumerate() {
            if x == NOT_ADMINISTERED {
                continue;
            }
            match first {
                None => first = Some(i),
                Some(f) => {
                    let (a, b) = (find(&mut parent, f), find(&mut parent, i));
                    parent[a] = b;
                }
            }
        }
    }
    let roots: Vec<usize> = (0..n).map(|i| find(&mut parent, i)).collect();
    let first = roots.first().copied();
    if roots.iter().all(|&r| Some(r) == first) {
        return Ok(());
    }
    let names = matrix.items();
    let apart: Vec<&str> = (0..n)
        .filter(|&i| Some(roots[i]) != first)
        .map(|i| names[i].as_str())
        .take(10)
        .collect();
    Err(CalibrationError::Invalid(format!(
        "the booklet design is not connected: no person links {} with items such as {} (every booklet needs blocks in common with others)",
        names[0],
        apart.join(", ")
    )))
}
