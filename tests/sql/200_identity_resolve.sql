-- 200_identity_resolve.sql — dw.resolve_customers / dw.merge_customers on hand-built identity
-- links (tests/sql/200_identity_fixture.psql: pg_temp.link + pg_temp.resolve call the
-- function the loaders call). Transitive links inside one batch, the oldest key survives,
-- merge chains stay one hop, repeated batches change nothing, first sightings move back.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(35);

\ir 200_identity_fixture.psql

SELECT is((SELECT count(*) FROM dw.dim_customer), 0::bigint, 'the warehouse starts without customers');

-- ---------------------------------------------------------------------------------------------
-- transitive links inside one batch: A–B on record 1, B–C on 2, C–D on 3 → one customer
-- ---------------------------------------------------------------------------------------------
SELECT pg_temp.link(1, 'buyer_id', 'tb-a', 'taobao'), pg_temp.link(1, 'phone', 'hash-b'),
       pg_temp.link(2, 'phone', 'hash-b'), pg_temp.link(2, 'unionid', 'union-c'),
       pg_temp.link(3, 'unionid', 'union-c'), pg_temp.link(3, 'buyer_id', 'yz-d', 'youzan');
SELECT is(pg_temp.resolve(), 0::bigint, 'A–B, B–C, C–D in one batch: nothing to merge');
SELECT is((SELECT count(DISTINCT customer_key) FROM dw.customer_identity
            WHERE id_value IN ('tb-a', 'hash-b', 'union-c', 'yz-d')), 1::bigint,
          'A–B, B–C, C–D in one batch are one customer');
SELECT is((SELECT count(*) FROM dw.dim_customer), 1::bigint, '... and one dim_customer row');
SELECT is((SELECT count(DISTINCT customer_key) FROM tmp_rec_customer WHERE rec IN (1, 2, 3)), 1::bigint,
          '... and the three records get that customer');

-- A chain of 12 records whose smallest identifier sits at the far end (label propagation
-- has to carry it across the whole chain): link k joins buyer c(12-k) to c(11-k).
SELECT pg_temp.link(k, 'buyer_id', 'chain-' || lpad((12 - k)::text, 2, '0'), 'jd'),
       pg_temp.link(k, 'buyer_id', 'chain-' || lpad((11 - k)::text, 2, '0'), 'jd')
  FROM generate_series(0, 11) k;
SELECT is(pg_temp.resolve(), 0::bigint, 'a 13-identifier chain in one batch: nothing to merge');
SELECT is((SELECT count(DISTINCT customer_key) FROM dw.customer_identity WHERE id_value LIKE 'chain-%'),
          1::bigint, '... one customer');
SELECT is((SELECT count(*) FROM dw.customer_identity WHERE id_value LIKE 'chain-%'), 13::bigint,
          '... with 13 identities');

-- A record without any identifier (a guest) gets no customer.
SELECT pg_temp.link(1, 'buyer_id', '', 'taobao');
SELECT pg_temp.link(2, 'buyer_id', 'solo', 'taobao');
SELECT pg_temp.resolve();
SELECT is((SELECT array_agg(rec ORDER BY rec) FROM tmp_rec_customer), ARRAY[2::bigint],
          'a record with only empty identifiers is a guest: no customer');

-- ---------------------------------------------------------------------------------------------
-- the survivor is the OLDEST key, even when a younger customer was first seen earlier
-- ---------------------------------------------------------------------------------------------
SELECT pg_temp.link(1, 'buyer_id', 'k1', 'taobao', '2024-03-01 10:00+08', 'taobao');
SELECT pg_temp.resolve('taobao');
SELECT pg_temp.link(1, 'buyer_id', 'k2', 'youzan', '2024-02-01 10:00+08', 'youzan');
SELECT pg_temp.resolve('youzan');
SELECT pg_temp.link(1, 'external_userid', 'wm-k3', '', '2023-12-24 10:00+08', 'wecom');
SELECT pg_temp.resolve('wecom');
SELECT pg_temp.cust('buyer_id', 'k1', 'taobao') AS k1, pg_temp.cust('buyer_id', 'k2', 'youzan') AS k2,
       pg_temp.cust('external_userid', 'wm-k3') AS k3 \gset
