-- 0050_wecom_snapshot_watermark.sql — the 'snapshot' watermark of WeCom sources loaded
-- before it existed.
--
-- Since this version every WeCom load writes etl.watermark (source, 'snapshot'): value =
-- when the snapshot now in the warehouse was taken, run_id = the run whose raw zone holds
-- it (see docs/wecom.md "Replay"; siyu replay refuses older snapshots). A warehouse loaded
-- by an earlier version gets it here from the last run that saw a relationship: the
-- largest run_id of etl.wecom_contact_snapshot per source, its start from etl.run_source.

INSERT INTO etl.watermark (source, entity, value, run_id)
SELECT s.source, 'snapshot', COALESCE(rs.started_at, now()), s.run_id
  FROM (SELECT source, max(run_id) AS run_id
          FROM etl.wecom_contact_snapshot
         WHERE run_id IS NOT NULL
         GROUP BY source) s
  LEFT JOIN etl.run_source rs ON rs.run_id = s.run_id AND rs.source = s.source
ON CONFLICT (source, entity) DO NOTHING;

COMMENT ON TABLE etl.watermark IS
    'Incremental extraction state, moved in the same transaction as the data: per (source, entity) the largest source modified-time committed (orders), or for a WeCom source''s entity ''snapshot'' when the snapshot in the warehouse was taken and, as run_id, the run whose raw zone holds it';
