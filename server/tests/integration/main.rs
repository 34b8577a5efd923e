//! One integration-test binary: drives the real router and the real database in process, on
//! SQLite always and on PostgreSQL too when `PORTAL_TEST_POSTGRES_URL` is set.

mod client;
mod support;

mod access;
mod account;
mod account_links;
mod account_races;
mod accounts;
mod adoption;
mod adoption_api;
mod audit;
mod catalogue;
mod db_outage;
mod enrolment;
mod evidence;
mod exceptions;
mod findings;
mod forms;
mod foundation;
mod matrix;
mod migrations;
mod notifications;
mod people;
mod registry;
mod reliability;
mod sessions;
mod signin;
mod transfer;
mod transfer_scale;
