-- etl.merge_orders — Merges one staged batch of order lines (a table shaped like staging.order_line_in) into dw
-- requires: functions/etl.probe_by_key.sql
--
-- The set-based order merge every order source ends its transaction with. Migrations 0011,
-- 0014, 0015 and 0017 each wrote it whole; since the SQL layout of sql/README.md it lives
-- here only (0017 last made it create only the partitions of the months that have orders).
-- A newer version whose content equals the loaded one (dw.order_identity.content_hash,
-- migration 0080: a back-office re-export versions every order by its export time) counts
-- as unchanged and only moves the order's source_version on. The content hash is 'v2:' and
-- the xor of the order's lines' hash_record_extended (migration 0243: no text of any value
-- is made, no line order needed; at 1M orders 3 s where the md5 of the lines' text took
-- 13-19 s); a hash stored before (the md5) is compared in its own format, once.
CREATE OR REPLACE FUNCTION etl.merge_orders(
    p_run bigint, p_staging regclass, p_source text,
    OUT inserted bigint, OUT updated bigint, OUT unchanged bigint,
    OUT merged_customers bigint, OUT max_version timestamptz)
LANGUAGE plpgsql
SET work_mem = '256MB' -- the batch's sorts and hashes in memory (at 4MB they spilled to disk)
AS $fn$
DECLARE
    v_tz text := COALESCE((SELECT value FROM etl.setting WHERE key = 'timezone'), 'Asia/Shanghai');
    v_key_seq text := pg_get_serial_sequence('dw.order_identity', 'order_key');
    v_from timestamptz;  -- a month that has orders in the batch
    v_bad_order text;    -- an order whose date is not in dw.dim_date
    v_same bigint;       -- newer versions with the loaded content
    v_probe boolean;     -- the batch is small against the warehouse: etl.probe_by_key
    v_products bigint;   -- products this batch inserted or renamed
    -- An order line's content, as the content hash sees it (of a row of mo_line): hashed
    -- by mo_order ('v2:'), and as text by the comparison with an md5 stored before 0243.
    v_line_content CONSTANT text := 'row(status, paid_at, buyer_id, buyer_unionid, phone_hash, '
        'shipping_fen, order_discount_fen, line_id, line_no, sku, product_title, quantity, '
        'unit_price_fen, line_gross_fen, line_paid_fen, line_refund_fen)';
