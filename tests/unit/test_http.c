/*
 * test_http.c — extract/http.c: backoff with full jitter, Retry-After, the
 * token bucket, verdicts, the URL rule, and the client against a scripted
 * local server (libmicrohttpd): retries on 5xx / 429 / truncated bodies /
 * timeouts, no retry on 4xx or an oversized body, redaction of secrets in logs.
 */
#include "siyu/common/log.h"
#include "siyu/extract/http.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- pure pieces ---------------------------------------------------------------------- */

static void test_backoff(void **state)
{
	(void)state;
	/* ceiling doubles from base and stops at the cap */
	assert_int_equal(http_backoff_ms(0, 500, 30000, 0.999999), 499);
	assert_int_equal(http_backoff_ms(1, 500, 30000, 0.999999), 999);
	assert_int_equal(http_backoff_ms(3, 500, 30000, 0.5), 2000);
	assert_int_equal(http_backoff_ms(10, 500, 30000, 0.5), 15000);
	assert_int_equal(http_backoff_ms(62, 500, 30000, 0.5), 15000);
	assert_int_equal(http_backoff_ms(1000, 500, 30000, 0.5), 15000);
	/* full jitter: anything from 0 */
	assert_int_equal(http_backoff_ms(5, 500, 30000, 0.0), 0);
	assert_int_equal(http_backoff_ms(-1, 500, 30000, 0.5), 250);
	assert_true(http_backoff_ms(2, 500, 30000, 1.5) < 2000);
}

static void test_limiter(void **state)
{
	struct http_limiter l;
	int64_t t = 1000000000LL;

	(void)state;
	http_limiter_init(&l, 10, 10);
	for (int i = 0; i < 10; i++)
		assert_int_equal(http_limiter_take(&l, t), 0);
	/* 11th at the same instant: one token of debt = 100 ms */
	assert_int_equal(http_limiter_take(&l, t), 100000000LL);
	/* 12th: two tokens of debt */
	assert_int_equal(http_limiter_take(&l, t), 200000000LL);
	/* 1 s later the bucket refilled 10 tokens, minus the 2 of debt */
	t += 1000000000LL;
	for (int i = 0; i < 8; i++)
		assert_int_equal(http_limiter_take(&l, t), 0);
	assert_true(http_limiter_take(&l, t) > 0);
	/* never more than the burst after a long pause */
	t += 3600 * 1000000000LL;
	for (int i = 0; i < 10; i++)
		assert_int_equal(http_limiter_take(&l, t), 0);
	assert_true(http_limiter_take(&l, t) > 0);
	/* a clock that goes backwards does not mint tokens */
	assert_true(http_limiter_take(&l, t - 5000000000LL) > 0);

	/* unlimited */
	http_limiter_init(&l, 0, 1);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(http_limiter_take(&l, t), 0);

	/* a slow rate: 0.5/s, burst 1 */
	http_limiter_init(&l, 0.5, 1);
	assert_int_equal(http_limiter_take(&l, t), 0);
	assert_int_equal(http_limiter_take(&l, t), 2000000000LL);
}

static void test_classify(void **state)
{
	(void)state;
	assert_int_equal(http_classify(CURLE_OK, 200), HTTP_DONE);
	assert_int_equal(http_classify(CURLE_OK, 204), HTTP_DONE);
	assert_int_equal(http_classify(CURLE_OK, 500), HTTP_RETRY);
	assert_int_equal(http_classify(CURLE_OK, 502), HTTP_RETRY);
	assert_int_equal(http_classify(CURLE_OK, 503), HTTP_RETRY);
	assert_int_equal(http_classify(CURLE_OK, 429), HTTP_RETRY);
	assert_int_equal(http_classify(CURLE_OK, 408), HTTP_RETRY);
	assert_int_equal(http_classify(CURLE_OK, 404), HTTP_FAIL);
	assert_int_equal(http_classify(CURLE_OK, 401), HTTP_FAIL);
	assert_int_equal(http_classify(CURLE_OK, 302), HTTP_FAIL);
	assert_int_equal(http_classify(CURLE_COULDNT_CONNECT, 0), HTTP_RETRY);
	assert_int_equal(http_classify(CURLE_OPERATION_TIMEDOUT, 0), HTTP_RETRY);
	assert_int_equal(http_classify(CURLE_PARTIAL_FILE, 200), HTTP_RETRY);
	assert_int_equal(http_classify(CURLE_GOT_NOTHING, 0), HTTP_RETRY);
	assert_int_equal(http_classify(CURLE_RECV_ERROR, 0), HTTP_RETRY);
	assert_int_equal(http_classify(CURLE_PEER_FAILED_VERIFICATION, 0), HTTP_FAIL);
	assert_int_equal(http_classify(CURLE_URL_MALFORMAT, 0), HTTP_FAIL);
	assert_int_equal(http_classify(CURLE_WRITE_ERROR, 200), HTTP_FAIL);
}

