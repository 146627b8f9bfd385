/*
 * fake_pdd.c — a fake Pinduoduo open platform router (拼多多开放平台) for tests and the demo.
 *
 *   fake_pdd [--port N] [--port-file FILE] [FAKE_GEN options] [--app-key K]
 *       [--app-secret S] [--access-token T] [--refresh-token R] [--shop-id ID]
 *       [--token-ttl SECS] [--fault SPEC]... [--verbose]   (see fake_shop_main)
 *       (--app-key is the client_id, --access-token the token valid from the start))
 *   fake_pdd --port N --admin PATH     (a client for the admin endpoints below)
 *
 * Serves, on 127.0.0.1, a shop generated from the seed (tests/fakes/lib/fake_shop.h) the
 * way Pinduoduo does (docs/api-pdd.md has the sources): one goods per order, no unpaid
 * orders (the API does not show them), refunds per order, no buyer id.
 *
 *   POST /api/router   form parameters type, client_id, access_token, timestamp (Unix
 *       seconds, at most 10 minutes off), data_type=JSON, version (V1, optional), sign
 *       (MD5 of client_secret + sorted key/values + client_secret, upper hex) — checked:
 *       10000 a missing or bad parameter, 10016 an unknown client_id, 20005 the
 *       timestamp, 20004 签名验证失败, 10019 access_token已过期 (unknown or expired),
 *       20031 an unknown type.
 *     type=pdd.order.number.list.increment.get: start_updated_at/end_updated_at (Unix
 *       seconds, inclusive, at most 30 minutes apart: 51000 otherwise), page from 1,
 *       page_size 1..100 (default 100), order_status / refund_status / is_lucky_flag
 *       filters (5, 5, 0 = all), use_has_next. Newest updated first. Answers
 *       {"order_sn_increment_get_response":{"total_count":N,"has_next":b,
 *       "order_sn_list":[…]}}; errors {"error_response":{"error_code","error_msg",
 *       "sub_code","sub_msg","request_id"}}.
 *     type=pdd.pop.auth.token.refresh: client_id, refresh_token → {"pop_auth_token_
 *       refresh_response":{"access_token","expires_in","refresh_token",…}} (no
 *       access_token needed; a wrong refresh token is error 10019).
 *
 * Orders: order_sn "YYMMDD-<15 digits>", confirm_status / group_status / order_status /
 * refund_status, China-time strings ("" when unset), money as yuan JSON numbers (29.9),
 * a masked receiver; item_list[] with goods_id, sku_id, goods_price (a JSON number),
 * goods_count, outer_id. Bad orders: confirm_status 9, or a goods_price of 12.345.
 *
 * Admin endpoints: /__admin/fault?SPEC (the harness's rules, tests/fakes/lib/
 * fake_server.h, token_invalid expiring every token; and pdd=CODE, an error_response
 * with that error_code), /__admin/mutate?step=N, /__admin/expect, /__admin/stats
 * (fake_shop_admin).
 */
#include "lib/fake_server.h"
#include "lib/fake_shop.h"
#include "siyu/extract/api_sign.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROUTER "/api/router"
#define LIST_TYPE "pdd.order.number.list.increment.get"
#define REFRESH_TYPE "pdd.pop.auth.token.refresh"
#define RET(call) do { call; return; } while (0)

static struct shop_creds cred = {
	.app_key = "pdd-client", .app_secret = "test-secret", .access_token = "pdd-token-0",
	.refresh_token = "pdd-refresh-0", .token_ttl = 86400, .issue_first = 1,
	.token_prefix = "pdd-token",
};

static struct shop_tokens tokens;
static struct shop_stats stats;
static uint64_t request_id;
static struct fake_shop shop;
static struct fake_server server;

/* ---- ids ---------------------------------------------------------------------------------- */

