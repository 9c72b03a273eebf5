//! Turning one item's observed values into categories 0..K−1 while the file is read.
//!
//! Each cell becomes its byte at once, so the integers are never held as a second copy of
//! the data: under [`Recode::Sorted`] a cell first gets a provisional category in order of
//! first appearance, and [`Coder::finish`] returns the table that renumbers provisional
//! categories in sorted order of their values.

use super::Recode;
use crate::data::codes::FIRST_MISSING;

/// Most distinct values an item can have: every byte below the missing codes.
pub(super) const MAX_CATEGORIES: usize = FIRST_MISSING as usize;

/// Marks a value not seen yet in [`SortedCoder::small`].
const UNSEEN: u8 = u8::MAX;

/// Why a value cannot become a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CodeError {
    /// Under [`Recode::AsIs`], a value outside 0..249.
    NotACategory,
    /// Under [`Recode::AsIs`] without raw codes, a missing code 250–255 written as a number.
    MissingCodeNotAllowed,
    /// The item's 251st distinct value (reported once per item).
    TooManyValues,
    /// A further new value of an item already over the limit: reported already.
    AlreadyOverLimit,
}

/// The coding of one item column.
pub(super) enum Coder {
    Sorted(Box<SortedCoder>),
    /// Values are the categories; remembers one more than the highest seen.
    AsIs {
        categories: usize,
    },
}

pub(super) struct SortedCoder {
    /// Provisional category of each value 0..=255 (the common case, looked up directly).
    small: [u8; 256],
    /// Provisional categories of other values, searched linearly: rare, and at most 250.
    large: Vec<(i64, u8)>,
    /// The value of each provisional category.
    values: Vec<i64>,
    over_limit: bool,
}

impl Coder {
    pub(super) fn new(recode: Recode) -> Self {
        match recode {
            Recode::Sorted => Coder::Sorted(Box::new(SortedCoder {
                small: [UNSEEN; 256],
                large: Vec::new(),
                values: Vec::new(),
                over_limit: false,
            })),
            Recode::AsIs => Coder::AsIs { categories: 0 },
        }
    }

    /// The byte of a value that is not a raw missing code.
    pub(super) fn code(&mut self, value: i64) -> Result<u8, CodeError> {
        match self {
            Coder::AsIs { categories } => match u8::try_from(value) {
                Ok(byte) if byte < FIRST_MISSING => {
                    *categories = (*categories).max(usize::from(byte) + 1);
                    Ok(byte)
                }
                Ok(_) => Err(CodeError::MissingCodeNotAllowed),
                Err(_) => Err(CodeError::NotACategory),
            },
            Coder::Sorted(coder) => coder.code(value),
        }
    }

    /// The original value of each category, and (under [`Recode::Sorted`]) the table taking
    /// each provisional category to its final one.
    pub(super) fn finish(self) -> (Vec<i64>, Option<Vec<u8>>) {
        match self {
            Coder::AsIs { categories } => ((0..categories as i64).collect(), None),
            Coder::Sorted(coder) => {
                let mut order: Vec<u8> = (0..coder.values.len() as u8).collect();
                order.sort_unstable_by_key(|&p| coder.values[usize::from(p)]);
                let mut renumber = vec![0u8; order.len()];
                for (category, &provisional) in order.iter().enumerate() {
                    renumber[usize::from(provisional)] = category as u8;
                }
                (
                    order.iter().map(|&p| coder.values[usize::from(p)]).collect(),
                    Some(renumber),
                )
            }
        }
    }
}

impl SortedCoder {
    fn code(&mut self, value: i64) -> Result<u8, CodeError> {
        let small = usize::try_from(value).ok().filter(|&v| v < self.small.len());
        let known = match small {
            Some(v) => Some(self.small[v]).filter(|&c| c != UNSEEN),
            None => self.large.iter().find(|(v, _)| *v == value).map(|&(_, c)| c),
        };
        if let Some(category) = known {
            return Ok(category);
        }
        if self.values.len() == MAX_CATEGORIES {
            return Err(if std::mem::replace(&mut self.over_limit, true) {
                CodeError::AlreadyOverLimit
            } else {
                CodeError::TooManyValues
            });
        }
        // Below MAX_CATEGORIES (250), so never UNSEEN nor a missing code.
        let category = self.values.len() as u8;
        self.values.push(value);
        match small {
            Some(v) => self.small[v] = category,
            None => self.large.push((value, category)),
        }
        Ok(category)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_numbers_values_in_order_whatever_order_they_come_in() {
        let mut coder = Coder::new(Recode::Sorted);
        let provisional: Vec<u8> = [8, 1, 8, -2, 1000, 3].iter().map(|&v| coder.code(v).unwrap()).collect();
        let (values, renumber) = coder.finish();
        assert_eq!(values, [-2, 1, 3, 8, 1000]);
        let renumber = renumber.unwrap();
        let categories: Vec<u8> = provisional.iter().map(|&p| renumber[usize::from(p)]).collect();
        assert_eq!(categories, [3, 1, 3, 0, 4, 2]);
    }

    #[test]
    fn sorted_stops_at_250_values_and_says_so_once() {
        let mut coder = Coder::new(Recode::Sorted);
        for v in 0..MAX_CATEGORIES as i64 {
            coder.code(v * 7).unwrap();
        }
        assert_eq!(coder.code(7), Ok(1));
        assert_eq!(coder.code(-1), Err(CodeError::TooManyValues));
        assert_eq!(coder.code(-2), Err(CodeError::AlreadyOverLimit));
    }

    #[test]
    fn as_is_takes_categories_below_the_missing_codes() {
        let mut coder = Coder::new(Recode::AsIs);
        assert_eq!(coder.code(2), Ok(2));
        assert_eq!(coder.code(0), Ok(0));
        assert_eq!(coder.code(250), Err(CodeError::MissingCodeNotAllowed));
        assert_eq!(coder.code(-1), Err(CodeError::NotACategory));
        assert_eq!(coder.code(256), Err(CodeError::NotACategory));
        assert_eq!(coder.finish(), (vec![0, 1, 2], None));
    }
}
