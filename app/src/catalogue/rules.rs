//! Pure rules of the catalogues: what an administrator's edit of a method must satisfy.

use super::model::{CATALOGUE_DESCRIPTION_MAX, CATALOGUE_NAME_MAX, FactorKind, MethodForm};
use crate::error::AppError;
use crate::validation::{Checks, validate_text};

/// Checks an edited method: a name, a description, an AAL from 1 to 3, a rank from 1 to 99, a
/// factor kind consistent with the AAL.
pub fn check_method(form: &MethodForm) -> Result<(String, String, FactorKind), AppError> {
    let mut checks = Checks::new();
    let name = checks.check(validate_text("name", &form.name, 1, CATALOGUE_NAME_MAX));
    let description = checks.check(validate_text(
        "description",
        &form.description,
        0,
        CATALOGUE_DESCRIPTION_MAX,
    ));
    if !(1..=3).contains(&form.max_aal) {
        checks.problem("max_aal", "Choose AAL1, AAL2 or AAL3.");
    }
    if !(1..=99).contains(&form.strength_rank) {
        checks.problem("strength_rank", "Use a rank from 1 (strongest) to 99.");
    }
    if form.syncable.is_some() && form.max_aal == 3 {
        checks.problem(
            "max_aal",
            "A syncable method reaches AAL2 at most (SP 800-63B rev. 4).",
        );
    }
    let factor = FactorKind::parse(form.factor.trim());
    match factor {
        None => checks.problem("factor", "Choose what kind of factor the method is."),
        Some(FactorKind::MultiFactor) if form.max_aal == 1 => {
            checks.problem("max_aal", "A multi-factor method reaches at least AAL2.")
        }
        Some(_) => {}
    }
    checks.finish()?;
    match (name, description, factor) {
        (Some(name), Some(description), Some(factor)) => Ok((name, description, factor)),
        _ => Err(AppError::validation("name", "Check the method's fields.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> MethodForm {
        MethodForm {
            name: "Synced passkey".into(),
            description: "d".into(),
            max_aal: 2,
            strength_rank: 4,
            factor: "multi_factor".into(),
            ..Default::default()
        }
    }

    #[test]
    fn method_edits_are_checked() {
        assert!(check_method(&form()).is_ok());
        assert_eq!(
            check_method(&MethodForm {
                max_aal: 4,
                ..form()
            })
            .unwrap_err()
            .field(),
            Some("max_aal")
        );
        assert_eq!(
            check_method(&MethodForm {
                strength_rank: 0,
                ..form()
            })
            .unwrap_err()
            .field(),
            Some("strength_rank")
        );
        assert_eq!(
            check_method(&MethodForm {
                name: " ".into(),
                ..form()
            })
            .unwrap_err()
            .field(),
            Some("name")
        );
        let synced_aal3 = MethodForm {
            syncable: Some("on".into()),
            max_aal: 3,
            ..form()
        };
        assert_eq!(
            check_method(&synced_aal3).unwrap_err().field(),
            Some("max_aal")
        );
        let no_kind = MethodForm {
            factor: "magic".into(),
            ..form()
        };
        assert_eq!(check_method(&no_kind).unwrap_err().field(), Some("factor"));
        let weak_multi = MethodForm {
            max_aal: 1,
            ..form()
        };
        assert_eq!(
            check_method(&weak_multi).unwrap_err().field(),
            Some("max_aal")
        );
        let password = MethodForm {
            max_aal: 1,
            factor: "knowledge".into(),
            ..form()
        };
        assert_eq!(check_method(&password).unwrap().2, FactorKind::Knowledge);
    }
}