static void sn_of(char *out, size_t n, uint64_t serial, int64_t created)
{
	char day[32];

	fake_cn_text(created, day, sizeof(day)); /* "YYYY-MM-DD HH…" cut to the date */
	uint64_t tail = (uint64_t)(created % 1000000) * 1000000000u + serial;

	snprintf(out, n, "%.2s%.2s%.2s-%015" PRIu64, day + 2, day + 5, day + 8, tail);
}

static void line_of(char *out, size_t n, const char *sn, uint64_t serial, int k)
{
	(void)sn;
	uint64_t id = (uint64_t)780000000000 + serial * 10 + (uint64_t)k;

	snprintf(out, n, "%" PRIu64, id);
}

static void no_buyer(char *out, size_t n, uint64_t r)
{
	(void)r;
	snprintf(out, n, "%s", "");
}

static const struct shop_ids ids = {
	.order_id = sn_of, .line_id = line_of, .buyer_id = no_buyer,
	.max_lines = 1, .no_unpaid = 1, .order_refunds = 1, .no_buyer_id = 1,
};

/* ---- answers -------------------------------------------------------------------------------- */

static void put_time(struct json_object *o, const char *k, int64_t t)
{
	char s[32];

	fake_cn_text(t, s, sizeof(s)); /* "" when unset */
	fake_put_str(o, k, s);
}

/* Yuan as a JSON number written like PDD's Java does: 29.9, 54.8, 5.0. */
static void put_yuan(struct json_object *o, const char *k, int64_t fen)
{
	char s[32];
	size_t n;

	fake_yuan(fen, s, sizeof(s));
	n = strlen(s);
	if (s[n - 1] == '0')
		s[--n] = '\0';
	json_object_object_add(o, k, json_object_new_double_s((double)fen / 100.0, s));
}

static void reply_error(struct fake_reply *r, int code, const char *msg)
{
	struct json_object *o = json_object_new_object(), *e = json_object_new_object();
	char id[32];

	stats.rejected++;
	json_object_object_add(e, "error_code", json_object_new_int(code));
	fake_put_str(e, "error_msg", msg);
	fake_put_str(e, "sub_code", "");
	fake_put_str(e, "sub_msg", "");
	snprintf(id, sizeof(id), "15%014" PRIu64, ++request_id);
	fake_put_str(e, "request_id", id);
	json_object_object_add(o, "error_response", e);
	fake_reply_json(r, o);
}

/* ---- an order in PDD's shape -------------------------------------------------------------------- */

static struct json_object *order_json(const struct shop_order *o)
{
	const struct shop_line *l = &o->l[0];
	struct json_object *j = json_object_new_object(), *items = json_object_new_array();
	struct json_object *it = json_object_new_object();
	int refund = l->refund == SHOP_REFUND_DONE || o->st == SHOP_REFUNDED ? 4
		     : l->refund == SHOP_REFUND_ACTIVE ? 3 : 1;
	int ship = o->st == SHOP_SHIPPED ? 2 : o->st == SHOP_COMPLETED ? 3 : 1;
	int confirm = o->bad == 1 ? 9 : o->st == SHOP_CANCELLED ? 2 : 1;
	int64_t gross = l->price * l->num;

