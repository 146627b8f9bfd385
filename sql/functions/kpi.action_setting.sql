-- kpi.action_setting — A setting of the action lists ([actions] in pipeline.conf), readable by BI readers
--
-- siyu migrate and siyu run copy [actions] care_steps and at_risk_segments into etl.setting,
-- which bi_reader may not read; the care list is a function BI tools call, so it reads them
-- through this SECURITY DEFINER function, which answers only for these two keys.
CREATE OR REPLACE FUNCTION kpi.action_setting(p_key text)
RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce((SELECT s.value FROM etl.setting s WHERE s.key = p_key), d.value)
      FROM (VALUES ('care_steps', '1,3,7,15,30'),
                   ('at_risk_segments', 'important_value,important_develop,important_retain,important_winback'))
           AS d (key, value)
     WHERE d.key = p_key
$$;
REVOKE ALL ON FUNCTION kpi.action_setting(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kpi.action_setting(text) TO bi_reader;
COMMENT ON FUNCTION kpi.action_setting(text) IS
  'A setting of the action lists from [actions] in pipeline.conf (copied into etl.setting by siyu migrate and siyu run): '
  '''care_steps'' (comma-separated days after the first qualifying order, default 1,3,7,15,30) or ''at_risk_segments'' '
  '(comma-separated RFM segment codes, default the four important_* segments). NULL for any other key.';
