//! Application pages: the list, registration and editing, and the application page.

mod detail;
mod form;
mod list;

pub use detail::ApplicationPage;
pub use form::{EditApplicationPage, NewApplicationPage};
pub use list::ApplicationsPage;

use super::model::{Criticality, Integration};

/// The badge class of a criticality.
pub(crate) fn criticality_class(c: Criticality) -> &'static str {
    match c {
        Criticality::Critical => "badge bad",
        Criticality::High => "badge warn",
        _ => "badge",
    }
}

/// A short word for an integration, for narrow table cells.
pub(crate) fn integration_short(i: Integration) -> &'static str {
    match i {
        Integration::Federated => "Federated",
        Integration::Local => "Local",
        Integration::Legacy => "Legacy",
    }
}
