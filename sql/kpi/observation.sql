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
       kpi.business_date(max(w.value))                               AS observed_until_date,
       EXISTS (SELECT 1 FROM etl.run_source s JOIN etl.run r USING (run_id)
                WHERE s.source = w.source AND r.command = 'run')     AS nightly
  FROM etl.watermark w
 WHERE w.entity IN ('orders', 'snapshot')
 GROUP BY w.source, CASE WHEN w.entity = 'snapshot' THEN 'wecom' ELSE 'orders' END;

COMMENT ON VIEW kpi.observation IS
  'End of observation per source. Grain: one row per source (and kind). The time up to which the warehouse holds everything the source has (never the wall '
  'clock). kind ''orders'': the source''s ''orders'' watermark in etl.watermark — for an API source the end of its last committed '
  'window, for a file source the newest order version its files contained (an export''s version is the time given '
  'by `siyu import --as-of`, else its file''s); kind ''wecom'': the ''snapshot'' watermark, when the WeCom snapshot in the '
  'warehouse was taken. The KPIs are bounded by kpi.end_of_observation(kind), the earliest of these per kind among the '
  'nightly sources (those siyu run has loaded), or among all when none is nightly: a one-off siyu import of an old export '
  'does not hold the KPIs back. A nightly source that is no longer loaded keeps bounding them until its watermark rows are '
  'deleted.';
COMMENT ON COLUMN kpi.observation.source IS 'Source name ([source.NAME] of pipeline.conf, or siyu import --source).';
COMMENT ON COLUMN kpi.observation.kind IS '''orders'' or ''wecom'': which KPIs the source bounds.';
COMMENT ON COLUMN kpi.observation.observed_until IS 'The source''s end of observation (timestamptz).';
COMMENT ON COLUMN kpi.observation.observed_until_date IS 'Business date of observed_until.';
COMMENT ON COLUMN kpi.observation.nightly IS 'true when siyu run has loaded the source (a [source.NAME] of pipeline.conf); false for a source only siyu import (or a replay) loaded, which bounds the KPIs only when no source of its kind is nightly.';
