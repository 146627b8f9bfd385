/*
 * test_wecom_json.c — transform/wecom_json.c: lenient getters (numbers as strings,
 * null = absent, exact decimals) and WeCom records -> COPY rows, with the records
 * that must be rejected (missing ids, impossible times) and the ones that must not
 * (string numbers, nulls, old integer phones).
 */
#include "siyu/common/json_get.h"
#include "siyu/transform/wecom_json.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#define NOW 1800000000LL /* 2027-01-15: "now" for the time checks */

static struct json_object *parse(const char *text)
{
	struct json_object *o = json_tokener_parse(text);

	assert_non_null(o);
	return o;
}

static void test_int64(void **state)
{
	struct json_object *o = parse("{\"i\":5,\"s\":\"1\",\"b\":\" 12 \",\"f\":\"12.0\",\"d\":12.0,"
				      "\"x\":12.5,\"w\":\"abc\",\"e\":\"\",\"n\":null,\"t\":true,"
				      "\"a\":[1],\"big\":12345678901234567890,\"neg\":\"-3\"}");
	int64_t v = 0;

	(void)state;
	assert_int_equal(wj_int64(o, "i", &v), WJ_OK);
	assert_int_equal(v, 5);
	assert_int_equal(wj_int64(o, "s", &v), WJ_OK);
	assert_int_equal(v, 1);
	assert_int_equal(wj_int64(o, "b", &v), WJ_OK);
	assert_int_equal(v, 12);
	assert_int_equal(wj_int64(o, "f", &v), WJ_OK);
	assert_int_equal(v, 12);
	assert_int_equal(wj_int64(o, "d", &v), WJ_OK);
	assert_int_equal(v, 12);
	assert_int_equal(wj_int64(o, "neg", &v), WJ_OK);
	assert_int_equal(v, -3);
	assert_int_equal(wj_int64(o, "x", &v), WJ_BAD);
	assert_int_equal(wj_int64(o, "w", &v), WJ_BAD);
	assert_int_equal(wj_int64(o, "t", &v), WJ_BAD);
	assert_int_equal(wj_int64(o, "a", &v), WJ_BAD);
	assert_int_equal(wj_int64(o, "big", &v), WJ_BAD);
	assert_int_equal(wj_int64(o, "e", &v), WJ_ABSENT);
	assert_int_equal(wj_int64(o, "n", &v), WJ_ABSENT);
	assert_int_equal(wj_int64(o, "missing", &v), WJ_ABSENT);
	assert_int_equal(wj_int64(NULL, "i", &v), WJ_ABSENT);
	json_object_put(o);
}

static void test_text_and_decimal(void **state)
{
	struct json_object *o = parse("{\"s\":\"周小满\",\"i\":13912345678,\"e\":\"\",\"n\":null,"
				      "\"o\":{},\"p\":87.50,\"q\":\"66.67\",\"r\":100,\"w\":\"8x\","
				      "\"sp\":\" 5.5 \",\"es\":\"\"}");
	const char *s = NULL;
	char d[32];

	(void)state;
	assert_int_equal(wj_text(o, "s", &s), WJ_OK);
	assert_string_equal(s, "周小满");
	assert_int_equal(wj_text(o, "i", &s), WJ_OK);
	assert_string_equal(s, "13912345678");
	assert_int_equal(wj_text(o, "e", &s), WJ_OK);
	assert_string_equal(s, "");
	assert_int_equal(wj_text(o, "n", &s), WJ_ABSENT);
	assert_int_equal(wj_text(o, "o", &s), WJ_BAD);
	assert_int_equal(wj_decimal(o, "p", d, sizeof(d)), WJ_OK);
	assert_string_equal(d, "87.50"); /* as written, no binary round trip */
	assert_int_equal(wj_decimal(o, "q", d, sizeof(d)), WJ_OK);
	assert_string_equal(d, "66.67");
	assert_int_equal(wj_decimal(o, "r", d, sizeof(d)), WJ_OK);
	assert_string_equal(d, "100");
	assert_int_equal(wj_decimal(o, "sp", d, sizeof(d)), WJ_OK);
	assert_string_equal(d, "5.5");
	assert_int_equal(wj_decimal(o, "w", d, sizeof(d)), WJ_BAD);
	assert_int_equal(wj_decimal(o, "es", d, sizeof(d)), WJ_ABSENT);
	assert_int_equal(wj_decimal(o, "n", d, sizeof(d)), WJ_ABSENT);
	assert_int_equal(wj_decimal(o, "p", d, 3), WJ_BAD);
	json_object_put(o);
}

