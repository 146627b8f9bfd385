-- 0100_kpi_base.sql — building blocks of the kpi schema and kpi.refresh()
--
-- Contents
--   kpi.business_date()        current business date (the configured zone, etl.setting 'timezone')
--   kpi.relationship_span      staff↔customer relationship spans rebuilt from dw.fact_contact and
--                              dw.fact_contact_event (a re-add opens a new span; history is kept)
--   kpi.pool_membership        spans of a customer's presence in a pool (contacts or groups),
--                              merged per scope (total / staff / state), as-of and point-in-time
--   kpi.refresh()              refreshes every materialized view of kpi in dependency order
--
-- Conventions for every kpi object (see each COMMENT ON):
--   * business dates come from the facts' date_key columns, or dw.date_key_of(ts) for times
--     that carry no date_key; weeks are ISO weeks (dw.dim_date.iso_year / iso_week / week_start);
--   * counts of customers are counts of distinct customer_key, never of relationship rows;
--   * rates are fractions (0.25 = 25 %), rounded to 6 decimals, NULL when the denominator is 0;
--   * money is integer fen (_fen) with a numeric(14,2) yuan twin (_yuan) beside it.
-- The migration runner wraps this file in one transaction.

CREATE SCHEMA IF NOT EXISTS kpi;
SET LOCAL jit = off;   -- populating the views plans over every monthly partition; JIT would only add seconds
GRANT USAGE ON SCHEMA kpi TO bi_reader;

-- ---------------------------------------------------------------------------------------------
-- kpi.business_date(): today in the business time zone
-- ---------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION kpi.business_date(ts timestamptz DEFAULT now())
RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT to_date(dw.date_key_of(ts)::text, 'YYYYMMDD') $$;
ALTER FUNCTION kpi.business_date(timestamptz) OWNER TO siyu_writer;
GRANT EXECUTE ON FUNCTION kpi.business_date(timestamptz) TO bi_reader;
COMMENT ON FUNCTION kpi.business_date(timestamptz) IS
  'Business date (date in the zone configured in etl.setting ''timezone'') of ts, default now(). '
  'Materialized views evaluate it at refresh time: "today" of a kpi view is the business date of its last kpi.refresh().';

-- ---------------------------------------------------------------------------------------------
-- kpi.business_zone() / kpi.local_date_key(): dw.date_key_of() for millions of rows
-- ---------------------------------------------------------------------------------------------
-- dw.date_key_of(ts) is the definition of a business date, but as a SECURITY DEFINER function
-- it cannot be inlined: ~13 µs a call, seconds per refresh on a million rows. The views read
-- the zone once (kpi.business_zone(), the same lookup and default as dw.date_key_of) and apply
-- kpi.local_date_key(ts, zone), an inlinable expression; 100_kpi_catalog.sql checks that both
-- give the same date keys.
CREATE OR REPLACE FUNCTION kpi.business_zone()
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce((SELECT value FROM etl.setting WHERE key = 'timezone'), 'Asia/Shanghai') $$;
ALTER FUNCTION kpi.business_zone() OWNER TO siyu_writer;
REVOKE ALL ON FUNCTION kpi.business_zone() FROM PUBLIC;
COMMENT ON FUNCTION kpi.business_zone() IS
  'Business time zone: etl.setting ''timezone'', default Asia/Shanghai — the same lookup as dw.date_key_of(). '
  'Reads etl, so only the owner (the materialized views at refresh) can call it.';

CREATE OR REPLACE FUNCTION kpi.local_date_key(ts timestamptz, zone text)
RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (extract(year FROM ts AT TIME ZONE zone) * 10000
             + extract(month FROM ts AT TIME ZONE zone) * 100
             + extract(day FROM ts AT TIME ZONE zone))::int $$;
ALTER FUNCTION kpi.local_date_key(timestamptz, text) OWNER TO siyu_writer;
GRANT EXECUTE ON FUNCTION kpi.local_date_key(timestamptz, text) TO bi_reader;
COMMENT ON FUNCTION kpi.local_date_key(timestamptz, text) IS
  'yyyymmdd of ts in the given zone (NULL for NULL); with zone = kpi.business_zone() it equals dw.date_key_of(ts). '
  'Inlinable, so views can apply it to millions of rows.';

