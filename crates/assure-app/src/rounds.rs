//! Reporting rounds, the cycle the plan describes: before a meeting the programme office
//! asks every lead in scope for an update on each in-scope item; the round shows who has
//! responded and who is late, and closes into a snapshot that the place or annual report
//! for the meeting reads.

use assure_plan::Plan;
use assure_plan::delivery::{FieldProblem, ItemKind};
use assure_report::{Inputs, Snapshot};
use assure_store::{Account, NewRound, Round, RoundItem};
use jiff::civil::Date;

use crate::work::{Scope, work_items};
use crate::{App, AppError, Views, require_admin};

impl Scope {
    /// The scope as stored: `all`, `outcome:2`, `place:medway`, `organisations:a,b`.
    pub fn to_text(&self) -> String {
        match self {
            Scope::All => "all".into(),
            Scope::Outcome(n) => format!("outcome:{n}"),
            Scope::Place(p) => format!("place:{p}"),
            Scope::Organisations(o) => format!("organisations:{}", o.join(",")),
        }
    }

    /// Read a scope as stored (or given on the command line), checked against the plan.
    pub fn parse(plan: &Plan, text: &str) -> Result<Scope, String> {
        let (kind, value) = text.split_once(':').unwrap_or((text, ""));
        match kind.trim() {
            "all" => Ok(Scope::All),
            "outcome" => value
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|n| plan.outcome(*n).is_some())
                .map(Scope::Outcome)
                .ok_or_else(|| format!("'{value}' is not an outcome of the plan")),
            "place" if plan.place_areas().any(|a| a.id.get_ref() == value.trim()) => {
                Ok(Scope::Place(value.trim().to_owned()))
            }
            "place" => Err(format!("'{value}' is not a place of the plan")),
            "organisations" => {
                let ids: Vec<String> =
                    value.split(',').map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned).collect();
                if ids.is_empty() {
                    return Err("Choose at least one organisation".into());
                }
                let mut out = Vec::new();
                for id in ids {
                    out.push(
                        plan.organisation(&id)
                            .map(|o| o.id.get_ref().clone())
                            .ok_or_else(|| format!("'{id}' is not an organisation of the plan"))?,
                    );
                }
                Ok(Scope::Organisations(out))
            }
            other => Err(format!("'{other}' is not a scope (all, an outcome, a place or some organisations)")),
        }
    }
}

/// A round to open, as an admin asks for it.
#[derive(Debug, Clone)]
pub struct OpenRound {
    /// Its name ("Medway 6-month update").
    pub name: String,
    /// The last day for returns (`YYYY-MM-DD`).
    pub deadline: String,
    /// What it covers, as [`Scope::parse`] reads it.
    pub scope: String,
}

/// One item of a round, and whether it has been answered.
#[derive(Debug, Clone)]
pub struct Return {
    /// The item asked about.
    pub item: RoundItem,
    /// When its lead responded (the first update while the round was open).
    pub responded: Option<String>,
    /// No response and the deadline has passed (or the response came after it).
    pub late: bool,
}

/// A round with its returns.
#[derive(Debug, Clone)]
pub struct RoundReturns {
    /// The round.
    pub round: Round,
    /// Its scope, read.
    pub scope: Scope,
    /// Each item asked about.
    pub returns: Vec<Return>,
}

impl RoundReturns {
    /// How many items have been answered.
    pub fn responded(&self) -> usize {
        self.returns.iter().filter(|r| r.responded.is_some()).count()
    }

    /// The share of items answered, 0–100 (100 when nothing was asked).
    pub fn return_rate(&self) -> u32 {
        if self.returns.is_empty() {
            return 100;
        }
        u32::try_from(self.responded() * 100 / self.returns.len()).unwrap_or(100)
    }

    /// Each organisation asked: (id, items asked, answered, late), by name order of id.
    pub fn by_organisation(&self) -> Vec<(String, usize, usize, usize)> {
        let mut out: Vec<(String, usize, usize, usize)> = Vec::new();
        for r in &self.returns {
            for lead in &r.item.leads {
                let i = match out.iter().position(|(o, ..)| o == lead) {
                    Some(i) => i,
                    None => {
                        out.push((lead.clone(), 0, 0, 0));
                        out.len() - 1
                    }
                };
                out[i].1 += 1;
                out[i].2 += usize::from(r.responded.is_some());
                out[i].3 += usize::from(r.late);
            }
        }
        out.sort();
        out
    }

    /// Whether the round is open.
    pub fn is_open(&self) -> bool {
        self.round.closed_at.is_none()
    }

    /// The snapshot it closed into.
    pub fn snapshot(&self) -> Option<Snapshot> {
        self.round.snapshot.as_deref().and_then(|s| serde_json::from_str(s).ok())
    }
}

fn rejected(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Rejected(vec![(field, message.into())])
}

/// Returns of a round: each item answered by an update made while it was open.
fn returns_of(plan: &Plan, delivery: &assure_tracking::delivery::Delivery, round: Round, today: Date) -> RoundReturns {
    let scope = Scope::parse(plan, &round.scope).unwrap_or(Scope::All);
    let deadline: Option<Date> = round.deadline.parse().ok();
    let returns = round
        .items
        .iter()
        .map(|item| {
            let responded = delivery
                .of(item.kind, &item.item)
                .filter(|u| u.at >= round.opened_at && round.closed_at.as_ref().is_none_or(|c| &u.at <= c))
                .map(|u| u.at.clone())
                .next();
            let answered_on: Option<Date> = responded.as_deref().and_then(|a| a.get(..10)).and_then(|d| d.parse().ok());
            let late = match (deadline, answered_on) {
                (Some(d), Some(a)) => a > d,
                (Some(d), None) => today > d,
                (None, _) => false,
            };
            Return { item: item.clone(), responded, late }
        })
        .collect();
    RoundReturns { round, scope, returns }
}

