-- kpi/relationship_span.sql — staff↔customer relationship spans rebuilt from dw.fact_contact and
-- dw.fact_contact_event (a re-add opens a new span; history is kept)
--
-- Conventions for every kpi object (see each COMMENT ON):
--   * business dates come from the facts' date_key columns, or dw.date_key_of(ts) for times
--     that carry no date_key; weeks are ISO weeks (dw.dim_date.iso_year / iso_week / week_start);
--   * counts of customers are counts of distinct customer_key, never of relationship rows;
--   * rates are fractions (0.25 = 25 %), rounded to 6 decimals, NULL when the denominator is 0;
--   * money is integer fen (_fen) with a numeric(14,2) yuan twin (_yuan) beside it.

-- dw.fact_contact holds one row per (staff, customer) with the *latest* added_at/removed_at;
-- dw.fact_contact_event holds every add/remove the pipeline saw. The union of both, ordered
-- by time, gives the state changes of each relationship; consecutive equal states collapse
-- (add,add = still active), a leading remove (no known start) is dropped, an add and a remove
-- at the same instant are ordered add first (a zero-length span still counts as added and lost).
DROP MATERIALIZED VIEW IF EXISTS kpi.relationship_span CASCADE;
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
