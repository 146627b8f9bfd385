-- 0007_staging.sql — template of the per-run COPY target of order lines.
--
-- The loader creates `staging.order_line_r<run_id>` with
-- `CREATE UNLOGGED TABLE ... (LIKE staging.order_line_in)` and COPYs into it in this
-- column order (docs/schema.md "schema staging"). No constraints: validation happened in C,
-- and the merge into dw checks the rest.

CREATE UNLOGGED TABLE staging.order_line_in (
    src_row            bigint,
    platform           text,
    shop_id            text,
    shop_name          text,
    order_no           text,
    line_no            int,
    line_id            text,
    status             text,
    created_at         timestamptz,
    paid_at            timestamptz,
    updated_at         timestamptz,
    buyer_id           text,
    buyer_unionid      text,
    phone_hash         text,
    phone_masked       text,
    sku                text,
    product_title      text,
    quantity           int,
    unit_price_fen     bigint,
    line_gross_fen     bigint,
    line_paid_fen      bigint,
    line_refund_fen    bigint,
    shipping_fen       bigint,
    order_discount_fen bigint
);
COMMENT ON TABLE staging.order_line_in IS
    'Template (UNLOGGED, always empty) of the per-run COPY target staging.order_line_r<run_id>: one canonical order line per row, columns in COPY order; order header fields repeat on each line';
COMMENT ON COLUMN staging.order_line_in.src_row IS 'Input record number within the run (for rejects and ordering)';
COMMENT ON COLUMN staging.order_line_in.platform IS 'Platform name (dw.dim_channel.platform)';
COMMENT ON COLUMN staging.order_line_in.shop_id IS 'Shop id on the platform';
COMMENT ON COLUMN staging.order_line_in.shop_name IS 'Shop name';
COMMENT ON COLUMN staging.order_line_in.order_no IS 'Platform order number, as text';
COMMENT ON COLUMN staging.order_line_in.line_no IS 'Line number 1..n within the order, in line_id order';
COMMENT ON COLUMN staging.order_line_in.line_id IS 'Line identity within the order: sku, or the source line number as text';
COMMENT ON COLUMN staging.order_line_in.status IS 'Canonical order status (unpaid, paid, shipped, completed, cancelled, refunding, refunded)';
COMMENT ON COLUMN staging.order_line_in.created_at IS 'Order creation time';
COMMENT ON COLUMN staging.order_line_in.paid_at IS 'Payment time; NULL = unpaid';
COMMENT ON COLUMN staging.order_line_in.updated_at IS 'Platform modified time of the order: the source version';
COMMENT ON COLUMN staging.order_line_in.buyer_id IS 'Platform buyer id (customer_identity id_type buyer_id)';
COMMENT ON COLUMN staging.order_line_in.buyer_unionid IS 'WeChat unionid of the buyer, if the platform gives it';
COMMENT ON COLUMN staging.order_line_in.phone_hash IS 'Hex HMAC-SHA256 of the buyer phone number';
COMMENT ON COLUMN staging.order_line_in.phone_masked IS 'Masked buyer phone, e.g. 138****1234';
COMMENT ON COLUMN staging.order_line_in.sku IS 'Platform SKU id';
COMMENT ON COLUMN staging.order_line_in.product_title IS 'Product title';
COMMENT ON COLUMN staging.order_line_in.quantity IS 'Quantity (pieces)';
COMMENT ON COLUMN staging.order_line_in.unit_price_fen IS 'Unit list price, in fen';
COMMENT ON COLUMN staging.order_line_in.line_gross_fen IS 'quantity x unit price, in fen';
COMMENT ON COLUMN staging.order_line_in.line_paid_fen IS 'Amount paid allocated to the line, in fen';
COMMENT ON COLUMN staging.order_line_in.line_refund_fen IS 'Amount refunded on the line, in fen';
COMMENT ON COLUMN staging.order_line_in.shipping_fen IS 'Order shipping fee, in fen (header amount, repeated on each line)';
COMMENT ON COLUMN staging.order_line_in.order_discount_fen IS 'Order-level discount, in fen (header amount, repeated on each line)';
