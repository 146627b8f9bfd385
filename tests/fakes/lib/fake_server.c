/*
 * fake_server.c — the HTTP plumbing of the fake API servers (see fake_server.h).
 */
#include "fake_server.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void *fake_must(void *p)
{
	if (!p) {
		fprintf(stderr, "fake server: out of memory\n");
		exit(1);
	}
	return p;
}

/* ---- requests ----------------------------------------------------------------------------- */

const char *fake_query(const struct fake_request *rq, const char *key)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *fake_header(const struct fake_request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *fake_param(const struct fake_request *rq, const char *key)
{
	for (int i = 0; i < rq->nparams; i++)
		if (strcmp(rq->param[i].key, key) == 0)
			return rq->param[i].value;
	return NULL;
}

int fake_wants_kv(const struct fake_request *rq)
{
	const char *f = fake_query(rq, "format");

	return f && strcmp(f, "kv") == 0;
}

static void add_param(struct fake_request *rq, const char *k, size_t klen, const char *v,
		      size_t vlen)
{
	struct fake_param *p;

	if (rq->nparams == FAKE_MAX_PARAMS)
		return;
	p = &rq->param[rq->nparams++];
	p->key = fake_must(strndup(k, klen));
	p->value = fake_must(strndup(v, vlen));
}

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	(void)kind;
	add_param(cls, key, strlen(key), value ? value : "", value ? strlen(value) : 0);
	return MHD_YES;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode application/x-www-form-urlencoded text in place ('+' is a space); its new length. */
static size_t form_decode(char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			s[o++] = ' ';
		} else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
			   hexval(s[i + 2]) >= 0) {
			s[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			s[o++] = s[i];
		}
	}
	return o;
}

/* The query's parameters, then a form-encoded body's. */
static void parse_params(struct fake_request *rq)
{
	const char *ct = fake_header(rq, MHD_HTTP_HEADER_CONTENT_TYPE);
	char *copy, *p;

	MHD_get_connection_values(rq->conn, MHD_GET_ARGUMENT_KIND, collect_query, rq);
	if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0 || !rq->body.len)
		return;
	copy = fake_must(strndup(rq->body.data, rq->body.len));
	for (p = copy; *p;) {
		char *amp = strchr(p, '&'), *eq;
		size_t n = amp ? (size_t)(amp - p) : strlen(p);

		p[n] = '\0';
		eq = strchr(p, '=');
		if (eq) {
			size_t kl = form_decode(p, (size_t)(eq - p));
			size_t vl = form_decode(eq + 1, strlen(eq + 1));

			add_param(rq, p, kl, eq + 1, vl);
		}
		if (!amp)
			break;
		p = amp + 1;
	}
	free(copy);
}

/* ---- replies ------------------------------------------------------------------------------ */

void fake_reply_text(struct fake_reply *r, int status, const char *text)
{
	free(r->body);
	r->status = status;
	r->body = fake_must(strdup(text));
}

