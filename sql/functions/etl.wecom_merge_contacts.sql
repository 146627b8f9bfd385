-- etl.wecom_merge_contacts — WeCom merge step 4: diffs the run's relationships (tmp_wecom_contact) against …
--
-- Relationships: the snapshot diff (see docs/schema.md "WeCom relationships").
CREATE OR REPLACE FUNCTION etl.wecom_merge_contacts(p_run bigint, p_source text,
    OUT inserted bigint, OUT updated bigint, OUT unchanged bigint,
    OUT add_events bigint, OUT remove_events bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_reopen bigint;
    v_attr bigint;
    v_gone bigint;
BEGIN
    DROP TABLE IF EXISTS tmp_wecom_rel, tmp_wecom_gone;
    -- This run's relationships, one per (staff, customer).
    CREATE TEMP TABLE tmp_wecom_rel ON COMMIT DROP AS
    SELECT DISTINCT ON (s.staff_key, c.customer_key)
           s.staff_key, c.customer_key, r.userid, r.external_userid, r.createtime, r.add_way,
           r.state, r.remark, p.createtime AS prev_createtime, f.contact_key,
           f.added_at AS f_added_at, f.removed_at AS f_removed_at, NULL::text AS action
      FROM tmp_wecom_contact r
      JOIN tmp_wecom_staff_key s ON s.userid = r.userid
      JOIN tmp_wecom_cust c ON c.external_userid = r.external_userid
      LEFT JOIN etl.wecom_contact_snapshot p
             ON (p.source, p.userid, p.external_userid) = (p_source, r.userid, r.external_userid)
      LEFT JOIN dw.fact_contact f ON (f.staff_key, f.customer_key) = (s.staff_key, c.customer_key)
     ORDER BY s.staff_key, c.customer_key, r.createtime DESC, r.external_userid;

    UPDATE tmp_wecom_rel SET action = CASE
        WHEN contact_key IS NULL THEN 'insert'
        -- closed (by a callback or an earlier diff): only an add after the end reopens it;
        -- a customer who deleted the staff member stays listed as a one-way friend
        WHEN f_removed_at IS NOT NULL AND createtime > f_removed_at THEN 'reopen'
        WHEN f_removed_at IS NOT NULL THEN 'closed'
        -- removed and re-added between two runs: createtime moved past the last snapshot
        WHEN prev_createtime IS NOT NULL AND createtime > prev_createtime
             AND f_added_at <= prev_createtime THEN 'readd'
        ELSE 'active' END;

    WITH ins AS (
        INSERT INTO dw.fact_contact (staff_key, customer_key, added_at, add_way, state, remark,
                                     first_run_id, run_id)
        SELECT staff_key, customer_key, createtime, add_way, state, remark, p_run, p_run
          FROM tmp_wecom_rel WHERE action = 'insert'
        ORDER BY createtime, staff_key, customer_key
        RETURNING 1)
    SELECT count(*) INTO inserted FROM ins;

    -- The removal that a re-add between runs implies: detected, just before the re-add.
    INSERT INTO dw.fact_contact_event (staff_key, customer_key, event_type, occurred_at, date_key,
                                       time_is_exact, removed_by, origin, run_id)
    SELECT staff_key, customer_key, 'remove', t, dw.date_key_of(t), false, 'unknown', 'snapshot', p_run
      FROM (SELECT staff_key, customer_key,
                   GREATEST(createtime - interval '1 second', f_added_at) AS t
              FROM tmp_wecom_rel WHERE action = 'readd') r
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS remove_events = ROW_COUNT;

    UPDATE dw.fact_contact f
       SET added_at = r.createtime, removed_at = NULL, removed_by = NULL,
           add_way = r.add_way, state = r.state, remark = r.remark, run_id = p_run
      FROM tmp_wecom_rel r
     WHERE f.contact_key = r.contact_key AND r.action IN ('reopen', 'readd');
    GET DIAGNOSTICS v_reopen = ROW_COUNT;

    UPDATE dw.fact_contact f
       SET add_way = r.add_way, state = r.state, remark = r.remark, run_id = p_run
      FROM tmp_wecom_rel r
     WHERE f.contact_key = r.contact_key AND r.action = 'active'
       AND (f.add_way, f.state, f.remark) IS DISTINCT FROM (r.add_way, r.state, r.remark);
    GET DIAGNOSTICS v_attr = ROW_COUNT;

    -- Adds at their exact createtime: new relationships (on a first run, all of them:
    -- history, dated when they happened) and re-adds.
    INSERT INTO dw.fact_contact_event (staff_key, customer_key, event_type, occurred_at, date_key,
                                       time_is_exact, removed_by, origin, run_id)
    SELECT staff_key, customer_key, 'add', createtime, dw.date_key_of(createtime), true, NULL,
           'snapshot', p_run
      FROM tmp_wecom_rel WHERE action IN ('insert', 'reopen', 'readd')
     ORDER BY createtime, staff_key, customer_key
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS add_events = ROW_COUNT;

    -- Vanished since the last snapshot: the staff member deleted the customer (detected
    -- now), unless the whole staff member left the follow list (then: unknown).
    CREATE TEMP TABLE tmp_wecom_gone ON COMMIT DROP AS
    SELECT f.contact_key, f.staff_key, f.customer_key,
           CASE WHEN EXISTS (SELECT 1 FROM tmp_wecom_staff t WHERE t.userid = p.userid)
                THEN 'staff' ELSE 'unknown' END AS removed_by
      FROM etl.wecom_contact_snapshot p
      JOIN dw.dim_staff s ON s.userid = p.userid
      JOIN dw.customer_identity i
        ON (i.id_type, i.platform, i.id_value) = ('external_userid', '', p.external_userid)
      JOIN dw.fact_contact f ON (f.staff_key, f.customer_key) = (s.staff_key, i.customer_key)
     WHERE p.source = p_source AND f.removed_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM tmp_wecom_contact c
                        WHERE (c.userid, c.external_userid) = (p.userid, p.external_userid))
       AND NOT EXISTS (SELECT 1 FROM tmp_wecom_rel r
                        WHERE (r.staff_key, r.customer_key) = (f.staff_key, f.customer_key))
       AND NOT EXISTS (SELECT 1 FROM tmp_wecom_contact_skip k
                        WHERE k.userid = p.userid
                          AND (k.external_userid IS NULL OR k.external_userid = p.external_userid));

    UPDATE dw.fact_contact f SET removed_at = now(), removed_by = g.removed_by, run_id = p_run
      FROM tmp_wecom_gone g WHERE f.contact_key = g.contact_key;
    GET DIAGNOSTICS v_gone = ROW_COUNT;

    INSERT INTO dw.fact_contact_event (staff_key, customer_key, event_type, occurred_at, date_key,
                                       time_is_exact, removed_by, origin, run_id)
    SELECT staff_key, customer_key, 'remove', now(), dw.date_key_of(now()), false, removed_by,
           'snapshot', p_run
      FROM tmp_wecom_gone
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS v_gone = ROW_COUNT;
    remove_events := remove_events + v_gone;

    updated := v_reopen + v_attr + (SELECT count(*) FROM tmp_wecom_gone);
    SELECT count(*) FILTER (WHERE action IN ('active', 'closed')) - v_attr INTO unchanged
      FROM tmp_wecom_rel;

    -- The earliest relationship of each customer (the KPI's "new to the private domain").
    UPDATE dw.dim_customer d SET first_contact_at = r.first_add, updated_run_id = p_run
      FROM (SELECT customer_key, min(createtime) AS first_add FROM tmp_wecom_rel
             GROUP BY customer_key) r
     WHERE d.customer_key = r.customer_key
       AND (d.first_contact_at IS NULL OR r.first_add < d.first_contact_at);

    -- The snapshot: this run's relationships, plus the previous rows of those it could not read.
    DELETE FROM etl.wecom_contact_snapshot p
     WHERE p.source = p_source
       AND NOT EXISTS (SELECT 1 FROM tmp_wecom_contact_skip k
                        WHERE k.userid = p.userid
                          AND (k.external_userid IS NULL OR k.external_userid = p.external_userid));
    INSERT INTO etl.wecom_contact_snapshot (source, userid, external_userid, createtime, run_id)
    SELECT DISTINCT ON (userid, external_userid) p_source, userid, external_userid, createtime, p_run
      FROM tmp_wecom_contact
     WHERE userid <> '' AND external_userid <> ''
     ORDER BY userid, external_userid, createtime DESC
    ON CONFLICT (source, userid, external_userid) DO UPDATE
       SET createtime = EXCLUDED.createtime, run_id = EXCLUDED.run_id;
END
$fn$;
COMMENT ON FUNCTION etl.wecom_merge_contacts(bigint, text) IS
    'WeCom merge step 4: diffs the run''s relationships (tmp_wecom_contact) against etl.wecom_contact_snapshot and dw.fact_contact: new ones are inserted with an add event at their exact createtime; a closed row reopens only when createtime is later than removed_at (a customer who deleted the staff member stays listed and is not reopened); a createtime that moved past the last snapshot is a re-add between runs (a detected remove just before it, then the add); relationships that vanished are closed now with a detected remove event (removed_by staff, or unknown when the staff member left the follow list); relationships in tmp_wecom_contact_skip are left alone; then the snapshot is replaced';
