#!/usr/bin/env bash
test_description='siyu check: every data test passes on a clean load and fails, naming the row, on a corrupted copy; source freshness warns then fails'
. "$(dirname "$0")/../lib.sh"

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
export SIYU_PII_KEY=t0420-test-key-0123456789
Q="'"

cat >"$TRASH/run.conf" <<EOC
[run]
timezone = Asia/Shanghai
raw_dir = $TRASH/raw
[source.taobao_csv]
type = csv
path = $TOP/sample/orders-taobao.csv
warn_after = 1h
error_after = 3h
[source.youzan_csv]
type = csv
path = $TOP/sample/orders-youzan.csv
EOC

# block NAME <out — the lines check printed for test NAME (its status line and examples).
block() {
	awk -v n="$1" '/^(ok|FAIL|WARN) /{ cur = $2 } cur == n' out
}

test_expect_success 'a clean load passes every data test' '
	"$SIYU" --config run.conf run >run.out 2>run.err &&
	"$SIYU" check --select unique. --select relationships. --select accepted_values. \
		--select non_negative. --select lines. --select derived. --select customers. >out &&
	test "$(grep -vc -e "^ok " -e "^check: " out)" = 0 &&
	"$SIYU" check --list | cut -d" " -f1 >tests &&
	grep -c . tests >count && test "$(cat count)" -ge 40 &&
	grep -q "^check: $(cat count) ok, 0 failed, 0 warnings$" out
'

