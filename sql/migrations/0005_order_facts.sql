-- 0005_order_facts.sql — monthly range-partitioned order facts, and their partitions from
-- 2015 to three months ahead.
-- requires: functions/etl.ensure_fact_partitions.sql
--
-- Both facts are partitioned by created_at (the order's creation time, fixed at first
-- sight in dw.order_identity), so a row never moves between partitions and the primary
-- keys, which must contain the partition key, are (order_key[, line_no], created_at).

CREATE TABLE dw.fact_order (
    order_key      bigint NOT NULL REFERENCES dw.order_identity (order_key),
    created_at     timestamptz NOT NULL,
    customer_key   bigint REFERENCES dw.dim_customer (customer_key),
    channel_key    int NOT NULL REFERENCES dw.dim_channel (channel_key),
    paid_at        timestamptz,
    status         text NOT NULL CONSTRAINT fact_order_status_check
                   CHECK (status IN ('unpaid', 'paid', 'shipped', 'completed',
                                     'cancelled', 'refunding', 'refunded')),
    order_date_key int NOT NULL REFERENCES dw.dim_date (date_key),
    paid_date_key  int REFERENCES dw.dim_date (date_key),
    gross_fen      bigint NOT NULL CHECK (gross_fen >= 0),
    discount_fen   bigint NOT NULL CHECK (discount_fen >= 0),
    shipping_fen   bigint NOT NULL CHECK (shipping_fen >= 0),
    paid_fen       bigint NOT NULL CHECK (paid_fen >= 0),
    refund_fen     bigint NOT NULL CHECK (refund_fen >= 0),
    item_count     int NOT NULL CHECK (item_count >= 0),
    line_count     int NOT NULL CHECK (line_count >= 0),
    is_qualifying  boolean NOT NULL,
    order_seq      int CHECK (order_seq >= 1),
    is_first_order boolean NOT NULL DEFAULT false,
    source_version timestamptz NOT NULL,
    run_id         bigint NOT NULL,
    PRIMARY KEY (order_key, created_at),
    CONSTRAINT fact_order_is_qualifying_check
        CHECK (is_qualifying = (paid_at IS NOT NULL AND status NOT IN ('cancelled', 'refunded')))
) PARTITION BY RANGE (created_at);
CREATE INDEX fact_order_customer_key_idx ON dw.fact_order (customer_key, paid_at, order_key);
CREATE INDEX fact_order_channel_date_idx ON dw.fact_order (channel_key, order_date_key);
CREATE INDEX fact_order_paid_date_key_idx ON dw.fact_order (paid_date_key);

COMMENT ON TABLE dw.fact_order IS
    'Order fact, grain: one order (latest source version). Partitioned by month of created_at (fact_order_pYYYYMM, bounds at UTC midnight of the 1st; etl.ensure_fact_partitions adds months). '
    'Citus: when one node is outgrown, dimensions (dim_*, order_identity, customer_identity) become reference tables and fact_order / fact_order_line are distributed and co-located by order_key. '
    'Not by customer_key: customer merges re-point customer_key (and guests have none), and Citus cannot update a distribution column; order_key never changes, is in every fact primary key, and keeps an order''s lines on the order''s node, '
    'at the price that per-customer KPIs (order_seq, repurchase) repartition by customer_key.';
