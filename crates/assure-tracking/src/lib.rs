//! Indicator tracking: what the plan's indicators show.
//!
//! - [`prepare`]: observations read from a file (Assure's CSV or Fingertips') mapped to
//!   the plan's indicators and areas, values and intervals computed from counts with the
//!   statistics engine, and every problem reported by line and field ([`TrackingError`]).
//! - [`status`]: the status of each indicator against its target (achieved, on track,
//!   at risk, off track, no data), with the reason in words, the trajectory, a projection
//!   and the comparison with England. The rule is documented in [`status::RULE`].
//! - [`plain`]: an assessment in one sentence a resident understands, numbers in their unit.
//! - [`series`]: observations arranged for charts and tables: by area, by group, over time.
//! - [`funnel`]: an indicator's areas on a funnel plot, with control limits, where its
//!   method allows one.
//! - [`demo`]: deterministic illustrative data for every indicator and area.
//! - [`delivery`]: where a milestone or delivering plan stands: status, overdue, stale;
//!   every milestone, of the plan or added by partners ([`delivery::Delivery`]).
//!
//! Pure: no I/O. The store keeps observations; the web and the CLI show them.

pub mod areas;
pub mod delivery;
pub mod demo;
pub mod error;
pub mod format;
pub mod funnel;
pub mod inequality;
pub mod life_tables;
pub mod plain;
pub mod prepare;
pub mod series;
pub mod status;
pub mod time;

pub use areas::AreaIndex;
pub use assure_stats::Comparison;
pub use error::TrackingError;
pub use prepare::{KeyPrints, PrepareOptions, Prepared, Preparer, Repeats, prepare};
pub use status::{Assessment, Status, assess};