/* A batch/get_by_user item as WeCom documents it (docs/wecom.md). */
static const char contact_doc[] =
	"{\"external_contact\":{\"external_userid\":\"wmH2kLCQAAq1xYz0aB3cD4eF5gH6iJ7k\","
	"\"name\":\"周小满\",\"avatar\":\"https://wx.qlogo.cn/mmhead/abc/0\",\"type\":1,\"gender\":2,"
	"\"unionid\":\"oQ7aX0w-9kPz1Lm2Nn3Bb4Vv5Cc6\"},"
	"\"follow_info\":{\"userid\":\"chenjing\",\"remark\":\"周女士-618\",\"description\":\"\","
	"\"createtime\":1717385212,\"tag_id\":[\"etH2kLCQAAtagA\",\"etH2kLCQAAtagB\"],"
	"\"remark_corp_name\":\"\",\"remark_mobiles\":[\"13912345678\"],"
	"\"oper_userid\":\"wmH2kLCQAAq1xYz0aB3cD4eF5gH6iJ7k\",\"add_way\":1,\"state\":\"store_sh_017\"}}";

/* The same record as a forum report saw it: numbers as strings, nulls for absent values. */
static const char contact_lenient[] =
	"{\"external_contact\":{\"external_userid\":\"wmH2kLCQAAq1xYz0aB3cD4eF5gH6iJ7k\","
	"\"name\":\"周小满\",\"avatar\":null,\"type\":\"1\",\"gender\":\"2\","
	"\"unionid\":\"oQ7aX0w-9kPz1Lm2Nn3Bb4Vv5Cc6\",\"position\":null,\"corp_name\":null},"
	"\"follow_info\":{\"userid\":\"chenjing\",\"remark\":\"周女士-618\",\"description\":null,"
	"\"createtime\":\"1717385212\",\"tag_id\":[\"etH2kLCQAAtagA\",\"etH2kLCQAAtagB\"],"
	"\"remark_corp_name\":null,\"remark_mobiles\":[13912345678],"
	"\"oper_userid\":\"wmH2kLCQAAq1xYz0aB3cD4eF5gH6iJ7k\",\"add_way\":\"1\",\"state\":\"store_sh_017\"}}";

static const char contact_row[] =
	"contacts-00001.jsonl.gz\tchenjing\twmH2kLCQAAq1xYz0aB3cD4eF5gH6iJ7k\t周小满\t1\t2\t"
	"oQ7aX0w-9kPz1Lm2Nn3Bb4Vv5Cc6\t\\N\t周女士-618\t\\N\t2024-06-03 03:26:52+00:00\t1\t"
	"store_sh_017\twmH2kLCQAAq1xYz0aB3cD4eF5gH6iJ7k\n";

static void contact_rows(const char *json, const char *fallback, struct wecom_rows *rows,
			 struct wecom_xform *x, int want_rc, char *why, char *key)
{
	struct json_object *o = parse(json);

	assert_int_equal(wecom_xform_contact(x, o, fallback, "contacts-00001.jsonl.gz", rows, key,
					     256, why, 256), want_rc);
	json_object_put(o);
}

static void test_contact(void **state)
{
	static const unsigned char key[] = "unit-test-key-0123456789";
	struct wecom_xform x = { NOW, key, sizeof(key) - 1, 0 };
	struct wecom_rows a, b;
	char why[256], k[256];

	(void)state;
	wecom_rows_init(&a);
	wecom_rows_init(&b);
	contact_rows(contact_doc, NULL, &a, &x, 0, why, k);
	assert_string_equal(buf_str(&a.t[WT_CONTACT]), contact_row);
	assert_string_equal(buf_str(&a.t[WT_CONTACT_TAG]),
			    "chenjing\twmH2kLCQAAq1xYz0aB3cD4eF5gH6iJ7k\tetH2kLCQAAtagA\n"
			    "chenjing\twmH2kLCQAAq1xYz0aB3cD4eF5gH6iJ7k\tetH2kLCQAAtagB\n");
	assert_string_equal(buf_str(&a.t[WT_CONTACT_PHONE]),
			    "chenjing\twmH2kLCQAAq1xYz0aB3cD4eF5gH6iJ7k\t"
			    "d0555d9288d427b1a88830780b25994417390bf02e45f3abdfb7307bed488a43\t139****5678\n");
	assert_string_equal(k, "chenjing/wmH2kLCQAAq1xYz0aB3cD4eF5gH6iJ7k");
	/* the lenient shapes give the very same rows */
	contact_rows(contact_lenient, NULL, &b, &x, 0, why, k);
	for (int t = 0; t < WT_COUNT; t++)
		assert_string_equal(buf_str(&a.t[t]), buf_str(&b.t[t]));
	assert_int_equal(x.phones_skipped, 0);
	wecom_rows_release(&a);
	wecom_rows_release(&b);

	/* no key: phones are skipped, nothing else changes */
	x.pii_key = NULL;
	wecom_rows_init(&a);
	contact_rows(contact_doc, NULL, &a, &x, 0, why, k);
	assert_string_equal(buf_str(&a.t[WT_CONTACT]), contact_row);
	assert_int_equal(a.t[WT_CONTACT_PHONE].len, 0);
	assert_int_equal(x.phones_skipped, 1);
	wecom_rows_release(&a);
}

