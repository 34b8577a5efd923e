//! One integration-test binary: drives the real router and the real database in process, on
//! SQLite always and on PostgreSQL too when `PORTAL_TEST_POSTGRES_URL` is set.

mod support;

mod accounts;
mod audit;
mod foundation;
mod migrations;
mod sessions;
