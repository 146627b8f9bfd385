-- etl.wecom_merge — Merges one WeCom run staged in the temp tables tmp_wecom_* (shaped like staging.wecom_*_in) …
--
-- All steps, in order.
CREATE OR REPLACE FUNCTION etl.wecom_merge(p_run bigint, p_source text, p_tz text)
RETURNS TABLE (entity text, inserted bigint, updated bigint, unchanged bigint, detail text)
LANGUAGE plpgsql AS $fn$
DECLARE
    r record;
BEGIN
    SELECT * INTO r FROM etl.wecom_merge_staff(p_run, p_source);
    RETURN QUERY SELECT 'staff'::text, r.inserted, r.updated, r.unchanged, NULL::text;
    SELECT * INTO r FROM etl.wecom_merge_tags(p_run);
    RETURN QUERY SELECT 'tags'::text, r.inserted, r.updated, r.unchanged, NULL::text;
    SELECT * INTO r FROM etl.wecom_merge_customers(p_run);
    RETURN QUERY SELECT 'customers'::text, r.inserted, r.updated, r.unchanged,
                        format('merged=%s', r.merged);
    SELECT * INTO r FROM etl.wecom_merge_contacts(p_run, p_source);
    RETURN QUERY SELECT 'contacts'::text, r.inserted, r.updated, r.unchanged,
                        format('add_events=%s remove_events=%s', r.add_events, r.remove_events);
    SELECT * INTO r FROM etl.wecom_merge_contact_tags(p_run);
    RETURN QUERY SELECT 'contact_tags'::text, r.inserted, r.updated, r.unchanged, NULL::text;
    SELECT * INTO r FROM etl.wecom_merge_groups(p_run);
    RETURN QUERY SELECT 'groups'::text, r.inserted, r.updated, r.unchanged,
                        format('dismissed=%s joins=%s leaves=%s', r.dismissed, r.joins, r.leaves);
    SELECT * INTO r FROM etl.wecom_merge_stats(p_run, p_tz);
    RETURN QUERY SELECT 'stats'::text, r.inserted, r.updated, r.unchanged, NULL::text;
END
$fn$;
COMMENT ON FUNCTION etl.wecom_merge(bigint, text, text) IS
    'Merges one WeCom run staged in the temp tables tmp_wecom_* (shaped like staging.wecom_*_in) into dw, in order: staff, tags, customers (identity resolution), relationships and their events, relationship tags, groups and members, daily statistics; one row of counts per entity (p_tz: zone of the statistics'' days)';
