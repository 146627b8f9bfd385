-- kpi.changed_customers — The customers whose qualifying orders may differ between two points of the change record
-- requires: functions/dw.date_key_of.sql functions/kpi.change_claim.sql
--
-- For a window of kpi.change_claim (change_ids after since_change up to until_change, the end
-- of observation moved from since_end to until_end): the customers the change record names
-- (every order inserted, deleted or updated in dw.fact_order — new, changed, refunded,
-- cancelled, moved to another customer by a merge: the old customer and the new), and those
-- of the qualifying orders paid between the old and the new end of observation, which it
-- now includes or no longer includes (either direction: an order the end of observation
-- left out or took in that changed since is in the record anyway); found through the
-- paid_date_key index with a day of margin each side. What every kpi table kept per
-- customer (kpi.refresh_by_customer) recomputes; O(change), never a scan of the facts.
CREATE OR REPLACE FUNCTION kpi.changed_customers(p_since_change bigint, p_until_change bigint,
                                                 p_since_end timestamptz, p_until_end timestamptz)
RETURNS SETOF bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    -- EXECUTE: planned with the values (a branch whose condition is false is not run at all)
    RETURN QUERY EXECUTE $q$
    SELECT c.customer_key
      FROM etl.fact_change c
     WHERE c.change_id > $1 AND c.change_id <= $2 AND c.customer_key IS NOT NULL
    UNION
    SELECT f.customer_key
      FROM dw.fact_order f
     WHERE $3 IS DISTINCT FROM $4 AND f.is_qualifying AND f.customer_key IS NOT NULL
       AND f.paid_at > least($3, $4) AND f.paid_at <= greatest($3, $4)
       AND (f.paid_date_key BETWEEN dw.date_key_of(least($3, $4) - interval '1 day')
                                AND dw.date_key_of(greatest($3, $4) + interval '1 day')
            OR f.paid_date_key IS NULL)
    $q$ USING p_since_change, p_until_change, p_since_end, p_until_end;
END
$fn$;
REVOKE ALL ON FUNCTION kpi.changed_customers(bigint, bigint, timestamptz, timestamptz) FROM PUBLIC;
COMMENT ON FUNCTION kpi.changed_customers(bigint, bigint, timestamptz, timestamptz) IS
  'The customers whose qualifying orders may have changed in a window of the change record (kpi.change_claim): those '
  'etl.fact_change names after p_since_change up to p_until_change, and those of the qualifying orders paid between the '
  'end of observation p_since_end and p_until_end (either direction). Used by kpi.refresh_by_customer.';
