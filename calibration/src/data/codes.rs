//! Response codes (DESIGN.md §4), the same bytes `itembank::codes` writes.
//!
//! Defined again here because `calibration` depends on no other crate of the
//! workspace; a test in the root package checks the two agree.

/// The item was not in the person's booklet (missing by design).
pub const NOT_ADMINISTERED: u8 = 255;
/// Presented but left unanswered.
pub const OMITTED: u8 = 254;
/// Not reached before time ran out.
pub const NOT_REACHED: u8 = 253;
/// Answered but unscorable.
pub const INVALID: u8 = 252;
/// Routed away by questionnaire logic.
pub const VALID_SKIP: u8 = 251;
/// "Don't know" / "not applicable".
pub const DONT_KNOW: u8 = 250;
/// Bytes from here up are missing codes; scored categories stay below.
pub const FIRST_MISSING: u8 = 250;

/// How omitted and not-reached responses enter scaling; every other missing code
/// counts as not administered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MissingPolicy {
    /// Score omitted responses 0 (PISA 2015+ default) rather than treat them as not administered.
    pub omitted_as_zero: bool,
    /// Score not-reached responses 0 rather than treat them as not administered (the default).
    pub not_reached_as_zero: bool,
}

impl Default for MissingPolicy {
    fn default() -> Self {
        MissingPolicy {
            omitted_as_zero: true,
            not_reached_as_zero: false,
        }
    }
}

impl MissingPolicy {
    /// The byte a response takes in scaling: a category, or [`NOT_ADMINISTERED`].
    pub fn apply(self, byte: u8) -> u8 {
        match byte {
            b if b < FIRST_MISSING => b,
            OMITTED if self.omitted_as_zero => 0,
            NOT_REACHED if self.not_reached_as_zero => 0,
            _ => NOT_ADMINISTERED,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_is_pisa_2015() {
        let p = MissingPolicy::default();
        assert_eq!(p.apply(2), 2);
        assert_eq!(p.apply(OMITTED), 0);
        assert_eq!(p.apply(NOT_REACHED), NOT_ADMINISTERED);
        assert_eq!(p.apply(VALID_SKIP), NOT_ADMINISTERED);
        assert_eq!(p.apply(DONT_KNOW), NOT_ADMINISTERED);
        assert_eq!(p.apply(INVALID), NOT_ADMINISTERED);
    }
}