-- ---------------------------------------------------------------------------------------------
-- kpi.relationship_span
-- ---------------------------------------------------------------------------------------------
-- dw.fact_contact holds one row per (staff, customer) with the *latest* added_at/removed_at;
-- dw.fact_contact_event holds every add/remove the pipeline saw. The union of both, ordered
-- by time, gives the state changes of each relationship; consecutive equal states collapse
-- (add,add = still active), a leading remove (no known start) is dropped, an add and a remove
-- at the same instant are ordered add first (a zero-length span still counts as added and lost).
CREATE MATERIALIZED VIEW kpi.relationship_span AS
WITH transition AS (
    SELECT staff_key, customer_key, 0 AS kind, added_at AS at, NULL::text AS removed_by
      FROM dw.fact_contact
    UNION ALL
    SELECT staff_key, customer_key, 1, removed_at, coalesce(removed_by, 'unknown')
      FROM dw.fact_contact WHERE removed_at IS NOT NULL
    UNION ALL
    SELECT staff_key, customer_key, CASE event_type WHEN 'add' THEN 0 ELSE 1 END, occurred_at,
           CASE WHEN event_type = 'remove' THEN coalesce(removed_by, 'unknown') END
      FROM dw.fact_contact_event
), dedup AS (           -- the same change seen by snapshot and by event: keep one, prefer a known remover
    SELECT DISTINCT ON (staff_key, customer_key, kind, at) staff_key, customer_key, kind, at, removed_by
      FROM transition
     ORDER BY staff_key, customer_key, kind, at, (removed_by = 'unknown') NULLS FIRST
), change AS (          -- keep state changes only; "no previous row" counts as removed
    SELECT *, lag(kind) OVER (PARTITION BY staff_key, customer_key ORDER BY at, kind) AS prev_kind
      FROM dedup
), spans AS (
    SELECT staff_key, customer_key, kind, at AS started_at,
           lead(at)         OVER w AS ended_at,
           lead(removed_by) OVER w AS ended_by,
           row_number()     OVER w AS change_no
      FROM change
     WHERE kind <> coalesce(prev_kind, 1)
    WINDOW w AS (PARTITION BY staff_key, customer_key ORDER BY at, kind)
)
SELECT s.staff_key,
       s.customer_key,
       ((s.change_no + 1) / 2)::int           AS span_no,
       s.started_at,
       s.ended_at,
       s.ended_by,
       kpi.local_date_key(s.started_at, z.zone) AS started_date_key,
       kpi.local_date_key(s.ended_at, z.zone)   AS ended_date_key,
       c.state,
       c.add_way
  FROM spans s
  CROSS JOIN (SELECT kpi.business_zone() AS zone OFFSET 0) z
  LEFT JOIN dw.fact_contact c USING (staff_key, customer_key)
 WHERE s.kind = 0;

CREATE UNIQUE INDEX relationship_span_uq ON kpi.relationship_span (staff_key, customer_key, span_no);
CREATE INDEX relationship_span_customer ON kpi.relationship_span (customer_key, started_at);
ALTER MATERIALIZED VIEW kpi.relationship_span OWNER TO siyu_writer;
GRANT SELECT ON kpi.relationship_span TO bi_reader;

COMMENT ON MATERIALIZED VIEW kpi.relationship_span IS
  'Building block. Grain: one row per span during which a staff member and a customer were connected on WeCom '
  '(a re-add after a delete opens span 2, 3, …). Rebuilt from dw.fact_contact (latest added_at/removed_at) united with '
  'dw.fact_contact_event (every observed add/remove), so a re-add does not erase the earlier span. Rules: the same change '
  'seen twice (same kind and time) counts once; consecutive adds without a remove are one span; a remove with no add before '
  'it (start unknown) is ignored (the loader writes an add event for every relationship it inserts, so this only loses the first span of a '
  're-added relationship loaded without events); an add and a remove at the same instant make a zero-length span (added and lost, never '
  'vanished). state/add_way are the relationship''s current values in dw.fact_contact (the source keeps one per relationship), '
  'so an earlier span of a re-added relationship is attributed to the current state. No rows are filtered out otherwise.';
