//! Planning an import: every name resolved to an id, every record checked with the registry's
//! and the declarations' own rules, nothing written.

use super::{Sourced, problem};
use crate::catalogue::model::CATALOGUE_NAME_MAX;
use crate::declarations::facade::{Known, check_submittable, validate};
use crate::declarations::model::Names;
use crate::declarations::model::{Declaration, JourneyRole};
use crate::error::AppError;
use crate::ids::{ApplicationId, BusinessUnitId, DeclarationVersionId, UserId};
use crate::registry::facade::{Allowed, ApplicationInput, NewApplication, check, name_key};
use crate::transfer::model::{ImportProblem, ImportSummary};
use crate::validation::{validate_text, validate_username};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// What the portal already holds, loaded once before planning.
#[derive(Clone, Debug, Default)]
pub struct Existing {
    /// Every business unit (retired too) by lower-cased name.
    pub business_units: BTreeMap<String, BusinessUnitId>,
    /// Every account by user name: its id and whether it holds the owner role.
    pub users: BTreeMap<String, (UserId, bool)>,
    /// Every application (archived too) by name key.
    pub applications: BTreeMap<String, ApplicationId>,
    /// What the registry's checks accept today (active identity providers only).
    pub allowed: Allowed,
    /// Archived identity providers: acceptable providers for archived applications only.
    pub archived_providers: BTreeSet<ApplicationId>,
    /// Active catalogue keys.
    pub known: Known,
}

impl Existing {
    /// Whether `other` holds exactly the same names, accounts, rights and catalogue keys, so that
    /// a plan made against one holds against the other. Every field is named: a field added
    /// here, or to `Allowed` or `Known`, does not compile until it is compared.
    pub fn same_as(&self, other: &Existing) -> bool {
        let Existing {
            business_units,
            users,
            applications,
            allowed,
            archived_providers,
            known,
        } = self;
        let Allowed {
            business_units: allowed_units,
            populations,
            owners,
            providers,
            editing,
        } = allowed;
        let Known {
            methods,
            populations: known_populations,
        } = known;
        *business_units == other.business_units
            && *users == other.users
            && *applications == other.applications
            && *archived_providers == other.archived_providers
            && *allowed_units == other.allowed.business_units
            && *populations == other.allowed.populations
            && *owners == other.allowed.owners
            && *providers == other.allowed.providers
            && *editing == other.allowed.editing
            && *methods == other.known.methods
            && *known_populations == other.known.populations
    }
}

/// Everything an import writes, in the order it must be written.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// New business units (id, name).
    pub business_units: Vec<(BusinessUnitId, String)>,
    /// New owner accounts (id, user name).
    pub owners: Vec<(UserId, String)>,
    /// Identity providers first, so that every provider exists before its dependants.
    pub applications: Vec<NewApplication>,
    /// Each becomes version 1 of its application.
    pub declarations: Vec<(DeclarationVersionId, ApplicationId, Declaration)>,
}

impl Plan {
    pub fn summary(&self) -> ImportSummary {
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v
        };
        ImportSummary {
            applications: self.applications.len(),
            declarations: self.declarations.len(),
            business_units: sorted(self.business_units.iter().map(|b| b.1.clone()).collect()),
            owners: sorted(self.owners.iter().map(|o| o.1.clone()).collect()),
        }
    }
}

