//! The journeys view: population journeys grouped by identical paths.

use super::{Criteria, Entry, Estate, matching};
use crate::declarations::facade::describe_paths;
use crate::ids::ApplicationId;
use crate::journey::JourneyRole;
use crate::matrix::model::{
    BySeverity, Choice, GroupMember, JourneyGroup, JourneysPage, MatrixFilter,
};
use std::collections::{BTreeMap, HashMap};

/// Members of a journey group listed per group.
pub const GROUP_MEMBERS: usize = 12;

/// The journeys view: the rows' declared journeys grouped by identical paths, largest first.
pub fn journeys(estate: &Estate, filter: &MatrixFilter, viewer: Option<&str>) -> JourneysPage {
    let (criteria, _) = Criteria::of(filter, estate, viewer);
    let rows = matching(estate, &criteria, "name");
    struct Acc<'e> {
        members: Vec<(&'e Entry, &'e str)>,
        open: BySeverity,
        excepted: u32,
        rules: BTreeMap<String, u32>,
    }
    let mut groups: HashMap<u32, Acc> = HashMap::new();
    for e in &rows {
        for p in e.shown(criteria.population) {
            let Some(j) = p.journey else { continue };
            let acc = groups.entry(j).or_insert_with(|| Acc {
                members: Vec::new(),
                open: [0; 4],
                excepted: 0,
                rules: BTreeMap::new(),
            });
            acc.members.push((e, p.key.as_str()));
            for (t, n) in acc.open.iter_mut().zip(p.open) {
                *t += n;
            }
            acc.excepted += p.excepted;
            for (pop, rule) in &e.open_rules {
                if pop.as_deref().is_none_or(|k| k == p.key) {
                    *acc.rules.entry(rule.clone()).or_default() += 1;
                }
            }
        }
    }
    let mut ordered: Vec<(u32, Acc)> = groups.into_iter().collect();
    ordered.sort_by(|(ja, a), (jb, b)| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then_with(|| a.members[0].0.name_key.cmp(&b.members[0].0.name_key))
            // The same first member in two groups: two of its populations; never the journey's
            // id, which depends on the order the estate met journeys in.
            .then_with(|| a.members[0].0.id.cmp(&b.members[0].0.id))
            .then_with(|| a.members[0].1.cmp(b.members[0].1))
            .then(ja.cmp(jb))
    });
    let journeys_total: usize = ordered.iter().map(|(_, a)| a.members.len()).sum();
    let mut covered = 0;
    let mut groups_for_80 = 0;
    for (_, a) in &ordered {
        if covered * 5 >= journeys_total * 4 {
            break;
        }
        covered += a.members.len();
        groups_for_80 += 1;
    }
    let per = crate::matrix::model::JOURNEYS_PAGE;
    let total_groups = ordered.len() as u32;
    let pages = ordered.len().div_ceil(per).max(1);
    let page = filter.page_number().min(pages);
    let groups = ordered
        .into_iter()
        .skip((page - 1) * per)
        .take(per)
        .map(|(j, a)| {
            let shape = &estate.journeys[j as usize];
            let mut rules: Vec<(String, u32)> = a
                .rules
                .into_iter()
                .map(|(r, n)| (rule_title(&r), n))
                .collect();
            rules.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
            let mut apps: Vec<ApplicationId> = a.members.iter().map(|(e, _)| e.id).collect();
            apps.sort();
            apps.dedup();
            JourneyGroup {
                roles: JourneyRole::ALL
                    .iter()
                    .zip(shape)
                    .filter(|(_, p)| !p.is_empty())
                    .map(|(r, p)| (*r, describe_paths(p, &estate.names)))
                    .collect(),
                standard: estate.standard_journeys[j as usize],
                applications: apps.len() as u32,
                open: a.open,
                excepted: a.excepted,
                rules,
                size: a.members.len() as u32,
                members: a
                    .members
                    .iter()
                    .take(GROUP_MEMBERS)
                    .map(|(e, p)| GroupMember {
                        id: e.id,
                        name: e.name.clone(),
                        population: estate.names.population(p),
                    })
                    .collect(),
            }
        })
        .collect();
    JourneysPage {
        filter: filter.clone(),
        groups,
        total_groups,
        journeys: journeys_total as u32,
        groups_for_80,
        page,
        pages,
        units: estate
            .units
            .iter()
            .map(|u| Choice {
                key: u.clone(),
                label: u.clone(),
            })
            .collect(),
        populations: estate.populations.clone(),
    }
}

/// A rule's number and title ("1. Fallback or recovery weaker than the primary").
pub fn rule_title(key: &str) -> String {
    crate::findings::facade::rule_title(key)
}
