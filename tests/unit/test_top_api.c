/*
 * test_top_api.c — unit tests of extract/top_api.c without the network: the signed
 * request of a page, how TOP's answers are judged (rate limit with its ban, expired
 * session, other errors) and the list answer's parts; and api_ban_seconds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "siyu/extract/top_api.h"

static int64_t fixed_now(void)
{
	return 1456804800; /* 2016-03-01 04:00:00 UTC = 12:00:00 China time */
}

static void test_build(void **state)
{
	struct top_client c;
	struct api_page pg = { 1456761600, 1456765200, 3, 50, NULL, NULL }; /* 2016-03-01 00:00..01:00 CN */
	struct api_call call = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(top_client_init(&c, "http://127.0.0.1:1/router/rest", NULL, "12345678",
					 "helloworld", "test", NULL, NULL, err, sizeof(err)), 0);
	c.now = fixed_now;
	assert_int_equal(top_platform.build(&c, &pg, &call, err, sizeof(err)), 0);
	assert_string_equal(call.http_method, "POST");
	assert_string_equal(buf_str(&call.url), "http://127.0.0.1:1/router/rest");
	assert_non_null(strstr(buf_str(&call.body), "method=taobao.trades.sold.increment.get&"
						    "app_key=12345678&session=test&timestamp="
						    "2016-03-01%2012%3A00%3A00&format=json&v=2.0&"
						    "sign_method=md5&fields=tid%2C"));
	/* end_modified is inclusive: [from, to) asks until to − 1 s */
	assert_non_null(strstr(buf_str(&call.body), "&start_modified=2016-03-01%2000%3A00%3A00&"
						    "end_modified=2016-03-01%2000%3A59%3A59&"
						    "page_no=3&page_size=50&sign="));
	assert_non_null(strstr(buf_str(&call.body), "&type=fixed%2C"));
	assert_int_equal(strlen(strstr(buf_str(&call.body), "&sign=")), 6 + 32);
	api_call_release(&call);
	assert_int_equal(top_client_init(&c, "u", NULL, "k", "s", "t", NULL, "sha1", err,
					 sizeof(err)), -1);
	assert_string_equal(err, "sign_method 'sha1': not md5, hmac or hmac-sha256");
}

static void judge(const char *text, enum api_verdict want, long wait_ms, const char *what)
{
	struct json_object *root = json_tokener_parse(text);
	struct api_judgement j = { 0 };

	assert_non_null(root);
	top_platform.judge(NULL, root, &j);
	assert_int_equal(j.verdict, want);
	assert_int_equal(j.wait_ms, wait_ms);
	if (what)
		assert_string_equal(j.what, what);
	json_object_put(root);
}

static void test_judge(void **state)
{
	(void)state;
	judge("{\"trades_sold_increment_get_response\":{\"total_results\":0}}", API_OK, 0, NULL);
	judge("{\"error_response\":{\"code\":7,\"msg\":\"App Call Limited\",\"sub_code\":"
	      "\"accesscontrol.limited-by-app-access-count\",\"sub_msg\":\"This ban will last for "
	      "12 more seconds\"}}", API_RATE_LIMITED, 13000, NULL);
	judge("{\"error_response\":{\"code\":7,\"msg\":\"App Call Limited\"}}", API_RATE_LIMITED, 0,
	      NULL);
	judge("{\"error_response\":{\"code\":27,\"msg\":\"Invalid session\",\"sub_code\":"
	      "\"invalid-sessionkey\"}}", API_TOKEN_EXPIRED, 0, NULL);
	judge("{\"error_response\":{\"code\":25,\"msg\":\"Invalid Signature\"}}", API_ERROR, 0,
	      "TOP error 25 (Invalid Signature): check app_key and app_secret");
	judge("{\"error_response\":{\"code\":15,\"msg\":\"Remote service error\",\"sub_code\":"
	      "\"isp.unknown-error\",\"sub_msg\":\"boom\"}}", API_ERROR, 0,
	      "TOP error 15 (Remote service error; isp.unknown-error: boom)");
	judge("{\"something_else\":{}}", API_ERROR, 0,
	      "no trades_sold_increment_get_response in the answer");
}

static void test_list_parse(void **state)
{
	struct json_object *root, *trades;
	int64_t total;

	(void)state;
	root = json_tokener_parse("{\"trades_sold_increment_get_response\":{\"total_results\":41,"
				  "\"trades\":{\"trade\":[{\"tid\":1},{\"tid\":2}]}}}");
	assert_int_equal(top_list_parse(root, &total, &trades), 0);
	assert_int_equal(total, 41);
	assert_int_equal(json_object_array_length(trades), 2);
	json_object_put(root);
	root = json_tokener_parse("{\"trades_sold_increment_get_response\":{\"total_results\":0}}");
	assert_int_equal(top_list_parse(root, &total, &trades), 0);
	assert_null(trades);
	json_object_put(root);
	root = json_tokener_parse("{\"trades_sold_increment_get_response\":{\"trades\":[]}}");
	assert_int_equal(top_list_parse(root, &total, &trades), -1);
	json_object_put(root);
}

static void test_ban_seconds(void **state)
{
	(void)state;
	assert_int_equal(api_ban_seconds("This ban will last for 31062 more seconds"), 31062);
	assert_int_equal(api_ban_seconds("x This ban will last for 1 more seconds"), 1);
	assert_int_equal(api_ban_seconds("This ban will last for more seconds"), -1);
	assert_int_equal(api_ban_seconds("App Call Limited"), -1);
	assert_int_equal(api_ban_seconds(NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_list_parse),
		cmocka_unit_test(test_ban_seconds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
