//! Property tests: any item the bank can hold survives its TOML file form, and any
//! item QTI can express survives a QTI 3.0 content package export → import.

use std::collections::BTreeMap;

use itembank::item::*;
use itembank::qti::{self, ItemOrUnsupported};
use itembank::{Item, LocalizedText};
use proptest::prelude::*;

/// Text mixing Chinese, full-width forms, digits, punctuation that XML must escape,
/// and single inner spaces (QTI readers may collapse runs of whitespace).
fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("三角形"),
            Just("面积"),
            Just("ｘ＋１"),
            Just("１２"),
            Just("3.5"),
            Just("a < b"),
            Just("R&D"),
            Just("\"引号\""),
            Just("它's"),
            Just("，"),
            Just("？"),
        ],
        1..5,
    )
    .prop_map(|parts| parts.join(" "))
}

fn localized() -> impl Strategy<Value = LocalizedText> {
    (text(), proptest::option::of(text())).prop_map(|(zh_cn, en)| LocalizedText { zh_cn, en })
}

fn choices(n: std::ops::Range<usize>) -> impl Strategy<Value = Vec<Choice>> {
    proptest::collection::vec(localized(), n).prop_map(|texts| {
        texts
            .into_iter()
            .enumerate()
            .map(|(i, text)| Choice {
                id: format!("C{}", i + 1),
                text,
            })
            .collect()
    })
}

fn score_map(keys: Vec<String>) -> impl Strategy<Value = ScoreMap> {
    let n = keys.len();
    (proptest::collection::vec(-1i32..=2, n), -1i32..=0, 1i32..=3).prop_map(move |(values, default, upper)| ScoreMap {
        values: keys.iter().cloned().zip(values).collect::<BTreeMap<_, _>>(),
        default,
        lower: 0,
        upper,
    })
}

fn rubric() -> impl Strategy<Value = Rubric> {
    proptest::collection::vec((localized(), proptest::collection::vec(localized(), 0..2)), 2..4).prop_map(|points| {
        Rubric {
            points: points
                .into_iter()
                .enumerate()
                .map(|(score, (descriptor, examples))| ScorePoint {
                    score: score as u8,
                    descriptor,
                    examples,
                })
                .collect(),
        }
    })
}

fn exportable_kind() -> impl Strategy<Value = ItemKind> {
    prop_oneof![
        (choices(2..6), any::<prop::sample::Index>(), any::<bool>()).prop_map(|(options, key, shuffle)| {
            let correct = options[key.index(options.len())].id.clone();
            ItemKind::SingleChoice(SingleChoiceSpec {
                options,
                correct,
                shuffle,
            })
        }),
        choices(2..6)
            .prop_flat_map(|options| {
                let ids: Vec<String> = options.iter().map(|o| o.id.clone()).collect();
                let correct = proptest::sample::subsequence(ids.clone(), 1..=ids.len());
                (Just(options), correct, proptest::option::of(score_map(ids)))
            })
            .prop_map(|(options, correct, partial)| {
                ItemKind::MultipleChoice(MultipleChoiceSpec {
                    options,
                    correct,
                    partial,
                    max_choices: None,
                    shuffle: false,
                })
            }),
        (-1000i32..1000, 0u8..3, proptest::option::of(0.5f64..10.0)).prop_map(|(whole, decimals, tolerance)| {
            let answer = f64::from(whole) / 10f64.powi(i32::from(decimals));
            let units = vec![
                UnitSpec {
                    symbol: "cm".into(),
                    factor: 1.0,
                },
                UnitSpec {
                    symbol: "m".into(),
                    factor: 100.0,
                },
            ];
            ItemKind::Numeric(NumericSpec {
                answer,
                tolerance: tolerance.unwrap_or(0.0),
                units,
                unit_required: false,
                valid_min: None,
                valid_max: None,
            })
        }),
        (proptest::collection::vec(text(), 1..3), any::<bool>()).prop_map(|(accepted, case_sensitive)| {
            ItemKind::ShortText(ShortTextSpec {
                accepted,
                case_sensitive,
                ignore_spaces: true,
                expected_length: None,
            })
        }),
        choices(2..6).prop_flat_map(|options| {
            let ids: Vec<String> = options.iter().map(|o| o.id.clone()).collect();
            (Just(options), Just(ids).prop_shuffle()).prop_map(|(options, correct)| {
                ItemKind::Ordering(OrderingSpec {
                    options,
                    correct,
                    shuffle: true,
                })
            })
        }),
        (choices(2..4), choices(2..4), any::<bool>()).prop_map(|(sources, targets, partial)| {
            let targets: Vec<Choice> = targets
                .into_iter()
                .enumerate()
                .map(|(i, t)| Choice {
                    id: format!("T{}", i + 1),
                    ..t
                })
                .collect();
            let correct: Vec<Pair> = sources
                .iter()
                .zip(targets.iter().cycle())
                .map(|(s, t)| Pair {
                    source: s.id.clone(),
                    target: t.id.clone(),
                })
                .collect();
            let partial = partial.then(|| ScoreMap {
                values: correct.iter().map(|p| (p.key(), 1)).collect(),
                default: 0,
                lower: 0,
                upper: correct.len() as i32,
            });
            ItemKind::Matching(MatchingSpec {
                sources,
                targets,
                correct,
                partial,
            })
        }),
        (text(), text(), choices(2..5)).prop_map(|(before, after, options)| {
            let correct = options[0].id.clone();
            let text = LocalizedText::zh(format!("{before} {{gap}} {after}"));
            ItemKind::InlineChoice(InlineChoiceSpec { text, options, correct })
        }),
        (rubric(), proptest::option::of(50u32..2000)).prop_map(|(rubric, max_chars)| ItemKind::Extended(
            ExtendedSpec {
                rubric,
                max_chars,
                expected_lines: None
            }
        )),
    ]
}