void fake_reply_json(struct fake_reply *r, struct json_object *o)
{
	fake_reply_text(r, 200, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

void fake_reply_kv(struct fake_reply *r, struct json_object *o)
{
	struct buf b = BUF_INIT;

	json_object_object_foreach(o, k, v)
		buf_addf(&b, "%s=%s\n", k, json_object_get_string(v));
	free(r->body);
	r->status = 200;
	r->body = fake_must(buf_detach(&b, NULL));
	json_object_put(o);
}

void fake_reply_admin(const struct fake_request *rq, struct fake_reply *r, struct json_object *o)
{
	if (fake_wants_kv(rq))
		fake_reply_kv(r, o);
	else
		fake_reply_json(r, o);
}

/* ---- faults ------------------------------------------------------------------------------- */

static int common_key(struct fake_fault *f, const char *k, const char *v)
{
	if (!strcmp(k, "at"))
		f->at = atol(v);
	else if (!strcmp(k, "count"))
		f->count = atol(v);
	else if (!strcmp(k, "path"))
		snprintf(f->path, sizeof(f->path), "%s", v);
	else if (!strcmp(k, "retry_after"))
		f->retry_after = atol(v);
	else if (!strcmp(k, "http"))
		f->kind = FAKE_FAULT_HTTP, f->value = atol(v);
	else if (!strcmp(k, "slow_ms"))
		f->kind = FAKE_FAULT_SLOW, f->value = atol(v);
	else if (!strcmp(k, "truncate"))
		f->kind = FAKE_FAULT_TRUNCATE;
	else if (!strcmp(k, "invalid_json"))
		f->kind = FAKE_FAULT_INVALID_JSON;
	else if (!strcmp(k, "token_invalid"))
		f->kind = FAKE_FAULT_TOKEN;
	else
		return 0;
	return 1;
}

int fake_fault_add(struct fake_server *s, const char *spec)
{
	struct fake_fault f = { .kind = FAKE_FAULT_NONE, .at = 1, .count = 1, .retry_after = -1 };
	char copy[512], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", spec);
	for (char *kv = strtok_r(copy, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');
		const char *v = eq ? eq + 1 : "1";

		if (eq)
			*eq = '\0';
		if (!strcmp(kv, "clear")) {
			s->nfaults = 0;
			if (s->fault_key)
				s->fault_key(&f, "clear", v);
			continue;
		}
		if (s->code_key && !strcmp(kv, s->code_key)) {
			f.kind = FAKE_FAULT_CUSTOM;
			f.value = atol(v);
			continue;
		}
		if (!common_key(&f, kv, v) && !(s->fault_key && s->fault_key(&f, kv, v)))
			return -1;
	}
	if (f.kind != FAKE_FAULT_NONE) {
		if (s->nfaults == FAKE_MAX_FAULTS)
			return -1;
		s->fault[s->nfaults++] = f;
	}
	return 0;
}

/* Fire rule f on path: 1 when it answered r. */
static int fire(struct fake_server *s, const struct fake_fault *f, const char *path,
		struct fake_reply *r)
{
	switch (f->kind) {
	case FAKE_FAULT_HTTP:
		fake_reply_text(r, (int)f->value, "<html>server error</html>");
		r->retry_after = f->retry_after;
		return 1;
	case FAKE_FAULT_SLOW:
		r->slow_ms = f->value;
		return 0;
	case FAKE_FAULT_TRUNCATE:
		r->truncate = 1;
		return 0;
	case FAKE_FAULT_INVALID_JSON:
		fake_reply_text(r, 200, s->cut_json ? s->cut_json : "{\"data\":{\"list\":[{\"id\":\"1");
		return 1;
	case FAKE_FAULT_TOKEN:
	case FAKE_FAULT_CUSTOM:
		return s->fault_fire ? s->fault_fire(f, path, r) : 0;
	case FAKE_FAULT_NONE:
		break;
	}
	return 0;
}

static int answers(const struct fake_fault *f)
{
	return f->kind == FAKE_FAULT_HTTP || f->kind == FAKE_FAULT_INVALID_JSON ||
	       f->kind == FAKE_FAULT_CUSTOM;
}

int fake_fault_apply(struct fake_server *s, const char *path, int is_token_call,
		     struct fake_reply *r)
{
	int answered = 0;

	for (int i = 0; i < s->nfaults; i++) {
		struct fake_fault *f = &s->fault[i];

		if (f->path[0] ? !strstr(path, f->path) : is_token_call)
			continue;
		f->seen++;
		if (f->seen < f->at || f->fired >= f->count || (answered && answers(f)))
			continue;
		f->fired++;
		s->faults_fired++;
		if (s->verbose)
			fprintf(stderr, "%s: fault %d fires on %s\n", s->name, (int)f->kind, path);
		if (fire(s, f, path, r))
			answered = 1;
	}
	return answered;
}

/* POST /__admin/fault?SPEC */
static void admin_fault(struct fake_server *s, struct fake_request *rq, struct fake_reply *r)
{
	struct buf spec = BUF_INIT;

	for (int i = 0; i < rq->nparams; i++)
		buf_addf(&spec, "%s%s=%s", i ? "&" : "", rq->param[i].key, rq->param[i].value);
	if (fake_fault_add(s, buf_str(&spec)) == 0)
		fake_reply_text(r, 200, "{\"ok\":true}");
	else
		fake_reply_text(r, 400, "{\"error\":\"bad fault spec\"}");
	buf_release(&spec);
}

/* ---- the daemon ---------------------------------------------------------------------------- */

struct trunc {
	char *body;
	size_t len;
};

/* Half of the body, then an error: libmicrohttpd closes the connection mid-body. */
static ssize_t trunc_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct trunc *t = cls;
	size_t half = t->len / 2;

	if (pos >= half)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (max > half - (size_t)pos)
		max = half - (size_t)pos;
	memcpy(out, t->body + pos, max);
	return (ssize_t)max;
}

static void trunc_free(void *cls)
{
	struct trunc *t = cls;

	free(t->body);
	free(t);
}

static void dispatch(struct fake_server *s, struct fake_request *rq, struct fake_reply *r)
{
	const char *what;

	if (rq->too_big) {
		fake_reply_text(r, 413, "too large");
		return;
	}
	if (strncmp(rq->url, "/__admin/", 9) != 0) {
		s->handle(rq, r);
		return;
	}
	what = rq->url + 9;
	if (strcmp(what, "fault") == 0) {
		admin_fault(s, rq, r);
		return;
	}
	if (s->admin_handle)
		s->admin_handle(rq, what, r);
	if (!r->status && !r->body)
		fake_reply_text(r, 404, "{\"error\":\"no such admin endpoint\"}");
}

static struct MHD_Response *make_response(struct fake_reply *r)
{
	struct MHD_Response *resp;
	char ra[32];

	if (!r->body)
		r->body = fake_must(strdup(""));
	if (r->truncate) {
		struct trunc *t = fake_must(malloc(sizeof(*t)));

		t->body = r->body;
		t->len = strlen(r->body);
		resp = MHD_create_response_from_callback(t->len, 4096, trunc_read, t, trunc_free);
	} else {
		resp = MHD_create_response_from_buffer(strlen(r->body), r->body,
						       MHD_RESPMEM_MUST_FREE);
	}
	r->body = NULL;
	if (!resp)
		return NULL;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				r->content_type ? r->content_type
				: r->status == 200 ? "application/json;charset=UTF-8" : "text/html");
	if (r->retry_after >= 0) {
		snprintf(ra, sizeof(ra), "%ld", r->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	return resp;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct fake_server *s = cls;
	struct fake_request *rq = *con_cls;
	struct fake_reply r = { .retry_after = -1 };
	struct MHD_Response *resp;
	enum MHD_Result ret;

	(void)version;
	if (!rq) {
		rq = calloc(1, sizeof(*rq));
		if (!rq)
			return MHD_NO;
		buf_init(&rq->body, 4u << 20);
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size) {
		if (buf_add(&rq->body, upload, *upload_size) < 0)
			rq->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	rq->conn = c;
	rq->url = url;
	rq->method = method;
	parse_params(rq);
	pthread_mutex_lock(&lock);
	dispatch(s, rq, &r);
	pthread_mutex_unlock(&lock);
	if (s->verbose)
		fprintf(stderr, "%s: %s %s %.200s -> %d %.200s\n", s->name, method, url,
			buf_str(&rq->body), r.status, r.body ? r.body : "");
	if (r.slow_ms > 0)
		usleep((useconds_t)(r.slow_ms * 1000));
	resp = make_response(&r);
	if (!resp)
		return MHD_NO;
	ret = MHD_queue_response(c, (unsigned)(r.status ? r.status : 500), resp);
	MHD_destroy_response(resp);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct fake_request *rq = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (!rq)
		return;
	for (int i = 0; i < rq->nparams; i++) {
		free(rq->param[i].key);
		free(rq->param[i].value);
	}
	buf_release(&rq->body);
	free(rq);
	*con_cls = NULL;
}

static int write_port_file(const struct fake_server *s, long port)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", s->port_file);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%ld\n", port) < 0 || fclose(f) != 0 || rename(tmp, s->port_file) < 0) {
		fprintf(stderr, "%s: cannot write %s: %s\n", s->name, s->port_file, strerror(errno));
		return -1;
	}
	return 0;
}

int fake_serve(struct fake_server *s)
{
	const union MHD_DaemonInfo *info;
	struct sockaddr_in addr;
	struct MHD_Daemon *d;
	sigset_t set;
	long port;
	int sig;

	/* signals are taken by sigwait below; the daemon's threads inherit the mask */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)s->port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0,
			     NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
			     (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
			     NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "%s: cannot listen on 127.0.0.1:%ld: %s\n", s->name, s->port,
			strerror(errno));
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	port = info ? info->port : s->port;
	printf("%ld\n", port);
	fflush(stdout);
	if (s->port_file && write_port_file(s, port) < 0) {
		MHD_stop_daemon(d);
		return 1;
	}
	if (s->verbose)
		fprintf(stderr, "%s: listening on 127.0.0.1:%ld\n", s->name, port);
	sigwait(&set, &sig);
	/*
	 * Nothing to flush: leave at once. MHD_stop_daemon would wait for every connection
	 * thread (a slow-answer fault sleeps in one) and make every test pay for it.
	 */
	if (s->verbose)
		fprintf(stderr, "%s: signal %d, exiting\n", s->name, sig);
	_exit(0);
}

