//! Export → import round trips: lossless through a package (the manifest carries the
//! bank's own form), and everything QTI can say through the XML alone.

#[path = "qti_samples.rs"]
mod samples;

use std::io::{Cursor, Read, Write};

use itembank::item::*;
use itembank::qti::{ItemOrUnsupported, export_item, export_package, import_item_xml, import_path};
use itembank::text::LocalizedText;

fn zh(t: &LocalizedText) -> LocalizedText {
    LocalizedText::zh(t.zh_cn.clone())
}

fn zh_choices(options: &[Choice]) -> Vec<Choice> {
    options
        .iter()
        .map(|o| Choice {
            id: o.id.clone(),
            text: zh(&o.text),
        })
        .collect()
}

/// What a QTI tool sees of an item: zh-CN texts, keys, mappings, rubric score points,
/// shuffle, lengths; not English, units, valid ranges or metadata.
fn qti_view(item: &Item) -> Item {
    let kind = match &item.kind {
        ItemKind::SingleChoice(s) => ItemKind::SingleChoice(SingleChoiceSpec {
            options: zh_choices(&s.options),
            ..s.clone()
        }),
        ItemKind::MultipleChoice(s) => ItemKind::MultipleChoice(MultipleChoiceSpec {
            options: zh_choices(&s.options),
            ..s.clone()
        }),
        ItemKind::Numeric(s) => ItemKind::Numeric(NumericSpec {
            units: Vec::new(),
            unit_required: false,
            valid_min: None,
            valid_max: None,
            ..s.clone()
        }),
        ItemKind::ShortText(s) => ItemKind::ShortText(ShortTextSpec {
            ignore_spaces: true,
            ..s.clone()
        }),
        ItemKind::Ordering(s) => ItemKind::Ordering(OrderingSpec {
            options: zh_choices(&s.options),
            ..s.clone()
        }),
        ItemKind::Matching(s) => ItemKind::Matching(MatchingSpec {
            sources: zh_choices(&s.sources),
            targets: zh_choices(&s.targets),
            ..s.clone()
        }),
        ItemKind::InlineChoice(s) => ItemKind::InlineChoice(InlineChoiceSpec {
            text: zh(&s.text),
            options: zh_choices(&s.options),
            ..s.clone()
        }),
        ItemKind::Extended(s) => ItemKind::Extended(ExtendedSpec {
            rubric: Rubric {
                points: s
                    .rubric
                    .points
                    .iter()
                    .map(|p| ScorePoint {
                        score: p.score,
                        descriptor: zh(&p.descriptor),
                        examples: p.examples.iter().map(zh).collect(),
                    })
                    .collect(),
            },
            ..s.clone()
        }),
        other => other.clone(),
    };
    Item {
        id: item.id.clone(),
        title: item.title.as_ref().map(zh),
        meta: ItemMeta {
            subject: None,
            grade: None,
            content_domain: None,
            process_domain: None,
            cognitive_level: None,
            construct: None,
            status: Status::Draft,
            version: 1,
        },
        prompt: zh(&item.prompt),
        audio: None,
        kind,
    }
}

fn exportable() -> Vec<Item> {
    samples::items().into_iter().filter(|i| !i.is_questionnaire()).collect()
}

fn package(items: &[Item]) -> Vec<u8> {
    let refs: Vec<&Item> = items.iter().collect();
    let mut zip = Cursor::new(Vec::new());
    export_package(&refs, &mut zip).unwrap();
    zip.into_inner()
}

#[test]
fn package_round_trip_is_lossless() {
    let items = samples::items();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bank.zip");
    std::fs::write(&path, package(&items)).unwrap();
    let imported = import_path(&path).unwrap();
    assert!(imported.unsupported.is_empty(), "{:?}", imported.unsupported);
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    assert_eq!(imported.items, exportable());
    // Identifiers starting with a digit were prefixed in QTI and come back unchanged.
    let renamed: Vec<(&str, &str)> = imported
        .renamed
        .iter()
        .map(|r| (r.from.as_str(), r.to.as_str()))
        .collect();
    assert!(renamed.contains(&("_8-MC01", "8-MC01")), "{renamed:?}");
}

