-- 0015_qualifying_full_refund.sql — "not fully refunded" by amount as well as by status.
-- requires: functions/etl.resequence_orders.sql
--
-- DESIGN §5: a qualifying order is paid, not cancelled and not fully refunded. Platforms
-- do not always move an order to a refund status when its whole payment is refunded
-- (a completed Taobao trade whose every line was refunded), so an order whose refunds
-- cover what was paid is not qualifying whatever its status says. 0005's CHECK and 0014's
-- merge used the status alone; this widened both (the merge is now
-- functions/etl.merge_orders.sql), fixes rows already loaded and renumbers
-- the customers they belong to.

ALTER TABLE dw.fact_order DROP CONSTRAINT fact_order_is_qualifying_check;
CREATE TEMP TABLE mo_cust ON COMMIT DROP AS
SELECT DISTINCT customer_key FROM dw.fact_order
 WHERE is_qualifying AND refund_fen > 0 AND refund_fen >= paid_fen AND customer_key IS NOT NULL;
UPDATE dw.fact_order SET is_qualifying = false, order_seq = NULL, is_first_order = false
 WHERE is_qualifying AND refund_fen > 0 AND refund_fen >= paid_fen;
DO $$ BEGIN PERFORM etl.resequence_orders(NULL); END $$;
ALTER TABLE dw.fact_order ADD CONSTRAINT fact_order_is_qualifying_check
    CHECK (is_qualifying = (paid_at IS NOT NULL AND status NOT IN ('cancelled', 'refunded')
                            AND NOT (refund_fen > 0 AND refund_fen >= paid_fen)));
COMMENT ON COLUMN dw.fact_order.is_qualifying IS
    'Qualifying order for KPIs: paid_at IS NOT NULL, status not cancelled or refunded, and not fully refunded by amount (refund_fen > 0 AND refund_fen >= paid_fen); enforced by a check';