/* ---- the command line and the admin client ------------------------------------------------- */

/* A generator option: 1 taken, 0 not one. */
static int gen_option(struct fake_gen *g, int o, const char *arg)
{
	switch (o) {
	case 's': g->seed = strtoull(arg, NULL, 10); return 1;
	case 'o': g->orders = strtol(arg, NULL, 10); return 1;
	case 'H': g->history_days = (int)strtol(arg, NULL, 10); return 1;
	case 'b': g->bad_orders = strtol(arg, NULL, 10); return 1;
	case 'e': g->end_text = arg; return 1;
	default: return 0;
	}
}

int fake_gen_check(const struct fake_server *s, int min_days)
{
	struct fake_gen *g = s->gen;

	if (g->orders < 0 || g->orders > 2000000 || g->bad_orders < 0 ||
	    g->history_days < min_days || g->history_days > 3000) {
		fprintf(stderr, "%s: --orders 0..2000000, --bad-orders >= 0, --history-days %d..3000\n",
			s->name, min_days);
		return -1;
	}
	g->end = g->end_text ? fake_parse_cn_time(g->end_text) : (int64_t)time(NULL) - 3600;
	if (g->end < 0) {
		fprintf(stderr, "%s: bad --end '%s' (YYYY-MM-DD HH:MM:SS)\n", s->name, g->end_text);
		return -1;
	}
	return 0;
}

