/*
 * test_shop_api.c — unit tests of the Pinduoduo, JD, Douyin and WeChat Channels clients
 * without the network: the signed request of a page and how each platform's answers
 * are judged (token expired, rate limited, errors), and their list answers' parts.
 * (TOP's are in test_top_api.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "siyu/extract/api_sign.h"
#include "siyu/extract/channels_api.h"
#include "siyu/extract/douyin_api.h"
#include "siyu/extract/jd_api.h"
#include "siyu/extract/pdd_api.h"

static int64_t fixed_now(void)
{
	return 1740794460;
}

static void judged(const struct api_platform *p, const char *text, enum api_verdict want,
		   const char *what)
{
	struct json_object *root = json_tokener_parse(text);
	struct api_judgement j = { 0 };

	assert_non_null(root);
	p->judge(NULL, root, &j);
	assert_int_equal(j.verdict, want);
	if (what)
		assert_string_equal(j.what, what);
	json_object_put(root);
}

static void test_pdd(void **state)
{
	struct pdd_client c;
	struct api_page pg = { 1740792600, 1740794401, 2, 100, NULL, NULL };
	struct api_call call = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(pdd_client_init(&c, "http://127.0.0.1:1/api/router", "pdd-client-0001",
					 "pdd-secret-0001", "pdd-token-0001", NULL, err,
					 sizeof(err)), 0);
	c.now = fixed_now;
	assert_int_equal(pdd_platform.build(&c, &pg, &call, err, sizeof(err)), 0);
	/* the vector of test_api_sign.c's test_pdd, but with page 2 */
	assert_non_null(strstr(buf_str(&call.body), "type=pdd.order.number.list.increment.get&"
						    "client_id=pdd-client-0001&access_token="
						    "pdd-token-0001&timestamp=1740794460&"));
	assert_non_null(strstr(buf_str(&call.body), "&start_updated_at=1740792600&"
						    "end_updated_at=1740794400&page=2&"));
	api_call_release(&call);
	judged(&pdd_platform, "{\"order_sn_increment_get_response\":{\"total_count\":0}}", API_OK,
	       NULL);
	judged(&pdd_platform, "{\"error_response\":{\"error_code\":10019,\"error_msg\":"
			      "\"access_token已过期\"}}", API_TOKEN_EXPIRED, NULL);
	judged(&pdd_platform, "{\"error_response\":{\"error_code\":20004,\"error_msg\":"
			      "\"签名验证失败\"}}", API_ERROR,
	       "PDD error 20004 (签名验证失败): check client_id and client_secret");
}

static void test_jd(void **state)
{
	struct jd_client c;
	struct api_page pg = { 1740787200, 1740790800, 1, 100, NULL, NULL }; /* 2025-03-01 08:00..09:00 CN */
	struct api_call call = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(jd_client_init(&c, "http://127.0.0.1:1/routerjson", NULL, "JDAPPKEY0001",
					"jd-secret", "jd-token-0001", NULL, err, sizeof(err)), 0);
	c.now = fixed_now;
	assert_int_equal(jd_platform.build(&c, &pg, &call, err, sizeof(err)), 0);
	/* the business parameters: one JSON text, keys sorted, end inclusive */
	assert_non_null(strstr(buf_str(&call.body), "&360buy_param_json=%7B%22dateType%22%3A%220%22"
						    "%2C%22end_date%22%3A%222025-03-01%2008%3A59%3A59"
						    "%22%2C%22optional_fields%22"));
	assert_non_null(strstr(buf_str(&call.body), "%22sortType%22%3A%221%22%2C%22start_date%22"));
	api_call_release(&call);
	judged(&jd_platform, "{\"jingdong_pop_order_enSearch_responce\":{\"code\":\"0\","
			     "\"searchorderinfo_result\":{\"orderTotal\":0,\"apiResult\":{\"success\":"
			     "true}}}}", API_OK, NULL);
	judged(&jd_platform, "{\"error_response\":{\"code\":\"19\",\"zh_desc\":\"无效access_token\","
			     "\"en_desc\":\"Invalid access_token\"}}", API_TOKEN_EXPIRED, NULL);
	judged(&jd_platform, "{\"jingdong_pop_order_enSearch_responce\":{\"code\":\"0\","
			     "\"searchorderinfo_result\":{\"apiResult\":{\"success\":false,"
			     "\"resultCode\":\"1\",\"chineseErrCode\":\"参数错误\"}}}}", API_ERROR,
	       "JD apiResult 1 (参数错误; )");
}

