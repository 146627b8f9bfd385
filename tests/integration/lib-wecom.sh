# shellcheck shell=bash
# lib-wecom.sh — helpers of the WeCom integration tests (t03[1-4]*-wecom-*.sh), sourced
# after tests/lib.sh. Not a test file itself (check.sh runs t[0-9]*.sh only).
#
#   fake_start NAME [FAKE OPTIONS]  start a fake WeCom in $TRASH/NAME (stopped at exit)
#   fake_admin NAME PATH            call an admin endpoint ("/__admin/mutate?step=1")
#   fake_expect NAME KEY [QUERY]    one number of the fake's truth (/__admin/expect)
#   wecom_conf FILE NAME [LINES]    a pipeline.conf with [source.wecom] pointing at the fake
#                                   (raw zone in $RAW_DIR, default $TRASH/raw)
#   wecom_run CONF                  siyu run --source wecom, output in out/err, returns its exit
#   wecom_fingerprint               one line per warehouse table the source writes, empty
#                                   or not: table|rows|md5 of its rows by natural keys (no
#                                   surrogate keys, run ids or detection times), for "same
#                                   warehouse"; not the watermark (its value is the run's
#                                   time: the crash tests count it) nor the run log
#   stats_window                    "from=UNIX&to=UNIX": the stats days a run pulls now

# Small and fast: a test corp, retries without real sleeping.
WECOM_CORP=(--seed 7 --staff 8 --customers 120 --groups 10 --history-days 90)
export SIYU_HTTP_BACKOFF_SCALE=0.001
export WECOM_SECRET=test-secret
export SIYU_PII_KEY=wecom-test-key-0123456789

fake_start() {
	local name=$1
	shift
	"$TOP/scripts/fake-wecom.sh" start "$TRASH/$name" "$@" >/dev/null || die "cannot start the fake"
	# by pid: test_done may have removed $TRASH (and the pid file) by then
	test_atexit "kill $(cat "$TRASH/$name/pid") 2>/dev/null || true"
}

fake_stop() {
	"$TOP/scripts/fake-wecom.sh" stop "$TRASH/$1"
}

fake_admin() {
	"$TOP/scripts/fake-wecom.sh" admin "$TRASH/$1" "$2"
}

fake_expect() {
	local q=${3:+&$3}
	fake_admin "$1" "/__admin/expect?format=kv$q" | sed -n "s/^$2=//p"
}

