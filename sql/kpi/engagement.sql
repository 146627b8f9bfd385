-- kpi/engagement.sql — engagement from the WeCom statistics (kpi.engagement_daily /
-- _monthly) and active customers over recorded interactions (kpi.active_customers).
--
-- Rates over several staff members or days are ratios of sums, never averages of rates:
-- reply rate = Σ (reply_percentage × chat_cnt) ÷ Σ chat_cnt, first-reply minutes likewise,
-- group rates = Σ numerators ÷ Σ denominators. Every view exposes the numerators and
-- denominators so that a BI tool can re-aggregate over any range without averaging rates.
-- requires: kpi/growth.sql kpi/relationship_span.sql

-- ---------------------------------------------------------------------------------------------
-- kpi.engagement_daily
-- ---------------------------------------------------------------------------------------------
DROP MATERIALIZED VIEW IF EXISTS kpi.engagement_daily CASCADE;
CREATE MATERIALIZED VIEW kpi.engagement_daily AS
WITH staff_day AS (   -- one row per (staff, day) with behaviour and/or group statistics
    SELECT coalesce(s.staff_key, g.owner_staff_key) AS staff_key,
           coalesce(s.date_key, g.date_key)          AS date_key,
           s.staff_key IS NOT NULL                   AS has_stats,
           s.chat_cnt, s.message_cnt, s.reply_percentage, s.avg_reply_time_minutes,
           s.negative_feedback_cnt, s.new_apply_cnt, s.new_contact_cnt,
           g.chat_total, g.chat_has_msg, g.member_total, g.member_has_msg, g.msg_total
      FROM dw.fact_staff_daily s
      FULL JOIN dw.fact_group_daily g ON g.owner_staff_key = s.staff_key AND g.date_key = s.date_key
), x AS (
    SELECT sd.*, st.userid, st.name,
           CASE WHEN sd.has_stats THEN coalesce(gd.pool_start, 0) END AS pool_start,
           CASE WHEN sd.chat_cnt > 0 AND sd.reply_percentage IS NOT NULL THEN sd.chat_cnt END       AS reply_w,
           CASE WHEN sd.chat_cnt > 0 AND sd.avg_reply_time_minutes IS NOT NULL THEN sd.chat_cnt END AS time_w
      FROM staff_day sd
      JOIN dw.dim_staff st USING (staff_key)
      LEFT JOIN kpi.growth_daily gd
             ON gd.dimension = 'staff' AND gd.dimension_value = st.userid AND gd.date_key = sd.date_key
), agg AS (
    SELECT date_key,
           CASE WHEN grouping(staff_key) = 1 THEN 'total' ELSE 'staff' END AS dimension,
           staff_key, userid, name,
           count(*) FILTER (WHERE has_stats)                               AS staff_with_stats,
           sum(chat_cnt)                                                   AS chat_cnt,
           sum(message_cnt)                                                AS message_cnt,
           sum(reply_w)                                                    AS reply_base_chats,
           sum(reply_percentage / 100 * reply_w)                           AS replied_chats,
           sum(avg_reply_time_minutes * time_w)                            AS reply_minutes_weighted,
           sum(time_w)                                                     AS reply_time_base_chats,
           sum(negative_feedback_cnt)                                      AS negative_feedback_cnt,
           sum(pool_start)                                                 AS contact_pool_start,
           sum(new_apply_cnt)                                              AS new_apply_cnt,
           sum(new_contact_cnt)                                            AS new_contact_cnt,
           sum(chat_total)                                                 AS group_chat_total,
           sum(chat_has_msg)                                               AS group_chat_has_msg,
           sum(member_total)                                               AS group_member_total,
           sum(member_has_msg)                                             AS group_member_has_msg,
           sum(msg_total)                                                  AS group_msg_total
      FROM x
     GROUP BY GROUPING SETS ((date_key), (date_key, staff_key, userid, name))
)
SELECT d.date_key,
       d.date,
       d.iso_year,
       d.iso_week,
       d.year,
       d.month,
       a.dimension,
       CASE a.dimension WHEN 'total' THEN 'all' ELSE a.userid END              AS dimension_value,
       CASE a.dimension WHEN 'total' THEN 'all' ELSE coalesce(a.name, a.userid) END AS dimension_label,
       a.staff_key,
       a.staff_with_stats::bigint                                             AS staff_with_stats,
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
       a.group_msg_total::bigint                                              AS group_msg_total
  FROM agg a
  JOIN dw.dim_date d USING (date_key);

