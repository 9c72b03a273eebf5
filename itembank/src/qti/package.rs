//! IMS content packages: a zip with `imsmanifest.xml` and one XML file per item.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read, Seek, Write};

use zip::ZipArchive;
use zip::write::SimpleFileOptions;

use super::export::{ExportError, export_item, not_exportable};
use super::ids::to_qti;
use super::xml::{self, Element, escape_attr, escape_text};
use super::{Imported, ItemOrUnsupported, QtiImportError, Unsupported, import, problem};
use crate::item::Item;
use crate::problems::BankProblem;

/// The namespace of the bank's own item form in manifest metadata; a URN so that no
/// tool tries to fetch it.
const ASSESS_NS: &str = "urn:assess:item:1";
const MANIFEST: &str = "imsmanifest.xml";
const ITEM_TYPES: &[&str] = &["imsqti_item_xmlv3p0", "imsqti_item_xmlv2p2", "imsqti_item_xmlv2p1"];
/// Limits against zip bombs: entries and total uncompressed bytes.
const MAX_ENTRIES: usize = 10_000;
pub(super) const MAX_TOTAL_BYTES: u64 = 200 * 1024 * 1024;

/// What [`export_package`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    /// Items written.
    pub items: usize,
    /// Items of kinds QTI cannot express (questionnaire, creative).
    pub skipped: Vec<Unsupported>,
}

/// Writes a QTI 3.0 content package: `imsmanifest.xml` (one `imsqti_item_xmlv3p0`
/// resource per item, carrying the item's TOML form in its metadata) and
/// `items/<identifier>.xml`.
pub fn export_package<W: Write + Seek>(items: &[&Item], out: W) -> Result<Exported, ExportError> {
    let mut skipped = Vec::new();
    let mut files: BTreeMap<String, (String, String, String)> = BTreeMap::new();
    let mut order = Vec::new();
    for item in items {
        let qti = to_qti(&item.id);
        let href = format!("items/{qti}.xml");
        if let Some(reason) = not_exportable(&item.kind) {
            skipped.push(Unsupported {
                file: href,
                identifier: item.id.clone(),
                what: item.kind.tag().name().to_string(),
                reason: reason.to_string(),
            });
            continue;
        }
        let xml = export_item(item)?;
        let toml = item.to_toml().map_err(|e| ExportError::Metadata {
            id: item.id.clone(),
            message: e.to_string(),
        })?;
        if files.insert(qti.clone(), (href, xml, toml)).is_some() {
            return Err(ExportError::Duplicate(qti));
        }
        order.push(qti);
    }
    let mut manifest = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    manifest.push_str(&format!(
        "<manifest xmlns=\"http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1\" xmlns:assess=\"{ASSESS_NS}\" identifier=\"assess-package\">\n"
    ));
    manifest.push_str(
        "  <metadata>\n    <schema>QTI Package</schema>\n    <schemaversion>3.0.0</schemaversion>\n  </metadata>\n",
    );
    manifest.push_str("  <organizations/>\n  <resources>\n");
    for qti in &order {
        let (href, _, toml) = &files[qti];
        let href = escape_attr(href);
        manifest.push_str(&format!(
            "    <resource identifier=\"RES-{}\" type=\"imsqti_item_xmlv3p0\" href=\"{href}\">\n",
            escape_attr(qti)
        ));
        manifest.push_str(&format!(
            "      <metadata>\n        <assess:item identifier=\"{}\">{}</assess:item>\n      </metadata>\n",
            escape_attr(qti),
            escape_text(toml)
        ));
        manifest.push_str(&format!("      <file href=\"{href}\"/>\n    </resource>\n"));
    }
    manifest.push_str("  </resources>\n</manifest>\n");

    let mut zip = zip::ZipWriter::new(out);
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(MANIFEST, options)?;
    zip.write_all(manifest.as_bytes())?;
    for qti in &order {
        let (href, xml, _) = &files[qti];
        zip.start_file(href.as_str(), options)?;
        zip.write_all(xml.as_bytes())?;
    }
    zip.finish()?;
    Ok(Exported {
        items: order.len(),
        skipped,
    })
}

