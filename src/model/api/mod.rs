//! The typed requests and answers of the service layer (`crate::service`): what the CLI and
//! the web send in and get back. Plain data; the operations live in the service.

pub mod audit;
pub mod documents;
pub mod holds;
pub mod maintenance;
pub mod pages;
pub mod patients;
pub mod purge;
pub mod quarantine;
pub mod releases;
pub mod review;
pub mod search;
pub mod sessions;
pub mod users;
