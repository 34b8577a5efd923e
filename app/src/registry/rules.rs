//! Pure rules of the registry: who may edit what, and checking an application's facts however
//! they arrive (the form, an import, the generator).

use super::model::{
    ADD_OWNERS_MAX, ApplicationForm, Criticality, DESCRIPTION_MAX, Editors, Integration, Lifecycle,
    ListSort, NAME_MAX, TAG_MAX, TAGS_MAX,
};
use crate::error::AppError;
use crate::ids::{ApplicationId, BusinessUnitId, UserId};
use crate::session::model::{CurrentUser, Right, Role};
use crate::validation::{Checks, validate_text, validate_text_block, validate_username};
use std::collections::BTreeSet;

/// Owners edit only their own applications; security and administrators edit every one.
pub fn can_edit(user: &CurrentUser, owners: &[UserId]) -> bool {
    user.has_any(&[Role::Security, Role::Admin])
        || (user.has(Role::Owner) && owners.contains(&user.id))
}

pub fn can_create(user: &CurrentUser) -> bool {
    Editors::admits(user)
}

/// Names are unique regardless of case and surrounding spaces.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// An application's facts with references resolved to ids.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApplicationInput {
    pub name: String,
    pub description: String,
    pub business_unit: Option<BusinessUnitId>,
    pub criticality: String,
    pub integration: String,
    pub lifecycle: String,
    pub is_identity_provider: bool,
    pub provider: Option<ApplicationId>,
    pub owners: Vec<UserId>,
    pub populations: Vec<String>,
    pub tags: Vec<String>,
}

/// What the checks compare against.
#[derive(Clone, Debug, Default)]
pub struct Allowed {
    /// Active business units (plus the application's current one, even if retired since).
    pub business_units: BTreeSet<BusinessUnitId>,
    /// Active populations, in catalogue order.
    pub populations: Vec<String>,
    /// The owners named that may own applications: holding the owner role and not disabled
    /// (invited or active).
    pub owners: BTreeSet<UserId>,
    /// Identity-provider applications.
    pub providers: BTreeSet<ApplicationId>,
    /// The application being edited, if any.
    pub editing: Option<ApplicationId>,
}

/// An application ready to be stored: checked facts, its id, and whether it is stored archived
/// (imports carry archived applications).
#[derive(Clone, Debug)]
pub struct NewApplication {
    pub id: ApplicationId,
    pub app: CheckedApplication,
    pub archived: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedApplication {
    pub name: String,
    pub description: String,
    pub business_unit: Option<BusinessUnitId>,
    pub criticality: Criticality,
    pub integration: Integration,
    pub lifecycle: Lifecycle,
    pub is_identity_provider: bool,
    pub provider: Option<ApplicationId>,
    pub owners: Vec<UserId>,
    /// In catalogue order.
    pub populations: Vec<String>,
    pub tags: Vec<String>,
}

/// Reads the form into an input (ids parsed; anything unparseable is refused on its field).
pub fn input_from_form(form: &ApplicationForm) -> Result<ApplicationInput, AppError> {
    /// An optional id from a select: empty is none; anything unparseable is refused.
    fn id_or<T: std::str::FromStr>(
        raw: &str,
        field: &str,
        what: &str,
    ) -> Result<Option<T>, AppError> {
        match raw.trim() {
            "" => Ok(None),
            s => s
                .parse()
                .map(Some)
                .map_err(|_| AppError::validation(field, format!("Choose {what} from the list."))),
        }
    }
    let mut owners = Vec::new();
    for (key, _) in form.owners.iter().filter(|(_, v)| !v.is_empty()) {
        owners.push(
            super::model::parse_owner_key(key)
                .ok_or_else(|| AppError::validation("owners", "Choose owners from the list."))?,
        );
    }
    Ok(ApplicationInput {
        name: form.name.clone(),
        description: form.description.clone(),
        business_unit: id_or(&form.business_unit, "business_unit", "a business unit")?,
        criticality: form.criticality.clone(),
        integration: form.integration.clone(),
        lifecycle: form.lifecycle.clone(),
        is_identity_provider: form.identity_provider.is_some(),
        provider: id_or(&form.provider, "provider", "an identity provider")?,
        owners,
        populations: form
            .populations
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, _)| k.clone())
            .collect(),
        tags: split_tags(&form.tags),
    })
}

/// The user names typed into "Add owners": separated by commas, semicolons or spaces, each
/// normalised like a user name (so case does not matter), each once. Something that cannot be a
/// user name is refused on `add_owners`, naming it.
pub fn owner_names(raw: &str) -> Result<Vec<String>, AppError> {
    let mut names: Vec<String> = Vec::new();
    for typed in raw
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|t| !t.is_empty())
    {
        let name = validate_username(typed).map_err(|e| {
            AppError::validation("add_owners", format!("“{typed}” is not a user name: {e}"))
        })?;
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if names.len() > ADD_OWNERS_MAX {
        return Err(AppError::validation(
            "add_owners",
            format!("Add at most {ADD_OWNERS_MAX} owners at a time."),
        ));
    }
    Ok(names)
}

