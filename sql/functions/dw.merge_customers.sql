-- dw.merge_customers — Merges the customers listed in temp table tmp_merge(from_key, into_key, reason) (chains …

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
