-- kpi/observation.sql — how far each source has been observed: kpi.observation, the input of
-- kpi.end_of_observation()
--
-- The end of observation of a source is the time up to which the warehouse holds everything
-- the source has: for an order source its 'orders' watermark (an API source: the end of its last
-- committed window; a file source: the newest order version its files contained — an export's
-- version is its `siyu import --as-of` time); for a WeCom source its 'snapshot' watermark (when
-- the snapshot in the warehouse was taken). Never the wall clock.

CREATE OR REPLACE VIEW kpi.observation AS
SELECT w.source,
       CASE WHEN w.entity = 'snapshot' THEN 'wecom' ELSE 'orders' END AS kind,
       max(w.value)                                                  AS observed_until,
       kpi.business_date(max(w.value))                               AS observed_until_date
  FROM etl.watermark w
 WHERE w.entity IN ('orders', 'snapshot')
 GROUP BY w.source, CASE WHEN w.entity = 'snapshot' THEN 'wecom' ELSE 'orders' END;

COMMENT ON VIEW kpi.observation IS
  'End of observation per source. Grain: one row per source (and kind). The time up to which the warehouse holds everything the source has (never the wall '
  'clock). kind ''orders'': the source''s ''orders'' watermark in etl.watermark — for an API source the end of its last committed '
  'window, for a file source the newest order version its files contained (an export''s version is the time given '
  'by `siyu import --as-of`, else its file''s); kind ''wecom'': the ''snapshot'' watermark, when the WeCom snapshot in the '
  'warehouse was taken. The KPIs are bounded by kpi.end_of_observation(kind), the earliest of these per kind. A source that '
  'is no longer loaded keeps bounding them until its watermark rows are deleted.';
COMMENT ON COLUMN kpi.observation.source IS 'Source name ([source.NAME] of pipeline.conf, or siyu import --source).';
COMMENT ON COLUMN kpi.observation.kind IS '''orders'' or ''wecom'': which KPIs the source bounds.';
COMMENT ON COLUMN kpi.observation.observed_until IS 'The source''s end of observation (timestamptz).';
COMMENT ON COLUMN kpi.observation.observed_until_date IS 'Business date of observed_until.';
