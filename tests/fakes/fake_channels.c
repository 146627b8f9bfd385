/*
 * fake_channels.c — a fake WeChat Channels shop API (视频号小店 / 微信小店) for tests and
 * the demo.
 *
 *   fake_channels [--port N] [--port-file FILE] [FAKE_GEN options] [--app-key K]
 *       [--app-secret S] [--access-token T] [--refresh-token R] [--shop-id ID]
 *       [--token-ttl SECS] [--fault SPEC]... [--verbose]   (see fake_shop_main)
 *       (--app-key is the appid; tokens come from stable_token))
 *   fake_channels --port N --admin PATH     (a client for the admin endpoints below)
 *
 * Serves, on 127.0.0.1, a shop generated from the seed (tests/fakes/lib/fake_shop.h) the
 * way the Channels shop API does (docs/api-channels.md has the sources):
 *
 *   POST /cgi-bin/stable_token   {"grant_type":"client_credential","appid","secret",
 *       "force_refresh"} → {"access_token","expires_in"}; a wrong appid is 40013, a wrong
 *       secret 40125. force_refresh issues a new token (the old ones keep working five
 *       minutes: here, until they expire).
 *   POST /channels/ec/order/list/get?access_token=T   {"update_time_range":{"start_time",
 *       "end_time"} (inclusive, at most 7 days: 47001 otherwise), "page_size" (1..100),
 *       "next_key"} → {"errcode":0,"errmsg":"ok","order_id_list":[…],"next_key":…,
 *       "has_more":b}. The cursor is opaque; a next_key of another range is 47001.
 *   POST /channels/ec/order/get?access_token=T   {"order_id"} → {"errcode":0,"errmsg":"ok",
 *       "order":{…}}; an unknown order is 100002.
 *   A missing token is 41001, an unknown one 40001, an expired one 42001; a body that is
 *   not JSON 47001.
 *
 * Orders: order_id (19 digits, text), status 10/20/30/100/200/250, epoch times, openid
 * (and unionid for about half the buyers), order_detail {product_infos[] (sale_price,
 * real_price, on_/finish_aftersale_sku_cnt), price_info, pay_info, delivery_info with a
 * masked address}, aftersale_detail. Bad orders: status 77, or a sale_price of "11.9".
 *
 * Admin endpoints: /__admin/fault?SPEC (the harness's rules, token_invalid expiring every
 * token, path "stable_token" for the token call, "order/get" for details; and
 * errcode=CODE, an answer with that errcode — 45009/45011 are quotas, -1 system busy),
 * /__admin/mutate?step=N, /__admin/expect, /__admin/stats (fake_shop_admin).
 */
#include "lib/fake_server.h"
#include "lib/fake_shop.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TOKEN_PATH "/cgi-bin/stable_token"
#define LIST_PATH "/channels/ec/order/list/get"
#define GET_PATH "/channels/ec/order/get"
#define RET(call) do { call; return; } while (0)

static struct shop_creds cred = {
	.app_key = "wx-channels-app", .app_secret = "test-secret",
	.access_token = "wx-token-1", .token_ttl = 7200, .token_prefix = "wx-token",
};

static struct shop_tokens tokens;
static struct shop_stats stats;
static struct fake_shop shop;
static struct fake_server server;

/* ---- ids ----------------------------------------------------------------------------------------- */

static void order_id(char *out, size_t n, uint64_t serial, int64_t created)
{
	uint64_t id = 3704000000000000000ULL + (uint64_t)(created % 10000000) * 100000u + serial;

	snprintf(out, n, "%" PRIu64, id);
}

static void sku_id(char *out, size_t n, const char *order, uint64_t serial, int k)
{
	(void)order;
	(void)serial;
	snprintf(out, n, "2000045%d", k);
}

static void openid(char *out, size_t n, uint64_t r)
{
	snprintf(out, n, "o9Ab%016" PRIx64, r);
}

static const struct shop_ids ids = { .order_id = order_id, .line_id = sku_id,
				     .buyer_id = openid, .unionids = 1 };

/* ---- answers -------------------------------------------------------------------------------------- */

static void reply_err(struct fake_reply *r, int code, const char *msg)
{
	struct json_object *o = json_object_new_object();

	stats.rejected++;
	json_object_object_add(o, "errcode", json_object_new_int(code));
	json_object_object_add(o, "errmsg", json_object_new_string(msg));
	fake_reply_json(r, o);
}

static struct json_object *ok(void)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "errcode", json_object_new_int(0));
	json_object_object_add(o, "errmsg", json_object_new_string("ok"));
	return o;
}

/* ---- an order in the Channels shape --------------------------------------------------------------- */

static int status_of(const struct shop_order *o)
{
	static const int codes[] = { 10, 250, 20, 30, 100, 200 }; /* by enum shop_state */

	return o->bad == 1 ? 77 : codes[o->st];
}

