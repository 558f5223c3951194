//! Reports from the live data: the annual report, place reports and deep-dive packs,
//! written as print-ready HTML or as PDF bytes. Issuing the annual report records what
//! it showed, so that the next one can say what changed.

use assure_report::{Inputs, Snapshot};

use crate::{App, AppError, Views};

/// The kind under which issued annual reports are recorded.
const ANNUAL: &str = "annual";

/// A report to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportRequest {
    /// The annual report of the partnership.
    Annual,
    /// The place report of an area (or of a place's area).
    Place(String),
    /// The deep-dive pack of an indicator.
    Indicator(String),
    /// The deep-dive pack of a commitment.
    Commitment(String),
}

impl ReportRequest {
    /// A file name for it, without extension.
    pub fn file_name(&self) -> String {
        match self {
            ReportRequest::Annual => "annual-report".into(),
            ReportRequest::Place(a) => format!("place-report-{a}"),
            ReportRequest::Indicator(i) | ReportRequest::Commitment(i) => format!("deep-dive-{i}"),
        }
    }
}

/// How a report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// One print-ready HTML document.
    Html,
    /// A tagged PDF.
    Pdf,
}

impl ReportFormat {
    /// The format a file name asks for by its extension (`.pdf`, `.html`, `.htm`).
    pub fn from_file_name(path: &std::path::Path) -> Option<ReportFormat> {
        match path.extension()?.to_str()?.to_lowercase().as_str() {
            "pdf" => Some(ReportFormat::Pdf),
            "html" | "htm" => Some(ReportFormat::Html),
            _ => None,
        }
    }
}

impl App {
    /// Generate a report from these views; with `issue_as`, record the annual report as
    /// issued by that person (the next one then says what changed since).
    pub fn render_report(
        &self,
        views: &Views,
        request: &ReportRequest,
        format: ReportFormat,
        issue_as: Option<&str>,
    ) -> Result<Vec<u8>, AppError> {
        let plan = &*views.plan;
        let plan_id = plan.meta.id.get_ref().as_str();
        let inputs = Inputs {
            plan,
            assessments: &views.tracking.by_id,
            illustrative: views.tracking.illustrative,
            delivery: &views.delivery,
            generated_at: assure_store::now_rfc3339(),
        };
        let mut scope = crate::voice::ReportScope::All;
        let mut report = match request {
            ReportRequest::Annual => {
                let before = self
                    .store
                    .last_report(plan_id, ANNUAL, "")?
                    .and_then(|(_, json)| serde_json::from_str::<Snapshot>(&json).ok());
                let (report, snapshot) = assure_report::annual::annual(&inputs, before.as_ref());
                if let Some(actor) = issue_as {
                    let json = serde_json::to_string(&snapshot).map_err(|e| AppError::Report(e.to_string()))?;
                    self.store.record_report(plan_id, ANNUAL, "", &json, actor)?;
                }
                report
            }
            ReportRequest::Place(key) => {
                let area = assure_report::place::area(plan, key)
                    .map_err(|_| AppError::NotFound { what: "area or place", id: key.clone() })?;
                let mut areas = vec![area.id.get_ref().as_str()];
                areas.extend(plan.areas_within(area).iter().map(|(a, _)| a.id.get_ref().as_str()));
                scope = crate::voice::ReportScope::Areas(areas);
                let mut rows = Vec::new();
                for i in &plan.indicators {
                    for t in i.tracked() {
                        rows.extend(self.store.headline_observations(
                            plan_id,
                            t.id,
                            &[area.id.get_ref(), "england"],
                        )?);
                    }
                }
                let mut report = assure_report::place::place(&inputs, area, &rows);
                // The latest closed round for this place: what its leads reported for the meeting.
                let rounds = self.rounds(plan, &views.delivery)?;
                let scope = crate::Scope::Place(area.id.get_ref().clone());
                if let Some(r) = rounds.iter().find(|r| !r.is_open() && r.scope == scope)
                    && let (Some(snapshot), Some(closed)) = (r.snapshot(), r.round.closed_at.as_deref())
                {
                    let items = r
                        .returns
                        .iter()
                        .map(|x| {
                            let kind = x.item.kind;
                            let title = match kind {
                                assure_plan::delivery::ItemKind::Milestone => views
                                    .delivery
                                    .milestone(plan, &x.item.item)
                                    .map_or_else(|| x.item.item.clone(), |m| m.title.to_owned()),
                                assure_plan::delivery::ItemKind::DeliveringPlan => {
                                    plan.delivering_plan_name(&x.item.item).to_owned()
                                }
                            };
                            let leads: Vec<&str> = x.item.leads.iter().map(|l| plan.organisation_name(l)).collect();
                            (
                                crate::item_key(kind, &x.item.item),
                                title,
                                leads.join(", "),
                                x.responded.is_some(),
                                x.late,
                            )
                        })
                        .collect();
                    let returns = assure_report::place::RoundReturns {
                        name: &r.round.name,
                        deadline: &r.round.deadline,
                        closed_at: closed,
                        snapshot: &snapshot,
                        items,
                    };
                    report.sections.insert(1, assure_report::place::round_section(&returns));
                }
                report
            }
            ReportRequest::Indicator(id) => {
                let i = plan.indicator(id).ok_or_else(|| AppError::NotFound { what: "indicator", id: id.clone() })?;
                scope = crate::voice::ReportScope::Outcome(*i.outcome.get_ref());
                let ids: Vec<String> = i.tracked().iter().map(|t| t.id.to_owned()).collect();
                let observations = self.observations(plan_id, &ids)?;
                assure_report::deep_dive::indicator(&inputs, i, &observations)
            }
            ReportRequest::Commitment(id) => {
                let c = plan.commitment(id).ok_or_else(|| AppError::NotFound { what: "commitment", id: id.clone() })?;
                scope = crate::voice::ReportScope::Outcome(*c.outcome.get_ref());
                assure_report::deep_dive::commitment(&inputs, c)
            }
        };
        report.sections.push(assure_report::residents::section(&self.residents(plan, &scope)?));
        match format {
            ReportFormat::Pdf => assure_report::pdf::render(&report).map_err(|e| AppError::Report(e.to_string())),
            ReportFormat::Html => Ok(assure_report::html::render(&report).into_bytes()),
        }
    }

    /// When the annual report was last issued, if ever (RFC 3339).
    pub fn annual_report_issued(&self, plan_id: &str) -> Result<Option<String>, AppError> {
        Ok(self.store.last_report(plan_id, ANNUAL, "")?.map(|(at, _)| at))
    }
}
