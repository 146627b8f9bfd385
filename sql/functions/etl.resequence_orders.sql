-- etl.resequence_orders — Recomputes fact_order.order_seq / is_first_order and dim_customer.first_order_at for the …

-- requires: functions/etl.resequence_customers.sql
CREATE OR REPLACE FUNCTION etl.resequence_orders(p_run bigint)
RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM etl.resequence_customers(p_run, 'mo_cust');
END
$fn$;
COMMENT ON FUNCTION etl.resequence_orders(bigint) IS
    'Recomputes fact_order.order_seq / is_first_order and dim_customer.first_order_at for the customers in temp table mo_cust (etl.resequence_customers on mo_cust)';
