//! Editing a draft in forms over real HTTP: a target changed, a bad number refused with
//! nothing saved, a target made invalid shown on its field, a delivery link moved, an
//! organisation renamed (its old name still finds it) and merged (every link moved, none
//! lost), a commitment added with its delivering plan and lead; one audit entry per
//! change, with before and after; the edited draft written, loaded and written again
//! byte for byte; editors without the permission refused on every route.

use assure_app::{App, PlanItemKind, form_values};
use assure_plan::Plan;
use assure_store::{AuditEntry, AuditFilter, Permission, Role, Store};

use crate::{Browser, account, apps, signed_in};

const PUBLISHED: &str = "kent-and-medway-2024-26";
const DRAFT: &str = "kent-and-medway-2026-28";
const INDICATOR: &str = "smoking-at-time-of-delivery";

fn start_draft(store: &Store) {
    let admin = store.account("admin").unwrap().unwrap();
    App::new(store.clone()).start_draft(&admin, PUBLISHED, DRAFT, Some("Shared Delivery Plan 2026 - 2028")).unwrap();
}

fn draft(store: &Store) -> Plan {
    store.draft(DRAFT).unwrap().unwrap().plan
}

fn changes(store: &Store) -> Vec<AuditEntry> {
    let filter = AuditFilter { plan_id: Some(DRAFT.into()), values: true, ..AuditFilter::default() };
    let mut entries = store.audit(&filter).unwrap();
    entries.reverse();
    entries
}

fn edit_path(kind: PlanItemKind, item: &str) -> String {
    format!("/plan-versions/{DRAFT}/edit/{}/{item}", kind.slug())
}

/// The item's form as the page fills it in, with these values changed.
fn form(plan: &Plan, kind: PlanItemKind, item: &str, changed: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let values = form_values(plan, kind, item).unwrap();
    assure_app::edit_fields(kind)
        .iter()
        .map(|f| {
            let v = changed
                .iter()
                .find(|(k, _)| *k == f.path)
                .map_or_else(|| values[f.path].clone(), |(_, v)| (*v).to_owned());
            (f.path, v)
        })
        .collect()
}

fn links(plan: &Plan) -> usize {
    plan.commitments.iter().map(|c| c.links.len()).sum()
}

fn led_by(plan: &Plan, org: &str) -> usize {
    plan.commitments.iter().flat_map(|c| &c.links).filter(|l| l.led_by.iter().any(|o| o.get_ref() == org)).count()
}

fn target_value(plan: &Plan) -> f64 {
    *plan.indicator(INDICATOR).unwrap().target.as_ref().unwrap().value.as_ref().unwrap().get_ref()
}

fn saved(b: &mut Browser, path: &str, fields: &[(&str, String)], name: &str) -> String {
    let r = b.post_form(path, fields, true);
    assert_eq!(r.status, 303, "{name}: POST {path}: {}", r.body);
    r.location
}

