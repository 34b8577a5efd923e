//! Typed identifiers shared by entities, view types and URLs.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            #[cfg(feature = "ssr")]
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }
        }

        #[cfg(feature = "ssr")]
        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

typed_id!(
    /// A person who signs in to the portal.
    UserId
);
typed_id!(
    /// One registered passkey of a user.
    PasskeyId
);
typed_id!(
    /// A one-time enrolment, invitation or recovery link.
    EnrolmentTokenId
);
typed_id!(
    /// A registered application.
    ApplicationId
);
typed_id!(
    /// One submitted, immutable version of an application's declaration.
    DeclarationVersionId
);
