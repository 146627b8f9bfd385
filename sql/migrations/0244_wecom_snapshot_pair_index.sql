-- 0244_wecom_snapshot_pair_index.sql — etl.wecom_contact_snapshot is found by (userid,
-- external_userid) without its source (issue 16: kpi.customer_owner at the bench's scale).
--
-- kpi.customer_owner picks, for each customer, the WeCom contact that the owner's
-- relationship lists, by asking the snapshot whether (owner userid, external_userid) is in
-- it, whatever the WeCom source. The primary key (source, userid, external_userid) cannot
-- answer that without the source, so PostgreSQL read the whole snapshot once per customer:
-- on the 1M-order bench warehouse (248,105 WeCom contacts, 288,445 snapshot rows) the first
-- kpi.refresh() after the WeCom load did not finish in 15 minutes. With this index each
-- question is one index probe.

CREATE INDEX wecom_contact_snapshot_pair ON etl.wecom_contact_snapshot (userid, external_userid);
