//! The use-cases of Assure, written once: the command line (`assure`) and the web
//! (`assure-web`) are two faces over this crate.
//!
//! [`App`] wraps the [`Store`] and answers what both faces need: the views of a plan
//! (its indicators' [`Tracking`] and its [`Delivery`]), the import of indicator data
//! (one pipeline for `assure data import`, the upload page and illustrative data), the
//! recording and review of delivery updates with the rule of who may make them, the
//! partnership's settings, and reports rendered to HTML or PDF bytes.
//!
//! Synchronous, like the store: the web calls it from blocking tasks and caches what it
//! returns; nothing here knows HTTP, a terminal or an async runtime.

mod accounts;
mod data;
mod delivery;
mod error;
mod reports;
mod rounds;
mod views;
mod work;

use assure_store::Store;

pub use accounts::organisation_ids;
pub use data::{DataImportRequest, DataImported, DataSource, parse_mapping};
pub use delivery::{may_update, refusal, require_admin, require_item, require_may_update};
pub use error::AppError;
pub use reports::{ReportFormat, ReportRequest};
pub use rounds::{OpenRound, Return, RoundReturns, item_key};
pub use views::{AreaReading, Tracking, Views};
pub use work::{DeliveryFilter, Scope, WorkItem, by_attention, my_work, place_organisations, work_items};

/// The application: every use-case, over one store. Cheap to clone.
#[derive(Clone, Debug)]
pub struct App {
    store: Store,
}

impl App {
    /// The application over this store.
    pub fn new(store: Store) -> App {
        App { store }
    }

    /// The store, for the reads that are no more than a query (lists of accounts,
    /// the audit log): those need no use-case of their own.
    pub fn store(&self) -> &Store {
        &self.store
    }
}
