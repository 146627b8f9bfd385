-- etl.wecom_events_load — The nightly load of the callback spool

CREATE OR REPLACE FUNCTION etl.wecom_events_load(p_run bigint, p_source text,
                                      p_grace interval DEFAULT interval '7 days',
                                      OUT lines bigint, OUT stored bigint, OUT duplicates bigint,
                                      OUT rejected bigint, OUT applied bigint, OUT ignored bigint,
                                      OUT orphaned bigint, OUT pending bigint)
LANGUAGE plpgsql AS $fn$
BEGIN
    SELECT i.lines, i.stored, i.duplicates, i.rejected
      INTO lines, stored, duplicates, rejected
      FROM etl.wecom_events_ingest(p_run, p_source) i;
    SELECT a.applied, a.ignored, a.orphaned, a.pending
      INTO applied, ignored, orphaned, pending
      FROM etl.wecom_events_apply(p_run, p_source, p_grace) a;
END
$fn$;
COMMENT ON FUNCTION etl.wecom_events_load(bigint, text, interval) IS
    'The nightly load of the callback spool: etl.wecom_events_ingest over temp table tmp_wecom_spool, then etl.wecom_events_apply; runs inside the WeCom source''s transaction';