COMMENT ON COLUMN kpi.relationship_span.staff_key IS 'Staff member (dw.dim_staff).';
COMMENT ON COLUMN kpi.relationship_span.customer_key IS 'Customer (dw.dim_customer), after merges.';
COMMENT ON COLUMN kpi.relationship_span.span_no IS '1 for the first span of this staff↔customer relationship, 2 after the first re-add, …';
COMMENT ON COLUMN kpi.relationship_span.started_at IS 'When the relationship (re)started: the add time.';
COMMENT ON COLUMN kpi.relationship_span.ended_at IS 'When it ended (delete by either side); NULL = still active.';
COMMENT ON COLUMN kpi.relationship_span.ended_by IS 'Who ended it: staff, customer or unknown; NULL while active.';
COMMENT ON COLUMN kpi.relationship_span.started_date_key IS 'Business date (yyyymmdd, configured zone) of started_at.';
COMMENT ON COLUMN kpi.relationship_span.ended_date_key IS 'Business date (yyyymmdd, configured zone) of ended_at; NULL while active.';
COMMENT ON COLUMN kpi.relationship_span.state IS 'Channel code (活码 state) of the relationship, as currently stored in dw.fact_contact; NULL = none.';
COMMENT ON COLUMN kpi.relationship_span.add_way IS 'WeCom add_way of the relationship, as currently stored in dw.fact_contact.';

