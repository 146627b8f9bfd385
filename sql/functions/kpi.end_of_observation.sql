-- kpi.end_of_observation — the time up to which the warehouse is complete for one kind of KPI
-- requires: kpi/observation.sql functions/kpi.business_date.sql
--
-- Every KPI view bounds itself by it (docs/kpi.md "End of observation"): the earliest end of
-- observation of the nightly sources of that kind (kpi.observation.nightly: those siyu run
-- loads), so that a source behind the others does not read as a drop; a one-off siyu import of
-- an old export would otherwise hold every KPI back to its date. Only sources that siyu import
-- loaded: the earliest of those. Without any recorded source of the kind (facts written by hand, as
-- the pgTAP fixtures do) it is the newest time in the facts of that kind (for orders read from
-- dw.order_identity, unpartitioned: the function is planned at every call). Never the wall clock.
CREATE OR REPLACE FUNCTION kpi.end_of_observation(p_kind text)
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT coalesce(
        (SELECT coalesce(min(o.observed_until) FILTER (WHERE o.nightly), min(o.observed_until))
           FROM kpi.observation o WHERE o.kind = p_kind),
        CASE p_kind
            WHEN 'orders' THEN (SELECT greatest(max(i.created_at), max(i.source_version)) FROM dw.order_identity i)
            WHEN 'wecom' THEN greatest((SELECT max(greatest(c.added_at, c.removed_at)) FROM dw.fact_contact c),
                                       (SELECT max(e.occurred_at) FROM dw.fact_contact_event e),
                                       (SELECT max(greatest(m.joined_at, m.left_at)) FROM dw.fact_group_member m))
        END)
$$;
COMMENT ON FUNCTION kpi.end_of_observation(text) IS
  'End of observation for the KPIs of p_kind (''orders'' or ''wecom''): the earliest observed_until of kpi.observation for that '
  'kind among its nightly sources (all of them when none is nightly), or, when no source of the kind is recorded, the newest time in its facts; never the wall clock. A KPI view shows no '
  'period after it, flags the period containing it as partial (is_complete false) and leaves NULL what it cannot observe.';