SELECT ok(:k1 < :k2 AND :k2 < :k3, 'three customers, keys in order of loading');

-- one batch links k3–phone (rec 1), phone–k1 (rec 2), k2–k3 (rec 3)
SELECT pg_temp.link(1, 'external_userid', 'wm-k3', '', '2024-04-01 10:00+08', 'wecom'),
       pg_temp.link(1, 'phone', 'hash-k', '', '2024-04-01 10:00+08', 'wecom'),
       pg_temp.link(2, 'phone', 'hash-k', '', '2024-04-01 10:00+08', 'wecom'),
       pg_temp.link(2, 'buyer_id', 'k1', 'taobao', '2024-04-01 10:00+08', 'wecom'),
       pg_temp.link(3, 'buyer_id', 'k2', 'youzan', '2024-04-01 10:00+08', 'wecom'),
       pg_temp.link(3, 'external_userid', 'wm-k3', '', '2024-04-01 10:00+08', 'wecom');
SELECT is(pg_temp.resolve('wecom'), 2::bigint, 'linking three customers merges two');
SELECT is((SELECT array_agg(DISTINCT customer_key) FROM dw.customer_identity
            WHERE id_value IN ('k1', 'k2', 'wm-k3', 'hash-k')), ARRAY[:k1::bigint],
          'every identifier now belongs to the oldest key');
SELECT bag_eq($$SELECT from_key, into_key FROM tmp_merge$$,
              format('VALUES (%s::bigint, %s::bigint), (%s, %s)', :k2, :k1, :k3, :k1),
              'tmp_merge: the two younger keys into the oldest');
SELECT bag_eq($$SELECT from_key, into_key FROM dw.customer_merge$$,
              format('VALUES (%s::bigint, %s::bigint), (%s, %s)', :k2, :k1, :k3, :k1),
              'dw.customer_merge records both merges');
SELECT is((SELECT count(*) FROM dw.dim_customer WHERE customer_key IN (:k2, :k3)), 0::bigint,
          'the merged-away customers are deleted');
SELECT results_eq(format($$SELECT first_seen_at, acquisition_source FROM dw.dim_customer WHERE customer_key = %s$$, :k1),
                  $$VALUES ('2023-12-24 10:00+08'::timestamptz, 'wecom'::text)$$,
                  'the survivor keeps the earliest sighting (the younger wecom customer''s) and its source');
SELECT is((SELECT min(customer_key) FROM tmp_rec_customer), :k1::bigint, 'the batch''s records point at the survivor');
SELECT is((SELECT count(DISTINCT customer_key) FROM tmp_rec_customer), 1::bigint, '... all of them');

-- ---------------------------------------------------------------------------------------------
-- repeated batches: the same links again change nothing
-- ---------------------------------------------------------------------------------------------
SELECT pg_temp.fingerprint() AS fp_before \gset
SELECT pg_temp.link(1, 'external_userid', 'wm-k3', '', '2024-04-01 10:00+08', 'wecom'),
       pg_temp.link(1, 'phone', 'hash-k', '', '2024-04-01 10:00+08', 'wecom'),
       pg_temp.link(2, 'phone', 'hash-k', '', '2024-04-01 10:00+08', 'wecom'),
       pg_temp.link(2, 'buyer_id', 'k1', 'taobao', '2024-04-01 10:00+08', 'wecom'),
       pg_temp.link(3, 'buyer_id', 'k2', 'youzan', '2024-04-01 10:00+08', 'wecom'),
       pg_temp.link(3, 'external_userid', 'wm-k3', '', '2024-04-01 10:00+08', 'wecom');
SELECT is(pg_temp.resolve('wecom'), 0::bigint, 'the same batch again merges nothing');
SELECT is((SELECT count(*) FROM rc_edge), 0::bigint,
          '... and needs no link: known identifiers of one customer take part as that customer');
SELECT is(pg_temp.fingerprint(), :'fp_before', '... and changes no customer, identity or merge row');
SELECT is((SELECT count(*) FROM dw.customer_merge), 2::bigint, '... no new dw.customer_merge row');