-- ---------------------------------------------------------------------------------------------
-- kpi.pool_membership
-- ---------------------------------------------------------------------------------------------
-- A customer is in the *contact* pool of a scope while at least one of their relationship spans
-- in that scope is active; in the *group* pool while at least one customer membership span of a
-- group in that scope is active. Overlapping or touching spans of one customer merge into one
-- membership (islands); each membership has an entry (new when membership_no = 1, reactivated
-- otherwise) and, once it ends, one exit (lost). Scopes:
--   total/all            every relationship (group: every group)
--   staff/<userid>       relationships with that staff member (group: groups the staff member owns now)
--   state/<code>         relationships whose channel code is <code> ('(none)' for NULL/empty); contact pool only
CREATE MATERIALIZED VIEW kpi.pool_membership AS
WITH scoped AS (
    SELECT 'contact'::text AS pool, 'total'::text AS dimension, 'all'::text AS dimension_value,
           NULL::int AS staff_key, r.customer_key, r.started_at, r.ended_at
      FROM kpi.relationship_span r
    UNION ALL
    SELECT 'contact', 'staff', st.userid, r.staff_key, r.customer_key, r.started_at, r.ended_at
      FROM kpi.relationship_span r JOIN dw.dim_staff st USING (staff_key)
    UNION ALL
    SELECT 'contact', 'state', coalesce(nullif(r.state, ''), '(none)'), NULL, r.customer_key, r.started_at, r.ended_at
      FROM kpi.relationship_span r
    UNION ALL
    SELECT 'group', 'total', 'all', NULL, m.customer_key, m.joined_at,
           CASE WHEN coalesce(m.left_at, g.dismissed_at) IS NOT NULL   -- least/greatest skip NULLs
                THEN greatest(m.joined_at, least(m.left_at, g.dismissed_at)) END
      FROM dw.fact_group_member m JOIN dw.dim_group g USING (group_key)
     WHERE m.member_type = 'customer'
    UNION ALL
    SELECT 'group', 'staff', st.userid, g.owner_staff_key, m.customer_key, m.joined_at,
           CASE WHEN coalesce(m.left_at, g.dismissed_at) IS NOT NULL   -- least/greatest skip NULLs
                THEN greatest(m.joined_at, least(m.left_at, g.dismissed_at)) END
      FROM dw.fact_group_member m JOIN dw.dim_group g USING (group_key)
      JOIN dw.dim_staff st ON st.staff_key = g.owner_staff_key
     WHERE m.member_type = 'customer'
), ordered AS (
    SELECT *,
           max(coalesce(ended_at, 'infinity')) OVER (
               PARTITION BY pool, dimension, dimension_value, customer_key
               ORDER BY started_at, ended_at NULLS LAST
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
      FROM scoped
), island AS (
    SELECT *,
           count(*) FILTER (WHERE prev_end IS NULL OR started_at > prev_end) OVER (
               PARTITION BY pool, dimension, dimension_value, customer_key
               ORDER BY started_at, ended_at NULLS LAST
               ROWS UNBOUNDED PRECEDING) AS membership_no
      FROM ordered
), merged AS (
    SELECT pool, dimension, dimension_value, min(staff_key) AS staff_key, customer_key,
           membership_no::int AS membership_no,
           min(started_at) AS entered_at,
           nullif(max(coalesce(ended_at, 'infinity')), 'infinity') AS left_at
      FROM island
     GROUP BY pool, dimension, dimension_value, customer_key, membership_no
)
SELECT pool, dimension, dimension_value, staff_key, customer_key, membership_no,
       entered_at, left_at,
       kpi.local_date_key(entered_at, z.zone) AS entered_date_key,
       kpi.local_date_key(left_at, z.zone)    AS left_date_key
  FROM merged
  CROSS JOIN (SELECT kpi.business_zone() AS zone OFFSET 0) z;

CREATE UNIQUE INDEX pool_membership_uq
    ON kpi.pool_membership (pool, dimension, dimension_value, customer_key, membership_no);
CREATE INDEX pool_membership_asof
    ON kpi.pool_membership (pool, dimension, customer_key, entered_at) INCLUDE (left_at);
ALTER MATERIALIZED VIEW kpi.pool_membership OWNER TO siyu_writer;
GRANT SELECT ON kpi.pool_membership TO bi_reader;

COMMENT ON MATERIALIZED VIEW kpi.pool_membership IS
  'Building block of growth, lift and conversion. Grain: one row per continuous membership of a customer in a pool and scope. '
  'pool ''contact'' = the private-domain pool (≥ 1 active WeCom relationship, from kpi.relationship_span); pool ''group'' = '
  'customer members of customer groups (dw.fact_group_member with member_type = ''customer''; staff members are not customers and '
  'are excluded; a membership ends at left_at or at the group''s dismissed_at, whichever is first). Scope: dimension ''total'' '
  '(value ''all''), ''staff'' (value = dw.dim_staff.userid: relationships with that staff member, or groups that staff member owns '
  'now — a transferred group moves its whole history to the new owner), ''state'' (value = channel code of the relationship, '
  '''(none)'' when NULL or empty; contact pool only). Overlapping or touching spans of one customer in one scope merge into one '
  'membership, so a customer with several staff members counts once in total. Entries of membership_no = 1 are new customers, '
  'later ones reactivated customers; each left_at is one lost customer. Point in time: pool size at instant t = memberships with '
  'entered_at <= t and (left_at IS NULL or left_at > t), so a later churn never rewrites an earlier period.';
COMMENT ON COLUMN kpi.pool_membership.pool IS '''contact'' (private-domain pool: WeCom relationships) or ''group'' (customer group members).';
COMMENT ON COLUMN kpi.pool_membership.dimension IS 'Scope kind: ''total'', ''staff'' or ''state''.';
COMMENT ON COLUMN kpi.pool_membership.dimension_value IS 'Scope value: ''all'' for total, staff userid for staff, channel code (''(none)'' if absent) for state.';
COMMENT ON COLUMN kpi.pool_membership.staff_key IS 'dw.dim_staff key when dimension = ''staff''; NULL otherwise.';
COMMENT ON COLUMN kpi.pool_membership.customer_key IS 'Customer (dw.dim_customer), after merges.';
COMMENT ON COLUMN kpi.pool_membership.membership_no IS '1 = the customer''s first membership in this scope (a new customer); 2, 3, … = re-entries (reactivated).';
COMMENT ON COLUMN kpi.pool_membership.entered_at IS 'Start of the membership (earliest add / join among the merged spans).';
COMMENT ON COLUMN kpi.pool_membership.left_at IS 'End of the membership (the last active span ended); NULL = still a member.';
COMMENT ON COLUMN kpi.pool_membership.entered_date_key IS 'Business date (yyyymmdd) of entered_at.';
COMMENT ON COLUMN kpi.pool_membership.left_date_key IS 'Business date (yyyymmdd) of left_at; NULL while a member.';

-- ---------------------------------------------------------------------------------------------
-- kpi.refresh()
-- ---------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION kpi.refresh()
RETURNS TABLE (matview text, method text, seconds numeric)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off          -- JIT compiles thousands of functions for plans over ~300 monthly partitions: seconds lost, nothing won
SET work_mem = '256MB' -- the window sorts and hash aggregates of a nightly batch; keeps them in memory
AS $fn$
DECLARE
    mv  record;
    t0  timestamptz;
BEGIN
    -- Every materialized view of schema kpi, ordered so that each comes after every kpi
    -- materialized view it reads (directly or through plain views): depth = longest chain of
    -- kpi relations below it, found from the views' rewrite rules in pg_depend.
    FOR mv IN
        WITH RECURSIVE rel AS (
            SELECT c.oid, c.relname, c.relkind, c.relispopulated
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'kpi' AND c.relkind IN ('v', 'm')
        ), edge AS (       -- rel "child" reads rel "parent"
            SELECT DISTINCT r.ev_class AS child, d.refobjid AS parent
              FROM pg_rewrite r
              JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                              AND d.refclassid = 'pg_class'::regclass
             WHERE r.ev_class IN (SELECT oid FROM rel)
               AND d.refobjid IN (SELECT oid FROM rel)
               AND d.refobjid <> r.ev_class
        ), depth AS (
            SELECT oid, 0 AS depth FROM rel
            UNION ALL
            SELECT e.child, depth.depth + 1
              FROM depth JOIN edge e ON e.parent = depth.oid
             WHERE depth.depth < 100
        )
        SELECT rel.relname, rel.relispopulated, max(depth.depth) AS depth
          FROM rel JOIN depth USING (oid)
         WHERE rel.relkind = 'm'
         GROUP BY rel.relname, rel.relispopulated
         ORDER BY max(depth.depth), rel.relname
    LOOP
        t0 := clock_timestamp();
        IF mv.relispopulated THEN
            EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY kpi.%I', mv.relname);
            method := 'concurrently';
        ELSE
            EXECUTE format('REFRESH MATERIALIZED VIEW kpi.%I', mv.relname);
            method := 'plain';
        END IF;
        -- fresh statistics before the next view reads this one (autovacuum cannot see into
        -- this transaction; a first big load would otherwise be planned as if it were empty)
        EXECUTE format('ANALYZE kpi.%I', mv.relname);
        matview := 'kpi.' || mv.relname;
        seconds := round(extract(epoch FROM clock_timestamp() - t0)::numeric, 3);
        RETURN NEXT;
    END LOOP;
END
$fn$;
ALTER FUNCTION kpi.refresh() OWNER TO siyu_writer;
REVOKE ALL ON FUNCTION kpi.refresh() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kpi.refresh() TO siyu_writer;
COMMENT ON FUNCTION kpi.refresh() IS
  'Refreshes every materialized view of schema kpi, each after the kpi views it reads (order found from pg_depend, so a new '
  'matview needs no change here). Uses REFRESH … CONCURRENTLY when the view is populated (readers are never blocked), a plain '
  'REFRESH otherwise, then ANALYZEs it so that the views built on it are planned on fresh statistics. Runs with jit off and '
  'work_mem 256MB. Returns one row per view: name, method, seconds (refresh + analyze). Called by the nightly run after all sources are loaded; '
  'the caller must own the views (be a member of siyu_writer).';
