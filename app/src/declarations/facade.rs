//! What the features above use of declarations (besides the `model`): the pure validation and
//! defaults (imports and the generator check and build declarations with them), and on the
//! server the active catalogue keys and bulk inserts of versions.

pub use super::rules::{
    Known, check_submittable, default_journey, defaults, describe_path, describe_paths, effective,
    parse_date, validate,
};

#[cfg(feature = "ssr")]
pub use super::ssr::{NewVersion, draft_of, insert_versions, known};
