-- kpi/audience.sql — audiences defined once (etl.audience, from [audience.NAME] sections of
-- pipeline.conf) and their members, refreshed each night: kpi.audience_members (a view over
-- the kept rows, kpi.audience_member_rows) and kpi.audience (the definitions with their
-- member counts, for BI readers)
-- requires: kpi/customer_value.sql kpi/customer_owner.sql kpi/customer_orders.sql
-- requires: functions/etl.comment_columns_like.sql functions/etl.drop_kpi_relation.sql
--
-- The members are kept without the date they are as of: a materialized view of the rows
-- (kpi.audience_member_rows) and a one-row one of the refresh's business date
-- (kpi.audience_refreshed), joined by the view readers use (kpi.audience_members). With the
-- date in every row, each day's REFRESH … CONCURRENTLY found every member changed and wrote
-- them all again (220k rows at 1M orders for the example audience); now it writes the members
-- that joined, left or changed.
SELECT etl.drop_kpi_relation('kpi.audience_members');  -- the materialized view of earlier versions, or this view
DROP MATERIALIZED VIEW IF EXISTS kpi.audience_refreshed CASCADE;
CREATE MATERIALIZED VIEW kpi.audience_refreshed AS
SELECT kpi.business_date() AS refreshed_on;
CREATE UNIQUE INDEX audience_refreshed_uq ON kpi.audience_refreshed (refreshed_on);

DROP MATERIALIZED VIEW IF EXISTS kpi.audience_member_rows CASCADE;
CREATE MATERIALIZED VIEW kpi.audience_member_rows AS
-- Every candidate's attributes are joined per customer first (hash joins on customer_key),
-- materialized, and the audiences' criteria applied last: the planner cannot estimate how
-- many candidates the criteria keep, and with the joins after them it guessed one row and
-- re-aggregated the platforms, states and tags once per candidate (quadratic: 166 s for
-- 8,000 customers, make bench; docs/performance.md).
WITH tags AS (           -- tags on active relationships
    SELECT b.customer_key, array_agg(DISTINCT t.name) AS names
      FROM dw.bridge_customer_tag b
      JOIN dw.dim_tag t USING (tag_key)
      JOIN dw.fact_contact f ON f.staff_key = b.staff_key AND f.customer_key = b.customer_key
     WHERE b.valid_to IS NULL AND t.deleted_at IS NULL AND f.removed_at IS NULL
     GROUP BY b.customer_key
), states AS (
    SELECT customer_key, array_agg(DISTINCT state) AS codes
      FROM dw.fact_contact WHERE state <> '' GROUP BY customer_key
), person AS MATERIALIZED (  -- buyers and WeCom customers, with everything the criteria read
    SELECT coalesce(v.customer_key, o.customer_key) AS customer_key, v.segment_code, v.orders,
           v.net_paid_fen, date_trunc('month', v.first_order_date)::date AS first_order_month,
           coalesce(o.in_group, false) AS in_group, coalesce(o.ever_in_group, false) AS ever_in_group,
           t.names AS tags, s.codes AS states, co.platforms,
           o.staff_userid, o.staff_name, o.external_userid, o.customer_name, o.remark,
           o.relationship_active, o.ended_by, o.in_private_domain
      FROM kpi.customer_value v
      FULL JOIN kpi.customer_owner o USING (customer_key)
      LEFT JOIN tags t ON t.customer_key = coalesce(v.customer_key, o.customer_key)
      LEFT JOIN states s ON s.customer_key = coalesce(v.customer_key, o.customer_key)
      LEFT JOIN kpi.customer_orders co ON co.customer_key = v.customer_key   -- kept: the platforms
)
SELECT a.name                                           AS audience,
       p.customer_key,
       p.segment_code,
       coalesce(p.orders, 0)::bigint                    AS orders,
       coalesce(p.net_paid_fen, 0)::bigint              AS net_paid_fen,
       (coalesce(p.net_paid_fen, 0) / 100.0)::numeric(14,2) AS net_paid_yuan,
       p.first_order_month,
       p.staff_userid,
       p.staff_name,
       p.external_userid,
       p.customer_name,
       p.remark,
       coalesce(p.relationship_active, false)           AS relationship_active,
       p.ended_by,
       coalesce(p.in_private_domain, false)             AS in_private_domain,
       p.in_group
  FROM etl.audience a
  JOIN person p
    ON (a.segments IS NULL OR p.segment_code = ANY (a.segments))
   AND (a.first_order_month IS NULL OR p.first_order_month = a.first_order_month)
   AND (a.min_orders IS NULL OR p.orders >= a.min_orders)
   AND (a.min_paid_fen IS NULL OR p.net_paid_fen >= a.min_paid_fen)
   AND CASE a.in_group WHEN 'yes' THEN p.in_group WHEN 'no' THEN NOT p.in_group
                       WHEN 'never' THEN NOT p.ever_in_group ELSE true END
   AND (a.tags IS NULL OR p.tags && a.tags)
   AND (a.states IS NULL OR p.states && a.states)
   AND (a.platforms IS NULL OR p.platforms && a.platforms);

CREATE UNIQUE INDEX audience_member_rows_uq ON kpi.audience_member_rows (audience, customer_key);
CREATE INDEX audience_member_rows_staff ON kpi.audience_member_rows (audience, staff_userid);