static void test_url_allowed(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(http_url_allowed("https://qyapi.weixin.qq.com/cgi-bin/x", err, sizeof(err)), 0);
	assert_int_equal(http_url_allowed("HTTPS://example.com", err, sizeof(err)), 0);
	assert_int_equal(http_url_allowed("http://127.0.0.1:8080/cgi-bin/x", err, sizeof(err)), 0);
	assert_int_equal(http_url_allowed("http://localhost/x", err, sizeof(err)), 0);
	assert_int_equal(http_url_allowed("http://[::1]:9/x", err, sizeof(err)), 0);
	assert_int_equal(http_url_allowed("http://127.0.0.1", err, sizeof(err)), 0);
	assert_int_equal(http_url_allowed("http://qyapi.weixin.qq.com/cgi-bin/x", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "https://"));
	assert_int_equal(http_url_allowed("http://127.0.0.1.evil.com/x", err, sizeof(err)), -1);
	assert_int_equal(http_url_allowed("http://localhost.evil.com/x", err, sizeof(err)), -1);
	assert_int_equal(http_url_allowed("http://127.0.0.10/x", err, sizeof(err)), -1);
	assert_int_equal(http_url_allowed("ftp://127.0.0.1/x", err, sizeof(err)), -1);
	assert_int_equal(http_url_allowed("https://", err, sizeof(err)), -1);
	assert_int_equal(http_url_allowed("file:///etc/passwd", err, sizeof(err)), -1);
}

static void test_redact(void **state)
{
	char out[256];

	(void)state;
	log_redact_url("https://q/cgi-bin/gettoken?corpid=ww1&corpsecret=S3CRET", out, sizeof(out));
	assert_null(strstr(out, "S3CRET"));
	assert_null(strstr(out, "ww1"));
	assert_string_equal(out, "https://q/cgi-bin/gettoken?corpid=***&corpsecret=***");
	log_redact_url("http://127.0.0.1:1/x?access_token=TOKEN123&userid=u", out, sizeof(out));
	assert_null(strstr(out, "TOKEN123"));
}

/* ---- the client against a scripted server --------------------------------------------- */

/* What the server answers, request by request ("" = 200 ok). */
struct step {
	int status;
	const char *body;
	const char *retry_after;
	int delay_ms;  /* sleep before answering */
	int truncate;  /* announce more bytes than sent */
};

static struct step script[16];
static int nscript, served;
static char last_url[512];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

struct trunc_state {
	const char *body;
	size_t len;
};

static ssize_t trunc_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct trunc_state *t = cls;

	if (pos >= t->len)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	size_t n = t->len - (size_t)pos;
	if (n > max)
		n = max;
	memcpy(buf, t->body + pos, n);
	return (ssize_t)n;
}

static void trunc_free(void *cls)
{
	free(cls);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
			       const char *method, const char *version, const char *upload_data,
			       size_t *upload_data_size, void **con_cls)
{
	static int marker;
	struct step s = { 200, "{\"ok\":1}", NULL, 0, 0 };
	struct MHD_Response *r;
	enum MHD_Result ret;
	const char *tok;

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
	if (served < nscript)
		s = script[served];
	served++;
	tok = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "access_token");
	snprintf(last_url, sizeof(last_url), "%s?access_token=%s", url, tok ? tok : "");
	pthread_mutex_unlock(&mu);
	if (s.delay_ms)
		usleep((useconds_t)s.delay_ms * 1000);
	if (s.truncate) {
		struct trunc_state *t = malloc(sizeof(*t));

		t->body = s.body;
		t->len = strlen(s.body) / 2;
		r = MHD_create_response_from_callback(strlen(s.body), 1024, trunc_reader, t,
						      trunc_free);
	} else {
		r = MHD_create_response_from_buffer(strlen(s.body), (void *)s.body,
						    MHD_RESPMEM_PERSISTENT);
	}
	if (s.retry_after)
		MHD_add_response_header(r, "Retry-After", s.retry_after);
	MHD_add_response_header(r, "Content-Type", "application/json");
	ret = MHD_queue_response(conn, (unsigned)s.status, r);
	MHD_destroy_response(r);
	return ret;
}