COMMENT ON COLUMN dw.fact_order.order_key IS 'The order (dw.order_identity)';
COMMENT ON COLUMN dw.fact_order.created_at IS 'Order creation time on the platform, fixed at first sight; partition key';
COMMENT ON COLUMN dw.fact_order.customer_key IS 'Buyer (dw.dim_customer); NULL = guest (no usable identifier); re-pointed on customer merges';
COMMENT ON COLUMN dw.fact_order.channel_key IS 'Channel (dw.dim_channel): platform and shop';
COMMENT ON COLUMN dw.fact_order.paid_at IS 'Payment time; NULL = never paid';
COMMENT ON COLUMN dw.fact_order.status IS 'Canonical status: unpaid, paid, shipped, completed, cancelled, refunding, refunded (partial refunds keep the status and carry refund_fen)';
COMMENT ON COLUMN dw.fact_order.order_date_key IS 'Business date of created_at, yyyymmdd in the business time zone (dw.dim_date)';
COMMENT ON COLUMN dw.fact_order.paid_date_key IS 'Business date of paid_at, yyyymmdd in the business time zone (dw.dim_date); NULL = unpaid';
COMMENT ON COLUMN dw.fact_order.gross_fen IS 'Sum over lines of quantity x unit price, in fen (1/100 yuan)';
COMMENT ON COLUMN dw.fact_order.discount_fen IS 'Order-level discount, in fen (line-level discounts are inside the line paid amounts)';
COMMENT ON COLUMN dw.fact_order.shipping_fen IS 'Shipping fee charged, in fen (header amount, not on lines)';
COMMENT ON COLUMN dw.fact_order.paid_fen IS 'Amount paid: sum of line paid plus shipping, in fen';
COMMENT ON COLUMN dw.fact_order.refund_fen IS 'Amount refunded so far, in fen';
COMMENT ON COLUMN dw.fact_order.item_count IS 'Sum of line quantities (pieces)';
COMMENT ON COLUMN dw.fact_order.line_count IS 'Number of order lines';
COMMENT ON COLUMN dw.fact_order.is_qualifying IS 'Qualifying order for KPIs: paid_at IS NOT NULL AND status NOT IN (cancelled, refunded); enforced by a check';
COMMENT ON COLUMN dw.fact_order.order_seq IS 'n-th qualifying order of the customer by (paid_at, order_key), from 1; NULL if not qualifying or guest';
COMMENT ON COLUMN dw.fact_order.is_first_order IS 'True for the customer''s first qualifying order (order_seq = 1)';
COMMENT ON COLUMN dw.fact_order.source_version IS 'Source version (platform modified time) of this row';
COMMENT ON COLUMN dw.fact_order.run_id IS 'The run (etl.run) that last wrote the row';

CREATE TABLE dw.fact_order_line (
    order_key      bigint NOT NULL REFERENCES dw.order_identity (order_key),
    created_at     timestamptz NOT NULL,
    line_no        int NOT NULL CHECK (line_no >= 1),
    product_key    bigint REFERENCES dw.dim_product (product_key),
    quantity       int NOT NULL CHECK (quantity > 0),
    unit_price_fen bigint NOT NULL CHECK (unit_price_fen >= 0),
    gross_fen      bigint NOT NULL CHECK (gross_fen >= 0),
    paid_fen       bigint NOT NULL CHECK (paid_fen >= 0),
    refund_fen     bigint NOT NULL CHECK (refund_fen >= 0),
    run_id         bigint NOT NULL,
    PRIMARY KEY (order_key, line_no, created_at)
) PARTITION BY RANGE (created_at);
CREATE INDEX fact_order_line_product_key_idx ON dw.fact_order_line (product_key);

COMMENT ON TABLE dw.fact_order_line IS
    'Order line fact, grain: one line of an order. Partitioned like dw.fact_order (fact_order_line_pYYYYMM). Header amounts (shipping, order discount) are on dw.fact_order only, so sums over lines never double-count';
COMMENT ON COLUMN dw.fact_order_line.order_key IS 'The order (dw.order_identity)';
COMMENT ON COLUMN dw.fact_order_line.created_at IS 'Creation time of the order (same as dw.fact_order.created_at); partition key';
COMMENT ON COLUMN dw.fact_order_line.line_no IS 'Line number 1..n within the order, in line identity (sku or source line number) order';
COMMENT ON COLUMN dw.fact_order_line.product_key IS 'Product (dw.dim_product)';
COMMENT ON COLUMN dw.fact_order_line.quantity IS 'Quantity (pieces), > 0';
COMMENT ON COLUMN dw.fact_order_line.unit_price_fen IS 'Unit list price, in fen';
COMMENT ON COLUMN dw.fact_order_line.gross_fen IS 'quantity x unit price, in fen';
COMMENT ON COLUMN dw.fact_order_line.paid_fen IS 'Amount paid allocated to the line, in fen (excludes shipping)';
COMMENT ON COLUMN dw.fact_order_line.refund_fen IS 'Amount refunded on the line, in fen';
COMMENT ON COLUMN dw.fact_order_line.run_id IS 'The run (etl.run) that last wrote the row';

-- DO, not SELECT: the file is sent in one PQexec and should end in a command, not rows.
DO $$
BEGIN
    PERFORM etl.ensure_fact_partitions('2015-01-01 00:00:00+00', now() + interval '3 months');
END
$$;
