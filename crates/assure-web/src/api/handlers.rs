//! The API's handlers: each reads the served plan and answers a response type.

use std::collections::HashMap;

use assure_plan::{Plan, query};
use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::types::*;
use super::{ApiError, json_response, list_format, list_response};
use assure_plan::delivery::ItemKind;
use axum::Extension;
use axum::body::Bytes;
use axum::response::IntoResponse;

use crate::access::Signed;
use crate::state::Tracking;
use crate::{AppState, WebError};

type Answer = Result<Response, ApiError>;

fn commitment_summary(c: &assure_plan::Commitment) -> CommitmentSummary {
    CommitmentSummary {
        id: c.id.get_ref().clone(),
        title: c.title.clone(),
        outcome: *c.outcome.get_ref(),
        priorities: c.priorities.iter().map(|p| p.get_ref().clone()).collect(),
        delivery_links: c.links.len(),
    }
}

fn indicator_summary(i: &assure_plan::Indicator, tracking: &Tracking) -> IndicatorSummary {
    IndicatorSummary {
        id: i.id.get_ref().clone(),
        outcome: *i.outcome.get_ref(),
        measure: i.measure.clone(),
        statement: i.statement.clone(),
        status: tracking.status(i).into(),
    }
}

fn point_response(p: &assure_tracking::status::Point) -> PointResponse {
    PointResponse { period: p.period.clone(), value: p.value, lower: p.lower, upper: p.upper }
}

fn assessment_response(a: &assure_tracking::Assessment, illustrative: bool) -> AssessmentResponse {
    AssessmentResponse {
        status: a.status.into(),
        status_label: a.status.label().to_owned(),
        reason: a.reason.clone(),
        latest: a.latest().map(point_response),
        expected: a.expected,
        projection: a.projection.as_ref().map(|p| ProjectionResponse {
            value: p.value,
            lower: p.lower,
            upper: p.upper,
            slope_per_year: p.slope,
            points: p.points,
            likelihood: enum_name(&p.likelihood),
        }),
        comparison: a.comparison.to_string(),
        illustrative,
    }
}

pub async fn show_plan(State(state): State<AppState>) -> Answer {
    let plan = state.plan().await?;
    let counts =
        serde_json::to_value(query::stats(&plan)).ok().and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default();
    let m = &plan.meta;
    Ok(json_response(&PlanResponse {
        id: m.id.get_ref().clone(),
        title: m.title.clone(),
        period: m.period.clone(),
        published: m.published.clone(),
        vision: m.vision.clone(),
        counts,
    }))
}

pub async fn list_outcomes(State(state): State<AppState>) -> Answer {
    let plan = state.plan().await?;
    let items: Vec<OutcomeSummary> = plan
        .outcomes
        .iter()
        .map(|o| OutcomeSummary { number: *o.number.get_ref(), title: o.title.clone(), ambition: o.ambition.clone() })
        .collect();
    Ok(json_response(&items))
}

pub async fn show_outcome(State(state): State<AppState>, Path(number): Path<String>) -> Answer {
    let plan = state.plan().await?;
    let o = number
        .parse::<u8>()
        .ok()
        .and_then(|n| plan.outcome(n))
        .ok_or_else(|| ApiError::not_found("outcome", &number))?;
    let d = query::outcome_detail(&plan, o);
    let tracking = state.tracking().await?;
    Ok(json_response(&OutcomeResponse {
        number: *o.number.get_ref(),
        title: o.title.clone(),
        ambition: o.ambition.clone(),
        priorities: d
            .priorities
            .iter()
            .map(|p| PriorityResponse {
                id: p.priority.id.get_ref().clone(),
                title: p.priority.title.clone(),
                description: p.priority.description.clone(),
                commitments: p.commitments.iter().map(|c| commitment_summary(c)).collect(),
            })
            .collect(),
        indicators: d.indicators.iter().map(|i| indicator_summary(i, &tracking)).collect(),
        delivery_examples: d
            .delivery_examples
            .iter()
            .map(|e| Ref { id: e.id.get_ref().clone(), name: e.title.clone() })
            .collect(),
        heard: o.heard.iter().map(|h| h.text.clone()).collect(),
        statements: o.statement.iter().map(|s| s.text.clone()).collect(),
        line: o.line,
    }))
}