struct reject_case {
	const char *json;
	const char *fallback;
	const char *why;
	const char *key;
};

static void test_contact_rejects(void **state)
{
	static const struct reject_case cases[] = {
		{ "{\"external_contact\":{\"name\":\"x\"},\"follow_info\":{\"userid\":\"u1\",\"createtime\":1717385212}}",
		  NULL, "missing external_userid", "u1/" },
		{ "{\"external_contact\":{\"external_userid\":\"\"},\"follow_info\":{\"userid\":\"u1\",\"createtime\":1717385212}}",
		  NULL, "missing external_userid", "u1/" },
		{ "{\"external_contact\":{\"external_userid\":\"wm1\"},\"follow_info\":{\"createtime\":1717385212}}",
		  NULL, "missing follow_info.userid", "/wm1" },
		{ "{\"external_contact\":{\"external_userid\":\"wm1\"},\"follow_info\":{\"userid\":\"u1\",\"createtime\":0}}",
		  NULL, "createtime is 0", "u1/wm1" },
		{ "{\"external_contact\":{\"external_userid\":\"wm1\"},\"follow_info\":{\"userid\":\"u1\"}}",
		  NULL, "missing createtime", "u1/wm1" },
		{ "{\"external_contact\":{\"external_userid\":\"wm1\"},\"follow_info\":{\"userid\":\"u1\",\"createtime\":null}}",
		  NULL, "missing createtime", "u1/wm1" },
		{ "{\"external_contact\":{\"external_userid\":\"wm1\"},\"follow_info\":{\"userid\":\"u1\",\"createtime\":\"soon\"}}",
		  NULL, "createtime is not a unix time: \"soon\"", "u1/wm1" },
		{ "{\"external_contact\":{\"external_userid\":\"wm1\"},\"follow_info\":{\"userid\":\"u1\",\"createtime\":1717385212000}}",
		  NULL, "createtime 1717385212000 is not in seconds (milliseconds?)", "u1/wm1" },
		{ "{\"external_contact\":{\"external_userid\":\"wm1\"},\"follow_info\":{\"userid\":\"u1\",\"createtime\":1900000000}}",
		  NULL, "createtime 1900000000 is in the future", "u1/wm1" },
		{ "{\"external_contact\":{\"external_userid\":\"wm1\"},\"follow_info\":{\"userid\":\"u1\",\"createtime\":1400000000}}",
		  NULL, "createtime 1400000000 is before 2015-01-02", "u1/wm1" },
		{ "{\"follow_info\":{\"userid\":\"u1\",\"createtime\":1717385212}}", NULL,
		  "missing external_contact", "" },
		{ "{\"external_contact\":{\"external_userid\":\"wm1\"},\"follow_info\":[]}", NULL,
		  "missing follow_info", "" },
	};
	struct wecom_xform x = { NOW, NULL, 0, 0 };
	struct wecom_rows rows;
	char why[256], key[256];

	(void)state;
	wecom_rows_init(&rows);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		contact_rows(cases[i].json, cases[i].fallback, &rows, &x, -1, why, key);
		assert_string_equal(why, cases[i].why);
		assert_string_equal(key, cases[i].key);
	}
	assert_int_equal(rows.t[WT_CONTACT].len, 0);
	/* wechatpy's fixture has no follow_info.userid: the requested userid fills in */
	contact_rows("{\"external_contact\":{\"external_userid\":\"wm1\"},\"follow_info\":{\"createtime\":1717385212}}",
		     "zhangsan", &rows, &x, 0, why, key);
	assert_string_equal(buf_str(&rows.t[WT_CONTACT]),
			    "contacts-00001.jsonl.gz\tzhangsan\twm1\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t"
			    "2024-06-03 03:26:52+00:00\t\\N\t\\N\t\\N\n");
	wecom_rows_release(&rows);
}

