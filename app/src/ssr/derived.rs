//! What is derived from the estate (findings, and the figures built on them) is refreshed in the
//! transaction of the change it derives from, so nobody ever reads a declaration and findings
//! that disagree. The features that change the estate sit below the one that derives from it, so
//! they call through this hook; the composition root wires the hook to the deriving feature.
//! Infrastructure knows no feature: the hook speaks only of applications and time.

use crate::error::AppError;
use crate::ids::ApplicationId;
use sea_orm::DatabaseTransaction;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use time::OffsetDateTime;

/// What a change touched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Changed {
    /// These applications' facts or declarations (the deriving side adds whatever depends on
    /// them, such as the applications federated through a provider).
    Applications(Vec<ApplicationId>),
    /// Something every application is judged by (the policy, the catalogue, a bulk import).
    Everything,
}

pub type Refreshing<'a> = Pin<Box<dyn Future<Output = Result<(), AppError>> + Send + 'a>>;

/// Something kept derived from the estate.
pub trait Derived: Send + Sync {
    /// Brings what is derived up to date with `changed`, inside the change's transaction.
    fn refresh<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        changed: &'a Changed,
        now: OffsetDateTime,
    ) -> Refreshing<'a>;
}

/// The derived views the composition root registered (none in a bare state).
#[derive(Clone, Default)]
pub struct DerivedViews(Arc<Vec<Arc<dyn Derived>>>);

impl DerivedViews {
    pub fn new(views: Vec<Arc<dyn Derived>>) -> Self {
        Self(Arc::new(views))
    }

    /// Refreshes every registered view, in registration order.
    pub async fn refresh(
        &self,
        txn: &DatabaseTransaction,
        changed: Changed,
        now: OffsetDateTime,
    ) -> Result<(), AppError> {
        for view in self.0.iter() {
            view.refresh(txn, &changed, now).await?;
        }
        Ok(())
    }
}

impl fmt::Debug for DerivedViews {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DerivedViews({} registered)", self.0.len())
    }
}
