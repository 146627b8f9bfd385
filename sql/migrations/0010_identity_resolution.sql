-- 0010_identity_resolution.sql — link identifiers that co-occur into one customer.
--
-- dw.resolve_customers() is called by the loaders inside their source transaction.
-- Input: a temp table tmp_id_link(rec bigint, id_type text, platform text,
-- id_value text, display_value text, seen_at timestamptz, source text): the
-- identifiers each loaded record carries (rec numbers a record of the batch,
-- e.g. an order key) and where the record came from (a platform or 'wecom',
-- which becomes a new customer's acquisition_source).
-- Output: a temp table tmp_rec_customer(rec bigint PRIMARY KEY, customer_key bigint).
--
-- Identifiers and records form a graph; every connected component, together
-- with the customers its identifiers already belong to, is one person:
--   * no known identifier  -> a new customer;
--   * one known customer   -> that customer;
--   * several customers    -> they merge into the oldest (smallest key), every
--     fact is re-pointed, dw.customer_merge records it, the others are deleted.
-- All of it set-based; the only loop is label propagation, which runs as many
-- rounds as the longest chain of links inside one batch (usually 1 or 2).

CREATE OR REPLACE FUNCTION dw.merge_customers(p_run bigint)
RETURNS bigint
LANGUAGE plpgsql AS $fn$
-- Merges every (from_key -> into_key) pair of temp table tmp_merge and returns
-- how many customers were merged away. Separate so that tests and later
-- loaders (WeCom) can reuse it.
DECLARE
    v_count bigint;
BEGIN
    SELECT count(*) INTO v_count FROM tmp_merge;
    IF v_count = 0 THEN
        RETURN 0;
    END IF;

    -- The survivor keeps the earliest of each first_* time.
    UPDATE dw.dim_customer c
       SET first_seen_at    = LEAST(c.first_seen_at, m.first_seen_at),
           first_contact_at = LEAST(c.first_contact_at, m.first_contact_at),
           first_order_at   = LEAST(c.first_order_at, m.first_order_at),
           acquisition_source = CASE WHEN m.first_seen_at < c.first_seen_at
                                     THEN m.acquisition_source ELSE c.acquisition_source END,
           updated_run_id   = p_run
      FROM (SELECT t.into_key,
                   min(d.first_seen_at) AS first_seen_at,
                   min(d.first_contact_at) AS first_contact_at,
                   min(d.first_order_at) AS first_order_at,
                   (array_agg(d.acquisition_source ORDER BY d.first_seen_at, d.customer_key))[1]
                       AS acquisition_source
              FROM tmp_merge t JOIN dw.dim_customer d ON d.customer_key = t.from_key
             GROUP BY t.into_key) m
     WHERE c.customer_key = m.into_key;

    UPDATE dw.customer_identity i SET customer_key = t.into_key
      FROM tmp_merge t WHERE i.customer_key = t.from_key;

    UPDATE dw.fact_order f SET customer_key = t.into_key, run_id = p_run
      FROM tmp_merge t WHERE f.customer_key = t.from_key;

    -- Relationships: where both customers had one with the same staff member,
    -- keep one row spanning both (earliest add, still active if either is).
    UPDATE dw.fact_contact s
       SET added_at = LEAST(s.added_at, l.added_at),
           removed_at = CASE WHEN s.removed_at IS NULL OR l.removed_at IS NULL THEN NULL
                             ELSE GREATEST(s.removed_at, l.removed_at) END,
           removed_by = CASE WHEN s.removed_at IS NULL OR l.removed_at IS NULL THEN NULL
                             WHEN l.removed_at > s.removed_at THEN l.removed_by
                             ELSE s.removed_by END,
           run_id = p_run
      FROM dw.fact_contact l JOIN tmp_merge t ON l.customer_key = t.from_key
     WHERE s.customer_key = t.into_key AND s.staff_key = l.staff_key;
    DELETE FROM dw.fact_contact l USING tmp_merge t, dw.fact_contact s
     WHERE l.customer_key = t.from_key AND s.customer_key = t.into_key
       AND s.staff_key = l.staff_key;
    UPDATE dw.fact_contact l SET customer_key = t.into_key, run_id = p_run
      FROM tmp_merge t WHERE l.customer_key = t.from_key;

    DELETE FROM dw.fact_contact_event l USING tmp_merge t, dw.fact_contact_event s
     WHERE l.customer_key = t.from_key AND s.customer_key = t.into_key
       AND (s.staff_key, s.event_type, s.occurred_at) = (l.staff_key, l.event_type, l.occurred_at);
    UPDATE dw.fact_contact_event l SET customer_key = t.into_key, run_id = p_run
      FROM tmp_merge t WHERE l.customer_key = t.from_key;

    DELETE FROM dw.fact_group_member l USING tmp_merge t, dw.fact_group_member s
     WHERE l.customer_key = t.from_key AND s.customer_key = t.into_key
       AND (s.group_key, s.joined_at) = (l.group_key, l.joined_at);
    UPDATE dw.fact_group_member l SET customer_key = t.into_key, run_id = p_run
      FROM tmp_merge t WHERE l.customer_key = t.from_key;

    DELETE FROM dw.bridge_customer_tag l USING tmp_merge t, dw.bridge_customer_tag s
     WHERE l.customer_key = t.from_key AND s.customer_key = t.into_key
       AND (s.tag_key, s.staff_key, s.valid_from) = (l.tag_key, l.staff_key, l.valid_from);
    UPDATE dw.bridge_customer_tag l SET customer_key = t.into_key, run_id = p_run
      FROM tmp_merge t WHERE l.customer_key = t.from_key;

    -- Earlier merges into a key that is now merged away follow it.
    UPDATE dw.customer_merge m SET into_key = t.into_key
      FROM tmp_merge t WHERE m.into_key = t.from_key;
    INSERT INTO dw.customer_merge (from_key, into_key, run_id, reason)
    SELECT from_key, into_key, p_run, reason FROM tmp_merge;

    DELETE FROM dw.dim_customer c USING tmp_merge t WHERE c.customer_key = t.from_key;
    RETURN v_count;
END
$fn$;

COMMENT ON FUNCTION dw.merge_customers(bigint) IS
    'Merges the customers listed in temp table tmp_merge(from_key, into_key, reason): keeps the earliest first_* times on the survivor, re-points identities and every fact, records dw.customer_merge and deletes the merged-away dim_customer rows; returns the number merged';

CREATE OR REPLACE FUNCTION dw.resolve_customers(p_run bigint, p_source text)
RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
    v_changed bigint;
    v_hubbed bigint;
    v_merged bigint;
    v_seq regclass := pg_get_serial_sequence('dw.dim_customer', 'customer_key')::regclass;
BEGIN
    DROP TABLE IF EXISTS rc_node, rc_rec, rc_comp, tmp_merge, tmp_rec_customer;

    CREATE TEMP TABLE rc_node ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY id_type, platform, id_value) AS node,
           id_type, platform, id_value,
           min(display_value) AS display_value, min(seen_at) AS seen_at,
           (array_agg(source ORDER BY seen_at))[1] AS source,
           NULL::bigint AS customer_key, NULL::bigint AS label
      FROM tmp_id_link
     WHERE id_value IS NOT NULL AND id_value <> ''
     GROUP BY id_type, platform, id_value;
    CREATE UNIQUE INDEX ON rc_node (node);

    CREATE TEMP TABLE rc_rec ON COMMIT DROP AS
    SELECT DISTINCT l.rec, n.node
      FROM tmp_id_link l
      JOIN rc_node n USING (id_type, platform, id_value);
    CREATE INDEX ON rc_rec (rec);
    CREATE INDEX ON rc_rec (node);

    UPDATE rc_node n SET customer_key = ci.customer_key
      FROM dw.customer_identity ci
     WHERE (ci.id_type, ci.platform, ci.id_value) = (n.id_type, n.platform, n.id_value);

    -- Start each label at the smallest node sharing its known customer.
    UPDATE rc_node n SET label = COALESCE(k.lab, n.node)
      FROM (SELECT node, min(node) OVER (PARTITION BY customer_key) AS lab
              FROM rc_node WHERE customer_key IS NOT NULL) k
     WHERE k.node = n.node;
    UPDATE rc_node SET label = node WHERE label IS NULL;
    ANALYZE rc_node;
    ANALYZE rc_rec;

    LOOP
        WITH rec_label AS (
            SELECT r.rec, min(n.label) AS lab
              FROM rc_rec r JOIN rc_node n USING (node) GROUP BY r.rec),
        node_label AS (
            SELECT r.node, min(rl.lab) AS lab
              FROM rc_rec r JOIN rec_label rl USING (rec) GROUP BY r.node)
        UPDATE rc_node n SET label = nl.lab
          FROM node_label nl
         WHERE nl.node = n.node AND nl.lab < n.label;
        GET DIAGNOSTICS v_changed = ROW_COUNT;

        UPDATE rc_node n SET label = k.lab
          FROM (SELECT customer_key, min(label) AS lab FROM rc_node
                 WHERE customer_key IS NOT NULL GROUP BY customer_key) k
         WHERE n.customer_key = k.customer_key AND k.lab < n.label;
        GET DIAGNOSTICS v_hubbed = ROW_COUNT;
        EXIT WHEN v_changed + v_hubbed = 0;
    END LOOP;

    -- One row per component: its survivor is the oldest known customer.
    CREATE TEMP TABLE rc_comp ON COMMIT DROP AS
    SELECT label, min(customer_key) AS survivor, min(seen_at) AS first_seen_at,
           (array_agg(source ORDER BY seen_at, node))[1] AS source
      FROM rc_node GROUP BY label;
    CREATE UNIQUE INDEX ON rc_comp (label);

    UPDATE rc_comp SET survivor = nextval(v_seq) WHERE survivor IS NULL;
    INSERT INTO dw.dim_customer (customer_key, first_seen_at, acquisition_source,
                                 created_run_id, updated_run_id)
    OVERRIDING SYSTEM VALUE
    SELECT c.survivor, c.first_seen_at, COALESCE(c.source, p_source), p_run, p_run
      FROM rc_comp c
     WHERE NOT EXISTS (SELECT 1 FROM dw.dim_customer d WHERE d.customer_key = c.survivor);

    -- Known customers that now share a component with an older one.
    CREATE TEMP TABLE tmp_merge ON COMMIT DROP AS
    SELECT DISTINCT n.customer_key AS from_key, c.survivor AS into_key,
           'linked in run ' || p_run || ' from ' || p_source AS reason
      FROM rc_node n JOIN rc_comp c USING (label)
     WHERE n.customer_key IS NOT NULL AND n.customer_key <> c.survivor;
    v_merged := dw.merge_customers(p_run);

    INSERT INTO dw.customer_identity (id_type, platform, id_value, display_value,
                                      customer_key, first_seen_at, run_id)
    SELECT n.id_type, n.platform, n.id_value, n.display_value, c.survivor, n.seen_at, p_run
      FROM rc_node n JOIN rc_comp c USING (label)
     WHERE n.customer_key IS NULL;

    -- A customer first seen earlier than we knew (a late record) moves back.
    UPDATE dw.dim_customer d SET first_seen_at = c.first_seen_at, updated_run_id = p_run
      FROM rc_comp c
     WHERE d.customer_key = c.survivor AND c.first_seen_at < d.first_seen_at;

    CREATE TEMP TABLE tmp_rec_customer ON COMMIT DROP AS
    SELECT r.rec, min(c.survivor) AS customer_key
      FROM rc_rec r JOIN rc_node n USING (node) JOIN rc_comp c USING (label)
     GROUP BY r.rec;
    CREATE UNIQUE INDEX ON tmp_rec_customer (rec);
    RETURN v_merged;
END
$fn$;

COMMENT ON FUNCTION dw.resolve_customers(bigint, text) IS
    'Identity resolution for one batch: reads temp table tmp_id_link(rec, id_type, platform, id_value, display_value, seen_at, source), links co-occurring identifiers into customers (new, existing, or merged into the oldest), and writes temp table tmp_rec_customer(rec, customer_key); returns the number of customers merged away';

DO $$ BEGIN PERFORM etl.apply_privileges(); END $$;
