-- 122_kpi_activity.sql — kpi.activity_day, the per-day sums behind kpi.active_customers, is kept by
-- the triggers of kpi.customer_activity (kpi.activity_day_apply): whatever a statement writes to
-- the interaction days — rows of new customers, of customers with days before and after, a
-- customer's every day or some of them, a day moved by an UPDATE, several statements in one
-- transaction, a TRUNCATE — the sums must equal their recomputation from the table
-- (kpi.activity_day_of(NULL)) row for row. Random statements with a fixed seed, against that
-- reference after each.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(10);

-- rows of kpi.activity_day its recomputation does not give, and the reverse
CREATE FUNCTION pg_temp.sums_off() RETURNS bigint LANGUAGE sql AS $$
    SELECT (SELECT count(*) FROM (SELECT * FROM kpi.activity_day EXCEPT ALL SELECT * FROM kpi.activity_day_of(NULL)) a)
         + (SELECT count(*) FROM (SELECT * FROM kpi.activity_day_of(NULL) EXCEPT ALL SELECT * FROM kpi.activity_day) b)
$$;
-- p_n random interaction days of customers 1..p_customers within 120 days of 2024-01-01
CREATE FUNCTION pg_temp.random_days(p_n int, p_customers int)
RETURNS TABLE (customer_key bigint, date date) LANGUAGE sql AS $$
    SELECT DISTINCT (1 + floor(random() * p_customers))::bigint, DATE '2024-01-01' + floor(random() * 120)::int
      FROM generate_series(1, p_n)
$$;
SELECT setseed(0.16) AS seeded \gset
TRUNCATE kpi.customer_activity;
SELECT is((SELECT count(*) FROM kpi.activity_day), 0::bigint, 'TRUNCATE of the interaction days empties their sums');

INSERT INTO kpi.customer_activity SELECT customer_key, date, true, false FROM pg_temp.random_days(3000, 200);
SELECT is(pg_temp.sums_off(), 0::bigint, 'a first fill: the sums are those of every day');
SELECT ok((SELECT sum(dau) FROM kpi.activity_day) = (SELECT count(*) FROM kpi.customer_activity)
          AND (SELECT sum(d7) FROM kpi.activity_day) = 0 AND (SELECT sum(d30) FROM kpi.activity_day) = 0,
          '… one dau per interaction day, and every window opened is closed');

INSERT INTO kpi.customer_activity SELECT n.customer_key, n.date, false, true FROM pg_temp.random_days(400, 260) n
ON CONFLICT DO NOTHING;
SELECT is(pg_temp.sums_off(), 0::bigint, 'days added around kept ones, and customers new to the table');

DELETE FROM kpi.customer_activity WHERE random() < 0.2;
SELECT is(pg_temp.sums_off(), 0::bigint, 'a fifth of the days deleted: the neighbours'' windows run on');

DELETE FROM kpi.customer_activity WHERE customer_key IN (SELECT customer_key FROM kpi.customer_activity WHERE random() < 0.05);
SELECT is(pg_temp.sums_off(), 0::bigint, 'customers'' every day deleted');

UPDATE kpi.customer_activity a SET date = a.date + 3
 WHERE random() < 0.1
   AND NOT EXISTS (SELECT 1 FROM kpi.customer_activity b WHERE b.customer_key = a.customer_key
                      AND b.date BETWEEN a.date + 1 AND a.date + 3);
SELECT is(pg_temp.sums_off(), 0::bigint, 'days moved by an UPDATE of the key');
UPDATE kpi.customer_activity SET by_wecom = NOT by_wecom WHERE random() < 0.1;
SELECT is(pg_temp.sums_off(), 0::bigint, 'an UPDATE that moves no day changes no sum');

-- the refresh's own statements: a keyed diff of some customers (delete, update, insert)
CREATE TEMP TABLE fresh AS
SELECT a.* FROM kpi.customer_activity a WHERE a.customer_key % 7 = 0 AND random() < 0.7
UNION
SELECT d.customer_key, d.date, true, false FROM pg_temp.random_days(300, 260) d WHERE d.customer_key % 7 = 0;
DELETE FROM fresh f USING fresh g
 WHERE (f.customer_key, f.date) = (g.customer_key, g.date) AND f.ctid < g.ctid;
CREATE TEMP TABLE scope AS SELECT DISTINCT customer_key FROM kpi.customer_activity WHERE customer_key % 7 = 0
                           UNION SELECT customer_key FROM fresh;
SELECT kpi.apply_rows('kpi.customer_activity', 'fresh', ARRAY['customer_key', 'date']::name[], 'scope', 'customer_key') >= 0 AS applied \gset
SELECT is(pg_temp.sums_off(), 0::bigint, 'kpi.apply_rows'' delete, update and insert of some customers');

DELETE FROM kpi.customer_activity;
SELECT is((SELECT count(*) FROM kpi.activity_day), 0::bigint, 'every day deleted: no sums left');

SELECT * FROM finish();
ROLLBACK;
