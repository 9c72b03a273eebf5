//! Identifier mapping between QTI and the bank.
//!
//! QTI identifiers are XML NCNames: they may hold non-ASCII letters and must start
//! with a letter or `_`. Bank identifiers ([`crate::is_valid_id`]) are ASCII, start
//! with a letter or digit and are at most 64 characters long, because they end up in
//! file names, CSV headers and URLs. Export prefixes `_` to identifiers starting with
//! a digit; import strips it again, so our own exports come back unchanged. Any other
//! identifier we cannot take as is becomes an ASCII form plus a hash of the original,
//! deterministic (the same QTI identifier always maps to the same bank identifier, so
//! re-importing a package updates rather than duplicates) and reported as renamed.

use crate::is_valid_id;

/// The QTI form of a bank identifier.
pub(super) fn to_qti(id: &str) -> String {
    if id.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{id}")
    } else {
        id.to_string()
    }
}

/// FNV-1a: a stable hash (unlike `DefaultHasher`, fixed across Rust versions).
fn fnv1a(s: &str) -> u32 {
    s.bytes()
        .fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

/// The bank form of a QTI identifier; the same input always gives the same output.
pub(super) fn from_qti(qti: &str) -> String {
    if is_valid_id(qti) {
        return qti.to_string();
    }
    let stripped = qti.trim_start_matches('_');
    if stripped.len() + 1 == qti.len() && is_valid_id(stripped) {
        return stripped.to_string();
    }
    let ascii: String = qti
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let base = ascii.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
    let base: String = if base.is_empty() {
        "id".to_string()
    } else {
        base.chars().take(55).collect()
    };
    format!("{base}-{:08x}", fnv1a(qti))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_identifiers_round_trip() {
        for id in ["M8-A01", "1A", "9.x_y", "a"] {
            let qti = to_qti(id);
            assert!(qti.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'));
            assert_eq!(from_qti(&qti), id);
        }
    }

    #[test]
    fn foreign_identifiers_are_made_valid_deterministically() {
        for qti in ["题1", "__x", "_", "a:b", &"x".repeat(80), "ÄÖÜ"] {
            let id = from_qti(qti);
            assert!(is_valid_id(&id), "{qti} → {id}");
            assert_eq!(id, from_qti(qti));
        }
        assert_ne!(from_qti("题1"), from_qti("问1"));
    }
}
