//! Hadamard matrices for balanced repeated replication.
//!
//! Order N = 2^a·t is built as Sylvester(2^a) ⊗ Paley(t), Paley's first construction for
//! t = q + 1 with q a prime ≡ 3 (mod 4), taking the largest a that works (so powers of two
//! are pure Sylvester, as `scipy.linalg.hadamard`). That covers every multiple of 4 up to
//! 100 except 28, 36, 52, 56, 76, 92 and 100, and PISA's 80 (4 × 20). Matrices are
//! normalised to a first row and column of +1, so every other column sums to zero: a
//! zone on such a column is up-weighted in exactly half of the replicates.

/// The smallest order ≥ `at_least` this module can build.
pub(crate) fn order_at_least(at_least: usize) -> usize {
    (at_least.max(1)..)
        .find(|&n| decompose(n).is_some())
        .unwrap_or(usize::MAX)
}

/// The normalised Hadamard matrix of order `n`, row-major, or `None` if not built here.
pub(crate) fn hadamard(n: usize) -> Option<Vec<Vec<i8>>> {
    let (power, q) = decompose(n)?;
    let mut h = vec![vec![1i8]];
    while h.len() < power {
        h = kronecker(&[vec![1, 1], vec![1, -1]], &h);
    }
    Some(match q {
        Some(q) => kronecker(&h, &paley(q)),
        None => h,
    })
}

/// n = power·(q + 1) with the largest power of two; `None` for q means n = power.
fn decompose(n: usize) -> Option<(usize, Option<usize>)> {
    if n == 0 {
        return None;
    }
    let mut power = 1usize << n.trailing_zeros();
    if power == n {
        return Some((n, None));
    }
    while power >= 1 {
        let t = n / power;
        if t >= 4 && is_prime(t - 1) && (t - 1) % 4 == 3 {
            return Some((power, Some(t - 1)));
        }
        power /= 2;
    }
    None
}

fn is_prime(q: usize) -> bool {
    q >= 2 && (2..).take_while(|d| d * d <= q).all(|d| !q.is_multiple_of(d))
}

/// Paley I: H = I + [[0, 1ᵀ], [−1, Q]] with Q_ij = χ(j − i), χ the quadratic character mod
/// q; rows then flipped so the first column is +1.
fn paley(q: usize) -> Vec<Vec<i8>> {
    let mut square = vec![false; q];
    for x in 1..q {
        square[x * x % q] = true;
    }
    let chi = |x: usize| -> i8 {
        match x % q {
            0 => 0,
            r if square[r] => 1,
            _ => -1,
        }
    };
    let n = q + 1;
    let mut h = vec![vec![0i8; n]; n];
    for (i, row) in h.iter_mut().enumerate() {
        for (j, cell) in row.iter_mut().enumerate() {
            let s = match (i, j) {
                (0, 0) => 0,
                (0, _) => 1,
                (_, 0) => -1,
                _ => chi(j + q - i),
            };
            *cell = s + i8::from(i == j);
        }
        if row[0] < 0 {
            row.iter_mut().for_each(|x| *x = -*x);
        }
    }
    h
}

fn kronecker(a: &[Vec<i8>], b: &[Vec<i8>]) -> Vec<Vec<i8>> {
    let nb = b.len();
    let n = a.len() * nb;
    (0..n)
        .map(|i| (0..n).map(|j| a[i / nb][j / nb] * b[i % nb][j % nb]).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_normalised_hadamard(h: &[Vec<i8>]) -> bool {
        let n = h.len();
        let orthogonal = (0..n).all(|i| {
            (0..n).all(|k| {
                let dot: i64 = (0..n).map(|j| i64::from(h[i][j]) * i64::from(h[k][j])).sum();
                dot == if i == k { n as i64 } else { 0 }
            })
        });
        orthogonal && h.iter().all(|r| r.len() == n && r[0] == 1) && h[0].iter().all(|&x| x == 1)
    }

    #[test]
    fn every_buildable_order_up_to_128_is_hadamard() {
        let mut built = Vec::new();
        for n in 1..=128 {
            if let Some(h) = hadamard(n) {
                assert!(is_normalised_hadamard(&h), "order {n}");
                built.push(n);
            }
        }
        for n in [
            1, 2, 4, 8, 12, 16, 20, 24, 32, 40, 44, 48, 60, 64, 68, 72, 80, 84, 88, 96, 128,
        ] {
            assert!(built.contains(&n), "order {n} missing");
        }
        assert!(built.iter().all(|&n| n <= 2 || n % 4 == 0));
    }

    #[test]
    fn pisa_order_is_four_by_twenty() {
        assert_eq!(decompose(80), Some((4, Some(19))));
        assert_eq!(hadamard(80).map(|h| h.len()), Some(80));
    }

    #[test]
    fn sylvester_matches_scipy() {
        // scipy.linalg.hadamard(4)
        let h = hadamard(4).unwrap();
        assert_eq!(h, [[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]]);
    }

    #[test]
    fn smallest_orders() {
        assert_eq!(order_at_least(1), 1);
        assert_eq!(order_at_least(3), 4);
        assert_eq!(order_at_least(8), 8);
        assert_eq!(order_at_least(9), 12);
        assert_eq!(order_at_least(25), 32);
        assert_eq!(order_at_least(77), 80);
    }
}