static struct json_object *product_json(const struct shop_order *o, int k)
{
	const struct shop_line *l = &o->l[k];
	struct json_object *p = json_object_new_object();
	char id[24];

	snprintf(id, sizeof(id), "%" PRId64, l->item_id);
	fake_put_str(p, "product_id", id);
	fake_put_str(p, "sku_id", l->id);
	fake_put_str(p, "out_sku_id", l->outer_sku);
	fake_put_str(p, "title", l->title);
	fake_put_int(p, "sku_cnt", l->num);
	if (o->bad == 2 && k == 0)
		fake_put_str(p, "sale_price", "11.9");
	else
		fake_put_int(p, "sale_price", l->price);
	fake_put_int(p, "market_price", l->price);
	fake_put_int(p, "real_price", l->pay);
	fake_put_int(p, "on_aftersale_sku_cnt", l->refund == SHOP_REFUND_ACTIVE ? l->num : 0);
	fake_put_int(p, "finish_aftersale_sku_cnt", fake_shop_line_refunded(o, k) ? l->num : 0);
	return p;
}

static struct json_object *order_json(const struct shop_order *o)
{
	struct json_object *j = json_object_new_object(), *d = json_object_new_object();
	struct json_object *products = json_object_new_array(), *price = json_object_new_object();
	struct json_object *pay = json_object_new_object(), *del = json_object_new_object();
	struct json_object *addr = json_object_new_object(), *after = json_object_new_object();
	const struct shop_buyer *b = &shop.buyer[o->buyer];
	int64_t gross = 0, paid = 0, active = 0;

	for (int k = 0; k < o->nlines; k++) {
		gross += o->l[k].price * o->l[k].num;
		paid += o->l[k].pay;
		active += o->l[k].refund == SHOP_REFUND_ACTIVE;
		json_object_array_add(products, product_json(o, k));
	}
	fake_put_str(j, "order_id", o->id);
	fake_put_int(j, "status", status_of(o));
	fake_put_int(j, "create_time", o->created);
	fake_put_int(j, "update_time", o->modified);
	fake_put_str(j, "openid", b->id);
	if (b->unionid[0])
		fake_put_str(j, "unionid", b->unionid);
	fake_put_int(price, "product_price", gross);
	fake_put_int(price, "order_price", paid + o->post);
	fake_put_int(price, "freight", o->post);
	fake_put_int(price, "discounted_price", gross - paid);
	json_object_object_add(price, "is_discounted", json_object_new_boolean(gross > paid));
	fake_put_str(pay, "transaction_id", o->paid ? "4200002001" : "");
	fake_put_int(pay, "pay_time", o->paid);
	fake_put_str(addr, "user_name", "陈**");
	fake_put_str(addr, "tel_number", "138****0000");
	fake_put_str(addr, "detail_info", "****");
	json_object_object_add(del, "address_info", addr);
	json_object_object_add(d, "product_infos", products);
	json_object_object_add(d, "price_info", price);
	json_object_object_add(d, "pay_info", pay);
	json_object_object_add(d, "delivery_info", del);
	json_object_object_add(j, "order_detail", d);
	fake_put_int(after, "on_aftersale_order_cnt", active ? 1 : 0);
	json_object_object_add(after, "aftersale_order_list", json_object_new_array());
	json_object_object_add(j, "aftersale_detail", after);
	return j;
}

/* ---- calls ------------------------------------------------------------------------------------------ */

static void handle_token(struct fake_request *rq, struct fake_reply *r)
{
	struct json_object *b = json_tokener_parse(buf_str(&rq->body)), *o;
	const char *appid = fake_jstr(b, "appid"), *secret = fake_jstr(b, "secret");
	char tok[136];

	stats.token_calls++;
	if (!b || !appid || !secret) {
		json_object_put(b);
		RET(reply_err(r, 47001, "data format error"));
	}
	if (strcmp(appid, cred.app_key) != 0) {
		json_object_put(b);
		RET(reply_err(r, 40013, "invalid appid"));
	}
	if (strcmp(secret, cred.app_secret) != 0) {
		json_object_put(b);
		RET(reply_err(r, 40125, "invalid appsecret"));
	}
	json_object_put(b);
	fake_tokens_issue(&tokens, cred.access_token, cred.token_prefix, cred.token_ttl, fake_rand(&shop.rng),
			  tok, sizeof(tok));
	o = json_object_new_object();
	fake_put_str(o, "access_token", tok);
	fake_put_int(o, "expires_in", cred.token_ttl);
	fake_reply_json(r, o);
}

/* The cursor of position pos in [from, to]: opaque to the client, checked on the way back. */
static void cursor(char *out, size_t n, int64_t from, int64_t to, long pos)
{
	snprintf(out, n, "%" PRIx64 "-%" PRIx64 "-%lx-%08" PRIx64, from, to, pos,
		 (uint64_t)(from * 2654435761u ^ to ^ (int64_t)pos * 40503u) & 0xffffffffu);
}