#[test]
fn a_draft_is_edited_in_forms_with_every_change_audited_and_checked() {
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        account(&store, "admin", Role::Admin, &[]);
        account(&store, "officer", Role::Viewer, &[]);
        store.set_permission("officer", Permission::PlanEditor, true, "test").unwrap();
        start_draft(&store);
        let published_links = links(&store.plan(PUBLISHED).unwrap());
        let mut b = signed_in(&app, "officer");
        let mut expected_changes = 1; // starting the draft

        // The editor's home lists the parts and links back to the versions.
        let home = b.get(&format!("/plan-versions/{DRAFT}/edit"));
        assert_eq!(home.status, 200, "{name}: {}", home.body);
        assert!(home.body.contains("The draft has no problems"), "{name}");
        assert!(home.body.contains(&format!("href=\"/plan-versions/{DRAFT}\"")), "{name}");
        assert!(home.body.contains(&format!("href=\"{}\"", edit_path(PlanItemKind::Indicator, INDICATOR))), "{name}");

        // Change a target.
        let path = edit_path(PlanItemKind::Indicator, INDICATOR);
        let page = b.get(&path);
        assert_eq!(page.status, 200, "{name}");
        assert!(page.body.contains("id=\"field-target-value\""), "{name}");
        let to = saved(
            &mut b,
            &path,
            &form(&draft(&store), PlanItemKind::Indicator, INDICATOR, &[("target.value", "5.5")]),
            name,
        );
        assert_eq!(to, format!("{path}?done=edit"), "{name}");
        expected_changes += 1;
        assert_eq!(target_value(&draft(&store)), 5.5, "{name}");
        assert!(b.get(&to).body.contains("Your changes are saved"), "{name}");
        let last = changes(&store).pop().unwrap();
        assert_eq!(
            (last.action.as_str(), last.entity.as_str(), last.entity_id.as_str()),
            ("edit", "indicator", INDICATOR)
        );
        assert_eq!(last.actor, "officer", "{name}");
        assert_eq!(last.before.as_ref().unwrap()["target"]["value"], 6.0, "{name}");
        assert_eq!(last.after.as_ref().unwrap()["target"]["value"], 5.5, "{name}");
        // The published plan is untouched.
        assert_eq!(target_value(&store.plan(PUBLISHED).unwrap()), 6.0, "{name}");

        // A word in a number field: refused on the field, nothing saved.
        let r = b.post_form(
            &path,
            &form(&draft(&store), PlanItemKind::Indicator, INDICATOR, &[("target.value", "five")]),
            true,
        );
        assert_eq!(r.status, 422, "{name}");
        assert!(r.body.contains("Target value must be a number"), "{name}: {}", r.body);
        assert!(
            r.body.contains("href=\"#field-target-value\"") && r.body.contains("id=\"field-target-value-error\""),
            "{name}"
        );
        assert_eq!(target_value(&draft(&store)), 5.5, "{name}");
        assert_eq!(changes(&store).len(), expected_changes, "{name}: nothing recorded");

        // A target above its baseline: saved, and its problem shown on the field.
        saved(
            &mut b,
            &path,
            &form(&draft(&store), PlanItemKind::Indicator, INDICATOR, &[("target.value", "12")]),
            name,
        );
        expected_changes += 1;
        let page = b.get(&path);
        assert!(page.body.contains("id=\"field-target-kind-error\""), "{name}: {}", page.body);
        assert!(page.body.contains("is above its baseline 10.2"), "{name}");
        let home = b.get(&format!("/plan-versions/{DRAFT}/edit"));
        assert!(home.body.contains("The draft has 1 problem"), "{name}");
        assert!(home.body.contains(&format!("href=\"{path}#field-target-kind\"")), "{name}: {}", home.body);
        saved(
            &mut b,
            &path,
            &form(&draft(&store), PlanItemKind::Indicator, INDICATOR, &[("target.value", "5.5")]),
            name,
        );
        expected_changes += 1;
        assert!(b.get(&format!("/plan-versions/{DRAFT}/edit")).body.contains("The draft has no problems"), "{name}");

        // Move a delivery link to another commitment.
        let plan = draft(&store);
        let from = plan.commitments.iter().find(|c| c.links.len() >= 2).unwrap();
        let (from_id, moved_text) = (from.id.get_ref().clone(), from.links[1].plan_text.clone());
        let to = plan.commitments.iter().find(|c| c.id.get_ref() != &from_id).unwrap().id.get_ref().clone();
        let (from_n, to_n) = (from.links.len(), plan.commitment(&to).unwrap().links.len());
        let path = format!("{}/links/2/move", edit_path(PlanItemKind::Commitment, &from_id));
        let at = saved(&mut b, &path, &[("to", to.clone())], name);
        assert_eq!(at, format!("{}?done=link-move", edit_path(PlanItemKind::Commitment, &to)), "{name}");
        expected_changes += 1;
        let plan = draft(&store);
        assert_eq!(plan.commitment(&from_id).unwrap().links.len(), from_n - 1, "{name}");
        assert_eq!(plan.commitment(&to).unwrap().links.last().unwrap().plan_text, moved_text, "{name}");
        assert_eq!(plan.commitment(&to).unwrap().links.len(), to_n + 1, "{name}");
        assert_eq!(links(&plan), published_links, "{name}");

        // Rename an organisation: its old name still finds it.
        let old = plan.organisation("medway-hwb").unwrap().name.clone();
        let path = format!("{}/rename", edit_path(PlanItemKind::Organisation, "medway-hwb"));
        saved(&mut b, &path, &[("new_name", "Medway Health and Wellbeing Board (renamed)".into())], name);
        expected_changes += 1;
        let plan = draft(&store);
        assert_eq!(plan.organisation(&old).unwrap().id.get_ref(), "medway-hwb", "{name}");
        assert_eq!(
            plan.organisation("medway-hwb").unwrap().name,
            "Medway Health and Wellbeing Board (renamed)",
            "{name}"
        );
        // An empty name is refused on its field.
        let r = b.post_form(&path, &[("new_name", " ".into())], true);
        assert_eq!(r.status, 422, "{name}");
        assert!(r.body.contains("id=\"field-new_name-error\""), "{name}: {}", r.body);

        // Merge two organisations: every link moved, none lost.
        let (gone, kept) = ("medway-hwb", "medway-council");
        let (a, before_kept) = (led_by(&plan, gone), led_by(&plan, kept));
        assert!(a > 0, "{name}");
        let path = format!("{}/merge", edit_path(PlanItemKind::Organisation, gone));
        let at = saved(&mut b, &path, &[("into", kept.into())], name);
        assert_eq!(at, format!("{}?done=merge", edit_path(PlanItemKind::Organisation, kept)), "{name}");
        expected_changes += 1;
        let plan = draft(&store);
        assert_eq!(links(&plan), published_links, "{name}: no link lost");
        assert_eq!(led_by(&plan, gone), 0, "{name}");
        assert!(led_by(&plan, kept) >= before_kept.max(a), "{name}");
        assert!(plan.organisations.iter().all(|o| o.id.get_ref() != gone), "{name}");
        assert_eq!(plan.organisation(&old).unwrap().id.get_ref(), kept, "{name}: the old names go with it");

        // Add a commitment with its delivering plan and lead.
        let add = |kind: PlanItemKind| format!("/plan-versions/{DRAFT}/add/{}", kind.slug());
        assert_eq!(b.get(&add(PlanItemKind::Commitment)).status, 200, "{name}");
        saved(
            &mut b,
            &add(PlanItemKind::DeliveringPlan),
            &[
                ("id", "kent-frailty-pathway".into()),
                ("name", "Kent frailty pathway".into()),
                ("status", "in_development".into()),
            ],
            name,
        );
        let at = saved(
            &mut b,
            &add(PlanItemKind::Commitment),
            &[
                ("id", "frailty-at-home".into()),
                ("outcome", "5".into()),
                ("priorities", "5.1".into()),
                ("title", "Support people living with frailty at home".into()),
            ],
            name,
        );
        assert_eq!(at, format!("{}?done=add", edit_path(PlanItemKind::Commitment, "frailty-at-home")), "{name}");
        let path = format!("{}/links", edit_path(PlanItemKind::Commitment, "frailty-at-home"));
        // An unknown plan is refused on its field.
        let r = b.post_form(&path, &[("plans", "no-such-plan".into()), ("led_by", "KCC".into())], true);
        assert_eq!(r.status, 422, "{name}");
        assert!(r.body.contains("id=\"field-plans-error\""), "{name}");
        saved(
            &mut b,
            &path,
            &[("plans", "kent-frailty-pathway".into()), ("led_by", "Kent County Council".into())],
            name,
        );
        expected_changes += 3;
        let plan = draft(&store);
        let c = plan.commitment("frailty-at-home").unwrap();
        assert_eq!(c.links.len(), 1, "{name}");
        assert_eq!(c.links[0].plans[0].get_ref(), "kent-frailty-pathway", "{name}");
        assert_eq!(c.links[0].led_by[0].get_ref(), "kcc", "{name}");
        assert_eq!(c.links[0].led_by_text, "Kent County Council", "{name}");
        // A duplicate id is refused.
        let r = b.post_form(
            &add(PlanItemKind::Commitment),
            &[
                ("id", "frailty-at-home".into()),
                ("outcome", "5".into()),
                ("priorities", "5.1".into()),
                ("title", "Again".into()),
            ],
            true,
        );
        assert_eq!(r.status, 422, "{name}");
        assert!(r.body.contains("There is already a commitment"), "{name}");

        // One audit entry per change, each with the person and what changed.
        let log = changes(&store);
        assert_eq!(
            log.len(),
            expected_changes,
            "{name}: {:?}",
            log.iter().map(|e| (&e.action, &e.entity_id)).collect::<Vec<_>>()
        );
        for e in &log[1..] {
            assert_eq!(e.actor, "officer", "{name}");
            assert!(e.before.is_some() || e.after.is_some(), "{name}: {e:?}");
        }
        let actions: Vec<(&str, &str)> = log.iter().map(|e| (e.action.as_str(), e.entity.as_str())).collect();
        assert_eq!(
            actions,
            [
                ("create", "draft"),
                ("edit", "indicator"),
                ("edit", "indicator"),
                ("edit", "indicator"),
                ("move", "delivery link"),
                ("rename", "organisation"),
                ("merge", "organisation"),
                ("add", "delivering plan"),
                ("add", "commitment"),
                ("add", "delivery link"),
            ],
            "{name}"
        );

        // Export → check → import → export: byte for byte.
        let plan = draft(&store);
        assert!(assure_app::check_plan(&plan).is_empty(), "{name}: {:?}", assure_app::check_plan(&plan));
        let files = assure_plan::write::to_files(&plan).unwrap();
        let again = assure_plan::write::to_files(&assure_plan::load(&files).unwrap()).unwrap();
        for (a, b) in files.iter().zip(&again) {
            assert_eq!(a.text, b.text, "{name}: {}", a.name);
        }
        assert_eq!(links(&plan), published_links + 1, "{name}");
    }
}

