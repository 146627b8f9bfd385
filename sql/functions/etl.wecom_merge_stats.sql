-- etl.wecom_merge_stats — WeCom merge step 7: upserts dw.fact_staff_daily and dw.fact_group_daily from the run's …
--
-- Daily statistics: the last N days are re-pulled and upserted.
CREATE OR REPLACE FUNCTION etl.wecom_merge_stats(p_run bigint, p_tz text,
    OUT inserted bigint, OUT updated bigint, OUT unchanged bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_ins bigint;
    v_upd bigint;
    v_all bigint;
BEGIN
    WITH src AS (
        SELECT DISTINCT ON (s.staff_key, d.date_key) s.staff_key, d.date_key, d.chat_cnt,
               d.message_cnt, round(d.reply_percentage, 2) AS reply_percentage, d.avg_reply_time,
               d.negative_feedback_cnt, d.new_apply_cnt, d.new_contact_cnt
          FROM (SELECT *, to_char(stat_time AT TIME ZONE p_tz, 'YYYYMMDD')::int AS date_key
                  FROM tmp_wecom_staff_daily) d
          JOIN tmp_wecom_staff_key s ON s.userid = d.userid
         ORDER BY s.staff_key, d.date_key),
    up AS (
        INSERT INTO dw.fact_staff_daily AS f (staff_key, date_key, chat_cnt, message_cnt,
            reply_percentage, avg_reply_time_minutes, negative_feedback_cnt, new_apply_cnt,
            new_contact_cnt, run_id)
        SELECT staff_key, date_key, chat_cnt, message_cnt, reply_percentage, avg_reply_time,
               negative_feedback_cnt, new_apply_cnt, new_contact_cnt, p_run FROM src
        ON CONFLICT (staff_key, date_key) DO UPDATE
           SET chat_cnt = EXCLUDED.chat_cnt, message_cnt = EXCLUDED.message_cnt,
               reply_percentage = EXCLUDED.reply_percentage,
               avg_reply_time_minutes = EXCLUDED.avg_reply_time_minutes,
               negative_feedback_cnt = EXCLUDED.negative_feedback_cnt,
               new_apply_cnt = EXCLUDED.new_apply_cnt, new_contact_cnt = EXCLUDED.new_contact_cnt,
               run_id = p_run
         WHERE (f.chat_cnt, f.message_cnt, f.reply_percentage, f.avg_reply_time_minutes,
                f.negative_feedback_cnt, f.new_apply_cnt, f.new_contact_cnt)
               IS DISTINCT FROM (EXCLUDED.chat_cnt, EXCLUDED.message_cnt, EXCLUDED.reply_percentage,
                                 EXCLUDED.avg_reply_time_minutes, EXCLUDED.negative_feedback_cnt,
                                 EXCLUDED.new_apply_cnt, EXCLUDED.new_contact_cnt)
        RETURNING (xmax = 0) AS is_new)
    SELECT count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE NOT is_new), (SELECT count(*) FROM src)
      INTO v_ins, v_upd, v_all FROM up;
    inserted := v_ins;
    updated := v_upd;
    unchanged := v_all - v_ins - v_upd;

    WITH src AS (
        SELECT DISTINCT ON (s.staff_key, d.date_key) s.staff_key, d.date_key, d.new_chat_cnt,
               d.chat_total, d.chat_has_msg, d.new_member_cnt, d.member_total, d.member_has_msg,
               d.msg_total
          FROM (SELECT *, to_char(stat_time AT TIME ZONE p_tz, 'YYYYMMDD')::int AS date_key
                  FROM tmp_wecom_group_daily) d
          JOIN tmp_wecom_staff_key s ON s.userid = d.owner
         ORDER BY s.staff_key, d.date_key),
    up AS (
        INSERT INTO dw.fact_group_daily AS f (owner_staff_key, date_key, new_chat_cnt, chat_total,
            chat_has_msg, new_member_cnt, member_total, member_has_msg, msg_total, run_id)
        SELECT staff_key, date_key, new_chat_cnt, chat_total, chat_has_msg, new_member_cnt,
               member_total, member_has_msg, msg_total, p_run FROM src
        ON CONFLICT (owner_staff_key, date_key) DO UPDATE
           SET new_chat_cnt = EXCLUDED.new_chat_cnt, chat_total = EXCLUDED.chat_total,
               chat_has_msg = EXCLUDED.chat_has_msg, new_member_cnt = EXCLUDED.new_member_cnt,
               member_total = EXCLUDED.member_total, member_has_msg = EXCLUDED.member_has_msg,
               msg_total = EXCLUDED.msg_total, run_id = p_run
         WHERE (f.new_chat_cnt, f.chat_total, f.chat_has_msg, f.new_member_cnt, f.member_total,
                f.member_has_msg, f.msg_total)
               IS DISTINCT FROM (EXCLUDED.new_chat_cnt, EXCLUDED.chat_total, EXCLUDED.chat_has_msg,
                                 EXCLUDED.new_member_cnt, EXCLUDED.member_total,
                                 EXCLUDED.member_has_msg, EXCLUDED.msg_total)
        RETURNING (xmax = 0) AS is_new)
    SELECT count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE NOT is_new), (SELECT count(*) FROM src)
      INTO v_ins, v_upd, v_all FROM up;
    inserted := inserted + v_ins;
    updated := updated + v_upd;
    unchanged := unchanged + v_all - v_ins - v_upd;
END
$fn$;
COMMENT ON FUNCTION etl.wecom_merge_stats(bigint, text) IS
    'WeCom merge step 7: upserts dw.fact_staff_daily and dw.fact_group_daily from the run''s re-pulled days (date_key = stat_time''s date in zone p_tz); a day whose numbers did not change is left alone';