/// Where a validation message belongs, in the file's words: `p[contractors][primary][0][0]`
/// becomes `contractors primary path 1`, `p[contractors][primary][0][1]` `contractors primary
/// path 1 method 2`, `bg[method]` `break_glass_method`.
fn place(field: &str) -> String {
    if let Some(rest) = field.strip_prefix("bg[") {
        return format!("break_glass_{}", rest.trim_end_matches(']'));
    }
    let Some(rest) = field.strip_prefix("p[") else {
        return field.to_string();
    };
    let parts: Vec<&str> = rest.trim_end_matches(']').split("][").collect();
    match parts.as_slice() {
        [pop, role, slot, rest @ ..] if JourneyRole::parse(role).is_some() => {
            match (slot.parse::<usize>(), rest) {
                (Ok(n), [] | ["0"]) => format!("{pop} {role} path {}", n + 1),
                (Ok(n), [f]) => match f.parse::<usize>() {
                    Ok(f) => format!("{pop} {role} path {} method {}", n + 1, f + 1),
                    Err(_) => format!("{pop} {role} path {}", n + 1),
                },
                _ => format!("{pop} {role}"),
            }
        }
        [pop, "population"] => format!("population {pop}"),
        [pop, part, more @ ..] => format!("{pop} {part} {}", more.join(" "))
            .trim_end()
            .to_string(),
        _ => field.to_string(),
    }
}

fn message_of(e: AppError) -> String {
    match e {
        AppError::Validation { field, message } => format!("{}: {message}", place(&field)),
        other => other.to_string(),
    }
}

/// The population a declaration's validation message is about, if any.
fn population_of(field: &str) -> Option<&str> {
    field.strip_prefix("p[")?.split(']').next()
}

