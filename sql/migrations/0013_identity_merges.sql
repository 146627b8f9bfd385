-- 0013_identity_merges.sql — identity resolution, second version (replaces 0010's functions).
--
-- What the tests of tests/sql/200_identity*.sql found in 0010, and what changed:
--   * dw.merge_customers failed with a unique violation when two merged-away customers
--     had a relationship with the same staff member (or the same event, group span or
--     tag span) and the survivor had none: their rows now fold into one first.
--   * A merge re-pointed the orders but left order_seq / is_first_order as they were, so
--     when WeCom (or anything but etl.merge_orders) linked two buyers their orders did
--     not form one sequence: merge_customers now resequences the survivors itself.
--   * dim_customer.first_contact_at was never set by anyone: it is now kept by triggers on
--     dw.fact_contact and dw.fact_contact_event (whatever loader writes them), as the
--     earliest of the customer's relationship adds (fact_contact.added_at and add events).
--   * A late record that moved a customer's first_seen_at back kept the old
--     acquisition_source; it now follows the earliest sighting, and an identifier seen
--     earlier than we knew moves its own first_seen_at back too.
--   * dw.resolve_customers is faster on big batches: identifiers are looked up while the
--     nodes are built, label propagation only runs over records that link two or more
--     identifiers, on a narrow label table, with pointer jumping (rounds grow with the
--     logarithm of the longest chain, not with its length); new customer keys are handed
--     out in order of first sighting, so a replay gives the same keys.
-- The contract (temp tables tmp_id_link in, tmp_rec_customer and tmp_merge out) is
-- unchanged; see 0010.

-- ---------------------------------------------------------------------------------------
-- first_contact_at, kept by the facts themselves
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION dw.first_contact_of(p_customer bigint)
RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT LEAST((SELECT min(c.added_at) FROM dw.fact_contact c WHERE c.customer_key = p_customer),
                 (SELECT min(e.occurred_at) FROM dw.fact_contact_event e
                   WHERE e.customer_key = p_customer AND e.event_type = 'add'))
$$;
COMMENT ON FUNCTION dw.first_contact_of(bigint) IS
    'Earliest WeCom relationship add of a customer: the least of fact_contact.added_at and of its add events (a re-add keeps only the latest added_at on fact_contact, the events keep the first); NULL = never in the private domain';

CREATE OR REPLACE FUNCTION dw.keep_first_contact_at()
RETURNS trigger
LANGUAGE plpgsql AS $fn$
-- Statement level, with transition tables named new_rows / old_rows. Inserts can only
-- move first_contact_at earlier (cheap); updates and deletes recompute it for the
-- customers whose rows changed in a way that matters (customer, add time, event type).
BEGIN
    IF TG_OP = 'INSERT' AND TG_TABLE_NAME = 'fact_contact' THEN
        UPDATE dw.dim_customer d
           SET first_contact_at = n.at, updated_run_id = COALESCE(n.run_id, d.updated_run_id)
          FROM (SELECT customer_key, max(run_id) AS run_id, min(added_at) AS at
                  FROM new_rows GROUP BY customer_key) n
         WHERE d.customer_key = n.customer_key
           AND (d.first_contact_at IS NULL OR n.at < d.first_contact_at);
    ELSIF TG_OP = 'INSERT' THEN
        UPDATE dw.dim_customer d
           SET first_contact_at = n.at, updated_run_id = COALESCE(n.run_id, d.updated_run_id)
          FROM (SELECT customer_key, max(run_id) AS run_id, min(occurred_at) AS at
                  FROM new_rows WHERE event_type = 'add' GROUP BY customer_key) n
         WHERE d.customer_key = n.customer_key
           AND (d.first_contact_at IS NULL OR n.at < d.first_contact_at);
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE dw.dim_customer d SET first_contact_at = k.at
          FROM (SELECT customer_key, dw.first_contact_of(customer_key) AS at
                  FROM (SELECT DISTINCT customer_key FROM old_rows) o) k
         WHERE d.customer_key = k.customer_key AND d.first_contact_at IS DISTINCT FROM k.at;
    ELSIF TG_TABLE_NAME = 'fact_contact' THEN
        UPDATE dw.dim_customer d
           SET first_contact_at = k.at, updated_run_id = COALESCE(k.run_id, d.updated_run_id)
          FROM (SELECT customer_key, max(run_id) AS run_id, dw.first_contact_of(customer_key) AS at
                  FROM (SELECT x.customer_key, n.run_id
                          FROM new_rows n JOIN old_rows o USING (contact_key)
                         CROSS JOIN LATERAL (VALUES (n.customer_key), (o.customer_key)) x (customer_key)
                         WHERE n.customer_key <> o.customer_key OR n.added_at <> o.added_at) c
                 GROUP BY customer_key) k
         WHERE d.customer_key = k.customer_key AND d.first_contact_at IS DISTINCT FROM k.at;
    ELSE
        UPDATE dw.dim_customer d
           SET first_contact_at = k.at, updated_run_id = COALESCE(k.run_id, d.updated_run_id)
          FROM (SELECT customer_key, max(run_id) AS run_id, dw.first_contact_of(customer_key) AS at
                  FROM (SELECT x.customer_key, n.run_id
                          FROM new_rows n JOIN old_rows o USING (event_key)
                         CROSS JOIN LATERAL (VALUES (n.customer_key), (o.customer_key)) x (customer_key)
                         WHERE n.customer_key <> o.customer_key OR n.occurred_at <> o.occurred_at
                            OR n.event_type <> o.event_type) c
                 GROUP BY customer_key) k
         WHERE d.customer_key = k.customer_key AND d.first_contact_at IS DISTINCT FROM k.at;
    END IF;
    RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION dw.keep_first_contact_at() IS
    'Trigger function (statement level, transition tables new_rows/old_rows) on dw.fact_contact and dw.fact_contact_event: keeps dim_customer.first_contact_at = dw.first_contact_of(customer_key) for every customer whose relationships or add events were inserted, re-pointed, re-timed or deleted';

DROP TRIGGER IF EXISTS fact_contact_first_contact_ins ON dw.fact_contact;
DROP TRIGGER IF EXISTS fact_contact_first_contact_upd ON dw.fact_contact;
DROP TRIGGER IF EXISTS fact_contact_first_contact_del ON dw.fact_contact;
DROP TRIGGER IF EXISTS fact_contact_event_first_contact_ins ON dw.fact_contact_event;
DROP TRIGGER IF EXISTS fact_contact_event_first_contact_upd ON dw.fact_contact_event;
DROP TRIGGER IF EXISTS fact_contact_event_first_contact_del ON dw.fact_contact_event;
CREATE TRIGGER fact_contact_first_contact_ins AFTER INSERT ON dw.fact_contact
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dw.keep_first_contact_at();
CREATE TRIGGER fact_contact_first_contact_upd AFTER UPDATE ON dw.fact_contact
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dw.keep_first_contact_at();
CREATE TRIGGER fact_contact_first_contact_del AFTER DELETE ON dw.fact_contact
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION dw.keep_first_contact_at();
CREATE TRIGGER fact_contact_event_first_contact_ins AFTER INSERT ON dw.fact_contact_event
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dw.keep_first_contact_at();
CREATE TRIGGER fact_contact_event_first_contact_upd AFTER UPDATE ON dw.fact_contact_event
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dw.keep_first_contact_at();
CREATE TRIGGER fact_contact_event_first_contact_del AFTER DELETE ON dw.fact_contact_event
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION dw.keep_first_contact_at();

-- Customers loaded before this migration.
UPDATE dw.dim_customer d SET first_contact_at = dw.first_contact_of(d.customer_key)
 WHERE d.first_contact_at IS DISTINCT FROM dw.first_contact_of(d.customer_key);

-- ---------------------------------------------------------------------------------------
-- order_seq / is_first_order / first_order_at for any set of customers
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION etl.resequence_customers(p_run bigint, p_customers regclass)
RETURNS bigint
LANGUAGE plpgsql AS $fn$
-- p_customers: a table (usually temp) with a column customer_key. Returns the number of
-- fact_order rows whose order_seq / is_first_order changed.
DECLARE
    v_changed bigint;
BEGIN
    DROP TABLE IF EXISTS rs_cust;
    EXECUTE format('CREATE TEMP TABLE rs_cust ON COMMIT DROP AS
                    SELECT DISTINCT customer_key FROM %s WHERE customer_key IS NOT NULL', p_customers);
    ANALYZE rs_cust;

    WITH seq AS (
        SELECT f.order_key, f.created_at, f.order_seq, f.is_first_order,
               CASE WHEN f.is_qualifying THEN
                   row_number() OVER (PARTITION BY f.customer_key, f.is_qualifying
                                      ORDER BY f.paid_at, f.order_key)::int
               END AS s
          FROM dw.fact_order f JOIN rs_cust c USING (customer_key))
    UPDATE dw.fact_order f
       SET order_seq = seq.s, is_first_order = COALESCE(seq.s = 1, false)
      FROM seq
     WHERE f.order_key = seq.order_key AND f.created_at = seq.created_at
       AND (seq.order_seq IS DISTINCT FROM seq.s
            OR seq.is_first_order IS DISTINCT FROM COALESCE(seq.s = 1, false));
    GET DIAGNOSTICS v_changed = ROW_COUNT;

    UPDATE dw.dim_customer d
       SET first_order_at = m.first_paid, updated_run_id = p_run
      FROM (SELECT c.customer_key, min(f.paid_at) FILTER (WHERE f.is_qualifying) AS first_paid
              FROM rs_cust c LEFT JOIN dw.fact_order f USING (customer_key)
             GROUP BY c.customer_key) m
     WHERE d.customer_key = m.customer_key
       AND d.first_order_at IS DISTINCT FROM m.first_paid;
    RETURN v_changed;
END
$fn$;
COMMENT ON FUNCTION etl.resequence_customers(bigint, regclass) IS
    'Recomputes fact_order.order_seq / is_first_order (n-th qualifying order by paid_at, order_key) and dim_customer.first_order_at for the customers listed in a table with a customer_key column; returns the number of orders renumbered';

CREATE OR REPLACE FUNCTION etl.resequence_orders(p_run bigint)
RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM etl.resequence_customers(p_run, 'mo_cust');
END
$fn$;
COMMENT ON FUNCTION etl.resequence_orders(bigint) IS
    'Recomputes fact_order.order_seq / is_first_order and dim_customer.first_order_at for the customers in temp table mo_cust (etl.resequence_customers on mo_cust)';

-- ---------------------------------------------------------------------------------------
-- dw.merge_customers
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION dw.merge_customers(p_run bigint)
RETURNS bigint
LANGUAGE plpgsql AS $fn$
-- Merges every (from_key -> into_key) pair of temp table tmp_merge(from_key, into_key,
-- reason) and returns how many customers were merged away. Chains inside tmp_merge
-- (a -> b, b -> c) end at their last key; pairs whose from_key is no longer a customer
-- are ignored.
DECLARE
    v_count bigint;
BEGIN
    DROP TABLE IF EXISTS mc_map, mc_survivor, mc_contact, mc_keep;

    CREATE TEMP TABLE mc_map ON COMMIT DROP AS
    WITH RECURSIVE m AS (
        SELECT DISTINCT ON (from_key) from_key, into_key, reason
          FROM tmp_merge
         WHERE from_key IS NOT NULL AND into_key IS NOT NULL AND from_key <> into_key
         ORDER BY from_key, into_key),
    walk AS (
        SELECT from_key, into_key, reason, 0 AS depth FROM m
        UNION ALL
        SELECT w.from_key, m.into_key, w.reason, w.depth + 1
          FROM walk w JOIN m ON m.from_key = w.into_key
         WHERE w.depth < 100)
    SELECT DISTINCT ON (w.from_key) w.from_key, w.into_key, w.reason
      FROM walk w
     WHERE EXISTS (SELECT 1 FROM dw.dim_customer d WHERE d.customer_key = w.from_key)
     ORDER BY w.from_key, w.depth DESC;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    IF v_count = 0 THEN
        RETURN 0;
    END IF;
    CREATE UNIQUE INDEX ON mc_map (from_key);
    ANALYZE mc_map;
    CREATE TEMP TABLE mc_survivor ON COMMIT DROP AS SELECT DISTINCT into_key AS customer_key FROM mc_map;

    -- The survivor keeps the earliest sighting (and where it was).
    UPDATE dw.dim_customer c
       SET first_seen_at    = LEAST(c.first_seen_at, m.first_seen_at),
           acquisition_source = CASE WHEN m.first_seen_at < c.first_seen_at
                                     THEN m.acquisition_source ELSE c.acquisition_source END,
           updated_run_id   = p_run
      FROM (SELECT t.into_key,
                   min(d.first_seen_at) AS first_seen_at,
                   (array_agg(d.acquisition_source ORDER BY d.first_seen_at, d.customer_key))[1]
                       AS acquisition_source
              FROM mc_map t JOIN dw.dim_customer d ON d.customer_key = t.from_key
             GROUP BY t.into_key) m
     WHERE c.customer_key = m.into_key;

    UPDATE dw.customer_identity i SET customer_key = t.into_key
      FROM mc_map t WHERE i.customer_key = t.from_key;

    UPDATE dw.fact_order f SET customer_key = t.into_key, run_id = p_run
      FROM mc_map t WHERE f.customer_key = t.from_key;

    -- Relationships: the rows that end up with the same (staff, customer) fold into one:
    -- the earliest add (with its add_way and channel code), active if any of them is,
    -- else ended by the last removal. The survivor's own row is the one kept.
    CREATE TEMP TABLE mc_contact ON COMMIT DROP AS
    SELECT c.contact_key, c.staff_key, c.customer_key, COALESCE(t.into_key, c.customer_key) AS new_key,
           c.added_at, c.add_way, c.state, c.remark, c.removed_at, c.removed_by, c.first_run_id
      FROM dw.fact_contact c LEFT JOIN mc_map t ON t.from_key = c.customer_key
     WHERE c.customer_key IN (SELECT from_key FROM mc_map UNION ALL SELECT customer_key FROM mc_survivor);
    CREATE TEMP TABLE mc_keep ON COMMIT DROP AS
    SELECT (array_agg(contact_key ORDER BY customer_key = new_key DESC, contact_key))[1] AS keep_key,
           array_agg(contact_key) AS all_keys, new_key,
           min(added_at) AS added_at,
           (array_agg(add_way ORDER BY added_at, contact_key))[1] AS add_way,
           (array_agg(state ORDER BY added_at, contact_key))[1] AS state,
           (array_agg(remark ORDER BY remark IS NULL, customer_key = new_key DESC, contact_key))[1] AS remark,
           CASE WHEN bool_and(removed_at IS NOT NULL) THEN max(removed_at) END AS removed_at,
           CASE WHEN bool_and(removed_at IS NOT NULL)
                THEN (array_agg(removed_by ORDER BY removed_at DESC, contact_key))[1] END AS removed_by,
           min(first_run_id) AS first_run_id
      FROM mc_contact GROUP BY staff_key, new_key HAVING count(*) > 1;
    DELETE FROM dw.fact_contact c USING mc_keep k
     WHERE c.contact_key = ANY (k.all_keys) AND c.contact_key <> k.keep_key;
    UPDATE dw.fact_contact c
       SET customer_key = k.new_key, added_at = k.added_at, add_way = k.add_way, state = k.state,
           remark = k.remark, removed_at = k.removed_at, removed_by = k.removed_by,
           first_run_id = k.first_run_id, run_id = p_run
      FROM mc_keep k WHERE c.contact_key = k.keep_key;
    UPDATE dw.fact_contact l SET customer_key = t.into_key, run_id = p_run
      FROM mc_map t WHERE l.customer_key = t.from_key;

    -- Events: the same event seen on two customers is one event.
    DELETE FROM dw.fact_contact_event e USING (
        SELECT event_key, row_number() OVER (
                   PARTITION BY staff_key, COALESCE(t.into_key, e.customer_key), event_type, occurred_at
                   ORDER BY t.into_key IS NULL DESC, time_is_exact DESC, event_key) AS n
          FROM dw.fact_contact_event e LEFT JOIN mc_map t ON t.from_key = e.customer_key
         WHERE e.customer_key IN (SELECT from_key FROM mc_map UNION ALL SELECT customer_key FROM mc_survivor)) d
     WHERE e.event_key = d.event_key AND d.n > 1;
    UPDATE dw.fact_contact_event l SET customer_key = t.into_key, run_id = p_run
      FROM mc_map t WHERE l.customer_key = t.from_key;

    -- Group membership spans starting at the same time: one span, open if any is.
    DROP TABLE mc_keep;
    CREATE TEMP TABLE mc_keep ON COMMIT DROP AS
    SELECT (array_agg(g.member_span_key ORDER BY t.into_key IS NULL DESC, g.member_span_key))[1] AS keep_key,
           array_agg(g.member_span_key) AS all_keys,
           CASE WHEN bool_and(g.left_at IS NOT NULL) THEN max(g.left_at) END AS left_at
      FROM dw.fact_group_member g LEFT JOIN mc_map t ON t.from_key = g.customer_key
     WHERE g.customer_key IN (SELECT from_key FROM mc_map UNION ALL SELECT customer_key FROM mc_survivor)
     GROUP BY g.group_key, COALESCE(t.into_key, g.customer_key), g.joined_at
    HAVING count(*) > 1;
    DELETE FROM dw.fact_group_member g USING mc_keep k
     WHERE g.member_span_key = ANY (k.all_keys) AND g.member_span_key <> k.keep_key;
    UPDATE dw.fact_group_member g
       SET left_at = k.left_at,
           quit_scene = CASE WHEN k.left_at IS NULL THEN NULL ELSE g.quit_scene END,
           left_is_exact = CASE WHEN k.left_at IS NULL THEN NULL ELSE g.left_is_exact END,
           run_id = p_run
      FROM mc_keep k WHERE g.member_span_key = k.keep_key AND g.left_at IS DISTINCT FROM k.left_at;
    UPDATE dw.fact_group_member l SET customer_key = t.into_key, run_id = p_run
      FROM mc_map t WHERE l.customer_key = t.from_key;

    -- Tag spans starting at the same time: one span, current if any is.
    DROP TABLE mc_keep;
    CREATE TEMP TABLE mc_keep ON COMMIT DROP AS
    SELECT COALESCE(t.into_key, b.customer_key) AS new_key, b.tag_key, b.staff_key, b.valid_from,
           CASE WHEN bool_and(b.valid_to IS NOT NULL) THEN max(b.valid_to) END AS valid_to
      FROM dw.bridge_customer_tag b LEFT JOIN mc_map t ON t.from_key = b.customer_key
     WHERE b.customer_key IN (SELECT from_key FROM mc_map UNION ALL SELECT customer_key FROM mc_survivor)
     GROUP BY 1, 2, 3, 4
    HAVING count(*) > 1;
    DELETE FROM dw.bridge_customer_tag b USING mc_keep k, mc_map t
     WHERE b.customer_key = t.from_key AND t.into_key = k.new_key
       AND (b.tag_key, b.staff_key, b.valid_from) = (k.tag_key, k.staff_key, k.valid_from);
    -- the survivor's own span may be gone too (the collision was between merged-away ones)
    INSERT INTO dw.bridge_customer_tag (customer_key, tag_key, staff_key, valid_from, valid_to, run_id)
    SELECT k.new_key, k.tag_key, k.staff_key, k.valid_from, k.valid_to, p_run FROM mc_keep k
    ON CONFLICT (customer_key, tag_key, staff_key, valid_from) DO UPDATE
       SET valid_to = EXCLUDED.valid_to, run_id = p_run
     WHERE dw.bridge_customer_tag.valid_to IS DISTINCT FROM EXCLUDED.valid_to;
    UPDATE dw.bridge_customer_tag l SET customer_key = t.into_key, run_id = p_run
      FROM mc_map t WHERE l.customer_key = t.from_key;

    -- Earlier merges into a key that is now merged away follow it (one hop, always live).
    UPDATE dw.customer_merge m SET into_key = t.into_key
      FROM mc_map t WHERE m.into_key = t.from_key;
    INSERT INTO dw.customer_merge (from_key, into_key, run_id, reason)
    SELECT from_key, into_key, p_run, reason FROM mc_map ORDER BY from_key;

    DELETE FROM dw.dim_customer c USING mc_map t WHERE c.customer_key = t.from_key;

    -- The survivors' orders are one sequence now (first_contact_at: the triggers).
    PERFORM etl.resequence_customers(p_run, 'mc_survivor');
    RETURN v_count;
END
$fn$;

COMMENT ON FUNCTION dw.merge_customers(bigint) IS
    'Merges the customers listed in temp table tmp_merge(from_key, into_key, reason) (chains followed to their end): keeps the earliest first_seen_at / acquisition_source on the survivor, re-points identities and every fact (rows that would collide fold into one), records dw.customer_merge (older merges re-pointed to the live survivor), deletes the merged-away dim_customer rows and resequences the survivors'' orders; returns the number merged';

-- ---------------------------------------------------------------------------------------
-- dw.resolve_customers
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION dw.resolve_customers(p_run bigint, p_source text)
RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
    v_nodes bigint;
    v_edges bigint;
    v_hooked bigint;
    v_jumped bigint;
    v_rounds int := 0;
    v_merged bigint;
    v_seq regclass := pg_get_serial_sequence('dw.dim_customer', 'customer_key')::regclass;
BEGIN
    DROP TABLE IF EXISTS rc_node, rc_rec, rc_edge, rc_lab, rc_comp, tmp_merge, tmp_rec_customer;

    -- One node per distinct identifier, with the customer it already belongs to.
    CREATE TEMP TABLE rc_node ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY g.id_type, g.platform, g.id_value) AS node,
           g.id_type, g.platform, g.id_value, g.display_value, g.seen_at, g.source,
           ci.customer_key, ci.first_seen_at AS known_seen_at
      FROM (SELECT id_type, COALESCE(platform, '') AS platform, id_value,
                   min(display_value) AS display_value, min(seen_at) AS seen_at,
                   (array_agg(source ORDER BY seen_at))[1] AS source
              FROM tmp_id_link
             WHERE id_value <> ''
             GROUP BY 1, 2, 3) g
      LEFT JOIN dw.customer_identity ci
        ON (ci.id_type, ci.platform, ci.id_value) = (g.id_type, g.platform, g.id_value);
    GET DIAGNOSTICS v_nodes = ROW_COUNT;
    CREATE UNIQUE INDEX ON rc_node (id_type, platform, id_value);
    ANALYZE rc_node;

    CREATE TEMP TABLE rc_rec ON COMMIT DROP AS
    SELECT DISTINCT l.rec, n.node
      FROM tmp_id_link l
      JOIN rc_node n ON (n.id_type, n.platform, n.id_value) = (l.id_type, COALESCE(l.platform, ''), l.id_value);
    ANALYZE rc_rec;

    -- Edges of the identifier graph: each identifier of a record to the record's smallest,
    -- and each identifier of a known customer to the customer's smallest in the batch.
    -- Records and customers with one identifier add none (most of a batch).
    CREATE TEMP TABLE rc_edge ON COMMIT DROP AS
    SELECT a, b FROM (
        SELECT node AS a, min(node) OVER (PARTITION BY rec) AS b FROM rc_rec
        UNION
        SELECT node, min(node) OVER (PARTITION BY customer_key) FROM rc_node
         WHERE customer_key IS NOT NULL) e
     WHERE a <> b;
    GET DIAGNOSTICS v_edges = ROW_COUNT;
    ANALYZE rc_edge;

    -- Connected components by min-label propagation with pointer jumping, over the nodes
    -- that have an edge (every other node is a component of its own).
    CREATE TEMP TABLE rc_lab ON COMMIT DROP AS
    SELECT x AS node, min(y) AS label
      FROM (SELECT a AS x, b AS y FROM rc_edge UNION ALL SELECT b, b FROM rc_edge) e
     GROUP BY x;
    CREATE UNIQUE INDEX ON rc_lab (node);
    ANALYZE rc_lab;
    LOOP
        v_rounds := v_rounds + 1;
        WITH cand AS (
            SELECT e.a AS node, lb.label FROM rc_edge e JOIN rc_lab lb ON lb.node = e.b
            UNION ALL
            SELECT e.b, la.label FROM rc_edge e JOIN rc_lab la ON la.node = e.a),
        best AS (SELECT node, min(label) AS label FROM cand GROUP BY node)
        UPDATE rc_lab l SET label = best.label
          FROM best WHERE best.node = l.node AND best.label < l.label;
        GET DIAGNOSTICS v_hooked = ROW_COUNT;
        UPDATE rc_lab l SET label = p.label
          FROM rc_lab p WHERE p.node = l.label AND p.label < l.label;
        GET DIAGNOSTICS v_jumped = ROW_COUNT;
        EXIT WHEN v_hooked + v_jumped = 0;
    END LOOP;
    RAISE DEBUG 'resolve_customers: % identifiers, % links, % rounds', v_nodes, v_edges, v_rounds;

    -- One row per component: its survivor is the oldest known customer, else a new key,
    -- handed out in order of first sighting.
    CREATE TEMP TABLE rc_comp ON COMMIT DROP AS
    SELECT label, COALESCE(survivor, nextval(v_seq)) AS survivor, survivor IS NULL AS is_new,
           first_seen_at, source
      FROM (SELECT COALESCE(l.label, n.node) AS label, min(n.customer_key) AS survivor,
                   min(n.seen_at) AS first_seen_at,
                   (array_agg(n.source ORDER BY n.seen_at, n.node))[1] AS source
              FROM rc_node n LEFT JOIN rc_lab l USING (node)
             GROUP BY 1) c
     ORDER BY first_seen_at, label;
    CREATE UNIQUE INDEX ON rc_comp (label);
    ANALYZE rc_comp;

    INSERT INTO dw.dim_customer (customer_key, first_seen_at, acquisition_source,
                                 created_run_id, updated_run_id)
    OVERRIDING SYSTEM VALUE
    SELECT survivor, first_seen_at, COALESCE(source, p_source), p_run, p_run
      FROM rc_comp WHERE is_new ORDER BY survivor;

    -- Known customers that now share a component with an older one.
    CREATE TEMP TABLE tmp_merge ON COMMIT DROP AS
    SELECT DISTINCT n.customer_key AS from_key, c.survivor AS into_key,
           'linked in run ' || p_run || ' from ' || p_source AS reason
      FROM rc_node n LEFT JOIN rc_lab l USING (node)
      JOIN rc_comp c ON c.label = COALESCE(l.label, n.node)
     WHERE n.customer_key IS NOT NULL AND n.customer_key <> c.survivor;
    v_merged := dw.merge_customers(p_run);

    INSERT INTO dw.customer_identity (id_type, platform, id_value, display_value,
                                      customer_key, first_seen_at, run_id)
    SELECT n.id_type, n.platform, n.id_value, n.display_value, c.survivor, n.seen_at, p_run
      FROM rc_node n LEFT JOIN rc_lab l USING (node)
      JOIN rc_comp c ON c.label = COALESCE(l.label, n.node)
     WHERE n.customer_key IS NULL;

    -- Seen earlier than we knew (a late record): the identifier and the customer move back.
    UPDATE dw.customer_identity ci SET first_seen_at = n.seen_at
      FROM rc_node n
     WHERE n.seen_at < n.known_seen_at
       AND (ci.id_type, ci.platform, ci.id_value) = (n.id_type, n.platform, n.id_value);
    UPDATE dw.dim_customer d
       SET first_seen_at = c.first_seen_at, acquisition_source = COALESCE(c.source, p_source),
           updated_run_id = p_run
      FROM rc_comp c
     WHERE NOT c.is_new AND d.customer_key = c.survivor AND c.first_seen_at < d.first_seen_at;

    CREATE TEMP TABLE tmp_rec_customer ON COMMIT DROP AS
    SELECT r.rec, min(c.survivor) AS customer_key
      FROM rc_rec r LEFT JOIN rc_lab l USING (node)
      JOIN rc_comp c ON c.label = COALESCE(l.label, r.node)
     GROUP BY r.rec;
    CREATE UNIQUE INDEX ON tmp_rec_customer (rec);
    ANALYZE tmp_rec_customer;
    RETURN v_merged;
END
$fn$;

COMMENT ON FUNCTION dw.resolve_customers(bigint, text) IS
    'Identity resolution for one batch: reads temp table tmp_id_link(rec, id_type, platform, id_value, display_value, seen_at, source), links co-occurring identifiers into customers (new, existing, or merged into the oldest key: dw.merge_customers), and writes temp tables tmp_rec_customer(rec, customer_key) and tmp_merge(from_key, into_key, reason); returns the number of customers merged away';

DO $$ BEGIN PERFORM etl.apply_privileges(); END $$;
