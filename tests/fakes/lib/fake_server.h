/*
 * fake_server.h — the HTTP plumbing every fake API server under tests/fakes/ shares
 * (libmicrohttpd): one place for listening, requests, replies, faults and the admin
 * client, so that a fake holds only what its platform does.
 *
 * A fake fills a struct fake_server with its name and hooks, passes its command line
 * through fake_option() (the options every fake has: --port N, --port-file FILE,
 * --fault SPEC, --verbose, --admin PATH), then:
 *
 *   if (s.admin) return fake_admin(&s);     // the client of a running fake's /__admin/
 *   ... generate the shop ...
 *   return fake_serve(&s);                  // 127.0.0.1:PORT until SIGTERM / SIGINT
 *
 * Port 0 picks a free port; it is printed on stdout and written to --port-file
 * (atomically, via a rename). Every request is answered under one lock: the hooks never
 * race. POST /__admin/fault?SPEC is the harness's (below); other /__admin/ paths go to
 * the fake's admin hook, everything else to its handle hook.
 *
 * Faults. SPEC is "key=value&...". Common keys:
 *   http=S [retry_after=SECS]  answer HTTP S (500, 429, 503) with an HTML body
 *   slow_ms=MS                 sleep before answering
 *   truncate=1                 announce the whole body, send half of it, cut the connection
 *   invalid_json=1             answer HTTP 200 with the fake's cut JSON body (cut_json)
 *   token_invalid=1            the fake forgets every token it issued (fault_fire hook)
 *   at=N count=K path=P        on the Nth matching call (default 1), K times (default 1),
 *                              for calls whose path contains P (default: every call but
 *                              the token call; the token call only when P names it)
 *   clear=1                    remove every rule (and the fake's modes: fault_key "clear")
 * Any other key goes to the fake's fault_key hook (its own error shapes, its modes).
 * Every rule matching a call counts it; rules are tried in the order they were added,
 * and the first that answers ends the turn: a later rule whose turn has come waits for
 * the next matching call. slow_ms, truncate and token_invalid do not answer.
 */
#ifndef SIYU_TESTS_FAKE_SERVER_H
#define SIYU_TESTS_FAKE_SERVER_H

#include "siyu/common/buf.h"

#include <getopt.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include <stddef.h>
#include <stdint.h>

#define FAKE_DAY 86400LL
#define FAKE_CN_OFFSET (8 * 3600LL) /* China time, UTC+8 all year */
#define FAKE_MAX_FAULTS 32
#define FAKE_MAX_PARAMS 64

/* ---- requests and replies ------------------------------------------------------------ */

/* One parameter of a request: from the query string or a form-encoded body (decoded). */
struct fake_param {
	char *key, *value;
};

struct fake_request {
	struct MHD_Connection *conn;
	const char *method, *url;
	struct buf body;                 /* the raw body, NUL-terminated */
	int too_big;
	struct fake_param param[FAKE_MAX_PARAMS];
	int nparams;                     /* query first, then the form body's */
};

struct fake_reply {
	int status;                      /* 0 answers 500 */
	char *body;                      /* malloc'd, taken by the harness; NULL = empty */
	const char *content_type;        /* NULL: JSON for 200, text/html otherwise */
	long slow_ms;                    /* sleep this long before answering */
	int truncate;                    /* send half of the announced body, then cut */
	long retry_after;                /* Retry-After seconds; -1 none */
};

/* A query-string parameter (decoded), or NULL. */
const char *fake_query(const struct fake_request *rq, const char *key);

/* A header, or NULL. */
const char *fake_header(const struct fake_request *rq, const char *name);

/* A parameter of the query string or of a form-encoded body, or NULL. */
const char *fake_param(const struct fake_request *rq, const char *key);

/* Whether the caller asked for ?format=kv (admin answers as key=value lines). */
int fake_wants_kv(const struct fake_request *rq);

/* Answer 200 with o as compact JSON (no slash escaping); o is consumed. */
void fake_reply_json(struct fake_reply *r, struct json_object *o);

/* Answer 200 with one "key=value" line per member of o; o is consumed. */
void fake_reply_kv(struct fake_reply *r, struct json_object *o);

/* fake_reply_kv when the request asked for ?format=kv, else fake_reply_json. */
void fake_reply_admin(const struct fake_request *rq, struct fake_reply *r,
		      struct json_object *o);

/* Answer status with a literal body (copied). */
void fake_reply_text(struct fake_reply *r, int status, const char *text);

/* ---- faults --------------------------------------------------------------------------- */

enum fake_fault_kind {
	FAKE_FAULT_NONE,                 /* a SPEC that only sets modes */
	FAKE_FAULT_HTTP,
	FAKE_FAULT_SLOW,
	FAKE_FAULT_TRUNCATE,
	FAKE_FAULT_INVALID_JSON,
	FAKE_FAULT_TOKEN,
	FAKE_FAULT_CUSTOM                /* the fake's own: custom says which */
};

struct fake_fault {
	enum fake_fault_kind kind;
	int custom;
	long at, count, seen, fired;
	char path[96];
	long value;                      /* HTTP status, ms, or the fake's code */
	long retry_after;                /* -1 none */
	char text[64];                   /* the fake's own argument, if any */
};

/* ---- the generated shop's options ----------------------------------------------------- */

/*
 * --seed N, --orders N, --bad-orders N, --history-days N, --end "YYYY-MM-DD HH:MM:SS"
 * (China time; default an hour before the fake started): the options of every fake that
 * generates a shop. With --end the shop is the same at every start (the demo); without
 * it only the times move with the clock.
 */