/// Resolves every name to an id (creating the missing business units and owner accounts) and
/// checks every record with the registry's and the declarations' rules. Ids come from `new_id`
/// in record order, so a seeded source gives the same ids every time. All or nothing: any
/// problem and there is no plan.
pub fn plan(
    sourced: &[Sourced],
    existing: &Existing,
    new_id: &mut dyn FnMut() -> Uuid,
) -> Result<Plan, Vec<ImportProblem>> {
    let mut problems = Vec::new();
    let mut allowed = existing.allowed.clone();
    let mut plan = Plan::default();
    let mut archived_providers = existing.archived_providers.clone();

    // Names first: each application gets its id, and the file's identity providers become
    // acceptable providers.
    let mut in_file: HashMap<String, (ApplicationId, usize)> = HashMap::new();
    let mut ids = Vec::with_capacity(sourced.len());
    for s in sourced {
        let key = name_key(&s.record.name);
        let id = ApplicationId(new_id());
        ids.push(id);
        if key.is_empty() {
            continue;
        }
        if existing.applications.contains_key(&key) {
            problems.push(problem(
                s.row,
                &s.record.name,
                format!(
                    "name: an application named “{}” already exists in the portal (names are \
                     unique ignoring case)",
                    s.record.name.trim()
                ),
            ));
        } else if let Some((_, other)) = in_file.get(&key) {
            problems.push(problem(
                s.row,
                &s.record.name,
                format!(
                    "name: “{}” is used twice in this file (also row {other}; names are unique \
                     ignoring case)",
                    s.record.name.trim()
                ),
            ));
        } else {
            in_file.insert(key, (id, s.row));
            if s.record.identity_provider {
                if s.record.archived {
                    archived_providers.insert(id);
                } else {
                    allowed.providers.insert(id);
                }
            }
        }
    }

    let mut new_units: HashMap<String, BusinessUnitId> = HashMap::new();
    let mut new_owners: HashMap<String, UserId> = HashMap::new();
    for (s, id) in sourced.iter().zip(ids) {
        let r = &s.record;
        let mut report = |message: String| problems.push(problem(s.row, &r.name, message));
        let mut resolved = true;

        let business_unit = match r.business_unit.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(name) => {
                let key = name.to_lowercase();
                match existing.business_units.get(&key).or(new_units.get(&key)) {
                    Some(id) => Some(*id),
                    None => match validate_text("business_unit", name, 1, CATALOGUE_NAME_MAX) {
                        Ok(name) => {
                            let id = BusinessUnitId(new_id());
                            new_units.insert(key, id);
                            plan.business_units.push((id, name));
                            allowed.business_units.insert(id);
                            Some(id)
                        }
                        Err(e) => {
                            report(message_of(e));
                            resolved = false;
                            None
                        }
                    },
                }
            }
        };

        let mut owners = Vec::with_capacity(r.owners.len());
        for raw in &r.owners {
            let username = match validate_username(raw) {
                Ok(u) => u,
                Err(e) => {
                    report(format!("owners: “{raw}”: {e}"));
                    resolved = false;
                    continue;
                }
            };
            match existing.users.get(&username) {
                Some((id, true)) => owners.push(*id),
                Some((_, false)) => {
                    report(format!(
                        "owners: “{username}” has an account without the owner role; an \
                         administrator grants it on the Users page"
                    ));
                    resolved = false;
                }
                None => {
                    let id = *new_owners.entry(username.clone()).or_insert_with(|| {
                        let id = UserId(new_id());
                        plan.owners.push((id, username));
                        allowed.owners.insert(id);
                        id
                    });
                    owners.push(id);
                }
            }
        }

        let provider = match r.provider.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(name) => {
                let key = name_key(name);
                match in_file
                    .get(&key)
                    .map(|p| p.0)
                    .or_else(|| existing.applications.get(&key).copied())
                {
                    Some(id) => Some(id),
                    None => {
                        report(format!(
                            "provider: no application named “{name}” in this file or in the portal"
                        ));
                        resolved = false;
                        None
                    }
                }
            }
        };

        let checked = if resolved {
            let input = ApplicationInput {
                name: r.name.clone(),
                description: r.description.clone(),
                business_unit,
                criticality: r.criticality.clone(),
                integration: r.integration.clone(),
                lifecycle: r.lifecycle.clone(),
                is_identity_provider: r.identity_provider,
                provider,
                owners,
                populations: r.populations.clone(),
                tags: r.tags.clone(),
            };
            // An archived application may federate through an archived identity provider: the
            // provider is lent to the registry's check for this record only.
            let lent = provider.filter(|p| {
                r.archived && archived_providers.contains(p) && allowed.providers.insert(*p)
            });
            let checked = check(&input, &allowed);
            if let Some(p) = lent {
                allowed.providers.remove(&p);
            }
            checked
                .map_err(|e| match (&e, provider, r.provider.as_deref()) {
                    (AppError::Validation { field, .. }, Some(p), Some(name))
                        if field == "provider" && archived_providers.contains(&p) =>
                    {
                        report(format!(
                            "provider: “{}” is archived; only an archived application federates \
                             through an archived identity provider",
                            name.trim()
                        ))
                    }
                    _ => report(message_of(e)),
                })
                .ok()
        } else {
            None
        };

        if let Some(d) = &r.declaration {
            let served = checked.as_ref().map_or(&r.populations, |c| &c.populations);
            if d.populations.is_empty() && d.break_glass.is_none() {
                report("declaration: it declares nothing; leave it out".into());
            } else {
                // The editor's rules for submitting: every served population declared, each with
                // a primary path unless the application inherits one from its provider.
                let submittable = validate(d, served, &existing.known).and_then(|d| {
                    check_submittable(&d, served, r.provider.is_some(), &Names::default())
                        .map(|()| d)
                });
                match submittable {
                    Ok(d) => {
                        if checked.is_some() {
                            plan.declarations
                                .push((DeclarationVersionId(new_id()), id, d));
                        }
                    }
                    Err(e) => {
                        let row = e
                            .field()
                            .and_then(population_of)
                            .and_then(|p| s.population_rows.get(p))
                            .copied()
                            .unwrap_or(s.row);
                        problems.push(problem(row, &r.name, message_of(e)));
                    }
                }
            }
        }
        if let Some(app) = checked {
            plan.applications.push(NewApplication {
                id,
                app,
                archived: r.archived,
            });
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.row);
        return Err(problems);
    }
    // Providers before the applications federated through them.
    plan.applications.sort_by_key(|a| a.app.provider.is_some());
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{declared, record};
    use super::*;
    use crate::declarations::model::Path;
    use crate::transfer::model::ApplicationRecord;

    #[test]
    fn validation_fields_are_named_in_the_files_words() {
        assert_eq!(
            place("p[contractors][primary][0][0]"),
            "contractors primary path 1"
        );
        assert_eq!(
            place("p[contractors][fallback][2][1]"),
            "contractors fallback path 3 method 2"
        );
        assert_eq!(
            place("p[contractors][population]"),
            "population contractors"
        );
        assert_eq!(
            place("p[contractors][platforms][windows]"),
            "contractors platforms windows"
        );
        assert_eq!(
            place("p[contractors][max_session_minutes]"),
            "contractors max_session_minutes"
        );
        assert_eq!(place("bg[last_drill]"), "break_glass_last_drill");
        assert_eq!(place("criticality"), "criticality");
        assert_eq!(population_of("p[partners][primary][1]"), Some("partners"));
    }

    fn existing() -> Existing {
        let finance = BusinessUnitId(Uuid::from_u128(10));
        let idp = ApplicationId(Uuid::from_u128(20));
        let alice = UserId(Uuid::from_u128(1));
        Existing {
            business_units: [("finance".to_string(), finance)].into(),
            users: [
                ("alice".to_string(), (alice, true)),
                ("carol".to_string(), (UserId(Uuid::from_u128(3)), false)),
            ]
            .into(),
            applications: [
                ("corporate idp".to_string(), idp),
                ("payroll".to_string(), ApplicationId(Uuid::from_u128(21))),
            ]
            .into(),
            allowed: Allowed {
                business_units: [finance].into(),
                populations: vec!["contractors".into(), "office_employees".into()],
                owners: [alice].into(),
                providers: [idp].into(),
                editing: None,
            },
            archived_providers: [ApplicationId(Uuid::from_u128(22))].into(),
            known: Known {
                methods: [
                    "security_key",
                    "platform_passkey",
                    "temporary_access_pass",
                    "helpdesk_proofing",
                    "smart_card",
                    "synced_passkey",
                    "sms_otp",
                    "password",
                    "totp_app",
                    "hardware_otp",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect(),
                populations: ["contractors", "office_employees"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            },
        }
    }

    #[test]
    fn a_plan_holds_only_against_the_same_portal() {
        let before = existing();
        assert!(before.same_as(&existing()));
        let changes: [fn(&mut Existing); 6] = [
            |e| {
                e.applications
                    .insert("crm".into(), ApplicationId(Uuid::from_u128(30)));
            },
            |e| {
                e.business_units
                    .insert("sales".into(), BusinessUnitId(Uuid::from_u128(11)));
            },
            |e| {
                e.users
                    .insert("alice".into(), (UserId(Uuid::from_u128(1)), false));
            },
            |e| {
                e.allowed.owners.clear();
            },
            |e| {
                e.allowed.providers.clear();
            },
            |e| {
                e.known.methods.remove("sms_otp");
            },
        ];
        for (i, change) in changes.iter().enumerate() {
            let mut after = existing();
            change(&mut after);
            assert!(!before.same_as(&after), "change {i} goes unnoticed");
        }
    }

    fn sourced(records: Vec<ApplicationRecord>) -> Vec<Sourced> {
        records
            .into_iter()
            .enumerate()
            .map(|(i, record)| Sourced {
                record,
                row: i + 1,
                population_rows: BTreeMap::new(),
            })
            .collect()
    }

    fn counter() -> impl FnMut() -> Uuid {
        let mut n = 1000u128;
        move || {
            n += 1;
            Uuid::from_u128(n)
        }
    }

    #[test]
    fn a_good_file_is_planned_with_new_units_and_owners() {
        let mut local_idp = record("Partner IdP");
        local_idp.identity_provider = true;
        local_idp.business_unit = Some("Partner Office".into());
        local_idp.owners = vec!["alice".into()];
        let mut federated = declared("Expenses");
        federated.integration = "federated".into();
        federated.provider = Some("partner idp".into());
        federated.owners = vec!["Alice".into(), "dave".into()];
        let mut via_existing = record("Travel");
        via_existing.integration = "federated".into();
        via_existing.provider = Some("Corporate IdP".into());
        via_existing.owners = vec!["dave".into()];
        let plan = plan(
            &sourced(vec![federated, local_idp, via_existing]),
            &existing(),
            &mut counter(),
        )
        .unwrap();
        let names: Vec<&str> = plan
            .applications
            .iter()
            .map(|a| a.app.name.as_str())
            .collect();
        assert_eq!(
            names,
            vec!["Partner IdP", "Expenses", "Travel"],
            "providers first"
        );
        assert_eq!(
            plan.applications[1].app.provider,
            Some(plan.applications[0].id)
        );
        assert_eq!(
            plan.applications[2].app.provider,
            Some(ApplicationId(Uuid::from_u128(20)))
        );
        assert_eq!(plan.owners.len(), 1, "dave is created once");
        assert_eq!(plan.owners[0].1, "dave");
        assert_eq!(
            plan.business_units
                .iter()
                .map(|b| b.1.as_str())
                .collect::<Vec<_>>(),
            vec!["Partner Office"]
        );
        assert_eq!(plan.declarations.len(), 1);
        let d = &plan.declarations[0].2;
        assert_eq!(
            d.populations[0].population, "contractors",
            "catalogue order"
        );
        let s = plan.summary();
        assert_eq!((s.applications, s.declarations), (3, 1));
    }

    #[test]
    fn every_bad_record_is_reported_and_nothing_is_planned() {
        let mut unknown_method = declared("One");
        unknown_method.declaration.as_mut().unwrap().populations[0].primary =
            vec!["carrier_pigeon".into()];
        let duplicate_in_db = record("PAYROLL");
        let mut ownerless_role = record("Three");
        ownerless_role.owners = vec!["carol".into()];
        let mut not_an_idp = record("Four");
        not_an_idp.integration = "federated".into();
        not_an_idp.provider = Some("Payroll".into());
        let mut bad_criticality = record("Five");
        bad_criticality.criticality = "huge".into();
        let twice = record("five");
        let mut no_provider = record("Seven");
        no_provider.integration = "federated".into();
        no_provider.provider = Some("Nowhere".into());
        let good = record("Eight");
        let problems = plan(
            &sourced(vec![
                unknown_method,
                duplicate_in_db,
                ownerless_role,
                not_an_idp,
                bad_criticality,
                twice,
                no_provider,
                good,
            ]),
            &existing(),
            &mut counter(),
        )
        .unwrap_err();
        let rows: Vec<usize> = problems.iter().map(|p| p.row).collect();
        assert_eq!(rows, vec![1, 2, 3, 4, 5, 6, 7], "{problems:#?}");
        assert!(problems[0].message.contains("carrier_pigeon"));
        assert!(
            problems[0]
                .message
                .starts_with("office_employees primary path 1:"),
            "{}",
            problems[0].message
        );
        assert!(problems[1].message.contains("already exists in the portal"));
        assert!(problems[2].message.contains("without the owner role"));
        assert!(problems[3].message.starts_with("provider:"));
        assert!(problems[4].message.starts_with("criticality:"));
        assert!(
            problems[5]
                .message
                .contains("used twice in this file (also row 5")
        );
        assert!(
            problems[6]
                .message
                .contains("no application named “Nowhere”")
        );
    }

    #[test]
    fn import_refuses_what_the_editor_refuses() {
        let mut undeclared = declared("Undeclared");
        undeclared.populations.push("partners".into());
        let mut no_primary = declared("No primary");
        no_primary.declaration.as_mut().unwrap().populations[1]
            .primary
            .clear();
        let mut combined = declared("Combined");
        combined.declaration.as_mut().unwrap().populations[0].fallback = vec![Path::of(&[
            "password",
            "sms_otp",
            "totp_app",
            "hardware_otp",
        ])];
        let mut existing = existing();
        existing.known.populations.insert("partners".into());
        existing.allowed.populations.push("partners".into());
        let problems = plan_of(vec![undeclared, no_primary, combined], &existing);
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(
            problems[0].message.starts_with("population partners:"),
            "{}",
            problems[0].message
        );
        assert!(
            problems[1]
                .message
                .starts_with("contractors primary path 1:"),
            "{}",
            problems[1].message
        );
        assert!(
            problems[2]
                .message
                .starts_with("office_employees fallback path 1 method 4:"),
            "{}",
            problems[2].message
        );
        let mut federated = declared("Federated without primary");
        federated.integration = "federated".into();
        federated.provider = Some("Corporate IdP".into());
        federated.declaration.as_mut().unwrap().populations[1]
            .primary
            .clear();
        assert!(plan(&sourced(vec![federated]), &existing, &mut counter()).is_ok());
    }

    #[test]
    fn archived_providers_serve_archived_applications_only() {
        let federated = |name: &str, provider: &str, archived: bool| {
            let mut r = record(name);
            r.integration = "federated".into();
            r.provider = Some(provider.into());
            r.owners = vec!["alice".into()];
            r.archived = archived;
            r
        };
        let mut old_idp = record("Old IdP");
        old_idp.identity_provider = true;
        old_idp.owners = vec!["alice".into()];
        old_idp.archived = true;
        let mut existing = existing();
        existing
            .applications
            .insert("retired idp".into(), ApplicationId(Uuid::from_u128(22)));
        let records = sourced(vec![
            federated("Legacy CRM", "old idp", true),
            federated("Legacy HR", "Retired IdP", true),
            federated("Archived but active IdP", "Corporate IdP", true),
            old_idp,
        ]);
        let plan = plan(&records, &existing, &mut counter()).unwrap();
        let by_name: HashMap<&str, &NewApplication> = plan
            .applications
            .iter()
            .map(|a| (a.app.name.as_str(), a))
            .collect();
        assert!(plan.applications.iter().all(|a| a.archived));
        assert_eq!(plan.applications[0].app.name, "Old IdP", "providers first");
        assert_eq!(
            by_name["Legacy CRM"].app.provider,
            Some(by_name["Old IdP"].id)
        );
        assert_eq!(
            by_name["Legacy HR"].app.provider,
            Some(ApplicationId(Uuid::from_u128(22)))
        );

        let mut old_idp = record("Old IdP");
        old_idp.identity_provider = true;
        old_idp.owners = vec!["alice".into()];
        old_idp.archived = true;
        let problems = plan_of(
            vec![
                federated("Live CRM", "old idp", false),
                federated("Live HR", "Retired IdP", false),
                old_idp,
                federated("Fine", "Corporate IdP", false),
            ],
            &existing,
        );
        let rows: Vec<usize> = problems.iter().map(|p| p.row).collect();
        assert_eq!(rows, vec![1, 2], "{problems:#?}");
        assert_eq!(
            problems[0].message,
            "provider: “old idp” is archived; only an archived application federates through an \
             archived identity provider"
        );
        assert!(problems[1].message.contains("“Retired IdP” is archived"));
    }

    fn plan_of(records: Vec<ApplicationRecord>, existing: &Existing) -> Vec<ImportProblem> {
        plan(&sourced(records), existing, &mut counter()).unwrap_err()
    }

    #[test]
    fn planning_is_deterministic_for_a_deterministic_id_source() {
        let records = sourced(vec![declared("A"), record("B")]);
        let a = plan(&records, &existing(), &mut counter()).unwrap();
        let b = plan(&records, &existing(), &mut counter()).unwrap();
        assert_eq!(
            a.applications.iter().map(|x| x.id).collect::<Vec<_>>(),
            b.applications.iter().map(|x| x.id).collect::<Vec<_>>()
        );
        assert_eq!(a.declarations[0].0, b.declarations[0].0);
    }
}
