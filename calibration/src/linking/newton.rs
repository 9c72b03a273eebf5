//! Newton's method for the two linking constants (A, B).
//!
//! The Hessian comes from central differences of the analytic gradient (two dimensions: four
//! gradients). A step is −(H + λI)⁻¹∇F with λ = 0 while H is positive definite and the step
//! does not climb; otherwise λ grows tenfold until it does (Levenberg). Iteration stops at an
//! undamped step below 1e-10 relative: with quadratic convergence the point is then exact to
//! rounding, which the delta method needs (it differentiates the minimiser numerically).

const MAX_ITERATIONS: usize = 200;
/// Convergence: the undamped Newton step, relative to 1 + |x|.
const STEP_TOLERANCE: f64 = 1e-10;
/// Relative step of the Hessian's differences.
const DIFFERENCE_STEP: f64 = 1e-5;
/// Largest damping tried before giving up on an iteration (relative to the Hessian's scale).
const MAX_DAMPING: f64 = 1e12;

/// The criterion value and its gradient; `None` outside the domain (A ≤ 0).
pub(super) type Objective<'a> = dyn Fn([f64; 2]) -> Option<(f64, [f64; 2])> + 'a;

/// Where the minimum is, and the criterion there.
pub(super) struct Minimum {
    pub x: [f64; 2],
    pub value: f64,
}

fn hessian(f: &Objective<'_>, x: [f64; 2]) -> Option<[[f64; 2]; 2]> {
    let mut h = [[0.0; 2]; 2];
    for j in 0..2 {
        let e = DIFFERENCE_STEP * (1.0 + x[j].abs());
        let (mut up, mut down) = (x, x);
        up[j] += e;
        down[j] -= e;
        let (_, g_up) = f(up)?;
        let (_, g_down) = f(down)?;
        for i in 0..2 {
            h[i][j] = (g_up[i] - g_down[i]) / (2.0 * e);
        }
    }
    let off = 0.5 * (h[0][1] + h[1][0]);
    h[0][1] = off;
    h[1][0] = off;
    Some(h)
}

/// −(H + λI)⁻¹ g, or `None` when H + λI is not positive definite.
fn newton_step(h: [[f64; 2]; 2], g: [f64; 2], damping: f64) -> Option<[f64; 2]> {
    let (p, q, r) = (h[0][0] + damping, h[0][1], h[1][1] + damping);
    let det = p * r - q * q;
    if !(p > 0.0 && det > 0.0) {
        return None;
    }
    Some([-(r * g[0] - q * g[1]) / det, -(p * g[1] - q * g[0]) / det])
}

fn norm(g: [f64; 2]) -> f64 {
    g[0].abs().max(g[1].abs())
}

/// Minimises `f` from `start`; `None` if it does not converge.
pub(super) fn minimise(f: &Objective<'_>, start: [f64; 2]) -> Option<Minimum> {
    let mut x = start;
    let (mut value, mut grad) = f(x)?;
    for _ in 0..MAX_ITERATIONS {
        let h = hessian(f, x)?;
        let scale = h[0][0].abs().max(h[1][1].abs()).max(f64::MIN_POSITIVE);
        let mut damping = 0.0;
        loop {
            if let Some(step) = newton_step(h, grad, damping) {
                let y = [x[0] + step[0], x[1] + step[1]];
                let small = (0..2).all(|i| step[i].abs() <= STEP_TOLERANCE * (1.0 + x[i].abs()));
                if small && damping == 0.0 {
                    let (value, _) = f(y)?;
                    return Some(Minimum { x: y, value });
                }
                // Near the minimum the value changes below its rounding while the gradient is
                // still accurate, so an undamped step that shrinks the gradient is kept too.
                if let Some((v, g)) = f(y)
                    && (v <= value || (damping == 0.0 && norm(g) < norm(grad)))
                {
                    x = y;
                    value = v;
                    grad = g;
                    break;
                }
            }
            damping = if damping == 0.0 { 1e-8 * scale } else { damping * 10.0 };
            if damping > MAX_DAMPING * scale {
                return None;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rosenbrock's valley: curved, badly scaled, with a non-convex start.
    #[test]
    fn finds_the_rosenbrock_minimum() {
        let f = |x: [f64; 2]| {
            let (a, b) = (x[0], x[1]);
            let value = (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2);
            let grad = [-2.0 * (1.0 - a) - 400.0 * a * (b - a * a), 200.0 * (b - a * a)];
            Some((value, grad))
        };
        let m = minimise(&f, [-1.2, 1.0]).unwrap();
        assert!(
            (m.x[0] - 1.0).abs() < 1e-12 && (m.x[1] - 1.0).abs() < 1e-12,
            "{:?}",
            m.x
        );
        assert!(m.value < 1e-20);
    }
}
