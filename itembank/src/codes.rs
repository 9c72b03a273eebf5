//! Response codes shared by every stage (DESIGN.md §4).
//!
//! A response matrix stores one byte per student × item: `0..K−1` are scored
//! categories, the top of the byte range carries the reasons a response is missing.
//! Keeping the reasons apart (rather than one "NA") lets scaling decide later how
//! each is treated (e.g. omitted → 0, not reached → not administered, as PISA 2015+).

use serde::{Deserialize, Serialize};

/// Why there is no scored category for a student × item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingCode {
    /// The item was not in the student's booklet (missing by design).
    NotAdministered,
    /// Presented but left unanswered.
    Omitted,
    /// Never reached before the time ran out (trailing unanswered items).
    NotReached,
    /// Answered, but the answer cannot be scored (wrong response type, out of range).
    Invalid,
    /// Routed away by questionnaire skip logic: information, not a refusal.
    ValidSkip,
    /// "Don't know" or "not applicable" chosen explicitly.
    DontKnow,
}

impl MissingCode {
    /// Every code, in byte order from 250 upwards.
    pub const ALL: [MissingCode; 6] = [
        MissingCode::DontKnow,
        MissingCode::ValidSkip,
        MissingCode::Invalid,
        MissingCode::NotReached,
        MissingCode::Omitted,
        MissingCode::NotAdministered,
    ];

    /// The byte written in a response matrix.
    pub const fn byte(self) -> u8 {
        match self {
            MissingCode::NotAdministered => 255,
            MissingCode::Omitted => 254,
            MissingCode::NotReached => 253,
            MissingCode::Invalid => 252,
            MissingCode::ValidSkip => 251,
            MissingCode::DontKnow => 250,
        }
    }

    /// The code a byte stands for, if it is one of the missing codes.
    pub fn from_byte(byte: u8) -> Option<MissingCode> {
        MissingCode::ALL.into_iter().find(|c| c.byte() == byte)
    }
}

/// The smallest byte that is a missing code; scored categories stay below it.
pub const FIRST_MISSING_BYTE: u8 = 250;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_and_stay_above_categories() {
        for code in MissingCode::ALL {
            assert_eq!(MissingCode::from_byte(code.byte()), Some(code));
            assert!(code.byte() >= FIRST_MISSING_BYTE);
        }
        assert_eq!(MissingCode::from_byte(249), None);
        assert_eq!(MissingCode::NotAdministered.byte(), 255);
        assert_eq!(MissingCode::ValidSkip.byte(), 251);
    }
}
