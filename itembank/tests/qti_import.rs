//! QTI import: the vendored third-party items (see tests/fixtures/qti/README.md),
//! template URIs, identifiers, languages, malformed input and zip safety.

use std::collections::BTreeMap;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use itembank::item::*;
use itembank::qti::{Imported, ItemOrUnsupported, RpTemplate, Unsupported, import_item_xml, import_path, rp_template};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/qti")
        .join(name)
}

fn import(name: &str) -> Imported {
    import_path(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The one item of a fixture, with its warnings.
fn imported_item(name: &str) -> (Item, Vec<String>) {
    let imported = import(name);
    assert!(imported.unsupported.is_empty(), "{name}: {:?}", imported.unsupported);
    assert_eq!(imported.items.len(), 1, "{name}");
    (imported.items.into_iter().next().unwrap(), imported.warnings)
}

fn unsupported(name: &str) -> Unsupported {
    let imported = import(name);
    assert!(imported.items.is_empty(), "{name}: {:?}", imported.items);
    assert_eq!(imported.unsupported.len(), 1, "{name}");
    imported.unsupported.into_iter().next().unwrap()
}

fn ids(options: &[Choice]) -> Vec<&str> {
    options.iter().map(|o| o.id.as_str()).collect()
}

fn has(warnings: &[String], text: &str) -> bool {
    warnings.iter().any(|w| w.contains(text))
}

#[test]
fn qti21_single_choice_match_correct() {
    let (item, warnings) = imported_item("qti21_choice_single_match_correct_qtisdk.xml");
    assert_eq!(item.id, "choice");
    assert_eq!(item.title.as_ref().unwrap().zh_cn, "Unattended Luggage");
    assert_eq!(item.meta.status, Status::Draft);
    assert_eq!(item.meta.version, 1);
    assert!(
        item.prompt.zh_cn.ends_with("What does it say?"),
        "{}",
        item.prompt.zh_cn
    );
    assert_eq!(item.prompt.en.as_deref(), Some(item.prompt.zh_cn.as_str()));
    let ItemKind::SingleChoice(s) = &item.kind else {
        panic!("{:?}", item.kind)
    };
    assert_eq!(ids(&s.options), ["ChoiceA", "ChoiceB", "ChoiceC"]);
    assert_eq!(s.correct, "ChoiceA");
    assert!(!s.shuffle);
    assert_eq!(s.options[0].text.zh_cn, "You must stay with your luggage at all times.");
    assert!(has(&warnings, "no zh-CN text; English copied"), "{warnings:?}");
    assert!(
        has(&warnings, "images/sign.png"),
        "the image left out is reported: {warnings:?}"
    );
}

#[test]
fn qti21_text_entry_map_response_becomes_short_text() {
    let (item, warnings) = imported_item("qti21_text_entry_map_response_qtisdk.xml");
    assert_eq!(item.id, "textEntry");
    let ItemKind::ShortText(s) = &item.kind else {
        panic!("{:?}", item.kind)
    };
    assert_eq!(s.accepted, ["York", "york"]);
    assert!(
        s.case_sensitive,
        "QTI 2 map entries are case-sensitive unless they say otherwise"
    );
    assert_eq!(s.expected_length, Some(15));
    assert!(
        item.prompt.zh_cn.contains("by this sun of ____;"),
        "{}",
        item.prompt.zh_cn
    );
    assert!(has(&warnings, "partial credit 0.5 of 1 for `york`"), "{warnings:?}");
}

#[test]
fn qti21_two_text_entry_gaps_are_reported() {
    let u = unsupported("qti21_text_entry_two_gaps_citolabconvert.xml");
    assert_eq!(u.identifier, "ITEM_TEXT");
    assert_eq!(u.what, "textEntryInteraction");
    assert!(u.reason.contains("2 interactions"), "{u}");
    assert!(u.file.ends_with("qti21_text_entry_two_gaps_citolabconvert.xml"));
}

#[test]
fn multiple_choice_map_response_in_qti22_and_qti3() {
    for name in [
        "qti22_choice_multiple_map_response_qtisdk.xml",
        "qti3_choice_multiple_map_response_citolab.xml",
    ] {
        let (item, _) = imported_item(name);
        assert_eq!(item.id, "choiceMultiple");
        assert_eq!(
            item.prompt.zh_cn,
            "Which of the following elements are used to form water?"
        );
        let ItemKind::MultipleChoice(s) = &item.kind else {
            panic!("{:?}", item.kind)
        };
        assert_eq!(ids(&s.options), ["H", "He", "C", "O", "N", "Cl"]);
        assert_eq!(s.correct, ["H", "O"]);
        assert!(s.shuffle);
        assert_eq!(s.max_choices, None, "maxChoices 0 is unlimited");
        let map = s.partial.as_ref().unwrap();
        assert_eq!(
            map.values,
            BTreeMap::from([("H".into(), 1), ("O".into(), 1), ("Cl".into(), -1)])
        );
        assert_eq!((map.default, map.lower, map.upper), (-2, 0, 2));
        assert_eq!(item.kind.categories(), Some(3));
    }
}

#[test]
fn extended_text_without_processing_is_rater_scored() {
    let (item, warnings) = imported_item("qti22_extended_text_qtisdk.xml");
    assert_eq!(item.id, "extendedText");
    assert!(item.kind.is_rater_scored());
    let ItemKind::Extended(s) = &item.kind else {
        panic!("{:?}", item.kind)
    };
    let scores: Vec<u8> = s.rubric.points.iter().map(|p| p.score).collect();
    assert_eq!(scores, [0, 1]);
    assert_eq!(s.rubric.points[1].descriptor.zh_cn, "分数 1");
    assert!(
        item.prompt.zh_cn.starts_with("Read this postcard"),
        "{}",
        item.prompt.zh_cn
    );
    assert!(
        item.prompt.zh_cn.ends_with("Write 25-35 words."),
        "{}",
        item.prompt.zh_cn
    );
    assert!(has(&warnings, "no maximum score declared"), "{warnings:?}");

    let (item, warnings) = imported_item("qti3_extended_text_citolabconvert.xml");
    assert_eq!(item.id, "ITEM_EXTENDED");
    assert!(item.prompt.zh_cn.contains("3–5 zinnen"));
    assert_eq!(item.prompt.en, None, "Dutch is not English");
    assert!(has(&warnings, "no zh-CN text; nl-NL text copied"), "{warnings:?}");
    assert!(matches!(item.kind, ItemKind::Extended(_)));
}

#[test]
fn inline_choice_sentence_becomes_gap_text() {
    for (name, id) in [
        ("qti22_inline_choice_match_correct_qtisdk.xml", "inlineChoice"),
        ("qti3_inline_choice_match_correct_1edtech.xml", "QTI3-inline-choice"),
    ] {
        let (item, _) = imported_item(name);
        assert_eq!(item.id, id);
        assert_eq!(
            item.prompt.zh_cn,
            "Identify the missing word in this famous quote from Shakespeare's Richard III."
        );
        let ItemKind::InlineChoice(s) = &item.kind else {
            panic!("{:?}", item.kind)
        };
        assert_eq!(ids(&s.options), ["G", "L", "Y"]);
        assert_eq!(s.options[2].text.zh_cn, "York");
        assert_eq!(s.correct, "Y");
        assert_eq!(
            s.text.zh_cn,
            "Now is the winter of our discontent\nMade glorious summer by this sun of {gap};\n\
             And all the clouds that lour'd upon our house\nIn the deep bosom of the ocean buried."
        );
    }
}

#[test]
fn match_with_half_points_is_reported() {
    for (name, id) in [
        ("qti22_match_map_response_qtisdk.xml", "match"),
        ("qti3_match_map_response_1edtech.xml", "QTI3-match"),
    ] {
        let u = unsupported(name);
        assert_eq!(u.identifier, id);
        assert_eq!(u.what, "mapping");
        assert!(u.reason.contains("non-integer mapping value 0.5"), "{u}");
    }
}

#[test]
fn order_match_correct() {
    for (name, id, shuffle) in [
        ("qti22_order_match_correct_qtisdk.xml", "order", true),
        ("qti3_order_match_correct_1edtech.xml", "QTI3-order", false),
    ] {
        let (item, _) = imported_item(name);
        assert_eq!(item.id, id);
        let ItemKind::Ordering(s) = &item.kind else {
            panic!("{:?}", item.kind)
        };
        assert_eq!(ids(&s.options), ["DriverA", "DriverB", "DriverC"]);
        assert_eq!(s.correct, ["DriverC", "DriverA", "DriverB"]);
        assert_eq!(s.shuffle, shuffle);
        assert!(item.prompt.zh_cn.contains("Grand Prix of Bahrain"));
    }
    let (item, _) = imported_item("qti3_order_match_correct_1edtech.xml");
    assert!(
        item.prompt
            .zh_cn
            .ends_with("\nRearrange them into the correct finishing order."),
        "block prompt: {}",
        item.prompt.zh_cn
    );
}

#[test]
fn qti3_single_choice_without_xml_suffix_in_template() {
    let (item, warnings) = imported_item("qti3_choice_single_match_correct_noext_1edtech.xml");
    assert_eq!(item.id, "firstexample");
    assert_eq!(
        item.prompt.zh_cn,
        "Of the following hormones, which is produced by the adrenal glands?"
    );
    let ItemKind::SingleChoice(s) = &item.kind else {
        panic!("{:?}", item.kind)
    };
    assert_eq!(ids(&s.options), ["A", "B", "C", "D"]);
    assert_eq!(s.correct, "A");
    assert!(!has(&warnings, "response processing"), "{warnings:?}");
}

#[test]
fn qti3_text_entry_with_www_template_uri() {
    let (item, warnings) = imported_item("qti3_text_entry_map_response_wwwuri_citolab.xml");
    assert_eq!(item.id, "ITM-text_entry");
    let ItemKind::ShortText(s) = &item.kind else {
        panic!("{:?}", item.kind)
    };
    assert_eq!(s.accepted, ["York", "york"]);
    assert!(!s.case_sensitive, "QTI 3's XSD default for case-sensitive is false");
    assert_eq!(s.expected_length, Some(15));
    assert!(!has(&warnings, "unknown response processing template"), "{warnings:?}");
}

#[test]
fn unsupported_interactions_are_reported() {
    for (name, id, what) in [
        ("qti22_hotspot_unsupported_qtisdk.xml", "hotspot", "hotspotInteraction"),
        ("qti22_slider_unsupported_qtisdk.xml", "slider", "sliderInteraction"),
        (
            "qti3_select_point_unsupported_citolabconvert.xml",
            "ITEM_SELECT_POINT",
            "selectPointInteraction",
        ),
    ] {
        let u = unsupported(name);
        assert_eq!((u.identifier.as_str(), u.what.as_str()), (id, what));
        assert!(u.reason.contains("not supported"), "{u}");
    }
}

#[test]
fn every_fixture_imports_or_is_reported_and_enough_import() {
    let mut items = 0;
    let mut files = 0;
    for entry in std::fs::read_dir(fixture("")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "xml") {
            files += 1;
            let imported = import_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(
                imported.items.len() + imported.unsupported.len(),
                1,
                "{}",
                path.display()
            );
            for item in &imported.items {
                assert!(item.check().is_empty(), "{}: {:?}", item.id, item.check().0);
            }
            items += imported.items.len();
        }
    }
    assert!(files >= 18, "{files} fixtures");
    assert!(items >= 10, "only {items} real items imported");
}

#[test]
fn package_of_fixtures_imports_all_items_together() {
    let names = [
        ("qti21_choice_single_match_correct_qtisdk.xml", "imsqti_item_xmlv2p1"),
        ("qti22_order_match_correct_qtisdk.xml", "imsqti_item_xmlv2p2"),
        ("qti3_choice_multiple_map_response_citolab.xml", "imsqti_item_xmlv3p0"),
        ("qti22_hotspot_unsupported_qtisdk.xml", "imsqti_item_xmlv2p2"),
    ];
    let mut manifest =
        String::from("<manifest xmlns=\"http://www.imsglobal.org/xsd/imscp_v1p1\" identifier=\"M\"><resources>");
    let mut entries = Vec::new();
    for (i, (name, kind)) in names.iter().enumerate() {
        // Entry names with spaces are written %20-encoded in hrefs, which are URIs.
        let entry = format!("items/{i} {name}");
        let href = format!("./items/{i}%20{name}");
        manifest.push_str(&format!(
            "<resource identifier=\"R{i}\" type=\"{kind}\" href=\"{href}\"><file href=\"{href}\"/></resource>"
        ));
        entries.push((entry, std::fs::read(fixture(name)).unwrap()));
    }
    manifest
        .push_str("<resource identifier=\"T\" type=\"imsqti_test_xmlv3p0\" href=\"test.xml\"/></resources></manifest>");
    entries.push(("imsmanifest.xml".into(), manifest.into_bytes()));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fixtures.zip");
    std::fs::write(&path, zip_of(&entries)).unwrap();
    let imported = import_path(&path).unwrap();
    let got: Vec<&str> = imported.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(got, ["choice", "order", "choiceMultiple"]);
    assert_eq!(imported.unsupported.len(), 1);
    assert!(
        imported.unsupported[0]
            .file
            .ends_with("fixtures.zip/items/3 qti22_hotspot_unsupported_qtisdk.xml"),
        "{:?}",
        imported.unsupported
    );
    assert!(
        has(
            &imported.warnings,
            "1 resource(s) of type `imsqti_test_xmlv3p0` ignored"
        ),
        "{:?}",
        imported.warnings
    );
}

#[test]
fn template_uris_are_normalised() {
    let table = [
        (
            "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct",
            Some(RpTemplate::MatchCorrect),
        ),
        (
            "http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response",
            Some(RpTemplate::MapResponse),
        ),
        (
            "http://www.imsglobal.org/question/qti_v2p2/rptemplates/match_correct",
            Some(RpTemplate::MatchCorrect),
        ),
        (
            "http://www.imsglobal.org/question/qti_v2p2/rptemplates/map_response",
            Some(RpTemplate::MapResponse),
        ),
        (
            "http://www.imsglobal.org/question/qti_v2p2/rptemplates/map_response_point",
            Some(RpTemplate::MapResponsePoint),
        ),
        (
            "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml",
            Some(RpTemplate::MatchCorrect),
        ),
        (
            "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct",
            Some(RpTemplate::MatchCorrect),
        ),
        (
            "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response.xml",
            Some(RpTemplate::MapResponse),
        ),
        (
            "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response",
            Some(RpTemplate::MapResponse),
        ),
        (
            "https://www.imsglobal.org/question/qti_v3p0/rptemplates/map_response.xml",
            Some(RpTemplate::MapResponse),
        ),
        (
            "  https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/MATCH_CORRECT.XML ",
            Some(RpTemplate::MatchCorrect),
        ),
        ("../rptemplates/match_correct.xml", Some(RpTemplate::MatchCorrect)),
        ("rptemplates\\map_response.xml", Some(RpTemplate::MapResponse)),
        (
            "https://example.org/rptemplates/match_correct.xml?v=2",
            Some(RpTemplate::MatchCorrect),
        ),
        ("https://example.org/rptemplates/my_own.xml", None),
        ("", None),
    ];
    for (uri, expected) in table {
        assert_eq!(rp_template(uri), expected, "{uri:?}");
    }
}

/// A minimal QTI 3 choice item around a body and declarations.
fn qti3(attrs: &str, decl: &str, body: &str, rp: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="ID" title="T" time-dependent="false" {attrs}>
{decl}
<qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float"/>
<qti-item-body>{body}</qti-item-body>
{rp}
</qti-assessment-item>"#
    )
}

