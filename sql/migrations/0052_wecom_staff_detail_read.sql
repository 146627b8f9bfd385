-- 0052_wecom_staff_detail_read.sql — when each staff member's address-book details were
-- last read, so that a run re-reads them after [source] staff_refresh (default 30 days)
-- and a renamed or moved member is seen; the others cost no user/get call.

CREATE TABLE etl.wecom_staff_detail_read (
    source  text NOT NULL,
    userid  text NOT NULL,
    read_at timestamptz NOT NULL,
    run_id  bigint,
    PRIMARY KEY (source, userid)
);
COMMENT ON TABLE etl.wecom_staff_detail_read IS
    'When the WeCom source last read each staff member''s name and departments (user/get); a run re-reads those older than the source''s staff_refresh';
COMMENT ON COLUMN etl.wecom_staff_detail_read.source IS 'Source name ([source.NAME] of pipeline.conf)';
COMMENT ON COLUMN etl.wecom_staff_detail_read.userid IS 'WeCom userid';
COMMENT ON COLUMN etl.wecom_staff_detail_read.read_at IS 'When user/get last described the member (the run''s transaction time)';
COMMENT ON COLUMN etl.wecom_staff_detail_read.run_id IS 'The run (etl.run) of that read';