pub fn split_tags(raw: &str) -> Vec<String> {
    raw.split([',', ';'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

fn vocab<T>(
    raw: &str,
    field: &str,
    parse: fn(&str) -> Option<T>,
    keys: String,
) -> Result<T, AppError> {
    parse(raw.trim()).ok_or_else(|| AppError::validation(field, format!("Choose one of: {keys}.")))
}

/// Checks every fact of an application, naming every problem at once.
pub fn check(input: &ApplicationInput, allowed: &Allowed) -> Result<CheckedApplication, AppError> {
    let mut checks = Checks::new();
    let name = checks.check(validate_text("name", &input.name, 1, NAME_MAX));
    let description = checks.check(validate_text_block(
        "description",
        &input.description,
        DESCRIPTION_MAX,
    ));
    let criticality = checks.check(vocab(
        &input.criticality,
        "criticality",
        Criticality::parse,
        Criticality::keys(),
    ));
    let integration = checks.check(vocab(
        &input.integration,
        "integration",
        Integration::parse,
        Integration::keys(),
    ));
    let lifecycle = checks.check(vocab(
        &input.lifecycle,
        "lifecycle",
        Lifecycle::parse,
        Lifecycle::keys(),
    ));
    if let Some(bu) = input.business_unit
        && !allowed.business_units.contains(&bu)
    {
        checks.problem("business_unit", "Choose an active business unit.");
    }
    let mut owners: Vec<UserId> = Vec::new();
    for o in &input.owners {
        if !allowed.owners.contains(o) {
            checks.problem(
                "owners",
                "Owners must hold the owner role, with an account that is not disabled.",
            );
        }
        if !owners.contains(o) {
            owners.push(*o);
        }
    }
    if owners.is_empty() {
        checks.problem("owners", "Choose at least one owner.");
    }
    owners.sort();
    for p in &input.populations {
        if !allowed.populations.contains(p) {
            checks.problem("populations", format!("Unknown population “{p}”."));
        }
    }
    let populations: Vec<String> = allowed
        .populations
        .iter()
        .filter(|p| input.populations.contains(p))
        .cloned()
        .collect();
    if populations.is_empty() {
        checks.problem(
            "populations",
            "Choose at least one population the application serves.",
        );
    }
    let provider = match (integration, input.provider) {
        (Some(Integration::Federated), None) => {
            checks.problem(
                "provider",
                "A federated application names its identity provider.",
            );
            None
        }
        (Some(Integration::Federated), Some(p)) => {
            if allowed.editing == Some(p) {
                checks.problem("provider", "An application cannot federate through itself.");
            } else if !allowed.providers.contains(&p) {
                checks.problem(
                    "provider",
                    "Choose an application marked as an identity provider.",
                );
            }
            Some(p)
        }
        (Some(_), Some(_)) => {
            checks.problem(
                "provider",
                "Only a federated application names an identity provider.",
            );
            None
        }
        (_, _) => None,
    };
    if input.is_identity_provider && provider.is_some() {
        checks.problem(
            "identity_provider",
            "An identity provider keeps its own journey: it cannot federate through another.",
        );
    }
    let tags = checks.check(check_tags(&input.tags));
    checks.finish()?;
    // Every value was read: a value missing here was noted above and refused by `finish`.
    match (name, description, criticality, integration, lifecycle, tags) {
        (
            Some(name),
            Some(description),
            Some(criticality),
            Some(integration),
            Some(lifecycle),
            Some(tags),
        ) => Ok(CheckedApplication {
            name,
            description,
            business_unit: input.business_unit,
            criticality,
            integration,
            lifecycle,
            is_identity_provider: input.is_identity_provider,
            provider,
            owners,
            populations,
            tags,
        }),
        _ => Err(AppError::validation(
            "name",
            "Check the application's facts.",
        )),
    }
}

/// Tags: trimmed, at most `TAGS_MAX`, each up to `TAG_MAX` characters of letters, digits, spaces
/// and `- _ . /`; duplicates (ignoring case) dropped; sorted.
pub fn check_tags(tags: &[String]) -> Result<Vec<String>, AppError> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.trim();
        if t.is_empty() {
            continue;
        }
        if t.chars().count() > TAG_MAX {
            return Err(AppError::validation(
                "tags",
                format!("Keep each tag to {TAG_MAX} characters."),
            ));
        }
        if !t
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | '/'))
            || !t.starts_with(char::is_alphanumeric)
        {
            return Err(AppError::validation(
                "tags",
                format!(
                    "“{t}”: tags start with a letter or digit and use letters, digits, spaces and - _ . /"
                ),
            ));
        }
        if !out.iter().any(|o| o.to_lowercase() == t.to_lowercase()) {
            out.push(t.to_string());
        }
    }
    if out.len() > TAGS_MAX {
        return Err(AppError::validation(
            "tags",
            format!("Use at most {TAGS_MAX} tags."),
        ));
    }
    out.sort_by_key(|t| t.to_lowercase());
    Ok(out)
}

