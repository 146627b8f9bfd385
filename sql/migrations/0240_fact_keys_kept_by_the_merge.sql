-- 0240_fact_keys_kept_by_the_merge.sql — the order facts' keys are kept by the merge and
-- proven by siyu check, not by a foreign-key trigger per row (issue 16).
--
-- dw.fact_order had five foreign keys (order_identity, dim_customer, dim_channel, dim_date
-- twice) and dw.fact_order_line two (order_identity, dim_product): PostgreSQL checks each
-- inserted row with one query per key, which cost two thirds of storing the facts (make
-- bench: the final rows of 100k orders load in 6.1 s without the checks, 20.1 s with them;
-- docs/performance.md). The only writer of the facts, etl.merge_orders, resolves every key
-- before it inserts: the order's identity row is inserted first, the customer by
-- dw.resolve_customers, the channel and product by joins to their dimensions, and the date
-- keys are checked against dw.dim_date for the whole batch in one statement before the
-- insert; dw.merge_customers re-points the facts before it deletes a merged-away customer.
-- siyu check (load/check.c: the relationships.fact_order.* and .fact_order_line.* checks) proves that
-- no fact row points at a missing key, and t0420 shows it finds one. A data warehouse
-- commonly declares such keys without enforcing them row by row; the columns' comments say
-- what each references. Every other foreign key stays (customer_identity's cascades on
-- update; the WeCom facts are not on this path).

ALTER TABLE dw.fact_order
    DROP CONSTRAINT fact_order_order_key_fkey,
    DROP CONSTRAINT fact_order_customer_key_fkey,
    DROP CONSTRAINT fact_order_channel_key_fkey,
    DROP CONSTRAINT fact_order_order_date_key_fkey,
    DROP CONSTRAINT fact_order_paid_date_key_fkey;
ALTER TABLE dw.fact_order_line
    DROP CONSTRAINT fact_order_line_order_key_fkey,
    DROP CONSTRAINT fact_order_line_product_key_fkey;

COMMENT ON COLUMN dw.fact_order.order_key IS 'The order (dw.order_identity; kept by etl.merge_orders, proven by siyu check: no foreign-key trigger)';
COMMENT ON COLUMN dw.fact_order.customer_key IS 'Buyer (dw.dim_customer); NULL = guest (no usable identifier); re-pointed on customer merges; kept by the merge, proven by siyu check';
COMMENT ON COLUMN dw.fact_order.channel_key IS 'Channel (dw.dim_channel): platform and shop; kept by the merge, proven by siyu check';
COMMENT ON COLUMN dw.fact_order.order_date_key IS 'Business date of created_at, yyyymmdd in the business time zone (dw.dim_date; checked by the merge, proven by siyu check)';
COMMENT ON COLUMN dw.fact_order.paid_date_key IS 'Business date of paid_at, yyyymmdd in the business time zone (dw.dim_date; checked by the merge, proven by siyu check); NULL = unpaid';
COMMENT ON COLUMN dw.fact_order_line.order_key IS 'The order (dw.order_identity; kept by etl.merge_orders, proven by siyu check: no foreign-key trigger)';
COMMENT ON COLUMN dw.fact_order_line.product_key IS 'Product (dw.dim_product; kept by the merge, proven by siyu check)';
