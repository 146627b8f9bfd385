#!/usr/bin/env bash
# make-seeds.sh — (re)write the seed corpora tests/fuzz/fuzz_*/ from the test fixtures
# (tests/data, sample/, pipeline.conf and the records of the unit tests). Run it from
# anywhere after a fixture changes; the seeds are committed, small, and only ever read
# by the fuzzers (scripts/fuzz.sh). Regression inputs (crashes fixed) live apart, in
# tests/fuzz/regressions/<target>/, and are never rewritten here.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

# seed TARGET NAME: stdin into tests/fuzz/TARGET/NAME
seed() {
	mkdir -p "$here/$1"
	cat >"$here/$1/$2"
}

rm -rf "$here"/fuzz_*/

# ---- money, time, phone: one value a file -----------------------------------------------
n=0
for v in '12.30' '-¥1,234.50' '￥ 5' '1,234,567.5' '.5' '12.' '1.2500' '0' '-0.01' \
	'999999999999.99' '1e5' '12,34' '¥-3.00' ' 89.00 ' '+7'; do
	n=$((n + 1))
	printf '%s' "$v" | seed fuzz_money "$n"
done
n=0
for v in '2025-06-01 10:00:00' '2025/3/7 9:05' '2024-02-29T23:59:59.123456+08:00' \
	'2025-06-01T10:00:00Z' '2100-12-31 23:59:59 -14:00' '1970-01-01' '2025-06-01 10:00 +0800' \
	'1717385212' '1717385212123' '2024-11-04 14:37:14'; do
	n=$((n + 1))
	printf '%s' "$v" | seed fuzz_time "$n"
done
n=0
for v in '13812345678' '+86 138-1234-5678' '0086 13912345678' '(86)13912345678' \
	'138****5678' '010-12345678' '8613912345678' '19912345678'; do
	n=$((n + 1))
	printf '%s' "$v" | seed fuzz_phone "$n"
done

