-- kpi/engagement_by_period.sql — engagement from the WeCom statistics per period of any grain,
-- the one definition of kpi.engagement_daily and kpi.engagement_monthly (grain 'day' / 'month')
-- requires: kpi/growth_by_period.sql
--
-- Rates over several staff members or days are ratios of sums, never averages of rates:
-- reply rate = Σ (reply_percentage × chat_cnt) ÷ Σ chat_cnt, first-reply minutes likewise,
-- group rates = Σ numerators ÷ Σ denominators. Every view exposes the numerators and
-- denominators so that a BI tool can re-aggregate over any range without averaging rates.

CREATE OR REPLACE VIEW kpi.engagement_by_period AS
WITH grain (grain, step) AS (
    VALUES ('day', interval '1 day'), ('month', interval '1 month')
), staff_day AS (   -- one row per (staff, day) with behaviour and/or group statistics
    SELECT coalesce(s.staff_key, g.owner_staff_key) AS staff_key,
           coalesce(s.date_key, g.date_key)          AS date_key,
           s.staff_key IS NOT NULL                   AS has_stats,
           s.chat_cnt, s.message_cnt, s.reply_percentage, s.avg_reply_time_minutes,
           s.negative_feedback_cnt, s.new_apply_cnt, s.new_contact_cnt,
           g.chat_total, g.chat_has_msg, g.member_total, g.member_has_msg, g.msg_total
      FROM dw.fact_staff_daily s
      FULL JOIN dw.fact_group_daily g ON g.owner_staff_key = s.staff_key AND g.date_key = s.date_key
), staff_period AS (
    SELECT gr.grain, gr.step, sd.staff_key, date_trunc(gr.grain, d.date)::date AS period_start,
           bool_or(sd.has_stats)                                           AS has_stats,
           count(*) FILTER (WHERE sd.has_stats)                            AS stat_days,
           sum(sd.chat_cnt)                                                AS chat_cnt,
           sum(sd.message_cnt)                                             AS message_cnt,
           sum(sd.chat_cnt) FILTER (WHERE sd.chat_cnt > 0 AND sd.reply_percentage IS NOT NULL) AS reply_base_chats,
           sum(sd.reply_percentage / 100 * sd.chat_cnt)
               FILTER (WHERE sd.chat_cnt > 0 AND sd.reply_percentage IS NOT NULL)             AS replied_chats,
           sum(sd.avg_reply_time_minutes * sd.chat_cnt)
               FILTER (WHERE sd.chat_cnt > 0 AND sd.avg_reply_time_minutes IS NOT NULL)       AS reply_minutes_weighted,
           sum(sd.chat_cnt) FILTER (WHERE sd.chat_cnt > 0 AND sd.avg_reply_time_minutes IS NOT NULL) AS reply_time_base_chats,
           sum(sd.negative_feedback_cnt)                                   AS negative_feedback_cnt,
           sum(sd.new_apply_cnt)                                           AS new_apply_cnt,
           sum(sd.new_contact_cnt)                                         AS new_contact_cnt,
           sum(sd.chat_total)                                              AS chat_total,
           sum(sd.chat_has_msg)                                            AS chat_has_msg,
           sum(sd.member_total)                                            AS member_total,
           sum(sd.member_has_msg)                                          AS member_has_msg,
           sum(sd.msg_total)                                               AS msg_total
      FROM staff_day sd
      JOIN dw.dim_date d USING (date_key)
      CROSS JOIN grain gr
     GROUP BY gr.grain, gr.step, sd.staff_key, date_trunc(gr.grain, d.date)
), x AS (
    SELECT sp.*, st.userid, st.name,
           CASE WHEN sp.has_stats THEN coalesce(gp.pool_start, 0) END AS pool_start
      FROM staff_period sp
      JOIN dw.dim_staff st USING (staff_key)
      LEFT JOIN kpi.growth_by_period gp
             ON gp.grain = sp.grain AND gp.dimension = 'staff' AND gp.dimension_value = st.userid
            AND gp.period_start = sp.period_start
), agg AS (
    SELECT grain, step, period_start,
           CASE WHEN grouping(staff_key) = 1 THEN 'total' ELSE 'staff' END AS dimension,
           staff_key, userid, name,
           count(*) FILTER (WHERE has_stats)  AS staff_with_stats,
           sum(stat_days)                     AS stat_days,
           sum(chat_cnt)                      AS chat_cnt,
           sum(message_cnt)                   AS message_cnt,
           sum(reply_base_chats)              AS reply_base_chats,
           sum(replied_chats)                 AS replied_chats,
           sum(reply_minutes_weighted)        AS reply_minutes_weighted,
           sum(reply_time_base_chats)         AS reply_time_base_chats,
           sum(negative_feedback_cnt)         AS negative_feedback_cnt,
           sum(pool_start)                    AS contact_pool_start,
           sum(new_apply_cnt)                 AS new_apply_cnt,
           sum(new_contact_cnt)               AS new_contact_cnt,
           sum(chat_total)                    AS group_chat_total,
           sum(chat_has_msg)                  AS group_chat_has_msg,
           sum(member_total)                  AS group_member_total,
           sum(member_has_msg)                AS group_member_has_msg,
           sum(msg_total)                     AS group_msg_total
      FROM x
     GROUP BY GROUPING SETS ((grain, step, period_start), (grain, step, period_start, staff_key, userid, name))
)
SELECT a.dimension,
       CASE a.dimension WHEN 'total' THEN 'all' ELSE a.userid END              AS dimension_value,
       CASE a.dimension WHEN 'total' THEN 'all' ELSE coalesce(a.name, a.userid) END AS dimension_label,
       a.staff_key,
       a.staff_with_stats::bigint                                             AS staff_with_stats,
       a.stat_days::bigint                                                    AS stat_days,
       a.chat_cnt::bigint                                                     AS chat_cnt,
       a.message_cnt::bigint                                                  AS message_cnt,
       coalesce(a.reply_base_chats, 0)::bigint                                AS reply_base_chats,
       coalesce(a.replied_chats, 0)::numeric(16,4)                            AS replied_chats,
       round(a.replied_chats / nullif(a.reply_base_chats, 0), 6)              AS reply_rate,
       round(a.reply_minutes_weighted / nullif(a.reply_time_base_chats, 0), 2) AS avg_first_reply_minutes,
       a.negative_feedback_cnt::bigint                                        AS negative_feedback_cnt,
       a.contact_pool_start::bigint                                           AS contact_pool_start,
       round(a.negative_feedback_cnt::numeric / nullif(a.contact_pool_start, 0), 6) AS negative_feedback_rate,
       a.new_apply_cnt::bigint                                                AS new_apply_cnt,
       a.new_contact_cnt::bigint                                              AS new_contact_cnt,
       a.group_chat_total::bigint                                             AS group_chat_total,
       a.group_chat_has_msg::bigint                                           AS group_chat_has_msg,
       round(a.group_chat_has_msg::numeric / nullif(a.group_chat_total, 0), 6) AS group_active_rate,
       a.group_member_total::bigint                                           AS group_member_total,
       a.group_member_has_msg::bigint                                         AS group_member_has_msg,
       round(a.group_member_has_msg::numeric / nullif(a.group_member_total, 0), 6) AS member_speak_rate,
       a.group_msg_total::bigint                                              AS group_msg_total,
       (a.period_start + a.step - interval '1 day')::date < b.eoo_date        AS is_complete,
       a.grain,
       a.period_start,
       (a.period_start + a.step - interval '1 day')::date                     AS period_end
  FROM agg a
  CROSS JOIN (SELECT kpi.business_date(kpi.end_of_observation('wecom')) AS eoo_date OFFSET 0) b
 WHERE a.period_start <= b.eoo_date;

