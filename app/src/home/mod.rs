//! The overview page.

pub mod pages;
