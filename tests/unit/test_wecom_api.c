/*
 * test_wecom_api.c — extract/wecom_api.c against a scripted local server: the token
 * is fetched once and cached, 40014/42001 refresh it once and retry once, 45009
 * backs off, accepted errcodes (84061) reach the caller, configuration errcodes
 * name the setting and never the secret, unparsable pages fail with the raw page
 * kept, and plain http to a remote host is refused.
 */
#include "siyu/extract/http.h"
#include "siyu/extract/rawzone.h"
#include "siyu/extract/wecom_api.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static const char *token_answer; /* gettoken's body; NULL = a fresh token */
static const char *script[8];    /* business answers, in order */
static int nscript, served, token_calls, tokens_seen;
static char last_token[64];

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
			       const char *method, const char *version, const char *upload_data,
			       size_t *upload_data_size, void **con_cls)
{
	static int marker;
	char tokbuf[128];
	const char *body;
	struct MHD_Response *r;
	enum MHD_Result ret;

	(void)cls;
	(void)method;
	(void)version;
	(void)upload_data;
	if (*con_cls == NULL) {
		*con_cls = &marker;
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&mu);
	if (strstr(url, "/cgi-bin/gettoken")) {
		token_calls++;
		snprintf(tokbuf, sizeof(tokbuf),
			 "{\"errcode\":0,\"errmsg\":\"ok\",\"access_token\":\"T%d\",\"expires_in\":7200}",
			 token_calls);
		body = token_answer ? token_answer : tokbuf;
	} else {
		const char *t = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "access_token");

		snprintf(last_token, sizeof(last_token), "%s", t ? t : "");
		tokens_seen++;
		body = served < nscript ? script[served] : "{\"errcode\":0,\"errmsg\":\"ok\"}";
		served++;
	}
	pthread_mutex_unlock(&mu);
	r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	ret = MHD_queue_response(conn, 200, r);
	MHD_destroy_response(r);
	return ret;
}

static struct MHD_Daemon *daemon_;
static char base[64];
static char rawdir[128];

static int start_server(void **state)
{
	const union MHD_DaemonInfo *info;

	(void)state;
	daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handler, NULL,
				   MHD_OPTION_END);
	if (!daemon_)
		return -1;
	info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d/", info ? info->port : 0);
	snprintf(rawdir, sizeof(rawdir), "/tmp/siyu-wecom-api-test-%ld", (long)getpid());
	return 0;
}

static int stop_server(void **state)
{
	char cmd[256];

	(void)state;
	MHD_stop_daemon(daemon_);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", rawdir);
	return system(cmd) == 0 ? 0 : -1;
}

static long sleeps[16];
static int nsleeps;

static void fake_sleep(void *arg, long ms)
{
	(void)arg;
	if (nsleeps < 16)
		sleeps[nsleeps] = ms;
	nsleeps++;
}

static void set_script(const char *token, const char *const *answers, int n)
{
	pthread_mutex_lock(&mu);
	token_answer = token;
	for (int i = 0; i < n; i++)
		script[i] = answers[i];
	nscript = n;
	served = token_calls = tokens_seen = 0;
	pthread_mutex_unlock(&mu);
	nsleeps = 0;
}

struct fixture {
	struct http_client *http;
	struct rawzone raw;
	struct wecom_api api;
};

/* wecom_api_init for source "wx", its failure as text into err. */
static int init(struct wecom_api *a, struct http_client *http, struct rawzone *raw,
		const char *base_url, const char *corpid, const char *secret, long busy, char *err,
		size_t errlen)
{
	struct failure fail = { .source = "wx" };
	int rc = wecom_api_init(a, http, raw, "wx", base_url, corpid, secret, busy, &fail);

	failure_text(&fail, err, errlen);
	return rc;
}