/// Whether a zip entry name could write outside the folder it is unpacked into.
fn unsafe_name(name: &str) -> bool {
    name.starts_with(['/', '\\'])
        || name.as_bytes().get(1) == Some(&b':')
        || name.split(['/', '\\']).any(|part| part == "..")
}

/// A path inside the package, resolved against the manifest's folder (the root);
/// hrefs are URIs, so `%20` and the like are decoded.
fn entry_path(href: &str) -> Option<String> {
    let href = href.split(['?', '#']).next().unwrap_or_default();
    let href = percent_decode(href)?;
    if unsafe_name(&href) || href.contains("://") {
        return None;
    }
    let parts: Vec<&str> = href.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

struct Package<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    name: &'a str,
    budget: u64,
}

impl Package<'_> {
    fn file(&self, entry: &str) -> String {
        format!("{}/{entry}", self.name)
    }

    /// The text of an entry, within the size budget.
    fn read(&mut self, entry: &str) -> Result<String, BankProblem> {
        let file = self.file(entry);
        let mut f = self
            .zip
            .by_name(entry)
            .map_err(|e| problem(&file, "", format!("cannot read from the package: {e}")))?;
        let mut bytes = Vec::new();
        (&mut f)
            .take(self.budget + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| problem(&file, "", format!("cannot unpack: {e}")))?;
        if bytes.len() as u64 > self.budget {
            return Err(problem(
                &file,
                "",
                format!("the package unpacks to more than {MAX_TOTAL_BYTES} bytes"),
            ));
        }
        self.budget -= bytes.len() as u64;
        String::from_utf8(bytes).map_err(|e| {
            problem(
                &file,
                "",
                format!("not UTF-8 (at byte {})", e.utf8_error().valid_up_to()),
            )
        })
    }
}

/// Checks every entry name and the declared sizes before anything is read.
fn check_entries(zip: &mut ZipArchive<Cursor<&[u8]>>, name: &str) -> Vec<BankProblem> {
    let mut problems = Vec::new();
    if zip.len() > MAX_ENTRIES {
        problems.push(problem(
            name,
            "",
            format!("{} entries; at most {MAX_ENTRIES} are accepted", zip.len()),
        ));
        return problems;
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        match zip.by_index(i) {
            Ok(f) => {
                let entry = String::from_utf8_lossy(f.name_raw()).into_owned();
                if unsafe_name(&entry) || f.enclosed_name().is_none() {
                    problems.push(problem(
                        name,
                        "",
                        format!("unsafe entry `{entry}`: absolute path or `..`"),
                    ));
                }
                total = total.saturating_add(f.size());
            }
            Err(e) => problems.push(problem(name, "", format!("entry {i}: {e}"))),
        }
    }
    if total > MAX_TOTAL_BYTES {
        problems.push(problem(
            name,
            "",
            format!("the package unpacks to {total} bytes; at most {MAX_TOTAL_BYTES} are accepted"),
        ));
    }
    problems
}

