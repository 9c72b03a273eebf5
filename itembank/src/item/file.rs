//! The on-disk form of an item: one TOML file per item.
//!
//! Common fields sit at the top level; the kind-specific response format and scoring
//! rule sit in a `[response]` table, read only once `kind` is known. That two-step
//! read keeps `deny_unknown_fields` (typos are errors) and lets every error name the
//! field, e.g. `response: unknown field `corect``.
//!
//! ```toml
//! id = "M8-A01"
//! kind = "single_choice"
//! status = "operational"
//! version = 1
//! subject = "mathematics"
//! grade = 8
//! prompt = { zh-CN = "…", en = "…" }
//!
//! [response]
//! correct = "B"
//! options = [{ id = "A", text = { zh-CN = "…" } }, …]
//! ```

use serde::{Deserialize, Serialize};

use super::*;

macro_rules! kind_tags {
    ($($tag:ident => $variant:ident($spec:ty)),* $(,)?) => {
        /// The `kind` field of an item file.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum KindTag { $($variant),* }

        impl KindTag {
            /// Every kind, in declaration order.
            pub const ALL: &[KindTag] = &[$(KindTag::$variant),*];

            /// The name used in files and reports.
            pub fn name(self) -> &'static str {
                match self { $(KindTag::$variant => stringify!($tag)),* }
            }
        }

        impl ItemKind {
            /// The tag naming this kind in files.
            pub fn tag(&self) -> KindTag {
                match self { $(ItemKind::$variant(_) => KindTag::$variant),* }
            }

            /// Reads the `[response]` table of a kind.
            fn from_table(tag: KindTag, table: toml::Table) -> Result<ItemKind, toml::de::Error> {
                Ok(match tag { $(KindTag::$variant => ItemKind::$variant(<$spec>::deserialize(table)?)),* })
            }

            /// Writes the `[response]` table of a kind.
            fn to_table(&self) -> Result<toml::Table, toml::ser::Error> {
                match self { $(ItemKind::$variant(spec) => toml::Table::try_from(spec)),* }
            }
        }
    };
}

kind_tags! {
    single_choice => SingleChoice(SingleChoiceSpec),
    multiple_choice => MultipleChoice(MultipleChoiceSpec),
    numeric => Numeric(NumericSpec),
    short_text => ShortText(ShortTextSpec),
    ordering => Ordering(OrderingSpec),
    matching => Matching(MatchingSpec),
    inline_choice => InlineChoice(InlineChoiceSpec),
    extended => Extended(ExtendedSpec),
    likert => Likert(LikertSpec),
    time_use => TimeUse(TimeUseSpec),
    background_numeric => BackgroundNumeric(BackgroundNumericSpec),
    categorical => Categorical(CategoricalSpec),
    creative => Creative(CreativeSpec),
}

/// An item file as written on disk.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemFile {
    pub id: String,
    pub kind: KindTag,
    pub status: Status,
    pub version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cognitive_level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub construct: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<LocalizedText>,
    pub prompt: LocalizedText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio: Option<Audio>,
    pub response: toml::Table,
}

impl ItemFile {
    /// Turns the file into an item; the error names the `response` field at fault.
    pub fn into_item(self) -> Result<Item, String> {
        let kind = ItemKind::from_table(self.kind, self.response)
            .map_err(|e| format!("response ({}): {}", self.kind.name(), e.message()))?;
        Ok(Item {
            id: self.id,
            title: self.title,
            meta: ItemMeta {
                subject: self.subject,
                grade: self.grade,
                content_domain: self.content_domain,
                process_domain: self.process_domain,
                cognitive_level: self.cognitive_level,
                construct: self.construct,
                status: self.status,
                version: self.version,
            },
            prompt: self.prompt,
            audio: self.audio,
            kind,
        })
    }

    /// The file form of an item.
    pub fn from_item(item: &Item) -> Result<ItemFile, toml::ser::Error> {
        Ok(ItemFile {
            id: item.id.clone(),
            kind: item.kind.tag(),
            status: item.meta.status,
            version: item.meta.version,
            subject: item.meta.subject.clone(),
            grade: item.meta.grade,
            content_domain: item.meta.content_domain.clone(),
            process_domain: item.meta.process_domain.clone(),
            cognitive_level: item.meta.cognitive_level.clone(),
            construct: item.meta.construct.clone(),
            title: item.title.clone(),
            prompt: item.prompt.clone(),
            audio: item.audio.clone(),
            response: item.kind.to_table()?,
        })
    }
}

impl Item {
    /// Parses one item file; errors carry the field (and line for syntax errors).
    pub fn from_toml(text: &str) -> Result<Item, String> {
        let file: ItemFile = toml::from_str(text).map_err(|e| crate::toml_error(text, &e))?;
        file.into_item()
    }

    /// Writes the item as a TOML file a person can edit.
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string(&ItemFile::from_item(self)?)
    }
}