/// Where a criticality sorts in the list: the highest first (one character, so that a sort key
/// is the rank followed by the name key).
pub fn criticality_rank(c: Criticality) -> char {
    let at = Criticality::ALL
        .iter()
        .rev()
        .position(|x| *x == c)
        .unwrap_or(0);
    char::from(b'0' + at as u8)
}

/// Where a lifecycle stage sorts in the list: planned first, retired last.
pub fn lifecycle_rank(l: Lifecycle) -> char {
    let at = Lifecycle::ALL.iter().position(|x| *x == l).unwrap_or(0);
    char::from(b'0' + at as u8)
}

/// An application's key in the list's order `sort` (unique: its name key ends it); the
/// database computes the same from the same ranks.
pub fn sort_key(sort: ListSort, c: Criticality, l: Lifecycle, name_key: &str) -> String {
    match sort {
        ListSort::Name => name_key.to_string(),
        ListSort::Criticality => format!("{}{name_key}", criticality_rank(c)),
        ListSort::Lifecycle => format!("{}{name_key}", lifecycle_rank(l)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn user(id: u128, roles: &[Role]) -> CurrentUser {
        CurrentUser {
            id: UserId(Uuid::from_u128(id)),
            username: "u".into(),
            display_name: "U".into(),
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn owners_edit_only_their_own_applications() {
        let alice = user(1, &[Role::Owner]);
        let owners = [UserId(Uuid::from_u128(1))];
        let others = [UserId(Uuid::from_u128(2))];
        assert!(can_edit(&alice, &owners));
        assert!(!can_edit(&alice, &others));
        assert!(can_edit(&user(3, &[Role::Security]), &others));
        assert!(can_edit(&user(3, &[Role::Admin]), &others));
        assert!(
            !can_edit(&user(1, &[Role::Auditor]), &owners),
            "listed but no owner role"
        );
        assert!(!can_create(&user(1, &[Role::Auditor])));
        assert!(can_create(&user(1, &[Role::Owner])));
    }

    fn allowed() -> Allowed {
        Allowed {
            business_units: [BusinessUnitId(Uuid::from_u128(10))].into(),
            populations: vec!["office_employees".into(), "contractors".into()],
            owners: [UserId(Uuid::from_u128(1))].into(),
            providers: [ApplicationId(Uuid::from_u128(20))].into(),
            editing: None,
        }
    }

    fn input() -> ApplicationInput {
        ApplicationInput {
            name: "  Payroll ".into(),
            description: "Pays people.\r\nMonthly.".into(),
            business_unit: Some(BusinessUnitId(Uuid::from_u128(10))),
            criticality: "high".into(),
            integration: "local".into(),
            lifecycle: "production".into(),
            is_identity_provider: false,
            provider: None,
            owners: vec![UserId(Uuid::from_u128(1)), UserId(Uuid::from_u128(1))],
            populations: vec!["contractors".into(), "office_employees".into()],
            tags: vec!["HR".into(), "hr".into(), "sox".into()],
        }
    }

    #[test]
    fn a_good_application_is_normalised() {
        let c = check(&input(), &allowed()).unwrap();
        assert_eq!(c.name, "Payroll");
        assert_eq!(c.description, "Pays people.\nMonthly.");
        assert_eq!(c.owners.len(), 1);
        assert_eq!(c.populations, vec!["office_employees", "contractors"]);
        assert_eq!(c.tags, vec!["HR", "sox"]);
        assert_eq!(name_key(" PayRoll "), "payroll");
    }

    #[test]
    fn each_bad_fact_is_refused_on_its_field() {
        type Case = (Box<dyn Fn(&mut ApplicationInput)>, &'static str);
        let cases: Vec<Case> = vec![
            (Box::new(|i| i.name = " ".into()), "name"),
            (Box::new(|i| i.name = "x".repeat(121)), "name"),
            (Box::new(|i| i.description = "a\u{7}".into()), "description"),
            (Box::new(|i| i.criticality = "huge".into()), "criticality"),
            (Box::new(|i| i.integration = "".into()), "integration"),
            (Box::new(|i| i.lifecycle = "zombie".into()), "lifecycle"),
            (
                Box::new(|i| i.business_unit = Some(BusinessUnitId(Uuid::from_u128(11)))),
                "business_unit",
            ),
            (Box::new(|i| i.owners.clear()), "owners"),
            (
                Box::new(|i| i.owners = vec![UserId(Uuid::from_u128(9))]),
                "owners",
            ),
            (Box::new(|i| i.populations.clear()), "populations"),
            (
                Box::new(|i| i.populations = vec!["martians".into()]),
                "populations",
            ),
            (Box::new(|i| i.integration = "federated".into()), "provider"),
            (
                Box::new(|i| {
                    i.integration = "federated".into();
                    i.provider = Some(ApplicationId(Uuid::from_u128(21)));
                }),
                "provider",
            ),
            (
                Box::new(|i| i.provider = Some(ApplicationId(Uuid::from_u128(20)))),
                "provider",
            ),
            (
                Box::new(|i| {
                    i.integration = "federated".into();
                    i.provider = Some(ApplicationId(Uuid::from_u128(20)));
                    i.is_identity_provider = true;
                }),
                "identity_provider",
            ),
            (Box::new(|i| i.tags = vec!["=cmd".into()]), "tags"),
            (
                Box::new(|i| i.tags = (0..21).map(|n| format!("t{n}")).collect()),
                "tags",
            ),
        ];
        for (change, field) in cases {
            let mut i = input();
            change(&mut i);
            let err = check(&i, &allowed()).unwrap_err();
            assert_eq!(err.field(), Some(field), "{i:?} gave {err:?}");
        }
    }

    #[test]
    fn a_federated_application_names_a_provider_but_not_itself() {
        let mut i = input();
        i.integration = "federated".into();
        i.provider = Some(ApplicationId(Uuid::from_u128(20)));
        assert_eq!(
            check(&i, &allowed()).unwrap().provider,
            Some(ApplicationId(Uuid::from_u128(20)))
        );
        let mut a = allowed();
        a.editing = Some(ApplicationId(Uuid::from_u128(20)));
        assert_eq!(check(&i, &a).unwrap_err().field(), Some("provider"));
    }

    #[test]
    fn owners_are_typed_as_user_names() {
        assert_eq!(
            owner_names(" Bob, irene;olga  bob\tIRENE ").unwrap(),
            vec!["bob", "irene", "olga"]
        );
        assert!(owner_names("  , ; ").unwrap().is_empty());
        let err = owner_names("bob, <b>x</b>").unwrap_err();
        assert_eq!(err.field(), Some("add_owners"));
        assert!(
            err.to_string().contains("<b>x</b>"),
            "names what was typed: {err}"
        );
        let many: Vec<String> = (0..=ADD_OWNERS_MAX).map(|n| format!("o{n:03}")).collect();
        assert_eq!(
            owner_names(&many.join(",")).unwrap_err().field(),
            Some("add_owners")
        );
        assert_eq!(
            owner_names(&many[1..].join(" ")).unwrap().len(),
            ADD_OWNERS_MAX
        );
    }

    #[test]
    fn the_form_is_read_into_an_input() {
        let mut form = ApplicationForm {
            name: "CRM".into(),
            tags: "sales, crm ;  ".into(),
            ..Default::default()
        };
        form.owners.insert(
            super::super::model::owner_key(UserId(Uuid::from_u128(1))),
            "on".into(),
        );
        form.populations.insert("partners".into(), "on".into());
        let i = input_from_form(&form).unwrap();
        assert_eq!(i.owners, vec![UserId(Uuid::from_u128(1))]);
        assert_eq!(i.tags, vec!["sales", "crm"]);
        assert_eq!(i.populations, vec!["partners"]);
        form.owners.insert("nope".into(), "on".into());
        assert_eq!(input_from_form(&form).unwrap_err().field(), Some("owners"));
        form.owners.clear();
        form.provider = "x".into();
        assert_eq!(
            input_from_form(&form).unwrap_err().field(),
            Some("provider")
        );
    }

    #[test]
    fn the_list_sorts_by_criticality_highest_first_then_by_name() {
        use super::{Criticality as C, Lifecycle as L, ListSort as S, sort_key};
        let mut keys = [
            sort_key(S::Criticality, C::Low, L::Production, "alpha"),
            sort_key(S::Criticality, C::Critical, L::Production, "zulu"),
            sort_key(S::Criticality, C::High, L::Production, "beta"),
            sort_key(S::Criticality, C::Critical, L::Production, "mike"),
        ];
        keys.sort();
        assert_eq!(keys, ["0mike", "0zulu", "1beta", "3alpha"]);
        assert_eq!(sort_key(S::Name, C::Low, L::Retired, "alpha"), "alpha");
        assert!(
            sort_key(S::Lifecycle, C::Low, L::Planned, "z")
                < sort_key(S::Lifecycle, C::Low, L::Retired, "a")
        );
    }
}