	fake_put_str(j, "order_sn", o->id);
	json_object_object_add(j, "confirm_status", json_object_new_int(confirm));
	json_object_object_add(j, "group_status", json_object_new_int(confirm == 2 ? 2 : 1));
	json_object_object_add(j, "order_status", json_object_new_int(ship));
	json_object_object_add(j, "refund_status", json_object_new_int(refund));
	json_object_object_add(j, "after_sales_status",
			       json_object_new_int(refund == 4 ? 10 : refund == 3 ? 4 : 0));
	json_object_object_add(j, "trade_type", json_object_new_int(0));
	put_time(j, "created_time", o->created);
	put_time(j, "confirm_time", o->paid);
	put_time(j, "pay_time", o->paid);
	put_time(j, "shipping_time", o->shipped);
	put_time(j, "receive_time", o->st == SHOP_COMPLETED ? o->finished : 0);
	put_time(j, "updated_at", o->modified);
	put_yuan(j, "goods_amount", gross);
	put_yuan(j, "discount_amount", gross - l->pay);
	put_yuan(j, "postage", o->post);
	put_yuan(j, "pay_amount", l->pay + o->post);
	fake_put_str(j, "receiver_name", "");
	fake_put_str(j, "receiver_name_mask", "张*");
	fake_put_str(j, "receiver_phone_mask", "1387677****");
	json_object_object_add(it, "goods_id", json_object_new_int64(l->item_id));
	json_object_object_add(it, "sku_id", json_object_new_int64(strtoll(l->id, NULL, 10)));
	fake_put_str(it, "goods_name", l->title);
	fake_put_str(it, "goods_spec", "默认");
	json_object_object_add(it, "goods_count", json_object_new_int(l->num));
	if (o->bad == 2)
		json_object_object_add(it, "goods_price", json_object_new_double_s(12.345, "12.345"));
	else
		put_yuan(it, "goods_price", l->price);
	fake_put_str(it, "outer_id", l->outer_sku);
	fake_put_str(it, "outer_goods_id", "");
	json_object_array_add(items, it);
	json_object_object_add(j, "item_list", items);
	return j;
}

/* ---- checks ------------------------------------------------------------------------------------- */

/* The common parameters; 1 when r holds the error answer. */
static int common_check(struct fake_request *rq, const char *type, struct fake_reply *r)
{
	const char *id = fake_param(rq, "client_id"), *ts = fake_param(rq, "timestamp");
	const char *sign = fake_param(rq, "sign"), *dt = fake_param(rq, "data_type");
	char *end = NULL;
	long long t = ts ? strtoll(ts, &end, 10) : 0;

	if (!type || !*type || !id || !*id || !ts || !sign || (end && *end))
		return reply_error(r, 10000, "参数错误: type, client_id, timestamp and sign are "
					     "required"), 1;
	if (strcmp(id, cred.app_key) != 0)
		return reply_error(r, 10016, "client_id不存在"), 1;
	if (llabs(t - (long long)time(NULL)) > 600)
		return reply_error(r, 20005, "timestamp 与服务器时间相差超过10分钟"), 1;
	if (dt && strcmp(dt, "JSON") != 0)
		return reply_error(r, 10000, "参数错误: data_type"), 1;
	if (!fake_signed(rq, API_SIGN_MD5_WRAPPED, cred.app_secret, sign))
		return reply_error(r, 20004, "签名验证失败"), 1;
	if (strcmp(type, LIST_TYPE) != 0 && strcmp(type, REFRESH_TYPE) != 0)
		return reply_error(r, 20031, "api 不存在"), 1;
	return 0;
}

/* ---- calls ----------------------------------------------------------------------------------------- */

