//! Keyset paging shared by every list: a page starts after (or ends before) a row's sort key, so
//! no row is skipped by counting and every page costs the same however deep it is. The position
//! travels in the address (`after=…`, `before=…`), the pager links to the neighbouring pages.

use super::encode_component;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a page of a list starts, by the list's sort key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    #[default]
    First,
    /// The rows whose keys come after this one.
    After(String),
    /// The page just before this key.
    Before(String),
}

impl Position {
    /// Reads `after` or `before` from a query string (`after` wins; empty is the first page).
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        match (get("after"), get("before")) {
            (Some(after), _) if !after.is_empty() => Self::After(after),
            (_, Some(before)) if !before.is_empty() => Self::Before(before),
            _ => Self::First,
        }
    }

    /// The position as the list server functions take it: `(after, before)`.
    pub fn bounds(&self) -> (Option<String>, Option<String>) {
        match self {
            Self::After(k) => (Some(k.clone()), None),
            Self::Before(k) => (None, Some(k.clone())),
            Self::First => (None, None),
        }
    }

    /// The query-string pair that names this position (none for the first page).
    pub fn query_pair(&self) -> Option<(&'static str, &str)> {
        match self {
            Self::First => None,
            Self::After(key) => Some(("after", key)),
            Self::Before(key) => Some(("before", key)),
        }
    }
}

/// Where a page sits among its neighbours: the positions of the previous and next pages, when
/// there are such pages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Neighbours {
    pub prev: Option<Position>,
    pub next: Option<Position>,
}

/// The address of a list (`path`) with its search and filters (`pairs`, empty values left out)
/// at `position`.
pub fn list_href(path: &str, pairs: &[(&str, String)], position: &Position) -> String {
    let query: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (*k, v.as_str()))
        .chain(position.query_pair())
        .map(|(k, v)| format!("{k}={}", encode_component(v)))
        .collect();
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

/// Links to the previous and next pages of a list, and back to the first page when this one
/// shows nothing (a stale address, say).
#[component]
pub fn Pager(
    /// The list's address without a position.
    path: &'static str,
    /// The list's search and filters as query-string pairs.
    pairs: Vec<(&'static str, String)>,
    /// Where this page is.
    position: Position,
    neighbours: Neighbours,
    /// Whether this page shows any row.
    empty: bool,
) -> impl IntoView {
    let href = |p: &Position| list_href(path, &pairs, p);
    let prev = neighbours.prev.as_ref().map(href);
    let next = neighbours.next.as_ref().map(href);
    let first = (empty && position != Position::First).then(|| href(&Position::First));
    view! {
        <nav class="pager" aria-label="Pages">
            {prev
                .map(|href| {
                    view! {
                        <a href=href rel="prev">
                            "← Previous"
                        </a>
                    }
                })}
            {first.map(|href| view! { <a href=href>"Back to the first page"</a> })}
            {next
                .map(|href| {
                    view! {
                        <a href=href rel="next">
                            "Next →"
                        </a>
                    }
                })}
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> Position {
        Position::from_query(|k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn the_position_comes_from_the_address() {
        assert_eq!(query(&[]), Position::First);
        assert_eq!(query(&[("after", "")]), Position::First);
        assert_eq!(query(&[("after", "b")]), Position::After("b".into()));
        assert_eq!(query(&[("before", "c")]), Position::Before("c".into()));
        assert_eq!(
            query(&[("after", "b"), ("before", "c")]),
            Position::After("b".into()),
            "after wins"
        );
    }

    #[test]
    fn addresses_keep_filters_and_encode_keys() {
        let pairs = [("q", "a b".to_string()), ("tag", String::new())];
        assert_eq!(list_href("/x", &pairs, &Position::First), "/x?q=a%20b");
        assert_eq!(
            list_href("/x", &pairs, &Position::After("o'b&c".into())),
            "/x?q=a%20b&after=o%27b%26c"
        );
        assert_eq!(
            list_href("/x", &[], &Position::Before("k".into())),
            "/x?before=k"
        );
        assert_eq!(list_href("/x", &[], &Position::First), "/x");
    }
}