static void setup(struct fixture *f, int with_raw)
{
	struct http_opts o = { "wx", 2, 5, 1, 0, 0, 10, 100, 1000 };
	char err[256];

	f->http = http_client_new(&o, err, sizeof(err));
	assert_non_null(f->http);
	http_client_set_sleep(f->http, fake_sleep, NULL);
	memset(&f->raw, 0, sizeof(f->raw));
	if (with_raw)
		assert_int_equal(rawzone_open(&f->raw, rawdir, "wx", 1 + rand() % 1000000, err,
					      sizeof(err)), 0);
	assert_int_equal(init(&f->api, f->http, with_raw ? &f->raw : NULL, base, "ww1",
			      "S3CRET-VALUE", 2, err, sizeof(err)), 0);
}

static void teardown(struct fixture *f)
{
	wecom_api_release(&f->api);
	rawzone_close(&f->raw);
	http_client_free(f->http);
}

/* A call's failure as the driver layer stores it: "object: reason". */
static int call(struct fixture *f, const int *accept, char *err, size_t errlen)
{
	struct json_object *out = NULL;
	struct failure fail = { .source = "wx" };
	int rc = wecom_api_call(&f->api, "POST", "externalcontact/batch/get_by_user", NULL,
				"{\"userid_list\":[\"u1\"]}", "contacts", "staff 1-1 of 1, page 1",
				accept, &out, &fail);

	failure_text(&fail, err, errlen);
	json_object_put(out);
	return rc;
}

static void test_token_cached(void **state)
{
	struct fixture f;
	char err[512];

	(void)state;
	set_script(NULL, NULL, 0);
	setup(&f, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(call(&f, NULL, err, sizeof(err)), 0);
	assert_int_equal(token_calls, 1);
	assert_string_equal(last_token, "T1");
	assert_int_equal(f.api.pages, 3);
	teardown(&f);
}

static void test_token_refreshed_once(void **state)
{
	const char *const answers[] = {
		"{\"errcode\":40014,\"errmsg\":\"invalid access_token\"}",
		"{\"errcode\":0,\"errmsg\":\"ok\",\"external_contact_list\":[]}",
		"{\"errcode\":42001,\"errmsg\":\"access_token expired\"}",
		"{\"errcode\":42001,\"errmsg\":\"access_token expired\"}",
	};
	struct fixture f;
	char err[512];

	(void)state;
	set_script(NULL, answers, 4);
	setup(&f, 0);
	assert_int_equal(call(&f, NULL, err, sizeof(err)), 0);
	assert_int_equal(token_calls, 2);
	assert_string_equal(last_token, "T2");
	/* expired again right after a refresh: no second refresh, no loop */
	assert_int_equal(call(&f, NULL, err, sizeof(err)), -1);
	assert_int_equal(token_calls, 3);
	assert_non_null(strstr(err, "POST externalcontact/batch/get_by_user (staff 1-1 of 1, page 1): "
				    "errcode 42001 (access_token expired) again after a new token"));
	teardown(&f);
}

static void test_busy_backoff(void **state)
{
	const char *const answers[] = {
		"{\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}",
		"{\"errcode\":-1,\"errmsg\":\"system busy\"}",
		"{\"errcode\":0,\"errmsg\":\"ok\"}",
		"{\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}",
		"{\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}",
		"{\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}",
	};
	struct fixture f;
	char err[512];

	(void)state;
	set_script(NULL, answers, 6);
	setup(&f, 0);
	assert_int_equal(call(&f, NULL, err, sizeof(err)), 0);
	assert_int_equal(nsleeps, 2);
	assert_int_equal(sleeps[0], 60000); /* until the next minute */
	assert_int_equal(sleeps[1], 120000);
	assert_int_equal(call(&f, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "errcode 45009 (api freq out of limit) after 3 tries"));
	teardown(&f);
}

static void test_accepted_errcode(void **state)
{
	static const int accept[] = { 84061, 0 };
	const char *const answers[] = {
		"{\"errcode\":84061,\"errmsg\":\"not external contact\",\"external_userid\":[]}",
		"{\"errcode\":84061,\"errmsg\":\"not external contact\"}",
		"{\"errmsg\":\"no errcode at all\"}",
	};
	struct fixture f;
	char err[512];

	(void)state;
	set_script(NULL, answers, 3);
	setup(&f, 0);
	assert_int_equal(call(&f, accept, err, sizeof(err)), 84061);
	assert_int_equal(call(&f, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "errcode 84061 (not external contact)"));
	assert_int_equal(call(&f, NULL, err, sizeof(err)), 0);
	teardown(&f);
}

static void test_config_errors(void **state)
{
	static const struct {
		const char *answer, *want;
	} cases[] = {
		{ "{\"errcode\":40001,\"errmsg\":\"invalid credential\"}", "check secret" },
		{ "{\"errcode\":40091,\"errmsg\":\"secret is invalid\"}", "check secret" },
		{ "{\"errcode\":40013,\"errmsg\":\"invalid corpid\"}", "check corpid" },
		{ "{\"errcode\":60020,\"errmsg\":\"not allow to access from your ip\"}", "trusted IPs" },
	};
	struct fixture f;
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		set_script(cases[i].answer, NULL, 0);
		setup(&f, 0);
		assert_int_equal(call(&f, NULL, err, sizeof(err)), -1);
		assert_non_null(strstr(err, cases[i].want));
		assert_non_null(strstr(err, "[source.wx]"));
		assert_null(strstr(err, "S3CRET"));
		assert_int_equal(token_calls, 1); /* never retried */
		assert_int_equal(tokens_seen, 0);
		teardown(&f);
	}
}

