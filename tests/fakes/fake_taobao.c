/*
 * fake_taobao.c — a fake Taobao/Tmall TOP router (淘宝开放平台) for tests and the demo.
 *
 *   fake_taobao [--port N] [--port-file FILE] [FAKE_GEN options] [--app-key K]
 *       [--app-secret S] [--access-token T] [--refresh-token R] [--shop-id ID]
 *       [--token-ttl SECS] [--fault SPEC]... [--verbose]   (see fake_shop_main)
 *       (--app-key is the app_key, --access-token the session valid from the start))
 *   fake_taobao --port N --admin PATH     (a client for the admin endpoints below)
 *
 * Serves, on 127.0.0.1, a shop generated from the seed (tests/fakes/lib/fake_shop.h) the
 * way TOP does (docs/api-taobao.md has the sources):
 *
 *   GET|POST /router/rest   system parameters method, app_key, session, timestamp
 *       ("yyyy-MM-dd HH:mm:ss" GMT+8, at most 10 minutes off), format=json, v=2.0,
 *       sign_method (md5, hmac, hmac-sha256; absent = md5), sign — checked in that
 *       spirit: 21/22 method missing/unknown, 28/29 app_key, 30/31 timestamp, 24/25 sign
 *       (recomputed over every parameter but sign, extract/api_sign.c, whose vectors are
 *       TOP's published ones), 26/27 session missing/unknown/expired, 40/41 arguments.
 *     method=taobao.trades.sold.increment.get: fields (only the fields asked are
 *       answered; "orders" gives every order field), start_modified/end_modified
 *       (inclusive, at most one day apart), type (a comma list; default only
 *       guarantee_trade,auto_delivery,ec,cod,step — this shop's "fixed" trades are then
 *       not returned, as on TOP), page_no ≥ 1, page_size 1..100 (default 40),
 *       use_has_next. Newest modified first. Answers
 *       {"trades_sold_increment_get_response":{"total_results":N,"trades":{"trade":[…]},
 *       "request_id":…}} (no "trades" when empty; has_next instead of total_results
 *       with use_has_next=true); errors {"error_response":{"code","msg","sub_code",
 *       "sub_msg","request_id"}}.
 *   POST /token   the OAuth token endpoint (oauth.taobao.com/token): grant_type=
 *       refresh_token, client_id, client_secret, refresh_token → {"access_token",
 *       "expires_in","refresh_token","re_expires_in","taobao_user_nick",…} (a new
 *       session; the refresh token stays valid); anything wrong: HTTP 401
 *       {"error":"invalid_client"|"invalid_grant","error_description":…}.
 *
 * Trades: tid and tid_str (19 digits, beyond 2^53 as a JSON number), yuan strings,
 * China-time strings (absent when unset), buyer_open_uid, a masked buyer_nick and
 * receiver; orders {"order":[…]} with oid/oid_str, divide_order_fee, refund_status.
 * Bad orders: an unknown status (TRADE_WEIRD) or a price with three decimals.
 *
 * Admin endpoints (no signature):
 *   POST /__admin/fault?SPEC   the harness's rules (tests/fakes/lib/fake_server.h; path=
 *        "token" for the OAuth call) and TOP's own:
 *        top=CODE [ban=SECS]  answer error_response CODE (7: App Call Limited,
 *                             sub_code accesscontrol.limited-by-app-access-count,
 *                             sub_msg "This ban will last for SECS more seconds")
 *        token_invalid=1      every session expires (the call then gets code 27)
 *   POST /__admin/mutate?step=N   change the shop (fake_shop_mutate); {"updated","added"}
 *   GET  /__admin/expect[?format=kv]  the truth (fake_shop_truth)
 *   GET  /__admin/stats[?format=kv]   calls, list_calls, token_calls, tokens_issued,
 *        faults_fired, rejected (calls answered with an error), and over the list calls
 *        since /__admin/stats?clear=1: min_start, max_end (unix), max_span (s),
 *        max_page_size
 */
#include "lib/fake_server.h"
#include "lib/fake_shop.h"
#include "siyu/extract/api_sign.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROUTER "/router/rest"
#define LIST_METHOD "taobao.trades.sold.increment.get"
#define RET(call) do { call; return; } while (0)

static struct shop_creds cred = {
	.app_key = "12345678", .app_secret = "test-secret", .access_token = "tb-session-0",
	.refresh_token = "tb-refresh-0", .token_ttl = 30 * 86400, .issue_first = 1,
	.token_prefix = "tb-session",
};