# ---- the config reader ----------------------------------------------------------------------
seed fuzz_config pipeline.conf <"$top/pipeline.conf"
seed fuzz_config wecom.conf <<'EOF'
[warehouse]
conninfo = host=db dbname=siyu user=siyu_loader password=${FUZZ_SECRET}  # from env
[run]
raw_dir = "var/raw # not a comment"
timezone = Asia/Shanghai
[source.wx]
type = wecom
corpid = ww1436e0e65a779aee
secret = ${FUZZ_SECRET}
callback_token = ${FUZZ_SECRET}
callback_aes_key = ${FUZZ_SECRET}
callback_read_timeout = 2s
staff_refresh = 1d2h
EOF
seed fuzz_config api.conf <<'EOF'
[source.yz]
type = youzan
client_id = c
client_secret = ${FUZZ_SECRET}
kdt_id = 12345
window = 1h30m
start = 2025-01-01 08:00:00+08:00
[source.shop_csv]
type = csv
path = orders/*.csv
encoding = gbk
max_reject_ratio = 0.5
[warehouse]
conninfo = postgresql://siyu:${FUZZ_SECRET}@db:5432/siyu?sslmode=require
EOF

# ---- order exports, UTF-8 and GBK -----------------------------------------------------------
for f in orders-basic orders-bad; do
	seed fuzz_csv_utf8 "$f.csv" <"$top/tests/data/$f.csv"
	iconv -f UTF-8 -t GB18030 "$top/tests/data/$f.csv" | seed fuzz_csv_gbk "$f.csv"
done
head -n 12 "$top/sample/orders-taobao.csv" | seed fuzz_csv_utf8 taobao-head.csv
head -n 12 "$top/sample/orders-youzan.csv" | iconv -f UTF-8 -t GB18030 | seed fuzz_csv_gbk youzan-head.csv
printf '\xef\xbb\xbf' | cat - "$top/tests/data/orders-basic.csv" | seed fuzz_csv_utf8 bom.csv

# ---- Youzan orders (as in tests/unit/test_youzan_json.c) --------------------------------------
order='{"full_order_info":{"order_info":{"tid":"E20241104143713093806201","status":"TRADE_CLOSED","created":"2024-11-04 14:37:14","update_time":"2024-11-05 15:20:36","pay_time":"2024-11-04 14:37:23","consign_time":"","refund_state":12,"type":0,"shop_name":"小店"},"pay_info":{"total_fee":"281.70","post_fee":"8.00","payment":"264.14"},"buyer_info":{"yz_open_id":"lDWyZBas8076","outer_user_id":"oY0DB6wv","buyer_phone":"13912345678"},"orders":[{"oid":"3071","item_id":412,"sku_id":0,"outer_sku_id":"SKU-01","title":"猫粮 2kg","num":1,"price":"89.00","total_fee":"89.00","payment":"79.14"},{"oid":3072,"item_id":413,"sku_id":77,"outer_sku_id":"","title":"猫砂","num":3,"price":"64.23","total_fee":"192.70","payment":"177.00"}]}}'
printf '%s' "$order" | seed fuzz_youzan order.json
printf '{"code":200,"success":true,"data":{"total_results":2,"full_order_info_list":[%s,%s]}}' \
	"$order" "${order//WAIT_BUYER_PAY/TRADE_SUCCESS}" | seed fuzz_youzan page.json
printf '%s' "${order//13912345678/138****5678}" | sed 's/"refund_state":12/"refund_state":"1"/' |
	seed fuzz_youzan masked-phone.json

# ---- Taobao trades (as in tests/unit/test_taobao_json.c) --------------------------------------
line() { # oid refund_status
	printf '{"oid":%s,"oid_str":"%s","num_iid":123456,"sku_id":"5001","outer_sku_id":"SKU-01","title":"保温杯","num":2,"price":"84.00","total_fee":"168.00","payment":"160.00","divide_order_fee":"158.00","status":"WAIT_SELLER_SEND_GOODS","refund_status":"%s"}' "$1" "$1" "$2"
}
trade() { # status tid lines
	printf '{"tid":%s,"tid_str":"%s","status":"%s","type":"fixed","created":"2024-03-01 10:02:11","modified":"2024-03-01 10:03:40","pay_time":"2024-03-01 10:03:40","payment":"158.00","total_fee":"168.00","post_fee":"0.00","buyer_open_uid":"AAHk5d-EAAeGwJedwSFu0XXX","buyer_nick":"t**1","orders":{"order":[%s]}}' "$2" "$2" "$1" "$3"
}
trade WAIT_SELLER_SEND_GOODS 4123456789012345678 "$(line 4123456789012345679 NO_REFUND)" |
	seed fuzz_taobao trade.json
printf '{"trades":{"trade":[%s,%s]},"total_results":2,"has_next":false}' \
	"$(trade TRADE_FINISHED 4123456789012345670 "$(line 1 SUCCESS),$(line 2 WAIT_SELLER_AGREE)")" \
	"$(trade TRADE_CLOSED 4123456789012345671 "$(line 3 SUCCESS)")" | seed fuzz_taobao page.json

# ---- Pinduoduo, JD, Douyin, Channels orders: the records of their unit tests ---------------
# macro_seed TARGET NAME UNIT_TEST EXPR: the C string EXPR, written with the macros of
# tests/unit/UNIT_TEST.c (compiled and printed, so the seeds follow the tests)
macro_seed() {
	local tmp
	tmp=$(mktemp -d)
	{
		echo '#include <stdio.h>'
		sed -n '/^#define /,/^$/p' "$top/tests/unit/$3.c"
		printf 'int main(void) { fputs(%s, stdout); return 0; }\n' "$4"
	} >"$tmp/seed.c"
	cc -o "$tmp/seed" "$tmp/seed.c" && "$tmp/seed" | seed "$1" "$2"
	rm -rf "$tmp"
}
macro_seed fuzz_pdd order.json test_pdd_json 'ORDER("1", "2", "1", ITEM "," ITEM2)'
macro_seed fuzz_pdd page.json test_pdd_json \
	'"{\"order_sn_increment_get_response\":{\"total_count\":2,\"order_sn_list\":[" ORDER("1", "1", "1", ITEM) "," ORDER("2", "2", "4", ITEM2) "]}}"'
macro_seed fuzz_jd order.json test_jd_json 'ORDER("WAIT_GOODS_RECEIVE_CONFIRM", PAID, ITEM)'
macro_seed fuzz_jd page.json test_jd_json \
	'"{\"jingdong_pop_order_enSearch_responce\":{\"searchorderinfo_result\":{\"orderTotal\":2,\"orderInfoList\":[" ORDER("TRADE_CANCELED", NEVER, ITEM) "," ORDER("FINISHED_L", PAID, ITEM "," ITEM) "]}}}"'
macro_seed fuzz_douyin order.json test_douyin_json 'ORDER("3", "1709262012", SKU("1", "0", "0") "," SKU("2", "3", "12"))'
macro_seed fuzz_douyin page.json test_douyin_json \
	'"{\"code\":10000,\"data\":{\"total\":1,\"shop_order_list\":[" ORDER("4", "0", SKU("1", "0", "0")) "]}}"'
macro_seed fuzz_channels order.json test_channels_json 'ORDER("20", PRODUCT("10", "0") "," PRODUCT_REAL, "1")'
macro_seed fuzz_channels done.json test_channels_json 'ORDER("100", PRODUCT("0", "0"), "0")'

# ---- WeCom responses (as in tests/unit/test_wecom_json.c), first byte = which -----------------
contact='{"external_contact":{"external_userid":"wmH2kLCQAAq1xYz0aB3cD4eF5gH6iJ7k","name":"周小满","avatar":null,"type":"1","gender":2,"unionid":"oQ7aX0w-9kPz1Lm2Nn3Bb4Vv5Cc6"},"follow_info":{"userid":"chenjing","remark":"周女士-618","description":null,"createtime":"1717385212","tag_id":["etH2kLCQAAtagA","etH2kLCQAAtagB"],"remark_corp_name":"","remark_mobiles":[13912345678,"+86 139-1234-5679"],"oper_userid":"wmH2kLCQAAq1xYz0aB3cD4eF5gH6iJ7k","add_way":1,"state":"store_sh_017"}}'
printf '\x00{"errcode":0,"errmsg":"ok","external_contact_list":[%s,{"external_contact":{"external_userid":"wm1"},"follow_info":{"createtime":1717385212}}],"next_cursor":""}' \
	"$contact" | seed fuzz_wecom contacts.json
printf '\x01{"errcode":0,"tag_group":[{"group_id":"etGrp1","group_name":"客户\\t等级","create_time":1690000000,"order":10,"tag":[{"id":"etTagA","name":"A\\\\类\\n","create_time":1690000000,"order":"3"},{"name":"x"}]}]}' |
	seed fuzz_wecom tags.json
printf '\x02{"errcode":0,"group_chat":{"chat_id":"wrH2kLCQAAg1Hh2Ii3Jj4Kk5","name":"静安店VIP群","owner":"chenjing","create_time":1712000000,"notice":"","member_list":[{"userid":"chenjing","type":1,"join_time":1712000000,"join_scene":1},{"userid":"wmH2k","type":"2","unionid":"oQ7a","join_time":1712003600,"join_scene":3,"group_nickname":"小满","state":"qr_jingan"},{"userid":"wmX","type":2,"join_time":1712090000,"join_scene":1,"invitor":{"userid":"chenjing"}},{"userid":"wmBad","type":2,"join_time":0}],"member_version":"3f1c9a"}}' |
	seed fuzz_wecom group.json
printf '\x03{"errcode":0,"behavior_data":[{"stat_time":1717344000,"chat_cnt":14,"message_cnt":63,"reply_percentage":87.5,"avg_reply_time":6,"negative_feedback_cnt":1,"new_apply_cnt":3,"new_contact_cnt":9},{"stat_time":"1717430400","chat_cnt":"0","message_cnt":0,"reply_percentage":null,"negative_feedback_cnt":0,"new_apply_cnt":0,"new_contact_cnt":2},{"stat_time":1717344000000,"chat_cnt":1}]}' |
	seed fuzz_wecom behavior.json
printf '\x04{"errcode":0,"total":1,"items":[{"stat_time":1717344000,"data":{"new_chat_cnt":1,"chat_total":38,"chat_has_msg":12,"new_member_cnt":27,"member_total":4210,"member_has_msg":193,"msg_total":655}},{"stat_time":1717344000,"chat_cnt":-1}]}' |
	seed fuzz_wecom group-stats.json

# ---- callbacks: first byte = what the rest is (tests/fuzz/fuzz_callback.c) -------------------
# The envelope and ciphertext are the request of WeCom's C++ sample (CPP_REQ_ENCRYPT in
# tests/unit/test_wecom_crypto.c): encrypted under another key, so they fail the checks.
for f in "$top"/tests/data/wecom_push/*.xml; do
	printf '\x01' | cat - "$f" | seed fuzz_callback "event-$(basename "$f")"
done
printf '\x00<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName><Encrypt><![CDATA[RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>' |
	seed fuzz_callback envelope.xml
printf '\x02echo the plaintext' | seed fuzz_callback echostr
printf '\x03RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==' |
	seed fuzz_callback ciphertext

du -sh "$here"
