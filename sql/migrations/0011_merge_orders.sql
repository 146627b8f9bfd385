-- 0011_merge_orders.sql — set-based merge of one staged batch of order lines.
--
-- etl.merge_orders() runs inside a source's transaction after its COPY into a
-- per-run staging table (columns of staging.order_line_in). The rules (DESIGN §3):
--   * an order is (platform, shop_id, order_no) and its version is updated_at;
--   * within the batch the newest version wins and its lines are the order's lines
--     (a repeated line — same order, version and line_id — counts once);
--   * against the warehouse a newer version replaces the order and its lines, an
--     equal or older one changes nothing (a late page from an overlapping window);
--   * created_at is fixed at first sight: it is the facts' partition key, so an
--     order never moves between partitions.
-- Returns the counts the run records and the newest version seen (the watermark).

CREATE OR REPLACE FUNCTION etl.merge_orders(
    p_run bigint, p_staging regclass, p_source text,
    OUT inserted bigint, OUT updated bigint, OUT unchanged bigint,
    OUT merged_customers bigint, OUT max_version timestamptz)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_tz text := COALESCE((SELECT value FROM etl.setting WHERE key = 'timezone'), 'Asia/Shanghai');
    v_from timestamptz;
    v_to timestamptz;
BEGIN
    DROP TABLE IF EXISTS mo_line, mo_order, mo_cust, tmp_id_link;

    EXECUTE format($q$
        CREATE TEMP TABLE mo_line ON COMMIT DROP AS
        SELECT DISTINCT ON (s.platform, s.shop_id, s.order_no, s.line_id) s.*
          FROM %1$s s
          JOIN (SELECT platform, shop_id, order_no, max(updated_at) AS v
                  FROM %1$s GROUP BY 1, 2, 3) m
            ON (m.platform, m.shop_id, m.order_no, m.v)
             = (s.platform, s.shop_id, s.order_no, s.updated_at)
         ORDER BY s.platform, s.shop_id, s.order_no, s.line_id, s.src_row$q$, p_staging);
    EXECUTE format('SELECT max(updated_at) FROM %s', p_staging) INTO max_version;

    CREATE TEMP TABLE mo_order ON COMMIT DROP AS
    SELECT platform, shop_id, order_no,
           max(shop_name) AS shop_name,
           (array_agg(status ORDER BY src_row))[1] AS status,
           min(created_at) AS created_at,
           min(paid_at) AS paid_at,
           max(updated_at) AS updated_at,
           max(buyer_id) AS buyer_id,
           max(buyer_unionid) AS unionid,
           max(phone_hash) AS phone_hash,
           max(phone_masked) AS phone_masked,
           sum(line_gross_fen) AS gross_fen,
           COALESCE(max(order_discount_fen), 0) AS discount_fen,
           COALESCE(max(shipping_fen), 0) AS shipping_fen,
           sum(line_paid_fen) + COALESCE(max(shipping_fen), 0) AS paid_fen,
           sum(COALESCE(line_refund_fen, 0)) AS refund_fen,
           sum(quantity) AS item_count,
           count(*) AS line_count,
           NULL::int AS channel_key, NULL::bigint AS order_key, NULL::text AS action
      FROM mo_line
     GROUP BY platform, shop_id, order_no;
    CREATE INDEX ON mo_order (platform, shop_id, order_no);

    INSERT INTO dw.dim_channel (platform, shop_id, shop_name)
    SELECT platform, shop_id, max(shop_name) FROM mo_order GROUP BY platform, shop_id
    ON CONFLICT (platform, shop_id) DO UPDATE SET shop_name = EXCLUDED.shop_name
     WHERE EXCLUDED.shop_name IS NOT NULL
       AND EXCLUDED.shop_name IS DISTINCT FROM dw.dim_channel.shop_name;
    UPDATE mo_order o SET channel_key = c.channel_key
      FROM dw.dim_channel c WHERE (c.platform, c.shop_id) = (o.platform, o.shop_id);

    -- Classify against what the warehouse holds; keep the first-seen created_at.
    UPDATE mo_order o
       SET order_key = i.order_key,
           created_at = i.created_at,
           action = CASE WHEN o.updated_at > i.source_version THEN 'update' ELSE 'unchanged' END
      FROM dw.order_identity i
     WHERE (i.channel_key, i.order_no) = (o.channel_key, o.order_no);
    UPDATE mo_order SET action = 'insert' WHERE action IS NULL;

    WITH ins AS (
        INSERT INTO dw.order_identity (channel_key, order_no, created_at, source_version,
                                       first_run_id, last_run_id)
        SELECT channel_key, order_no, created_at, updated_at, p_run, p_run
          FROM mo_order WHERE action = 'insert'
        RETURNING order_key, channel_key, order_no)
    UPDATE mo_order o SET order_key = ins.order_key
      FROM ins WHERE (ins.channel_key, ins.order_no) = (o.channel_key, o.order_no);
    UPDATE dw.order_identity i SET source_version = o.updated_at, last_run_id = p_run
      FROM mo_order o WHERE o.action = 'update' AND i.order_key = o.order_key;

    SELECT count(*) FILTER (WHERE action = 'insert'),
           count(*) FILTER (WHERE action = 'update'),
           count(*) FILTER (WHERE action = 'unchanged')
      INTO inserted, updated, unchanged
      FROM mo_order;
    DELETE FROM mo_order WHERE action = 'unchanged';
    CREATE UNIQUE INDEX ON mo_order (order_key);
    ANALYZE mo_order;

    INSERT INTO dw.dim_product (channel_key, sku, title)
    SELECT o.channel_key, l.sku, max(l.product_title)
      FROM mo_line l JOIN mo_order o USING (platform, shop_id, order_no)
     GROUP BY o.channel_key, l.sku
    ON CONFLICT (channel_key, sku) DO UPDATE SET title = EXCLUDED.title
     WHERE EXCLUDED.title IS NOT NULL AND EXCLUDED.title IS DISTINCT FROM dw.dim_product.title;

    -- Identity: the buyer's identifiers on each changed order.
    CREATE TEMP TABLE tmp_id_link ON COMMIT DROP AS
    SELECT order_key AS rec, 'buyer_id'::text AS id_type, platform, buyer_id AS id_value,
           NULL::text AS display_value, created_at AS seen_at, platform AS source
      FROM mo_order WHERE buyer_id <> ''
    UNION ALL
    SELECT order_key, 'unionid', '', unionid, NULL, created_at, platform
      FROM mo_order WHERE unionid <> ''
    UNION ALL
    SELECT order_key, 'phone', '', phone_hash, phone_masked, created_at, platform
      FROM mo_order WHERE phone_hash <> '';

    -- Customers whose order sequence may change: those of the orders being
    -- replaced (their buyer may differ now) and those of the new versions.
    CREATE TEMP TABLE mo_cust ON COMMIT DROP AS
    SELECT DISTINCT f.customer_key
      FROM dw.fact_order f JOIN mo_order o ON o.order_key = f.order_key AND o.created_at = f.created_at
     WHERE f.customer_key IS NOT NULL;

    merged_customers := dw.resolve_customers(p_run, p_source);
    INSERT INTO mo_cust SELECT customer_key FROM tmp_rec_customer;
    INSERT INTO mo_cust SELECT into_key FROM tmp_merge;
    DELETE FROM mo_cust c WHERE NOT EXISTS
        (SELECT 1 FROM dw.dim_customer d WHERE d.customer_key = c.customer_key);

    SELECT min(created_at), max(created_at) INTO v_from, v_to FROM mo_order;
    IF v_from IS NOT NULL THEN
        PERFORM etl.ensure_fact_partitions(v_from, v_to);
    END IF;

    DELETE FROM dw.fact_order_line f USING mo_order o
     WHERE o.action = 'update' AND f.order_key = o.order_key AND f.created_at = o.created_at;
    DELETE FROM dw.fact_order f USING mo_order o
     WHERE o.action = 'update' AND f.order_key = o.order_key AND f.created_at = o.created_at;

    INSERT INTO dw.fact_order (order_key, created_at, customer_key, channel_key, paid_at, status,
                               order_date_key, paid_date_key, gross_fen, discount_fen,
                               shipping_fen, paid_fen, refund_fen, item_count, line_count,
                               is_qualifying, order_seq, is_first_order, source_version, run_id)
    SELECT o.order_key, o.created_at, rc.customer_key, o.channel_key, o.paid_at, o.status,
           to_char(o.created_at AT TIME ZONE v_tz, 'YYYYMMDD')::int,
           to_char(o.paid_at AT TIME ZONE v_tz, 'YYYYMMDD')::int,
           o.gross_fen, o.discount_fen, o.shipping_fen, o.paid_fen, o.refund_fen,
           o.item_count, o.line_count,
           -- qualifying: paid, not cancelled, not fully refunded (by status or by amount)
           o.paid_at IS NOT NULL AND o.status NOT IN ('cancelled', 'refunded')
               AND NOT (o.refund_fen > 0 AND o.refund_fen >= o.paid_fen),
           NULL, false, o.updated_at, p_run
      FROM mo_order o LEFT JOIN tmp_rec_customer rc ON rc.rec = o.order_key;

    INSERT INTO dw.fact_order_line (order_key, created_at, line_no, product_key, quantity,
                                    unit_price_fen, gross_fen, paid_fen, refund_fen, run_id)
    SELECT o.order_key, o.created_at,
           row_number() OVER (PARTITION BY o.order_key
                              ORDER BY l.line_no NULLS LAST, l.line_id)::int,
           p.product_key, l.quantity, l.unit_price_fen, l.line_gross_fen, l.line_paid_fen,
           COALESCE(l.line_refund_fen, 0), p_run
      FROM mo_line l
      JOIN mo_order o USING (platform, shop_id, order_no)
      JOIN dw.dim_product p ON (p.channel_key, p.sku) = (o.channel_key, l.sku);

    PERFORM etl.resequence_orders(p_run);