struct fake_gen {
	uint64_t seed;
	long orders, bad_orders;
	int history_days;
	const char *end_text;
	int64_t end;                     /* set by fake_gen_check */
};

#define FAKE_GEN_LONGOPTS                                             \
	{ "seed", required_argument, NULL, 's' },                     \
	{ "orders", required_argument, NULL, 'o' },                   \
	{ "history-days", required_argument, NULL, 'H' },             \
	{ "bad-orders", required_argument, NULL, 'b' },               \
	{ "end", required_argument, NULL, 'e' }

/* ---- the server ------------------------------------------------------------------------ */

struct fake_server {
	const char *name;                /* "fake_youzan": messages and the log */

	/* the command line (fake_option) */
	long port;
	const char *port_file;
	const char *admin;               /* --admin PATH: be the admin client */
	int verbose;
	struct fake_gen *gen;            /* non-NULL: fake_option takes FAKE_GEN_LONGOPTS too */

	/* the fake's hooks; all but handle may be NULL */
	void (*handle)(struct fake_request *rq, struct fake_reply *r);
	void (*admin_handle)(struct fake_request *rq, const char *what, struct fake_reply *r);
	/* a SPEC key naming the platform's error code ("top", "pdd", "errcode", …): a CUSTOM
	 * rule with value = the code, answered by fault_fire */
	const char *code_key;
	/* a SPEC key the harness does not know: 1 taken (a rule: set f->kind = CUSTOM), 0 unknown */
	int (*fault_key)(struct fake_fault *f, const char *key, const char *value);
	/* a TOKEN or CUSTOM rule fires on path: 1 when it answered r */
	int (*fault_fire)(const struct fake_fault *f, const char *path, struct fake_reply *r);
	const char *cut_json;            /* the body of invalid_json (default a cut object) */

	/* state */
	struct fake_fault fault[FAKE_MAX_FAULTS];
	int nfaults;
	long faults_fired;
};

/* The getopt_long entries of fake_option(); put FAKE_LONGOPTS first in a fake's table. */
#define FAKE_LONGOPTS                                                 \
	{ "port", required_argument, NULL, 'p' },                     \
	{ "port-file", required_argument, NULL, 'P' },                \
	{ "fault", required_argument, NULL, 'f' },                    \
	{ "verbose", no_argument, NULL, 'v' },                        \
	{ "admin", required_argument, NULL, 'a' }

/*
 * getopt_long over argv (short options: "h"), taking the common options itself (and the
 * generator's, when s->gen is set): the next option the fake handles, -1 at the end,
 * or '?' for an unknown option or a bad value (its message printed; exit 2).
 */
int fake_getopt(struct fake_server *s, int argc, char **argv, const struct option *longopts);

/*
 * Check the generator's options (orders ≤ 2000000, history_days in min_days..3000) and
 * set end. 0, or -1 with a message (exit 2).
 */
int fake_gen_check(const struct fake_server *s, int min_days);

/* Add the rules of a fault SPEC. 0, or -1 for an unknown key or a bad value. */
int fake_fault_add(struct fake_server *s, const char *spec);

/*
 * Apply the fault rules to a call on path (is_token_call: the fake's token endpoint).
 * 1 when a rule answered r (the fake returns it as it is), 0 to answer normally (r may
 * carry slow_ms / truncate). Called by the fake's handle hook where the real server
 * would fail: after counting the call, before checking anything.
 */
int fake_fault_apply(struct fake_server *s, const char *path, int is_token_call,
		     struct fake_reply *r);

/* Call PATH on a running fake at 127.0.0.1:s->port and print the answer; the exit code. */
int fake_admin(const struct fake_server *s);

/* Listen and serve until SIGTERM / SIGINT; the exit code. */
int fake_serve(struct fake_server *s);

/* ---- small helpers every fake needs ------------------------------------------------------ */

/* o[k] = the string v (NULL is ""), or the integer v. */
void fake_put_str(struct json_object *o, const char *k, const char *v);
void fake_put_int(struct json_object *o, const char *k, int64_t v);

/* A parameter as a whole number: def when not given, -1 when it is not one. */
long fake_param_long(const struct fake_request *rq, const char *key, long def);

/* A string member, or NULL when absent or not a string. */
const char *fake_jstr(struct json_object *o, const char *key);

/* An integer member (a number or a numeric string), else def. */
int64_t fake_jint(struct json_object *o, const char *key, int64_t def);

/* "YYYY-MM-DD HH:MM:SS" in China time of unix seconds t; "" when t is 0. */
void fake_cn_text(int64_t t, char *out, size_t n);

/* "YYYY-MM-DD HH:MM:SS" in China time → unix seconds; -1 when malformed. */
int64_t fake_parse_cn_time(const char *s);

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t fake_days_from_civil(int64_t y, int64_t m, int64_t d);

/* Yuan text of fen: 12345 → "123.45". */
void fake_yuan(int64_t fen, char *out, size_t n);

/* Exit with a message when p is NULL (the fakes do not survive running out of memory). */
void *fake_must(void *p);

/* A deterministic generator (splitmix64): the next value of *state. */
uint64_t fake_rand(uint64_t *state);

/* Uniform in [0, n) (0 when n <= 0). */
int fake_randn(uint64_t *state, int n);

#endif /* SIYU_TESTS_FAKE_SERVER_H */
