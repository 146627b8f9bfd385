-- etl.resequence_customers — Recomputes fact_order.order_seq / is_first_order (n-th qualifying order by paid_at, order_key) …

CREATE OR REPLACE FUNCTION etl.resequence_customers(p_run bigint, p_customers regclass)
RETURNS bigint
LANGUAGE plpgsql AS $fn$
-- p_customers: a table (usually temp) with a column customer_key. Returns the number of
-- fact_order rows whose order_seq / is_first_order changed.
DECLARE
    v_changed bigint;
BEGIN
    DROP TABLE IF EXISTS rs_cust;
    EXECUTE format('CREATE TEMP TABLE rs_cust ON COMMIT DROP AS
                    SELECT DISTINCT customer_key FROM %s WHERE customer_key IS NOT NULL', p_customers);
    ANALYZE rs_cust;

    WITH seq AS (
        SELECT f.order_key, f.created_at, f.order_seq, f.is_first_order,
               CASE WHEN f.is_qualifying THEN
                   row_number() OVER (PARTITION BY f.customer_key, f.is_qualifying
                                      ORDER BY f.paid_at, f.order_key)::int
               END AS s
          FROM dw.fact_order f JOIN rs_cust c USING (customer_key))
    UPDATE dw.fact_order f
       SET order_seq = seq.s, is_first_order = COALESCE(seq.s = 1, false)
      FROM seq
     WHERE f.order_key = seq.order_key AND f.created_at = seq.created_at
       AND (seq.order_seq IS DISTINCT FROM seq.s
            OR seq.is_first_order IS DISTINCT FROM COALESCE(seq.s = 1, false));
    GET DIAGNOSTICS v_changed = ROW_COUNT;

    UPDATE dw.dim_customer d
       SET first_order_at = m.first_paid, updated_run_id = p_run
      FROM (SELECT c.customer_key, min(f.paid_at) FILTER (WHERE f.is_qualifying) AS first_paid
              FROM rs_cust c LEFT JOIN dw.fact_order f USING (customer_key)
             GROUP BY c.customer_key) m
     WHERE d.customer_key = m.customer_key
       AND d.first_order_at IS DISTINCT FROM m.first_paid;
    RETURN v_changed;
END
$fn$;
COMMENT ON FUNCTION etl.resequence_customers(bigint, regclass) IS
    'Recomputes fact_order.order_seq / is_first_order (n-th qualifying order by paid_at, order_key) and dim_customer.first_order_at for the customers listed in a table with a customer_key column; returns the number of orders renumbered';
