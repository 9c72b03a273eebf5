//! Weighted means, variances and covariance of a pair of variables, accumulated one
//! observation at a time.
//!
//! West's (1979) updating formulas keep the sums centred, so large totals do not cancel
//! catastrophically as in Σx² − (Σx)²/n; observations are added in the caller's (index)
//! order, which makes results bit-for-bit reproducible.

/// Running weighted moments of (x, y).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Moments {
    weight: f64,
    mean_x: f64,
    mean_y: f64,
    sxx: f64,
    syy: f64,
    sxy: f64,
}

impl Moments {
    /// Adds one observation of weight `w` (zero weights change nothing).
    pub(crate) fn add(&mut self, x: f64, y: f64, w: f64) {
        if w == 0.0 {
            return;
        }
        self.weight += w;
        let share = w / self.weight;
        let dx = x - self.mean_x;
        let dy = y - self.mean_y;
        self.mean_x += share * dx;
        self.mean_y += share * dy;
        self.sxx += w * dx * (x - self.mean_x);
        self.syy += w * dy * (y - self.mean_y);
        self.sxy += w * dx * (y - self.mean_y);
    }

    /// Total weight added.
    pub(crate) fn weight(&self) -> f64 {
        self.weight
    }

    /// Weighted mean of x; `None` before any weight was added.
    pub(crate) fn mean_x(&self) -> Option<f64> {
        (self.weight > 0.0).then_some(self.mean_x)
    }

    /// Weighted variance of x with divisor Σw (the ratios built from it need no other).
    pub(crate) fn var_x(&self) -> Option<f64> {
        (self.weight > 0.0).then(|| self.sxx.max(0.0) / self.weight)
    }

    /// Weighted variance of y with divisor Σw.
    pub(crate) fn var_y(&self) -> Option<f64> {
        (self.weight > 0.0).then(|| self.syy.max(0.0) / self.weight)
    }

    /// Weighted covariance with divisor Σw.
    pub(crate) fn cov(&self) -> Option<f64> {
        (self.weight > 0.0).then(|| self.sxy / self.weight)
    }

    /// Pearson correlation; `None` when either variable is constant.
    pub(crate) fn correlation(&self) -> Option<f64> {
        (self.sxx > 0.0 && self.syy > 0.0).then(|| (self.sxy / (self.sxx * self.syy).sqrt()).clamp(-1.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::Moments;

    #[test]
    fn matches_two_pass_formulas() {
        let data = [(1.0, 2.0, 1.0), (2.0, 1.0, 2.0), (4.0, 5.0, 0.5), (3.0, 3.0, 0.0)];
        let mut m = Moments::default();
        for &(x, y, w) in &data {
            m.add(x, y, w);
        }
        let w: f64 = data.iter().map(|d| d.2).sum();
        let mx = data.iter().map(|d| d.2 * d.0).sum::<f64>() / w;
        let my = data.iter().map(|d| d.2 * d.1).sum::<f64>() / w;
        let vx = data.iter().map(|d| d.2 * (d.0 - mx).powi(2)).sum::<f64>() / w;
        let vy = data.iter().map(|d| d.2 * (d.1 - my).powi(2)).sum::<f64>() / w;
        let c = data.iter().map(|d| d.2 * (d.0 - mx) * (d.1 - my)).sum::<f64>() / w;
        let close = |a: Option<f64>, b: f64| assert!((a.unwrap() - b).abs() < 1e-14, "{a:?} vs {b}");
        close(m.mean_x(), mx);
        close(Some(m.mean_y), my);
        close(m.var_x(), vx);
        close(m.var_y(), vy);
        close(m.cov(), c);
        close(m.correlation(), c / (vx * vy).sqrt());
    }

    #[test]
    fn empty_and_constant_give_none() {
        let mut m = Moments::default();
        assert_eq!((m.mean_x(), m.var_x(), m.correlation()), (None, None, None));
        m.add(1.0, 5.0, 1.0);
        m.add(1.0, 6.0, 1.0);
        assert_eq!(m.var_x(), Some(0.0));
        assert_eq!(m.correlation(), None);
    }
}