# Corrupt a copy of the loaded warehouse, one corruption per data test, each on rows of its
# own. The constraints that would refuse a corruption are dropped in the copy, foreign keys
# and triggers are off (session_replication_role = replica). Writes expect: test|text its
# failure must show.
corrupt() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 <<-\EOS
	SET client_min_messages = warning;
	SET session_replication_role = replica;
	DO $$
	DECLARE r record;
	BEGIN
	    FOR r IN SELECT conrelid::regclass AS t, conname FROM pg_constraint c
	              JOIN pg_namespace n ON n.oid = c.connamespace
	             WHERE n.nspname = 'dw' AND c.contype IN ('c', 'u', 'p') AND c.conparentid = 0
	               AND c.coninhcount = 0
	               AND c.conrelid <> 'dw.dim_date'::regclass
	    LOOP
	        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I CASCADE', r.t, r.conname);
	    END LOOP;
	END $$;

	CREATE TEMP TABLE expect (test text, shows text);
	-- Single-line orders of customers, in a fixed order, and the ones already used.
	CREATE TEMP TABLE cand AS
	SELECT f.*, i.order_no, row_number() OVER (ORDER BY i.order_no) AS n,
	       count(*) OVER (PARTITION BY f.customer_key) AS orders_of_customer
	  FROM dw.fact_order f JOIN dw.order_identity i USING (order_key)
	 WHERE f.line_count = 1 AND f.customer_key IS NOT NULL;
	CREATE TEMP TABLE used (order_key bigint, customer_key bigint);
	CREATE FUNCTION pg_temp.pick(p_kind text) RETURNS bigint LANGUAGE plpgsql AS $f$
	DECLARE k bigint;
	BEGIN
	    SELECT c.order_key INTO k FROM cand c
	     WHERE c.order_key NOT IN (SELECT order_key FROM used)
	       AND c.customer_key NOT IN (SELECT customer_key FROM used)
	       AND CASE p_kind
	           WHEN 'any' THEN true
	           WHEN 'unpaid' THEN c.paid_at IS NULL AND c.orders_of_customer = 1
	           WHEN 'later' THEN c.is_qualifying AND c.order_seq >= 2
	           END
	     ORDER BY c.n LIMIT 1;
	    INSERT INTO used SELECT c.order_key, c.customer_key FROM cand c WHERE c.order_key = k;
	    RETURN k;
	END $f$;
	CREATE FUNCTION pg_temp.nk(p_key bigint) RETURNS text LANGUAGE sql AS $f$
	    SELECT order_no FROM cand WHERE order_key = p_key $f$;

	-- natural keys
	WITH k AS (SELECT pg_temp.pick('unpaid') AS k)
	INSERT INTO expect SELECT 'unique.order_identity', pg_temp.nk(k) || ': 2 rows' FROM k;
	INSERT INTO dw.order_identity (channel_key, order_no, created_at, source_version)
	SELECT channel_key, order_no, created_at, source_version FROM dw.order_identity i
	 WHERE i.order_no = (SELECT split_part(shows, ':', 1) FROM expect WHERE test = 'unique.order_identity');

	CREATE TEMP TABLE one AS SELECT pg_temp.pick('unpaid') AS k;
	INSERT INTO expect SELECT 'unique.fact_order', pg_temp.nk(k) || ': 2 rows' FROM one;
	INSERT INTO dw.fact_order SELECT f.order_key, f.created_at + interval '40 days', f.customer_key,
	       f.channel_key, f.paid_at, f.status, f.order_date_key, f.paid_date_key, f.gross_fen,
	       f.discount_fen, f.shipping_fen, f.paid_fen, f.refund_fen, f.item_count, f.line_count,
	       f.is_qualifying, f.order_seq, f.is_first_order, f.source_version, f.run_id
	  FROM dw.fact_order f JOIN one ON f.order_key = one.k;
	DROP TABLE one;

	CREATE TEMP TABLE one AS SELECT pg_temp.pick('any') AS k;
	INSERT INTO expect SELECT 'unique.fact_order_line', pg_temp.nk(k) || ' line 1: 2 rows' FROM one;
	INSERT INTO dw.fact_order_line SELECT l.* FROM dw.fact_order_line l JOIN one ON l.order_key = one.k;
	DROP TABLE one;

	INSERT INTO dw.dim_channel (platform, shop_id, shop_name)
	SELECT platform, shop_id, 'again' FROM dw.dim_channel WHERE platform = 'youzan';
	INSERT INTO expect SELECT 'unique.dim_channel', platform || '/' || shop_id || ': 2 rows'
	  FROM dw.dim_channel WHERE platform = 'youzan' LIMIT 1;

	INSERT INTO dw.dim_product (channel_key, sku, title)
	SELECT channel_key, sku, 'again' FROM dw.dim_product ORDER BY product_key LIMIT 1;
	INSERT INTO expect SELECT 'unique.dim_product', '/' || sku || ': 2 rows'
	  FROM dw.dim_product ORDER BY product_key LIMIT 1;

	INSERT INTO dw.customer_identity (id_type, platform, id_value, customer_key, first_seen_at)
	SELECT id_type, platform, id_value, customer_key, first_seen_at FROM dw.customer_identity
	 WHERE id_type = 'buyer_id' ORDER BY id_value LIMIT 1;
	INSERT INTO expect SELECT 'unique.customer_identity', 'buyer_id ' || platform || ':' || id_value || ': 2 rows'
	  FROM dw.customer_identity WHERE id_type = 'buyer_id' ORDER BY id_value LIMIT 1;

	INSERT INTO dw.dim_staff (userid, name) VALUES ('zhang.san', 'a'), ('zhang.san', 'b');
	INSERT INTO expect VALUES ('unique.dim_staff', 'zhang.san: 2 rows');
	INSERT INTO dw.dim_group (chat_id, owner_staff_key) VALUES ('wrOgroup1', 778), ('wrOgroup1', 778);
	INSERT INTO expect VALUES ('unique.dim_group', 'wrOgroup1: 2 rows'),
	    ('relationships.dim_group.owner_staff_key', 'chat wrOgroup1: owner_staff_key 778 not in dim_staff');
	INSERT INTO dw.dim_tag (tag_id, name) VALUES ('etTag1', 'vip'), ('etTag1', 'vip');
	INSERT INTO expect VALUES ('unique.dim_tag', 'etTag1: 2 rows');

	-- foreign keys
	CREATE TEMP TABLE one AS SELECT pg_temp.pick('any') AS k;
	INSERT INTO expect SELECT 'relationships.fact_order.order_identity', pg_temp.nk(k) || ': created_at' FROM one;
	UPDATE dw.order_identity i SET created_at = i.created_at - interval '1 second' FROM one WHERE i.order_key = one.k;
	DROP TABLE one;

	CREATE TEMP TABLE one AS SELECT pg_temp.pick('unpaid') AS k;
	INSERT INTO expect SELECT 'relationships.order_identity.fact_order', pg_temp.nk(k) || ': no fact_order row' FROM one;
	DELETE FROM dw.fact_order_line l USING one WHERE l.order_key = one.k;
	DELETE FROM dw.fact_order f USING one WHERE f.order_key = one.k;
	DROP TABLE one;

	CREATE TEMP TABLE one AS SELECT pg_temp.pick('unpaid') AS k;
	INSERT INTO expect SELECT 'relationships.fact_order.customer_key', pg_temp.nk(k) || ': customer_key 999999999' FROM one;
	UPDATE dw.fact_order f SET customer_key = 999999999 FROM one WHERE f.order_key = one.k;
	DROP TABLE one;

	CREATE TEMP TABLE one AS SELECT pg_temp.pick('any') AS k;
	INSERT INTO expect SELECT 'relationships.fact_order.channel_key', pg_temp.nk(k) || ': channel_key 9999' FROM one;
	UPDATE dw.fact_order f SET channel_key = 9999 FROM one WHERE f.order_key = one.k;
	DROP TABLE one;

	CREATE TEMP TABLE one AS SELECT pg_temp.pick('any') AS k;
	INSERT INTO expect SELECT 'relationships.fact_order.date_keys', pg_temp.nk(k) || ': order_date_key' FROM one;
	INSERT INTO expect SELECT 'derived.date_keys', pg_temp.nk(k) || ': order_date_key' FROM one;
	UPDATE dw.fact_order f SET paid_date_key = 21990101 FROM one WHERE f.order_key = one.k;
	DROP TABLE one;

	CREATE TEMP TABLE one AS SELECT pg_temp.pick('any') AS k;
	INSERT INTO expect SELECT 'relationships.fact_order_line.fact_order', pg_temp.nk(k) || ' line 1: no fact_order row' FROM one;
	UPDATE dw.fact_order_line l SET created_at = l.created_at + interval '1 second' FROM one WHERE l.order_key = one.k;
	DROP TABLE one;

	CREATE TEMP TABLE one AS SELECT pg_temp.pick('any') AS k;
	INSERT INTO expect SELECT 'relationships.fact_order_line.product_key', pg_temp.nk(k) || ' line 1: product_key 999999' FROM one;
	UPDATE dw.fact_order_line l SET product_key = 999999 FROM one WHERE l.order_key = one.k;
	DROP TABLE one;

	INSERT INTO dw.dim_product (channel_key, sku) VALUES (9998, 'ORPHAN-SKU');
	INSERT INTO expect VALUES ('relationships.dim_product.channel_key', 'sku ORPHAN-SKU: channel_key 9998 not in dim_channel');

	INSERT INTO dw.customer_identity (id_type, platform, id_value, customer_key, first_seen_at)
	VALUES ('unionid', '', 'oOrphanUnion', 999998, now());
	INSERT INTO expect VALUES ('relationships.customer_identity.customer_key', 'unionid oOrphanUnion: customer_key 999998');

	INSERT INTO dw.customer_merge (from_key, into_key, reason) VALUES (999996, 999997, 'test');
	INSERT INTO expect VALUES ('relationships.customer_merge', '(999996 into 999997): into_key is not a live customer');

	INSERT INTO dw.fact_contact (staff_key, customer_key, added_at)
	SELECT 777, min(customer_key), now() FROM dw.dim_customer;
	INSERT INTO expect SELECT 'relationships.fact_contact', ': staff_key 777 not in dim_staff';
	INSERT INTO dw.fact_contact_event (staff_key, customer_key, event_type, occurred_at, time_is_exact)
	SELECT 777, min(customer_key), 'poke', now(), true FROM dw.dim_customer;
	INSERT INTO expect VALUES ('relationships.fact_contact_event', ': staff_key 777 not in dim_staff'),
	    ('accepted_values.fact_contact_event.event_type', ': event_type ''poke''');
	INSERT INTO dw.fact_group_member (group_key, member_type, customer_key, joined_at)
	SELECT 888888, 'bot', min(customer_key), now() FROM dw.dim_customer;
	INSERT INTO expect VALUES ('relationships.fact_group_member', ': group_key 888888 not in dim_group'),
	    ('accepted_values.fact_group_member.member_type', ': member_type ''bot''');
	INSERT INTO dw.fact_staff_daily (staff_key, date_key) VALUES (777, 20250101);
	INSERT INTO expect VALUES ('relationships.fact_staff_daily', 'staff_key 777 day 20250101: staff_key 777 not in dim_staff');
	INSERT INTO dw.fact_group_daily (owner_staff_key, date_key) VALUES (777, 20250101);
	INSERT INTO expect VALUES ('relationships.fact_group_daily', 'owner 777 day 20250101: owner_staff_key 777 not in dim_staff');
	INSERT INTO dw.bridge_customer_tag (customer_key, tag_key, staff_key, valid_from)
	SELECT min(customer_key), 555, 777, now() FROM dw.dim_customer;
	INSERT INTO expect VALUES ('relationships.bridge_customer_tag', ': tag_key 555 not in dim_tag');

	-- accepted values
	CREATE TEMP TABLE one AS SELECT pg_temp.pick('unpaid') AS k;
	INSERT INTO expect SELECT 'accepted_values.fact_order.status', pg_temp.nk(k) || ': status ''lost''' FROM one;
	UPDATE dw.fact_order f SET status = 'lost' FROM one WHERE f.order_key = one.k;
	DROP TABLE one;

	INSERT INTO dw.customer_identity (id_type, platform, id_value, customer_key, first_seen_at)
	SELECT 'email', '', 'someone@example.com', min(customer_key), now() FROM dw.dim_customer;
	INSERT INTO expect VALUES ('accepted_values.customer_identity.id_type', 'email someone@example.com: id_type ''email''');

	-- money
	CREATE TEMP TABLE one AS SELECT pg_temp.pick('any') AS k;
	INSERT INTO expect SELECT 'non_negative.fact_order', pg_temp.nk(k) || ': discount_fen -5' FROM one;
	UPDATE dw.fact_order f SET discount_fen = -5 FROM one WHERE f.order_key = one.k;
	DROP TABLE one;

	CREATE TEMP TABLE one AS SELECT pg_temp.pick('any') AS k;
	INSERT INTO expect SELECT 'non_negative.fact_order_line', pg_temp.nk(k) || ' line 1: refund_fen -1' FROM one;
	UPDATE dw.fact_order_line l SET refund_fen = -1 FROM one WHERE l.order_key = one.k;
	DROP TABLE one;

	-- lines against the header
	CREATE TEMP TABLE one AS SELECT pg_temp.pick('any') AS k;
	INSERT INTO expect SELECT 'lines.exist', pg_temp.nk(k) || ': no lines' FROM one;
	DELETE FROM dw.fact_order_line l USING one WHERE l.order_key = one.k;
	DROP TABLE one;

	CREATE TEMP TABLE one AS SELECT pg_temp.pick('any') AS k;
	INSERT INTO expect SELECT 'lines.gross', pg_temp.nk(k) || ': gross_fen ' || (gross_fen + 1) || ', lines ' || gross_fen
	  FROM one JOIN dw.fact_order f ON f.order_key = one.k;
	UPDATE dw.fact_order f SET gross_fen = gross_fen + 1 FROM one WHERE f.order_key = one.k;
	DROP TABLE one;

	CREATE TEMP TABLE one AS SELECT pg_temp.pick('any') AS k;
	INSERT INTO expect SELECT 'lines.paid', pg_temp.nk(k) || ': paid_fen ' || paid_fen || ', lines ' || (paid_fen - shipping_fen)
	       || ' + shipping ' || (shipping_fen + 100)
	  FROM one JOIN dw.fact_order f ON f.order_key = one.k;
	UPDATE dw.fact_order f SET shipping_fen = shipping_fen + 100 FROM one WHERE f.order_key = one.k;
	DROP TABLE one;

	CREATE TEMP TABLE one AS SELECT pg_temp.pick('any') AS k;
	INSERT INTO expect SELECT 'lines.refund', pg_temp.nk(k) || ': refund_fen ' FROM one;
	UPDATE dw.fact_order_line l SET refund_fen = refund_fen + 1 FROM one WHERE l.order_key = one.k;
	DROP TABLE one;

	CREATE TEMP TABLE one AS SELECT pg_temp.pick('any') AS k;
	INSERT INTO expect SELECT 'lines.counts', pg_temp.nk(k) || ': line_count 1, lines 1; item_count ' || (item_count + 1)
	  FROM one JOIN dw.fact_order f ON f.order_key = one.k;
	UPDATE dw.fact_order f SET item_count = item_count + 1 FROM one WHERE f.order_key = one.k;
	DROP TABLE one;

	-- derived columns
	CREATE TEMP TABLE one AS SELECT pg_temp.pick('unpaid') AS k;
	INSERT INTO expect SELECT 'derived.is_qualifying', pg_temp.nk(k) || ': is_qualifying true' FROM one;
	UPDATE dw.fact_order f SET is_qualifying = true FROM one WHERE f.order_key = one.k;
	DROP TABLE one;

	CREATE TEMP TABLE one AS SELECT pg_temp.pick('later') AS k;
	INSERT INTO expect SELECT 'derived.order_seq', pg_temp.nk(k) || ': order_seq 9, expected ' || f.order_seq
	  FROM one JOIN dw.fact_order f ON f.order_key = one.k;
	UPDATE dw.fact_order f SET order_seq = 9 FROM one WHERE f.order_key = one.k;
	DROP TABLE one;

	CREATE TEMP TABLE one AS SELECT pg_temp.pick('later') AS k;
	INSERT INTO expect SELECT 'derived.is_first_order', pg_temp.nk(k) || ': is_first_order true, order_seq ' || f.order_seq
	  FROM one JOIN dw.fact_order f ON f.order_key = one.k;
	UPDATE dw.fact_order f SET is_first_order = true FROM one WHERE f.order_key = one.k;
	DROP TABLE one;

	CREATE TEMP TABLE one AS SELECT pg_temp.pick('later') AS k;
	INSERT INTO expect SELECT 'derived.first_order_at', 'customer_key ' || f.customer_key || ': first_order_at'
	  FROM one JOIN dw.fact_order f ON f.order_key = one.k;
	UPDATE dw.dim_customer d SET first_order_at = first_order_at - interval '1 day'
	  FROM one JOIN dw.fact_order f ON f.order_key = one.k WHERE d.customer_key = f.customer_key;
	DROP TABLE one;

	-- customers
	WITH c AS (INSERT INTO dw.dim_customer (first_seen_at) VALUES (now()) RETURNING customer_key)
	INSERT INTO expect SELECT 'customers.identity', 'customer_key ' || customer_key || ': no identity' FROM c;

	SELECT test || '|' || shows FROM expect ORDER BY test;
	EOS
}