BEGIN
    DROP TABLE IF EXISTS mo_ver, mo_line, mo_order, mo_cust, mo_seq, mo_first, tmp_id_link;

    EXECUTE format($q$
        INSERT INTO dw.dim_channel (platform, shop_id, shop_name)
        SELECT platform, shop_id, max(shop_name) FROM %s GROUP BY platform, shop_id
        ON CONFLICT (platform, shop_id) DO UPDATE SET shop_name = EXCLUDED.shop_name
         WHERE EXCLUDED.shop_name IS NOT NULL
           AND EXCLUDED.shop_name IS DISTINCT FROM dw.dim_channel.shop_name$q$, p_staging);

    -- The newest version of each order in the batch, classified against the warehouse
    -- (narrow and hashed: an overlapping window is mostly unchanged orders, and those
    -- cost no more than this); new orders get their key here, in order of appearance.
    EXECUTE format($q$
        CREATE TEMP TABLE mo_ver ON COMMIT DROP AS
        SELECT v.platform, v.shop_id, v.order_no, v.updated_at, ch.channel_key,
               COALESCE(i.order_key, nextval(%L::regclass)) AS order_key,
               i.created_at AS known_created_at, i.content_hash AS known_hash,
               CASE WHEN i.order_key IS NULL THEN 'insert'
                    WHEN v.updated_at > i.source_version THEN 'update'
                    ELSE 'unchanged' END AS action
          FROM (SELECT platform, shop_id, order_no, max(updated_at) AS updated_at,
                       min(src_row) AS first_row
                  FROM %s GROUP BY platform, shop_id, order_no) v
          JOIN dw.dim_channel ch ON (ch.platform, ch.shop_id) = (v.platform, v.shop_id)
          LEFT JOIN dw.order_identity i ON (i.channel_key, i.order_no) = (ch.channel_key, v.order_no)
         ORDER BY v.first_row$q$, v_key_seq, p_staging);
    SELECT count(*) FILTER (WHERE action = 'unchanged'), max(updated_at)
      INTO unchanged, max_version
      FROM mo_ver;
    DELETE FROM mo_ver WHERE action = 'unchanged';
    ANALYZE mo_ver;

    -- The lines of the changed orders' newest versions, keyed by their order; a repeated
    -- line counts once. The one copy of the batch's lines: the orders, their content hash,
    -- the products and the line facts are all read from it.
    EXECUTE format($q$
        CREATE TEMP TABLE mo_line ON COMMIT DROP AS
        SELECT DISTINCT ON (v.order_key, s.line_id)
               v.order_key, v.channel_key, s.src_row, s.line_no, s.line_id, s.status,
               s.created_at, s.paid_at, s.buyer_id, s.buyer_unionid, s.phone_hash,
               s.phone_masked, s.sku, s.product_title, s.quantity, s.unit_price_fen,
               s.line_gross_fen, s.line_paid_fen, s.line_refund_fen, s.shipping_fen,
               s.order_discount_fen
          FROM %s s
          JOIN mo_ver v ON (v.platform, v.shop_id, v.order_no, v.updated_at)
                         = (s.platform, s.shop_id, s.order_no, s.updated_at)
         ORDER BY v.order_key, s.line_id, s.src_row$q$, p_staging);

    -- One row per changed order, its header, totals and content hash from one pass over its
    -- lines; created_at is fixed at first sight. A newer version with the loaded content is
    -- no change ('same'): only the order's version moves on (its facts, lineage and counts
    -- stay). An insert's hash is not compared, only stored for the next re-export.
    EXECUTE format($q$
    CREATE TEMP TABLE mo_order ON COMMIT DROP AS
    SELECT v.platform, v.shop_id, v.order_no, v.channel_key, v.order_key,
           CASE WHEN v.action = 'update' AND v.known_hash = g.content_hash THEN 'same'
                ELSE v.action END AS action,
           g.content_hash, COALESCE(v.known_created_at, g.created_at) AS created_at,
           to_char(COALESCE(v.known_created_at, g.created_at) AT TIME ZONE $1, 'YYYYMMDD')::int
               AS order_date_key,
           to_char(g.paid_at AT TIME ZONE $1, 'YYYYMMDD')::int AS paid_date_key,
           g.status, g.paid_at, v.updated_at, g.buyer_id, g.unionid, g.phone_hash, g.phone_masked,
           g.gross_fen, g.discount_fen, g.shipping_fen, g.paid_fen, g.refund_fen,
           g.item_count, g.line_count,
           g.paid_at IS NOT NULL AND g.status NOT IN ('cancelled', 'refunded')
               AND NOT (g.refund_fen > 0 AND g.refund_fen >= g.paid_fen) AS is_qualifying
      FROM mo_ver v
      JOIN (SELECT order_key,
                   (array_agg(status ORDER BY src_row))[1] AS status,
                   min(created_at) AS created_at,
                   min(paid_at) AS paid_at,
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
                   'v2:' || to_hex(bit_xor(hash_record_extended(%s, 0))) AS content_hash
              FROM mo_line
             GROUP BY order_key) g
        ON g.order_key = v.order_key$q$, v_line_content) USING v_tz;
    -- A hash stored before 'v2:' (0080 until 0243: the md5 of the lines' text in line_id
    -- order) is compared in that format; a same order then stores its v2 hash below.
    IF EXISTS (SELECT 1 FROM mo_ver WHERE action = 'update' AND known_hash NOT LIKE 'v2:%') THEN
        EXECUTE format($q$
        UPDATE mo_order o SET action = 'same'
          FROM mo_ver v,
               (SELECT l.order_key, md5(string_agg((%s)::text, ',' ORDER BY l.line_id)) AS md5
                  FROM mo_line l JOIN mo_ver lv USING (order_key)
                 WHERE lv.action = 'update' AND lv.known_hash NOT LIKE 'v2:%%'
                 GROUP BY l.order_key) g
         WHERE o.action = 'update' AND v.order_key = o.order_key AND g.order_key = o.order_key
           AND v.known_hash = g.md5$q$, v_line_content);
    END IF;
    SELECT count(*) FILTER (WHERE action = 'insert'),
           count(*) FILTER (WHERE action = 'update'),
           count(*) FILTER (WHERE action = 'same')
      INTO inserted, updated, v_same
      FROM mo_order;
    unchanged := unchanged + v_same;
    -- Under a tenth of the warehouse's orders (max(order_key): about how many it holds),
    -- the statements marked "by key" below find the batch's rows in dw by index probes
    -- (etl.probe_by_key), in key order.
    v_probe := (inserted + updated + v_same) * 10
               < COALESCE((SELECT max(order_key) FROM dw.order_identity), 0);
    IF v_same > 0 THEN
        PERFORM etl.probe_by_key(v_probe); -- by key
        UPDATE dw.order_identity i SET source_version = o.updated_at, content_hash = o.content_hash
          FROM (SELECT * FROM mo_order WHERE action = 'same' ORDER BY order_key) o
         WHERE i.order_key = o.order_key;
        PERFORM etl.probe_by_key(false);
        DELETE FROM mo_line l USING mo_order o WHERE o.action = 'same' AND l.order_key = o.order_key;
        DELETE FROM mo_order WHERE action = 'same';
    END IF;
    CREATE UNIQUE INDEX ON mo_order (order_key);
    -- Statistics only of the columns the later statements join or filter on (of all 27,
    -- the texts and the hash made ANALYZE cost a third of the orders' own pass).
    ANALYZE mo_order (order_key, action, created_at);

    INSERT INTO dw.order_identity (order_key, channel_key, order_no, created_at, source_version,
                                   first_run_id, last_run_id, content_hash)
    OVERRIDING SYSTEM VALUE
    SELECT order_key, channel_key, order_no, created_at, updated_at, p_run, p_run, content_hash
      FROM mo_order WHERE action = 'insert' ORDER BY order_key;
    PERFORM etl.probe_by_key(v_probe); -- by key
    UPDATE dw.order_identity i
       SET source_version = o.updated_at, last_run_id = p_run, content_hash = o.content_hash
      FROM (SELECT * FROM mo_order WHERE action = 'update' ORDER BY order_key) o
     WHERE i.order_key = o.order_key;
    PERFORM etl.probe_by_key(false);

    INSERT INTO dw.dim_product (channel_key, sku, title)
    SELECT channel_key, sku, max(product_title)
      FROM mo_line
     GROUP BY channel_key, sku
    ON CONFLICT (channel_key, sku) DO UPDATE SET title = EXCLUDED.title
     WHERE EXCLUDED.title IS NOT NULL AND EXCLUDED.title IS DISTINCT FROM dw.dim_product.title;
    GET DIAGNOSTICS v_products = ROW_COUNT;
    -- The line facts join the lines to their products: with the products' row count unknown
    -- (a first load) and the lines' columns without statistics, that join was estimated at 1 %
    -- of the lines and the order of each line found by an index probe (2M probes at 1M orders).
    -- The products' statistics are gathered again only when this batch wrote products; a
    -- nightly that sold known ones leaves the permanent table alone.
    IF v_products > 0 THEN
        ANALYZE dw.dim_product;
    END IF;
    ANALYZE mo_line (order_key, channel_key, sku);

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

    -- Customers whose order sequence may change: those of the orders being replaced
    -- (their buyer may differ now) and those of the batch's orders (merges included:
    -- a survivor is the customer of a batch order). has_facts: the customer is older than
    -- this batch, so it may have orders in dw.fact_order; a customer the batch created
    -- has only the batch's orders.
    PERFORM etl.probe_by_key(v_probe); -- by key
    CREATE TEMP TABLE mo_cust ON COMMIT DROP AS
    SELECT DISTINCT f.customer_key, true AS has_facts
      FROM (SELECT * FROM mo_order WHERE action = 'update' ORDER BY order_key) o
      JOIN dw.fact_order f ON o.order_key = f.order_key AND o.created_at = f.created_at
     WHERE f.customer_key IS NOT NULL;
    PERFORM etl.probe_by_key(false);

    merged_customers := dw.resolve_customers(p_run, p_source);
    INSERT INTO mo_cust
    SELECT customer_key, NOT bool_and(is_new) FROM tmp_rec_customer
     WHERE customer_key NOT IN (SELECT customer_key FROM mo_cust)
     GROUP BY customer_key;
    -- (A replaced order's customer that this batch merged into another is gone.)
    PERFORM etl.probe_by_key(v_probe); -- by key
    DELETE FROM mo_cust c WHERE NOT EXISTS
        (SELECT 1 FROM dw.dim_customer d WHERE d.customer_key = c.customer_key);
    PERFORM etl.probe_by_key(false);
    ANALYZE mo_cust;

    -- The facts' keys are kept here, not by foreign-key triggers row by row (migration
    -- 0240; siyu check proves them): the identities are inserted above, the customers by
    -- dw.resolve_customers, channel and product come from joins to their dimensions, and
    -- the calendar is checked for the whole batch at once.
    SELECT format('%s/%s/%s (order_date_key %s, paid_date_key %s)', o.platform, o.shop_id,
                  o.order_no, o.order_date_key, o.paid_date_key)
      INTO v_bad_order
      FROM mo_order o
     WHERE NOT EXISTS (SELECT 1 FROM dw.dim_date d WHERE d.date_key = o.order_date_key)
        OR (o.paid_date_key IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM dw.dim_date d WHERE d.date_key = o.paid_date_key))
     LIMIT 1;
    IF v_bad_order IS NOT NULL THEN
        RAISE EXCEPTION 'etl.merge_orders: order % is not in dw.dim_date', v_bad_order;
    END IF;

    -- One call per UTC month that has orders, not one over min..max: a batch holding a
    -- 1997 order and a 2025 one needs two partitions, not the 340 months between them.
    FOR v_from IN SELECT DISTINCT date_trunc('month', created_at, 'UTC') FROM mo_order LOOP
        PERFORM etl.ensure_fact_partitions(v_from, v_from);
    END LOOP;

    IF updated > 0 THEN
        PERFORM etl.probe_by_key(v_probe); -- by key
        DELETE FROM dw.fact_order_line f
         USING (SELECT * FROM mo_order WHERE action = 'update' ORDER BY order_key) o
         WHERE f.order_key = o.order_key AND f.created_at = o.created_at;
        DELETE FROM dw.fact_order f
         USING (SELECT * FROM mo_order WHERE action = 'update' ORDER BY order_key) o
         WHERE f.order_key = o.order_key AND f.created_at = o.created_at;
        PERFORM etl.probe_by_key(false);
    END IF;

    -- order_seq over the affected customers' kept orders and the batch's orders (a
    -- customer new in this batch has no kept orders: its sequence is the batch's).
    CREATE TEMP TABLE mo_seq ON COMMIT DROP AS
    SELECT customer_key, order_key, created_at, paid_at, is_qualifying, is_new, old_seq,
           CASE WHEN is_qualifying THEN
               row_number() OVER (PARTITION BY customer_key, is_qualifying
                                  ORDER BY paid_at, order_key)::int
           END AS seq
      FROM (SELECT f.customer_key, f.order_key, f.created_at, f.paid_at, f.is_qualifying,
                   false AS is_new, f.order_seq AS old_seq
              FROM dw.fact_order f JOIN mo_cust c USING (customer_key)
             WHERE c.has_facts
            UNION ALL
            SELECT rc.customer_key, o.order_key, o.created_at, o.paid_at, o.is_qualifying, true, NULL
              FROM mo_order o JOIN tmp_rec_customer rc ON rc.rec = o.order_key) x
     ORDER BY order_key;  -- stored in the facts' order: their INSERT reads it by key, in order
    CREATE UNIQUE INDEX ON mo_seq (order_key);
    ANALYZE mo_seq;

    INSERT INTO dw.fact_order (order_key, created_at, customer_key, channel_key, paid_at, status,
                               order_date_key, paid_date_key, gross_fen, discount_fen,
                               shipping_fen, paid_fen, refund_fen, item_count, line_count,
                               is_qualifying, order_seq, is_first_order, source_version, run_id)
    SELECT o.order_key, o.created_at, s.customer_key, o.channel_key, o.paid_at, o.status,
           o.order_date_key, o.paid_date_key,
           o.gross_fen, o.discount_fen, o.shipping_fen, o.paid_fen, o.refund_fen,
           o.item_count, o.line_count, o.is_qualifying,
           s.seq, COALESCE(s.seq = 1, false), o.updated_at, p_run
      FROM mo_order o LEFT JOIN mo_seq s ON s.order_key = o.order_key
     ORDER BY o.order_key;

    INSERT INTO dw.fact_order_line (order_key, created_at, line_no, product_key, quantity,
                                    unit_price_fen, gross_fen, paid_fen, refund_fen, run_id)
    SELECT o.order_key, o.created_at,
           row_number() OVER (PARTITION BY o.order_key
                              ORDER BY l.line_no NULLS LAST, l.line_id)::int,
           p.product_key, l.quantity, l.unit_price_fen, l.line_gross_fen, l.line_paid_fen,
           COALESCE(l.line_refund_fen, 0), p_run
      FROM mo_line l
      JOIN mo_order o USING (order_key)
      JOIN dw.dim_product p ON (p.channel_key, p.sku) = (l.channel_key, l.sku);

    -- Kept orders whose number moved (a late, updated or merged order before them).
    PERFORM etl.probe_by_key(v_probe); -- by key
    UPDATE dw.fact_order f
       SET order_seq = s.seq, is_first_order = COALESCE(s.seq = 1, false)
      FROM (SELECT * FROM mo_seq WHERE NOT is_new AND old_seq IS DISTINCT FROM seq
             ORDER BY order_key) s
     WHERE f.order_key = s.order_key AND f.created_at = s.created_at;
    PERFORM etl.probe_by_key(false);

    CREATE TEMP TABLE mo_first ON COMMIT DROP AS
    SELECT c.customer_key, min(s.paid_at) FILTER (WHERE s.is_qualifying) AS first_paid
      FROM mo_cust c LEFT JOIN mo_seq s USING (customer_key)
     GROUP BY c.customer_key
     ORDER BY c.customer_key;
    PERFORM etl.probe_by_key(v_probe); -- by key
    UPDATE dw.dim_customer d
       SET first_order_at = m.first_paid, updated_run_id = p_run
      FROM mo_first m
     WHERE d.customer_key = m.customer_key
       AND d.first_order_at IS DISTINCT FROM m.first_paid;
    PERFORM etl.probe_by_key(false);
END
$fn$;
COMMENT ON FUNCTION etl.merge_orders(bigint, regclass, text) IS
    'Merges one staged batch of order lines (a table shaped like staging.order_line_in) into dw: newest version per order wins, older or equal versions change nothing, a newer version with the loaded content only moves source_version on, identities resolved, order_seq / is_first_order / first_order_at kept right; returns inserted/updated/unchanged order counts, customers merged and the newest version seen';