impl App {
    /// Open a reporting round (admins only): every item in scope that is not finished and
    /// has a lead is asked about, with the organisations leading it now.
    pub fn open_round(
        &self,
        account: &Account,
        plan: &Plan,
        delivery: &assure_tracking::delivery::Delivery,
        request: &OpenRound,
    ) -> Result<Round, AppError> {
        require_admin(account)?;
        let mut problems: Vec<FieldProblem> = Vec::new();
        let name = request.name.trim();
        if name.is_empty() {
            problems.push(("name", "Give the round a name, such as 'Medway 6-month update'".into()));
        } else if let Some(p) = assure_plan::delivery::text_problem(name, 200, false) {
            problems.push(("name", p));
        }
        let deadline = request.deadline.trim();
        if deadline.parse::<Date>().is_err() {
            problems.push(("deadline", format!("'{deadline}' is not a date: write it as 2027-01-31")));
        }
        let scope = Scope::parse(plan, &request.scope).map_err(|m| problems.push(("scope", m))).ok();
        if !problems.is_empty() {
            return Err(AppError::Rejected(problems));
        }
        let scope = scope.ok_or_else(|| rejected("scope", "Choose a scope"))?;
        let items: Vec<RoundItem> = work_items(plan, delivery, assure_tracking::delivery::today())
            .into_iter()
            .filter(|i| scope.contains(plan, i) && !i.leads.is_empty())
            .filter(|i| !i.progress.status.is_some_and(|s| s.is_finished()))
            .map(|i| RoundItem { kind: i.kind, item: i.id, leads: i.leads })
            .collect();
        if items.is_empty() {
            return Err(rejected("scope", "Nothing in this scope is waiting for an update"));
        }
        let new = NewRound { plan_id: plan.meta.id.get_ref(), name, deadline, scope: &scope.to_text(), items: &items };
        Ok(self.store.open_round(&new, &account.username)?)
    }

    /// A plan's rounds with their returns, newest first.
    pub fn rounds(
        &self,
        plan: &Plan,
        delivery: &assure_tracking::delivery::Delivery,
    ) -> Result<Vec<RoundReturns>, AppError> {
        let today = assure_tracking::delivery::today();
        Ok(self
            .store
            .rounds(plan.meta.id.get_ref())?
            .into_iter()
            .map(|r| returns_of(plan, delivery, r, today))
            .collect())
    }

    /// One round with its returns.
    pub fn round(
        &self,
        plan: &Plan,
        delivery: &assure_tracking::delivery::Delivery,
        id: i64,
    ) -> Result<RoundReturns, AppError> {
        self.round_on(plan, delivery, id, assure_tracking::delivery::today())
    }

    /// One round with its returns as they stand on `today` (who is late depends on it).
    pub fn round_on(
        &self,
        plan: &Plan,
        delivery: &assure_tracking::delivery::Delivery,
        id: i64,
        today: Date,
    ) -> Result<RoundReturns, AppError> {
        let round = self.store.round(plan.meta.id.get_ref(), id)?;
        Ok(returns_of(plan, delivery, round, today))
    }

    /// Close a round (admins only), keeping the snapshot of the plan's indicators and
    /// delivery as they stand: what the report for the meeting shows.
    pub fn close_round(&self, account: &Account, views: &Views, id: i64) -> Result<Round, AppError> {
        require_admin(account)?;
        let plan = &*views.plan;
        let inputs = Inputs {
            plan,
            assessments: &views.tracking.by_id,
            illustrative: views.tracking.illustrative,
            delivery: &views.delivery,
            generated_at: assure_store::now_rfc3339(),
        };
        let json = serde_json::to_string(&inputs.snapshot()).map_err(|e| AppError::Report(e.to_string()))?;
        Ok(self.store.close_round(plan.meta.id.get_ref(), id, &json, &account.username)?)
    }

    /// The open rounds asking about items this person's organisations lead and that they
    /// have not yet answered: `milestone:id` / `plan:id` → the round.
    pub fn asked_of(
        &self,
        account: &Account,
        plan: &Plan,
        delivery: &assure_tracking::delivery::Delivery,
    ) -> Result<Vec<(String, Round)>, AppError> {
        let mut out = Vec::new();
        for r in self.rounds(plan, delivery)?.into_iter().filter(RoundReturns::is_open) {
            for ret in r.returns.iter().filter(|x| x.responded.is_none()) {
                let leads: Vec<&str> = ret.item.leads.iter().map(String::as_str).collect();
                if plan.led_by_any(&leads, &account.organisations) {
                    out.push((format!("{}:{}", ret.item.kind.as_str(), ret.item.item), r.round.clone()));
                }
            }
        }
        Ok(out)
    }
}

/// `milestone:id` of an item kind and id.
pub fn item_key(kind: ItemKind, item: &str) -> String {
    format!("{}:{item}", kind.as_str())
}