END
$fn$;

COMMENT ON FUNCTION etl.merge_orders(bigint, regclass, text) IS
    'Merges one staged batch of order lines (a table shaped like staging.order_line_in) into dw: newest version per order wins, older or equal versions change nothing, identities resolved, order_seq recomputed; returns inserted/updated/unchanged order counts, customers merged and the newest version seen';

CREATE OR REPLACE FUNCTION etl.resequence_orders(p_run bigint)
RETURNS void
LANGUAGE plpgsql AS $fn$
-- Recomputes order_seq / is_first_order and dim_customer.first_order_at for the
-- customers listed in temp table mo_cust(customer_key): the n-th qualifying
-- order by paid_at (ties by order_key), so late, updated and merged orders keep
-- every customer's sequence right.
BEGIN
    WITH seq AS (
        SELECT f.order_key, f.created_at,
               CASE WHEN f.is_qualifying THEN
                   row_number() OVER (PARTITION BY f.customer_key, f.is_qualifying
                                      ORDER BY f.paid_at, f.order_key)::int
               END AS s
          FROM dw.fact_order f
         WHERE f.customer_key IN (SELECT customer_key FROM mo_cust))
    UPDATE dw.fact_order f
       SET order_seq = seq.s, is_first_order = COALESCE(seq.s = 1, false)
      FROM seq
     WHERE f.order_key = seq.order_key AND f.created_at = seq.created_at
       AND (f.order_seq IS DISTINCT FROM seq.s
            OR f.is_first_order IS DISTINCT FROM COALESCE(seq.s = 1, false));

    UPDATE dw.dim_customer d
       SET first_order_at = m.first_paid, updated_run_id = p_run
      FROM (SELECT c.customer_key, min(f.paid_at) FILTER (WHERE f.is_qualifying) AS first_paid
              FROM (SELECT DISTINCT customer_key FROM mo_cust) c
              LEFT JOIN dw.fact_order f ON f.customer_key = c.customer_key
             GROUP BY c.customer_key) m
     WHERE d.customer_key = m.customer_key
       AND d.first_order_at IS DISTINCT FROM m.first_paid;
END
$fn$;

COMMENT ON FUNCTION etl.resequence_orders(bigint) IS
    'Recomputes fact_order.order_seq / is_first_order and dim_customer.first_order_at for the customers in temp table mo_cust';

DO $$ BEGIN PERFORM etl.apply_privileges(); END $$;