static struct MHD_Daemon *daemon_;
static int port_;

static int start_server(void **state)
{
	const union MHD_DaemonInfo *info;

	(void)state;
	daemon_ = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD,
				   0, NULL, NULL, handler, NULL, MHD_OPTION_END);
	if (!daemon_)
		return -1;
	info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
	port_ = info ? info->port : 0;
	return port_ ? 0 : -1;
}

static int stop_server(void **state)
{
	(void)state;
	MHD_stop_daemon(daemon_);
	return 0;
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

static void set_script(const struct step *steps, int n)
{
	pthread_mutex_lock(&mu);
	if (n)
		memcpy(script, steps, (size_t)n * sizeof(*steps));
	nscript = n;
	served = 0;
	pthread_mutex_unlock(&mu);
	nsleeps = 0;
}

static struct http_client *client(long retries, long timeout_s, size_t max_body)
{
	struct http_opts o = { "test", 2, timeout_s, retries, 0, max_body, 100, 1000, 5000 };
	char err[256];
	struct http_client *c = http_client_new(&o, err, sizeof(err));

	assert_non_null(c);
	http_client_set_sleep(c, fake_sleep, NULL);
	http_client_set_seed(c, 42);
	return c;
}

static void url(char *out, size_t n, const char *path)
{
	snprintf(out, n, "http://127.0.0.1:%d%s", port_, path);
}

static void test_retries_then_ok(void **state)
{
	const struct step steps[] = {
		{ 500, "oops", NULL, 0, 0 },
		{ 429, "slow down", "2", 0, 0 },
		{ 502, "bad gateway", NULL, 0, 0 },
		{ 200, "{\"errcode\":0}", NULL, 0, 0 },
	};
	struct http_client *c = client(5, 5, 0);
	struct http_response r = HTTP_RESPONSE_INIT;
	char u[128], err[512];

	(void)state;
	set_script(steps, 4);
	url(u, sizeof(u), "/cgi-bin/x?access_token=T0KEN");
	assert_int_equal(http_request(c, "POST", u, "{\"a\":1}", &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 4);
	assert_string_equal(buf_str(&r.body), "{\"errcode\":0}");
	assert_string_equal(r.content_type, "application/json");
	assert_int_equal(nsleeps, 3);
	assert_true(sleeps[0] >= 0 && sleeps[0] < 100);   /* attempt 0: [0, 100) */
	assert_int_equal(sleeps[1], 2000);                /* Retry-After: 2 */
	assert_true(sleeps[2] >= 0 && sleeps[2] < 400);   /* attempt 2: [0, 400) */
	assert_int_equal(http_client_slept_ms(c), sleeps[0] + sleeps[1] + sleeps[2]);
	assert_int_equal(http_client_requests(c), 4);
	http_response_release(&r);
	http_client_free(c);
}

static void test_retry_after_capped(void **state)
{
	const struct step steps[] = {
		{ 429, "x", "86400", 0, 0 },
		{ 200, "{}", NULL, 0, 0 },
	};
	struct http_client *c = client(2, 5, 0);
	struct http_response r = HTTP_RESPONSE_INIT;
	char u[128], err[512];

	(void)state;
	set_script(steps, 2);
	url(u, sizeof(u), "/x");
	assert_int_equal(http_request(c, "GET", u, NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(nsleeps, 1);
	assert_int_equal(sleeps[0], 5000); /* retry_after_cap_ms */
	http_response_release(&r);
	http_client_free(c);
}

/*
 * Retry-After as libcurl reads it (CURLINFO_RETRY_AFTER): delta-seconds or an HTTP-date,
 * on 429 and 503 only; absent, unreadable or past, the backoff decides.
 */
static void test_retry_after_forms(void **state)
{
	static char soon[64];
	time_t in3s = time(NULL) + 3;
	struct tm tm;
	const struct step steps[] = {
		{ 503, "x", soon, 0, 0 },                             /* a date 3 s ahead */
		{ 429, "x", NULL, 0, 0 },                             /* none (again) */
		{ 429, "x", "soon", 0, 0 },                           /* not understood */
		{ 429, "x", "Wed, 21 Oct 2015 07:28:00 GMT", 0, 0 }, /* past */
		{ 500, "x", "4", 0, 0 },                              /* not for a 500 */
		{ 429, "x", "1", 0, 0 },
		{ 200, "{}", NULL, 0, 0 },
	};
	struct http_client *c = client(6, 5, 0);
	struct http_response r = HTTP_RESPONSE_INIT;
	char u[128], err[512];

	(void)state;
	gmtime_r(&in3s, &tm);
	strftime(soon, sizeof(soon), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	set_script(steps, 7);
	url(u, sizeof(u), "/x");
	assert_int_equal(http_request(c, "GET", u, NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(nsleeps, 6);
	assert_in_range(sleeps[0], 1000, 3000); /* whole seconds from now */
	assert_in_range(sleeps[1], 0, 199);     /* backoff of attempt 1: [0, 200) */
	assert_in_range(sleeps[2], 0, 399);
	assert_in_range(sleeps[3], 0, 799);
	assert_in_range(sleeps[4], 0, 999);     /* the cap, not 4000 */
	assert_int_equal(sleeps[5], 1000);
	http_response_release(&r);
	http_client_free(c);
}

static void test_gives_up(void **state)
{
	const struct step steps[] = {
		{ 503, "a", NULL, 0, 0 }, { 503, "b", NULL, 0, 0 }, { 503, "c", NULL, 0, 0 },
		{ 200, "{}", NULL, 0, 0 },
	};
	struct http_client *c = client(2, 5, 0);
	struct http_response r = HTTP_RESPONSE_INIT;
	char u[128], err[512];

	(void)state;
	set_script(steps, 4);
	url(u, sizeof(u), "/cgi-bin/gettoken?corpid=ww1&corpsecret=S3CRET");
	assert_int_equal(http_request(c, "GET", u, NULL, &r, err, sizeof(err)), -1);
	assert_int_equal(r.attempts, 3);
	assert_int_equal(r.status, 503);
	assert_string_equal(buf_str(&r.body), "c");
	assert_non_null(strstr(err, "HTTP 503 after 3 attempts"));
	assert_non_null(strstr(err, "/cgi-bin/gettoken?corpid=***&corpsecret=***"));
	assert_null(strstr(err, "S3CRET"));
	http_response_release(&r);
	http_client_free(c);
}

static void test_no_retry_on_4xx(void **state)
{
	const struct step steps[] = { { 404, "nope", NULL, 0, 0 }, { 200, "{}", NULL, 0, 0 } };
	struct http_client *c = client(5, 5, 0);
	struct http_response r = HTTP_RESPONSE_INIT;
	char u[128], err[512];

	(void)state;
	set_script(steps, 2);
	url(u, sizeof(u), "/x");
	assert_int_equal(http_request(c, "GET", u, NULL, &r, err, sizeof(err)), -1);
	assert_int_equal(r.attempts, 1);
	assert_int_equal(nsleeps, 0);
	assert_non_null(strstr(err, "HTTP 404"));
	http_response_release(&r);
	http_client_free(c);
}

static void test_body_cap(void **state)
{
	static char big[5000];
	struct step steps[] = { { 200, big, NULL, 0, 0 }, { 200, "{}", NULL, 0, 0 } };
	struct http_client *c = client(5, 5, 1000);
	struct http_response r = HTTP_RESPONSE_INIT;
	char u[128], err[512];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	set_script(steps, 2);
	url(u, sizeof(u), "/x");
	assert_int_equal(http_request(c, "GET", u, NULL, &r, err, sizeof(err)), -1);
	assert_int_equal(r.attempts, 1);
	assert_non_null(strstr(err, "larger than 1000 bytes"));
	http_response_release(&r);
	http_client_free(c);
}

static void test_truncated_and_slow_are_retried(void **state)
{
	const struct step steps[] = {
		{ 200, "{\"errcode\":0,\"errmsg\":\"ok\",\"pad\":\"0123456789\"}", NULL, 0, 1 },
		{ 200, "{\"late\":1}", NULL, 1500, 0 },
		{ 200, "{\"errcode\":0}", NULL, 0, 0 },
	};
	struct http_client *c = client(3, 1, 0);
	struct http_response r = HTTP_RESPONSE_INIT;
	char u[128], err[512];

	(void)state;
	set_script(steps, 3);
	url(u, sizeof(u), "/x");
	assert_int_equal(http_request(c, "GET", u, NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.attempts, 3);
	assert_string_equal(buf_str(&r.body), "{\"errcode\":0}");
	http_response_release(&r);
	http_client_free(c);
}

static void test_connection_refused(void **state)
{
	struct http_client *c = client(2, 1, 0);
	struct http_response r = HTTP_RESPONSE_INIT;
	char err[512];

	(void)state;
	nsleeps = 0;
	/* port 1 on loopback: nothing listens */
	assert_int_equal(http_request(c, "GET", "http://127.0.0.1:1/x?access_token=SECRET", NULL,
				      &r, err, sizeof(err)), -1);
	assert_int_equal(r.attempts, 3);
	assert_int_equal(nsleeps, 2);
	assert_null(strstr(err, "SECRET"));
	http_response_release(&r);
	http_client_free(c);
}

static void test_plain_http_refused(void **state)
{
	struct http_client *c = client(2, 1, 0);
	struct http_response r = HTTP_RESPONSE_INIT;
	char err[512];

	(void)state;
	assert_int_equal(http_request(c, "GET", "http://example.com/x", NULL, &r, err, sizeof(err)),
			 -1);
	assert_int_equal(r.attempts, 0);
	assert_non_null(strstr(err, "https://"));
	http_response_release(&r);
	http_client_free(c);
}

/* Every log line of a retried, failing request with secrets in the URL: none of them shows. */
static void test_logs_never_show_secrets(void **state)
{
	const struct step steps[] = { { 500, "a", NULL, 0, 0 }, { 500, "b", NULL, 0, 0 } };
	struct http_client *c = client(1, 5, 0);
	struct http_response r = HTTP_RESPONSE_INIT;
	char u[256], err[512], line[1024];
	FILE *tmp = tmpfile();
	int saved = dup(2);
	int seen = 0;

	(void)state;
	assert_non_null(tmp);
	set_script(steps, 2);
	url(u, sizeof(u), "/cgi-bin/x?access_token=T0P-SECRET-TOKEN&corpsecret=S3CRET");
	log_set_level(LOG_DEBUG);
	fflush(stderr);
	dup2(fileno(tmp), 2);
	assert_int_equal(http_request(c, "GET", u, NULL, &r, err, sizeof(err)), -1);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	log_set_level(LOG_INFO);
	rewind(tmp);
	while (fgets(line, sizeof(line), tmp)) {
		seen++;
		assert_null(strstr(line, "T0P-SECRET"));
		assert_null(strstr(line, "S3CRET"));
	}
	assert_true(seen >= 3); /* two debug lines and a retry warning */
	assert_null(strstr(err, "T0P-SECRET"));
	/* the server did get the token */
	assert_non_null(strstr(last_url, "T0P-SECRET-TOKEN"));
	fclose(tmp);
	http_response_release(&r);
	http_client_free(c);
}

static void test_rate_limit_spaces_requests(void **state)
{
	struct http_opts o = { "test", 2, 5, 0, 20, 0, 100, 1000, 5000 };
	struct http_response r = HTTP_RESPONSE_INIT;
	struct http_client *c;
	struct timespec t0, t1;
	char u[128], err[256];
	double secs;

	(void)state;
	set_script(NULL, 0);
	c = http_client_new(&o, err, sizeof(err));
	assert_non_null(c);
	url(u, sizeof(u), "/x");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* 20 go out as the burst, the next 10 at 20/s: about 0.5 s */
	for (int i = 0; i < 30; i++)
		assert_int_equal(http_request(c, "GET", u, NULL, &r, err, sizeof(err)), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(secs >= 0.45);
	assert_true(secs < 3.0);
	http_response_release(&r);
	http_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_limiter),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_url_allowed),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_retries_then_ok),
		cmocka_unit_test(test_retry_after_capped),
		cmocka_unit_test(test_retry_after_forms),
		cmocka_unit_test(test_gives_up),
		cmocka_unit_test(test_no_retry_on_4xx),
		cmocka_unit_test(test_body_cap),
		cmocka_unit_test(test_truncated_and_slow_are_retried),
		cmocka_unit_test(test_connection_refused),
		cmocka_unit_test(test_plain_http_refused),
		cmocka_unit_test(test_logs_never_show_secrets),
		cmocka_unit_test(test_rate_limit_spaces_requests),
	};

	return cmocka_run_group_tests(tests, start_server, stop_server);
}
