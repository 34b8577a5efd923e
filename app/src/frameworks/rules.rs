//! Checking a catalogue document before it is stored (pure): every problem named with where it
//! is in the document, all at once.

use super::model::{CatalogueDocument, FORMAT};
use std::collections::{BTreeMap, BTreeSet};

/// Longest title or summary kept.
pub const MAX_TEXT: usize = 500;

/// Reads and checks a document. `rules` are the finding rules' keys a mapping may name.
pub fn parse(text: &str, rules: &[&str]) -> Result<CatalogueDocument, Vec<String>> {
    let doc: CatalogueDocument = serde_json::from_str(text).map_err(|e| {
        vec![format!(
            "Not a catalogue document (line {}, column {}): {e}",
            e.line(),
            e.column()
        )]
    })?;
    let problems = check(&doc, rules);
    if problems.is_empty() {
        Ok(doc)
    } else {
        Err(problems)
    }
}

fn key_like(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn id_like(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '(' | ')'))
}

fn text_ok(s: &str) -> bool {
    !s.trim().is_empty() && s.chars().count() <= MAX_TEXT && !s.chars().any(char::is_control)
}

/// Every problem of a parsed document.
pub fn check(doc: &CatalogueDocument, rules: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    if doc.format != FORMAT {
        out.push(format!(
            "format: must be \"{FORMAT}\", not \"{}\"",
            doc.format
        ));
    }
    if doc.frameworks.is_empty() {
        out.push("frameworks: the document names no framework".into());
    }
    let mut keys = BTreeSet::new();
    let mut controls: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (i, f) in doc.frameworks.iter().enumerate() {
        let at = format!("frameworks[{i}]");
        if !key_like(&f.key) {
            out.push(format!(
                "{at}.key: \"{}\" must be 1 to 64 lower-case letters, digits or dashes",
                f.key
            ));
        }
        if !keys.insert(f.key.as_str()) {
            out.push(format!("{at}.key: \"{}\" appears twice", f.key));
        }
        for (field, value) in [
            ("name", &f.name),
            ("version", &f.version),
            ("licence", &f.licence),
        ] {
            if !text_ok(value) {
                out.push(format!(
                    "{at}.{field}: required, at most {MAX_TEXT} characters"
                ));
            }
        }
        if f.short.chars().count() > 32 || f.short.chars().any(char::is_control) {
            out.push(format!("{at}.short: at most 32 characters"));
        }
        if !(f.url.is_empty() || f.url.starts_with("https://") || f.url.starts_with("http://")) {
            out.push(format!("{at}.url: must be an http(s) address"));
        }
        if let Some(tag) = &f.applies_to_tag
            && (tag.trim().is_empty() || tag.len() > 64)
        {
            out.push(format!(
                "{at}.applies_to_tag: 1 to 64 characters, or leave it out"
            ));
        }
        if f.controls.is_empty() {
            out.push(format!(
                "{at}.controls: a framework needs at least one control"
            ));
        }
        let ids = controls.entry(f.key.as_str()).or_default();
        for (j, c) in f.controls.iter().enumerate() {
            let at = format!("{at}.controls[{j}]");
            if !id_like(&c.id) {
                out.push(format!(
                    "{at}.id: \"{}\" must be 1 to 64 letters, digits, dots, dashes, underscores \
                     or brackets",
                    c.id
                ));
            }
            if !ids.insert(c.id.as_str()) {
                out.push(format!("{at}.id: \"{}\" appears twice in {}", c.id, f.key));
            }
            if !text_ok(&c.title) {
                out.push(format!(
                    "{at}.title: required, at most {MAX_TEXT} characters"
                ));
            }
            if let Some(s) = &c.summary
                && !text_ok(s)
            {
                out.push(format!(
                    "{at}.summary: at most {MAX_TEXT} characters, or leave it out"
                ));
            }
        }
        for (j, c) in f.controls.iter().enumerate() {
            let Some(target) = &c.alias_of else { continue };
            let at = format!("{at}.controls[{j}].alias_of");
            match f.controls.iter().find(|t| &t.id == target) {
                None => out.push(format!("{at}: {} has no control \"{target}\"", f.key)),
                Some(t) if t.alias_of.is_some() || t.id == c.id => out.push(format!(
                    "{at}: \"{target}\" is itself an alias; point at the control it stands for"
                )),
                Some(_) => {}
            }
        }
    }
    let mut seen = BTreeSet::new();
    for (i, m) in doc.mappings.iter().enumerate() {
        let at = format!("mappings[{i}]");
        if !rules.contains(&m.rule.as_str()) {
            out.push(format!(
                "{at}.rule: no finding rule is called \"{}\"",
                m.rule
            ));
        }
        match controls.get(m.framework.as_str()) {
            None => out.push(format!(
                "{at}.framework: \"{}\" is not among this document's frameworks",
                m.framework
            )),
            Some(ids) if !ids.contains(m.control.as_str()) => out.push(format!(
                "{at}.control: {} has no control \"{}\"",
                m.framework, m.control
            )),
            Some(_) => {}
        }
        if !seen.insert((&m.rule, &m.framework, &m.control)) {
            out.push(format!(
                "{at}: {} → {} {} appears twice",
                m.rule, m.framework, m.control
            ));
        }
    }
    out
}

