-- A plan's content revision: its latest audit entry that is not a partner's delivery
-- report (a delivery update or an added milestone). What is read from the plan itself
-- (its outcomes, indicators, areas) and from its observations (the tracking computed
-- from them) can only have changed when this moves, so a server keeps both across the
-- frequent delivery reports and reloads only what those change. Partial, so that the
-- latest such entry is one index probe however many delivery reports follow it.
CREATE INDEX audit_log_plan_content ON audit_log (plan_id, id)
    WHERE entity NOT IN ('delivery_update', 'milestone');
