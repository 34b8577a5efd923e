//! The policy page (`/policy`: the version in force, any earlier one, its history) and the
//! editor (`/policy/edit`), whose preview is composed in by the page that knows findings.

mod editor;
mod fields;
mod standard;
mod view;

pub use editor::PolicyEditorPage;
pub use view::PolicyPage;