#[test]
fn only_admins_and_plan_editors_reach_the_editor() {
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        account(&store, "admin", Role::Admin, &[]);
        account(&store, "kcc", Role::Editor, &["kcc"]);
        start_draft(&store);
        let before = draft(&store);
        let audit = changes(&store).len();
        let mut editor = signed_in(&app, "kcc");
        let mut anonymous = app.browser();
        let commitment = before.commitments.iter().find(|c| c.links.len() >= 2).unwrap().id.get_ref().clone();
        let c = |rest: &str| format!("{}{rest}", edit_path(PlanItemKind::Commitment, &commitment));
        let pages = [
            format!("/plan-versions/{DRAFT}/edit"),
            edit_path(PlanItemKind::Indicator, INDICATOR),
            format!("{}/remove", edit_path(PlanItemKind::Area, "medway")),
            format!("/plan-versions/{DRAFT}/add/organisation"),
        ];
        for path in &pages {
            assert_eq!(editor.get(path).status, 403, "{name}: GET {path}");
            let r = anonymous.get(path);
            assert_eq!((r.status, r.location.starts_with("/sign-in")), (303, true), "{name}: anonymous GET {path}");
        }
        let posts: Vec<(String, Vec<(&str, String)>)> = vec![
            (
                edit_path(PlanItemKind::Indicator, INDICATOR),
                form(&before, PlanItemKind::Indicator, INDICATOR, &[("target.value", "5")]),
            ),
            (
                format!("/plan-versions/{DRAFT}/add/organisation"),
                vec![("id", "x".into()), ("name", "X".into()), ("kind", "other".into())],
            ),
            (format!("{}/remove", edit_path(PlanItemKind::Area, "medway")), vec![]),
            (format!("{}/rename", edit_path(PlanItemKind::Organisation, "kcc")), vec![("new_name", "K".into())]),
            (format!("{}/merge", edit_path(PlanItemKind::Organisation, "medway-hwb")), vec![("into", "kcc".into())]),
            (c("/links"), vec![("plans", before.delivering_plans[0].id.get_ref().clone()), ("led_by", "kcc".into())]),
            (c("/links/1/move"), vec![("to", before.commitments[0].id.get_ref().clone())]),
            (c("/links/1/remove"), vec![]),
        ];
        for (path, fields) in &posts {
            let r = editor.post_form(path, fields, true);
            assert_eq!(r.status, 403, "{name}: POST {path}: {}", r.body);
            let r = anonymous.post_form(path, fields, false);
            assert!(
                r.status == 303 && r.location.starts_with("/sign-in"),
                "{name}: anonymous POST {path}: {}",
                r.status
            );
        }
        assert_eq!(changes(&store).len(), audit, "{name}: nothing changed");
        let text = |p: &Plan| assure_plan::write::to_files(p).unwrap().into_iter().map(|f| f.text).collect::<Vec<_>>();
        assert_eq!(text(&draft(&store)), text(&before), "{name}: the draft is as it was");
        // A published version is never edited in place.
        let mut admin = signed_in(&app, "admin");
        assert_eq!(admin.get(&format!("/plan-versions/{PUBLISHED}/edit")).status, 404, "{name}");
        assert_eq!(admin.get(&format!("/plan-versions/{DRAFT}/edit")).status, 200, "{name}");
    }
}

