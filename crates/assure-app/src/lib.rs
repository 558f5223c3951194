//! The use-cases of Assure, written once: the command line (`assure`) and the web
//! (`assure-web`) are two faces over this crate.
//!
//! [`App`] wraps the [`Store`] and answers what both faces need: the views of a plan
//! (its indicators' [`Tracking`] and its [`Delivery`]), the import of indicator data
//! (one pipeline for `assure data import`, the upload page and illustrative data), the
//! recording and review of delivery updates with the rule of who may make them, the
//! partnership's settings, reports rendered to HTML or PDF bytes, email ([`Mailer`]) and
//! the scheduled jobs ([`JOBS`], run once per slot across servers).
//!
//! Synchronous, like the store: the web calls it from blocking tasks and caches what it
//! returns; nothing here serves HTTP or knows a terminal or an async runtime (the one
//! outgoing request, Fingertips' data, is a blocking ureq call with a timeout).

mod accounts;
mod areas;
mod committees;
mod data;
mod delivery;
mod error;
mod fingertips;
mod jobs;
mod mail;
mod plan_edit;
mod plan_records;
mod plan_versions;
mod reminders;
mod reports;
mod rounds;
mod views;
mod voice;
mod work;

use assure_store::Store;

pub use accounts::organisation_ids;
pub use areas::{AreasImport, AreasImported};
pub use committees::{
    ActionFilter, ActionItem, Committees, MAX_DECISION_CHARS, MeetingDecisionFields, MeetingFields, Proposal,
    describe_link, describe_paper, indicator_of, may_update_action, my_actions, paper_href, parse_paper,
    propose_deep_dives,
};
pub use data::{DataImportRequest, DataImported, DataSource, LifeExpectancyImported, Progress, Quiet, parse_mapping};
pub use delivery::{may_update, refusal, require_admin, require_item, require_may_update};
pub use error::AppError;
pub use fingertips::{
    DEFAULT_FINGERTIPS_URL, DEFAULT_TIMEOUT as DEFAULT_FINGERTIPS_TIMEOUT, ENGLAND_AREA_TYPE, FetchError, FetchRequest,
    Fetched, FingertipsQuery, FingertipsSettings, SourceStatus, describe as describe_error,
};
pub use jobs::{JOBS, Job, JobRun, Schedule};
pub use mail::{DEFAULT_SENDER, Email, MailError, Mailer};
pub use plan_edit::{
    Edited, Field, FormValues, Input, LinkFields, Need, PlanEdit, PlanItemKind, PlanProblem, ProblemAt, Records,
    delivery_link, fields as edit_fields, form_values, plan_problems, problem_at, show_value,
};
pub use plan_versions::{
    DiffGroup, FieldRow, PublishPreview, Version, check_plan, diff_pdf, diff_report, field_rows, group_by_outcome,
    may_edit_plan, operator, outcome_of, plan_id_problem, value_text,
};
pub use reminders::{DAYS_BEFORE_DEADLINE, DigestList, DueReminders, Reminder, ReminderKind, SentReminders, Which};
pub use reports::{ReportFormat, ReportRequest};
pub use rounds::{OpenRound, Return, RoundReturns, item_key};
pub use views::{AreaReading, Tracking, Views};
pub use voice::{
    ADDRESS_LIMIT, AGE_BANDS, Confirmation, DecisionFields, HELP, HIDE_AFTER_REPORTS, ListeningFields, MAX_WORDS,
    MIN_FORM_AGE, PublicContribution, PublicVoice, REASON_CODES, ResponseFields, Said, SayFields, SayRequest,
    UNCONFIRMED_KEPT, VOICE_FIELDS, may_moderate, month_label, recent_months, safeguarding_concern, say_areas,
    shown_count, text_problems,
};
pub use work::{DeliveryFilter, Scope, WorkItem, by_attention, my_work, place_organisations, work_items};

/// The application: every use-case, over one store. Cheap to clone.
#[derive(Clone, Debug)]
pub struct App {
    store: Store,
    /// The relay mail goes through; none: nothing is sent.
    mailer: Option<std::sync::Arc<Mailer>>,
    /// The site's public address, for links in messages.
    public_url: String,
    /// Who is told when what a resident wrote suggests someone may be at risk.
    safeguarding_lead: Option<String>,
    /// Where Fingertips data is fetched from, for the scheduled refresh.
    fingertips: FingertipsSettings,
}

/// Where links in messages point when the public address is not configured.
pub const DEFAULT_PUBLIC_URL: &str = "http://localhost:8080";

impl App {
    /// The application over this store.
    pub fn new(store: Store) -> App {
        App {
            store,
            mailer: None,
            public_url: DEFAULT_PUBLIC_URL.to_owned(),
            safeguarding_lead: None,
            fingertips: FingertipsSettings::default(),
        }
    }

    /// Fetch Fingertips data from this site, waiting this long (the scheduled refresh).
    pub fn with_fingertips(mut self, settings: FingertipsSettings) -> App {
        self.fingertips = settings;
        self
    }

    /// The store, for the reads that are no more than a query (lists of accounts,
    /// the audit log): those need no use-case of their own.
    pub fn store(&self) -> &Store {
        &self.store
    }
}