-- ---------------------------------------------------------------------------------------------
-- merge chains: A into B, later B into C → every into_key is the live survivor C
-- ---------------------------------------------------------------------------------------------
SELECT pg_temp.link(1, 'buyer_id', 'chain-c', 'pdd'); SELECT pg_temp.resolve();
SELECT pg_temp.link(1, 'buyer_id', 'chain-b', 'pdd'); SELECT pg_temp.resolve();
SELECT pg_temp.link(1, 'buyer_id', 'chain-a', 'pdd'); SELECT pg_temp.resolve();
SELECT pg_temp.cust('buyer_id', 'chain-a', 'pdd') AS ca, pg_temp.cust('buyer_id', 'chain-b', 'pdd') AS cb,
       pg_temp.cust('buyer_id', 'chain-c', 'pdd') AS cc \gset
SELECT pg_temp.link(1, 'buyer_id', 'chain-a', 'pdd'), pg_temp.link(1, 'unionid', 'union-ab');
SELECT pg_temp.link(2, 'buyer_id', 'chain-b', 'pdd'), pg_temp.link(2, 'unionid', 'union-ab');
SELECT is(pg_temp.resolve(), 1::bigint, 'A merges into B');
SELECT pg_temp.link(1, 'buyer_id', 'chain-b', 'pdd'), pg_temp.link(1, 'phone', 'hash-bc');
SELECT pg_temp.link(2, 'phone', 'hash-bc'), pg_temp.link(2, 'buyer_id', 'chain-c', 'pdd');
SELECT is(pg_temp.resolve(), 1::bigint, 'later B merges into C');
SELECT bag_eq(format($$SELECT from_key, into_key FROM dw.customer_merge WHERE from_key IN (%s, %s)$$, :ca, :cb),
              format('VALUES (%s::bigint, %s::bigint), (%s, %s)', :ca, :cc, :cb, :cc),
              'both merge rows point at C (one hop)');
SELECT is((SELECT count(*) FROM dw.customer_merge m
            WHERE NOT EXISTS (SELECT 1 FROM dw.dim_customer d WHERE d.customer_key = m.into_key)),
          0::bigint, 'every into_key is a live customer');
SELECT is((SELECT count(*) FROM dw.customer_merge m JOIN dw.dim_customer d ON d.customer_key = m.from_key),
          0::bigint, 'no from_key is a live customer');

-- A chain inside tmp_merge itself (a caller passing a -> b, b -> c) ends at c.
SELECT pg_temp.link(1, 'buyer_id', 'tm-c', 'pdd'); SELECT pg_temp.resolve();
SELECT pg_temp.link(1, 'buyer_id', 'tm-b', 'pdd'); SELECT pg_temp.resolve();
SELECT pg_temp.link(1, 'buyer_id', 'tm-a', 'pdd'); SELECT pg_temp.resolve();
SELECT pg_temp.cust('buyer_id', 'tm-a', 'pdd') AS ta, pg_temp.cust('buyer_id', 'tm-b', 'pdd') AS tb,
       pg_temp.cust('buyer_id', 'tm-c', 'pdd') AS tc \gset
DROP TABLE IF EXISTS tmp_merge;
CREATE TEMP TABLE tmp_merge AS
SELECT * FROM (VALUES (:ta::bigint, :tb::bigint, 'test'), (:tb, :tc, 'test')) v (from_key, into_key, reason);
SELECT is(dw.merge_customers(pg_temp.new_run('run')), 2::bigint, 'merge_customers follows a chain given in tmp_merge');
SELECT is((SELECT array_agg(DISTINCT customer_key) FROM dw.customer_identity WHERE id_value LIKE 'tm-%'),
          ARRAY[:tc::bigint], '... to its end');

-- ---------------------------------------------------------------------------------------------
-- new keys in order of first sighting; late records move first_seen_at back
-- ---------------------------------------------------------------------------------------------
SELECT pg_temp.link(1, 'buyer_id', 'seen-3', 'taobao', '2024-06-03 10:00+08'),
       pg_temp.link(2, 'buyer_id', 'seen-1', 'taobao', '2024-06-01 10:00+08'),
       pg_temp.link(3, 'buyer_id', 'seen-2', 'taobao', '2024-06-02 10:00+08');
