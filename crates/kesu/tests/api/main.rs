//! End-to-end tests of the HTTP API: a real server on a random port with a fresh database,
//! once on SQLite and once on PostgreSQL (when `KESU_TEST_POSTGRES_URL` is set).

mod helpers;

mod account_hygiene;
mod accounts;
mod attachments;
mod backup;
mod bad_input;
mod carriers;
mod crash;
mod department_scope;
mod disk_full;
mod honest_figures;
mod hostile_input;
mod import;
mod inbound_email;
mod lifecycle;
mod logistics;
mod logs;
mod mentions;
mod metrics;
mod notifications;
mod order_pages;
mod orders;
mod ownership;
mod pages;
mod pg_restart;
mod polite_pages;
mod privacy;
mod process;
mod raw_codes;
mod refund_flows;
mod refunds;
mod replies;
mod reports;
mod rules_editors;
mod scale_out;
mod search;
mod sign_in;
mod sla;
mod snapshots_pages;
mod templates;
mod tracking;
mod triage;