pub async fn list_commitments(State(state): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Answer {
    let format = list_format(&q, &[])?;
    let plan = state.plan().await?;
    list_response("/api/v1/commitments", plan.commitments.iter().map(commitment_summary).collect(), format)
}

pub async fn show_commitment(State(state): State<AppState>, Path(id): Path<String>) -> Answer {
    let plan = state.plan().await?;
    let c = plan.commitment(&id).ok_or_else(|| ApiError::not_found("commitment", &id))?;
    Ok(json_response(&CommitmentResponse {
        id: c.id.get_ref().clone(),
        title: c.title.clone(),
        outcome: *c.outcome.get_ref(),
        priorities: c.priorities.iter().map(|p| p.get_ref().clone()).collect(),
        delivery_links: c
            .links
            .iter()
            .map(|l| DeliveryLinkResponse {
                plan_text: l.plan_text.clone(),
                plans: Ref::delivering_plans(&plan, &l.plans),
                led_by_text: l.led_by_text.clone(),
                led_by: Ref::organisations(&plan, &l.led_by),
                line: l.line,
            })
            .collect(),
        line: c.line,
    }))
}

pub async fn list_plans(State(state): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Answer {
    let format = list_format(&q, &[])?;
    let plan = state.plan().await?;
    let items = plan
        .delivering_plans
        .iter()
        .map(|p| DeliveringPlanSummary {
            id: p.id.get_ref().clone(),
            name: p.name.clone(),
            status: p.status.get_ref().label().to_owned(),
            delivery_links: plan.links_to_delivering_plan(p.id.get_ref()).len(),
        })
        .collect();
    list_response("/api/v1/plans", items, format)
}

pub async fn show_delivering_plan(State(state): State<AppState>, Path(id): Path<String>) -> Answer {
    let plan = state.plan().await?;
    let p = plan.delivering_plan(&id).ok_or_else(|| ApiError::not_found("delivering plan", &id))?;
    let d = query::plan_detail(&plan, p);
    Ok(json_response(&DeliveringPlanResponse {
        id: p.id.get_ref().clone(),
        name: p.name.clone(),
        status: p.status.get_ref().label().to_owned(),
        aliases: p.aliases.clone(),
        uses: d
            .uses
            .iter()
            .map(|u| PlanUseResponse {
                under: Ref { id: u.under.to_owned(), name: u.title.to_owned() },
                outcome: u.outcome,
                plan_text: u.plan_text.to_owned(),
                led_by: Ref::organisations(&plan, u.led_by),
                line: u.line,
            })
            .collect(),
    }))
}

fn parent(plan: &Plan, o: &assure_plan::Organisation) -> Option<Ref> {
    o.parent.as_ref().map(|p| Ref::organisation(plan, p.get_ref()))
}

pub async fn list_organisations(State(state): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Answer {
    let format = list_format(&q, &[])?;
    let plan = state.plan().await?;
    let items = plan
        .organisations
        .iter()
        .map(|o| OrganisationSummary {
            id: o.id.get_ref().clone(),
            name: o.name.clone(),
            kind: enum_name(&o.kind),
            parent: parent(&plan, o),
        })
        .collect();
    list_response("/api/v1/organisations", items, format)
}

pub async fn show_organisation(State(state): State<AppState>, Path(id): Path<String>) -> Answer {
    let plan = state.plan().await?;
    let o = plan.organisation(&id).ok_or_else(|| ApiError::not_found("organisation", &id))?;
    let leads = query::organisation_leads(&plan, o);
    Ok(json_response(&OrganisationResponse {
        id: o.id.get_ref().clone(),
        name: o.name.clone(),
        kind: enum_name(&o.kind),
        aliases: o.aliases.clone(),
        parent: parent(&plan, o),
        parts: leads.parts.iter().map(|p| Ref::organisation(&plan, p.id.get_ref())).collect(),
        delivery_links: leads.link_count,
        outcomes: leads
            .outcomes
            .iter()
            .map(|g| OutcomeLeadsResponse {
                outcome: g.outcome,
                title: g.title.to_owned(),
                links: g
                    .links
                    .iter()
                    .map(|l| LedLinkResponse {
                        commitment: Ref { id: l.commitment_id.to_owned(), name: l.commitment.to_owned() },
                        plans: Ref::delivering_plans(&plan, &l.link.plans),
                        through: l.through.iter().map(|t| Ref::organisation(&plan, t)).collect(),
                        line: l.link.line,
                    })
                    .collect(),
            })
            .collect(),
    }))
}

pub async fn list_indicators(State(state): State<AppState>) -> Answer {
    let plan = state.plan().await?;
    let tracking = state.tracking().await?;
    let items: Vec<IndicatorSummary> = plan.indicators.iter().map(|i| indicator_summary(i, &tracking)).collect();
    Ok(json_response(&items))
}

pub async fn show_indicator(State(state): State<AppState>, Path(id): Path<String>) -> Answer {
    let plan = state.plan().await?;
    let i = plan.indicator(&id).ok_or_else(|| ApiError::not_found("indicator", &id))?;
    let unit = i.unit.unwrap_or(assure_plan::Unit::Unspecified);
    let mut measures = vec![MeasureResponse {
        id: i.id.get_ref().clone(),
        measure: i.measure.clone(),
        unit: i.unit.map(|u| enum_name(&u)),
        polarity: i.polarity.as_ref().map(|p| p.get_ref().label().to_owned()),
        baseline: i.baseline.as_ref().map(|b| b.describe(unit)),
        target: i.target.as_ref().map(|t| t.describe(unit)),
        assessment: None,
    }];
    measures.extend(i.parts.iter().map(|p| MeasureResponse {
        id: p.id.get_ref().clone(),
        measure: p.measure.clone(),
        unit: Some(enum_name(&p.unit)),
        polarity: Some(p.polarity.get_ref().label().to_owned()),
        baseline: p.baseline.as_ref().map(|b| b.describe(p.unit)),
        target: Some(p.target.describe(p.unit)),
        assessment: None,
    }));
    let ids: Vec<String> = measures.iter().map(|m| m.id.clone()).collect();
    let observations = state.observations(plan.meta.id.get_ref().clone(), ids).await?;
    let tracking = state.tracking().await?;
    for m in &mut measures {
        let illustrative = observations.iter().any(|o| o.illustrative && o.key.indicator == m.id);
        m.assessment = tracking.by_id.get(&m.id).map(|a| assessment_response(a, illustrative));
    }
    Ok(json_response(&IndicatorResponse {
        id: i.id.get_ref().clone(),
        outcome: *i.outcome.get_ref(),
        statement: i.statement.clone(),
        geography: i.geography.clone(),
        measures,
        observations: observations
            .into_iter()
            .map(|o| ObservationResponse {
                indicator: o.key.indicator,
                area: o.key.area,
                period: o.key.period,
                breakdown: o.key.breakdown,
                value: o.value,
                lower: o.lower,
                upper: o.upper,
                numerator: o.numerator,
                denominator: o.denominator,
                note: o.note,
                source: o.source,
            })
            .collect(),
        line: i.line,
    }))
}

pub async fn list_places(State(state): State<AppState>) -> Answer {
    let plan = state.plan().await?;
    let items: Vec<PlaceSummary> = plan
        .places
        .iter()
        .map(|p| PlaceSummary {
            id: p.id.get_ref().clone(),
            name: p.name.clone(),
            kind: enum_name(&p.kind),
            priorities: p.priorities.len(),
        })
        .collect();
    Ok(json_response(&items))
}

pub async fn show_place(State(state): State<AppState>, Path(id): Path<String>) -> Answer {
    let plan = state.plan().await?;
    let p = plan.place(&id).ok_or_else(|| ApiError::not_found("place", &id))?;
    let addressed = |n: u8| p.priorities.iter().any(|pr| pr.outcomes.iter().any(|o| *o.get_ref() == n));
    Ok(json_response(&PlaceResponse {
        id: p.id.get_ref().clone(),
        name: p.name.clone(),
        kind: enum_name(&p.kind),
        organisation: Ref::organisation(&plan, p.organisation.get_ref()),
        priorities: p
            .priorities
            .iter()
            .map(|pr| PlacePriorityResponse {
                title: pr.title.clone(),
                outcomes: pr.outcomes.iter().map(|o| *o.get_ref()).collect(),
            })
            .collect(),
        gaps: plan.outcomes.iter().map(|o| *o.number.get_ref()).filter(|n| !addressed(*n)).collect(),
    }))
}

pub async fn search(State(state): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Answer {
    if let Some(unknown) = q.keys().find(|k| k.as_str() != "q") {
        return Err(ApiError::bad(unknown, "unknown parameter (expected q)".to_owned()));
    }
    let words = q.get("q").map(|s| s.trim().to_owned()).unwrap_or_default();
    if words.is_empty() {
        return Err(ApiError::bad("q", "give the words to look for".to_owned()));
    }
    if words.chars().count() > 200 {
        return Err(ApiError::bad("q", "a search is at most 200 characters".to_owned()));
    }
    let plan = state.plan().await?;
    let r = query::search(&plan, &words);
    let mut hits = Vec::new();
    for (kind, api, group) in [
        ("outcome", "outcomes", &r.outcomes),
        ("priority", "outcomes", &r.priorities),
        ("commitment", "commitments", &r.commitments),
        ("plan", "plans", &r.delivering_plans),
        ("organisation", "organisations", &r.organisations),
        ("indicator", "indicators", &r.indicators),
        ("example", "outcomes", &r.delivery_examples),
        ("place", "places", &r.places),
    ] {
        for h in group {
            let url = match kind {
                "priority" => format!("/api/v1/outcomes/{}", h.id.split('.').next().unwrap_or_default()),
                "example" => String::new(),
                _ => format!("/api/v1/{api}/{}", h.id),
            };
            hits.push(HitResponse {
                kind: kind.to_owned(),
                id: h.id.clone(),
                title: h.title.to_owned(),
                matched: h.matched.to_owned(),
                url,
            });
        }
    }
    Ok(json_response(&SearchResponse { query: words, hits }))
}

fn enabler_response(plan: &Plan, e: &assure_plan::Enabler) -> EnablerResponse {
    EnablerResponse {
        id: e.id.get_ref().clone(),
        number: e.number,
        title: e.title.clone(),
        description: e.description.clone(),
        commitments: e
            .commitments
            .iter()
            .map(|c| EnablerCommitmentResponse {
                title: c.title.clone(),
                items: c
                    .items
                    .iter()
                    .map(|i| EnablerItemResponse {
                        text: i.text.clone().or_else(|| i.plan_text.clone()),
                        plans: Ref::delivering_plans(plan, &i.plans),
                        led_by_text: i.led_by_text.clone(),
                        led_by: Ref::organisations(plan, &i.led_by),
                        line: i.line,
                    })
                    .collect(),
            })
            .collect(),
    }
}

pub async fn list_enablers(State(state): State<AppState>) -> Answer {
    let plan = state.plan().await?;
    let items: Vec<EnablerResponse> = plan.enablers.iter().map(|e| enabler_response(&plan, e)).collect();
    Ok(json_response(&items))
}

pub async fn show_enabler(State(state): State<AppState>, Path(id): Path<String>) -> Answer {
    let plan = state.plan().await?;
    let e = plan.enablers.iter().find(|e| e.id.get_ref() == &id).ok_or_else(|| ApiError::not_found("enabler", &id))?;
    Ok(json_response(&enabler_response(&plan, e)))
}

pub async fn show_milestone(State(state): State<AppState>, Path(id): Path<String>) -> Answer {
    let plan = state.plan().await?;
    let delivery = state.delivery().await?;
    let m = delivery.milestone(&plan, &id).ok_or_else(|| ApiError::not_found("milestone", &id))?;
    let in_plan = m.example.and_then(|e| e.milestones.iter().find(|x| x.id.get_ref() == m.id));
    let signed_in = crate::access::current().is_some();
    let progress = delivery.progress(ItemKind::Milestone, m.id, m.due);
    let leads = delivery.leads(&plan, ItemKind::Milestone, m.id);
    let history = delivery.history(ItemKind::Milestone, m.id, signed_in);
    let authors = authors(&state, !history.is_empty()).await?;
    Ok(json_response(&MilestoneResponse {
        id: m.id.to_owned(),
        title: m.title.to_owned(),
        due: m.due.to_owned(),
        text: in_plan.map(|x| x.text.clone()),
        example: m.example.map(|e| Ref { id: e.id.get_ref().clone(), name: e.title.clone() }),
        delivering_plan: m.added.map(|a| Ref {
            id: a.delivering_plan.clone(),
            name: plan.delivering_plan_name(&a.delivering_plan).to_owned(),
        }),
        outcome: m.example.map(|e| *e.outcome.get_ref()),
        line: in_plan.map(|x| x.line),
        led_by: leads.iter().map(|o| Ref::organisation(&plan, o)).collect(),
        progress: progress_response(&progress),
        updates: history
            .into_iter()
            .map(|u| update_response(u, crate::components::reported_for(&plan, &authors, &u.author, &leads), signed_in))
            .collect(),
    }))
}

fn progress_response(p: &assure_tracking::delivery::Progress) -> ProgressResponse {
    use assure_tracking::delivery::Freshness;
    ProgressResponse {
        status: p.status.map(|s| s.as_str().to_owned()),
        due: p.due.clone(),
        due_changed: p.due_changed,
        overdue: p.overdue,
        stale: matches!(p.freshness, Freshness::Stale(_)),
        days_since_update: match p.freshness {
            Freshness::NoUpdate => None,
            Freshness::Fresh(d) | Freshness::Stale(d) => Some(d),
        },
    }
}

/// The organisations of every account that may have written an update (see
/// [`crate::components::reported_for`]); read only when there are `any` updates to name.
async fn authors(state: &AppState, any: bool) -> Result<crate::components::Authors, ApiError> {
    if !any {
        return Ok(crate::components::Authors::new());
    }
    let accounts = state.blocking(|s| Ok(s.store().accounts()?)).await?;
    Ok(crate::components::authors(accounts))
}

/// An update as the API answers it: from the organisation the pages name, and by whom
/// only when `signed_in` (with an API token).
fn update_response(u: &assure_store::DeliveryUpdate, from: String, signed_in: bool) -> UpdateResponse {
    UpdateResponse {
        id: u.id,
        kind: u.kind.as_str().to_owned(),
        item: u.item.clone(),
        publication: u.publication.as_str().to_owned(),
        report: report_response(&u.draft, (&u.at, &u.author), from, signed_in),
    }
}

/// What an update reported, written `at` by `author` for the organisation `from`; the
/// author only when `signed_in`, and never its internal note.
fn report_response(
    draft: &assure_plan::delivery::UpdateDraft,
    (at, author): (&str, &str),
    from: String,
    signed_in: bool,
) -> ReportResponse {
    ReportResponse {
        status: draft.status.as_str().to_owned(),
        narrative: draft.narrative.clone(),
        evidence: draft.evidence.clone(),
        expected: draft.expected.clone(),
        expected_reason: draft.expected_reason.clone(),
        from,
        author: signed_in.then(|| author.to_owned()),
        at: at.to_owned(),
    }
}

/// Record an update with an API token (never a session cookie: a page elsewhere could
/// make a browser send that).
async fn post_update(state: AppState, signed: Option<Signed>, kind: ItemKind, id: String, body: Bytes) -> Answer {
    let signed = match signed {
        Some(s) if s.csrf.is_none() => s,
        _ => return Err(ApiError(WebError::SignIn(String::new()))),
    };
    let plan = state.plan().await?;
    let delivery = state.delivery().await?;
    if assure_app::require_item(&plan, &delivery, kind, &id).is_err() {
        return Err(ApiError::not_found(kind.as_str(), &id));
    }
    assure_app::require_may_update(&signed.account, &plan, &delivery, kind, &id)?;
    let request: UpdateRequest = serde_json::from_slice(&body).map_err(|e| ApiError::bad("body", e.to_string()))?;
    let fields = assure_plan::delivery::UpdateFields {
        status: request.status,
        narrative: request.narrative,
        evidence: request.evidence,
        expected: request.expected.unwrap_or_default(),
        expected_reason: request.expected_reason.unwrap_or_default(),
        internal_note: request.internal_note.unwrap_or_default(),
    };
    let (account, p, d) = (signed.account.clone(), plan.clone(), delivery.clone());
    let recorded = state.blocking(move |s| Ok(s.app().record_update(&account, &p, &d, kind, &id, &fields))).await?;
    // A body whose fields are wrong is a malformed request here (400, as the API has
    // always answered), naming the first field.
    let u = recorded.map_err(|e| match e {
        assure_app::AppError::Rejected(problems) => {
            let (field, message) = problems.into_iter().next().unwrap_or(("body", String::new()));
            ApiError::bad(field, message)
        }
        e => e.into(),
    })?;
    let authors = crate::components::authors(vec![signed.account.clone()]);
    let from = crate::components::reported_for(&plan, &authors, &u.author, &delivery.leads(&plan, kind, &u.item));
    Ok((axum::http::StatusCode::CREATED, json_response(&update_response(&u, from, true))).into_response())
}

pub async fn post_milestone_update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Option<Extension<Signed>>,
    body: Bytes,
) -> Answer {
    post_update(state, signed.map(|e| e.0), ItemKind::Milestone, id, body).await
}

pub async fn post_plan_update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Option<Extension<Signed>>,
    body: Bytes,
) -> Answer {
    post_update(state, signed.map(|e| e.0), ItemKind::DeliveringPlan, id, body).await
}

async fn voice(state: &AppState, plan: &Plan) -> Result<assure_app::PublicVoice, ApiError> {
    let plan_id = plan.meta.id.get_ref().clone();
    Ok(state.blocking(move |s| Ok(s.app().public_voice(&plan_id)?)).await?)
}

pub async fn list_contributions(State(state): State<AppState>) -> Answer {
    let plan = state.plan().await?;
    let v = voice(&state, &plan).await?;
    let items: Vec<ContributionSummary> = v
        .contributions
        .into_iter()
        .map(|c| ContributionSummary {
            id: c.id,
            outcome: c.outcome,
            area: c.area,
            commitment: c.commitment,
            text: c.text,
            month: c.experienced,
            display_name: c.display_name,
            channel: c.channel.as_str().to_owned(),
            redacted: c.redacted,
            published_at: c.published_at,
            themes: c.themes,
        })
        .collect();
    Ok(json_response(&items))
}

pub async fn list_themes(State(state): State<AppState>) -> Answer {
    let plan = state.plan().await?;
    let v = voice(&state, &plan).await?;
    let items: Vec<ThemeSummary> = v
        .themes
        .iter()
        .map(|t| ThemeSummary {
            id: t.id.clone(),
            outcome: t.outcome,
            label: t.label.clone(),
            published: v.contributions.iter().filter(|c| c.themes.contains(&t.id)).count(),
        })
        .collect();
    Ok(json_response(&items))
}

pub async fn list_responses(State(state): State<AppState>) -> Answer {
    let plan = state.plan().await?;
    let v = voice(&state, &plan).await?;
    let items: Vec<ResponseSummary> = v
        .responses
        .into_iter()
        .map(|r| ResponseSummary {
            id: r.id,
            scope: r.scope.as_str().to_owned(),
            scope_id: r.scope_id,
            you_said: r.you_said,
            we_did: r.we_did,
            status: r.status.as_str().to_owned(),
            reason: r.reason,
            organisation: Ref::organisation(&plan, &r.organisation),
            at: r.at,
            links: r.links.into_iter().map(|(kind, id)| ResponseLink { kind, id }).collect(),
        })
        .collect();
    Ok(json_response(&items))
}

/// The plan's committees with their meetings, and the actions they set.
async fn committees(state: &AppState) -> Result<(std::sync::Arc<Plan>, assure_app::Committees), ApiError> {
    let plan = state.plan().await?;
    let p = plan.clone();
    let c = state.blocking(move |s| Ok(s.app().committees(&p)?)).await?;
    Ok((plan, c))
}

fn meeting_summary(m: &assure_store::Meeting) -> MeetingSummary {
    MeetingSummary { id: m.id, name: m.title.clone(), held_on: m.held_on.clone() }
}

fn decision_links(plan: &Plan, links: &[String]) -> Vec<DecisionLinkResponse> {
    links
        .iter()
        .filter_map(|l| {
            let (name, href) = assure_app::describe_link(plan, l)?;
            Some(DecisionLinkResponse { id: l.clone(), name, href })
        })
        .collect()
}

fn action_summary(plan: &Plan, a: &assure_app::ActionItem) -> ActionSummary {
    ActionSummary {
        id: a.action.id,
        text: a.action.text.clone(),
        owner: Ref::organisation(plan, a.owner()),
        due: a.action.due.clone().unwrap_or_default(),
        meeting: meeting_summary(&a.meeting),
        links: decision_links(plan, &a.action.links),
        progress: progress_response(&a.progress),
    }
}

pub async fn list_committees(State(state): State<AppState>) -> Answer {
    let (plan, c) = committees(&state).await?;
    let items: Vec<CommitteeResponse> = c
        .bodies
        .iter()
        .map(|b| CommitteeResponse {
            id: b.id,
            name: b.name.clone(),
            organisation: b.organisation.as_deref().map(|o| Ref::organisation(&plan, o)),
            source: b.source.clone(),
            meetings: c.meetings.iter().filter(|m| m.body_id == b.id).map(meeting_summary).collect(),
        })
        .collect();
    Ok(json_response(&items))
}

pub async fn show_meeting(State(state): State<AppState>, Path(id): Path<String>) -> Answer {
    let (plan, c) = committees(&state).await?;
    let m = id
        .parse::<i64>()
        .ok()
        .and_then(|n| c.meetings.iter().find(|m| m.id == n))
        .ok_or_else(|| ApiError::not_found("meeting", &id))?;
    Ok(json_response(&MeetingResponse {
        id: m.id,
        title: m.title.clone(),
        held_on: m.held_on.clone(),
        committee: c.body(m.body_id).map(|b| CommitteeSummary { id: b.id, name: b.name.clone() }),
        papers: m
            .papers
            .iter()
            .map(|p| PaperResponse {
                kind: p.kind.as_str().to_owned(),
                subject: p.subject.clone(),
                name: assure_app::describe_paper(&plan, &c.rounds, p),
                href: assure_app::paper_href(p),
            })
            .collect(),
        decisions: c
            .decisions
            .iter()
            .filter(|d| d.meeting_id == m.id && !d.is_action())
            .map(|d| DecisionResponse { id: d.id, text: d.text.clone(), links: decision_links(&plan, &d.links) })
            .collect(),
        actions: c.actions.iter().filter(|a| a.meeting.id == m.id).map(|a| action_summary(&plan, a)).collect(),
    }))
}

pub async fn list_actions(State(state): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Answer {
    let format = list_format(&q, &["status", "overdue", "organisation"])?;
    let (plan, c) = committees(&state).await?;
    let given = |k: &str| q.get(k).map(String::as_str);
    let filter = assure_app::ActionFilter::parse(&plan, given("status"), given("overdue"), given("organisation"))
        .map_err(|(field, detail)| ApiError::bad(field, detail))?;
    let items = c.actions.iter().filter(|a| filter.keeps(&plan, a)).map(|a| action_summary(&plan, a)).collect();
    list_response("/api/v1/actions", items, format)
}

pub async fn show_action(State(state): State<AppState>, Path(id): Path<String>) -> Answer {
    let (plan, c) = committees(&state).await?;
    let a = id.parse::<i64>().ok().and_then(|n| c.action(n)).ok_or_else(|| ApiError::not_found("action", &id))?;
    let authors = authors(&state, !a.history.is_empty()).await?;
    let signed_in = crate::access::current().is_some();
    Ok(json_response(&ActionResponse {
        action: action_summary(&plan, a),
        updates: a
            .history
            .iter()
            .map(|u| ActionUpdateResponse {
                id: u.id,
                report: report_response(
                    &u.draft,
                    (&u.at, &u.author),
                    crate::components::reported_for(&plan, &authors, &u.author, &[a.owner()]),
                    signed_in,
                ),
            })
            .collect(),
    }))
}