#[test]
fn xml_round_trip_keeps_what_qti_can_say() {
    for item in exportable() {
        let xml = export_item(&item).unwrap();
        let back = match import_item_xml(&xml, "x.xml").unwrap_or_else(|e| panic!("{}: {e}\n{xml}", item.id)) {
            ItemOrUnsupported::Item { item, warnings, .. } => {
                assert!(warnings.is_empty(), "{warnings:?}");
                *item
            }
            ItemOrUnsupported::Unsupported(u) => panic!("{u}"),
        };
        assert_eq!(back, qti_view(&item), "{}\n{xml}", item.id);
    }
}

#[test]
fn chinese_full_width_text_and_mathml_survive_the_xml() {
    let items = exportable();
    let numeric = items.iter().find(|i| i.id == "M8-NU01").unwrap();
    let ItemOrUnsupported::Item { item, .. } = import_item_xml(&export_item(numeric).unwrap(), "x.xml").unwrap() else {
        panic!()
    };
    assert_eq!(
        item.prompt.zh_cn,
        "已知 <math><mi>x</mi><mo>+</mo><mn>2</mn><mo>=</mo><mn>5.5</mn></math>，求 <math><msup><mi>x</mi><mn>2</mn></msup></math> 的值（单位：厘米）。"
    );
    let single = items.iter().find(|i| i.id == "M8-SC01").unwrap();
    let ItemOrUnsupported::Item { item, .. } = import_item_xml(&export_item(single).unwrap(), "x.xml").unwrap() else {
        panic!()
    };
    assert_eq!(
        item.prompt.zh_cn,
        "下列哪个数是质数？（单选）\n注意：全角数字“１２”与半角相同。"
    );
    let ItemKind::SingleChoice(s) = &item.kind else {
        panic!()
    };
    assert_eq!(s.options[0].text.zh_cn, "４");
    assert_eq!(s.options[2].text.zh_cn, "９ & <10>");
}

/// Rewrites one entry of a zip.
fn edit_entry(zip: &[u8], name: &str, edit: impl Fn(String) -> String) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let mut text = String::new();
        f.read_to_string(&mut text).unwrap();
        let entry = f.name().unwrap().to_string();
        if entry == name {
            text = edit(text);
        }
        out.start_file(entry, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(text.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn xml_edited_in_another_tool_wins_over_the_metadata() {
    let items = exportable();
    let zip = package(&items);
    let edited = edit_entry(&zip, "items/M8-SC01.xml", |xml| {
        xml.replace("下列哪个数是质数？（单选）", "哪个数是质数？")
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("edited.zip");
    std::fs::write(&path, edited).unwrap();
    let imported = import_path(&path).unwrap();
    let single = imported.items.iter().find(|i| i.id == "M8-SC01").unwrap();
    assert!(
        single.prompt.zh_cn.starts_with("哪个数是质数？"),
        "{}",
        single.prompt.zh_cn
    );
    assert_eq!(
        single.meta.status,
        Status::Draft,
        "nothing of the stale metadata is used"
    );
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("M8-SC01") && w.contains("differs from the assess metadata")),
        "{:?}",
        imported.warnings
    );
    // Every other item still comes back exactly.
    let others: Vec<&Item> = imported.items.iter().filter(|i| i.id != "M8-SC01").collect();
    let expected: Vec<&Item> = items.iter().filter(|i| i.id != "M8-SC01").collect();
    assert_eq!(others, expected);
}

#[test]
fn metadata_for_another_item_is_not_used() {
    let items = exportable();
    let zip = package(&items);
    let swapped = edit_entry(&zip, "imsmanifest.xml", |m| {
        m.replacen("id = &quot;M8-SC01&quot;", "id = &quot;OTHER&quot;", 1)
            .replacen("id = \"M8-SC01\"", "id = \"OTHER\"", 1)
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("swapped.zip");
    std::fs::write(&path, swapped).unwrap();
    let imported = import_path(&path).unwrap();
    let single = imported.items.iter().find(|i| i.id == "M8-SC01").unwrap();
    assert_eq!(*single, qti_view(&items[0]));
    assert!(
        imported.warnings.iter().any(|w| w.contains("describes `OTHER`")),
        "{:?}",
        imported.warnings
    );
}