static void test_bad_json_keeps_page(void **state)
{
	const char *const answers[] = { "{\"errcode\":0,\"external_contact_list\":[{\"ext" };
	struct fixture f;
	char err[1024], *kept, *end;
	FILE *p;

	(void)state;
	set_script(NULL, answers, 1);
	setup(&f, 1);
	assert_int_equal(call(&f, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "the answer is not a JSON object"));
	kept = strstr(err, "raw page kept at ");
	assert_non_null(kept);
	kept += strlen("raw page kept at ");
	end = strstr(kept, ".jsonl.gz");
	assert_non_null(end);
	end[strlen(".jsonl.gz")] = '\0';
	p = fopen(kept, "rb");
	assert_non_null(p);
	fclose(p);
	assert_string_equal(f.api.last_page, "contacts-00001.jsonl.gz");
	teardown(&f);
}

static void test_init_checks(void **state)
{
	struct wecom_api a;
	char err[512];

	(void)state;
	assert_int_equal(init(&a, NULL, NULL, "http://qyapi.weixin.qq.com", "ww1", "s", 1, err,
			      sizeof(err)), -1);
	assert_non_null(strstr(err, "base_url"));
	assert_int_equal(init(&a, NULL, NULL, "https://qyapi.weixin.qq.com/", "", "s", 1, err,
			      sizeof(err)), -1);
	assert_non_null(strstr(err, "corpid"));
	assert_int_equal(init(&a, NULL, NULL, "https://qyapi.weixin.qq.com/", "ww1", "", 1, err,
			      sizeof(err)), -1);
	assert_non_null(strstr(err, "secret"));
	assert_int_equal(init(&a, NULL, NULL, "https://qyapi.weixin.qq.com//", "ww1", "s", 1, err,
			      sizeof(err)), 0);
	assert_string_equal(a.base, "https://qyapi.weixin.qq.com");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_cached),
		cmocka_unit_test(test_token_refreshed_once),
		cmocka_unit_test(test_busy_backoff),
		cmocka_unit_test(test_accepted_errcode),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_bad_json_keeps_page),
		cmocka_unit_test(test_init_checks),
	};

	return cmocka_run_group_tests(tests, start_server, stop_server);
}