CREATE VIEW kpi.audience_members AS
SELECT m.*, r.refreshed_on
  FROM kpi.audience_member_rows m
  CROSS JOIN kpi.audience_refreshed r;

CREATE OR REPLACE VIEW kpi.audience AS
SELECT a.name, a.title, a.segments, a.tags, a.states, a.platforms, a.first_order_month,
       a.min_orders, a.min_paid_fen, (a.min_paid_fen / 100.0)::numeric(14,2) AS min_paid_yuan, a.in_group, a.push_tag, a.message IS NOT NULL AS has_message,
       (SELECT count(*) FROM kpi.audience_members m WHERE m.audience = a.name)                  AS members,
       (SELECT count(*) FROM kpi.audience_members m
         WHERE m.audience = a.name AND m.relationship_active)                                  AS reachable_members,
       a.updated_at
  FROM etl.audience a;

COMMENT ON VIEW kpi.audience_members IS
  'Members of each audience (etl.audience, defined once in pipeline.conf [audience.NAME]), evaluated at every refresh: a '
  'definition changed in pipeline.conf takes effect at the next siyu run. Grain: one row per (audience, customer). Candidates '
  'are customers with a qualifying order (kpi.customer_value) or seen in WeCom (kpi.customer_owner); every criterion the '
  'audience sets must hold: segment (RFM segment code), tag (a WeCom corporate tag by name on an active relationship), state '
  '(a relationship added through the channel code), platform (a qualifying order in a shop of the platform), '
  'first_order_month, min_orders (qualifying orders), min_paid (net paid), in_group (yes: in a customer group now; no: not in '
  'one now; never: never joined one). With the owner (kpi.customer_owner) siyu push tags and siyu export lists.';
COMMENT ON VIEW kpi.audience IS
  'Audience definitions (pipeline.conf [audience.NAME], copied into etl.audience by siyu migrate and siyu run) with their '
  'member counts at the last refresh. Grain: one row per audience. NULL criteria do not restrict.';
DO $$
DECLARE c record;
BEGIN
  FOR c IN SELECT * FROM (VALUES
    ('audience', 'Audience name ([audience.NAME] of pipeline.conf).'),
    ('customer_key', 'Customer (dw.dim_customer), after merges.'),
    ('segment_code', 'RFM segment (kpi.customer_value); NULL without a qualifying order.'),
    ('orders', 'Qualifying orders.'),
    ('net_paid_fen', 'Total paid net of refunds, fen.'),
    ('net_paid_yuan', 'net_paid_fen in yuan.'),
    ('first_order_month', 'Month (first day) of the first qualifying order.'),
    ('relationship_active', 'true when the owner relationship is active now: siyu push can tag it.')
  ) t(col, txt) LOOP
    EXECUTE format('COMMENT ON COLUMN kpi.audience_members.%I IS %L', c.col, c.txt);
  END LOOP;
  FOR c IN SELECT * FROM (VALUES
    ('name', 'Audience name ([audience.NAME]).'),
    ('title', 'Display title.'),
    ('segments', 'RFM segment codes the customer''s segment is one of; NULL = any.'),
    ('tags', 'WeCom tag names, one of them on an active relationship; NULL = any.'),
    ('states', 'Channel codes a relationship was added through; NULL = any.'),
    ('platforms', 'Platforms with a qualifying order; NULL = any.'),
    ('first_order_month', 'Month of the first qualifying order; NULL = any.'),
    ('min_orders', 'Minimum qualifying orders; NULL = none.'),
    ('min_paid_fen', 'Minimum total paid net of refunds, fen; NULL = none.'),
    ('min_paid_yuan', 'min_paid_fen in yuan.'),
    ('in_group', 'any, yes (in a customer group now), no (not now) or never (never joined one).'),
    ('push_tag', 'WeCom corporate tag siyu push writes on the members'' owner relationships; NULL = not pushed.'),
    ('has_message', 'true when siyu push also creates a group-message task per staff member.'),
    ('members', 'Members at the last refresh.'),
    ('reachable_members', 'Members whose owner relationship is active (siyu push can tag them).'),
    ('updated_at', 'When the definition last changed.')
  ) t(col, txt) LOOP
    EXECUTE format('COMMENT ON COLUMN kpi.audience.%I IS %L', c.col, c.txt);
  END LOOP;
END
$$;
SELECT etl.comment_columns_like('kpi.audience_members', 'kpi.customer_owner');   -- the owner columns
COMMENT ON MATERIALIZED VIEW kpi.audience_member_rows IS
  'The rows of kpi.audience_members without refreshed_on, kept by kpi.refresh() (a member unchanged since the last refresh '
  'is not written again). Grain: one row per (audience, customer). Read kpi.audience_members.';
SELECT etl.comment_columns_like('kpi.audience_member_rows', 'kpi.audience_members');
COMMENT ON MATERIALIZED VIEW kpi.audience_refreshed IS
  'The business date of the last kpi.refresh(), which kpi.audience_members reports as refreshed_on. Grain: one row.';
COMMENT ON COLUMN kpi.audience_refreshed.refreshed_on IS
  'Business date of the refresh the membership is as of (kpi.business_date() when kpi.refresh() ran).';
SELECT etl.comment_columns_like('kpi.audience_members', 'kpi.audience_refreshed');   -- refreshed_on
