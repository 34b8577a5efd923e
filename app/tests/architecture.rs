//! The architecture, enforced: features are layered and imports run one way. It reads the source
//! of `app/src` (no build features needed) and the layering written in the README, and fails when
//!
//! - a feature imports another feature's internals (anything but its `model` and `facade`);
//! - anything imports a feature above it, or a composer (`home`, `app.rs`);
//! - infrastructure and the shared kernel (`ssr/`, `components/`, `error`, `ids`, `vocab`,
//!   `journey`, `validation`, `spreadsheet`, `random`) import a feature;
//! - a `rules` module (pure functions) imports server-only code: any `ssr` module or a crate
//!   that only the server has (database, HTTP, sessions, WebAuthn, the async runtime).
//!
//! The composers at the top (`app.rs`, the route list, and `home`) may use any feature's pages,
//! server functions, access slice, model and façade: composing them is their job.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// Modules shared by every feature; they import no feature.
const KERNEL: &[&str] = &[
    "error",
    "ids",
    "vocab",
    "journey",
    "validation",
    "spreadsheet",
    "random",
    "components",
    "ssr",
];
/// What a feature may use of a feature below it.
const FEATURE_SURFACE: &[&str] = &["model", "facade"];
/// What a composer may use of any feature.
const COMPOSER_SURFACE: &[&str] = &["model", "facade", "pages", "api", "access"];
/// Crates that exist only on the server: pure rules never use them.
const SERVER_CRATES: &[&str] = &[
    "sea_orm",
    "axum",
    "tokio",
    "tower",
    "tower_http",
    "tower_sessions",
    "leptos_axum",
    "http",
    "webauthn_rs",
    "migrations",
];

/// The layering as the README states it.
#[derive(Debug)]
struct Layering {
    /// Features from the bottom up.
    features: Vec<String>,
    /// Modules above every feature that compose them.
    composers: Vec<String>,
}

impl Layering {
    /// Reads the line `**Layers, from the bottom up:** `a`, `b`, …; composed by `x` and `y`.`
    fn from_readme(text: &str) -> Self {
        let line = text
            .lines()
            .find(|l| l.starts_with("**Layers, from the bottom up:**"))
            .expect(
                "the README states the layers on a line starting **Layers, from the bottom up:**",
            );
        let (features, composers) = line
            .split_once("composed by")
            .expect("the layers line names the composers after `composed by`");
        let ticked = |s: &str| -> Vec<String> {
            s.split('`')
                .skip(1)
                .step_by(2)
                .map(|name| name.trim_end_matches(".rs").to_string())
                .collect()
        };
        let layering = Self {
            features: ticked(features),
            composers: ticked(composers),
        };
        assert!(
            layering.features.len() >= 5 && !layering.composers.is_empty(),
            "{layering:?}"
        );
        layering
    }

    fn rank(&self, module: &str) -> Option<usize> {
        self.features.iter().position(|f| f == module)
    }

    fn is_composer(&self, module: &str) -> bool {
        self.composers.iter().any(|c| c == module)
    }

    /// A composer may use the composers listed before it (the route list uses the overview).
    fn composes(&self, upper: &str, lower: &str) -> bool {
        let at = |m: &str| self.composers.iter().position(|c| c == m);
        matches!((at(upper), at(lower)), (Some(u), Some(l)) if l < u)
    }
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Breach {
    file: String,
    import: String,
    why: &'static str,
}

impl fmt::Display for Breach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: crate::{} ({})", self.file, self.import, self.why)
    }
}

/// The module path of a source file: `registry/pages/list.rs` is `registry::pages::list`,
/// `registry/pages/mod.rs` is `registry::pages`, `lib.rs` is the crate root.
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts
}

