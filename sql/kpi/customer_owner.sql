-- kpi/customer_owner.sql — the staff member who owns each customer's WeCom relationship, and
-- the customer's groups: kpi.customer_owner, the building block of the action lists
-- (kpi.care_list, kpi.at_risk, kpi.audience_members).
--
-- The owner rule (docs/actions.md): of the customer's relationships (dw.fact_contact), an
-- active one before an ended one; among active ones the earliest added (the staff member who
-- brought the customer in keeps them when colleagues add them later); among ended ones the
-- latest ended (the last one who had them, to re-add). Ties by staff userid.
DROP MATERIALIZED VIEW IF EXISTS kpi.customer_owner CASCADE;
CREATE MATERIALIZED VIEW kpi.customer_owner AS
WITH rel AS (
    SELECT f.customer_key, f.staff_key, st.userid, st.name AS staff_name, f.added_at, f.removed_at,
           f.removed_by, f.remark, f.state,
           row_number() OVER (PARTITION BY f.customer_key
                              ORDER BY f.removed_at IS NOT NULL,
                                       CASE WHEN f.removed_at IS NULL THEN f.added_at END,
                                       f.removed_at DESC, st.userid) AS rank,
           count(*) FILTER (WHERE f.removed_at IS NULL) OVER (PARTITION BY f.customer_key) AS active_relationships,
           count(*) OVER (PARTITION BY f.customer_key)                                     AS relationships
      FROM dw.fact_contact f
      JOIN dw.dim_staff st USING (staff_key)
), owner AS (
    SELECT * FROM rel WHERE rank = 1
), grp AS (
    SELECT m.customer_key,
           array_agg(DISTINCT g.name ORDER BY g.name)
               FILTER (WHERE m.left_at IS NULL AND g.dismissed_at IS NULL)  AS groups
      FROM dw.fact_group_member m
      JOIN dw.dim_group g USING (group_key)
     WHERE m.member_type = 'customer'
     GROUP BY m.customer_key
), who AS (
    SELECT coalesce(o.customer_key, g.customer_key) AS customer_key
      FROM owner o FULL JOIN grp g USING (customer_key)
)
SELECT w.customer_key,
       o.staff_key,
       o.userid                                          AS staff_userid,
       coalesce(o.staff_name, o.userid)                  AS staff_name,
       x.external_userid,
       x.name                                            AS customer_name,
       o.remark,
       o.state                                           AS add_state,
       o.added_at,
       o.customer_key IS NOT NULL AND o.removed_at IS NULL AS relationship_active,
       o.removed_at                                      AS relationship_ended_at,
       o.removed_by                                      AS ended_by,
       coalesce(o.active_relationships, 0)::int          AS active_relationships,
       coalesce(o.relationships, 0)::int                 AS relationships,
       coalesce(o.active_relationships, 0) > 0           AS in_private_domain,
       coalesce(g.groups, '{}')                          AS groups,
       coalesce(cardinality(g.groups), 0) > 0            AS in_group,
       g.customer_key IS NOT NULL                        AS ever_in_group
  FROM who w
  LEFT JOIN owner o USING (customer_key)
  LEFT JOIN grp g USING (customer_key)
  -- the owner relationship's external_userid (the pair WeCom listed last), else the
  -- customer's earliest one (a customer merged from two WeCom contacts has several)
  LEFT JOIN LATERAL (
        SELECT wc.external_userid, wc.name
          FROM dw.wecom_customer wc
         WHERE wc.customer_key = w.customer_key
         ORDER BY EXISTS (SELECT 1 FROM etl.wecom_contact_snapshot sn
                           WHERE sn.userid = o.userid AND sn.external_userid = wc.external_userid) DESC,
                  wc.first_seen_at, wc.external_userid
         LIMIT 1) x ON true;

CREATE UNIQUE INDEX customer_owner_uq ON kpi.customer_owner (customer_key);
CREATE INDEX customer_owner_staff ON kpi.customer_owner (staff_userid);

COMMENT ON MATERIALIZED VIEW kpi.customer_owner IS
  'Building block of the action lists (care list, at-risk, audiences). Grain: one row per customer who ever had a WeCom '
  'relationship (dw.fact_contact) or joined a customer group; customers never seen in WeCom are not here (outside the private '
  'domain). The owner is the staff member of one relationship: an active relationship before an ended one; among active ones '
  'the earliest added (who brought the customer in keeps them when colleagues add them later); among ended ones the latest '
  'ended; ties by staff userid. relationship_active = that relationship is active now (false: every relationship ended, e.g. '
  'the customer deleted the staff member — re-add them); in_private_domain = any active relationship. As of the last refresh.';
COMMENT ON COLUMN kpi.customer_owner.customer_key IS 'Customer (dw.dim_customer), after merges.';
COMMENT ON COLUMN kpi.customer_owner.staff_key IS 'Owner (dw.dim_staff); NULL when the customer only joined groups.';
COMMENT ON COLUMN kpi.customer_owner.staff_userid IS 'Owner''s WeCom userid.';
COMMENT ON COLUMN kpi.customer_owner.staff_name IS 'Owner''s name from the address book (the userid when unknown).';
COMMENT ON COLUMN kpi.customer_owner.external_userid IS 'Customer''s WeCom external_userid: the one of the owner relationship, else the earliest seen.';
COMMENT ON COLUMN kpi.customer_owner.customer_name IS 'Customer''s WeChat or WeCom display name as last seen.';
COMMENT ON COLUMN kpi.customer_owner.remark IS 'The owner''s remark name for the customer (may hold a phone number typed by staff; siyu export masks it).';
COMMENT ON COLUMN kpi.customer_owner.add_state IS 'Channel code the owner relationship was added through; NULL when none.';
COMMENT ON COLUMN kpi.customer_owner.added_at IS 'When the owner added the customer (last add).';
COMMENT ON COLUMN kpi.customer_owner.relationship_active IS 'true when the owner relationship is active now.';
COMMENT ON COLUMN kpi.customer_owner.relationship_ended_at IS 'When the owner relationship ended; NULL while active.';
COMMENT ON COLUMN kpi.customer_owner.ended_by IS 'Who ended it: customer (deleted or blocked the staff member), staff, or unknown; NULL while active.';
COMMENT ON COLUMN kpi.customer_owner.active_relationships IS 'Active relationships of the customer, with any staff member.';
COMMENT ON COLUMN kpi.customer_owner.relationships IS 'Relationships ever (one per staff member; a re-add reuses its row).';
COMMENT ON COLUMN kpi.customer_owner.in_private_domain IS 'true when the customer has an active relationship with any staff member.';
COMMENT ON COLUMN kpi.customer_owner.groups IS 'Names of the customer groups the customer is a member of now (not dismissed), sorted; empty when none.';
COMMENT ON COLUMN kpi.customer_owner.in_group IS 'true when the customer is a member of a customer group now.';
COMMENT ON COLUMN kpi.customer_owner.ever_in_group IS 'true when the customer ever joined a customer group.';