wecom_conf() {
	local file=$1 name=$2
	shift 2
	{
		printf '[run]\nraw_dir = %s\n\n' "${RAW_DIR:-$TRASH/raw}"
		printf '[source.wecom]\ntype = wecom\nbase_url = %s\n' \
			"$("$TOP/scripts/fake-wecom.sh" url "$TRASH/$name")"
		printf 'corpid = ww-test-corp\nsecret = ${WECOM_SECRET}\nrps = 1000\n'
		printf 'timeout = 2\nconnect_timeout = 2\nretries = 3\n'
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$file"
}

wecom_run() {
	"$SIYU" --config "$1" run --source wecom >out 2>err
}

stats_window() {
	psql -XAtq -c "SELECT 'from=' || extract(epoch FROM ((d - 7)::timestamp AT TIME ZONE 'Asia/Shanghai'))::bigint
	                 || '&to=' || extract(epoch FROM ((d - 1)::timestamp AT TIME ZONE 'Asia/Shanghai'))::bigint
	               FROM (SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date AS d) x"
}

wecom_fingerprint() {
	psql -XAtq -v ON_ERROR_STOP=1 <<'SQL'
WITH t(name, line) AS (
    SELECT 'dim_staff', concat_ws('|', userid, name, department, left_at IS NULL) FROM dw.dim_staff
    UNION ALL
    SELECT 'wecom_customer', concat_ws('|', external_userid, name, customer_type, gender, corp_name,
           first_seen_at) FROM dw.wecom_customer
    UNION ALL
    SELECT 'customer_identity', concat_ws('|', i.id_type, i.platform, i.id_value, i.display_value,
           (SELECT min(w.external_userid) FROM dw.wecom_customer w WHERE w.customer_key = i.customer_key))
      FROM dw.customer_identity i
    UNION ALL
    SELECT 'dim_customer', concat_ws('|', (SELECT min(i.id_type || ':' || i.platform || ':' || i.id_value)
                                             FROM dw.customer_identity i WHERE i.customer_key = c.customer_key),
           c.first_seen_at, c.first_contact_at, c.first_order_at, c.acquisition_source)
      FROM dw.dim_customer c
    UNION ALL
    SELECT 'customer_merge', (SELECT min(i.id_type || ':' || i.platform || ':' || i.id_value)
                                FROM dw.customer_identity i WHERE i.customer_key = m.into_key)
      FROM dw.customer_merge m
    UNION ALL
    SELECT 'fact_contact', concat_ws('|', s.userid, w.external_userid, f.added_at, f.add_way, f.state,
           f.remark, f.removed_at IS NULL, f.removed_by)
      FROM dw.fact_contact f JOIN dw.dim_staff s USING (staff_key)
      JOIN dw.wecom_customer w USING (customer_key)
    UNION ALL
    SELECT 'fact_contact_event', concat_ws('|', s.userid, w.external_userid, e.event_type,
           CASE WHEN e.time_is_exact THEN e.occurred_at::text END, e.time_is_exact, e.removed_by, e.origin)
      FROM dw.fact_contact_event e JOIN dw.dim_staff s USING (staff_key)
      JOIN dw.wecom_customer w USING (customer_key)
    UNION ALL
    SELECT 'dim_tag', concat_ws('|', tag_id, name, group_id, group_name, created_at, deleted_at IS NULL)
      FROM dw.dim_tag
    UNION ALL
    SELECT 'bridge_customer_tag', concat_ws('|', w.external_userid, s.userid, t.tag_id, b.valid_to IS NULL)
      FROM dw.bridge_customer_tag b JOIN dw.dim_staff s USING (staff_key)
      JOIN dw.wecom_customer w USING (customer_key) JOIN dw.dim_tag t USING (tag_key)
    UNION ALL
    SELECT 'dim_group', concat_ws('|', g.chat_id, g.name, s.userid, g.created_at, g.member_version,
           g.dismissed_at IS NULL)
      FROM dw.dim_group g LEFT JOIN dw.dim_staff s ON s.staff_key = g.owner_staff_key
    UNION ALL
    SELECT 'fact_group_member', concat_ws('|', g.chat_id, m.member_type,
           COALESCE(s.userid, (SELECT min(w.external_userid) FROM dw.wecom_customer w
                                WHERE w.customer_key = m.customer_key)),
           m.joined_at, m.join_scene, m.left_at IS NULL, m.left_is_exact)
      FROM dw.fact_group_member m JOIN dw.dim_group g USING (group_key)
      LEFT JOIN dw.dim_staff s ON s.staff_key = m.staff_key
    UNION ALL
    SELECT 'fact_staff_daily', concat_ws('|', s.userid, d.date_key, d.chat_cnt, d.message_cnt,
           d.reply_percentage, d.avg_reply_time_minutes, d.negative_feedback_cnt, d.new_apply_cnt,
           d.new_contact_cnt)
      FROM dw.fact_staff_daily d JOIN dw.dim_staff s USING (staff_key)
    UNION ALL
    SELECT 'fact_group_daily', concat_ws('|', s.userid, d.date_key, d.new_chat_cnt, d.chat_total,
           d.chat_has_msg, d.new_member_cnt, d.member_total, d.member_has_msg, d.msg_total)
      FROM dw.fact_group_daily d JOIN dw.dim_staff s ON s.staff_key = d.owner_staff_key
    UNION ALL
    SELECT 'snapshot', concat_ws('|', userid, external_userid, createtime) FROM etl.wecom_contact_snapshot
)
SELECT n.name, count(t.line), md5(string_agg(t.line, E'\n' ORDER BY t.line))
  FROM (VALUES ('bridge_customer_tag'), ('customer_identity'), ('customer_merge'), ('dim_customer'),
               ('dim_group'), ('dim_staff'), ('dim_tag'), ('fact_contact'), ('fact_contact_event'),
               ('fact_group_daily'), ('fact_group_member'), ('fact_staff_daily'), ('snapshot'),
               ('wecom_customer')) n (name)
  LEFT JOIN t USING (name)
 GROUP BY n.name ORDER BY n.name;
SQL
}