static struct shop_tokens sessions;
static struct shop_stats stats;
static uint64_t request_id;
static const char *asked_fields; /* ",f1,f2,…," of the list call being answered */
static struct fake_shop shop;
static struct fake_server server;

/* ---- ids ---------------------------------------------------------------------------------- */

static void tid_of(char *out, size_t n, uint64_t serial, int64_t created)
{
	/* 19 digits, growing with time like TOP's: beyond 2^53 */
	uint64_t tid = 2000000000000000000ULL + (uint64_t)(created % 100000000) * 10000000000ULL +
		       serial * 97;

	snprintf(out, n, "%" PRIu64, tid);
}

static void oid_of(char *out, size_t n, const char *tid, uint64_t serial, int k)
{
	(void)serial;
	snprintf(out, n, "%.17s%02d", tid, k + 10);
}

static void buyer_of(char *out, size_t n, uint64_t r)
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t k = (size_t)snprintf(out, n, "AAH");

	for (int i = 0; i < 21 && k + 1 < n; i++, r = r * 6364136223846793005ULL + 1442695040888963407ULL)
		out[k++] = chars[(r >> 58) & 63];
	out[k] = '\0';
}

static const struct shop_ids ids = { .order_id = tid_of, .line_id = oid_of, .buyer_id = buyer_of };

/* ---- answers ------------------------------------------------------------------------------ */

static void put_time(struct json_object *o, const char *k, int64_t t)
{
	char s[32];

	if (!t)
		return; /* TOP leaves unset times out */
	fake_cn_text(t, s, sizeof(s));
	fake_put_str(o, k, s);
}

static void put_yuan(struct json_object *o, const char *k, int64_t fen)
{
	char s[32];

	fake_yuan(fen, s, sizeof(s));
	fake_put_str(o, k, s);
}

static void put_request_id(struct json_object *o)
{
	char id[32];

	snprintf(id, sizeof(id), "%" PRIx64, ++request_id * 2654435761u + 0x1f3a);
	fake_put_str(o, "request_id", id);
}

static void reply_error(struct fake_reply *r, int code, const char *msg, const char *sub_code,
			const char *sub_msg)
{
	struct json_object *o = json_object_new_object(), *e = json_object_new_object();

	stats.rejected++;
	json_object_object_add(e, "code", json_object_new_int(code));
	fake_put_str(e, "msg", msg);
	if (sub_code)
		fake_put_str(e, "sub_code", sub_code);
	if (sub_msg)
		fake_put_str(e, "sub_msg", sub_msg);
	put_request_id(e);
	json_object_object_add(o, "error_response", e);
	fake_reply_json(r, o);
}

/* ---- a trade in TOP's shape ------------------------------------------------------------------ */

static const char *trade_status(const struct shop_order *o)
{
	static const char *const codes[] = { "WAIT_BUYER_PAY", "TRADE_CLOSED_BY_TAOBAO",
					     "WAIT_SELLER_SEND_GOODS", "WAIT_BUYER_CONFIRM_GOODS",
					     "TRADE_FINISHED", "TRADE_CLOSED" };

	return o->bad == 1 ? "TRADE_WEIRD" : codes[o->st];
}

static const char *refund_status(const struct shop_order *o, int k)
{
	if (fake_shop_line_refunded(o, k))
		return "SUCCESS";
	return o->l[k].refund == SHOP_REFUND_ACTIVE ? "WAIT_SELLER_AGREE" : "NO_REFUND";
}

/* Whether fields (",a,b,…,") asks for name or, for an order field, "orders" or "orders.name". */
static int wanted(const char *fields, const char *name, int order_field)
{
	char key[64];

	snprintf(key, sizeof(key), ",%s%s,", order_field ? "orders." : "", name);
	return strstr(fields, order_field ? ",orders," : key) || strstr(fields, key);
}

