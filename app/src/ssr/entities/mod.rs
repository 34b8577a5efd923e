//! Database entities. They stay on the server; the browser sees view types built from them.

pub mod app_user;
pub mod application;
pub mod application_assessment;
pub mod application_owner;
pub mod application_population;
pub mod application_tag;
pub mod audit_event;
pub mod audit_head;
pub mod auth_method;
pub mod business_unit;
pub mod declaration_draft;
pub mod declaration_method;
pub mod declaration_version;
pub mod enrolment_token;
pub mod finding;
pub mod passkey;
pub mod policy_version;
pub mod population;
pub mod portal_setting;
pub mod user_role;
pub mod web_session;
pub mod webauthn_ceremony;
