-- kpi/first_relationship.sql — each customer's first ever WeCom relationship, the cohort of
-- conversion and retention: kpi.first_relationship
-- requires: kpi/relationship_span.sql

CREATE OR REPLACE VIEW kpi.first_relationship AS
SELECT DISTINCT ON (r.customer_key)
       r.customer_key, r.staff_key, coalesce(nullif(r.state, ''), '(none)') AS state,
       r.started_at AS added_at, r.started_date_key AS added_date_key
  FROM kpi.relationship_span r
 ORDER BY r.customer_key, r.started_at, r.staff_key;

COMMENT ON VIEW kpi.first_relationship IS
  'The entry of each customer into the private domain. Grain: one row per customer who ever had a WeCom relationship: the '
  'first span of kpi.relationship_span (ties at the same instant go to the lower staff_key), whose staff member and channel '
  'code the customer is attributed to (first touch) by kpi.conversion and kpi.retention.';
COMMENT ON COLUMN kpi.first_relationship.customer_key IS 'Customer (dw.dim_customer), after merges.';
COMMENT ON COLUMN kpi.first_relationship.staff_key IS 'Staff member (dw.dim_staff) of the first relationship.';
COMMENT ON COLUMN kpi.first_relationship.state IS 'Channel code of the first relationship; ''(none)'' when NULL or empty.';
COMMENT ON COLUMN kpi.first_relationship.added_at IS 'When the first relationship started (the customer entered the private domain).';
COMMENT ON COLUMN kpi.first_relationship.added_date_key IS 'Business date yyyymmdd of added_at.';