CREATE UNIQUE INDEX engagement_daily_uq ON kpi.engagement_daily (dimension, dimension_value, date_key);
CREATE INDEX engagement_daily_date ON kpi.engagement_daily (date_key, dimension);

-- ---------------------------------------------------------------------------------------------
-- kpi.engagement_monthly
-- ---------------------------------------------------------------------------------------------
DROP MATERIALIZED VIEW IF EXISTS kpi.engagement_monthly CASCADE;
CREATE MATERIALIZED VIEW kpi.engagement_monthly AS
WITH staff_day AS (
    SELECT coalesce(s.staff_key, g.owner_staff_key) AS staff_key,
           coalesce(s.date_key, g.date_key)          AS date_key,
           s.staff_key IS NOT NULL                   AS has_stats,
           s.chat_cnt, s.message_cnt, s.reply_percentage, s.avg_reply_time_minutes,
           s.negative_feedback_cnt, s.new_apply_cnt, s.new_contact_cnt,
           g.chat_total, g.chat_has_msg, g.member_total, g.member_has_msg, g.msg_total
      FROM dw.fact_staff_daily s
      FULL JOIN dw.fact_group_daily g ON g.owner_staff_key = s.staff_key AND g.date_key = s.date_key
), staff_month AS (
    SELECT sd.staff_key, d.month_start,
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
     GROUP BY sd.staff_key, d.month_start
), x AS (
    SELECT sm.*, st.userid, st.name,
           CASE WHEN sm.has_stats THEN coalesce(gm.pool_start, 0) END AS pool_start
      FROM staff_month sm
      JOIN dw.dim_staff st USING (staff_key)
      LEFT JOIN kpi.growth_monthly gm
             ON gm.dimension = 'staff' AND gm.dimension_value = st.userid AND gm.month_start = sm.month_start
), agg AS (
    SELECT month_start,
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
     GROUP BY GROUPING SETS ((month_start), (month_start, staff_key, userid, name))
)
SELECT a.month_start,
       (a.month_start + interval '1 month' - interval '1 day')::date            AS month_end,
       extract(year FROM a.month_start)::smallint                               AS year,
       extract(month FROM a.month_start)::smallint                              AS month,
       a.dimension,
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
       (a.month_start + interval '1 month' - interval '1 day')::date < b.today AS is_complete
  FROM agg a
  CROSS JOIN (SELECT kpi.business_date() AS today OFFSET 0) b;

CREATE UNIQUE INDEX engagement_monthly_uq ON kpi.engagement_monthly (dimension, dimension_value, month_start);

