//! Normalisation of typed answers before they are compared with a key.
//!
//! Chinese keyboards and IMEs produce full-width forms (`１２`, `ＡＢ`, `，`, the
//! ideographic space U+3000) that look the same to a student as their half-width
//! counterparts; a student must not lose credit for which mode the IME was in.

/// Maps full-width ASCII variants (U+FF01–U+FF5E) to ASCII, the ideographic space to a
/// plain space and the minus sign U+2212 (what math fonts and many IMEs produce) to `-`;
/// leaves every other character alone.
pub fn fold_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{2212}' => '-',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// How a short text answer is compared.
#[derive(Debug, Clone, Copy)]
pub struct TextRules {
    pub case_sensitive: bool,
    pub ignore_spaces: bool,
}

/// Canonical form of an answer: width folded, trimmed, inner whitespace removed or
/// collapsed to one space, lower-cased unless case matters.
pub fn canonical(text: &str, rules: TextRules) -> String {
    let folded = fold_width(text);
    let words: Vec<&str> = folded.split_whitespace().collect();
    let joined = if rules.ignore_spaces {
        words.concat()
    } else {
        words.join(" ")
    };
    if rules.case_sensitive {
        joined
    } else {
        joined.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_full_width_forms() {
        assert_eq!(fold_width("１２．５ｃｍ"), "12.5cm");
        assert_eq!(fold_width("Ａ\u{3000}Ｂ，"), "A B,");
        assert_eq!(fold_width("三角形"), "三角形");
        assert_eq!(fold_width("\u{2212}3"), "-3");
    }

    #[test]
    fn canonical_forms() {
        let loose = TextRules {
            case_sensitive: false,
            ignore_spaces: true,
        };
        assert_eq!(canonical("  Ｘ ＝ ３ ", loose), "x=3");
        let spaced = TextRules {
            case_sensitive: true,
            ignore_spaces: false,
        };
        assert_eq!(canonical(" New \t York ", spaced), "New York");
    }
}