static void test_douyin(void **state)
{
	struct douyin_client c;
	struct api_page pg = { 1740790800, 1740794401, 0, 100, NULL, NULL };
	struct api_call call = { 0 };
	char err[256];

	(void)state;
	douyin_client_init(&c, "http://127.0.0.1:1", "7000000000000000001", "douyin-secret-0001",
			   "4463798");
	snprintf(c.access_token, sizeof(c.access_token), "%s", "dy-token");
	c.now = fixed_now;
	assert_int_equal(douyin_platform.build(&c, &pg, &call, err, sizeof(err)), 0);
	/* the body is the canonical param_json signed in test_api_sign.c's test_douyin */
	assert_string_equal(buf_str(&call.body), "{\"order_asc\":false,\"order_by\":\"update_time\","
						 "\"page\":0,\"size\":100,\"update_time_end\":"
						 "1740794400,\"update_time_start\":1740790800}");
	assert_string_equal(buf_str(&call.url), "http://127.0.0.1:1/order/searchList?app_key="
						"7000000000000000001&method=order.searchList&"
						"access_token=dy-token&timestamp=1740794460&v=2&"
						"sign_method=hmac-sha256&sign=661b2c5016f75e840cc9b45c1"
						"73f9becc67a27f4838c33d6e9c08118ef2e3091");
	api_call_release(&call);
	judged(&douyin_platform, "{\"code\":10000,\"msg\":\"success\",\"data\":{}}", API_OK, NULL);
	judged(&douyin_platform, "{\"code\":40003,\"msg\":\"非法的参数\",\"sub_code\":"
				 "\"isv.access-token-expired\"}", API_TOKEN_EXPIRED, NULL);
	judged(&douyin_platform, "{\"code\":40003,\"sub_code\":\"isv.access-token-no-existed\"}",
	       API_TOKEN_EXPIRED, NULL);
	judged(&douyin_platform, "{\"code\":60000,\"msg\":\"触发限流\"}", API_RATE_LIMITED, NULL);
	judged(&douyin_platform, "{\"code\":40003,\"msg\":\"非法的参数\",\"sub_code\":"
				 "\"isv.signature-invalid\",\"sub_msg\":\"签名校验失败\"}", API_ERROR,
	       "Douyin error 40003 (非法的参数; isv.signature-invalid: 签名校验失败): check "
	       "app_key and app_secret");
}

static void test_channels(void **state)
{
	struct channels_client c;
	struct api_page list = { 1740790800, 1740794401, 1, 100, "k1", NULL };
	struct api_page detail = { .id = "3704612354559743232" };
	struct api_call call = { 0 };
	struct json_object *root, *ids;
	const char *next;
	int more;
	char err[256];

	(void)state;
	channels_client_init(&c, "http://127.0.0.1:1", "wx-app", "wx-secret");
	snprintf(c.access_token, sizeof(c.access_token), "%s", "wx-token");
	assert_int_equal(channels_platform.build(&c, &list, &call, err, sizeof(err)), 0);
	assert_string_equal(buf_str(&call.url), "http://127.0.0.1:1/channels/ec/order/list/get?"
						"access_token=wx-token");
	assert_string_equal(buf_str(&call.body), "{\"next_key\":\"k1\",\"page_size\":100,"
						 "\"update_time_range\":{\"end_time\":1740794400,"
						 "\"start_time\":1740790800}}");
	api_call_release(&call);
	memset(&call, 0, sizeof(call));
	assert_int_equal(channels_platform.build(&c, &detail, &call, err, sizeof(err)), 0);
	assert_string_equal(buf_str(&call.body), "{\"order_id\":\"3704612354559743232\"}");
	api_call_release(&call);
	judged(&channels_platform, "{\"errcode\":0,\"errmsg\":\"ok\"}", API_OK, NULL);
	judged(&channels_platform, "{\"errcode\":42001,\"errmsg\":\"access_token expired\"}",
	       API_TOKEN_EXPIRED, NULL);
	judged(&channels_platform, "{\"errcode\":45011,\"errmsg\":\"api minute-quota reach limit\"}",
	       API_RATE_LIMITED, NULL);
	judged(&channels_platform, "{\"errcode\":100002,\"errmsg\":\"order not found\"}", API_ERROR,
	       "Channels errcode 100002 (order not found)");
	root = json_tokener_parse("{\"errcode\":0,\"order_id_list\":[\"1\",\"2\"],\"next_key\":"
				  "\"k2\",\"has_more\":true}");
	assert_int_equal(channels_list_parse(root, &ids, &next, &more), 0);
	assert_int_equal(json_object_array_length(ids), 2);
	assert_string_equal(next, "k2");
	assert_int_equal(more, 1);
	json_object_put(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pdd),
		cmocka_unit_test(test_jd),
		cmocka_unit_test(test_douyin),
		cmocka_unit_test(test_channels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