/// Imports every item resource of a package; all problems together, or nothing.
pub(super) fn import_package(bytes: &[u8], name: &str) -> Result<Imported, QtiImportError> {
    let mut zip = ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| QtiImportError::one(name, "", format!("not a readable zip package: {e}")))?;
    let problems = check_entries(&mut zip, name);
    if !problems.is_empty() {
        return Err(QtiImportError { problems });
    }
    let mut package = Package {
        zip,
        name,
        budget: MAX_TOTAL_BYTES,
    };
    let manifest_file = package.file(MANIFEST);
    let manifest_text = package
        .read(MANIFEST)
        .map_err(|p| QtiImportError { problems: vec![p] })?;
    let manifest = xml::parse(&manifest_text)
        .map_err(|e| QtiImportError::one(&manifest_file, xml::position(&manifest_text, e.pos), e.message))?;
    if manifest.name != "manifest" {
        return Err(QtiImportError::one(
            &manifest_file,
            "",
            format!("root element is `{}`, not `manifest`", manifest.name),
        ));
    }
    let mut imported = Imported::default();
    let mut problems = Vec::new();
    let mut ignored: BTreeMap<String, usize> = BTreeMap::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let resources = manifest
        .child("resources")
        .map(|r| r.children_named("resource").collect::<Vec<_>>())
        .unwrap_or_default();
    for resource in resources {
        let kind = resource.attr("type").unwrap_or_default();
        if !ITEM_TYPES.contains(&kind) {
            *ignored.entry(kind.to_string()).or_default() += 1;
            continue;
        }
        let href = resource
            .attr("href")
            .or_else(|| resource.child("file").and_then(|f| f.attr("href")));
        let Some(entry) = href.and_then(entry_path) else {
            let id = resource.attr("identifier").unwrap_or_default();
            problems.push(problem(
                &manifest_file,
                xml::position(&manifest_text, resource.pos),
                format!("resource `{id}` has no usable href"),
            ));
            continue;
        };
        let file = package.file(&entry);
        let text = match package.read(&entry) {
            Ok(t) => t,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        match import::import_item(&text, &file) {
            Ok(one) => {
                let one = with_metadata(one, metadata(resource), &file);
                if let ItemOrUnsupported::Item { item, .. } = &one
                    && !seen.insert(item.id.clone())
                {
                    problems.push(problem(
                        &file,
                        "",
                        format!("a second item with the identifier `{}`", item.id),
                    ));
                }
                imported.add(one);
            }
            Err(e) => problems.extend(e.problems),
        }
    }
    if !problems.is_empty() {
        return Err(QtiImportError { problems });
    }
    for (kind, n) in ignored {
        imported.warnings.push(format!(
            "{manifest_file}: {n} resource(s) of type `{kind}` ignored: only items are imported"
        ));
    }
    Ok(imported)
}

/// The item's TOML form in a resource's metadata, if there.
fn metadata(resource: &Element) -> Option<String> {
    let meta = resource.child("metadata")?;
    meta.descendants()
        .into_iter()
        .find(|e| e.name == "item" && e.ns.as_deref() == Some(ASSESS_NS))
        .map(Element::text)
}

/// Prefers the bank's own form of the item when it agrees with the QTI XML.
fn with_metadata(from_xml: ItemOrUnsupported, toml: Option<String>, file: &str) -> ItemOrUnsupported {
    let (
        Some(toml),
        ItemOrUnsupported::Item {
            item,
            mut warnings,
            renamed,
        },
    ) = (toml, from_xml.clone())
    else {
        return from_xml;
    };
    let mut fall_back = |why: String| {
        warnings.push(format!("{file}: {}: {why}; the QTI XML is used", item.id));
        ItemOrUnsupported::Item {
            item: item.clone(),
            warnings: warnings.clone(),
            renamed: renamed.clone(),
        }
    };
    let meta = match Item::from_toml(&toml) {
        Ok(m) => m,
        Err(e) => return fall_back(format!("assess metadata unreadable ({e})")),
    };
    if meta.id != item.id || meta.kind.tag() != item.kind.tag() {
        return fall_back(format!(
            "assess metadata describes `{}` ({})",
            meta.id,
            meta.kind.tag().name()
        ));
    }
    let agrees = export_item(&meta)
        .ok()
        .and_then(|xml| import::import_item(&xml, file).ok())
        .is_some_and(|again| matches!(again, ItemOrUnsupported::Item { item: ref again, .. } if **again == *item));
    if !agrees {
        return fall_back("the QTI XML differs from the assess metadata (edited in another tool?)".into());
    }
    ItemOrUnsupported::Item {
        item: Box::new(meta),
        warnings: Vec::new(),
        renamed,
    }
}