#[test]
fn lists_rows_and_link_cells_are_edited_in_their_boxes() {
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        account(&store, "admin", Role::Admin, &[]);
        start_draft(&store);
        let mut b = signed_in(&app, "admin");
        let before = draft(&store);

        // An outcome's narrative lists: a quote added, a sub-point under the first point.
        let path = edit_path(PlanItemKind::Outcome, "1");
        let page = b.get(&path);
        assert!(page.body.contains("id=\"field-heard\""), "{name}");
        assert!(page.body.contains("id=\"field-statement\""), "{name}");
        let values = form_values(&before, PlanItemKind::Outcome, "1").unwrap();
        let statements = format!("{}\nQuote: I waited three months to be seen", values["statement"]);
        let mut heard = values["heard"].lines().map(str::to_owned).collect::<Vec<_>>();
        heard.insert(1, "- and in the evenings".to_owned());
        let heard = heard.join("\n");
        saved(
            &mut b,
            &path,
            &form(&before, PlanItemKind::Outcome, "1", &[("statement", &statements), ("heard", &heard)]),
            name,
        );
        let plan = draft(&store);
        let o = &plan.outcomes[0];
        assert_eq!(o.statement.len(), before.outcomes[0].statement.len() + 1, "{name}");
        assert_eq!(o.statement.last().unwrap().text, "I waited three months to be seen", "{name}");
        assert_eq!(
            o.statement[0].line, before.outcomes[0].statement[0].line,
            "{name}: unchanged lines keep their source"
        );
        assert_eq!(o.heard[0].items.last().map(String::as_str), Some("and in the evenings"), "{name}");

        // An area's members: an unknown area refused by its line, nothing saved.
        let area = before.areas.iter().find(|a| !a.members.is_empty()).unwrap();
        let id = area.id.get_ref().clone();
        let path = edit_path(PlanItemKind::Area, &id);
        let members = form_values(&before, PlanItemKind::Area, &id).unwrap()["member"].clone();
        let bad = format!("{members}\natlantis | part | the drowned bit");
        let r = b.post_form(&path, &form(&before, PlanItemKind::Area, &id, &[("member", &bad)]), true);
        assert_eq!(r.status, 422, "{name}");
        assert!(r.body.contains("id=\"field-member-error\""), "{name}");
        let n = members.lines().count() + 1;
        assert!(r.body.contains(&format!("line {n}: there is no area 'atlantis'")), "{name}: {}", r.body);
        assert_eq!(draft(&store).area(&id).unwrap().members.len(), area.members.len(), "{name}: nothing saved");
        let one_less = members.lines().skip(1).collect::<Vec<_>>().join("\n");
        saved(&mut b, &path, &form(&before, PlanItemKind::Area, &id, &[("member", &one_less)]), name);
        assert_eq!(draft(&store).area(&id).unwrap().members.len(), area.members.len() - 1, "{name}");

        // An enabler commitment added with two rows, then a row changed.
        let enabler = before.enablers[0].id.get_ref().clone();
        let add = format!("/plan-versions/{DRAFT}/add/enabler-commitment");
        assert_eq!(b.get(&format!("{add}?parent={enabler}")).status, 200, "{name}");
        let rows = "Share records across partners |  |  |  | kcc, nhs-kent-medway\n\
                    Train staff in data skills |  |  | Our councils | kcc, medway-council";
        let to = saved(
            &mut b,
            &add,
            &[
                ("parent", enabler.clone()),
                ("title", "Use data well".into()),
                ("section", String::new()),
                ("item", rows.into()),
            ],
            name,
        );
        let n = before.enablers[0].commitments.len() + 1;
        let item = format!("{enabler}.{n}");
        assert_eq!(to, format!("{}?done=add", edit_path(PlanItemKind::EnablerCommitment, &item)), "{name}");
        let plan = draft(&store);
        let c = plan.enablers[0].commitments.last().unwrap();
        assert_eq!(c.items.len(), 2, "{name}");
        assert_eq!(c.items[0].led_by_text, "Kent County Council, NHS Kent and Medway", "{name}");
        assert_eq!(c.items[1].led_by_text, "Our councils", "{name}");
        let path = edit_path(PlanItemKind::EnablerCommitment, &item);
        let page = b.get(&path);
        assert!(page.body.contains("Train staff in data skills"), "{name}");
        let changed = rows.replace("Our councils", "Kent and Medway councils");
        saved(&mut b, &path, &form(&plan, PlanItemKind::EnablerCommitment, &item, &[("item", &changed)]), name);
        let c = draft(&store).enablers[0].commitments.last().unwrap().clone();
        assert_eq!(c.items[1].led_by_text, "Kent and Medway councils", "{name}");

        // A delivery link's cells changed in place; its source line kept.
        let commitment = before.commitments[0].id.get_ref().clone();
        let link = before.commitments[0].links[0].clone();
        let path = format!("{}/links/1/change", edit_path(PlanItemKind::Commitment, &commitment));
        let plans = link.plans.iter().map(|p| p.get_ref().as_str()).collect::<Vec<_>>().join(", ");
        let r = b.post_form(
            &path,
            &[
                ("plans-1", "no-such-plan".into()),
                ("led_by-1", "kcc".into()),
                ("plan_text-1", String::new()),
                ("led_by_text-1", String::new()),
            ],
            true,
        );
        assert_eq!(r.status, 422, "{name}");
        assert!(r.body.contains("id=\"field-plans-1-error\""), "{name}");
        saved(
            &mut b,
            &path,
            &[
                ("plans-1", plans.clone()),
                ("led_by-1", "kcc".into()),
                ("plan_text-1", link.plan_text.clone()),
                ("led_by_text-1", "KCC Public Health".into()),
            ],
            name,
        );
        let now = draft(&store).commitments[0].links[0].clone();
        assert_eq!((now.led_by_text.as_str(), now.line), ("KCC Public Health", link.line), "{name}");
        assert_eq!(now.led_by.iter().map(|o| o.get_ref().as_str()).collect::<Vec<_>>(), ["kcc"], "{name}");

        // Every change audited; the draft checks clean and round-trips through its files.
        let actions: Vec<(String, String)> =
            changes(&store).into_iter().skip(1).map(|e| (e.action, e.entity)).collect();
        let expected = [
            ("edit", "outcome"),
            ("edit", "area"),
            ("add", "enabler commitment"),
            ("edit", "enabler commitment"),
            ("edit", "delivery link"),
        ];
        assert_eq!(actions, expected.map(|(a, e)| (a.to_owned(), e.to_owned())), "{name}");
        let plan = draft(&store);
        assert!(assure_app::check_plan(&plan).is_empty(), "{name}: {:?}", assure_app::check_plan(&plan));
        let files = assure_plan::write::to_files(&plan).unwrap();
        let again = assure_plan::write::to_files(&assure_plan::load(&files).unwrap()).unwrap();
        for (a, b) in files.iter().zip(&again) {
            assert_eq!(a.text, b.text, "{name}: {}", a.name);
        }
    }
}