const CHOICE_DECL: &str = r#"<qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier"><qti-correct-response><qti-value>B</qti-value></qti-correct-response></qti-response-declaration>"#;
const CHOICES: &str = r#"<qti-choice-interaction response-identifier="RESPONSE" max-choices="1"><qti-simple-choice identifier="A">甲</qti-simple-choice><qti-simple-choice identifier="B">乙</qti-simple-choice></qti-choice-interaction>"#;
const MATCH_CORRECT: &str =
    r#"<qti-response-processing template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"/>"#;

fn one(xml: &str) -> (Item, Vec<String>, Vec<itembank::qti::Renamed>) {
    match import_item_xml(xml, "t.xml").unwrap_or_else(|e| panic!("{e}")) {
        ItemOrUnsupported::Item {
            item,
            warnings,
            renamed,
        } => (*item, warnings, renamed),
        ItemOrUnsupported::Unsupported(u) => panic!("{u}"),
    }
}

#[test]
fn chinese_items_keep_their_text_without_warnings() {
    let body = format!("<p>下列哪个\n      正确？</p>{CHOICES}");
    let (item, warnings, _) = one(&qti3("xml:lang=\"zh-CN\"", CHOICE_DECL, &body, MATCH_CORRECT));
    assert_eq!(item.prompt, itembank::LocalizedText::zh("下列哪个正确？"));
    assert!(warnings.is_empty(), "{warnings:?}");
    // Without xml:lang, Chinese characters decide.
    let (item, warnings, _) = one(&qti3("", CHOICE_DECL, &body, MATCH_CORRECT));
    assert_eq!(item.prompt.en, None);
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn identifiers_are_mapped_deterministically_and_reported() {
    let decl = CHOICE_DECL.replace(">B<", ">选项乙<");
    let body = CHOICES.replace("\"A\"", "\"选项甲\"").replace("\"B\"", "\"选项乙\"");
    let xml = qti3("xml:lang=\"zh\"", &decl, &format!("<p>题</p>{body}"), MATCH_CORRECT)
        .replace("identifier=\"ID\"", "identifier=\"第1题\"");
    let (item, _, renamed) = one(&xml);
    assert!(itembank::is_valid_id(&item.id), "{}", item.id);
    let ItemKind::SingleChoice(s) = &item.kind else {
        panic!()
    };
    assert!(s.options.iter().all(|o| itembank::is_valid_id(&o.id)));
    assert_eq!(s.correct, s.options[1].id);
    let from: Vec<&str> = renamed.iter().map(|r| r.from.as_str()).collect();
    assert_eq!(from, ["第1题", "选项甲", "选项乙"]);
    assert_eq!(renamed[0].to, item.id);
    let (again, _, _) = one(&xml);
    assert_eq!(again, item, "the same QTI identifiers map to the same bank identifiers");
}

#[test]
fn custom_response_processing_uses_the_key_with_a_warning() {
    let rp = r#"<qti-response-processing><qti-set-outcome-value identifier="SCORE"><qti-base-value base-type="float">7</qti-base-value></qti-set-outcome-value></qti-response-processing>"#;
    let (item, warnings, _) = one(&qti3(
        "xml:lang=\"zh\"",
        CHOICE_DECL,
        &format!("<p>题</p>{CHOICES}"),
        rp,
    ));
    let ItemKind::SingleChoice(s) = &item.kind else {
        panic!()
    };
    assert_eq!(s.correct, "B");
    assert!(
        has(&warnings, "custom response processing not interpreted"),
        "{warnings:?}"
    );
    // Written-out match_correct (as TAO exports it) is recognised without a warning.
    let inline = r#"<qti-response-processing><qti-response-condition><qti-response-if><qti-match><qti-variable identifier="RESPONSE"/><qti-correct identifier="RESPONSE"/></qti-match><qti-set-outcome-value identifier="SCORE"><qti-base-value base-type="float">1</qti-base-value></qti-set-outcome-value></qti-response-if></qti-response-condition></qti-response-processing>"#;
    let (_, warnings, _) = one(&qti3(
        "xml:lang=\"zh\"",
        CHOICE_DECL,
        &format!("<p>题</p>{CHOICES}"),
        inline,
    ));
    assert!(warnings.is_empty(), "{warnings:?}");
    let unknown = r#"<qti-response-processing template="https://example.org/rp/house_rules.xml"/>"#;
    let (_, warnings, _) = one(&qti3(
        "xml:lang=\"zh\"",
        CHOICE_DECL,
        &format!("<p>题</p>{CHOICES}"),
        unknown,
    ));
    assert!(has(&warnings, "unknown response processing template"), "{warnings:?}");
}

#[test]
fn numeric_text_entry_with_tolerance() {
    let decl = r#"<qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="float"><qti-correct-response><qti-value>3.5</qti-value></qti-correct-response></qti-response-declaration>"#;
    let rp = r#"<qti-response-processing><qti-response-condition><qti-response-if><qti-equal tolerance-mode="absolute" tolerance="0.1 0.1"><qti-variable identifier="RESPONSE"/><qti-correct identifier="RESPONSE"/></qti-equal><qti-set-outcome-value identifier="SCORE"><qti-base-value base-type="float">1</qti-base-value></qti-set-outcome-value></qti-response-if></qti-response-condition></qti-response-processing>"#;
    let body = r#"<p>长度是 <qti-text-entry-interaction response-identifier="RESPONSE"/> 厘米。</p>"#;
    let (item, _, _) = one(&qti3("xml:lang=\"zh-CN\"", decl, body, rp));
    assert_eq!(item.prompt.zh_cn, "长度是 ____ 厘米。");
    let ItemKind::Numeric(s) = &item.kind else {
        panic!("{:?}", item.kind)
    };
    assert_eq!((s.answer, s.tolerance), (3.5, 0.1));
}

#[test]
fn scorer_rubric_lines_become_score_points() {
    let decl = r#"<qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="string"/>"#;
    let body = r#"<p>说明理由。</p><qti-extended-text-interaction response-identifier="RESPONSE"/>
        <qti-rubric-block use="scoring" view="scorer"><qti-content-body><p>2 分：理由充分。</p><p>1 分：有理由。</p><p>0 分：无理由。</p></qti-content-body></qti-rubric-block>"#;
    let xml = qti3("xml:lang=\"zh-CN\"", decl, body, "").replace(
        r#"<qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float"/>"#,
        r#"<qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float" external-scored="human"/>"#,
    );
    let (item, _, _) = one(&xml);
    assert_eq!(
        item.prompt.zh_cn, "说明理由。",
        "the scorer rubric is not shown to students"
    );
    let ItemKind::Extended(s) = &item.kind else {
        panic!("{:?}", item.kind)
    };
    let points: Vec<(u8, &str)> = s
        .rubric
        .points
        .iter()
        .map(|p| (p.score, p.descriptor.zh_cn.as_str()))
        .collect();
    assert_eq!(points, [(2, "理由充分。"), (1, "有理由。"), (0, "无理由。")]);
}

#[test]
fn maximum_score_of_a_rubric_comes_from_the_outcome() {
    let decl = r#"<qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="string"/>"#;
    let xml = qti3(
        "xml:lang=\"zh-CN\"",
        decl,
        r#"<p>写一段话。</p><qti-extended-text-interaction response-identifier="RESPONSE"/>"#,
        "",
    )
    .replace(
        "base-type=\"float\"/>",
        "base-type=\"float\" external-scored=\"human\" normal-maximum=\"3\"/>",
    );
    let (item, warnings, _) = one(&xml);
    let ItemKind::Extended(s) = &item.kind else { panic!() };
    assert_eq!(s.rubric.max_score(), 3);
    assert_eq!(s.rubric.points[3].descriptor.zh_cn, "分数 3");
    assert!(warnings.is_empty(), "{warnings:?}");
}

/// Imports expecting an error; returns its text.
fn error(xml: &str) -> String {
    match import_item_xml(xml, "bad.xml") {
        Err(e) => {
            assert!(!e.problems.is_empty());
            e.to_string()
        }
        Ok(other) => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn malformed_items_are_errors_with_file_and_position() {
    let good = qti3(
        "xml:lang=\"zh\"",
        CHOICE_DECL,
        &format!("<p>题</p>{CHOICES}"),
        MATCH_CORRECT,
    );

    let truncated = error(&good[..good.len() / 2]);
    assert!(truncated.starts_with("bad.xml: line "), "{truncated}");
    assert!(
        truncated.contains("not closed") || truncated.contains("end"),
        "{truncated}"
    );

    let mismatched = error(&good.replace("</qti-item-body>", "</qti-itembody>"));
    assert!(mismatched.contains("bad.xml: line 5, column"), "{mismatched}");

    let root = error(r#"<assessmentTest xmlns="http://www.imsglobal.org/xsd/imsqti_v2p2" identifier="T"/>"#);
    assert!(
        root.contains("bad.xml: line 1, column 1: not a QTI assessment item"),
        "{root}"
    );

    let base = error(&good.replace("base-type=\"identifier\"", "base-type=\"identifer\""));
    assert!(
        base.contains("bad.xml: line 3, column 1: unknown baseType `identifer`"),
        "{base}"
    );

    let key = error(&good.replace("<qti-value>B</qti-value>", "<qti-value>Z</qti-value>"));
    assert!(key.contains("bad.xml: line 3, column"), "{key}");
    assert!(
        key.contains("correct response `Z` is not one of the choices (A, B)"),
        "{key}"
    );

    let entity = error(&good.replace("<p>题</p>", "<p>题&nbsp;</p>"));
    assert!(entity.contains("unknown entity"), "{entity}");

    let empty = error("");
    assert!(empty.contains("bad.xml"), "{empty}");
}

#[test]
fn several_problems_are_reported_together() {
    let decl = r#"<qti-response-declaration identifier="R1" cardinality="single" base-type="text"/>
<qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier"><qti-correct-response><qti-value>Z</qti-value></qti-correct-response></qti-response-declaration>"#;
    let xml = qti3("xml:lang=\"zh\"", decl, &format!("<p>题</p>{CHOICES}"), MATCH_CORRECT);
    let e = import_item_xml(&xml, "bad.xml").unwrap_err();
    assert_eq!(e.problems.len(), 2, "{e}");
    assert!(
        e.to_string()
            .contains("bad.xml: line 3, column 1: unknown baseType `text`"),
        "{e}"
    );
    assert!(e.to_string().contains("bad.xml: line 4, column"), "{e}");
    assert!(e.to_string().contains("correct response `Z`"), "{e}");
}

fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn zip_with_parent_or_absolute_entries_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = b"<manifest><resources/></manifest>".to_vec();
    for bad in ["../evil.xml", "items/../../evil.xml", "/etc/evil.xml"] {
        let path = dir.path().join("evil.zip");
        std::fs::write(
            &path,
            zip_of(&[
                ("imsmanifest.xml".into(), manifest.clone()),
                (bad.into(), b"<x/>".to_vec()),
            ]),
        )
        .unwrap();
        let e = import_path(&path).unwrap_err();
        assert!(e.to_string().contains(&format!("unsafe entry `{bad}`")), "{e}");
    }
}

#[test]
fn package_problems_are_all_reported_and_nothing_is_imported() {
    let good = std::fs::read(fixture("qti22_order_match_correct_qtisdk.xml")).unwrap();
    let manifest = r#"<manifest><resources>
  <resource identifier="A" type="imsqti_item_xmlv2p2" href="a.xml"/>
  <resource identifier="B" type="imsqti_item_xmlv2p2" href="b.xml"/>
  <resource identifier="C" type="imsqti_item_xmlv2p2" href="c.xml"/>
  <resource identifier="D" type="imsqti_item_xmlv3p0" href="missing.xml"/>
</resources></manifest>"#;
    let entries = [
        ("imsmanifest.xml".to_string(), manifest.as_bytes().to_vec()),
        ("a.xml".into(), good),
        (
            "b.xml".into(),
            b"<assessmentItem xmlns=\"http://www.imsglobal.org/xsd/imsqti_v2p2\"\n identifier=\"x\"><itemBody>"
                .to_vec(),
        ),
        ("c.xml".into(), b"<notQti/>".to_vec()),
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.zip");
    std::fs::write(&path, zip_of(&entries)).unwrap();
    let e = import_path(&path).unwrap_err();
    let text = e.to_string();
    assert_eq!(e.problems.len(), 3, "{text}");
    assert!(text.contains("p.zip/b.xml: line 2"), "{text}");
    assert!(
        text.contains("p.zip/c.xml: line 1, column 1: not a QTI assessment item"),
        "{text}"
    );
    assert!(text.contains("p.zip/missing.xml"), "{text}");
    assert_eq!(text.lines().count(), 3, "one line per problem: {text}");
}

#[test]
fn not_a_package_nor_xml() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.bin");
    std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
    let e = import_path(&path).unwrap_err();
    assert!(e.to_string().contains("x.bin"), "{e}");
}