static struct json_object *order_json(const struct shop_order *o, int k, const char *fields)
{
	const struct shop_line *l = &o->l[k];
	struct json_object *it = json_object_new_object();
	char sku[24];

#define WANT(name) wanted(fields, name, 1)
	if (WANT("oid")) {
		json_object_object_add(it, "oid", json_object_new_int64(strtoll(l->id, NULL, 10)));
		fake_put_str(it, "oid_str", l->id);
	}
	if (WANT("num_iid"))
		json_object_object_add(it, "num_iid", json_object_new_int64(l->item_id));
	snprintf(sku, sizeof(sku), "%" PRId64, l->sku_id);
	if (WANT("sku_id"))
		fake_put_str(it, "sku_id", sku);
	if (WANT("outer_sku_id") && l->outer_sku[0])
		fake_put_str(it, "outer_sku_id", l->outer_sku);
	if (WANT("title"))
		fake_put_str(it, "title", l->title);
	if (WANT("num"))
		json_object_object_add(it, "num", json_object_new_int(l->num));
	if (WANT("price")) {
		if (o->bad == 2 && k == 0)
			fake_put_str(it, "price", "12.345");
		else
			put_yuan(it, "price", l->price);
	}
	if (WANT("total_fee"))
		put_yuan(it, "total_fee", l->price * l->num);
	if (WANT("payment"))
		put_yuan(it, "payment", l->pay);
	if (WANT("divide_order_fee"))
		put_yuan(it, "divide_order_fee", l->pay);
	if (WANT("discount_fee"))
		put_yuan(it, "discount_fee", l->price * l->num - l->pay);
	if (WANT("status"))
		fake_put_str(it, "status", fake_shop_line_refunded(o, k) && o->st != SHOP_REFUNDED
					      ? "TRADE_CLOSED" : trade_status(o));
	if (WANT("refund_status"))
		fake_put_str(it, "refund_status", refund_status(o, k));
	if (WANT("consign_time"))
		put_time(it, "consign_time", o->shipped);
	if (WANT("end_time"))
		put_time(it, "end_time", o->finished);
#undef WANT
	return it;
}

static struct json_object *trade_json(const struct shop_order *o)
{
	const char *fields = asked_fields;
	struct json_object *t = json_object_new_object();
	int64_t total = 0, pay = 0;

	for (int k = 0; k < o->nlines; k++) {
		total += o->l[k].price * o->l[k].num;
		pay += o->l[k].pay;
	}
#define WANT(name) wanted(fields, name, 0)
	if (WANT("tid")) {
		json_object_object_add(t, "tid", json_object_new_int64(strtoll(o->id, NULL, 10)));
		fake_put_str(t, "tid_str", o->id);
	}
	if (WANT("status"))
		fake_put_str(t, "status", trade_status(o));
	if (WANT("type"))
		fake_put_str(t, "type", "fixed");
	if (WANT("created"))
		put_time(t, "created", o->created);
	if (WANT("modified"))
		put_time(t, "modified", o->modified);
	if (WANT("pay_time"))
		put_time(t, "pay_time", o->paid);
	if (WANT("consign_time"))
		put_time(t, "consign_time", o->shipped);
	if (WANT("end_time"))
		put_time(t, "end_time", o->finished);
	if (WANT("total_fee"))
		put_yuan(t, "total_fee", total);
	if (WANT("post_fee"))
		put_yuan(t, "post_fee", o->post);
	if (WANT("payment"))
		put_yuan(t, "payment", pay + o->post);
	if (WANT("discount_fee"))
		put_yuan(t, "discount_fee", total - pay);
	if (WANT("buyer_open_uid"))
		fake_put_str(t, "buyer_open_uid", shop.buyer[o->buyer].id);
	if (WANT("buyer_nick"))
		fake_put_str(t, "buyer_nick", "t**1");
	if (WANT("receiver_name"))
		fake_put_str(t, "receiver_name", "张**");
	if (WANT("receiver_mobile"))
		fake_put_str(t, "receiver_mobile", "138****0000");
#undef WANT
	if (strstr(fields, ",orders,") || strstr(fields, ",orders.")) {
		struct json_object *wrap = json_object_new_object(), *list = json_object_new_array();

		for (int k = 0; k < o->nlines; k++)
			json_object_array_add(list, order_json(o, k, fields));
		json_object_object_add(wrap, "order", list);
		json_object_object_add(t, "orders", wrap);
	}
	return t;
}

/* ---- checks --------------------------------------------------------------------------------- */

/* Whether type (a comma list) holds "fixed", the type of this shop's trades. */
static int type_asked(const char *type)
{
	char list[1024];

	if (!type || !*type)
		return 0; /* the default five types, without fixed */
	snprintf(list, sizeof(list), ",%s,", type);
	return strstr(list, ",fixed,") != NULL;
}

/* The signature over every parameter but sign, by sign_method. 0 when it matches. */
static int sign_check(const struct fake_request *rq, const char *sign)
{
	const char *method = fake_param(rq, "sign_method");
	enum api_sign_scheme scheme;

	return api_sign_top_scheme(method ? method : "md5", &scheme) == 0 &&
		       fake_signed(rq, scheme, cred.app_secret, sign) ? 0 : -1;
}