SELECT pg_temp.resolve();
SELECT ok(pg_temp.cust('buyer_id', 'seen-1', 'taobao') < pg_temp.cust('buyer_id', 'seen-2', 'taobao')
          AND pg_temp.cust('buyer_id', 'seen-2', 'taobao') < pg_temp.cust('buyer_id', 'seen-3', 'taobao'),
          'new customers of one batch get keys in order of first sighting');

SELECT pg_temp.link(1, 'buyer_id', 'seen-2', 'taobao', '2024-05-01 10:00+08', 'taobao'),
       pg_temp.link(1, 'unionid', 'union-late', '', '2024-04-30 10:00+08', 'youzan');
SELECT pg_temp.resolve('youzan');
SELECT results_eq(format($$SELECT first_seen_at, acquisition_source FROM dw.dim_customer WHERE customer_key = %s$$,
                         pg_temp.cust('buyer_id', 'seen-2', 'taobao')),
                  $$VALUES ('2024-04-30 10:00+08'::timestamptz, 'youzan'::text)$$,
                  'a late record moves first_seen_at back, and acquisition_source with it');
SELECT is((SELECT first_seen_at FROM dw.customer_identity WHERE id_value = 'seen-2'),
          '2024-05-01 10:00+08'::timestamptz, '... and the identifier''s own first_seen_at');

-- ---------------------------------------------------------------------------------------------
-- random batches against a reference: the customers are the connected components of the
-- identifiers the records link (found here by a recursive walk), over both batches. Chains
-- of links in every direction and of every length: label propagation's later rounds read
-- only the edges at a class whose label moved, and the second batch links known customers.
-- ---------------------------------------------------------------------------------------------
SELECT setseed(0.42);
CREATE TEMP TABLE rnd_link AS
SELECT batch, k AS rec, a, a + 1 + floor(random() * 3)::int AS b
  FROM (SELECT batch, k, 1 + floor(random() * 400)::int AS a
          FROM generate_series(1, 2) batch, generate_series(1, 150) k) x;
CREATE FUNCTION pg_temp.rnd_id(n int) RETURNS text LANGUAGE sql AS $$ SELECT 'rnd-' || lpad(n::text, 3, '0') $$;
CREATE FUNCTION pg_temp.rnd_resolve(p_batch int) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM (SELECT pg_temp.link(rec, 'buyer_id', pg_temp.rnd_id(a), 'jd'),
                                 pg_temp.link(rec, 'buyer_id', pg_temp.rnd_id(b), 'jd')
                            FROM rnd_link WHERE batch = p_batch) l;
    SELECT pg_temp.resolve();
$$;
-- the components of batches 1 .. p_batches that are not exactly one customer each
CREATE FUNCTION pg_temp.rnd_mismatch(p_batches int) RETURNS bigint LANGUAGE sql AS $$
    WITH RECURSIVE e AS (SELECT a, b FROM rnd_link WHERE batch <= p_batches
                         UNION SELECT b, a FROM rnd_link WHERE batch <= p_batches),
    walk (node, root) AS (SELECT a, a FROM e UNION SELECT e.b, w.root FROM walk w JOIN e ON e.a = w.node),
    comp AS (SELECT node, min(root) AS root, pg_temp.cust('buyer_id', pg_temp.rnd_id(node), 'jd') AS customer_key
               FROM walk GROUP BY node)
    -- a component split over customers, or a customer over components
    SELECT (SELECT count(*) FROM (SELECT root FROM comp GROUP BY root HAVING count(DISTINCT customer_key) <> 1
                                                                      OR bool_or(customer_key IS NULL)) s)
         + (SELECT count(*) FROM (SELECT customer_key FROM comp GROUP BY customer_key HAVING count(DISTINCT root) <> 1) t)
$$;
SELECT pg_temp.rnd_resolve(1);
SELECT is(pg_temp.rnd_mismatch(1), 0::bigint, 'random links in one batch: one customer per connected component');
SELECT pg_temp.rnd_resolve(2);
SELECT is(pg_temp.rnd_mismatch(2), 0::bigint, 'a second random batch linking known customers: one customer per component of both');
SELECT ok((SELECT count(DISTINCT pg_temp.cust('buyer_id', pg_temp.rnd_id(a), 'jd')) FROM rnd_link) BETWEEN 20 AND 200,
          '... (components of many sizes: neither one nor all apart)');

SELECT * FROM finish();
ROLLBACK;