COMMENT ON VIEW kpi.engagement_by_period IS
  'Engagement per period (grain ''day'': business day, ''month'': calendar month; the definition of kpi.engagement_daily and '
  'kpi.engagement_monthly) from the WeCom statistics (dw.fact_staff_daily, dw.fact_group_daily by owner). Grain: one row '
  'per (grain, period_start, dimension, dimension_value); dimension ''total'' (value ''all'') or ''staff'' (value = staff userid; group '
  'figures are those of the groups the staff member owns). Rows exist only for periods with at least one statistics row (a day '
  'the pipeline did not pull is absent, not zero); a day with zero chats has a row with reply_rate and avg_first_reply_minutes '
  'NULL. Formulas: chats = Σ chat_cnt (chats per staff member per day, summed: chat-days); reply_rate = Σ (reply_percentage/100 '
  '× chat_cnt) ÷ Σ chat_cnt over staff-days with chats and a reply percentage (weighted by chats, never an average of '
  'percentages); avg_first_reply_minutes = Σ (avg_reply_time × chat_cnt) ÷ Σ chat_cnt over staff-days with chats and a reply '
  'time; negative_feedback_rate = Σ negative_feedback_cnt (customers who deleted or blocked the staff member) ÷ Σ over the same '
  'staff members of their contact pool at the start of the period (customers with an active relationship with them, from '
  'kpi.growth_by_period of the same grain; a relationship-level denominator because the count is per staff member); group_active_rate = Σ chat_has_msg '
  '÷ Σ chat_total; member_speak_rate = Σ member_has_msg ÷ Σ member_total. Rates are fractions rounded to 6 decimals (minutes to '
  '2), NULL when the denominator is 0. The numerators and denominators are columns too: re-aggregate with them, never average '
  'the rate columns. Periods after the end of observation (kpi.end_of_observation(''wecom'')) are not shown; the period containing it is partial (is_complete false).';