-- ---------------------------------------------------------------------------------------------
-- kpi.active_customers
-- ---------------------------------------------------------------------------------------------
-- Rolling counts without a 30-fold self-join: an interaction on day a keeps a customer in the
-- W-day window for days a .. a+W−1; per customer and W, overlapping coverages merge into
-- ranges (gaps and islands), each range adds +1 on its first day and −1 after its last, and a
-- running sum over the calendar gives the number of customers covered on each day.
DROP MATERIALIZED VIEW IF EXISTS kpi.active_customers CASCADE;
CREATE MATERIALIZED VIEW kpi.active_customers AS
WITH act AS (
    SELECT DISTINCT customer_key, date_key FROM (
        SELECT customer_key, coalesce(paid_date_key, dw.date_key_of(paid_at)) AS date_key
          FROM dw.fact_order WHERE is_qualifying AND customer_key IS NOT NULL
        UNION ALL
        SELECT customer_key, started_date_key FROM kpi.relationship_span
        UNION ALL
        SELECT customer_key, ended_date_key FROM kpi.relationship_span WHERE ended_by = 'customer'
        UNION ALL
        SELECT m.customer_key, kpi.local_date_key(m.joined_at, z.zone)
          FROM dw.fact_group_member m CROSS JOIN (SELECT kpi.business_zone() AS zone OFFSET 0) z
         WHERE m.member_type = 'customer'
    ) u
), d AS (
    SELECT a.customer_key, dd.date, dd.week_start, dd.month_start
      FROM act a JOIN dw.dim_date dd USING (date_key)
), daily AS (         -- dau needs no window: one row per customer and date already
    SELECT date, count(*) AS dau FROM d GROUP BY date
), gap AS (
    SELECT w.days, d.customer_key, d.date,
           CASE WHEN d.date - lag(d.date) OVER (PARTITION BY w.days, d.customer_key ORDER BY d.date) <= w.days
                THEN 0 ELSE 1 END AS starts
      FROM d CROSS JOIN (VALUES (7), (30)) AS w (days)
), island AS (
    SELECT days, customer_key, date,
           sum(starts) OVER (PARTITION BY days, customer_key ORDER BY date) AS island
      FROM gap
), coverage AS (
    SELECT days, min(date) AS first_day, max(date) + days AS after_last
      FROM island GROUP BY days, customer_key, island
), delta AS (
    SELECT date,
           sum(n) FILTER (WHERE days = 7)  AS d7,
           sum(n) FILTER (WHERE days = 30) AS d30
      FROM (SELECT days, first_day AS date, 1 AS n FROM coverage
            UNION ALL
            SELECT days, after_last, -1 FROM coverage) c
     GROUP BY date
), week_active AS (
    SELECT week_start, count(DISTINCT customer_key) AS n FROM d GROUP BY week_start
), month_active AS (
    SELECT month_start, count(DISTINCT customer_key) AS n FROM d GROUP BY month_start
), grid AS (
    SELECT dd.date_key, dd.date, dd.week_start, dd.month_start, b.today
      FROM (SELECT min(date) AS first_day, max(date) AS last_day FROM d) r
      CROSS JOIN (SELECT kpi.business_date() AS today OFFSET 0) b
      JOIN dw.dim_date dd ON dd.date BETWEEN r.first_day AND greatest(b.today, r.last_day)
), running AS (
    SELECT g.*,
           coalesce(y.dau, 0)              AS dau,
           sum(coalesce(x.d7, 0))  OVER w AS wau,
           sum(coalesce(x.d30, 0)) OVER w AS mau
      FROM grid g LEFT JOIN delta x USING (date) LEFT JOIN daily y USING (date)
    WINDOW w AS (ORDER BY g.date)
)
SELECT r.date_key,
       r.date,
       r.dau::bigint                                         AS dau,
       r.wau::bigint                                         AS wau_7d,
       r.mau::bigint                                         AS mau_30d,
       round(r.dau::numeric / nullif(r.mau, 0), 6)           AS stickiness_rate,
       coalesce(wa.n, 0)::bigint                             AS week_active_customers,
       coalesce(ma.n, 0)::bigint                             AS month_active_customers,
       r.week_start,
       r.month_start,
       r.date < r.today                                      AS is_complete
  FROM running r
  LEFT JOIN week_active wa USING (week_start)
  LEFT JOIN month_active ma USING (month_start);

CREATE UNIQUE INDEX active_customers_uq ON kpi.active_customers (date_key);

-- ---------------------------------------------------------------------------------------------
-- comments
-- ---------------------------------------------------------------------------------------------
COMMENT ON MATERIALIZED VIEW kpi.engagement_daily IS
  'Engagement per business day from the WeCom statistics (dw.fact_staff_daily, dw.fact_group_daily by owner). Grain: one row '
  'per (date_key, dimension, dimension_value); dimension ''total'' (value ''all'') or ''staff'' (value = staff userid; group '
  'figures are those of the groups the staff member owns). Rows exist only for days with at least one statistics row (a day '
  'the pipeline did not pull is absent, not zero); a day with zero chats has a row with reply_rate and avg_first_reply_minutes '
  'NULL. Formulas: chats = Σ chat_cnt (chats per staff member per day, summed: chat-days); reply_rate = Σ (reply_percentage/100 '
  '× chat_cnt) ÷ Σ chat_cnt over staff-days with chats and a reply percentage (weighted by chats, never an average of '
  'percentages); avg_first_reply_minutes = Σ (avg_reply_time × chat_cnt) ÷ Σ chat_cnt over staff-days with chats and a reply '
  'time; negative_feedback_rate = Σ negative_feedback_cnt (customers who deleted or blocked the staff member) ÷ Σ over the same '
  'staff members of their contact pool at the start of the day (customers with an active relationship with them, from '
  'kpi.growth_daily; a relationship-level denominator because the count is per staff member); group_active_rate = Σ chat_has_msg '
  '÷ Σ chat_total; member_speak_rate = Σ member_has_msg ÷ Σ member_total. Rates are fractions rounded to 6 decimals (minutes to '
  '2), NULL when the denominator is 0. The numerators and denominators are columns too: re-aggregate with them, never average '
  'the rate columns.';
COMMENT ON MATERIALIZED VIEW kpi.engagement_monthly IS
  'Engagement per calendar month, same sources and dimensions as kpi.engagement_daily. Grain: one row per (month_start, '
  'dimension, dimension_value), for months with statistics. Sums are over the days of the month (chats and group figures are '
  'staff-days / group-days); reply_rate and avg_first_reply_minutes are weighted by chats over all those days; '
  'negative_feedback_rate = Σ negative_feedback_cnt of the month ÷ Σ over the staff members with statistics that month of '
  'their contact pool at the start of the month (kpi.growth_monthly); group_active_rate = Σ chat_has_msg ÷ Σ chat_total and '
  'member_speak_rate = Σ member_has_msg ÷ Σ member_total over the group-days of the month (WeCom gives daily counts only, so '
  'distinct groups or members over a month cannot be known). Rates are NULL when the denominator is 0.';
