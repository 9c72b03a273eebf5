//! Reading a typed number with an optional unit: `12.5`, `１２.５ cm`, `-3/4`, `25%`.

use super::normalize::fold_width;

/// A number read from an answer, with the unit text that followed it (if any).
#[derive(Debug, Clone, PartialEq)]
pub struct ReadNumber {
    pub value: f64,
    pub unit: Option<String>,
}

/// Reads a number: optional sign, digits with an optional decimal point or a
/// fraction `a/b`, then an optional unit. Thousands separators are not accepted
/// (a comma is ambiguous); `None` means the text is not a number.
pub fn read_number(text: &str) -> Option<ReadNumber> {
    let folded = fold_width(text).replace('。', ".");
    let compact: String = folded.split_whitespace().collect::<Vec<_>>().join(" ");
    let s = compact.trim();
    let end = s
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || c == '/' || (i == 0 && (c == '-' || c == '+'))))
        .map_or(s.len(), |(i, _)| i);
    let (number, rest) = s.split_at(end);
    let value = parse_number(number)?;
    let unit = rest.trim();
    Some(ReadNumber {
        value,
        unit: (!unit.is_empty()).then(|| unit.to_string()),
    })
}

fn parse_number(number: &str) -> Option<f64> {
    let (sign, digits) = match number.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, number.strip_prefix('+').unwrap_or(number)),
    };
    let valid_decimal = |s: &str| {
        !s.is_empty() && s.chars().any(|c| c.is_ascii_digit()) && s.chars().filter(|&c| c == '.').count() <= 1
    };
    let value = match digits.split_once('/') {
        Some((num, den)) => {
            if !(valid_decimal(num) && valid_decimal(den)) {
                return None;
            }
            let den: f64 = den.parse().ok()?;
            if den == 0.0 {
                return None;
            }
            num.parse::<f64>().ok()? / den
        }
        None if valid_decimal(digits) => digits.parse().ok()?,
        None => return None,
    };
    value.is_finite().then_some(sign * value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_numbers_and_units() {
        assert_eq!(read_number("12.5").unwrap().value, 12.5);
        let r = read_number(" １２．５ ｃｍ ").unwrap();
        assert_eq!((r.value, r.unit.as_deref()), (12.5, Some("cm")));
        assert_eq!(read_number("-3/4").unwrap().value, -0.75);
        assert_eq!(read_number("25%").unwrap().unit.as_deref(), Some("%"));
        assert_eq!(read_number("3。5").unwrap().value, 3.5);
        assert_eq!(read_number(".5").unwrap().value, 0.5);
    }

    #[test]
    fn rejects_non_numbers() {
        for bad in ["", "abc", "1.2.3", "1/0", "-", "/4", "1,000"] {
            let r = read_number(bad);
            assert!(
                r.is_none() || r.as_ref().is_some_and(|n| n.unit.is_some()),
                "{bad}: {r:?}"
            );
        }
        assert!(read_number("abc").is_none());
        assert!(read_number("1.2.3").is_none());
        assert!(read_number("1/0").is_none());
    }
}
