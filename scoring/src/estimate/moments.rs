//! Weighted means and covariances of a few columns on every weight set, the input of
//! correlations and regressions.
//!
//! Each row's products are formed once (about the columns' unweighted means, which
//! keeps the sums free of cancellation) and then accumulated with each weight set's
//! weights: one pass per set over a small row-major buffer.

use nalgebra::DMatrix;

use super::Sample;

/// The weighted first and second moments of q columns on one weight set.
pub(crate) struct Moments {
    pub mean: Vec<f64>,
    /// Covariances with the sum of weights as divisor.
    pub cov: DMatrix<f64>,
}

/// The moments of `columns[j][i]`, i in `rows` (none missing), on every weight set.
pub(crate) fn moments(sample: &Sample, columns: &[&[f64]], rows: &[usize]) -> Vec<Moments> {
    let q = columns.len();
    let count = rows.len().max(1) as f64;
    let shift: Vec<f64> = columns
        .iter()
        .map(|x| rows.iter().map(|&i| x[i]).sum::<f64>() / count)
        .collect();
    let pairs: Vec<(usize, usize)> = (0..q).flat_map(|a| (a..q).map(move |b| (a, b))).collect();
    let width = q + pairs.len();
    let mut products = Vec::with_capacity(rows.len() * width);
    let mut centred = vec![0.0; q];
    for &i in rows {
        for (j, z) in centred.iter_mut().enumerate() {
            *z = columns[j][i] - shift[j];
        }
        products.extend_from_slice(&centred);
        products.extend(pairs.iter().map(|&(a, b)| centred[a] * centred[b]));
    }
    (0..sample.sets())
        .map(|s| {
            let weights = sample.set(s);
            let mut sums = vec![0.0; width];
            let mut total = 0.0;
            for (&i, row) in rows.iter().zip(products.chunks_exact(width)) {
                let w = weights[i];
                if w == 0.0 {
                    continue;
                }
                total += w;
                for (sum, p) in sums.iter_mut().zip(row) {
                    *sum += w * p;
                }
            }
            let centre: Vec<f64> = sums[..q].iter().map(|m| m / total).collect();
            let mut cov = DMatrix::zeros(q, q);
            for (&(a, b), sum) in pairs.iter().zip(&sums[q..]) {
                let c = sum / total - centre[a] * centre[b];
                cov[(a, b)] = c;
                cov[(b, a)] = c;
            }
            Moments {
                mean: centre.iter().zip(&shift).map(|(c, s)| c + s).collect(),
                cov,
            }
        })
        .collect()
}