/* The system parameters; 1 when r holds the error answer. */
static int system_check(struct fake_request *rq, struct fake_reply *r)
{
	const char *method = fake_param(rq, "method"), *key = fake_param(rq, "app_key");
	const char *ts = fake_param(rq, "timestamp"), *sign = fake_param(rq, "sign");
	const char *session = fake_param(rq, "session"), *v = fake_param(rq, "v");
	int64_t t;

	if (!method || !*method)
		return reply_error(r, 21, "Missing Method", NULL, NULL), 1;
	if (!key || !*key)
		return reply_error(r, 28, "Missing App Key", NULL, NULL), 1;
	if (strcmp(key, cred.app_key) != 0)
		return reply_error(r, 29, "Invalid App Key", NULL, NULL), 1;
	if (!ts || !*ts)
		return reply_error(r, 30, "Missing Timestamp", NULL, NULL), 1;
	t = fake_parse_cn_time(ts);
	if (t < 0 || llabs((long long)(t - (int64_t)time(NULL))) > 600)
		return reply_error(r, 31, "Invalid Timestamp", NULL,
				   "timestamp must be yyyy-MM-dd HH:mm:ss GMT+8, within 10 minutes"), 1;
	if (!v || strcmp(v, "2.0") != 0)
		return reply_error(r, 33, "Invalid Version", NULL, NULL), 1;
	if (!sign || !*sign)
		return reply_error(r, 24, "Missing Signature", NULL, NULL), 1;
	if (sign_check(rq, sign) < 0)
		return reply_error(r, 25, "Invalid Signature", NULL, NULL), 1;
	if (strcmp(method, LIST_METHOD) != 0)
		return reply_error(r, 22, "Invalid Method", NULL, NULL), 1;
	if (!session || !*session)
		return reply_error(r, 26, "Missing Session", NULL, NULL), 1;
	if (!fake_tokens_valid(&sessions, session))
		return reply_error(r, 27, "Invalid session", "invalid-sessionkey",
				   "SessionKey非法或已过期"), 1;
	return 0;
}

/* ---- the list call ------------------------------------------------------------------------------ */

static void handle_list(struct fake_request *rq, struct fake_reply *r)
{
	const char *fields = fake_param(rq, "fields");
	const char *sm = fake_param(rq, "start_modified"), *em = fake_param(rq, "end_modified");
	const char *hn = fake_param(rq, "use_has_next");
	long page_no = fake_param_long(rq, "page_no", 1), page_size = fake_param_long(rq, "page_size", 40);
	int use_has_next = hn && !strcmp(hn, "true");
	struct json_object *o, *resp, *list;
	struct shop_order **hit = NULL;
	int64_t from, to;
	char f[2048];
	int n;

	if (!fields || !*fields)
		RET(reply_error(r, 40, "Missing Required Arguments", "isv.missing-parameter:fields",
				NULL));
	if (!sm || !em)
		RET(reply_error(r, 40, "Missing Required Arguments",
				"isv.missing-parameter:start_modified", NULL));
	from = fake_parse_cn_time(sm);
	to = fake_parse_cn_time(em);
	if (from < 0 || to < 0 || to < from)
		RET(reply_error(r, 41, "Invalid Arguments", "isv.invalid-parameter:start_modified",
				"start_modified/end_modified: yyyy-MM-dd HH:mm:ss, start before end"));
	if (to - from > FAKE_DAY)
		RET(reply_error(r, 41, "Invalid Arguments", "isv.invalid-parameter:end_modified",
				"修改时间跨度不能大于一天"));
	if (page_no < 1 || page_size < 1 || page_size > 100)
		RET(reply_error(r, 41, "Invalid Arguments", "isv.invalid-parameter:page_size",
				"page_no >= 1, page_size 1..100"));
	fake_shop_note_list(&stats, from, to, page_size);
	snprintf(f, sizeof(f), ",%s,", fields);
	asked_fields = f;
	n = type_asked(fake_param(rq, "type")) ? fake_shop_select(&shop, from, to, 1, &hit) : 0;
	o = json_object_new_object();
	resp = json_object_new_object();
	if (use_has_next)
		json_object_object_add(resp, "has_next",
				       json_object_new_boolean(page_no * page_size < n));
	else
		json_object_object_add(resp, "total_results", json_object_new_int(n));
	if ((page_no - 1) * page_size < n) {
		struct json_object *wrap = json_object_new_object();

		list = fake_shop_page(hit, n, page_no, page_size, trade_json);
		json_object_object_add(wrap, "trade", list);
		json_object_object_add(resp, "trades", wrap);
	}
	free(hit);
	put_request_id(resp);
	json_object_object_add(o, "trades_sold_increment_get_response", resp);
	fake_reply_json(r, o);
}