static void test_group_and_members(void **state)
{
	struct wecom_xform x = { NOW, NULL, 0, 0 };
	struct json_object *o = parse(
		"{\"chat_id\":\"wrH2kLCQAAg1Hh2Ii3Jj4Kk5\",\"name\":\"静安店VIP群\",\"owner\":\"chenjing\","
		"\"create_time\":1712000000,\"notice\":\"\",\"member_list\":["
		"{\"userid\":\"chenjing\",\"type\":1,\"join_time\":1712000000,\"join_scene\":1},"
		"{\"userid\":\"wmH2k\",\"type\":\"2\",\"unionid\":\"oQ7a\",\"join_time\":1712003600,\"join_scene\":3,"
		"\"group_nickname\":\"小满\",\"state\":\"qr_jingan\"},"
		"{\"userid\":\"wmX\",\"type\":2,\"join_time\":1712090000,\"join_scene\":1,\"invitor\":{\"userid\":\"chenjing\"}},"
		"{\"userid\":\"wmBad\",\"type\":2,\"join_time\":0}],"
		"\"member_version\":\"3f1c9a\"}");
	struct json_object *list = NULL;
	struct wecom_rows rows;
	struct buf members = BUF_INIT;
	char chat[64], owner[64], why[256], key[256];

	(void)state;
	wecom_rows_init(&rows);
	assert_int_equal(wecom_xform_group(&x, o, 1, &rows, chat, sizeof(chat), owner, sizeof(owner),
					   why, sizeof(why)), 0);
	assert_string_equal(chat, "wrH2kLCQAAg1Hh2Ii3Jj4Kk5");
	assert_string_equal(owner, "chenjing");
	assert_string_equal(buf_str(&rows.t[WT_GROUP]),
			    "wrH2kLCQAAg1Hh2Ii3Jj4Kk5\t\\N\tt\t静安店VIP群\tchenjing\t"
			    "2024-04-01 19:33:20+00:00\t3f1c9a\tt\n");
	assert_int_equal(wj_array(o, "member_list", &list), WJ_OK);
	for (int i = 0; i < 3; i++)
		assert_int_equal(wecom_xform_member(&x, chat, json_object_array_get_idx(list, (size_t)i),
						    &members, key, sizeof(key), why, sizeof(why)), 0);
	assert_string_equal(buf_str(&members),
			    "wrH2kLCQAAg1Hh2Ii3Jj4Kk5\tchenjing\t1\t\\N\t2024-04-01 19:33:20+00:00\t1\t\\N\t\\N\t\\N\n"
			    "wrH2kLCQAAg1Hh2Ii3Jj4Kk5\twmH2k\t2\toQ7a\t2024-04-01 20:33:20+00:00\t3\t\\N\t小满\tqr_jingan\n"
			    "wrH2kLCQAAg1Hh2Ii3Jj4Kk5\twmX\t2\t\\N\t2024-04-02 20:33:20+00:00\t1\tchenjing\t\\N\t\\N\n");
	assert_int_equal(wecom_xform_member(&x, chat, json_object_array_get_idx(list, 3), &members,
					    key, sizeof(key), why, sizeof(why)), -1);
	assert_string_equal(why, "join_time is 0");
	assert_string_equal(key, "wrH2kLCQAAg1Hh2Ii3Jj4Kk5/wmBad");
	assert_int_equal(wecom_xform_group_listed("wrGone", 1, &rows), 0);
	assert_non_null(strstr(buf_str(&rows.t[WT_GROUP]), "wrGone\t1\tf\t\\N\t\\N\t\\N\t\\N\tf\n"));
	buf_release(&members);
	wecom_rows_release(&rows);
	json_object_put(o);
}

