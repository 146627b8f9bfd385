-- 0245_fact_change.sql — the change record of the order facts, for the incremental KPI
-- refresh (issue 16 item 3).
--
-- etl.fact_change: which customers and which business dates of payment the order facts
-- changed, written by statement triggers on dw.fact_order (functions/kpi.fact_change_record.sql)
-- whoever the writer is (etl.merge_orders, dw.merge_customers, a resequence, a hand edit).
-- etl.change_mark: how far each consumer (a kpi relation that kpi.refresh() maintains) has
-- read it, and the end of observation it was brought up to. How a consumer reads and marks
-- it: functions/kpi.change_claim.sql and docs/performance.md ("The change record").
-- Both start empty: every consumer's first refresh after this migration is a full one.

CREATE SEQUENCE etl.fact_change_id AS bigint;
CREATE TABLE etl.fact_change (
    change_id     bigint  NOT NULL,
    customer_key  bigint,
    paid_date_key integer
);
-- no index: consumers read the rows after their mark, which is nearly all of a table that
-- kpi.refresh() prunes to what some consumer has not read yet; the writers stay cheap
COMMENT ON TABLE etl.fact_change IS
  'The change record of the order facts (dw.fact_order). Grain: one row per statement that wrote dw.fact_order '
  '(change_id, increasing with the statement) and distinct (customer_key, paid_date_key) of the rows it inserted, '
  'deleted or updated, the old and the new values of each updated row. Written by triggers (kpi.fact_change_record), '
  'read by the incremental refreshes through kpi.change_claim(consumer), pruned by kpi.refresh() once every consumer '
  'has read a row.';
COMMENT ON COLUMN etl.fact_change.change_id IS 'The writing statement (etl.fact_change_id): a consumer reads the change_ids after its mark up to the head kpi.change_claim gives.';
COMMENT ON COLUMN etl.fact_change.customer_key IS 'A customer of a written row (old or new value); NULL = a guest order.';
COMMENT ON COLUMN etl.fact_change.paid_date_key IS 'A business date of payment of a written row (old or new value), yyyymmdd; NULL = unpaid.';

CREATE TABLE etl.change_mark (
    consumer           text        PRIMARY KEY,
    change_id          bigint      NOT NULL,
    end_of_observation timestamptz,
    marked_at          timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE etl.change_mark IS
  'How far each consumer of etl.fact_change has read it. Grain: one row per consumer (the kpi relation it keeps, '
  'e.g. kpi.qualifying_order). Moved by kpi.change_claim in the consumer''s transaction: a refresh that rolls back '
  'leaves it where it was; a consumer without a row refreshes in full. Deleted by TRUNCATE of dw.fact_order.';
COMMENT ON COLUMN etl.change_mark.consumer IS 'The consumer: the name of the kpi relation it maintains (kpi.x).';
COMMENT ON COLUMN etl.change_mark.change_id IS 'Every etl.fact_change row up to this change_id is reflected in the consumer.';
COMMENT ON COLUMN etl.change_mark.end_of_observation IS 'kpi.end_of_observation(''orders'') the consumer was last brought up to.';
COMMENT ON COLUMN etl.change_mark.marked_at IS 'When the mark moved (the claiming transaction''s start).';
