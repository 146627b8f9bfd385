-- 0241_identity_keys_kept_by_the_merge.sql — the identities' keys are kept by their writers
-- and proven by siyu check, not by a foreign-key trigger per row (issue 16, after 0240).
--
-- A fresh import of 100k orders still fired 185,000 foreign-key checks after 0240 (make
-- bench with pg_stat_statements: one SELECT ... FOR KEY SHARE per inserted row), one per
-- dw.order_identity row (channel_key -> dw.dim_channel) and one per dw.customer_identity row
-- (customer_key -> dw.dim_customer); the floor loads the same rows without them. Their only
-- writers already guarantee them set-based:
--   * dw.order_identity is written by etl.merge_orders only, whose channel keys come from the
--     join to dw.dim_channel after the batch's channels are upserted (channels are never
--     deleted); siyu check proves it through the order's fact row
--     (relationships.fact_order.order_identity: same channel_key as its identity,
--     relationships.order_identity.fact_order: every identity has its fact row,
--     relationships.fact_order.channel_key: that channel exists);
--   * dw.customer_identity is written by dw.resolve_customers only, after it has inserted
--     the batch's new customers, and re-pointed by dw.merge_customers before it deletes a
--     merged-away customer (nothing updates dim_customer.customer_key, so the dropped
--     ON UPDATE CASCADE never fired); siyu check proves it
--     (relationships.customer_identity.customer_key; t0420 shows it finds an orphan).
-- Every other foreign key stays (the WeCom facts and bridges are not on this path).

ALTER TABLE dw.order_identity DROP CONSTRAINT order_identity_channel_key_fkey;
ALTER TABLE dw.customer_identity DROP CONSTRAINT customer_identity_customer_key_fkey;

COMMENT ON COLUMN dw.order_identity.channel_key IS 'Channel (dw.dim_channel): platform and shop of the order; kept by etl.merge_orders, proven by siyu check (no foreign-key trigger)';
COMMENT ON COLUMN dw.customer_identity.customer_key IS 'The customer (dw.dim_customer) the identifier belongs to; kept by dw.resolve_customers and dw.merge_customers, proven by siyu check (no foreign-key trigger)';