static void test_stats(void **state)
{
	struct wecom_xform x = { NOW, NULL, 0, 0 };
	struct json_object *busy = parse("{\"stat_time\":1717344000,\"chat_cnt\":14,\"message_cnt\":63,"
					 "\"reply_percentage\":87.5,\"avg_reply_time\":6,"
					 "\"negative_feedback_cnt\":1,\"new_apply_cnt\":3,\"new_contact_cnt\":9}");
	struct json_object *idle = parse("{\"stat_time\":\"1717430400\",\"chat_cnt\":\"0\",\"message_cnt\":0,"
					 "\"reply_percentage\":null,\"negative_feedback_cnt\":0,"
					 "\"new_apply_cnt\":0,\"new_contact_cnt\":2}");
	struct json_object *bad = parse("{\"stat_time\":1717344000000,\"chat_cnt\":1}");
	struct json_object *neg = parse("{\"stat_time\":1717344000,\"chat_cnt\":-1}");
	struct json_object *grp = parse("{\"stat_time\":1717344000,\"data\":{\"new_chat_cnt\":1,"
					"\"chat_total\":38,\"chat_has_msg\":12,\"new_member_cnt\":27,"
					"\"member_total\":4210,\"member_has_msg\":193,\"msg_total\":655}}");
	struct wecom_rows rows;
	char why[256];

	(void)state;
	wecom_rows_init(&rows);
	assert_int_equal(wecom_xform_behavior(&x, "chenjing", busy, &rows, why, sizeof(why)), 0);
	assert_int_equal(wecom_xform_behavior(&x, "chenjing", idle, &rows, why, sizeof(why)), 0);
	assert_string_equal(buf_str(&rows.t[WT_STAFF_DAILY]),
			    "chenjing\t2024-06-02 16:00:00+00:00\t14\t63\t87.5\t6\t1\t3\t9\n"
			    "chenjing\t2024-06-03 16:00:00+00:00\t0\t0\t\\N\t\\N\t0\t0\t2\n");
	assert_int_equal(wecom_xform_behavior(&x, "chenjing", bad, &rows, why, sizeof(why)), -1);
	assert_string_equal(why, "stat_time 1717344000000 is not in seconds (milliseconds?)");
	assert_int_equal(wecom_xform_behavior(&x, "chenjing", neg, &rows, why, sizeof(why)), -1);
	assert_string_equal(why, "chat_cnt -1 out of range");
	assert_int_equal(wecom_xform_group_stat(&x, "chenjing", grp, &rows, why, sizeof(why)), 0);
	assert_string_equal(buf_str(&rows.t[WT_GROUP_DAILY]),
			    "chenjing\t2024-06-02 16:00:00+00:00\t1\t38\t12\t27\t4210\t193\t655\n");
	wecom_rows_release(&rows);
	json_object_put(busy);
	json_object_put(idle);
	json_object_put(bad);
	json_object_put(neg);
	json_object_put(grp);
}

static void test_tag_and_escaping(void **state)
{
	struct wecom_xform x = { NOW, NULL, 0, 0 };
	struct json_object *grp = parse("{\"group_id\":\"etGrp1\",\"group_name\":\"客户\\t等级\","
					"\"create_time\":1690000000,\"order\":10,\"tag\":[]}");
	struct json_object *tag = parse("{\"id\":\"etTagA\",\"name\":\"A\\\\类\\n\",\"create_time\":1690000000,\"order\":\"3\"}");
	struct json_object *noid = parse("{\"name\":\"x\"}");
	struct wecom_rows rows;
	char why[256], key[256];

	(void)state;
	wecom_rows_init(&rows);
	assert_int_equal(wecom_xform_tag(&x, grp, tag, &rows, key, sizeof(key), why, sizeof(why)), 0);
	assert_string_equal(buf_str(&rows.t[WT_TAG]),
			    "etTagA\tA\\\\类\\n\tetGrp1\t客户\\t等级\t2023-07-22 04:26:40+00:00\t3\n");
	assert_int_equal(wecom_xform_tag(&x, grp, noid, &rows, key, sizeof(key), why, sizeof(why)), -1);
	assert_string_equal(why, "tag without id");
	assert_int_equal(wecom_rows_add_skip(&rows, "u1", NULL), 0);
	assert_int_equal(wecom_rows_add_skip(&rows, "u1", "wm1"), 0);
	assert_string_equal(buf_str(&rows.t[WT_CONTACT_SKIP]), "u1\t\\N\nu1\twm1\n");
	assert_string_equal(wecom_table_name(WT_GROUP_MEMBER), "group_member");
	wecom_rows_release(&rows);
	json_object_put(grp);
	json_object_put(tag);
	json_object_put(noid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int64),
		cmocka_unit_test(test_text_and_decimal),
		cmocka_unit_test(test_contact),
		cmocka_unit_test(test_contact_rejects),
		cmocka_unit_test(test_group_and_members),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_tag_and_escaping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