DO $$
DECLARE c record;
BEGIN
  FOR c IN SELECT * FROM (VALUES
    ('dimension', 'Breakdown: ''total'' or ''staff''. Filter on it; never sum across dimensions.'),
    ('dimension_value', '''all'' for total, staff userid for staff rows.'),
    ('dimension_label', 'Display name: staff name for staff rows (userid if unnamed), else ''all''.'),
    ('staff_key', 'dw.dim_staff key on staff rows; NULL on total rows.'),
    ('staff_with_stats', 'Staff members with a behaviour statistics row in the period (denominator scope of the rates).'),
    ('chat_cnt', 'Σ chat_cnt: chats (customers chatted with) per staff member per day, summed over staff and days.'),
    ('message_cnt', 'Σ message_cnt: messages sent by the staff members.'),
    ('reply_base_chats', 'Σ chat_cnt over staff-days with chats and a reply percentage: the weight of reply_rate.'),
    ('replied_chats', 'Σ reply_percentage/100 × chat_cnt: chats that got a reply, as WeCom''s percentage implies (not an integer).'),
    ('reply_rate', 'replied_chats ÷ reply_base_chats (reply rate weighted by chats), fraction, 6 decimals; NULL without chats.'),
    ('avg_first_reply_minutes', 'Σ avg_reply_time × chat_cnt ÷ Σ chat_cnt over staff-days with chats and a reply time, minutes, 2 decimals; NULL without chats.'),
    ('negative_feedback_cnt', 'Σ negative_feedback_cnt: customers who deleted or blocked the staff member (WeCom count).'),
    ('contact_pool_start', 'Σ over staff members with statistics of their contact pool (customers with an active relationship) at the start of the period.'),
    ('negative_feedback_rate', 'negative_feedback_cnt ÷ contact_pool_start, fraction, 6 decimals; NULL when the pool is 0.'),
    ('new_apply_cnt', 'Σ new_apply_cnt: friend requests sent by the staff members (WeCom count).'),
    ('new_contact_cnt', 'Σ new_contact_cnt: new contacts as WeCom counts them (relationships, not distinct customers; see kpi.growth_* for customers).'),
    ('group_chat_total', 'Σ chat_total: customer groups owned, summed over owners and days (group-days).'),
    ('group_chat_has_msg', 'Σ chat_has_msg: groups with at least one message (group-days).'),
    ('group_active_rate', 'group_chat_has_msg ÷ group_chat_total, fraction, 6 decimals; NULL without groups.'),
    ('group_member_total', 'Σ member_total: group members (member-days, staff included as WeCom counts them).'),
    ('group_member_has_msg', 'Σ member_has_msg: members who posted (member-days).'),
    ('member_speak_rate', 'group_member_has_msg ÷ group_member_total, fraction, 6 decimals; NULL without members.'),
    ('group_msg_total', 'Σ msg_total: messages in the owned groups.'),
    ('stat_days', 'Staff-days with behaviour statistics in the period.'),
    ('is_complete', 'true when the period is over before the end of observation (kpi.end_of_observation(''wecom'')); false for the period containing it (partial).'),
    ('grain', '''day'' or ''month'': the length of the period.'),
    ('period_start', 'First day of the period (business date).'),
    ('period_end', 'Last day of the period (business date).')
  ) t(col, txt) LOOP
    EXECUTE format('COMMENT ON COLUMN kpi.engagement_by_period.%I IS %L', c.col, c.txt);
  END LOOP;
END
$$;