test_expect_success 'a copy with one corruption per data test: each test fails and names the row' '
	copy_db t0420_corrupt &&
	PGDATABASE=t0420_corrupt corrupt >expect &&
	cut -d"|" -f1 expect | sort -u >covered &&
	"$SIYU" check --list | cut -d" " -f1 | sort >all &&
	test_cmp all covered &&
	test_expect_code 1 env PGDATABASE=t0420_corrupt "$SIYU" check >out &&
	while IFS="|" read -r name shows; do
		block "$name" >"this.$name"
		assert_grep "^FAIL $name ([0-9]* failing rows\{0,1\})$" "this.$name"
		assert_grep "^       rule: " "this.$name"
		assert_grep -F -- "$shows" "this.$name"
	done <expect &&
	grep -q "^check: 0 ok, $(grep -c . covered) failed, 0 warnings$" out
'

test_expect_success 'freshness: ok while recent, warns past warn_after, fails past error_after' '
	test_psql "update etl.watermark set value = now() - interval ${Q}10 minutes${Q} where source = ${Q}taobao_csv${Q}" &&
	"$SIYU" --config run.conf check --select freshness. >out &&
	grep -q "^ok   freshness.taobao_csv$" out &&
	grep -q "watermark 10m old, last successful load .* ago; warn_after 1h, error_after 3h" out &&
	test_must_fail grep -q youzan_csv out &&
	test_psql "update etl.watermark set value = now() - interval ${Q}2 hours${Q} where source = ${Q}taobao_csv${Q}" &&
	"$SIYU" --config run.conf check --select freshness. >out &&
	grep -q "^WARN freshness.taobao_csv$" out &&
	grep -q "^       watermark 2h old" out &&
	grep -q "^check: 0 ok, 0 failed, 1 warning$" out &&
	test_psql "update etl.watermark set value = now() - interval ${Q}2 days 4 hours${Q} where source = ${Q}taobao_csv${Q}" &&
	test_expect_code 1 "$SIYU" --config run.conf check >out &&
	grep -q "^FAIL freshness.taobao_csv$" out &&
	grep -q "^       watermark 2d 4h old" out &&
	grep -q "^check: [0-9]* ok, 1 failed, 0 warnings$" out
'

test_expect_success 'freshness: an old last successful load fails too; never loaded fails' '
	test_psql "update etl.watermark set value = now() where source = ${Q}taobao_csv${Q}" &&
	test_psql "update etl.run_source set finished_at = now() - interval ${Q}4 hours${Q} where source = ${Q}taobao_csv${Q}" &&
	test_expect_code 1 "$SIYU" --config run.conf check --select freshness. >out &&
	grep -q "last successful load 4h ago" out &&
	test_psql "delete from etl.watermark; update etl.run_source set status = ${Q}failed${Q}" &&
	test_expect_code 1 "$SIYU" --config run.conf check --select freshness. >out &&
	grep -q "watermark none, last successful load never" out
'

test_expect_success 'usage' '
	test_expect_code 2 "$SIYU" check nothing &&
	test_expect_code 2 "$SIYU" check --select nosuch. &&
	"$SIYU" check --help >help &&
	grep -q "usage: siyu check" help
'

test_done
