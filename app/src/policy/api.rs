//! Policy server functions. Thin: the access guard has already run (see `access.rs`).

// `save_policy` takes each top-level part of the plain HTML form as an argument, and the server
// macro repeats them in the browser's stub, where an attribute on the function does not reach.
#![allow(clippy::too_many_arguments)]

use super::model::{CriticalityForm, ExceptionsForm, PolicyShown};
use crate::error::AppError;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The policy page: the current version, version `version`, or the one in force on `as_of`
/// (YYYY-MM-DD), with the history. Anyone signed in.
#[server(endpoint = "policy/show")]
pub async fn show_policy(
    version: Option<i32>,
    as_of: Option<String>,
) -> Result<PolicyShown, AppError> {
    use crate::session::facade::signed_in;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let viewer = signed_in()?;
    let as_of = as_of.filter(|d| !d.trim().is_empty());
    respond(
        super::ssr::show(state.db.conn(), &viewer, version, as_of.as_deref()).await,
        None,
    )
}

/// Saves the editor's form as the next version of the policy (security only). Each argument is
/// one top-level part of the plain HTML form (`crit[high][min_aal]`, `standard[…][…]`), hence
/// their number.
#[server(endpoint = "policy/save")]
pub async fn save_policy(
    #[server(default)] default_journey: BTreeMap<String, String>,
    #[server(default)] standard: BTreeMap<String, BTreeMap<String, String>>,
    #[server(default)] crit: BTreeMap<String, CriticalityForm>,
    #[server(default)] allowed: BTreeMap<String, BTreeMap<String, String>>,
    #[server(default)] never: BTreeMap<String, String>,
    #[server(default)] exceptions: ExceptionsForm,
    #[server(default)] severity: BTreeMap<String, String>,
    #[server(default)] reason: String,
) -> Result<i32, AppError> {
    let form = super::model::PolicyForm {
        default_journey,
        standard,
        crit,
        allowed,
        never,
        exceptions,
        severity,
        reason,
    };
    use super::model::PolicyEditors;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond_redirect};
    let (state, _) = context().await?;
    let editor = granted::<PolicyEditors>()?;
    let result = async {
        let (_, base) = super::ssr::current(state.db.conn()).await?;
        let policy = super::rules::from_form(&form, &base)?;
        super::ssr::save_version(&state, &editor, &policy, &form.reason).await
    }
    .await;
    let notice = match &result {
        Ok(v) => format!("Policy version {v} saved; every application was judged again."),
        Err(_) => String::new(),
    };
    respond_redirect(result, "/policy", Some(&notice))
}
