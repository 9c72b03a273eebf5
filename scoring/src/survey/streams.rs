//! Seeded random streams keyed by the logical unit (DESIGN.md §4): the same seed gives
//! the same sample whatever the thread count or the order units are processed in.
//!
//! The key is the design seed plus the sampling stage, so stage streams never overlap;
//! the ChaCha stream number is the unit (stratum index, school id).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// The sampling stage a stream serves.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stage {
    /// The random start of systematic PPS selection; unit = stratum index in label order.
    SchoolStart = 1,
    /// Students or classes within a school; unit = school id.
    Students = 2,
    /// Subject sub-sampling within a school; unit = school id.
    Subjects = 3,
}

/// The stream of `unit` at `stage` under the design seed.
pub(crate) fn stream(seed: u64, stage: Stage, unit: u64) -> ChaCha20Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8] = stage as u8;
    let mut rng = ChaCha20Rng::from_seed(key);
    rng.set_stream(unit);
    rng
}

/// Fisher–Yates shuffle (rand's slice helpers need features the workspace leaves off).
pub(crate) fn shuffle<T>(rng: &mut ChaCha20Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = rng.random_range(0..=i);
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_and_units_get_different_streams() {
        let draw = |stage, unit| stream(7, stage, unit).random::<u64>();
        assert_eq!(draw(Stage::Students, 3), draw(Stage::Students, 3));
        assert_ne!(draw(Stage::Students, 3), draw(Stage::Students, 4));
        assert_ne!(draw(Stage::Students, 3), draw(Stage::Subjects, 3));
        assert_ne!(draw(Stage::SchoolStart, 3), draw(Stage::Students, 3));
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut v: Vec<usize> = (0..50).collect();
        shuffle(&mut stream(1, Stage::Subjects, 0), &mut v);
        assert_ne!(v, (0..50).collect::<Vec<_>>());
        v.sort_unstable();
        assert_eq!(v, (0..50).collect::<Vec<_>>());
    }
}