fn item() -> impl Strategy<Value = Item> {
    (
        "[A-Z][A-Z0-9]{0,4}-[0-9]{1,3}",
        localized(),
        exportable_kind(),
        1u32..5,
        proptest::option::of(4u8..10),
    )
        .prop_map(|(id, prompt, kind, version, grade)| Item {
            id,
            title: None,
            meta: ItemMeta {
                subject: Some("mathematics".into()),
                grade,
                content_domain: Some("geometry".into()),
                process_domain: None,
                cognitive_level: None,
                construct: Some("math8".into()),
                status: Status::Operational,
                version,
            },
            prompt,
            audio: None,
            kind,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn generated_items_are_valid(item in item()) {
        let problems = item.check();
        prop_assert!(problems.is_empty(), "{:?}", problems);
    }

    #[test]
    fn item_files_round_trip(item in item()) {
        let text = item.to_toml().unwrap();
        prop_assert_eq!(Item::from_toml(&text).unwrap(), item);
    }

    #[test]
    fn qti_packages_round_trip(items in proptest::collection::vec(item(), 1..4)) {
        // Distinct ids, as in a bank.
        let items: Vec<Item> = items.into_iter().enumerate().map(|(i, it)| Item { id: format!("{}{i}", it.id), ..it }).collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("package.zip");
        let refs: Vec<&Item> = items.iter().collect();
        let exported = qti::export_package(&refs, std::fs::File::create(&path).unwrap()).unwrap();
        prop_assert_eq!(exported.items, items.len());
        prop_assert!(exported.skipped.is_empty());
        let imported = qti::import_path(&path).unwrap();
        prop_assert!(imported.unsupported.is_empty(), "{:?}", imported.unsupported);
        prop_assert_eq!(imported.items, items);
    }

    #[test]
    fn qti_xml_alone_keeps_what_qti_can_say(item in item()) {
        let xml = qti::export_item(&item).unwrap();
        let back = match qti::import_item_xml(&xml, "item.xml").unwrap() {
            ItemOrUnsupported::Item { item, .. } => *item,
            ItemOrUnsupported::Unsupported(u) => return Err(TestCaseError::fail(format!("{u:?}"))),
        };
        prop_assert_eq!(&back.id, &item.id);
        prop_assert_eq!(&back.prompt.zh_cn, &item.prompt.zh_cn);
        prop_assert_eq!(back.kind.tag(), item.kind.tag());
        prop_assert_eq!(back.kind.categories(), item.kind.categories());
        match (&back.kind, &item.kind) {
            (ItemKind::SingleChoice(a), ItemKind::SingleChoice(b)) => {
                prop_assert_eq!(&a.correct, &b.correct);
                prop_assert_eq!(zh(&a.options), zh(&b.options));
            }
            (ItemKind::MultipleChoice(a), ItemKind::MultipleChoice(b)) => {
                prop_assert_eq!(&a.correct, &b.correct);
                prop_assert_eq!(&a.partial, &b.partial);
            }
            (ItemKind::Numeric(a), ItemKind::Numeric(b)) => {
                prop_assert_eq!(a.answer, b.answer);
                prop_assert_eq!(a.tolerance, b.tolerance);
            }
            (ItemKind::Ordering(a), ItemKind::Ordering(b)) => prop_assert_eq!(&a.correct, &b.correct),
            (ItemKind::Matching(a), ItemKind::Matching(b)) => {
                prop_assert_eq!(&a.correct, &b.correct);
                prop_assert_eq!(&a.partial, &b.partial);
            }
            (ItemKind::InlineChoice(a), ItemKind::InlineChoice(b)) => {
                prop_assert_eq!(&a.correct, &b.correct);
                prop_assert_eq!(&a.text.zh_cn, &b.text.zh_cn);
            }
            (ItemKind::Extended(a), ItemKind::Extended(b)) => {
                let scores = |r: &Rubric| r.points.iter().map(|p| (p.score, p.descriptor.zh_cn.clone())).collect::<Vec<_>>();
                prop_assert_eq!(scores(&a.rubric), scores(&b.rubric));
            }
            _ => {}
        }
    }
}

fn zh(choices: &[Choice]) -> Vec<(&str, &str)> {
    choices.iter().map(|c| (c.id.as_str(), c.text.zh_cn.as_str())).collect()
}
