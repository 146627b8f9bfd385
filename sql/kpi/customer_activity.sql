-- kpi/customer_activity.sql — each customer's interaction days (kpi.customer_activity) and what
-- they add up to per day (kpi.activity_day): the base of kpi.active_customers
-- requires: kpi/qualifying_order.sql kpi/relationship_span.sql functions/kpi.business_zone.sql
-- requires: functions/kpi.refresh_by_customer.sql functions/kpi.change_claim.sql functions/etl.drop_kpi_relation.sql
-- requires: functions/kpi.is_empty.sql functions/dw.key_of_date.sql
--
-- The active-customer counts are sums over customers: each interaction day of a customer adds
-- to the day's count, and to the rolling 7- and 30-day windows from that day until the
-- window ends or the customer's next interaction day takes over (docs/kpi.md, kpi/
-- active_customers.sql). So the per-day sums (kpi.activity_day) are kept by adding what a
-- changed customer's days contribute now and subtracting what they contributed before:
-- a nightly recomputes the customers whose orders or WeCom interactions changed
-- (kpi.refresh_by_customer on kpi.customer_activity), and the triggers of kpi.customer_activity
-- carry each written difference into kpi.activity_day. Computed whole, every interaction of
-- every customer was sorted each night (3.4 s at 1M orders, 11 s at 5M: docs/performance.md).

SELECT etl.drop_kpi_relation('kpi.activity_day');
SELECT etl.drop_kpi_relation('kpi.customer_activity');
CREATE TABLE kpi.customer_activity (
    customer_key bigint  NOT NULL,
    date         date    NOT NULL,
    by_order     boolean NOT NULL,
    by_wecom     boolean NOT NULL,
    CONSTRAINT customer_activity_uq PRIMARY KEY (customer_key, date)
);
-- the WeCom days kpi.customer_activity_refresh() compares every night, found without reading
-- the order days (a warehouse without WeCom has none: a scan of 850k rows for none at 1M orders)
CREATE INDEX customer_activity_wecom ON kpi.customer_activity (customer_key, date) WHERE by_wecom;
CREATE TABLE kpi.activity_day (
    date        date   NOT NULL,
    dau         bigint NOT NULL,
    d7          bigint NOT NULL,
    d30         bigint NOT NULL,
    week_first  bigint NOT NULL,
    month_first bigint NOT NULL,
    CONSTRAINT activity_day_uq PRIMARY KEY (date)
);

