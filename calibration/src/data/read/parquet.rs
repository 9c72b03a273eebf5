//! Response data as Parquet (DESIGN.md §4): "Parquet keeps the byte codes, with the code
//! table in the file's metadata".
//!
//! [`write_parquet`] writes one `UInt8` column per item holding the matrix's bytes as they
//! are (categories 0..249 and the missing codes 250–255; no missing-code policy is applied),
//! after the id, group, weight and booklet columns, compressed with snappy. The file's
//! key-value metadata (and the Arrow schema's, which pandas and R's arrow show) carries JSON
//! so that other tools can read the codes meaningfully:
//!
//! - [`CODES_KEY`]: the code table, `{"255": "not administered", "254": "omitted", …}`;
//! - [`CATEGORY_VALUES_KEY`]: each item's original value of each category,
//!   `{"I01": [1, 2, 3, 4], …}` (0..K−1 when none were given);
//! - [`GROUPS_KEY`]: the group column and the matrix's group names in order,
//!   `{"column": "country", "names": ["TWN", "AUS"]}`, so the reference group (group 0)
//!   survives the round trip.
//!
//! [`read_parquet`] reads item columns of any integer type (null means not administered,
//! 255), integral floats (as pandas writes integer columns holding NaN; NaN is null) and
//! all-null columns, recoded as the CSV reader does. A file carrying the code table (every
//! file [`write_parquet`] wrote) has its values 250–255 read as missing codes even without
//! [`ReadOptions::raw_codes`](super::ReadOptions::raw_codes), and its category values and
//! group order are restored, so reading back what was written gives the same matrix.

mod reader;
mod writer;

pub use reader::read_parquet;
pub(super) use reader::{is_text_type, open_parquet, texts};
pub use writer::{write_parquet, write_parquet_to};

use crate::data::codes::{DONT_KNOW, INVALID, NOT_ADMINISTERED, NOT_REACHED, OMITTED, VALID_SKIP};

/// Metadata key of the code table: what each missing code 250–255 means.
pub const CODES_KEY: &str = "assess.codes";
/// Metadata key of each item's original category values.
pub const CATEGORY_VALUES_KEY: &str = "assess.category_values";
/// Metadata key of the group column's name and the groups in matrix order.
pub const GROUPS_KEY: &str = "assess.groups";

/// The missing codes and what they mean, highest first (DESIGN.md §4).
const CODES: [(u8, &str); 6] = [
    (NOT_ADMINISTERED, "not administered"),
    (OMITTED, "omitted"),
    (NOT_REACHED, "not reached"),
    (INVALID, "invalid"),
    (VALID_SKIP, "valid skip"),
    (DONT_KNOW, "don't know"),
];

/// The code table as JSON, codes in the order DESIGN.md lists them.
fn code_table() -> String {
    let entries: Vec<String> = CODES
        .iter()
        .map(|(code, meaning)| format!("\"{code}\":{}", serde_json::Value::from(*meaning)))
        .collect();
    format!("{{{}}}", entries.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_table_is_json_naming_every_missing_code() {
        let table: std::collections::HashMap<String, String> = serde_json::from_str(&code_table()).unwrap();
        assert_eq!(table.len(), 6);
        assert_eq!(table["255"], "not administered");
        assert_eq!(table["254"], "omitted");
        assert_eq!(table["250"], "don't know");
        assert!(code_table().starts_with("{\"255\":\"not administered\",\"254\""));
    }
}