COMMENT ON MATERIALIZED VIEW kpi.active_customers IS
  'Active customers per business day. Grain: one row per date_key, from the first recorded interaction to today. An '
  'interaction is, per customer and business date: a qualifying order (dw.fact_order.is_qualifying, at its paid date; guest '
  'orders have no customer and are left out), the start of a WeCom relationship (add or re-add, kpi.relationship_span), a '
  'relationship ended by the customer (a customer-side delete is the customer''s action; deletes by staff are not counted), or '
  'a customer joining a customer group. dau = distinct customers with an interaction that day; wau_7d / mau_30d = distinct '
  'customers with an interaction in the 7 / 30 days ending that day (rolling windows); stickiness_rate = dau ÷ mau_30d (NULL '
  'when mau_30d is 0). week_active_customers / month_active_customers = distinct customers with an interaction in the ISO week '
  '/ calendar month containing the date (the whole period, repeated on each of its days: take one row per period, e.g. '
  'WHERE date = month_start).';

COMMENT ON COLUMN kpi.engagement_daily.date_key IS 'Business date yyyymmdd of the statistics (WeCom stat day).';
COMMENT ON COLUMN kpi.engagement_daily.date IS 'Business date.';
COMMENT ON COLUMN kpi.engagement_daily.iso_year IS 'ISO year of the date.';
COMMENT ON COLUMN kpi.engagement_daily.iso_week IS 'ISO week of the date.';
COMMENT ON COLUMN kpi.engagement_daily.year IS 'Calendar year of the date.';
COMMENT ON COLUMN kpi.engagement_daily.month IS 'Calendar month 1–12 of the date.';
COMMENT ON COLUMN kpi.engagement_monthly.month_start IS 'First day of the month.';
COMMENT ON COLUMN kpi.engagement_monthly.month_end IS 'Last day of the month.';
COMMENT ON COLUMN kpi.engagement_monthly.year IS 'Calendar year.';
COMMENT ON COLUMN kpi.engagement_monthly.month IS 'Calendar month 1–12.';
COMMENT ON COLUMN kpi.engagement_monthly.stat_days IS 'Staff-days with behaviour statistics in the month.';
COMMENT ON COLUMN kpi.engagement_monthly.is_complete IS 'true when the month is over (before the business date of the last refresh).';
DO $$
DECLARE v text; c record;
BEGIN
  FOREACH v IN ARRAY ARRAY['engagement_daily', 'engagement_monthly'] LOOP
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
      ('group_msg_total', 'Σ msg_total: messages in the owned groups.')
    ) t(col, txt) LOOP
      EXECUTE format('COMMENT ON COLUMN kpi.%I.%I IS %L', v, c.col, c.txt);
    END LOOP;
  END LOOP;
END
$$;

COMMENT ON COLUMN kpi.active_customers.date_key IS 'Business date yyyymmdd.';
COMMENT ON COLUMN kpi.active_customers.date IS 'Business date.';
COMMENT ON COLUMN kpi.active_customers.dau IS 'Distinct customers with an interaction this day.';
COMMENT ON COLUMN kpi.active_customers.wau_7d IS 'Distinct customers with an interaction in the 7 days ending this day (rolling).';
COMMENT ON COLUMN kpi.active_customers.mau_30d IS 'Distinct customers with an interaction in the 30 days ending this day (rolling).';
COMMENT ON COLUMN kpi.active_customers.stickiness_rate IS 'dau ÷ mau_30d (stickiness), fraction, 6 decimals; NULL when mau_30d is 0.';
COMMENT ON COLUMN kpi.active_customers.week_active_customers IS 'Distinct customers with an interaction in the ISO week containing the date (whole week).';
COMMENT ON COLUMN kpi.active_customers.month_active_customers IS 'Distinct customers with an interaction in the calendar month containing the date (whole month).';
COMMENT ON COLUMN kpi.active_customers.week_start IS 'Monday of the ISO week of the date.';
COMMENT ON COLUMN kpi.active_customers.month_start IS 'First day of the month of the date.';
COMMENT ON COLUMN kpi.active_customers.is_complete IS 'true when the day is over (before the business date of the last refresh).';
