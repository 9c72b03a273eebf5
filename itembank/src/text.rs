//! Multilingual text: zh-CN is required everywhere, English optional.

use serde::{Deserialize, Serialize};

/// A language the bank carries text in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    ZhCn,
    En,
}

impl Lang {
    /// BCP 47 tag, as used in files and in QTI `xml:lang`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// A text with its language variants, written in TOML as `{ zh-CN = "…", en = "…" }`.
///
/// zh-CN defaults to empty on parse rather than failing, so that a missing Chinese
/// text is reported by bank validation together with every other problem, with the
/// field it belongs to, instead of stopping at the first parse error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalizedText {
    #[serde(rename = "zh-CN", default)]
    pub zh_cn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl LocalizedText {
    /// Text with both variants.
    pub fn new(zh_cn: impl Into<String>, en: impl Into<String>) -> Self {
        LocalizedText {
            zh_cn: zh_cn.into(),
            en: Some(en.into()),
        }
    }

    /// Chinese-only text.
    pub fn zh(zh_cn: impl Into<String>) -> Self {
        LocalizedText {
            zh_cn: zh_cn.into(),
            en: None,
        }
    }

    /// The text in `lang`, falling back to zh-CN when that variant is absent.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhCn => &self.zh_cn,
            Lang::En => self
                .en
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or(&self.zh_cn),
        }
    }

    /// Whether the required zh-CN variant is present.
    pub fn has_zh(&self) -> bool {
        !self.zh_cn.trim().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_falls_back_to_chinese() {
        let t = LocalizedText::zh("你好");
        assert_eq!(t.get(Lang::En), "你好");
        let t = LocalizedText::new("你好", "hello");
        assert_eq!(t.get(Lang::En), "hello");
        assert_eq!(t.get(Lang::ZhCn), "你好");
    }

    #[test]
    fn parses_language_keys() {
        let t: LocalizedText = toml::from_str("zh-CN = \"甲\"\nen = \"A\"").unwrap();
        assert_eq!(t, LocalizedText::new("甲", "A"));
        let missing: LocalizedText = toml::from_str("en = \"A\"").unwrap();
        assert!(!missing.has_zh());
        assert!(toml::from_str::<LocalizedText>("fr = \"A\"").is_err());
    }
}