-- What one interaction day adds to the per-day sums, given the customer's interaction days
-- before and after it: the day itself (+1 active, +1 to both windows; +1 week_first and
-- month_first when it is the customer's first in its ISO week, calendar month), and −1 to
-- each window on the day it stops covering the customer: W days later, or on the next
-- interaction day, which covers them from there. The two windows' pieces of one customer do
-- not overlap, so the running sum of d7 (d30) is the customers covered on a day.
CREATE OR REPLACE FUNCTION kpi.activity_contribution(p_date date, p_prev date, p_next date)
RETURNS TABLE (date date, dau int, d7 int, d30 int, week_first int, month_first int)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT p_date, 1, 1, 1,
           (p_prev IS NULL OR p_prev < date_trunc('week', p_date)::date)::int,
           (p_prev IS NULL OR p_prev < date_trunc('month', p_date)::date)::int
    UNION ALL
    SELECT least(p_date + 7, p_next), 0, -1, 0, 0, 0
    UNION ALL
    SELECT least(p_date + 30, p_next), 0, 0, -1, 0, 0;
END;
COMMENT ON FUNCTION kpi.activity_contribution(date, date, date) IS
  'What a customer''s interaction day p_date (their previous one p_prev, next one p_next, NULL when none) adds to the sums '
  'of kpi.activity_day: one row per day it changes.';

-- Every customer's WeCom interaction days: a relationship started (added or re-added), a
-- relationship the customer ended, a customer group joined. No change record covers them:
-- kpi.customer_activity_refresh() compares them with the kept rows. (kpi.refresh() orders
-- kpi.customer_activity by what kpi.customer_activity_of reads itself: kpi.qualifying_order,
-- which comes after kpi.relationship_span, read here.)
CREATE OR REPLACE FUNCTION kpi.customer_wecom_days()
RETURNS TABLE (customer_key bigint, date date)
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT DISTINCT u.customer_key, (u.at AT TIME ZONE z.zone)::date
      FROM (SELECT s.customer_key, s.started_at AS at FROM kpi.relationship_span s
            UNION ALL
            SELECT s.customer_key, s.ended_at FROM kpi.relationship_span s WHERE s.ended_by = 'customer'
            UNION ALL
            SELECT m.customer_key, m.joined_at FROM dw.fact_group_member m WHERE m.member_type = 'customer') u
     CROSS JOIN (SELECT kpi.business_zone() AS zone OFFSET 0) z   -- once, not per row
     WHERE u.customer_key IS NOT NULL AND u.at IS NOT NULL;
END;
COMMENT ON FUNCTION kpi.customer_wecom_days() IS
  'Every customer''s WeCom interaction days (business dates): a relationship started (kpi.relationship_span), a relationship '
  'the customer ended, a customer group joined (dw.fact_group_member).';

CREATE OR REPLACE FUNCTION kpi.customer_activity_of(p_customers bigint[])
RETURNS SETOF kpi.customer_activity
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT u.customer_key, u.date, bool_or(u.by_order), bool_or(u.by_wecom)
      FROM (SELECT q.customer_key, q.paid_date AS date, true AS by_order, false AS by_wecom
              FROM kpi.qualifying_order q
             WHERE p_customers IS NULL OR q.customer_key = ANY (p_customers)
            UNION ALL
            SELECT w.customer_key, w.date, false, true
              FROM kpi.customer_wecom_days() w
             WHERE p_customers IS NULL OR w.customer_key = ANY (p_customers)) u
     GROUP BY u.customer_key, u.date
     -- in the key's order: a first fill then appends to the primary key's index instead of
     -- descending into it at random
     ORDER BY u.customer_key, u.date;
END;
COMMENT ON FUNCTION kpi.customer_activity_of(bigint[]) IS
  'The rows of kpi.customer_activity of the customers in p_customers, all when NULL: what kpi.customer_activity_refresh() writes.';

CREATE OR REPLACE FUNCTION kpi.customer_activity_refresh()
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
-- the rows grouped by sorting, in the order the key wants them anyway: the planner's hash
-- aggregate, then a sort, took 2.0 s for the 850k rows of 1M orders against 0.45 s
SET enable_hashagg = off
AS $fn$
DECLARE
    v_wecom bigint[];
BEGIN
    -- The customers whose WeCom days differ from the kept ones (a day gained, or one no longer
    -- there: a merge, a fact deleted), before kpi.refresh_by_customer recomputes them with those
    -- the change record of the orders names. Compared under the lock that keeps the rows as
    -- the last refresh wrote them.
    LOCK TABLE kpi.customer_activity IN EXCLUSIVE MODE;
    SELECT array_agg(DISTINCT coalesce(w.customer_key, k.customer_key)) INTO v_wecom
      FROM kpi.customer_wecom_days() w
      FULL JOIN (SELECT a.customer_key, a.date FROM kpi.customer_activity a WHERE a.by_wecom) k
        ON k.customer_key = w.customer_key AND k.date = w.date
     WHERE w.customer_key IS NULL OR k.customer_key IS NULL;
    RETURN kpi.refresh_by_customer('kpi.customer_activity', ARRAY['customer_key', 'date']::name[], v_wecom);
END
$fn$;
REVOKE ALL ON FUNCTION kpi.customer_activity_refresh() FROM PUBLIC;
COMMENT ON FUNCTION kpi.customer_activity_refresh() IS
  'Brings kpi.customer_activity up to date for kpi.refresh(): recomputes the customers whose qualifying orders changed since '
  'its mark in the change record and those whose WeCom interaction days differ from the kept ones (kpi.refresh_by_customer); '
  'its triggers carry the difference into kpi.activity_day. Returns ''incremental'' or ''full''.';

-- The per-day sums of every customer's contributions, computed from the kept interaction
-- days (for the days whose date keys yyyymmdd are in p_days, all when NULL): what the
-- triggers below keep kpi.activity_day equal to, and what kpi.refresh() orders it by.
CREATE OR REPLACE FUNCTION kpi.activity_day_of(p_days bigint[])
RETURNS SETOF kpi.activity_day
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT c.date, sum(c.dau), sum(c.d7), sum(c.d30), sum(c.week_first), sum(c.month_first)
      FROM (SELECT a.date,
                   lag(a.date)  OVER w AS prev_date,
                   lead(a.date) OVER w AS next_date
              FROM kpi.customer_activity a
            WINDOW w AS (PARTITION BY a.customer_key ORDER BY a.date)) s
     CROSS JOIN LATERAL kpi.activity_contribution(s.date, s.prev_date, s.next_date) c
     WHERE p_days IS NULL OR dw.key_of_date(c.date) = ANY (p_days)
     GROUP BY c.date
    HAVING (sum(c.dau), sum(c.d7), sum(c.d30), sum(c.week_first), sum(c.month_first)) <> (0, 0, 0, 0, 0);
END;
COMMENT ON FUNCTION kpi.activity_day_of(bigint[]) IS
  'The rows of kpi.activity_day computed from kpi.customer_activity, of the days whose date keys are in p_days (all when '
  'NULL): what its triggers keep it equal to.';

-- Kept by the triggers of kpi.customer_activity (nothing to do here), filled from the kept days
-- if it is empty and they are not (a warehouse upgraded to this script keeps both filled).
CREATE OR REPLACE FUNCTION kpi.activity_day_refresh()
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF kpi.is_empty('kpi.activity_day') AND NOT kpi.is_empty('kpi.customer_activity') THEN
        INSERT INTO kpi.activity_day SELECT * FROM kpi.activity_day_of(NULL);
        RETURN 'full';
    END IF;
    RETURN 'incremental';
END
$fn$;
REVOKE ALL ON FUNCTION kpi.activity_day_refresh() FROM PUBLIC;
COMMENT ON FUNCTION kpi.activity_day_refresh() IS
  'kpi.activity_day is kept by the triggers of kpi.customer_activity: fills it from kpi.activity_day_of(NULL) when it is empty '
  'and the interaction days are not (''full''), else nothing (''incremental'').';

-- The trigger: the changed customers' interaction days after the statement count +1, before
-- it −1 (what the table held, less what the statement wrote, plus what it removed); their
-- contributions' difference is added to kpi.activity_day, and the days left at zero go.
CREATE OR REPLACE FUNCTION kpi.activity_day_apply()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET enable_hashagg = on  -- a few hundred days from millions of contributions (the refresh turns it off)
AS $fn$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM kpi.activity_day;
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' AND kpi.is_empty('kpi.activity_day') THEN
        -- into an empty table (a first fill; every interaction day adds to its day's dau, so
        -- the sums are empty only when the days were): the sums are those of the whole table,
        -- read in its key's order (no sort of every row, as below)
        INSERT INTO kpi.activity_day SELECT * FROM kpi.activity_day_of(NULL);
        RETURN NULL;
    END IF;
    -- the days the statement wrote and those it removed (an UPDATE both), under one name
    -- each whatever the event (a trigger sees only the transition tables it declares)
    DROP TABLE IF EXISTS activity_written, activity_removed, activity_change;
    CREATE TEMP TABLE activity_written (customer_key bigint, date date) ON COMMIT DROP;
    CREATE TEMP TABLE activity_removed (customer_key bigint, date date) ON COMMIT DROP;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO activity_written SELECT n.customer_key, n.date FROM activity_new n;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO activity_removed SELECT o.customer_key, o.date FROM activity_old o;
    END IF;
    ANALYZE activity_written, activity_removed;
    CREATE TEMP TABLE activity_change ON COMMIT DROP AS
    SELECT a.customer_key, a.date, s.sign
      FROM kpi.customer_activity a
     CROSS JOIN (VALUES (1), (-1)) s (sign)
     WHERE a.customer_key IN (SELECT w.customer_key FROM activity_written w
                              UNION SELECT r.customer_key FROM activity_removed r)
       AND (s.sign = 1 OR NOT EXISTS (SELECT 1 FROM activity_written w
                                       WHERE (w.customer_key, w.date) = (a.customer_key, a.date)))
    UNION ALL
    SELECT r.customer_key, r.date, -1 FROM activity_removed r;
    INSERT INTO kpi.activity_day AS d (date, dau, d7, d30, week_first, month_first)
    SELECT c.date, sum(s.sign * c.dau), sum(s.sign * c.d7), sum(s.sign * c.d30),
           sum(s.sign * c.week_first), sum(s.sign * c.month_first)
      FROM (SELECT x.sign, x.date,
                   lag(x.date)  OVER w AS prev_date,
                   lead(x.date) OVER w AS next_date
              FROM activity_change x
            WINDOW w AS (PARTITION BY x.sign, x.customer_key ORDER BY x.date)) s
     CROSS JOIN LATERAL kpi.activity_contribution(s.date, s.prev_date, s.next_date) c
     GROUP BY c.date
    HAVING (sum(s.sign * c.dau), sum(s.sign * c.d7), sum(s.sign * c.d30),
            sum(s.sign * c.week_first), sum(s.sign * c.month_first)) <> (0, 0, 0, 0, 0)
        ON CONFLICT (date) DO UPDATE
       SET dau = d.dau + EXCLUDED.dau, d7 = d.d7 + EXCLUDED.d7, d30 = d.d30 + EXCLUDED.d30,
           week_first = d.week_first + EXCLUDED.week_first, month_first = d.month_first + EXCLUDED.month_first;
    DELETE FROM kpi.activity_day
     WHERE (dau, d7, d30, week_first, month_first) = (0, 0, 0, 0, 0);
    RETURN NULL;
END
$fn$;
REVOKE ALL ON FUNCTION kpi.activity_day_apply() FROM PUBLIC;
COMMENT ON FUNCTION kpi.activity_day_apply() IS
  'Trigger of kpi.customer_activity (after each INSERT, UPDATE, DELETE statement, with its transition tables; after TRUNCATE): '
  'adds to kpi.activity_day the difference between what the changed customers'' interaction days contribute after the '
  'statement and before it (kpi.activity_contribution), and deletes the days left at zero. TRUNCATE empties it.';
-- one per event: PostgreSQL allows transition tables only on single-event triggers
CREATE TRIGGER customer_activity_insert AFTER INSERT ON kpi.customer_activity
    REFERENCING NEW TABLE AS activity_new FOR EACH STATEMENT EXECUTE FUNCTION kpi.activity_day_apply();
CREATE TRIGGER customer_activity_update AFTER UPDATE ON kpi.customer_activity
    REFERENCING OLD TABLE AS activity_old NEW TABLE AS activity_new FOR EACH STATEMENT EXECUTE FUNCTION kpi.activity_day_apply();
CREATE TRIGGER customer_activity_delete AFTER DELETE ON kpi.customer_activity
    REFERENCING OLD TABLE AS activity_old FOR EACH STATEMENT EXECUTE FUNCTION kpi.activity_day_apply();
CREATE TRIGGER customer_activity_truncate AFTER TRUNCATE ON kpi.customer_activity
    FOR EACH STATEMENT EXECUTE FUNCTION kpi.activity_day_apply();

-- filled now (the tables are empty: one INSERT, the trigger sums it), the mark at the change record's head
SELECT kpi.customer_activity_refresh();
ANALYZE kpi.customer_activity;
ANALYZE kpi.activity_day;

COMMENT ON TABLE kpi.customer_activity IS
  'Building block of kpi.active_customers. Grain: one row per customer and business date with an interaction: a qualifying '
  'order paid (kpi.qualifying_order: paid, not cancelled, not fully refunded; guest orders have no customer and are left out), '
  'a WeCom relationship started (add or re-add), a relationship ended by the customer, a customer group joined. Kept by '
  'kpi.refresh(): the rows of the customers whose orders or WeCom days changed are recomputed.';
COMMENT ON COLUMN kpi.customer_activity.customer_key IS 'Customer (dw.dim_customer), after merges.';
COMMENT ON COLUMN kpi.customer_activity.date IS 'Business date of the interaction.';
COMMENT ON COLUMN kpi.customer_activity.by_order IS 'A qualifying order was paid that day.';
COMMENT ON COLUMN kpi.customer_activity.by_wecom IS 'A WeCom interaction that day (relationship started, ended by the customer, group joined).';
COMMENT ON TABLE kpi.activity_day IS
  'Building block of kpi.active_customers. Grain: one row per business date to which some customer''s interaction days '
  'contribute (kpi.activity_contribution): their sums over every customer of kpi.customer_activity, kept by its triggers '
  '(kpi.activity_day_apply). Running sums of d7 and d30 are the rolling 7- and 30-day active customers.';
COMMENT ON COLUMN kpi.activity_day.date IS 'Business date.';
COMMENT ON COLUMN kpi.activity_day.dau IS 'Customers with an interaction this day.';
COMMENT ON COLUMN kpi.activity_day.d7 IS 'Customers entering the 7-day coverage this day minus those leaving it (its running sum is wau_7d).';
COMMENT ON COLUMN kpi.activity_day.d30 IS 'Customers entering the 30-day coverage this day minus those leaving it (its running sum is mau_30d).';
COMMENT ON COLUMN kpi.activity_day.week_first IS 'Customers whose first interaction of the ISO week is this day.';
COMMENT ON COLUMN kpi.activity_day.month_first IS 'Customers whose first interaction of the calendar month is this day.';
