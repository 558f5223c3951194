//! The views of a plan that pages, the API, reports and the CLI are made from: its
//! indicators' assessments ([`Tracking`]) and what partners have reported ([`Delivery`]).

use std::collections::HashMap;
use std::sync::Arc;

use assure_plan::Plan;
use assure_plan::observation::Observation;
use assure_store::StoreError;
use assure_tracking::delivery::Delivery;
use assure_tracking::series::InArea;
use assure_tracking::{Assessment, Status};

use crate::{App, AppError};

/// Every tracked indicator's assessment, as the stored data is now.
#[derive(Debug, Default)]
pub struct Tracking {
    /// By tracked indicator id (an indicator, or a part of a compound one).
    pub by_id: HashMap<String, Assessment>,
    /// Whether any of the data behind them is illustrative.
    pub illustrative: bool,
}

impl Tracking {
    /// The statuses of an indicator's tracked parts (itself when it has none).
    pub fn statuses(&self, i: &assure_plan::Indicator) -> Vec<Status> {
        i.tracked().iter().filter_map(|t| self.by_id.get(t.id)).map(|a| a.status).collect()
    }

    /// The status of an indicator: its own, or the worst of its parts'.
    pub fn status(&self, i: &assure_plan::Indicator) -> Status {
        Status::worst(self.statuses(i))
    }
}

/// One tracked indicator's values in an area, its latest against England's.
#[derive(Debug, Clone)]
pub struct AreaReading {
    /// The tracked indicator's id (an indicator, or a part of a compound one).
    pub tracked: String,
    /// Its values in the area.
    pub values: InArea,
    /// Whether any of them is illustrative.
    pub illustrative: bool,
}

/// A plan with its tracking and delivery: everything a report is made from.
#[derive(Debug, Clone)]
pub struct Views {
    /// The plan.
    pub plan: Arc<Plan>,
    /// Its indicators' assessments.
    pub tracking: Arc<Tracking>,
    /// What partners have reported on its milestones and delivering plans.
    pub delivery: Arc<Delivery>,
}

impl App {
    /// Assess every tracked indicator of the plan from the stored observations.
    pub fn tracking(&self, plan: &Plan) -> Result<Tracking, AppError> {
        let plan_id = plan.meta.id.get_ref().as_str();
        let mut illustrative = false;
        let assessed = assure_tracking::status::assess_plan(plan, |id, areas| {
            let rows = self.store.headline_observations(plan_id, id, areas)?;
            illustrative |= rows.iter().any(|o| o.illustrative);
            Ok::<_, StoreError>(rows)
        })?;
        let by_id = assessed.into_iter().map(|(t, a)| (t.id.to_owned(), a)).collect();
        Ok(Tracking { by_id, illustrative })
    }

    /// Every update and added milestone of a plan, with the settings that judge them.
    pub fn delivery(&self, plan_id: &str) -> Result<Delivery, AppError> {
        let settings = self.store.settings()?;
        Ok(Delivery::new(
            self.store.updates(plan_id, None)?,
            self.store.added_milestones(plan_id)?,
            settings.stale_days,
            settings.approval_required,
        ))
    }

    /// The same, brought up to date from `known`, read when the plan's latest audit entry
    /// was `known_at`: only the items whose updates changed since are read again, so a
    /// partner's report costs a read of that item's updates, not of every update the plan
    /// has. The whole is read when anything else changed since (a milestone added, the
    /// plan edited); the settings are taken from `known`, so the caller passes one read
    /// at the same settings (they move the content revision).
    pub fn delivery_since(&self, plan_id: &str, known: &Delivery, known_at: i64) -> Result<Delivery, AppError> {
        let Some(changed) = self.store.updates_since(plan_id, known_at)? else {
            return self.delivery(plan_id);
        };
        let updates = known
            .updates()
            .iter()
            .filter(|u| !changed.items.iter().any(|(kind, item)| u.kind == *kind && u.item == *item))
            .cloned()
            .chain(changed.updates)
            .collect();
        Ok(Delivery::new(updates, known.added.clone(), known.stale_days, known.approval_required))
    }

    /// A stored plan with its tracking and delivery.
    pub fn views(&self, plan_id: &str) -> Result<Views, AppError> {
        let plan = self.store.plan(plan_id)?;
        let tracking = self.tracking(&plan)?;
        let delivery = self.delivery(plan_id)?;
        Ok(Views { plan: Arc::new(plan), tracking: Arc::new(tracking), delivery: Arc::new(delivery) })
    }

    /// What the data shows in one area: every tracked indicator with a value there, in plan
    /// order, with England's value for the same period and the comparison.
    pub fn area_readings(&self, plan: &Plan, area: &str) -> Result<Vec<AreaReading>, AppError> {
        let plan_id = plan.meta.id.get_ref().as_str();
        let mut readings = Vec::new();
        for t in plan.indicators.iter().flat_map(|i| i.tracked()) {
            let rows = self.store.headline_observations(plan_id, t.id, &[area, "england"])?;
            if let Some(values) = assure_tracking::series::in_area(&rows, area, t.polarity) {
                let illustrative = rows.iter().any(|o| o.illustrative);
                readings.push(AreaReading { tracked: t.id.to_owned(), values, illustrative });
            }
        }
        Ok(readings)
    }

    /// The stored observations of these indicators (or parts) of a plan, in key order.
    pub fn observations(&self, plan_id: &str, indicators: &[String]) -> Result<Vec<Observation>, AppError> {
        let mut all = Vec::new();
        for id in indicators {
            all.extend(self.store.observations(plan_id, Some(id))?);
        }
        Ok(all)
    }
}
