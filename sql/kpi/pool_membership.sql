-- kpi/pool_membership.sql — spans of a customer's presence in a pool (contacts or groups),
-- merged per scope (total / staff / state), as-of and point-in-time
-- requires: kpi/relationship_span.sql
--
-- A customer is in the *contact* pool of a scope while at least one of their relationship spans
-- in that scope is active; in the *group* pool while at least one customer membership span of a
-- group in that scope is active. Overlapping or touching spans of one customer merge into one
-- membership (islands); each membership has an entry (new when membership_no = 1, reactivated
-- otherwise) and, once it ends, one exit (lost). Scopes:
--   total/all            every relationship (group: every group)
--   staff/<userid>       relationships with that staff member (group: groups the staff member owns now)
--   state/<code>         relationships whose channel code is <code> ('(none)' for NULL/empty); contact pool only
DROP MATERIALIZED VIEW IF EXISTS kpi.pool_membership CASCADE;
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
