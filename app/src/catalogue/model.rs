//! Catalogue views shared with the browser.

use crate::session::model::{Right, Role};
pub use crate::vocab::FactorKind;
use serde::{Deserialize, Serialize};

/// An authentication method and the attributes the findings rules use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodView {
    pub key: String,
    pub name: String,
    pub category: String,
    /// What kind of factor it is (multi-factor on its own, something you know, ...).
    pub factor: FactorKind,
    pub phishing_resistant: bool,
    /// Highest authenticator assurance level (SP 800-63B) the method can reach: 1 to 3.
    pub max_aal: i32,
    pub syncable: bool,
    /// SP 800-63B 5.2.10 restricted authenticator (SMS, voice).
    pub restricted: bool,
    pub needs_personal_phone: bool,
    pub needs_managed_device: bool,
    pub shared_workstation_ok: bool,
    /// 1 is the strongest.
    pub strength_rank: i32,
    pub description: String,
    pub active: bool,
}

impl MethodView {
    /// Short labels for the attributes that matter when reading a journey.
    pub fn traits(&self) -> Vec<&'static str> {
        let mut t = Vec::new();
        if self.phishing_resistant {
            t.push("phishing-resistant");
        }
        if self.has_binding() {
            t.push(if self.syncable {
                "syncable"
            } else {
                "device-bound"
            });
        }
        if self.restricted {
            t.push("restricted (5.2.10)");
        }
        if self.needs_personal_phone {
            t.push("needs a personal phone");
        }
        if self.needs_managed_device {
            t.push("needs a managed device");
        }
        if self.shared_workstation_ok {
            t.push("works on shared workstations");
        }
        t
    }

    /// Whether "syncable" or "device-bound" says anything of this method: only of an
    /// authenticator that holds a key or secret (a passkey, a security key, a smart card, an
    /// authenticator app or token); not of a password, a federated sign-in, a procedure, a code
    /// sent to a phone number or an inbox, or recovery codes.
    pub fn has_binding(&self) -> bool {
        matches!(
            self.factor,
            FactorKind::MultiFactor | FactorKind::Possession
        ) && !self.restricted
            && !matches!(self.category.as_str(), "recovery" | "email")
    }

    pub fn aal(&self) -> String {
        format!("AAL{}", self.max_aal)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopulationView {
    pub key: String,
    pub name: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueView {
    /// Strongest first.
    pub methods: Vec<MethodView>,
    pub populations: Vec<PopulationView>,
    pub business_units: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn method(pr: bool, sync: bool, restricted: bool) -> MethodView {
        MethodView {
            key: "k".into(),
            name: "n".into(),
            category: "c".into(),
            factor: FactorKind::MultiFactor,
            phishing_resistant: pr,
            max_aal: 2,
            syncable: sync,
            restricted,
            needs_personal_phone: false,
            needs_managed_device: false,
            shared_workstation_ok: false,
            strength_rank: 1,
            description: String::new(),
            active: true,
        }
    }

    #[test]
    fn traits_describe_the_attributes() {
        assert_eq!(
            method(true, true, false).traits(),
            vec!["phishing-resistant", "syncable"]
        );
        assert_eq!(method(false, false, false).traits(), vec!["device-bound"]);
        // A code sent to a phone number is bound to no device.
        assert_eq!(
            method(false, false, true).traits(),
            vec!["restricted (5.2.10)"]
        );
        // Neither a password nor a federated sign-in is device-bound or syncable.
        for factor in [
            FactorKind::Knowledge,
            FactorKind::Federation,
            FactorKind::Procedure,
        ] {
            let m = MethodView {
                factor,
                ..method(false, false, false)
            };
            assert!(!m.has_binding());
            assert!(m.traits().is_empty(), "{factor:?}: {:?}", m.traits());
        }
        let codes = MethodView {
            factor: FactorKind::Possession,
            category: "recovery".into(),
            ..method(false, false, false)
        };
        assert!(codes.traits().is_empty());
        assert_eq!(method(false, false, false).aal(), "AAL2");
    }
}

/// An administrator's edit of a method, as posted by the catalogue form (checkboxes send `on`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodForm {
    pub name: String,
    pub description: String,
    pub max_aal: i32,
    pub strength_rank: i32,
    /// A `FactorKind` key.
    pub factor: String,
    pub phishing_resistant: Option<String>,
    pub syncable: Option<String>,
    pub restricted: Option<String>,
    pub needs_personal_phone: Option<String>,
    pub needs_managed_device: Option<String>,
    pub shared_workstation_ok: Option<String>,
    pub active: Option<String>,
}

/// Business units listed for administrators (with inactive ones).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessUnitView {
    pub id: crate::ids::BusinessUnitId,
    pub name: String,
    pub active: bool,
}

/// The method keys the catalogue migration ships (administrators may add others), strongest
/// first: what tests of the features above build their catalogues from.
pub const SHIPPED_METHODS: &[&str] = &[
    "smart_card",
    "security_key",
    "platform_passkey",
    "synced_passkey",
    "federated_idp",
    "push_number_matching",
    "totp_app",
    "hardware_otp",
    "push_plain",
    "temporary_access_pass",
    "helpdesk_proofing",
    "recovery_codes",
    "sms_otp",
    "voice_call",
    "email_link",
    "manager_attestation",
    "password",
    "helpdesk_kba",
];

pub const CATALOGUE_NAME_MAX: usize = 120;
pub const CATALOGUE_DESCRIPTION_MAX: usize = 500;

/// Administering the catalogues: methods, populations, business units.
pub struct CatalogueAdministrators;

impl Right for CatalogueAdministrators {
    const ROLES: &'static [Role] = &[Role::Admin];
}
