-- Card 4 · 员工互动质量 / staff engagement, last complete month (table)
-- Rates are weighted (ratios of sums); never average the rate column across rows in the BI tool:
-- re-aggregate replied_chats / reply_base_chats instead (see the total row).
SELECT dimension_label                         AS staff,
       chat_cnt,
       message_cnt,
       round(100 * reply_rate, 2)              AS reply_pct,
       avg_first_reply_minutes,
       negative_feedback_cnt,
       round(100 * negative_feedback_rate, 3)  AS negative_feedback_pct,
       round(100 * group_active_rate, 2)       AS group_active_pct,
       round(100 * member_speak_rate, 2)       AS member_speak_pct
  FROM kpi.engagement_monthly
 WHERE month_start = (SELECT max(month_start) FROM kpi.engagement_monthly WHERE is_complete)
 ORDER BY dimension DESC, chat_cnt DESC;   -- 'total' first, then staff