/// The controls each rule bears on, as labels ("CSF PR.AA-03"), aliases left out (a finding
/// names the control, an alias is only another way to cite it), in the catalogue's order.
pub fn labels_by_rule(doc: &CatalogueDocument) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<(usize, usize, String)>> = BTreeMap::new();
    for m in doc.mappings.iter().filter(|m| m.relationship.bears()) {
        let Some((fi, f)) = doc
            .frameworks
            .iter()
            .enumerate()
            .find(|(_, f)| f.key == m.framework)
        else {
            continue;
        };
        let id = f.canonical(&m.control);
        let Some(ci) = f.controls.iter().position(|c| c.id == id) else {
            continue;
        };
        out.entry(m.rule.clone())
            .or_default()
            .push((fi, ci, f.label(id)));
    }
    out.into_iter()
        .map(|(rule, mut labels)| {
            labels.sort();
            labels.dedup();
            (rule, labels.into_iter().map(|(_, _, l)| l).collect())
        })
        .collect()
}

/// The shipped catalogue (what the migration stores).
pub fn shipped() -> CatalogueDocument {
    serde_json::from_str(include_str!("../../../migrations/src/frameworks_v1.json"))
        .unwrap_or_else(|e| panic!("the shipped catalogue does not parse: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frameworks::model::{ControlDoc, FrameworkDoc, MappingDoc, Relationship};

    const RULES: &[&str] = &["weakest_link", "restricted_method", "break_glass"];

    fn internal() -> CatalogueDocument {
        CatalogueDocument {
            format: FORMAT.into(),
            frameworks: vec![FrameworkDoc {
                key: "acme".into(),
                name: "Acme internal standard".into(),
                version: "3".into(),
                short: "ACME".into(),
                licence: "Internal".into(),
                url: String::new(),
                applies_to_tag: None,
                controls: vec![
                    ControlDoc {
                        id: "IAM-7".into(),
                        title: "Phishing-resistant sign-in".into(),
                        summary: None,
                        alias_of: None,
                    },
                    ControlDoc {
                        id: "SEC-7".into(),
                        title: "Old number of IAM-7".into(),
                        summary: None,
                        alias_of: Some("IAM-7".into()),
                    },
                ],
            }],
            mappings: vec![MappingDoc {
                rule: "weakest_link".into(),
                framework: "acme".into(),
                control: "SEC-7".into(),
                relationship: Relationship::SubsetOf,
            }],
        }
    }

    #[test]
    fn the_shipped_catalogue_checks_and_maps_every_rule_it_names() {
        let doc = shipped();
        let keys: Vec<&str> = doc.mappings.iter().map(|m| m.rule.as_str()).collect();
        assert_eq!(check(&doc, &keys), Vec::<String>::new());
        let csf = doc.framework("csf").expect("CSF ships");
        assert_eq!(csf.canonical("PR.AC-1"), "PR.AA-01");
        assert_eq!(csf.label("PR.AA-03"), "CSF PR.AA-03");
        assert_eq!(
            doc.framework("pci-dss")
                .and_then(|f| f.applies_to_tag.as_deref()),
            Some("pci")
        );
        let by_rule = labels_by_rule(&doc);
        assert_eq!(
            by_rule["restricted_method"],
            vec!["CSF PR.AA-03", "63B-5.2.10", "ISO A.8.5"]
        );
        assert!(by_rule["break_glass"].contains(&"NHI10".to_string()));
    }

    #[test]
    fn an_internal_standard_with_an_alias_checks_and_maps_through_the_alias() {
        let doc = internal();
        assert_eq!(check(&doc, RULES), Vec::<String>::new());
        assert_eq!(labels_by_rule(&doc)["weakest_link"], vec!["ACME IAM-7"]);
        let text = serde_json::to_string(&doc).unwrap();
        assert_eq!(parse(&text, RULES), Ok(doc));
    }

    #[test]
    fn every_problem_is_named_with_where_it_is() {
        let mut doc = internal();
        doc.format = "v0".into();
        doc.frameworks[0].key = "Acme!".into();
        doc.frameworks[0].controls[1].alias_of = Some("IAM-9".into());
        let again = doc.frameworks[0].controls[0].clone();
        doc.frameworks[0].controls.push(again);
        doc.mappings.push(MappingDoc {
            rule: "no_such_rule".into(),
            framework: "csf".into(),
            control: "PR.AA-03".into(),
            relationship: Relationship::IntersectsWith,
        });
        let problems = check(&doc, RULES);
        for expected in [
            "format: must be",
            "frameworks[0].key: \"Acme!\"",
            "frameworks[0].controls[1].alias_of: Acme! has no control \"IAM-9\"",
            "frameworks[0].controls[2].id: \"IAM-7\" appears twice",
            "mappings[1].rule: no finding rule is called \"no_such_rule\"",
            "mappings[1].framework: \"csf\" is not among",
            // The mapping to the renamed framework no longer finds it.
            "mappings[0].framework: \"acme\" is not among",
        ] {
            assert!(
                problems.iter().any(|p| p.starts_with(expected)),
                "{expected} missing from {problems:#?}"
            );
        }
        assert_eq!(problems.len(), 7, "{problems:#?}");
    }

    #[test]
    fn unknown_fields_and_relationships_are_refused_with_their_place() {
        let text = r#"{"format":"portal-frameworks/1","frameworks":[],"mappings":[
            {"rule":"weakest_link","framework":"a","control":"b","relationship":"sort-of"}]}"#;
        let problems = parse(text, RULES).unwrap_err();
        assert!(problems[0].contains("sort-of"), "{problems:?}");
        assert!(problems[0].contains("line 2"), "{problems:?}");
        let extra = r#"{"format":"portal-frameworks/1","frameworks":[],"colour":"red"}"#;
        assert!(parse(extra, RULES).unwrap_err()[0].contains("colour"));
    }

    #[test]
    fn no_relationship_is_recorded_but_does_not_bear() {
        let mut doc = internal();
        doc.mappings[0].relationship = Relationship::NoRelationship;
        assert!(labels_by_rule(&doc).is_empty());
        assert_eq!(
            Relationship::parse("subset-of"),
            Some(Relationship::SubsetOf)
        );
    }
}