/* A common option: 1 taken, 0 not one, -1 a bad value (the message printed). */
static int common_option(struct fake_server *s, int o, const char *arg)
{
	if (s->gen && gen_option(s->gen, o, arg))
		return 1;
	switch (o) {
	case 'p':
		s->port = strtol(arg, NULL, 10);
		if (s->port < 0 || s->port > 65535) {
			fprintf(stderr, "%s: bad --port '%s'\n", s->name, arg);
			return -1;
		}
		return 1;
	case 'P': s->port_file = arg; return 1;
	case 'a': s->admin = arg; return 1;
	case 'v': s->verbose = 1; return 1;
	case 'f':
		if (fake_fault_add(s, arg) < 0) {
			fprintf(stderr, "%s: bad --fault '%s'\n", s->name, arg);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}

int fake_getopt(struct fake_server *s, int argc, char **argv, const struct option *longopts)
{
	int o, taken;

	while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if ((taken = common_option(s, o, optarg)) == 0)
			return o;
		if (taken < 0)
			return '?';
	}
	return -1;
}

static size_t admin_write(char *p, size_t size, size_t n, void *user)
{
	(void)user;
	return fwrite(p, size, n, stdout) * size;
}

int fake_admin(const struct fake_server *s)
{
	char url[2048];
	long status = 0;
	CURL *h;
	CURLcode rc;

	if (s->port <= 0) {
		fprintf(stderr, "%s: --admin needs --port N\n", s->name);
		return 2;
	}
	if (!(h = curl_easy_init()))
		return 1;
	snprintf(url, sizeof(url), "http://127.0.0.1:%ld%s", s->port, s->admin);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, admin_write);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	/* the endpoints that change the fake are POSTed */
	if (strncmp(s->admin, "/__admin/fault", 14) == 0 ||
	    strncmp(s->admin, "/__admin/mutate", 15) == 0)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK) {
		fprintf(stderr, "%s: %s: %s\n", s->name, url, curl_easy_strerror(rc));
		return 1;
	}
	fflush(stdout);
	return status == 200 ? 0 : 1;
}