/* ---- the OAuth token endpoint ------------------------------------------------------------------- */

static void oauth_error(struct fake_reply *r, const char *error, const char *desc)
{
	struct json_object *o = json_object_new_object();

	fake_put_str(o, "error", error);
	fake_put_str(o, "error_description", desc);
	fake_reply_json(r, o);
	r->status = 401;
	r->content_type = "application/json;charset=UTF-8";
}

static void handle_token(struct fake_request *rq, struct fake_reply *r)
{
	const char *grant = fake_param(rq, "grant_type"), *id = fake_param(rq, "client_id");
	const char *secret = fake_param(rq, "client_secret");
	const char *refresh = fake_param(rq, "refresh_token");
	struct json_object *o;
	char tok[136];

	stats.token_calls++;
	if (strcmp(rq->method, "POST") != 0 || !grant || strcmp(grant, "refresh_token") != 0)
		RET(oauth_error(r, "unsupported_grant_type", "grant_type must be refresh_token"));
	if (!id || !secret || strcmp(id, cred.app_key) || strcmp(secret, cred.app_secret))
		RET(oauth_error(r, "invalid_client", "client_id or client_secret is wrong"));
	if (!refresh || strcmp(refresh, cred.refresh_token))
		RET(oauth_error(r, "invalid_grant", "refresh_token is invalid or expired"));
	fake_tokens_issue(&sessions, cred.access_token, "tb-session", cred.token_ttl,
			  fake_rand(&shop.rng), tok, sizeof(tok));
	o = json_object_new_object();
	fake_put_str(o, "access_token", tok);
	fake_put_str(o, "token_type", "Bearer");
	json_object_object_add(o, "expires_in", json_object_new_int64(cred.token_ttl));
	fake_put_str(o, "refresh_token", cred.refresh_token);
	json_object_object_add(o, "re_expires_in", json_object_new_int64(180 * 86400));
	fake_put_str(o, "taobao_user_nick", "%E6%B5%8B%E8%AF%95%E5%BA%97");
	fake_put_str(o, "taobao_user_id", "2200000001");
	fake_reply_json(r, o);
}

/* ---- faults, admin, dispatch --------------------------------------------------------------------- */

static int fault_key(struct fake_fault *f, const char *key, const char *value)
{
	if (!strcmp(key, "ban")) {
		snprintf(f->text, sizeof(f->text), "%ld", atol(value));
		return 1;
	}
	return !strcmp(key, "clear");
}

static int fault_fire(const struct fake_fault *f, const char *path, struct fake_reply *r)
{
	char msg[128];

	(void)path;
	if (f->kind == FAKE_FAULT_TOKEN) {
		fake_tokens_expire(&sessions);
		return 0;
	}
	if (f->value == 7) {
		snprintf(msg, sizeof(msg), "This ban will last for %s more seconds",
			 f->text[0] ? f->text : "1");
		reply_error(r, 7, "App Call Limited", "accesscontrol.limited-by-app-access-count", msg);
	} else {
		reply_error(r, (int)f->value, "Remote service error", "isp.unknown-error", "fault");
	}
	return 1;
}

static void handle_admin(struct fake_request *rq, const char *what, struct fake_reply *r)
{
	fake_shop_admin(&shop, &stats, &sessions, &server, rq, what, r);
}

static void handle(struct fake_request *rq, struct fake_reply *r)
{
	const char *method;

	stats.calls++;
	if (!strcmp(rq->url, "/token")) {
		if (fake_fault_apply(&server, "token", 1, r))
			return;
		RET(handle_token(rq, r));
	}
	if (strcmp(rq->url, ROUTER) != 0)
		RET(fake_reply_text(r, 404, "not found"));
	method = fake_param(rq, "method");
	if (fake_fault_apply(&server, method ? method : "", 0, r) || system_check(rq, r))
		return;
	handle_list(rq, r);
}

/* ---- main ------------------------------------------------------------------------------------------ */

static struct fake_server server = {
	.name = "fake_taobao",
	.handle = handle,
	.admin_handle = handle_admin,
	.code_key = "top",
	.fault_key = fault_key,
	.fault_fire = fault_fire,
	.cut_json = "{\"trades_sold_increment_get_response\":{\"total_results\":3,\"trades\":"
		    "{\"trade\":[{\"tid\":2231958349",
};

int main(int argc, char **argv)
{
	return fake_shop_main(&server, &shop, &ids, &cred, &sessions, argc, argv);
}