/// Source with comments, string and character literals blanked out (so that neither a doc
/// comment nor a message that mentions `crate::x` counts as an import).
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &src[i..];
        if rest.starts_with("//") {
            let end = rest.find('\n').map_or(b.len(), |n| i + n);
            i = end;
        } else if rest.starts_with("/*") {
            let end = rest.find("*/").map_or(b.len(), |n| i + n + 2);
            out.push(' ');
            i = end;
        } else if rest.starts_with("r#\"") || rest.starts_with("r\"") {
            let hashes = rest[1..].chars().take_while(|c| *c == '#').count();
            let close = format!("\"{}", "#".repeat(hashes));
            let body = 2 + hashes;
            let end = rest[body..]
                .find(&close)
                .map_or(b.len(), |n| i + body + n + close.len());
            out.push_str("\"\"");
            i = end;
        } else if b[i] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            out.push_str("\"\"");
            i = j + 1;
        } else if b[i] == b'\'' && is_char_literal(rest) {
            let len = rest[1..].find('\'').map_or(1, |n| n + 2);
            out.push_str("' '");
            i += len;
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// `'a'`, `'\n'`, `'\''` are characters; `'a` (a lifetime) is not.
fn is_char_literal(rest: &str) -> bool {
    let mut chars = rest.chars().skip(1);
    matches!(
        (chars.next(), chars.next()),
        (Some('\\'), _) | (Some(_), Some('\''))
    )
}

/// Every path a `use` declaration names, its groups expanded: `a::{b, c::{d as e}}` gives
/// `a::b` and `a::c::d`.
fn expand_use(tree: &str) -> Vec<Vec<String>> {
    fn split_top(s: &str) -> Vec<&str> {
        let (mut depth, mut start, mut parts) = (0, 0, Vec::new());
        for (i, c) in s.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(&s[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&s[start..]);
        parts
    }
    fn walk(prefix: &[String], tree: &str, out: &mut Vec<Vec<String>>) {
        let tree = tree.trim();
        if tree.is_empty() {
            return;
        }
        if let Some(open) = tree.find('{') {
            let head: Vec<String> = tree[..open]
                .split("::")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            let base: Vec<String> = prefix.iter().cloned().chain(head).collect();
            for part in split_top(inner) {
                walk(&base, part, out);
            }
        } else {
            let path = tree.split(" as ").next().unwrap_or(tree);
            let mut full: Vec<String> = prefix.to_vec();
            for seg in path.split("::").map(str::trim).filter(|s| !s.is_empty()) {
                if seg != "self" || full.is_empty() {
                    full.push(seg.to_string());
                }
            }
            out.push(full);
        }
    }
    let mut out = Vec::new();
    walk(&[], tree, &mut out);
    out
}

/// Resolves `crate::`, `super::` and `self::` against the file's module; other paths (external
/// crates, names in scope) come back unchanged with `None`.
fn resolve(module: &[String], path: &[String]) -> Option<Vec<String>> {
    let mut base: Vec<String> = match path.first().map(String::as_str) {
        Some("crate") => Vec::new(),
        Some("super") | Some("self") => module.to_vec(),
        _ => return None,
    };
    let mut segs = path.iter().peekable();
    if path[0] == "crate" {
        segs.next();
    }
    while let Some(s) = segs.peek() {
        match s.as_str() {
            "super" => {
                base.pop();
                segs.next();
            }
            "self" => {
                segs.next();
            }
            _ => break,
        }
    }
    base.extend(segs.cloned());
    Some(base)
}

/// The paths a file uses: every `use` declaration, and every `crate::`, `super::` or `self::`
/// path written inline; plus the external crates it names.
fn paths_in(src: &str) -> (Vec<Vec<String>>, BTreeSet<String>) {
    let code = code_only(src);
    let mut paths = Vec::new();
    let mut rest = String::with_capacity(code.len());
    let mut i = 0;
    let bytes = code.as_bytes();
    while i < code.len() {
        let at_word = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        if at_word && code[i..].starts_with("use ") {
            let end = code[i..].find(';').map_or(code.len(), |n| i + n);
            paths.extend(expand_use(&code[i + 4..end]));
            i = end + 1;
            continue;
        }
        let c = code[i..].chars().next().unwrap_or(' ');
        rest.push(c);
        i += c.len_utf8();
    }
    let mut externals = BTreeSet::new();
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let words: Vec<(usize, &str)> = rest
        .match_indices(|c: char| !is_ident(c))
        .scan(0usize, |start, (at, sep)| {
            let word = (*start, &rest[*start..at]);
            *start = at + sep.len();
            Some(word)
        })
        .filter(|(_, w)| !w.is_empty())
        .collect();
    for (at, word) in words {
        if !rest[at + word.len()..].starts_with("::") || (at > 0 && rest[..at].ends_with("::")) {
            continue;
        }
        if matches!(word, "crate" | "super" | "self") {
            let path: String = rest[at..]
                .chars()
                .take_while(|c| is_ident(*c) || *c == ':')
                .collect();
            paths.push(
                path.split("::")
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
            );
        } else {
            externals.insert(word.to_string());
        }
    }
    for p in &paths {
        if let Some(first) = p.first()
            && !matches!(first.as_str(), "crate" | "super" | "self")
        {
            externals.insert(first.clone());
        }
    }
    (paths, externals)
}

/// Every breach of the layering in the files given as (path relative to `src`, source).
fn breaches(layering: &Layering, files: &[(PathBuf, String)]) -> Vec<Breach> {
    let mut found = BTreeSet::new();
    for (relative, src) in files {
        let module = module_path(relative);
        let Some(owner) = module.first().cloned() else {
            continue; // lib.rs, the crate root, declares the modules.
        };
        let file = relative.display().to_string();
        let is_rules = module.iter().any(|m| m == "rules");
        let (paths, externals) = paths_in(src);
        if is_rules {
            for c in externals
                .iter()
                .filter(|c| SERVER_CRATES.contains(&c.as_str()))
            {
                found.insert(Breach {
                    file: file.clone(),
                    import: format!("{c} (extern)"),
                    why: "pure rules use a server-only crate",
                });
            }
        }
        for path in paths {
            let Some(target) = resolve(&module, &path) else {
                continue;
            };
            let Some(to) = target.first().map(String::as_str) else {
                continue;
            };
            let shown = target.join("::");
            let breach = |why| Breach {
                file: file.clone(),
                import: shown.clone(),
                why,
            };
            if is_rules && target.iter().any(|m| m == "ssr") {
                found.insert(breach("pure rules import server-only code"));
            }
            if to == owner {
                continue;
            }
            let to_feature = layering.rank(to).is_some();
            let to_composer = layering.is_composer(to);
            if KERNEL.contains(&owner.as_str()) {
                if to_feature || to_composer {
                    found.insert(breach("infrastructure and the kernel know no feature"));
                }
                continue;
            }
            if to_composer {
                if !layering.composes(&owner, to) {
                    found.insert(breach("nothing imports a composer"));
                }
                continue;
            }
            if !to_feature {
                continue; // the kernel, std, external crates
            }
            let surface = target.get(1).map(String::as_str).unwrap_or("");
            if layering.is_composer(&owner) {
                if !COMPOSER_SURFACE.contains(&surface) {
                    found.insert(breach(
                        "composers use features' pages, api, access, model and façade only",
                    ));
                }
                continue;
            }
            match (layering.rank(&owner), layering.rank(to)) {
                (Some(from), Some(below)) if below < from => {
                    if !FEATURE_SURFACE.contains(&surface) {
                        found.insert(breach(
                            "a feature uses only the model and façade of the features below it",
                        ));
                    }
                }
                (Some(_), Some(_)) => {
                    found.insert(breach("imports run one way: this feature is not below"));
                }
                _ => {
                    found.insert(breach("a module outside the documented layering"));
                }
            }
        }
    }
    found.into_iter().collect()
}

fn sources(dir: &Path, root: &Path, out: &mut Vec<(PathBuf, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let src = std::fs::read_to_string(&path).expect("source file");
            out.push((
                path.strip_prefix(root).expect("under src").to_path_buf(),
                src,
            ));
        }
    }
}

fn layering() -> Layering {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    Layering::from_readme(&std::fs::read_to_string(readme).expect("README.md"))
}

#[test]
fn imports_follow_the_documented_layering() {
    let layering = layering();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &src, &mut files);
    assert!(
        files.len() > 40,
        "the source was found ({} files)",
        files.len()
    );

    // Every top-level module is placed: a feature, a composer or the kernel.
    let top: BTreeSet<String> = files
        .iter()
        .filter_map(|(p, _)| module_path(p).first().cloned())
        .collect();
    let unplaced: Vec<&String> = top
        .iter()
        .filter(|m| {
            layering.rank(m).is_none() && !layering.is_composer(m) && !KERNEL.contains(&m.as_str())
        })
        .collect();
    assert!(
        unplaced.is_empty(),
        "place these modules in the README's layering: {unplaced:?}"
    );

    let found = breaches(&layering, &files);
    assert!(
        found.is_empty(),
        "{} import(s) break the layering:\n{}",
        found.len(),
        found
            .iter()
            .map(|b| format!("  {b}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

// The checker itself, on small made-up trees, so that it can be seen to fail.

fn tree(files: &[(&str, &str)]) -> Vec<(PathBuf, String)> {
    files
        .iter()
        .map(|(p, s)| (PathBuf::from(p), s.to_string()))
        .collect()
}

fn test_layering() -> Layering {
    Layering::from_readme(
        "**Layers, from the bottom up:** `session`, `accounts`, `catalogue`, `registry`, \
         `declarations`; composed by `home` and `app.rs`.",
    )
}

fn whys(files: &[(&str, &str)]) -> Vec<&'static str> {
    breaches(&test_layering(), &tree(files))
        .into_iter()
        .map(|b| b.why)
        .collect()
}

#[test]
fn the_readme_line_gives_features_in_order_and_composers() {
    let l = test_layering();
    assert_eq!(l.rank("session"), Some(0));
    assert_eq!(l.rank("declarations"), Some(4));
    assert!(l.is_composer("app") && l.is_composer("home"));
    assert!(l.rank("home").is_none());
    assert!(l.composes("app", "home") && !l.composes("home", "app"));
}

#[test]
fn a_feature_may_use_the_model_and_facade_below_it() {
    assert!(
        whys(&[(
            "declarations/ssr.rs",
            "use crate::registry::facade::{load, served};\nuse crate::registry::model::Editors;\n\
             use crate::ssr::db::BATCH;\nuse super::rules::x;"
        )])
        .is_empty()
    );
}

#[test]
fn internals_of_another_feature_are_refused() {
    assert_eq!(
        whys(&[("declarations/ssr.rs", "use crate::registry::ssr::load;")]),
        vec!["a feature uses only the model and façade of the features below it"]
    );
    assert_eq!(
        whys(&[(
            "declarations/pages.rs",
            "fn f() { let x = crate::registry::pages::id_param(); }"
        )]),
        vec!["a feature uses only the model and façade of the features below it"]
    );
    assert_eq!(
        whys(&[(
            "declarations/pages.rs",
            "use crate::{components::x, registry::{model::A, pages::{list::B}}};"
        )]),
        vec!["a feature uses only the model and façade of the features below it"]
    );
}

#[test]
fn upward_imports_are_refused_even_through_a_facade() {
    assert_eq!(
        whys(&[(
            "registry/ssr.rs",
            "use crate::declarations::facade::versions;"
        )]),
        vec!["imports run one way: this feature is not below"]
    );
    assert_eq!(
        whys(&[("session/pages.rs", "use crate::app::Layout;")]),
        vec!["nothing imports a composer"]
    );
    assert_eq!(
        whys(&[("home/pages.rs", "use crate::app::Layout;")]),
        vec!["nothing imports a composer"]
    );
    assert!(whys(&[("app.rs", "use crate::home::pages::HomePage;")]).is_empty());
}

#[test]
fn the_kernel_knows_no_feature() {
    assert_eq!(
        whys(&[("ssr/state.rs", "use crate::session::facade::relying_party;")]),
        vec!["infrastructure and the kernel know no feature"]
    );
    assert_eq!(
        whys(&[("components/mod.rs", "use crate::session::model::Role;")]),
        vec!["infrastructure and the kernel know no feature"]
    );
}

#[test]
fn rules_stay_pure() {
    assert_eq!(
        whys(&[("registry/rules.rs", "use super::ssr::NewApplication;")]),
        vec!["pure rules import server-only code"]
    );
    assert_eq!(
        whys(&[(
            "registry/rules/plan.rs",
            "fn f(db: &sea_orm::DatabaseConnection) {}"
        )]),
        vec!["pure rules use a server-only crate"]
    );
    assert!(
        whys(&[(
            "registry/rules.rs",
            "use crate::registry::model::A; use std::fmt;"
        )])
        .is_empty()
    );
}

#[test]
fn composers_compose_pages_but_never_reach_into_ssr() {
    assert!(
        whys(&[(
            "app.rs",
            "use crate::registry::pages::ApplicationsPage;\nuse crate::registry::access::ENDPOINTS;"
        )])
        .is_empty()
    );
    assert_eq!(
        whys(&[("app.rs", "use crate::registry::ssr::list;")]),
        vec!["composers use features' pages, api, access, model and façade only"]
    );
    assert_eq!(
        whys(&[("app.rs", "use crate::{registry, session};")]),
        vec!["composers use features' pages, api, access, model and façade only"; 2],
        "a bare feature import would hide what is used"
    );
}

#[test]
fn comments_and_strings_are_not_imports() {
    assert!(
        whys(&[(
            "registry/ssr.rs",
            "//! Unlike crate::declarations::ssr, this...\n/* crate::app::x */\n\
             fn f() -> &'static str { \"use crate::declarations::ssr::x;\" }\n\
             fn g<'a>(c: char) -> bool { c == '\"' || c == '\\'' }"
        )])
        .is_empty()
    );
}

#[test]
fn super_paths_are_resolved_from_the_file() {
    assert_eq!(
        whys(&[(
            "registry/pages/list.rs",
            "use super::super::super::declarations::pages::X;"
        )]),
        vec!["imports run one way: this feature is not below"]
    );
    assert!(whys(&[("registry/pages/list.rs", "use super::super::api::list;")]).is_empty());
}