/* ---- helpers ----------------------------------------------------------------------------- */

void fake_put_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

void fake_put_int(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

long fake_param_long(const struct fake_request *rq, const char *key, long def)
{
	const char *v = fake_param(rq, key);
	char *end;
	long n;

	if (!v || !*v)
		return def;
	n = strtol(v, &end, 10);
	return *end || n < 0 ? -1 : n;
}

const char *fake_jstr(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int64_t fake_jint(struct json_object *o, const char *key, int64_t def)
{
	struct json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return def;
	if (json_object_is_type(v, json_type_string)) {
		const char *t = json_object_get_string(v);
		char *end;
		long long n = strtoll(t, &end, 10);

		return *t && !*end ? (int64_t)n : def;
	}
	return json_object_get_int64(v);
}

void fake_cn_text(int64_t t, char *out, size_t n)
{
	time_t tt = (time_t)(t + FAKE_CN_OFFSET);
	struct tm tm;

	if (!t) {
		snprintf(out, n, "%s", "");
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(out, n, "%Y-%m-%d %H:%M:%S", &tm);
}

/* Howard Hinnant's days_from_civil. */
int64_t fake_days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t fake_parse_cn_time(const char *s)
{
	static const int at[6] = { 0, 5, 8, 11, 14, 17 }, len[6] = { 4, 2, 2, 2, 2, 2 };
	static const char sep[6] = { '-', '-', ' ', ':', ':', '\0' };
	int64_t v[6];

	if (!s || strlen(s) != 19)
		return -1;
	for (int i = 0; i < 6; i++) {
		v[i] = 0;
		for (int k = 0; k < len[i]; k++) {
			char ch = s[at[i] + k];

			if (ch < '0' || ch > '9')
				return -1;
			v[i] = v[i] * 10 + (ch - '0');
		}
		if (s[at[i] + len[i]] != sep[i])
			return -1;
	}
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 59)
		return -1;
	return fake_days_from_civil(v[0], v[1], v[2]) * FAKE_DAY + v[3] * 3600 + v[4] * 60 + v[5] -
	       FAKE_CN_OFFSET;
}

void fake_yuan(int64_t fen, char *out, size_t n)
{
	snprintf(out, n, "%s%lld.%02lld", fen < 0 ? "-" : "", (long long)(fen < 0 ? -fen : fen) / 100,
		 (long long)(fen < 0 ? -fen : fen) % 100);
}

uint64_t fake_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int fake_randn(uint64_t *state, int n)
{
	return n > 0 ? (int)(fake_rand(state) % (uint64_t)n) : 0;
}