static void handle_list(struct fake_request *rq, struct fake_reply *r)
{
	long from = fake_param_long(rq, "start_updated_at", -1), to = fake_param_long(rq, "end_updated_at", -1);
	long page = fake_param_long(rq, "page", 1), page_size = fake_param_long(rq, "page_size", 100);
	const char *hn = fake_param(rq, "use_has_next");
	struct json_object *o, *resp;
	struct shop_order **hit;
	int n;

	if (!fake_tokens_valid(&tokens, fake_param(rq, "access_token")))
		RET(reply_error(r, 10019, "access_token已过期"));
	if (from < 0 || to < 0 || to < from)
		RET(reply_error(r, 10000, "参数错误: start_updated_at/end_updated_at"));
	if (to - from > 1800)
		RET(reply_error(r, 51000, "时间跨度不能超过30分钟"));
	if (page < 1 || page_size < 1 || page_size > 100)
		RET(reply_error(r, 10000, "参数错误: page >= 1, page_size 1..100"));
	if (fake_param_long(rq, "order_status", 5) != 5 || fake_param_long(rq, "refund_status", 5) != 5 ||
	    fake_param_long(rq, "is_lucky_flag", 0) != 0)
		RET(reply_error(r, 10000, "参数错误: this fake serves order_status=5, "
					  "refund_status=5, is_lucky_flag=0 only"));
	fake_shop_note_list(&stats, from, to, page_size);
	n = fake_shop_select(&shop, from, to, 1, &hit);
	o = json_object_new_object();
	resp = json_object_new_object();
	if (!(hn && !strcmp(hn, "true")))
		json_object_object_add(resp, "total_count", json_object_new_int(n));
	json_object_object_add(resp, "has_next", json_object_new_boolean(page * page_size < n));
	json_object_object_add(resp, "order_sn_list", fake_shop_page(hit, n, page, page_size,
								       order_json));
	free(hit);
	json_object_object_add(o, "order_sn_increment_get_response", resp);
	fake_reply_json(r, o);
}

static void handle_refresh(struct fake_request *rq, struct fake_reply *r)
{
	const char *refresh = fake_param(rq, "refresh_token");
	struct json_object *o, *resp;
	char tok[136];

	stats.token_calls++;
	if (!refresh || strcmp(refresh, cred.refresh_token) != 0)
		RET(reply_error(r, 10019, "refresh_token 无效或已过期"));
	fake_tokens_issue(&tokens, cred.access_token, "pdd-token", cred.token_ttl,
			  fake_rand(&shop.rng), tok, sizeof(tok));
	o = json_object_new_object();
	resp = json_object_new_object();
	fake_put_str(resp, "access_token", tok);
	json_object_object_add(resp, "expires_in", json_object_new_int64(cred.token_ttl));
	fake_put_str(resp, "refresh_token", cred.refresh_token);
	json_object_object_add(resp, "refresh_token_expires_in", json_object_new_int64(30 * 86400));
	fake_put_str(resp, "owner_id", "100000001");
	fake_put_str(resp, "owner_name", "拼多多测试店");
	json_object_object_add(o, "pop_auth_token_refresh_response", resp);
	fake_reply_json(r, o);
}

static int fault_fire(const struct fake_fault *f, const char *path, struct fake_reply *r)
{
	(void)path;
	if (f->kind == FAKE_FAULT_TOKEN) {
		fake_tokens_expire(&tokens);
		return 0;
	}
	reply_error(r, (int)f->value, "fault: 系统繁忙");
	return 1;
}

static void handle_admin(struct fake_request *rq, const char *what, struct fake_reply *r)
{
	fake_shop_admin(&shop, &stats, &tokens, &server, rq, what, r);
}

static void handle(struct fake_request *rq, struct fake_reply *r)
{
	const char *type;

	stats.calls++;
	if (strcmp(rq->url, ROUTER) != 0)
		RET(fake_reply_text(r, 404, "not found"));
	type = fake_param(rq, "type");
	if (fake_fault_apply(&server, type ? type : "", type && !strcmp(type, REFRESH_TYPE), r) ||
	    common_check(rq, type, r))
		return;
	if (!strcmp(type, REFRESH_TYPE))
		RET(handle_refresh(rq, r));
	handle_list(rq, r);
}

/* ---- main ------------------------------------------------------------------------------------------- */

static struct fake_server server = {
	.name = "fake_pdd",
	.handle = handle,
	.admin_handle = handle_admin,
	.code_key = "pdd",
	.fault_fire = fault_fire,
	.cut_json = "{\"order_sn_increment_get_response\":{\"total_count\":3,\"order_sn_list\":"
		    "[{\"order_sn\":\"240301-1234",
};

int main(int argc, char **argv)
{
	return fake_shop_main(&server, &shop, &ids, &cred, &tokens, argc, argv);
}