static long cursor_pos(const char *key, int64_t from, int64_t to)
{
	char want[96];
	unsigned long pos;

	if (!key || !*key)
		return 0;
	if (sscanf(key, "%*[0-9a-f]-%*[0-9a-f]-%lx-", &pos) != 1 || pos > 100000000)
		return -1;
	cursor(want, sizeof(want), from, to, (long)pos);
	return strcmp(want, key) == 0 ? (long)pos : -1;
}

static void handle_list(struct json_object *b, struct fake_reply *r)
{
	struct json_object *range = NULL, *o, *list;
	int64_t from, to, size = fake_jint(b, "page_size", 10);
	struct shop_order **hit;
	char next[96];
	long pos;
	int n;

	if (!json_object_object_get_ex(b, "update_time_range", &range))
		RET(reply_err(r, 47001, "data format error: update_time_range"));
	from = fake_jint(range, "start_time", -1);
	to = fake_jint(range, "end_time", -1);
	if (from < 0 || to < from || to - from > 7 * FAKE_DAY || size < 1 || size > 100)
		RET(reply_err(r, 47001, "data format error: a range of at most 7 days, page_size "
					"1..100"));
	if ((pos = cursor_pos(fake_jstr(b, "next_key"), from, to)) < 0)
		RET(reply_err(r, 47001, "data format error: next_key"));
	fake_shop_note_list(&stats, from, to, (long)size);
	n = fake_shop_select(&shop, from, to, 0, &hit);
	list = json_object_new_array();
	for (long i = pos; i < n && i < pos + size; i++)
		json_object_array_add(list, json_object_new_string(hit[i]->id));
	free(hit);
	o = ok();
	json_object_object_add(o, "order_id_list", list);
	cursor(next, sizeof(next), from, to, pos + size < n ? pos + size : n);
	fake_put_str(o, "next_key", next);
	json_object_object_add(o, "has_more", json_object_new_boolean(pos + size < n));
	fake_reply_json(r, o);
}

static void handle_get(struct json_object *b, struct fake_reply *r)
{
	const char *id = fake_jstr(b, "order_id");
	struct json_object *o;

	for (int i = 0; id && i < shop.n; i++)
		if (!strcmp(shop.o[i].id, id)) {
			o = ok();
			json_object_object_add(o, "order", order_json(&shop.o[i]));
			RET(fake_reply_json(r, o));
		}
	reply_err(r, 100002, "order not found");
}

static int fault_fire(const struct fake_fault *f, const char *path, struct fake_reply *r)
{
	(void)path;
	if (f->kind == FAKE_FAULT_TOKEN) {
		fake_tokens_expire(&tokens);
		return 0;
	}
	reply_err(r, (int)f->value, f->value == 45009 ? "reach max api daily quota limit"
				    : f->value == 45011 ? "api minute-quota reach limit" : "system error");
	return 1;
}

static void handle_admin(struct fake_request *rq, const char *what, struct fake_reply *r)
{
	fake_shop_admin(&shop, &stats, &tokens, &server, rq, what, r);
}

static void handle(struct fake_request *rq, struct fake_reply *r)
{
	const char *tok = fake_query(rq, "access_token");
	struct json_object *b;
	int list = !strcmp(rq->url, LIST_PATH), get = !strcmp(rq->url, GET_PATH);

	stats.calls++;
	if (!strcmp(rq->url, TOKEN_PATH)) {
		if (fake_fault_apply(&server, "stable_token", 1, r))
			return;
		RET(handle_token(rq, r));
	}
	if (!list && !get)
		RET(reply_err(r, 48001, "api unauthorized"));
	if (fake_fault_apply(&server, list ? "order/list/get" : "order/get", 0, r))
		return;
	if (!tok || !*tok)
		RET(reply_err(r, 41001, "access_token missing"));
	if (!fake_tokens_valid(&tokens, tok)) {
		int known = 0;

		for (int i = 0; i < tokens.n; i++)
			known |= !strcmp(tokens.v[i], tok);
		RET(reply_err(r, known ? 42001 : 40001, known ? "access_token expired"
							       : "invalid credential"));
	}
	if (!(b = json_tokener_parse(buf_str(&rq->body))) || !json_object_is_type(b, json_type_object)) {
		json_object_put(b);
		RET(reply_err(r, 47001, "data format error"));
	}
	if (list)
		handle_list(b, r);
	else
		handle_get(b, r);
	json_object_put(b);
}

/* ---- main ------------------------------------------------------------------------------------------------ */

static struct fake_server server = {
	.name = "fake_channels",
	.handle = handle,
	.admin_handle = handle_admin,
	.code_key = "errcode",
	.fault_fire = fault_fire,
	.cut_json = "{\"errcode\":0,\"errmsg\":\"ok\",\"order_id_list\":[\"370400000",
};

int main(int argc, char **argv)
{
	return fake_shop_main(&server, &shop, &ids, &cred, &tokens, argc, argv);
}
